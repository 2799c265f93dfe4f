"""The Data page speaks the reader's language down to Streamlit's uploader, counts rows as whole numbers and shows
a rejected file's problems full width."""

from __future__ import annotations

import pytest

from app_harness import assert_clean, goto
from roimix.app.pages.data import row_count

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NINE = "date,channel,segment,spend\n" + "".join(f"2026-06-0{d},ztc,existing,{100 + d}\n" for d in range(1, 10))


def test_row_counts_are_whole():
    assert row_count(9, "zh") == "9" and row_count(1234, "en") == "1,234" and row_count(123_456, "zh") == "12.3万"


def test_the_uploader_says_its_words_in_chinese_and_counts_rows_whole(app):
    at = goto(app, "data")
    css = [h.proto.body for h in at.get("html")]
    assert any("选择文件" in c and "每个文件不超过 200 MB" in c for c in css), css
    at.file_uploader(key="upload.spend").set_value(("九行.csv", NINE.encode(), "text/csv")).run()
    assert_clean(at)
    assert any("九行.csv（9 行）" in s.value for s in at.success), [s.value for s in at.success]
    at.sidebar.segmented_control(key="w.lang").set_value("en").run()
    assert not [h for h in at.get("html") if "选择文件" in h.proto.body], "English keeps Streamlit's own words"
    assert any("(9 rows)" in s.value for s in at.success)


def test_a_rejected_files_problems_are_outside_the_upload_columns(app):
    at = goto(app, "data")
    at.file_uploader(key="upload.spend").set_value(("bad.csv", NINE.replace("109", "-1").encode(), "text/csv")).run()
    table = next(d for d in at.dataframe if "实际值" in d.value.columns)
    assert list(table.value.columns) == ["文件", "行", "列", "应为", "实际值"] and table.value.iloc[0]["实际值"] == "-1"
    columns = [c for c in at.main.get("column")]
    assert len(columns) >= 6 and any(c.get("error") for c in columns), "the upload columns, one saying it failed"
    inside = [d for c in columns for d in c.get("dataframe") if "实际值" in d.value.columns]
    assert not inside, "the problems table is full width, not in a third-of-the-page column"


def test_no_page_module_has_a_bare_string_streamlit_would_draw():
    """Streamlit's "magic" writes every bare expression of a page script onto the page: a constant's docstring
    after the module's own docstring would show up as text above the title."""
    import ast
    from pathlib import Path

    pages = Path(__file__).resolve().parents[2] / "roimix" / "app" / "pages"
    found = []
    for path in sorted(pages.glob("*.py")):
        for node in ast.parse(path.read_text()).body[1:]:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                found.append(f"{path.name}:{node.lineno}")
    assert not found, found
