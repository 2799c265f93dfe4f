"""How checked tables reach pandas and DuckDB: the fast paths give exactly what DuckDB's own conversions give."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roimix.tables import CONVERSIONS, TOUCHPOINTS
from roimix.tables.problems import TableError
from roimix.tables.read import duckdb_source, frame_of, read_table

COLUMN_TYPES = ("VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP", "DECIMAL(12,2)")


def _literal(kind: str, i: int) -> str:
    return {"VARCHAR": f"'t{i % 7} 文字'", "BIGINT": str(i * 1_000_003), "INTEGER": str(i - 3), "DOUBLE": f"{i / 7}",
            "BOOLEAN": "true" if i % 2 else "false", "DATE": f"(DATE '2024-01-01' + {i})",
            "TIMESTAMP": f"(TIMESTAMP '2024-05-20 10:00' + INTERVAL {i} MINUTE)", "DECIMAL(12,2)": f"{i}.25"}[kind]


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.sampled_from(COLUMN_TYPES), min_size=1, max_size=5),
       nulls=st.lists(st.booleans(), min_size=5, max_size=5), rows=st.integers(0, 6))
def test_frame_of_equals_duckdbs_own_df(kinds, nulls, rows):
    """Any mix of column types, with or without NULLs, and no rows at all: dtypes and values as ``.df()``."""
    cols = [f"c{j}" for j in range(len(kinds))]
    selects = [", ".join(f"{'NULL' if nulls[j] and i % 3 == 0 else _literal(k, i)}::{k} AS {c}"
                         for j, (k, c) in enumerate(zip(kinds, cols))) for i in range(max(rows, 1))]
    sql = " UNION ALL ".join(f"SELECT {s}" for s in selects) + ("" if rows else " LIMIT 0")
    con = duckdb.connect()
    try:
        pd.testing.assert_frame_equal(frame_of(con.execute(sql)), con.execute(sql).df())
    finally:
        con.close()


def test_the_sample_reads_as_duckdbs_df_would_give_it():
    con = duckdb.connect()
    try:
        expected = con.execute("SELECT * FROM 'data/sample/touchpoints.parquet'").df()
    finally:
        con.close()
    got = read_table("data/sample/touchpoints.parquet", TOUCHPOINTS)
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)
    assert str(got["channel"].dtype) == str(expected["channel"].dtype)


def test_frames_reach_duckdb_as_arrow_unless_a_column_cannot():
    import pyarrow as pa

    typed = pd.DataFrame({"user_id": [1, 2], "channel": pd.array(["a", "b"], dtype="str")})
    assert isinstance(duckdb_source(typed), pa.Table)
    mixed = pd.DataFrame({"user_id": [1, "x"], "timestamp": ["2024-01-01", "2024-01-02"], "value": [1.0, 2.0]},
                         dtype=object)
    assert duckdb_source(mixed) is mixed  # Arrow refuses a column of numbers and text: DuckDB gets the frame


def test_a_frame_with_a_mixed_column_is_still_checked_cell_by_cell():
    frame = pd.DataFrame({"user_id": [1, "u2", 3], "timestamp": ["2024-01-01 10:00"] * 3, "value": ["10", "x", "5"]},
                         dtype=object)
    with pytest.raises(TableError) as err:
        read_table(frame, CONVERSIONS, name="orders.xlsx")
    bad = {(row, p.column) for p in err.value.problems for row in p.rows}
    assert (3, "value") in bad and (3, "user_id") not in bad  # "u2" is a fine user id; "x" is no amount
