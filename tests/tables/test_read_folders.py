"""Input tables as a folder of part files or a glob pattern: read like one table, problems name the part."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from roimix.cli import main
from roimix.tables import CONVERSIONS, TOUCHPOINTS, TableError, check_table, load_table, read_table


def touches(users, times, channels=None) -> pd.DataFrame:
    frame = pd.DataFrame({"user_id": users, "timestamp": times})
    if channels is not None:
        frame["channel"] = channels
    return frame


@pytest.fixture
def tpdir(tmp_path: Path) -> Path:
    """A Spark-style folder: two Parquet parts, a marker file and a checksum that must be skipped."""
    folder = tmp_path / "tpdir"
    folder.mkdir()
    touches(["u1", "u2"], pd.to_datetime(["2026-06-01 10:00", "2026-06-02 11:00"]), ["ztc", "wxt"]).to_parquet(
        folder / "part-00000.parquet")
    touches(["u3"], pd.to_datetime(["2026-06-03 12:00"]), ["douyin"]).to_parquet(folder / "part-00001.parquet")
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-00000.parquet.crc").write_bytes(b"\x00crc")
    return folder


def test_folder_of_parquet_parts_reads_as_one_table_in_part_order(tpdir):
    table = read_table(tpdir, TOUCHPOINTS)
    assert list(table.user_id) == ["u1", "u2", "u3"]
    assert list(table.channel) == ["ztc", "wxt", "douyin"]
    assert list(table.interaction) == ["click"] * 3


def test_glob_pattern_reads_the_matching_parts(tpdir):
    table = read_table(f"{tpdir}/part-*.parquet", TOUCHPOINTS)
    assert list(table.user_id) == ["u1", "u2", "u3"]
    only_second = read_table(str(tpdir / "*-00001.parquet"), TOUCHPOINTS)
    assert list(only_second.user_id) == ["u3"]


def test_load_table_view_keeps_its_columns_for_a_folder(tpdir):
    import duckdb

    con = duckdb.connect()
    view = load_table(con, tpdir, TOUCHPOINTS, name="touchpoints")
    columns = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
    assert columns == ["__row", "user_id", "timestamp", "channel", "interaction"]
    assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] == 3


def test_problems_name_the_part_file_and_its_own_rows(tmp_path):
    folder = tmp_path / "tp"
    folder.mkdir()
    touches(["u1", "u2"], ["2026-06-01 10:00", "2026-06-02 11:00"], ["ztc", "wxt"]).to_parquet(folder / "a.parquet")
    touches(["u3", "u4"], ["2026-06-03 12:00", "yesterday"], ["douyin", None]).to_parquet(folder / "b.parquet")
    with pytest.raises(TableError) as caught:
        read_table(folder, TOUCHPOINTS, name="tp")
    found = {(p.file, p.column, p.rows) for p in caught.value.problems}
    assert found == {("tp/b.parquet", "timestamp", (3,)), ("tp/b.parquet", "channel", (3,))}
    assert "tp/b.parquet, row 3, column timestamp: expected a timestamp" in str(caught.value)


def test_part_without_a_required_column_is_named_and_the_others_still_checked(tmp_path):
    folder = tmp_path / "tp"
    folder.mkdir()
    touches(["u1"], ["2026-06-01 10:00"], ["ztc"]).to_parquet(folder / "a.parquet")
    touches(["u2"], ["2026-06-01 10:00"]).to_parquet(folder / "b.parquet")  # no channel
    touches(["u3"], ["never"], ["ztc"]).to_parquet(folder / "c.parquet")
    problems = check_table(folder, TOUCHPOINTS, name="tp")
    assert [(p.file, p.column, p.rows) for p in problems] == [
        ("tp/b.parquet", "channel", ()), ("tp/c.parquet", "timestamp", (2,))]
    assert problems[0].expected == "a column named 'channel'" and "timestamp" in problems[0].got


def test_folder_of_csv_parts_with_a_bad_row_in_one(tmp_path):
    folder = tmp_path / "conv"
    folder.mkdir()
    (folder / "2026-06-01.csv").write_text("user_id,timestamp,value,order_id\nu1,2026-06-01 10:00,5,o1\n")
    (folder / "2026-06-02.csv").write_text("user_id,timestamp,value,order_id\nu2,2026-06-02 10:00,-1,o2\n"
                                           "u3,2026-06-02 11:00,7,o1\n")
    problems = check_table(folder, CONVERSIONS, name="conv")
    described = [p.describe() for p in problems]
    assert "conv/2026-06-02.csv, row 2, column value: expected an amount in yuan ≥ 0, got '-1'" in described
    duplicates = {(p.file, p.rows) for p in problems if "duplicate" in p.expected}
    assert duplicates == {("conv/2026-06-01.csv", (2,)), ("conv/2026-06-02.csv", (3,))}  # o1, in each part
    assert read_table(folder / "2026-06-01.csv", CONVERSIONS).order_id.tolist() == ["o1"]


def test_empty_folder_and_unmatched_glob_name_the_path(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "_SUCCESS").write_text("")
    (problem,) = check_table(tmp_path / "empty", TOUCHPOINTS)
    assert problem.file == "empty" and "has none" in problem.expected
    (problem,) = check_table(str(tmp_path / "nothing" / "*.parquet"), TOUCHPOINTS, name="nothing/*.parquet")
    assert problem.file == "nothing/*.parquet" and "none found" in problem.expected


def test_mixed_parquet_and_csv_parts_are_refused(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    touches(["u1"], ["2026-06-01"], ["ztc"]).to_parquet(folder / "a.parquet")
    (folder / "b.csv").write_text("user_id,timestamp,channel\nu2,2026-06-01,ztc\n")
    (problem,) = check_table(f"{folder}/*", TOUCHPOINTS)
    assert "all Parquet or all CSV" in problem.expected


def test_remote_path_says_to_check_locally_or_skip():
    (problem,) = check_table("hdfs:///shop/touchpoints/", TOUCHPOINTS, name="hdfs:///shop/touchpoints/")
    assert "--no-validate" in problem.expected


def test_validate_cli_takes_a_folder_and_a_quoted_glob(tpdir, tmp_path, capsys):
    assert main(["validate", "-t", str(tpdir)]) == 0
    assert main(["validate", "-t", f"{tpdir}/*.parquet"]) == 0
    assert capsys.readouterr().out.split() == ["ok", "ok"]
    touches(["u9"], ["not a time"], ["ztc"]).to_parquet(tpdir / "part-00002.parquet")
    assert main(["validate", "-t", str(tpdir), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"{tpdir}/part-00002.parquet, row 2, column timestamp" in err
    assert "is a directory" not in err and "Traceback" not in err
