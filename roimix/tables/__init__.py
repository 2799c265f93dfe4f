"""Input tables: contracts as data, reading and checking CSV/Parquet/DataFrames in DuckDB."""

from .contracts import (
    CHANNELS, CONTRACTS, CONVERSIONS, CURVES, FAMILIES, GROUPS, LIFT_TESTS, PATHS, SEGMENTS, SPEND,
    TOUCHPOINTS, Column, TableContract,
)
from .problems import Problem, TableError, format_problems
from .read import check_table, load_table, read_table

__all__ = [
    "CHANNELS", "CONTRACTS", "CONVERSIONS", "CURVES", "FAMILIES", "GROUPS", "LIFT_TESTS", "PATHS", "SEGMENTS",
    "SPEND", "TOUCHPOINTS", "Column", "Problem", "TableContract", "TableError", "check_table", "format_problems",
    "load_table", "read_table",
]
