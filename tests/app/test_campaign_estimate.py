"""The campaign page's "estimate from history": the past campaign in the fitted history sets the phases' multipliers.

On the sample (Feb–Jun 2026, with 618) the button estimates 618's multipliers from the 2026 occurrence, as
``estimate_multipliers`` does on the pipeline fit's decomposition, and writes them into the phases table of the
planned 618; Double 11 is not in the history and demo curves have none: both are messages, not tracebacks.
"""

from __future__ import annotations

import pytest

from app_harness import assert_clean, frame_with, goto, on_the_estimate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ESTIMATE = "campaign.estimate"


@pytest.fixture(scope="module")
def expected_618():
    """estimate_multipliers on the sample's 618 of 2026, from the pipeline run the app's fitted curves come from."""
    from optimizer.campaign import estimate_multipliers, template
    from roimix.app import data, engine
    from roimix.pipeline import run_pipeline

    tables = data.sample_tables()
    channels = data.channel_table("expected", tables.get("channels"), tables["spend"], tables["touchpoints"])
    fit = run_pipeline(tables["touchpoints"], tables["conversions"], tables["spend"],
                       channels=channels[engine.CHANNEL_COLUMNS], lift_tests=tables.get("lift_tests")).fit
    return estimate_multipliers(fit.decomposition, template("618", 2026)).set_index("phase")


def _multipliers(at, name: str) -> dict[str, float]:
    phases = at.session_state["campaign.phases"][name]
    return dict(zip(phases["phase"], phases["multiplier"].astype(float)))


def test_the_618_multipliers_come_from_the_history_and_are_kept_across_pages_and_languages(app, expected_618):
    at = goto(on_the_estimate(app), "campaign")
    assert_clean(at)
    template_values = _multipliers(at, "618")
    at.button(key=ESTIMATE).click().run()
    assert_clean(at)

    assert (expected_618["method"] == "regression").all()
    got = _multipliers(at, "618")
    for phase, row in expected_618.iterrows():
        assert got[phase] == pytest.approx(row["multiplier"], rel=1e-9, abs=1e-12), phase
    assert got["peak"] != pytest.approx(template_values["peak"]), "the data moved the peak's multiplier"
    # the planned year is later than the history's 618 and its dates stay the template's
    phases = at.session_state["campaign.phases"]["618"]
    assert phases["start"].min().year > 2026

    shown = frame_with(at, "给定系数")
    assert list(shown["给定系数"]) == [f"{g:.2f}×" for g in expected_618["given"]]
    assert list(shown["采用系数"]) == [f"{m:.2f}×" for m in expected_618["multiplier"]]
    assert list(shown["天数"]) == list(expected_618["days"])
    peak = expected_618.loc["peak"]
    assert f"{peak['estimate']:.2f}× ± {peak['estimate_std_error']:.2f}" in list(shown["数据估计 ± 标准误"])
    assert any("2026" in c.value for c in at.caption), "the caption names the year estimated from"
    # the daily plan uses them
    assert f"{got['peak']:.2f}×" in list(frame_with(at, "阶段花费")["响应系数"])

    # pressing again gives the same multipliers (the given ones are the template's, not the last estimate)
    at.button(key=ESTIMATE).click().run()
    assert _multipliers(at, "618") == pytest.approx(got)

    goto(at, "optimise")
    goto(at, "data")
    at.sidebar.segmented_control(key="w.lang").set_value("en").run()
    goto(at, "campaign")
    assert_clean(at)
    assert _multipliers(at, "618") == pytest.approx(got)
    english = frame_with(at, "Given ×")
    assert list(english["Multiplier used"]) == [f"{m:.2f}×" for m in expected_618["multiplier"]]
    assert f"{got['peak']:.2f}×" in list(frame_with(at, "Phase spend")["Response ×"])

    # a later hand edit wins and stays
    at.session_state["w.campaign.phases.618"] = {"edited_rows": {2: {"multiplier": 2.0}}, "added_rows": [],
                                                 "deleted_rows": []}
    at.run()
    goto(at, "curves")
    goto(at, "campaign")
    assert _multipliers(at, "618")["peak"] == 2.0
    assert _multipliers(at, "618")["return"] == pytest.approx(got["return"])


def test_double11_is_not_in_the_history_and_says_so(app):
    at = goto(on_the_estimate(app), "campaign")
    at.segmented_control(key="w.campaign.name.zh").set_value("double11").run()
    assert_clean(at)
    before = _multipliers(at, "double11")
    at.button(key=ESTIMATE).click().run()
    assert_clean(at)
    assert _multipliers(at, "double11") == before
    warnings = [w.value for w in at.warning]
    assert any("没有" in w and "双11" in w and "2026-02-01" in w for w in warnings), warnings
    goto(at, "data")
    at.sidebar.segmented_control(key="w.lang").set_value("en").run()
    goto(at, "campaign")
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert any("holds no complete Double 11" in w for w in warnings), warnings


def test_demo_curves_have_no_history_and_say_so(demo_app):
    at = goto(demo_app, "campaign")
    before = _multipliers(at, "618")
    at.button(key=ESTIMATE).click().run()
    assert_clean(at)
    assert _multipliers(at, "618") == before
    warnings = [w.value for w in at.warning]
    assert any("由数据拟合的曲线" in w for w in warnings), warnings


def test_how_a_multiplier_was_found_is_worded_from_its_code_not_its_english():
    """Each ``kept_because`` code of ``estimate_multipliers`` is worded in the reader's language; the page never
    reads the English ``method`` text (that would be translating English back)."""
    from types import SimpleNamespace

    from optimizer.campaign.multipliers import MIN_ROWS
    from roimix.app.pages.campaign import _kept_reason
    from roimix.text import t

    for lang in ("zh", "en"):
        def row(because, rows=9):
            return SimpleNamespace(kept_because=because, rows=rows, method="ignored English")

        assert _kept_reason(row(""), lang) == t("app.camp.est.estimated", lang)
        assert _kept_reason(row("few_rows", 2), lang) == t("app.camp.est.kept.few", lang, n=2, need=MIN_ROWS)
        assert _kept_reason(row("no_incremental"), lang) == t("app.camp.est.kept.no_incremental", lang)
        assert _kept_reason(row("collinear"), lang) == t("app.camp.est.kept.collinear", lang)
