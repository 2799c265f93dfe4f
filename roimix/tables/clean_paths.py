"""A paths table from one Parquet file that plainly meets its contract, checked in one Arrow pass
(no DuckDB, and no pandas until pyarrow converts a Python value: the start-up of ``roimix attribute --paths P
--model markov`` is most of its time)."""

from __future__ import annotations

from pathlib import Path

from .contracts import ORDER_CEILING_CNY, TableContract

PARQUET_SUFFIXES = (".parquet", ".pq")
_FAST_TYPES = {"path": ("string", "large_string"), "conversions": ("int64", "int32", "int16"),
               "value": ("double",), "nulls": ("int64", "int32", "int16"), "null_window": ("string", "large_string")}


def clean_paths_arrow(source, contract: TableContract):
    """The table (``pyarrow.Table``, the contract's columns in its order, no schema metadata) when ``source`` is
    one Parquet file that plainly meets the paths contract; ``None`` when anything is unusual or wrong (other
    names, types or columns, empty, blank or untrimmed text, a rule broken): then the full check runs
    (:func:`roimix.tables.read.read_table`) and reports every problem with file, row and column."""
    if not isinstance(source, (str, Path)) or not str(source).lower().endswith(PARQUET_SUFFIXES):
        return None
    path = Path(source)
    if not path.is_file():
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:  # ParquetFile, not read_table: the dataset layer imports pandas
        file = pq.ParquetFile(path)
        schema = file.schema_arrow
    except (OSError, pa.ArrowException):
        return None
    names = [c.name for c in contract.columns]
    if (len(set(schema.names)) != len(schema.names) or not {"path", "conversions", "value", "nulls"} <= set(schema.names)
            or not set(schema.names) <= set(names)
            or any(str(schema.field(n).type) not in _FAST_TYPES[n] for n in schema.names)):
        return None
    try:
        table = file.read(columns=[n for n in names if n in schema.names], use_threads=False)
    except (OSError, pa.ArrowException):
        return None
    finally:
        file.close()
    if table.num_rows == 0 or any(table[n].null_count for n in table.column_names):
        return None
    text, conversions, value, nulls = table["path"], table["conversions"], table["value"], table["nulls"]
    conv = pc.cast(conversions, pa.float64())
    fine = (
        pc.all(pc.equal(pc.utf8_trim_whitespace(text), text)).as_py()  # trimmed (so never blank once trimmed)
        and not pc.any(pc.match_substring_regex(text, r"(^|>)\s*(>|$)")).as_py()  # no empty step
        and pc.min(conversions).as_py() >= 0 and pc.min(nulls).as_py() >= 0
        and pc.max(conversions).as_py() < 2**53 / ORDER_CEILING_CNY  # the ceiling product is exact in float64
        and pc.all(pc.is_finite(value)).as_py() and pc.min(value).as_py() >= 0
        # the ceiling per conversion (which also rules out value on a path without conversions)
        and not pc.any(pc.greater(value, pc.multiply(conv, ORDER_CEILING_CNY))).as_py()
        and ("null_window" not in table.column_names
             or pc.all(pc.is_in(table["null_window"], pa.array(["anchored", "full"]))).as_py())
    )
    return table.replace_schema_metadata(None) if fine else None  # a pandas index in the metadata is not ours
