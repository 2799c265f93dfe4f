"""The next ¥X (issue 18, item 5): the plan's scenario with its budget moved, re-solved on the compiled problem.

Checked against what the optimizer does not compute here: the envelope theorem (the GMV of the next yuan lies
between the budget's shadow prices before and after, GMV being concave in the budget), a round trip (+X then
−X gives the plan back), the totals of two independent solves, and draws that collapse to the estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import Budget, Objective, Planner, RuleError, Scenario
from optimizer.increment import next_money
from optimizer.scenario import Risk
from optimizer_cases import random_curves, value
from worded_errors import raises_worded


@pytest.fixture(scope="module")
def market():
    df = random_curves(6, 3, families=("exp", "mm", "log"))
    df["channel"] = ["ztc", "ztc", "xhs", "xhs", "dy", "wx"]
    df["segment"] = ["existing", "new", "existing", "new", "existing", "existing"]
    return df


def _budget_price(result) -> float:
    return float(result.rules.set_index("rule").loc["budget", "gain_per_unit"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(-0.4, 0.6).filter(lambda v: abs(v) > 0.01))
def test_the_next_money_is_priced_between_the_shadow_prices_and_comes_back(market, share):
    planner = Planner(market)
    budget = float(market["current_spend"].sum())
    base = planner.solve(Scenario(Objective("gmv"), Budget(budget), ()))
    x = share * budget
    inc = next_money(planner, base, x)
    assert inc.solved and inc.plan.timings.resolve_s is not None  # the compiled problem, re-solved
    after = inc.plan.plan["spend"].to_numpy()
    assert inc.spent_cny == pytest.approx(x, rel=1e-6)
    assert inc.cells["delta_spend"].sum() == pytest.approx(x, rel=1e-6)
    truth = value(market, after).sum() - value(market, base.plan["spend"].to_numpy()).sum()
    assert inc.gmv_cny == pytest.approx(truth, rel=1e-6, abs=1e-6)
    low, high = sorted((_budget_price(base), _budget_price(inc.plan)))
    assert low * (1 - 1e-4) <= inc.gmv_cny / x <= high * (1 + 1e-4)  # concavity: between the two prices
    back = next_money(planner, inc.plan, -x)
    assert np.allclose(back.plan.plan["spend"], base.plan["spend"], rtol=1e-4, atol=1e-3 * budget / len(market))


def test_bands_come_from_the_draws_and_collapse_when_the_draws_are_the_estimate(market):
    budget = float(market["current_spend"].sum())
    same = pd.concat([market.assign(draw=d)[["draw", "channel", "segment", "family", "a", "b", "s"]]
                      for d in range(120)], ignore_index=True)
    planner = Planner(market, draws=same)
    base = planner.solve(Scenario(Objective("gmv", risk=Risk("cvar", 0.9)), Budget(budget), ()))
    inc = next_money(planner, base, 0.2 * budget)
    assert inc.gmv_p10_cny == pytest.approx(inc.gmv_cny, rel=1e-9) and inc.gmv_p90_cny == pytest.approx(inc.gmv_cny, rel=1e-9)
    assert np.allclose(inc.cells["delta_gmv_p10"], inc.cells["delta_gmv"]) and \
        np.allclose(inc.cells["delta_gmv_p90"], inc.cells["delta_gmv"])
    rng = np.random.default_rng(5)
    spread = same.assign(a=same["a"] * rng.lognormal(0.0, 0.4, len(same)))
    planner = Planner(market, draws=spread)
    base = planner.solve(Scenario(Objective("gmv", risk=Risk("cvar", 0.9)), Budget(budget), ()))
    inc = next_money(planner, base, 0.2 * budget)
    assert inc.gmv_p10_cny < inc.gmv_p50_cny < inc.gmv_p90_cny
    moved = inc.cells["delta_spend"].abs() > 1.0
    assert (inc.cells.loc[moved, "delta_gmv_p10"] < inc.cells.loc[moved, "delta_gmv_p90"]).all()


def test_no_budget_or_below_zero_is_named(market):
    planner = Planner(market)
    target = planner.solve(Scenario(Objective("min_spend", target_gmv_cny_per_day=1000.0), None, ()))
    with raises_worded(RuleError, "no budget"):
        next_money(planner, target, 100.0)
    base = planner.solve(Scenario(Objective("gmv"), Budget(1000.0), ()))
    with raises_worded(RuleError, "below 0"):
        next_money(planner, base, -2000.0)
