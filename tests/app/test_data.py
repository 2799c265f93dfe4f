"""Reading uploads directly: CSV, Parquet and Excel against the table contracts; problems name file, row and column."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from roimix.app import data
from roimix.app.errors import problems_frame
from roimix.tables import TableError

GOOD = "date,channel,segment,spend,clicks,new_customer_clicks\n2026-06-01,ztc,existing,100,40,10\n2026-06-02,ztc,new,50,20,5\n"


def test_csv_with_bom_and_semicolons_is_read():
    frame = data.read_upload("spend", "花费.csv", ("\ufeff" + GOOD.replace(",", ";")).encode("utf-8"))
    assert list(frame["spend"]) == [100.0, 50.0]


def test_parquet_and_excel_uploads_are_read():
    source = pd.read_csv(io.StringIO(GOOD))
    buffer = io.BytesIO()
    source.to_parquet(buffer)
    assert len(data.read_upload("spend", "spend.parquet", buffer.getvalue())) == 2
    book = io.BytesIO()
    source.to_excel(book, index=False)
    frame = data.read_upload("spend", "spend.xlsx", book.getvalue())
    assert list(frame["segment"]) == ["existing", "new"] and frame["date"].iloc[0] == pd.Timestamp("2026-06-01")


def test_problems_name_the_file_the_spreadsheet_row_and_the_column():
    bad = GOOD + "2026-06-03,wxt,neu,-1,5,9\n"
    with pytest.raises(TableError) as err:
        data.read_upload("spend", "my spend.csv", bad.encode())
    table = problems_frame(err.value.problems, "en")
    assert set(table["File"]) == {"my spend.csv"}
    by_column = dict(zip(table["Column"], table["Rows"]))
    assert by_column["segment"] == "4" and by_column["spend"] == "4" and by_column["new_customer_clicks"] == "4"
    zh = problems_frame(err.value.problems, "zh")
    assert "以下之一：new, existing" in set(zh["应为"]) and "不超过点击数" in set(zh["应为"])


@pytest.mark.parametrize("name, payload, expected", [
    ("spend.txt.exe", b"x", "a .csv, .parquet or .xlsx file"),
    ("spend.csv", b"", "a file with a header row and data (the file is empty)"),
    ("spend.xlsx", b"not a workbook", "a readable Excel workbook"),
    ("spend.csv", b"when,where\n1,2\n", "a column named 'date'"),
])
def test_unreadable_files_are_problems_too(name, payload, expected):
    with pytest.raises(TableError) as err:
        data.read_upload("spend", name, payload)
    assert any(p.expected.startswith(expected) for p in err.value.problems), err.value.problems


def test_only_the_projects_named_errors_reach_the_reader(monkeypatch):
    """One root: what the project raises for a reader is a RoimixError (input errors are also ValueErrors), and
    only those are shown as they are; a library's ValueError (pandas' words) is one line naming what failed."""
    from roimix.app import errors
    from roimix.errors import InputError, RoimixError

    shown = []
    monkeypatch.setattr(errors.st, "error", shown.append)
    monkeypatch.setattr(errors, "show_problems", lambda problems, lang: shown.append(("problems", len(problems))))
    with pytest.raises(ValueError) as pandas_error:
        pd.concat([])
    assert not isinstance(pandas_error.value, RoimixError)
    errors.report(pandas_error.value, "zh", "读取")
    assert "读取" in shown[-1] and "ValueError" in shown[-1]
    assert "concatenate" not in shown[-1]  # pandas' own words never reach a marketer
    with pytest.raises(TableError) as ours:
        data.read_upload("spend", "x.csv", b"")
    assert isinstance(ours.value, InputError) and isinstance(ours.value, ValueError)
    errors.report(ours.value, "zh", "读取")
    assert shown[-1] == ("problems", 1)
    from attribution.models import TimeDecay

    with pytest.raises(InputError) as setting:
        TimeDecay(half_life_days=0)
    errors.report(setting.value, "zh", "归因")
    assert "时间衰减（time_decay）的半衰期须大于 0 天，现为 0" in shown[-1]  # its key, worded in the page's language


