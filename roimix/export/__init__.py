"""Exports: tidy frames to CSV / JSON / Excel, neutralised against spreadsheet formula injection."""

from .safe import FORMULA_PREFIXES, neutralise, safe_frame
from .tables import FORMATS, write_tables, write_workbook

__all__ = ["FORMATS", "FORMULA_PREFIXES", "neutralise", "safe_frame", "write_tables", "write_workbook"]
