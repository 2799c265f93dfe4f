"""S-shaped curves: the plan's true value is reported with the envelope's bound, the bound really bounds the
best true plan (found by brute force), and rounding pulls the plan off the envelope's straight part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Planner, Scenario, Objective, default_scenario
from optimizer_cases import random_curves, value


def s_market(s=2.5):
    return pd.DataFrame({
        "channel": ["ztc", "douyin_kol", "bilibili"], "segment": "existing", "family": ["exp", "hill", "hill"],
        "a": [60_000.0, 90_000.0, 50_000.0], "b": [20_000.0, 25_000.0, 12_000.0], "s": [np.nan, s, 1.8],
        "current_spend": [15_000.0, 8_000.0, 5_000.0], "cpc": 1.0, "new_customer_share": 0.3})


def brute_force(df, budget, points=801):
    g = np.linspace(0, budget, points)
    x1, x2 = np.meshgrid(g, g, indexing="ij")
    x3 = budget - x1 - x2
    ok = x3 >= -1e-9
    total = np.full(x1.shape, -np.inf)
    xs = np.stack([x1[ok], x2[ok], np.maximum(x3[ok], 0)])
    total[ok] = sum(_v(df.iloc[i], xs[i]) for i in range(3))
    return total.max(), g[1] - g[0]


def _v(row, x):
    if row["family"] == "exp":
        return row["a"] * (1 - np.exp(-x / row["b"]))
    return row["a"] * x ** row["s"] / (x ** row["s"] + row["b"] ** row["s"])


@pytest.mark.parametrize("budget", [10_000.0, 25_000.0, 40_000.0, 80_000.0])
def test_true_value_within_the_bound_and_the_bound_holds(budget):
    df = s_market()
    result = Planner(df).solve(default_scenario(budget, new_product_share=None, new_customer_share=None))
    assert result.solved and result.evidence.envelope
    x = result.plan["spend"].to_numpy()
    true = float(value(df, x).sum())
    assert result.evidence.objective_cny == pytest.approx(true, rel=1e-9)  # the true value, not the envelope's
    assert true <= result.evidence.bound_cny  # within its reported bound
    assert x.sum() == pytest.approx(budget, rel=1e-7)
    best, step = brute_force(df, budget)
    slack = step * 15  # marginal ROI is below 15 everywhere: what the grid can miss
    assert result.evidence.bound_cny >= best - 1e-6 * best  # the bound bounds every plan, the best one included
    assert true >= best - slack  # and the plan is as good as brute force (to the grid)


def test_rounding_leaves_no_cell_on_the_straight_part_when_it_can():
    """Six identical S-curves: the envelope is indifferent among splits of the straight part and an
    interior-point solver splits evenly, which is the worst true plan; rounding fixes it."""
    df = pd.DataFrame({"channel": [f"kol{i}" for i in range(6)], "segment": "existing", "family": "hill",
                       "a": 40_000.0, "b": 10_000.0, "s": 3.0, "current_spend": 4_000.0, "cpc": 1.0,
                       "new_customer_share": 0.3})
    budget = 30_000.0  # the threshold x* = 10,000 · 2^(1/3) ≈ 12,599: two cells can pass it, not six
    scenario = default_scenario(budget, new_product_share=None, new_customer_share=None)
    rounded = Planner(df).solve(scenario)
    raw = Planner(df, polish=False).solve(scenario)
    threshold = 10_000 * 2 ** (1 / 3)
    x = rounded.plan["spend"].to_numpy()
    inside = (x > 1.0) & (x < threshold * (1 - 1e-4))
    assert inside.sum() <= 1  # at most one cell left below its threshold
    assert rounded.evidence.objective_cny > raw.evidence.objective_cny * 1.5
    assert rounded.evidence.objective_cny <= rounded.evidence.bound_cny
    assert raw.evidence.bound_cny == pytest.approx(rounded.evidence.bound_cny, rel=1e-6)  # same relaxation
    assert rounded.evidence.relative_gap < 0.1


def test_min_spend_with_s_curves_reaches_the_target_in_truth():
    df = s_market()
    target = 90_000.0
    result = Planner(df).solve(Scenario(Objective("min_spend", target)))
    assert result.solved
    x = result.plan["spend"].to_numpy()
    assert value(df, x).sum() >= target * (1 - 1e-6)
    assert result.evidence.bound_cny <= x.sum()  # a lower bound on the spend any plan needs


def test_random_s_markets_never_report_more_than_their_bound():
    for seed in range(6):
        df = random_curves(9, seed, families=("exp", "hill", "mm"), s_shaped=True)
        result = Planner(df).solve(default_scenario(float(df["current_spend"].sum())))
        if not result.solved:
            continue
        true = float(value(df, result.plan["spend"].to_numpy()).sum())
        assert true == pytest.approx(result.evidence.objective_cny, rel=1e-9)
        assert true <= result.evidence.bound_cny
