"""Scenarios check themselves: every malformed rule is refused with its name in the message."""

from __future__ import annotations


import pytest

from optimizer import (
    ALL, Bounds, Budget, Lock, Objective, Planner, RoiFloor, RuleError, Scenario, Select, ShareRule,
    default_scenario, new_product_cap,
)
from optimizer_cases import random_curves
from roimix.errors import ScenarioError
from worded_errors import raises_worded


@pytest.mark.parametrize("build,message", [
    (lambda: new_product_cap(1.5), "rule 'new-product cap': share must be ≤ 1, got 1.5"),
    (lambda: ShareRule("kol floor", -0.1, "floor"), "rule 'kol floor': share must be ≥ 0"),
    (lambda: ShareRule("x", 0.2, "ceiling"), "rule 'x': bound must be one of cap, floor, got 'ceiling'"),
    (lambda: Bounds("ztc", lower=3, upper=2, relative=True), "rule 'ztc': lower \\(3\\) is above upper \\(2\\)"),
    (lambda: Bounds("ztc"), "rule 'ztc': give a lower or an upper limit"),
    (lambda: Bounds("ztc", upper=float("nan")), "rule 'ztc': upper must be a finite number"),
    (lambda: Budget(-5), "rule 'budget': amount_cny_per_day must be ≥ 0"),
    (lambda: Budget(100, "about"), "rule 'budget': sense must be one of eq, le, got 'about'"),
    (lambda: Lock("all", ALL), "rule 'all': a lock needs a selection"),
    (lambda: RoiFloor("roi", 2.0, per="day"), "rule 'roi': per must be one of total, channel, got 'day'"),
    (lambda: Objective("revenue"), "rule 'objective': kind must be one of gmv, profit, min_spend"),
    (lambda: Objective("min_spend"), "rule 'GMV target': objective min_spend needs target_gmv_cny_per_day"),
    (lambda: Scenario(Objective("gmv")), "rule 'budget': objective gmv needs a budget"),
    (lambda: Scenario(Objective("profit"), None, (new_product_cap(), new_product_cap())),
     "rule 'new-product cap': two rules share this name"),
])
def test_malformed_rules_are_named(build, message):
    with raises_worded(RuleError, message):
        build()


def test_rule_errors_are_scenario_errors_with_exit_code_2():
    assert issubclass(RuleError, ScenarioError)
    assert RuleError("x").exit_code == 2


def test_selections_that_match_nothing_are_named():
    planner = Planner(random_curves(4, seed=1))
    scenario = default_scenario(10_000, rules=(Bounds("douyin cap", upper=2.0, relative=True,
                                                      select=Select(channels=("douyin",))),))
    with raises_worded(RuleError, "rule 'douyin cap': selects no cells \\(channel=douyin\\)"):
        planner.solve(scenario)
    with raises_worded(RuleError, "selection: no column 'week'"):
        planner.solve(default_scenario(10_000, rules=(Lock("w", Select(where=(("week", (1,)),))),)))


def test_structure_ignores_levels_but_not_selections():
    a = default_scenario(10_000, new_product_share=0.15)
    b = default_scenario(20_000, new_product_share=0.25)
    assert a.structure() == b.structure()
    c = default_scenario(10_000, rules=(Bounds("b", upper=2.0, relative=True, select=Select(channels=("ch0",))),))
    d = default_scenario(10_000, rules=(Bounds("b", upper=2.0, relative=True, select=Select(channels=("ch1",))),))
    assert c.structure() != d.structure()
