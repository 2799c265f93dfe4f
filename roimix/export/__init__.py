"""Exports: tidy frames to CSV / JSON / Excel, neutralised against spreadsheet formula injection.

Names load on first use (PEP 562): ``roimix.export.safe`` and ``.tables`` need only pandas, so
``roimix attribute`` writes safe files without importing the optimizer that the finance tables use.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Context": "finance", "FinanceTables": "finance", "budget_split": "finance", "campaign_tables": "finance",
    "plan_summary_lines": "finance", "plan_tables": "finance", "with_beyond_history": "finance",
    "round_to_fen": "rounding", "to_fen": "rounding",
    "FORMULA_PREFIXES": "safe", "neutralise": "safe", "safe_frame": "safe",
    "FORMATS": "tables", "write_tables": "tables", "write_workbook": "tables",
    "SHEETS": "workbook", "finance_bytes": "workbook", "write_cells_csv": "workbook", "write_finance": "workbook",
    "write_finance_workbook": "workbook",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
