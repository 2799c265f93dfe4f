"""Table contracts: every problem in a file is reported with file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roimix.tables import (
    CHANNELS, CONVERSIONS, CURVES, PATHS, SPEND, TOUCHPOINTS, TableError, check_table, read_table,
)
from roimix.tables.problems import MAX_REPORTED, format_problems


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_channelattribution_paths_load_as_they_are(shared_datasets):
    paths = read_table(shared_datasets / "channelattribution" / "Data.csv", PATHS)
    assert list(paths.columns) == ["path", "conversions", "value", "nulls"]
    assert len(paths) == 10_000
    # totals documented in the dataset's README
    assert paths.conversions.sum() == 19_785
    assert paths.nulls.sum() == 68_602
    assert paths.value.sum() == pytest.approx(74_802.97, abs=0.01)


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_either_separator_and_optional_bom(tmp_path, sep, bom):
    text = sep.join(["date", "channel", "segment", "spend"]) + "\n" + sep.join(["2026-06-01", "小红书", "新品", "12.5"])
    path = write(tmp_path, "spend.csv", text, encoding="utf-8-sig" if bom else "utf-8")
    frame = read_table(path, SPEND)
    assert frame.loc[0, "channel"] == "小红书"
    assert frame.loc[0, "segment"] == "new"
    assert frame.loc[0, "spend"] == 12.5


def test_parquet_and_dataframe_give_the_same_table(tmp_path):
    frame = pd.DataFrame({"user_id": [1, 2], "timestamp": pd.to_datetime(["2026-06-01 10:00", "2026-06-02 00:00"]),
                          "channel": ["ztc", "wxt"]})
    frame.to_parquet(tmp_path / "t.parquet")
    a = read_table(tmp_path / "t.parquet", TOUCHPOINTS)
    b = read_table(frame, TOUCHPOINTS)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.interaction) == ["click", "click"]  # optional column filled with its default


def test_every_problem_is_reported_at_once_with_row_and_column(tmp_path):
    path = write(tmp_path, "spend.csv", "\n".join([
        "date,channel,segment,spend,clicks,new_customer_clicks",
        "2026-06-01,ztc,new,-3,5,1",        # row 2: negative money
        "2026-06-02,ztc,existing,abc,5,1",  # row 3: not a number
        "2026-13-01,ztc,neu,5,x,1",         # row 4: bad date, unknown segment, bad count: all three reported
        "2026-06-01,ztc,new,3,5,9",         # row 5: duplicate key with row 2; more new-customer clicks than clicks
        ",wxt,existing,1,1,0",              # row 6: empty date
    ]))
    with pytest.raises(TableError) as caught:
        read_table(path, SPEND)
    found = {(p.column, p.rows) for p in caught.value.problems}
    assert ("spend", (2,)) in found
    assert ("spend", (3,)) in found
    assert {("date", (4,)), ("segment", (4,)), ("clicks", (4,))} <= found
    assert ("new_customer_clicks", (5,)) in found
    assert ("date", (6,)) in found
    assert ("date, channel, segment", (2, 5)) in found
    message = str(caught.value)
    assert "spend.csv, row 4, column segment: expected one of new, existing, got 'neu'" in message
    assert "got 'abc'" in message


def test_missing_column_names_what_was_found(tmp_path):
    path = write(tmp_path, "conv.csv", "user,timestamp,value\nu1,2026-06-01,3\n")
    problems = check_table(path, CONVERSIONS)
    assert len(problems) == 1
    assert problems[0].column == "user_id" and "user" in problems[0].got


def test_unparseable_timestamp_and_negative_value(tmp_path):
    path = write(tmp_path, "conv.csv", "user_id,timestamp,value,order_id\nu1,yesterday,-1,o1\nu2,2026/06/18 20:00,5,o2\n")
    problems = check_table(path, CONVERSIONS)
    assert [(p.column, p.rows) for p in problems] == [("timestamp", (2,)), ("value", (2,))]


def test_duplicate_order_ids(tmp_path):
    path = write(tmp_path, "conv.csv", "user_id,timestamp,value,order_id\nu1,2026-06-01,1,o1\nu2,2026-06-01,1,o1\n")
    (problem,) = check_table(path, CONVERSIONS)
    assert problem.rows == (2, 3) and "duplicate" in problem.expected


def test_not_utf8_says_how_to_fix(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(b"date,channel,spend\n2026-06-01,\xff\xfe,1\n")  # neither UTF-8 nor GB18030 (GBK is read)
    (problem,) = check_table(path, SPEND)
    assert "UTF-8" in problem.expected


def test_missing_file():
    (problem,) = check_table("/nonexistent/spend.csv", SPEND)
    assert "existing file" in problem.expected


def test_paths_reject_empty_steps():
    frame = pd.DataFrame({"path": ["a > > b", "a > b", "a >"], "conversions": [1, 1, 1]})
    problems = check_table(frame, PATHS)
    assert [p.rows for p in problems] == [(2, 4)]


def test_curves_family_rules():
    frame = pd.DataFrame({
        "channel": ["a", "b", "c"], "segment": ["new", "new", "new"], "family": ["power", "exp", "hill"],
        "a": [1.0, 1.0, 1.0], "b": [None, 0.0, 2.0], "s": [1.5, None, 2.0],
        "current_spend": [1.0, 1.0, 1.0], "cpc": [1.0, 1.0, 1.0], "new_customer_share": [0.1, 0.1, 0.1],
    })
    problems = check_table(frame, CURVES)
    assert {(p.column, p.rows) for p in problems} == {("s", (2,)), ("b", (3,))}


def test_channels_groups_accept_chinese_synonyms():
    frame = pd.DataFrame({"channel": ["xhs", "kol"], "group": ["内容", "kol"], "key_platform": ["否", "yes"]})
    table = read_table(frame, CHANNELS)
    assert list(table.group) == ["content", "KOL"]
    assert list(table.key_platform) == [False, True]


def test_message_lists_first_problems_and_counts_the_rest():
    frame = pd.DataFrame({"date": ["x"] * 3, "channel": ["c"] * 3, "spend": ["1"] * 3})
    problems = check_table(frame, SPEND)
    many = problems * (MAX_REPORTED + 5)
    text = format_problems(many)
    assert text.count("\n") == MAX_REPORTED
    assert f"({len(many)} in all)" in text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
                          st.sampled_from(["", "abc", "1e3", " 7 ", "-0"])), min_size=1, max_size=30))
def test_one_bad_cell_never_hides_another(values):
    """Each row's spend cell is judged on its own: the reported rows are exactly the bad ones."""
    frame = pd.DataFrame({"date": "2026-06-01", "channel": [f"c{i}" for i in range(len(values))],
                          "spend": [str(v) for v in values]})

    def bad(v):
        try:
            return float(str(v)) < 0 if str(v).strip() else True
        except ValueError:
            return True

    expected = {i + 2 for i, v in enumerate(values) if bad(v)}
    problems = check_table(frame, SPEND)
    counted = sum(p.n_rows for p in problems if p.column == "spend")
    assert counted == len(expected)
    shown = {r for p in problems for r in p.rows}
    assert shown <= expected
