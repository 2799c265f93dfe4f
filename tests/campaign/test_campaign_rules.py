"""The daily plan keeps every rule: budget and reserve, pacing, day-to-day change, weekend/peak focus,
per-phase caps; one convex problem whose levels re-solve, with explanations over the horizon."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from optimizer import Budget, Bounds, Select
from optimizer.campaign import CHANGE, KEY_MINIMUM, OFF_DAYS, CampaignScenario, DailyRules
from roimix.report.campaign import campaign_messages, render_message

TOL = 1e-5  # yuan, relative to amounts of thousands


@pytest.fixture(scope="module")
def strict(planner_618, strict_setup):
    result = planner_618.solve(strict_setup)
    assert result.solved
    return result


def wide(result, column="spend") -> pd.DataFrame:
    """days × (channel, segment)"""
    return result.daily.pivot_table(index="date", columns=["channel", "segment"], values=column)


def test_budget_is_spent_but_the_reserve(strict, budget_618):
    assert strict.spend_cny == pytest.approx(0.95 * budget_618, rel=1e-7)
    assert strict.reserve_cny == pytest.approx(0.05 * budget_618, rel=1e-6)
    assert strict.result.evidence.relative_gap < 1e-6


def test_key_platforms_keep_their_daily_minimum_every_day(strict, truth_curves):
    spend = wide(strict)
    for row in truth_curves[truth_curves["key_platform"]].itertuples():
        assert spend[(row.channel, row.segment)].min() >= 0.6 * row.current_spend - TOL
    # the rule is not idle: somewhere a key platform sits exactly on it
    key = [(r.channel, r.segment, r.current_spend) for r in truth_curves[truth_curves["key_platform"]].itertuples()]
    assert min(float((spend[(c, s)] - 0.6 * cur).min()) for c, s, cur in key) < 1e-3


def test_key_platforms_change_by_at_most_the_limit_from_day_to_day(strict, truth_curves):
    spend = wide(strict)
    steps = spend.diff().abs().iloc[1:]
    for row in truth_curves.itertuples():
        step = float(steps[(row.channel, row.segment)].max())
        if row.key_platform:
            assert step <= 0.25 * row.current_spend + TOL
    non_key = [(r.channel, r.segment, r.current_spend) for r in truth_curves[~truth_curves["key_platform"]].itertuples()]
    assert any(float(steps[(c, s)].max()) > 0.25 * cur + 1 for c, s, cur in non_key)  # others may jump


def test_non_key_platforms_concentrate_on_weekends_and_peak_days(strict, truth_curves):
    d = strict.daily
    non_key = d["channel"].isin(truth_curves.loc[~truth_curves["key_platform"], "channel"])
    off = ~d["weekend"] & (d["phase"] != "peak")
    share = d.loc[non_key & off, "spend"].sum() / d.loc[non_key, "spend"].sum()
    assert share <= 0.35 + 1e-7
    days_share = off.groupby(d["date"]).first().mean()
    assert days_share > 0.6  # off days are most days, so the rule moves spend


def test_caps_hold_over_the_horizon_and_within_each_phase(strict, truth_curves):
    d = strict.daily.merge(truth_curves[["channel", "segment", "cpc", "new_customer_share"]], on=["channel", "segment"])
    d["traffic"] = d["spend"] / d["cpc"]
    d["new_traffic"] = d["traffic"] * d["new_customer_share"]
    for _, part in [("all", d), *d.groupby("phase")]:
        new_product = part.loc[part["segment"] == "new", "spend"].sum() / part["spend"].sum()
        assert new_product <= 0.15 + 1e-7
        assert part["new_traffic"].sum() / part["traffic"].sum() <= 0.30 + 1e-7


def test_the_per_phase_caps_cost_something_and_say_so(strict):
    rules = strict.result.rules
    per_phase = rules[rules["rule"].str.contains(r"\[", regex=True)]
    assert set(per_phase["rule"]) >= {"new-product cap [peak]", "new-customer cap [preheat]"}
    lines = [render_message(m, "en") for m in campaign_messages(strict.result.messages)]
    assert any("over the campaign" in line for line in lines)
    assert not any("a day" in line and "budget" in line for line in lines)


def test_a_level_change_re_solves_the_same_compiled_problem(planner_618, strict_setup, strict):
    looser = replace(strict_setup, daily=replace(strict_setup.daily, max_daily_change=0.5,
                                                 non_key_offday_share=0.5))
    again = planner_618.solve(looser)
    assert again.result.timings.resolve_s is not None  # no rebuild
    assert again.gmv_cny >= strict.gmv_cny - 1e-6  # looser rules never lose GMV
    limits = again.result.rules.set_index("rule")["level"]
    assert limits[CHANGE] == pytest.approx(50.0) and limits[OFF_DAYS] == pytest.approx(0.5)


def test_flat_plan_spends_the_same_every_day(planner_618, strict_setup, strict):
    flat = planner_618.solve(strict_setup, flat=True)
    spread = wide(flat).max() - wide(flat).min()
    assert float(spread.max()) < 1e-3
    assert flat.spend_cny == pytest.approx(strict.spend_cny, rel=1e-7)
    assert flat.gmv_cny < strict.gmv_cny


def test_conflicting_rules_are_named_with_the_relaxation_that_fixes_them(planner_618, budget_618):
    setup = CampaignScenario(Budget(0.3 * budget_618), daily=DailyRules(key_daily_min=1.0),
                             rules=(Bounds("kol floor", lower=1.0, relative=True, select=Select(channels="douyin_kol")),))
    result = planner_618.solve(setup)
    assert result.status == "infeasible" and result.daily.empty
    lines = " ".join(render_message(m, "en") for m in campaign_messages(result.result.messages))
    assert "Rules in conflict" in lines and "lower the minimum of key-platform daily minimum from 1.00×" in lines
    assert " a day" not in lines  # money over the horizon
    fix = next(c for c in result.result.conflicts if c.rule == KEY_MINIMUM)
    assert fix.verified and fix.relaxed_level < 1.0
    relaxed = replace(setup, daily=DailyRules(key_daily_min=fix.relaxed_level))
    assert planner_618.solve(relaxed).solved


def test_new_product_spend_can_be_capped_per_phase_even_when_the_horizon_cap_is_loose(planner_618, budget_618):
    base = CampaignScenario(Budget(budget_618), new_product_cap=0.5, daily=DailyRules(key_daily_min=None))
    free = planner_618.solve(base)
    capped = planner_618.solve(replace(base, new_product_cap=0.2, daily=replace(base.daily, per_phase=True)))
    d = capped.daily
    share = d[d["segment"] == "new"].groupby("phase")["spend"].sum() / d.groupby("phase")["spend"].sum()
    assert share.max() <= 0.2 + 1e-7
    free_share = free.daily[free.daily["segment"] == "new"]["spend"].sum() / free.spend_cny
    assert free_share > 0.2  # the cap does bind
    assert np.isfinite(capped.gmv_cny) and capped.gmv_cny < free.gmv_cny
