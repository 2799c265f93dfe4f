"""Each kind of rule does what it says at the optimum, checked from the plan itself."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import (
    Bounds, Budget, LinearRule, Objective, Planner, RoiFloor, Scenario, Select, ShareRule, default_scenario,
    new_customer_floor,
)
from optimizer_cases import random_curves, value


@pytest.fixture(scope="module")
def market():
    df = random_curves(10, 42, new_share=0.3)
    df["group"] = ["paid", "paid", "content", "content", "KOL", "KOL", "social", "paid", "content", "KOL"]
    df["channel"] = ["ztc", "ztc", "xhs", "xhs", "dy", "dy", "wx", "jd", "bili", "ks"]
    df["segment"] = ["existing", "new"] * 5
    return df


def solve(df, scenario):
    result = Planner(df).solve(scenario)
    assert result.status == "optimal", result.messages
    return result, result.plan["spend"].to_numpy()


def test_reserve_is_held_back(market):
    budget = float(market["current_spend"].sum())
    result, x = solve(market, Scenario(Objective("gmv"), Budget(budget, "eq", reserve_share=0.1)))
    assert x.sum() == pytest.approx(0.9 * budget, rel=1e-7)
    # what holding back a tenth costs: GMV is concave in the budget, so the loss lies between the budget's
    # price at the full budget and at nine tenths of it (each ¥ per ¥, from the duals of two other solves)
    full, _ = solve(market, Scenario(Objective("gmv"), Budget(budget, "eq")))
    lost = full.totals.gmv_cny - result.totals.gmv_cny
    at_nine_tenths, at_full = (float(r.rules.set_index("rule").loc["budget", "gain_per_unit"]) for r in (result, full))
    assert at_full * 0.1 * budget <= lost <= at_nine_tenths * 0.1 * budget
    assert at_nine_tenths > at_full * 1.01  # the bracket is not a point


def test_group_share_floor_and_channel_list_cap(market):
    budget = float(market["current_spend"].sum())
    content = ShareRule("content floor", 0.8, "floor", Select(groups=("content",)))
    kol = ShareRule("KOL + social cap", 0.10, "cap", Select(channels=("dy", "ks", "wx")))
    result, x = solve(market, default_scenario(budget, new_product_share=None, new_customer_share=None,
                                               rules=(content, kol)))
    groups = market["group"].to_numpy()
    assert x[groups == "content"].sum() >= 0.8 * x.sum() * (1 - 1e-6)
    assert x[np.isin(market["channel"], ["dy", "ks", "wx"])].sum() <= 0.10 * x.sum() * (1 + 1e-6)
    assert set(result.binding()["rule"]) >= {"content floor", "KOL + social cap"}


def test_new_customer_floor_on_traffic(market):
    budget = float(market["current_spend"].sum())
    result, x = solve(market, default_scenario(budget, new_product_share=None, new_customer_share=None,
                                               rules=(new_customer_floor(0.45),)))
    clicks = x / market["cpc"].to_numpy()
    assert (clicks * market["new_customer_share"]).sum() >= 0.45 * clicks.sum() * (1 - 1e-6)


def test_absolute_bounds_per_cell_and_per_channel_total(market):
    budget = float(market["current_spend"].sum())
    rules = (Bounds("each ≤ ¥9K", upper=9_000.0), Bounds("ztc ≥ ¥12K in total", lower=12_000.0, per="total",
                                                           select=Select(channels=("ztc",))))
    result, x = solve(market, default_scenario(budget, new_product_share=None, new_customer_share=None, rules=rules))
    assert np.all(x <= 9_000.0 * (1 + 1e-7))
    assert x[market["channel"] == "ztc"].sum() >= 12_000.0 * (1 - 1e-7)


def test_roi_floor_per_channel(market):
    budget = 1.5 * float(market["current_spend"].sum())
    free, xf = solve(market, Scenario(Objective("gmv"), Budget(budget, "le")))
    ch = market["channel"].to_numpy()
    roi = {c: value(market[ch == c], xf[ch == c]).sum() / xf[ch == c].sum() for c in np.unique(ch)}
    floor = float(np.median(list(roi.values())))  # binding for about half of the channels
    result, x = solve(market, Scenario(Objective("gmv"), Budget(budget, "le"),
                                       (RoiFloor("ROI ≥ median", floor, per="channel"),)))
    for c in np.unique(ch):
        sel = ch == c
        if x[sel].sum() > 1.0:
            assert value(market[sel], x[sel]).sum() >= floor * x[sel].sum() * (1 - 1e-6)
    assert result.evidence.objective_cny <= free.evidence.objective_cny * (1 + 1e-9)
    assert bool(result.rules.set_index("rule").loc["ROI ≥ median", "binding"])


def test_extra_linear_rows(market):
    """The hook for daily plans: C @ spend ≤ level · rhs, here 'ztc and jd together ≤ ¥10K'."""
    budget = float(market["current_spend"].sum())
    C = np.isin(market["channel"], ["ztc", "jd"]).astype(float)[None, :]
    rule = LinearRule("ztc+jd cap", C, [10_000.0], "le", key="ztc+jd")
    result, x = solve(market, default_scenario(budget, new_product_share=None, new_customer_share=None, rules=(rule,)))
    assert (C @ x)[0] <= 10_000.0 * (1 + 1e-7)
    again = Planner(market)
    again.solve(default_scenario(budget, new_product_share=None, new_customer_share=None, rules=(rule,)))
    looser = again.solve(default_scenario(budget, new_product_share=None, new_customer_share=None,
                                          rules=(LinearRule("ztc+jd cap", C, [10_000.0], "le", level=1.5, key="ztc+jd"),)))
    assert looser.timings.resolve_s is not None  # a new level of the same rows re-solves
    assert (C @ looser.plan["spend"].to_numpy())[0] <= 15_000.0 * (1 + 1e-7)


def test_compiled_problem_is_dpp(market):
    planner = Planner(market)
    planner.solve(default_scenario(float(market["current_spend"].sum()), rules=(Bounds("b", upper=2.0, relative=True),)))
    program = next(iter(planner._plans.values()))[0]
    assert program.problem.is_dcp(dpp=True)
    assert {p.name() for p in program.problem.parameters()} == {
        "level[budget]", "level[new-product cap]", "level[new-customer cap]", "level[b:upper]"}
