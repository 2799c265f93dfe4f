"""The 大促 page's 平均 ↔ 稳健 control: the same what-if setting as the 优化 page, weighed over the fit's curve draws."""

from __future__ import annotations

import pytest

from app_harness import assert_clean, frame_with, goto, metric

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _robust_note(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("稳健：每天的方案按")]


def test_the_campaign_page_plans_robustly_by_default_and_on_the_estimate_when_switched(app):
    at = goto(app, "campaign")
    assert_clean(at)
    control = at.segmented_control(key="w.whatif.risk.campaign")
    assert control.value == "cvar"
    note = _robust_note(at)
    assert len(note) == 1 and "40 个曲线抽样中最差 10%" in note[0], note
    ranged = [c.value for c in at.caption if c.value.startswith("比每天平均花多赚的区间（未用于选方案的曲线抽样）")]
    assert len(ranged) == 1 and "P10" in ranged[0]
    robust = (metric(at, "活动增量 GMV"), frame_with(at, "阶段花费").to_numpy().tolist())
    control.set_value("mean").run()
    assert_clean(at)
    assert not _robust_note(at)
    average = (metric(at, "活动增量 GMV"), frame_with(at, "阶段花费").to_numpy().tolist())
    assert average != robust, "平均 plans on the estimate: another plan"
    goto(at, "optimise")
    assert at.segmented_control(key="w.whatif.risk").value == "mean", "one setting for both pages"
    at.segmented_control(key="w.whatif.risk").set_value("cvar").run()
    goto(at, "campaign")
    assert at.segmented_control(key="w.whatif.risk.campaign").value == "cvar", "set on 优化, shown here"
    assert_clean(at)
    assert (metric(at, "活动增量 GMV"), frame_with(at, "阶段花费").to_numpy().tolist()) == robust


def test_curves_without_draws_say_so_and_plan_on_the_estimate(demo_app):
    at = goto(demo_app, "campaign")
    assert_clean(at)
    assert not [w for w in at.segmented_control if str(w.key).startswith("w.whatif.risk")]
    assert any(c.value.startswith("这些曲线没有抽样") for c in at.caption)
    assert not _robust_note(at)
