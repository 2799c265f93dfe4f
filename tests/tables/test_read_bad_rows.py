"""Malformed CSV rows, missing columns and decimal commas are reported with every other problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from roimix.tables import CONVERSIONS, SPEND, TOUCHPOINTS, TableError, check_table, read_table
from roimix.tables import read as reader


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def touch_lines(n: int) -> list[str]:
    return ["user_id,timestamp,channel"] + [f"u{i},2026-06-01 10:00:00,ztc" for i in range(n)]


def test_extra_field_near_the_top_is_a_row_problem_not_a_header_one(tmp_path):
    lines = touch_lines(10)
    lines[2] += ",oops"  # row 3
    problems = check_table(write(tmp_path, "tp.csv", lines), TOUCHPOINTS)
    assert [p.describe() for p in problems] == [
        "tp.csv, row 3: expected 3 fields separated by ',' as in the header (user_id, timestamp, channel), got 4"]


def test_malformed_rows_deep_in_the_file_come_with_every_other_problem(tmp_path):
    lines = touch_lines(30_000)
    lines[25001] += ",oops"                            # row 25002: too many fields
    lines[26000] = "u26000,2026-06-01 10:00:00"        # row 26001: too few
    lines[26500] = "u26500,2026-06-01 10:00:00,a,b,c"  # row 26501: 5 fields
    lines[27000] = "u27000,not a time,ztc"             # row 27001: a bad cell after the bad rows
    lines[28000] = "u28000,2026-06-01 10:00:00,"       # row 28001: empty channel
    problems = check_table(write(tmp_path, "tp.csv", lines), TOUCHPOINTS)
    described = [p.describe() for p in problems]
    header = "separated by ',' as in the header (user_id, timestamp, channel)"
    assert described == [
        f"tp.csv, row 25002: expected 3 fields {header}, got 4",
        f"tp.csv, row 26001: expected 3 fields {header}, got 2",
        f"tp.csv, row 26501: expected 3 fields {header}, got 5",
        "tp.csv, row 27001, column timestamp: expected a timestamp like 2026-06-18 20:00:00, got 'not a time'",
        "tp.csv, row 28001, column channel: expected a value (the cell is empty)",
    ]


def test_rows_keep_their_numbers_around_rejected_and_multiline_rows(tmp_path):
    lines = [
        "user_id,timestamp,value,order_id",
        "u1,2026-06-01,1,o1",          # 2
        "u2,2026-06-01,1,o2,x",        # 3 rejected
        "u3,2026-06-01,1",             # 4 rejected: order_id is optional, but the header has it
        'u4,"2026-06-01",1,"o\n4"',    # 5, one record over two lines
        "u5,2026-06-01,-1,o5",         # 6 negative value
        "u6,2026-06-01,1,o1",          # 7 duplicate of row 2
    ]
    problems = check_table(write(tmp_path, "cv.csv", lines), CONVERSIONS)
    found = [(p.column, p.rows) for p in problems]
    assert found == [("order_id", (2, 7)), ("", (3,)), ("", (4,)), ("value", (6,))]


def test_too_many_malformed_rows_stop_counting_and_skip_the_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "_REJECTS_LIMIT", 10)
    lines = ["user_id,timestamp,channel"] + [f"u{i},2026-06-01,ztc,extra" for i in range(50)] + ["u,never,ztc"]
    problems = check_table(write(tmp_path, "tp.csv", lines), TOUCHPOINTS)
    assert any("counting stopped at 10" in p.expected for p in problems)
    assert not any(p.column == "timestamp" for p in problems)


def test_unclosed_quote_is_named(tmp_path):
    problems = check_table(write(tmp_path, "tp.csv", ["user_id,timestamp,channel", 'u1,2026-06-01,"ztc',
                                                      "u2,2026-06-01,ztc"]), TOUCHPOINTS)
    assert len(problems) == 1 and problems[0].rows == (2,) and "quote" in problems[0].expected


def test_missing_column_does_not_hide_bad_cells(tmp_path):
    path = write(tmp_path, "tp.csv", ["user_id,timestamp,campaign", "u1,2026-06-01 10:00,618", "u2,soon,618"])
    problems = check_table(path, TOUCHPOINTS)
    assert [(p.column, p.rows) for p in problems] == [("channel", ()), ("timestamp", (3,))]
    assert problems[0].expected == "a column named 'channel'"


def test_missing_column_in_a_dataframe_too():
    import pandas as pd

    frame = pd.DataFrame({"user_id": ["u1"], "value": ["-2"]})
    problems = check_table(frame, CONVERSIONS)
    assert {(p.column, p.rows) for p in problems} == {("timestamp", ()), ("value", (2,))}


def test_semicolon_files_accept_a_decimal_comma(tmp_path):
    path = write(tmp_path, "spend.csv", ["date;channel;spend;clicks", "2026-06-01;ztc;1,5;3", "2026-06-02;ztc;20;4"])
    table = read_table(path, SPEND)
    assert list(table.spend) == [1.5, 20.0]


def test_semicolon_files_refuse_two_decimal_marks_with_a_clear_message(tmp_path):
    path = write(tmp_path, "spend.csv", ["date;channel;spend", "2026-06-01;ztc;1.234,5", "2026-06-02;ztc;-1,5"])
    problems = check_table(path, SPEND)
    assert [p.describe() for p in problems] == [
        "spend.csv, row 2, column spend: expected a number with ',' or '.' as the decimal mark and no thousands "
        "separator, got '1.234,5'",
        "spend.csv, row 3, column spend: expected an amount in yuan ≥ 0, got '-1,5'",
    ]


def test_comma_files_say_which_decimal_mark_they_expect(tmp_path):
    path = write(tmp_path, "spend.csv", ["date,channel,spend", '2026-06-01,ztc,"1,5"'])
    (problem,) = check_table(path, SPEND)
    assert problem.expected == "a number with '.' as the decimal mark and no thousands separator"
    assert problem.got == ("1,5",)


@pytest.mark.parametrize("text", ["", "\ufeff", "\n"])
def test_empty_file(tmp_path, text):
    path = tmp_path / "spend.csv"
    path.write_text(text, encoding="utf-8")
    (problem,) = check_table(path, SPEND)
    assert problem.expected == "a file with a header row and data (the file is empty)"


def test_tab_separated_and_gzipped(tmp_path):
    import gzip

    path = tmp_path / "spend.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("date\tchannel\tspend\n2026-06-01\tztc\t3\n")
    assert read_table(path, SPEND).spend.tolist() == [3.0]


def test_not_utf8_rows_name_the_row_and_column(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(b"date,channel,spend\n2026-06-01,ztc,1\n2026-06-02,\xff\xfe,1\n")  # neither UTF-8 nor GB18030
    with pytest.raises(TableError) as caught:
        read_table(path, SPEND)
    (problem,) = caught.value.problems
    assert (problem.rows, problem.column) == ((3,), "channel") and "UTF-8" in problem.expected
