"""The optimise page says what it does and why: a headline, a reason per channel, a per-channel 投产比, the
assumptions profit rests on (margin, return rate, break-even), a warning when a key platform is stopped, a
flat budget sweep told in a sentence, and 当前/计划 labels that never overlap.

The pure functions run on the sample's true curves (a known, fixed market: numbers the checks below re-derive
by re-solving); the page itself runs on the pipeline's fitted curves (the product's path)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from app_harness import assert_clean, goto, metric
from roimix.app import engine, exports, figures
from roimix.app.pages import optimise
from roimix.text import money

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def truth(sample_dir) -> pd.DataFrame:
    return pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days"])


@pytest.fixture(scope="module")
def names(sample_dir) -> dict[str, str]:
    channels = pd.read_csv(sample_dir / "channels.csv")
    return dict(zip(channels["channel"], channels["label_zh"]))


def _whatif(table: pd.DataFrame, **kw) -> engine.WhatIf:
    bounds = tuple((c, 0.0, 3.0, False) for c in dict.fromkeys(table["channel"]))
    return engine.WhatIf(budget=float(table["current_spend"].sum()), bounds=bounds, **kw)


def _solve(table: pd.DataFrame, **kw):
    w = _whatif(table, **kw)
    return engine.solve(engine.SharedPlanner(table), w), w


def test_the_headline_says_what_moves_the_uplift_and_the_tightest_rule_at_its_worth(truth, names):
    result, w = _solve(truth)
    plan = engine.channel_plan(result)
    text = optimise.headline(result, plan, names, "zh")
    change = plan.set_index("channel")["change"]
    moved = min(-change[change < 0].sum(), change[change > 0].sum())
    assert f"每天把 {money(moved, 'zh', 2)} 从" in text, text
    biggest_cut = names[change.idxmin()]
    biggest_add = names[change.idxmax()]
    assert text.index(biggest_cut) < text.index("移到") < text.index(biggest_add), text
    assert money(result.totals.gmv_uplift_cny, "zh", 2) in text
    # the tightest rule: loosening it one step, re-solved, gains what the headline says (concave: at most that)
    rule = optimise.tightest_rule(result)
    assert rule is not None and rule["rule"] == "new-customer cap" and "新客流量上限" in text
    gain = float(rule["gain_per_step"])
    assert money(gain, "zh", 2) in text
    looser, _ = _solve(truth, new_customer_cap=w.new_customer_cap + float(rule["step"]))
    actual = looser.totals.gmv_cny - result.totals.gmv_cny
    assert 0.8 * gain <= actual <= gain * 1.001 + 0.01, (actual, gain)


def test_each_channel_has_a_reason_and_a_planned_roas(truth, names):
    result, w = _solve(truth)
    plan = engine.channel_plan(result)
    why = optimise.reasons(result, plan, names, "zh")
    table = optimise.plan_table(plan, names, "zh", why)
    assert list(table.columns[-4:]) == ["计划增量投产比", "边际投产比", "增量投产比 − 保本投产比（保本值）", "原因"]
    by = dict(zip(plan["channel"], why))
    # 微信社群 sits at its 3× maximum: its reason names that rule, checked against the numbers
    wechat = plan.set_index("channel").loc["wechat_group"]
    assert wechat["planned_spend"] == pytest.approx(3 * wechat["current_spend"], rel=1e-4)
    assert "受“微信社群上下限”限制" in by["wechat_group"]
    free = [c for c in plan["channel"] if c != "wechat_group"]
    assert not any("上下限" in by[c] for c in free), by
    # before → after marginal 投产比 are the cells' own, spend-weighted
    cells = result.plan[result.plan["channel"] == "ztc"]
    before = np.average(cells["current_marginal_roi"], weights=cells["current_spend"])
    assert by["ztc"].startswith("减投" if plan.set_index("channel").loc["ztc", "change"] < 0 else "加投")
    assert f"{before:.2f} →" in by["ztc"]
    roas = table.set_index("渠道")["计划增量投产比"]
    for r in plan.itertuples(index=False):
        assert roas[names[r.channel]] == f"{r.planned_value / r.planned_spend:.2f}"


def test_a_plan_that_stops_a_key_platform_says_so(truth, sample_dir):
    keys = set(pd.read_csv(sample_dir / "channels.csv").query("key_platform")["channel"])
    result, _ = _solve(truth, objective="profit")  # the sample's curves carry margins 0.3–0.6
    stopped = optimise.zeroed_key_platforms(result)
    by = result.plan.groupby("channel")[["current_spend", "spend"]].sum()
    expected = [c for c in by.index if c in keys and by.loc[c, "spend"] < 0.01 * by.loc[c, "current_spend"]]
    assert stopped and sorted(stopped) == sorted(expected)
    rich = truth.assign(margin=0.9)
    result, _ = _solve(rich, objective="profit")
    assert optimise.zeroed_key_platforms(result) == []


def test_break_even_and_the_assumptions_sheet_carry_margin_and_return_rate():
    assert optimise.break_even_roas(0.8 * (1 - 0.5)) == pytest.approx(2.5)
    w = engine.WhatIf(budget=1000.0, objective="profit", margin=0.8, return_rate=0.5)
    rows = {item: value for item, value, _ in exports.assumptions(w, "fitted", "zh")}
    assert rows["毛利率（占 GMV）"] == "80.0%" and rows["退货率（占 GMV）"] == "50.0%"
    assert rows["保本投产比 = 1 ÷ (毛利率 × (1 − 退货率))"] == "2.50"


def test_margin_is_what_the_profit_plan_uses(truth):
    curves = engine.CurveSet("demo", truth.assign(status="demo", warning=""), pd.DataFrame(), token="t")
    assert engine.with_margin(curves, float(truth["margin"].iloc[0])) is not curves or truth["margin"].nunique() == 1
    thin = engine.with_margin(curves, 0.3)
    rich = engine.with_margin(curves, 0.9)
    assert (thin.table["margin"] == 0.3).all() and thin.token != rich.token
    w = _whatif(truth, objective="profit")
    spend = [engine.solve(engine.planner_for(c), w).totals.spend_cny for c in (thin, rich)]
    assert spend[0] < spend[1], "a richer margin makes more spend pay"
    # profit optimum: every funded cell's marginal 投产比 × margin is 1 where no rule binds it (KKT, by the numbers)
    loose = _whatif(truth, objective="profit", new_product_cap=None, new_customer_cap=None)
    loose = engine.WhatIf(**{**loose.__dict__, "budget": 10 * loose.budget})  # a cap that cannot bind
    result = engine.solve(engine.planner_for(rich), loose)
    assert result.totals.spend_cny < 0.9 * loose.budget
    p = result.plan
    by_channel = p.groupby("channel")
    at_cap = by_channel["spend"].transform("sum") > 2.99 * by_channel["current_spend"].transform("sum")
    inner = p[(p["spend"] > 1) & ~at_cap]
    assert len(inner) and np.allclose(inner["marginal_roi"] * 0.9, 1.0, atol=0.02), inner["marginal_roi"].tolist()


def test_a_flat_sweep_is_a_sentence_and_a_moving_one_a_chart(truth):
    planner = engine.SharedPlanner(truth)
    budgets = engine.sweep_budgets(float(truth["current_spend"].sum()))
    profit = engine.sweep(planner, _whatif(truth, objective="profit").without_budget(), budgets)
    assert optimise.sweep_is_flat(profit), profit
    gmv = engine.sweep(planner, _whatif(truth).without_budget(), budgets)
    assert not optimise.sweep_is_flat(gmv), gmv


def test_current_and_planned_labels_never_share_a_place(truth):
    ok = pd.DataFrame({"budget": [100.0, 200.0, 300.0]})
    apart = figures.sweep_marks(150.0, 250.0, ok, "zh")
    assert [m[1] for m in apart] == ["当前", "计划"] and apart[0][3] != apart[1][3]
    same = figures.sweep_marks(200.0, 200.5, ok, "zh")
    assert [m[1] for m in same] == ["当前 = 计划"]
    fig = figures.budget_sweep(pd.DataFrame({"budget": [100.0, 200.0, 300.0], "gmv": [1.0, 2.0, 2.5],
                                             "spend": [100.0, 200.0, 300.0], "roi": [1.0, 1.0, 0.8],
                                             "marginal_roi": [1.0, 0.5, 0.2], "feasible": True}),
                               "zh", current_budget=150.0, chosen_budget=250.0)
    notes = [(a.text, a.y, a.yanchor) for a in fig.layout.annotations if a.text in ("当前", "计划")]
    assert sorted(notes) == [("当前", 0.02, "bottom"), ("计划", 0.98, "top")]


def test_the_page_takes_margin_and_return_rate_at_once(app):
    at = goto(app, "optimise")
    at.segmented_control(key="w.whatif.objective.zh").set_value("profit").run()
    assert_clean(at)
    low = metric(at, "计划花费/天")
    assert any("保本投产比 = 1 ÷ (毛利率 45% × (1 − 退货率 0%)) = 2.22" in c.value for c in at.caption)
    at.number_input(key="w.whatif.margin_pct").set_value(90.0).run()
    assert_clean(at)
    high = metric(at, "计划花费/天")
    assert _yuan(high) > _yuan(low), (low, high)
    at.number_input(key="w.whatif.return_pct").set_value(50.0).run()
    assert any("= 2.22：" in c.value for c in at.caption), [c.value for c in at.caption]
    assert at.info and at.info[0].value.startswith("每天") and "增量 GMV 每天" in at.info[0].value


def _yuan(text: str) -> float:
    m = re.search(r"([\d,]+(?:\.\d+)?)\s*(万|亿)?", text.replace("¥", ""))
    return float(m.group(1).replace(",", "")) * {"万": 1e4, "亿": 1e8, None: 1}[m.group(2)]


def test_with_curve_draws_the_headline_states_the_uplifts_range(truth, names):
    """Fitted curves come with draws: the headline gives the P10–P90 of the uplift they imply beside the estimate,
    in both languages, and the range is the plan's own outcome (not recomputed on the page)."""
    rng = np.random.default_rng(3)
    draws = pd.concat([truth[["channel", "segment", "family", "a", "b", "s"]].assign(
        draw=d, a=truth["a"] * rng.lognormal(0.0, 0.3, len(truth))) for d in range(120)], ignore_index=True)
    w = _whatif(truth)
    result = engine.solve(engine.SharedPlanner(truth, draws), w)
    o = result.outcome
    assert o is not None and o.uplift_p10_cny < o.uplift_p90_cny
    plan = engine.channel_plan(result)
    zh = optimise.headline(result, plan, names, "zh")
    en = optimise.headline(result, plan, names, "en")
    for text, lang in ((zh, "zh"), (en, "en")):
        low, high = (optimise.signed_money(v, lang) for v in (o.uplift_p10_cny, o.uplift_p90_cny))
        assert low in text and high in text and text.index(low) < text.index(high), text
    assert "八成可能在" in zh and "80% likely between" in en
    no_draws, _ = _solve(truth)
    assert "八成" not in optimise.headline(no_draws, engine.channel_plan(no_draws), names, "zh")


def test_the_sweep_says_it_plans_on_the_estimate_when_the_plan_above_is_robust(app):
    """With fitted curves (draws) the headline plan is 稳健 (CVaR) while each sweep point is planned on the
    estimate: the page says so under the sweep; with 平均 chosen the two agree and nothing is said."""
    note = "按曲线的估计值（平均）求得"
    at = goto(app, "optimise")
    assert_clean(at)
    assert at.segmented_control(key="w.whatif.risk").value == "cvar"
    assert any(note in c.value for c in at.caption)
    at.segmented_control(key="w.whatif.risk").set_value("mean").run()
    assert_clean(at)
    assert not any(note in c.value for c in at.caption)
