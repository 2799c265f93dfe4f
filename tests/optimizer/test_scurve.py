"""S-shaped curves: the plan's true value is reported with the envelope's bound, the bound really bounds the
best true plan (found by brute force), and rounding pulls the plan off the envelope's straight part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Planner, Scenario, Objective, default_scenario
from optimizer_cases import new_customer_traffic_share, random_curves, share_of_spend, value


def s_market(s=2.5):
    return pd.DataFrame({
        "channel": ["ztc", "douyin_kol", "bilibili"], "segment": "existing", "family": ["exp", "hill", "hill"],
        "a": [60_000.0, 90_000.0, 50_000.0], "b": [20_000.0, 25_000.0, 12_000.0], "s": [np.nan, s, 1.8],
        "current_spend": [15_000.0, 8_000.0, 5_000.0], "cpc": 1.0, "new_customer_share": 0.3})


def brute_force(df, budget, points=801, curve=None):
    """The best total of ``curve`` (default: the true curves) over a grid of splits of the budget."""
    curve = curve or _v
    g = np.linspace(0, budget, points)
    x1, x2 = np.meshgrid(g, g, indexing="ij")
    x3 = budget - x1 - x2
    ok = x3 >= -1e-9
    total = np.full(x1.shape, -np.inf)
    xs = np.stack([x1[ok], x2[ok], np.maximum(x3[ok], 0)])
    total[ok] = sum(curve(df.iloc[i], xs[i]) for i in range(3))
    return total.max(), g[1] - g[0]


def _v(row, x):
    if row["family"] == "exp":
        return row["a"] * (1 - np.exp(-x / row["b"]))
    return row["a"] * x ** row["s"] / (x ** row["s"] + row["b"] ** row["s"])


def threshold(row) -> float:
    """Where the tangent from the origin touches a Hill curve: f'(x)·x = f(x) ⇔ x = b·(s − 1)^(1/s)."""
    return row["b"] * (row["s"] - 1) ** (1 / row["s"])


def _envelope(row, x):
    """The concave envelope, written from its definition: the tangent from the origin up to x*, the curve after."""
    if row["family"] != "hill" or row["s"] <= 1:
        return _v(row, x)
    t = threshold(row)
    return np.where(x < t, x * _v(row, t) / t, _v(row, np.maximum(x, t)))


@pytest.mark.parametrize("budget", [10_000.0, 25_000.0, 40_000.0, 80_000.0])
def test_true_value_within_the_bound_and_the_bound_holds(budget):
    df = s_market()
    result = Planner(df).solve(default_scenario(budget, new_product_share=None, new_customer_share=None))
    assert result.solved and result.evidence.envelope
    x = result.plan["spend"].to_numpy()
    true = float(value(df, x).sum())
    assert result.evidence.objective_cny == pytest.approx(true, rel=1e-9)  # the true value, not the envelope's
    assert x.sum() == pytest.approx(budget, rel=1e-7)
    best, step = brute_force(df, budget)
    slack = step * 15  # marginal ROI is below 15 everywhere: what the grid can miss
    ev = result.evidence
    inexact = ev.primal_residual + ev.dual_residual + ev.relative_duality_gap  # the solver's own, ~1e-8
    assert ev.bound_cny >= best * (1 - inexact)  # the bound bounds every plan, the best one included
    assert true >= best - slack  # and the plan is as good as brute force (to the grid)
    # the bound is the envelope's optimum (brute force on the envelope written from its definition), not
    # just some number above the plan
    best_env, _ = brute_force(df, budget, curve=_envelope)
    assert best_env * (1 - inexact) <= ev.bound_cny <= best_env + slack


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
    # the budget is below 6·x*: on the envelope every yuan returns f(x*)/x* = (2/3·a)/x*, so the bound is exact
    envelope_optimum = budget * (2 / 3 * 40_000.0) / threshold
    assert rounded.evidence.bound_cny == pytest.approx(envelope_optimum, rel=1e-7)
    assert raw.evidence.bound_cny == pytest.approx(rounded.evidence.bound_cny, rel=1e-7)  # same relaxation
    # the best true plan funds k cells equally past x* (k = 2: ¥15,000 each; three at ¥10,000 stay below x*)
    best_true = max(k * 40_000.0 * (budget / k) ** 3 / ((budget / k) ** 3 + 1e12) for k in range(1, 7))
    assert rounded.evidence.objective_cny == pytest.approx(best_true, rel=1e-6)
    assert rounded.evidence.relative_gap == pytest.approx(1 - best_true / envelope_optimum, rel=1e-4)


def test_min_spend_with_s_curves_reaches_the_target_in_truth():
    df = s_market()
    target = 90_000.0
    result = Planner(df).solve(Scenario(Objective("min_spend", target)))
    assert result.solved
    x = result.plan["spend"].to_numpy()
    assert value(df, x).sum() >= target * (1 - 1e-6)
    # a lower bound on the spend any plan needs: below the least spend on a grid of plans that reach the target
    g = np.linspace(0, 120_000, 1201)
    x1, x2 = np.meshgrid(g, g, indexing="ij")
    rest = target - _v(df.iloc[0], x1) - _v(df.iloc[1], x2)
    a3, b3, s3 = df.iloc[2][["a", "b", "s"]]
    with np.errstate(all="ignore"):
        x3 = np.where(rest <= 0, 0.0, b3 * (rest / (a3 - rest)) ** (1 / s3))
    x3 = np.where((rest < a3) & np.isfinite(x3), x3, np.inf)
    least = float((x1 + x2 + x3).min())
    assert result.evidence.bound_cny <= least


def test_random_s_markets_never_report_more_than_their_bound():
    for seed in range(6):
        df = random_curves(9, seed, families=("exp", "hill", "mm"), s_shaped=True)
        result = Planner(df).solve(default_scenario(float(df["current_spend"].sum())))
        if not result.solved:
            continue
        true = float(value(df, result.plan["spend"].to_numpy()).sum())
        assert true == pytest.approx(result.evidence.objective_cny, rel=1e-9)
        # the bound holds for plans the optimizer did not make: random splits of the budget within both caps
        rng = np.random.default_rng(seed)
        new = (df["segment"] == "new").to_numpy()
        budget = float(df["current_spend"].sum())
        splits = []
        for _ in range(4000):  # new products get at most 15 % of the budget; the new-customer cap filters
            x = np.zeros(len(df))
            to_new = rng.uniform(0, 0.15) * budget if new.any() else 0.0
            x[new] = rng.dirichlet(np.full(new.sum(), 0.5)) * to_new if new.any() else 0.0
            x[~new] = rng.dirichlet(np.full((~new).sum(), 0.5)) * (budget - to_new)
            if share_of_spend(df, x, new) <= 0.15 and new_customer_traffic_share(df, x) <= 0.30:
                splits.append(x)
        assert len(splits) >= 50
        others = max(float(value(df, split).sum()) for split in splits)
        ev = result.evidence
        assert ev.bound_cny >= others * (1 - ev.primal_residual - ev.dual_residual - ev.relative_duality_gap)
