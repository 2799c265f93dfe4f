"""An infeasible scenario is explained: exactly the rules in conflict, and the smallest relaxation of each,
which is checked both ways (it makes a plan possible; a little less does not)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Bounds, Budget, Lock, Objective, Planner, Scenario, Select, ShareRule, default_scenario
from roimix.report.plan import summary_lines


def market():
    return pd.DataFrame({
        "channel": ["ztc", "ztc", "qianchuan", "xiaohongshu", "wechat"],
        "segment": ["existing", "new", "existing", "new", "existing"],
        "family": ["exp", "mm", "log", "hill", "mm"],
        "a": [90_000.0, 30_000.0, 25_000.0, 40_000.0, 20_000.0], "b": [25_000.0, 9_000.0, 8_000.0, 12_000.0, 5_000.0],
        "s": [np.nan, np.nan, np.nan, 0.8, np.nan],
        "current_spend": [12_000.0, 3_000.0, 6_000.0, 4_000.0, 5_000.0], "cpc": [2.0, 2.5, 1.1, 0.9, 0.4],
        "new_customer_share": [0.2, 0.6, 0.45, 0.6, 0.1]})


def feasible(planner, scenario) -> bool:
    return planner.solve(scenario).solved


def test_minimum_spend_above_the_budget_names_both_rules_and_exact_relaxations():
    df = market()
    current = df["current_spend"].sum()  # 30,000
    scenario = default_scenario(20_000, new_product_share=None, new_customer_share=None,
                                rules=(Bounds("floor", lower=0.8, relative=True),))
    planner = Planner(df)
    result = planner.solve(scenario)
    assert result.status == "infeasible"
    relax = {c.rule: c for c in result.conflicts}
    assert set(relax) == {"budget", "floor"}  # exactly the two rules in conflict, nothing else
    assert all(c.alone and c.verified for c in result.conflicts)
    # analytically: the floors need 0.8 × 30,000 = 24,000; a 20,000 budget allows floors of 2/3
    assert relax["budget"].relaxed_level == pytest.approx(0.8 * current, rel=1e-5)
    assert relax["floor"].relaxed_level == pytest.approx(20_000 / current, rel=1e-5)
    # smallest: a little less relaxation is still infeasible
    assert not feasible(planner, scenario.with_rule(Budget(0.8 * current * 0.999)))
    assert feasible(planner, scenario.with_rule(Budget(0.8 * current * 1.001)))
    assert not feasible(planner, scenario.with_rule(Bounds("floor", lower=20_000 / current * 1.001, relative=True)))
    text = "\n".join(summary_lines(result, "en"))
    assert "Rules in conflict: budget, floor" in text or "Rules in conflict: floor, budget" in text
    assert "raise budget from ¥20.0K to ¥24.0K a day" in text
    assert "lower the minimum of floor from 0.80× to 0.67× current spend" in text


def test_new_product_floor_against_the_cap_names_exactly_those_two():
    df = market()
    floor = ShareRule("new-product floor", 0.4, "floor", Select(segments=("new",)))
    scenario = default_scenario(30_000, new_product_share=0.15, new_customer_share=0.5,
                                rules=(floor, Bounds("cells", upper=5.0, relative=True)))
    planner = Planner(df)
    result = planner.solve(scenario)
    assert result.status == "infeasible"
    relax = {c.rule: c for c in result.conflicts}
    assert set(relax) == {"new-product cap", "new-product floor"}
    assert relax["new-product cap"].relaxed_level == pytest.approx(0.4, abs=1e-5)
    assert relax["new-product floor"].relaxed_level == pytest.approx(0.15, abs=1e-5)
    zh = "\n".join(summary_lines(result, "zh"))
    assert "新品花费上限" in zh and "40.0%" in zh


def test_locks_over_the_budget_and_an_unreachable_target():
    df = market()
    planner = Planner(df)
    lock = Lock("ztc locked", Select(channels=("ztc",)))  # 15,000 of spend
    result = planner.solve(default_scenario(12_000, new_product_share=None, new_customer_share=None, rules=(lock,)))
    relax = {c.rule: c for c in result.conflicts}
    assert set(relax) == {"budget", "ztc locked"}
    assert relax["budget"].relaxed_level == pytest.approx(15_000, rel=1e-5)
    assert relax["ztc locked"].relaxed_level == pytest.approx(0.8, rel=1e-5)

    saturation = df["a"][df["family"] != "log"].sum()  # log is unbounded, but the budget caps it
    target = Scenario(Objective("min_spend", 0.9 * saturation), Budget(40_000, "le"), ())
    result = planner.solve(target)
    assert result.status == "infeasible"
    assert {c.rule for c in result.conflicts} == {"budget", "GMV target"}
    reach = {c.rule: c.relaxed_level for c in result.conflicts}
    assert feasible(planner, Scenario(Objective("min_spend", 0.9 * saturation), Budget(reach["budget"] * 1.001, "le")))
    assert feasible(planner, Scenario(Objective("min_spend", reach["GMV target"] * 0.999), Budget(40_000, "le")))
    assert not feasible(planner, Scenario(Objective("min_spend", reach["GMV target"] * 1.001), Budget(40_000, "le")))


def test_infeasible_is_never_bare():
    df = market()
    result = Planner(df).solve(default_scenario(1_000, new_product_share=None, new_customer_share=None,
                                                rules=(Bounds("floor", lower=1.0, relative=True),)))
    lines = summary_lines(result, "en")
    assert result.status == "infeasible"
    assert len(lines) >= 3 and all(line.strip() for line in lines)
    assert lines[1].startswith("No plan satisfies every rule. Rules in conflict:")
