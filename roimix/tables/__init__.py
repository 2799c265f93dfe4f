"""Input tables: contracts as data, reading and checking CSV/Parquet/DataFrames in DuckDB.

Names are imported from their module on first use (PEP 562): the contracts and the one-pass Parquet
paths check (:mod:`.clean_paths`) do not load pandas or DuckDB.
"""

from __future__ import annotations

import importlib

_HOMES = {
    **dict.fromkeys(("CHANNELS", "CONTRACTS", "CONVERSIONS", "CURVES", "FAMILIES", "GROUPS", "LIFT_TESTS", "PATHS",
                     "SEGMENTS", "SPEND", "TOUCHPOINTS", "Column", "TableContract"), "contracts"),
    **dict.fromkeys(("Problem", "TableError", "format_problems"), "problems"),
    **dict.fromkeys(("check_table", "load_table", "read_table"), "read"),
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'roimix.tables' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


__all__ = [
    "CHANNELS", "CONTRACTS", "CONVERSIONS", "CURVES", "FAMILIES", "GROUPS", "LIFT_TESTS", "PATHS", "SEGMENTS",
    "SPEND", "TOUCHPOINTS", "Column", "Problem", "TableContract", "TableError", "check_table", "format_problems",
    "load_table", "read_table",
]
