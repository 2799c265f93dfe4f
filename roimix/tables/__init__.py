"""Input tables: contracts as data, reading and checking CSV/Parquet/DataFrames in DuckDB.

Names are imported from their module on first use (PEP 562): the contracts and the one-pass Parquet
paths check (:mod:`.clean_paths`) do not load pandas or DuckDB.
"""

from __future__ import annotations

from roimix.lazy import lazy_exports

_HOMES = {
    **dict.fromkeys(("CHANNELS", "CONTRACTS", "CONVERSIONS", "CURVES", "FAMILIES", "GROUPS", "LIFT_TESTS", "PATHS",
                     "SEGMENTS", "SPEND", "TOUCHPOINTS", "Column", "TableContract"), "contracts"),
    **dict.fromkeys(("Problem", "TableError", "format_problems"), "problems"),
    **dict.fromkeys(("check_table", "load_table", "read_table"), "read"),
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "CHANNELS", "CONTRACTS", "CONVERSIONS", "CURVES", "FAMILIES", "GROUPS", "LIFT_TESTS", "PATHS", "SEGMENTS",
    "SPEND", "TOUCHPOINTS", "Column", "Problem", "TableContract", "TableError", "check_table", "format_problems",
    "load_table", "read_table",
]
