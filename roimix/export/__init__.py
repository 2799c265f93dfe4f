"""Exports: tidy frames to CSV / JSON / Excel, neutralised against spreadsheet formula injection."""

from .finance import Context, FinanceTables, campaign_tables, plan_tables
from .rounding import round_to_fen, to_fen
from .safe import FORMULA_PREFIXES, neutralise, safe_frame
from .tables import FORMATS, write_tables, write_workbook
from .workbook import SHEETS, finance_bytes, write_finance, write_finance_workbook

__all__ = ["FORMATS", "FORMULA_PREFIXES", "SHEETS", "Context", "FinanceTables", "campaign_tables", "finance_bytes", "neutralise",
           "plan_tables", "round_to_fen", "safe_frame", "to_fen", "write_finance", "write_finance_workbook",
           "write_tables", "write_workbook"]
