"""Chinese-first intake: GB18030/GBK CSV files (Chinese Excel's default, 生意参谋 / 万相台 / 千川 exports) are read."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from roimix.tables import SPEND, TableError, read_table

ROWS = [("2026-06-01", "直通车", "existing", "1234.5"), ("2026-06-02", "万相台·货品加速", "new", "88"),
        ("2026-06-03", "引力魔方", "existing", "0.5")]


def _csv(header: str) -> str:
    return header + "\r\n" + "".join(",".join(r) + "\r\n" for r in ROWS)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_file_with_a_chinese_header_row_is_read(tmp_path, encoding):
    path = tmp_path / "花费.csv"
    # a 中文 header (备注, an extra column the contract ignores) and Chinese channel names, CRLF as Excel writes
    text = "date,channel,segment,spend,备注\r\n" + "".join(",".join(r) + ",手工录入\r\n" for r in ROWS)
    raw = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really not UTF-8
    path.write_bytes(raw)
    frame = read_table(path, SPEND)
    assert list(frame["channel"]) == [r[1] for r in ROWS]
    assert list(frame["spend"]) == [1234.5, 88.0, 0.5]


def test_gb18030_problems_keep_the_file_name_and_row_numbers(tmp_path):
    path = tmp_path / "万相台导出.csv"
    path.write_bytes((_csv("date,channel,segment,spend") + "2026-06-04,直通车,new,负三\r\n").encode("gb18030"))
    with pytest.raises(TableError) as caught:
        read_table(path, SPEND)
    found = {(p.file, p.column, p.rows) for p in caught.value.problems}
    assert found == {("万相台导出.csv", "spend", (5,))}
    got = {g for p in caught.value.problems for g in p.got}
    assert "负三" in got, got  # the bad value is shown decoded, not as mojibake


def test_gzipped_gb18030_is_read(tmp_path):
    path = tmp_path / "spend.csv.gz"
    path.write_bytes(gzip.compress(_csv("date,channel,segment,spend").encode("gb18030")))
    assert list(read_table(path, SPEND)["channel"]) == [r[1] for r in ROWS]


def test_utf8_stays_utf8_even_when_gb18030_could_decode_it(tmp_path):
    # these names in UTF-8 are also valid GB18030 byte strings (of other characters): UTF-8 must win
    names = ["抖音", "天猫", "京东快车", "超级推荐"]
    raw = ("date,channel,segment,spend\r\n" + "".join(f"2026-06-0{i + 1},{n},new,1\r\n" for i, n in enumerate(names))
           ).encode("utf-8")
    assert raw.decode("gb18030") != raw.decode("utf-8")
    path = tmp_path / "spend.csv"
    path.write_bytes(raw)
    assert list(read_table(path, SPEND)["channel"]) == names


def test_neither_utf8_nor_gb18030_is_a_problem_naming_the_row(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(_csv("date,channel,segment,spend").encode("utf-8") + b"2026-06-05,\xff\xfe,new,1\r\n")
    with pytest.raises(TableError) as caught:
        read_table(path, SPEND)
    (problem,) = caught.value.problems
    assert problem.rows == (5,) and problem.column == "channel" and "GB18030" in problem.expected


def test_the_app_upload_reads_gb18030_too():
    from roimix.app import data

    frame = data.read_upload("spend", "生意参谋.csv", _csv("date,channel,segment,spend").encode("gb18030"))
    assert isinstance(frame, pd.DataFrame) and list(frame["channel"]) == [r[1] for r in ROWS]
