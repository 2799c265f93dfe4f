"""Exports: tidy frames to CSV / JSON / Excel, neutralised against spreadsheet formula injection."""

from .finance import Context, FinanceTables, budget_split, campaign_tables, plan_summary_lines, plan_tables
from .rounding import round_to_fen, to_fen
from .safe import FORMULA_PREFIXES, neutralise, safe_frame
from .tables import FORMATS, write_tables, write_workbook
from .workbook import SHEETS, finance_bytes, write_cells_csv, write_finance, write_finance_workbook

__all__ = ["FORMATS", "FORMULA_PREFIXES", "SHEETS", "Context", "FinanceTables", "budget_split", "campaign_tables",
           "finance_bytes", "neutralise", "plan_summary_lines", "plan_tables", "round_to_fen", "safe_frame", "to_fen",
           "write_cells_csv", "write_finance", "write_finance_workbook", "write_tables", "write_workbook"]
