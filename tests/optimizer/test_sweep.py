"""The budget sweep (:meth:`optimizer.Planner.sweep`): totals of the best plan at each budget.

Checked against a fresh full plan at every budget, against brute force over a grid of two-cell allocations
(GMV and its slope, the shadow price), against the held-out draws' quantiles computed by hand, and as
properties over random markets (more budget, more GMV; the shadow price falls).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimizer import Budget, Objective, Planner, RuleError, Scenario, default_scenario, plan
from optimizer.planner import OUTCOME_SPREAD_SCALE, SWEEP_COLUMNS
from optimizer.synthetic import random_market

MULTIPLES = np.array([0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0])


def _cells(a, b, current):
    return pd.DataFrame({"channel": [f"c{i}" for i in range(len(a))], "segment": "existing", "family": "exp",
                         "a": a, "b": b, "current_spend": current, "cpc": 1.0, "new_customer_share": 0.3})


def _with_budget(scenario: Scenario, budget: float) -> Scenario:
    return Scenario(scenario.objective, Budget(budget, scenario.budget.sense), scenario.rules)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_channels=st.integers(2, 8), n_products=st.integers(1, 3),
       objective=st.sampled_from(["gmv", "profit"]), s_shaped=st.booleans())
def test_each_sweep_point_is_a_fresh_full_plan_at_that_budget(seed, n_channels, n_products, objective, s_shaped):
    """Every row's totals are those of :func:`optimizer.plan` solved from scratch at the row's budget (to the
    solver's tolerance): the sweep's re-solves through the budget Parameter (or its rounding pass) lose nothing."""
    frame = random_market(n_channels, n_products, seed=seed, s_shaped=s_shaped)
    current = float(frame["current_spend"].sum())
    scenario = default_scenario(current, objective=objective)
    sweep = Planner(frame).sweep(scenario, current * MULTIPLES)
    assert list(sweep.columns) == list(SWEEP_COLUMNS)
    assert sweep["budget"].tolist() == pytest.approx((current * MULTIPLES).tolist(), rel=1e-12)
    for row in sweep.itertuples():
        full = plan(frame, _with_budget(scenario, row.budget))
        assert row.feasible == full.solved
        if not full.solved:
            continue
        assert row.gmv == pytest.approx(full.totals.gmv_cny, rel=1e-5)
        assert row.spend == pytest.approx(full.totals.spend_cny, rel=1e-5)
        assert row.roi == pytest.approx(full.totals.gmv_cny / full.totals.spend_cny, rel=1e-5)
    assert sweep[["gmv_p10", "gmv_p90"]].isna().all(axis=None), "no draws, no band"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_channels=st.integers(3, 8), n_products=st.integers(2, 3))
def test_for_gmv_more_budget_buys_more_gmv_at_a_falling_shadow_price(seed, n_channels, n_products):
    """Concave curves and share caps (homogeneous in spend, so feasible at every budget or at none): the best
    GMV rises with the budget and is concave in it, so the budget's shadow price (the sweep's marginal ROI) is
    positive and falls."""
    frame = random_market(n_channels, n_products, seed=seed)
    current = float(frame["current_spend"].sum())
    sweep = Planner(frame).sweep(default_scenario(current), current * MULTIPLES)
    assert sweep["feasible"].nunique() == 1, sweep
    assume(sweep["feasible"].all())  # (caps no mix of these channels meets)
    gmv, mroi = sweep["gmv"].to_numpy(), sweep["marginal_roi"].to_numpy()
    assert np.all(np.diff(gmv) > 0), sweep
    assert np.all(mroi > 0) and np.all(np.diff(mroi) <= 1e-6 * mroi[:-1]), sweep
    slopes = np.diff(gmv) / np.diff(sweep["spend"].to_numpy())  # each chord lies between its ends' tangents
    assert np.all(mroi[1:] <= slopes * (1 + 1e-4)) and np.all(slopes <= mroi[:-1] * (1 + 1e-4)), sweep


def test_two_cells_match_brute_force_over_a_grid():
    """Two exponential cells, the whole budget spent, no other rule: each point's GMV is the best of 20,001
    splits, and its marginal ROI the slope of that best GMV over the budget (central differences)."""
    cells = _cells([60_000.0, 40_000.0], [3_000.0, 2_000.0], [2_500.0, 2_500.0])
    a, b = cells["a"].to_numpy(), cells["b"].to_numpy()

    def best(budget: float) -> float:
        x = np.linspace(0.0, budget, 20_001)
        return float(np.max(a[0] * (1 - np.exp(-x / b[0])) + a[1] * (1 - np.exp(-(budget - x) / b[1]))))

    budgets = [1_000.0, 2_500.0, 5_000.0, 8_000.0]
    sweep = Planner(cells).sweep(Scenario(Objective("gmv"), Budget(5_000.0), ()), budgets)
    for row in sweep.itertuples():
        assert row.gmv == pytest.approx(best(row.budget), rel=1e-6)
        h = 1.0
        assert row.marginal_roi == pytest.approx((best(row.budget + h) - best(row.budget - h)) / (2 * h), rel=1e-3)


def test_the_band_is_the_held_out_draws_quantiles_of_each_points_plan():
    """With draws, gmv_p10 / gmv_p90 are the 10th / 90th percentiles of the plan's GMV over the odd draws
    (the even ones choose plans), their spread about the median widened by OUTCOME_SPREAD_SCALE as a plan's
    stated uplift is; profit's marginal ROI is the slope between points."""
    cells = _cells([60_000.0, 40_000.0, 30_000.0], [3_000.0, 2_000.0, 1_500.0], [2_000.0, 2_000.0, 1_000.0])
    rng = np.random.default_rng(5)
    rows = [(d, r.channel, r.segment, "exp", r.a * max(0.0, 1 + 0.3 * rng.standard_normal()), r.b, np.nan)
            for d in range(200) for r in cells.itertuples()]
    draws = pd.DataFrame(rows, columns=["draw", "channel", "segment", "family", "a", "b", "s"])
    odd = draws[draws["draw"] % 2 == 1]
    budgets = [2_500.0, 5_000.0, 7_500.0]
    for kind in ("gmv", "profit"):
        scenario = default_scenario(5_000.0, objective=kind, new_product_share=None, new_customer_share=None)
        sweep = Planner(cells, draws=draws).sweep(scenario, budgets)
        for row in sweep.itertuples():
            x = plan(cells, _with_budget(scenario, row.budget)).spend_cny
            per_draw = np.array([float((g["a"] * (1 - np.exp(-x / g["b"].to_numpy()))).sum())
                                 for _, g in odd.groupby("draw")])
            per_draw = np.median(per_draw) + OUTCOME_SPREAD_SCALE * (per_draw - np.median(per_draw))
            assert (row.gmv_p10, row.gmv_p90) == pytest.approx(tuple(np.quantile(per_draw, [0.1, 0.9])), rel=1e-5)
            assert row.gmv_p10 < row.gmv < row.gmv_p90
        if kind == "profit":
            assert sweep["marginal_roi"].tolist() == pytest.approx(
                np.gradient(sweep["gmv"].to_numpy(), sweep["spend"].to_numpy()).tolist(), rel=1e-12)


def test_a_sweep_needs_a_budget():
    cells = _cells([60_000.0, 40_000.0], [3_000.0, 2_000.0], [2_500.0, 2_500.0])
    with pytest.raises(RuleError, match="budget"):
        Planner(cells).sweep(Scenario(Objective("min_spend", 50_000.0), None, ()), [1_000.0])
