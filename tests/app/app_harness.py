"""AppTest helpers: a fresh app on the sample data, page switching, and checks that no error leaked."""

from __future__ import annotations

from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "roimix" / "app" / "entry" / "script.py"
PAGES = ("data", "attribution", "curves", "optimise", "campaign", "scenarios", "pacing")
TIMEOUT = 240  # the first run in a worker computes attribution and fits curves on a busy machine


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def goto(at, page: str):
    """Open ``page`` (its url path) and run it."""
    if not at._tree or not len(at.main):  # switch_page needs one run to know the registered pages
        at.run()
    return at.switch_page(f"../pages/{page}.py").run()  # relative to the page script's folder


def on_the_estimate(at):
    """Plan on the curves' estimate (the what-if's 平均, ``risk = mean``) from the next run on. For tests of what
    a plan does with phases, budgets or pages, not of its risk: a robust campaign plan solves two CVaR programs of
    5–10 s each, an estimate plan two of under a second (the robust default has its own tests,
    test_campaign_risk_page.py and tests/campaign/test_campaign_risk.py)."""
    at.session_state["whatif.risk"] = "mean"
    return at


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


# --- one money language ------------------------------------------------------------------------------------

QUALIFIERS_ZH = ("平台", "增量", "边际", "归因", "保本")
QUALIFIERS_EN = ("platform", "incremental", "marginal", "attributed", "break-even")


def bare_money_words(text: str) -> list[str]:
    """The places in ``text`` where a return-on-spend word stands without saying which one it is.

    The rule: (1) the word ``ROI`` never appears (it meant GMV ÷ spend on some pages and (GMV − spend) ÷ spend
    on others); (2) every ``投产比`` (GMV ÷ spend) directly follows one of 平台 / 增量 / 边际 / 归因 / 保本;
    (3) every ``ROAS`` directly follows one of platform / incremental / marginal / attributed / break-even
    (any case, one space). Each hit is returned with up to 12 characters either side.
    """
    import re

    hits = []
    for m in re.finditer(r"\bROI\b", text):
        hits.append(text[max(0, m.start() - 12):m.end() + 12])
    for m in re.finditer("投产比", text):
        if not any(text[:m.start()].endswith(q) for q in QUALIFIERS_ZH):
            hits.append(text[max(0, m.start() - 12):m.end() + 12])
    for m in re.finditer(r"\bROAS\b", text, flags=re.I):
        before = text[:m.start()].lower()
        if not any(before.endswith(q + " ") for q in QUALIFIERS_EN):
            hits.append(text[max(0, m.start() - 12):m.end() + 12])
    return hits


def page_strings(at) -> list[str]:
    """Every string a reader sees on the page: messages, metrics, widget labels and options, table headers and
    cells, and the charts' titles, axis titles, legends, labels and hover texts."""
    import json

    out = texts(at)
    for kind in ("slider", "select_slider", "number_input", "segmented_control", "selectbox", "multiselect",
                 "text_input", "checkbox", "toggle", "radio", "button", "expander"):
        for w in at.get(kind):
            out.append(str(getattr(w, "label", "") or ""))
            out += [str(o) for o in (getattr(w, "options", None) or [])]
            out.append(str(getattr(w, "help", "") or ""))
    for d in at.dataframe:
        frame = d.value
        out += [str(c) for c in frame.columns]
        out += [str(v) for v in frame.astype(str).to_numpy().ravel()]
    for chart in at.get("plotly_chart"):
        out.append(json.dumps(json.loads(chart.proto.spec), ensure_ascii=False))
    return out
