"""AppTest helpers: a fresh app on the sample data, page switching, and checks that no error leaked."""

from __future__ import annotations

from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = ("data", "attribution", "curves", "optimise", "campaign", "scenarios")
TIMEOUT = 240  # the first run in a worker computes attribution and fits curves on a busy machine


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def goto(at, page: str):
    """Open ``page`` (its url path) and run it."""
    if not at._tree or not len(at.main):  # switch_page needs one run to know the registered pages
        at.run()
    return at.switch_page(f"roimix/app/pages/{page}.py").run()


def texts(at) -> list[str]:
    """Every message, caption, markdown and metric text on the page (for language checks)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    return out


def assert_clean(at) -> None:
    """No exception element and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at, label_zh: str, label_en: str | None = None) -> str:
    for m in at.metric:
        if m.label in (label_zh, label_en):
            return m.value
    raise AssertionError(f"no metric {label_zh!r} among {[m.label for m in at.metric]}")


def frame_with(at, column: str):
    """The first table on the page that has ``column``."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")
