"""The optimum is feasible, optimal and priced right, checked against things the optimizer did not compute:
the formulas themselves, grid search, SciPy's SLSQP, KKT conditions and finite-difference re-solves."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from optimizer import (
    Bounds, Budget, Lock, Objective, Planner, RoiFloor, Scenario, Select, default_scenario,
    new_customer_cap, new_product_cap,
)
from optimizer_cases import new_customer_traffic_share, random_curves, share_of_spend, slope, value

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REL = 1e-6


def gmv(df, x):
    return float(value(df, x).sum())


# --- every rule holds -----------------------------------------------------------------------------------


@PROPS
@given(
    seed=st.integers(0, 10_000), n=st.integers(3, 12), budget_factor=st.floats(0.6, 1.6),
    np_cap=st.floats(0.1, 0.6), nc_cap=st.floats(0.25, 0.7), lower=st.floats(0.0, 0.5), upper=st.floats(1.5, 4.0),
    roi=st.one_of(st.none(), st.floats(0.5, 2.5)), lock=st.booleans(), sense=st.sampled_from(["eq", "le"]),
    objective=st.sampled_from(["gmv", "profit"]),
)
def test_every_rule_holds_at_the_optimum(seed, n, budget_factor, np_cap, nc_cap, lower, upper, roi, lock, sense,
                                         objective):
    df = random_curves(n, seed)
    cur = df["current_spend"].to_numpy()
    budget = float(cur.sum() * budget_factor)
    rules = [new_product_cap(np_cap), new_customer_cap(nc_cap),
             Bounds("cells", lower=lower, upper=upper, relative=True),
             Bounds("ch0 total", upper=2.0, relative=True, per="total", select=Select(channels=("ch0",)))]
    if roi is not None:
        rules.append(RoiFloor("roi floor", roi))
    if lock:
        rules.append(Lock("ch1 locked", Select(channels=("ch1",))))
    result = Planner(df).solve(Scenario(Objective(objective), Budget(budget, sense), tuple(rules)))
    if not result.solved:
        assert result.status == "infeasible"
        assert result.conflicts, "an infeasible scenario must name the rules in conflict"
        assert all(c.verified for c in result.conflicts if c.alone)
        return
    x = result.plan["spend"].to_numpy()
    tol = 1e-6 * budget
    assert np.all(x >= -tol)
    assert x.sum() <= budget + tol
    if sense == "eq":
        assert x.sum() == pytest.approx(budget, rel=1e-6)
    new = (df["segment"] == "new").to_numpy()
    # shares as excess spend (traffic) over the budget: a plan that spends next to nothing has no share to speak of
    assert x[new].sum() - np_cap * x.sum() <= 1e-6 * budget
    clicks = x / df["cpc"].to_numpy()
    nc = df["new_customer_share"].to_numpy()
    assert (nc * clicks).sum() - nc_cap * clicks.sum() <= 1e-6 * budget / df["cpc"].min()
    if x.sum() > 1e-3 * budget:
        assert share_of_spend(df, x, new) <= np_cap + 1e-4
        assert new_customer_traffic_share(df, x) <= nc_cap + 1e-4
    assert np.all(x >= lower * cur - tol) and np.all(x <= upper * cur + tol)
    assert x[0] <= 2.0 * cur[0] + tol
    if roi is not None:
        assert gmv(df, x) >= roi * x.sum() * (1 - 1e-6)
    if lock:
        assert x[1] == pytest.approx(cur[1], rel=1e-6, abs=tol)
    assert result.evidence.max_violation < 1e-7
    # Clarabel stops at 1e-8; no tolerance is added to the bound. Where the rules leave next to nothing to spend
    # (a new-customer cap below every cell's share: only ¥0 is feasible) its absolute stop, a few fen, dominates
    if x.sum() > 1e-3 * budget:
        assert result.evidence.relative_gap < 1e-7
    else:
        assert result.evidence.optimality_gap_cny < 0.05


# --- KKT: equal marginal ROI inside the bounds ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 17, 29])
def test_cells_inside_their_bounds_have_equal_marginal_roi(seed):
    df = random_curves(12, seed, families=("exp", "mm", "log", "power", "hill"))
    cur = df["current_spend"].to_numpy()
    scenario = default_scenario(cur.sum(), new_product_share=None, new_customer_share=None,
                                rules=(Bounds("cells", lower=0.3, upper=2.5, relative=True),))
    result = Planner(df).solve(scenario)
    assert result.status == "optimal"
    x = result.plan["spend"].to_numpy()
    mroi = slope(df, x, h=1e-2)
    lam = float(result.rules.set_index("rule").loc["budget", "gain_per_unit"])
    inside = (x > 0.3 * cur * (1 + 1e-4)) & (x < 2.5 * cur * (1 - 1e-4))
    at_upper = x >= 2.5 * cur * (1 - 1e-4)
    at_lower = x <= 0.3 * cur * (1 + 1e-4)
    assert inside.sum() >= 3
    # an objective within 1e-8 puts the spend within ~1e-4 (the optimum is flat), hence these tolerances
    np.testing.assert_allclose(mroi[inside], lam, rtol=3e-4)  # stationarity
    assert np.all(mroi[at_upper] >= lam * (1 - 3e-4))  # would take more if allowed
    assert np.all(mroi[at_lower] <= lam * (1 + 3e-4))  # would give more if allowed
    np.testing.assert_allclose(result.plan["marginal_roi"][inside], lam, rtol=3e-4)
    assert np.ptp(mroi[inside]) > 0 or inside.sum() == 1  # the check is not vacuous
    assert np.ptp(slope(df, df["current_spend"].to_numpy())) > 0.1 * lam  # today's split is not already optimal


def test_profit_optimum_spends_until_margin_times_marginal_roi_is_one():
    df = random_curves(8, 5, families=("exp", "mm", "log", "hill"))
    result = Planner(df).solve(Scenario(Objective("profit")))
    x = result.plan["spend"].to_numpy()
    m = df["margin"].to_numpy()
    spending = x > 1.0
    np.testing.assert_allclose((m * slope(df, x, h=1e-2))[spending], 1.0, rtol=3e-4)
    assert np.all(m[~spending] * slope(df, np.zeros(len(df)))[~spending] <= 1 + 1e-6)


# --- brute force on 2–3 channels ---------------------------------------------------------------------------------


def two_channels():
    return pd.DataFrame({
        "channel": ["ztc", "xiaohongshu"], "segment": ["existing", "new"], "family": ["exp", "power"],
        "a": [90_000.0, 260.0], "b": [25_000.0, np.nan], "s": [np.nan, 0.62], "current_spend": [12_000.0, 6_000.0],
        "cpc": [2.0, 0.9], "new_customer_share": [0.2, 0.6], "margin": [0.45, 0.5]})


def three_channels():
    return pd.DataFrame({
        "channel": ["ztc", "qianchuan", "xiaohongshu"], "segment": ["existing", "existing", "new"],
        "family": ["mm", "log", "hill"], "a": [80_000.0, 25_000.0, 60_000.0], "b": [20_000.0, 9_000.0, 15_000.0],
        "s": [np.nan, np.nan, 0.8], "current_spend": [10_000.0, 6_000.0, 9_000.0], "cpc": [2.0, 1.1, 0.9],
        "new_customer_share": [0.2, 0.45, 0.6], "margin": [0.45, 0.45, 0.45]})


def test_two_channels_match_a_fine_grid():
    df, budget = two_channels(), 30_000.0
    result = Planner(df).solve(default_scenario(budget, new_product_share=None, new_customer_share=None))
    x1 = np.linspace(0, budget, 300_001)
    values = value_grid(df, np.stack([x1, budget - x1]))
    best = values.max()
    assert result.evidence.objective_cny >= best * (1 - 1e-7)  # the solver's tolerance
    assert result.evidence.objective_cny <= best + 1e-3  # the grid step is 0.1 yuan
    # the bound is the solver's dual objective with no tolerance added: it holds up to what the solver
    # reports of its own inexactness (residuals and gap, each relative, ~1e-8 together)
    ev = result.evidence
    assert ev.bound_cny >= best * (1 - (ev.primal_residual + ev.dual_residual + ev.relative_duality_gap))
    assert result.plan["spend"].iloc[0] == pytest.approx(x1[values.argmax()], abs=5.0)  # a flat optimum


def test_three_channels_with_a_new_product_cap_match_a_fine_grid():
    df, budget, cap = three_channels(), 40_000.0, 0.15
    result = Planner(df).solve(default_scenario(budget, new_product_share=cap, new_customer_share=None))
    g = np.linspace(0, budget, 2001)
    x1, x3 = np.meshgrid(g, np.linspace(0, cap * budget, 601), indexing="ij")
    x2 = budget - x1 - x3
    ok = x2 >= 0
    values = np.where(ok, value_grid(df, np.stack([x1, np.maximum(x2, 0), x3])), -np.inf)
    best = values.max()
    got = result.evidence.objective_cny
    assert got >= best * (1 - 1e-7)
    assert got <= best * (1 + 1e-5)  # the grid is 20 yuan by 10 yuan
    assert result.evidence.bound_cny >= best
    assert result.plan["spend"].iloc[2] == pytest.approx(cap * budget, rel=1e-6)  # the cap binds here


def test_profit_and_min_spend_match_a_grid():
    df = two_channels()
    g = np.linspace(0, 120_000, 1201)
    x1, x2 = np.meshgrid(g, g, indexing="ij")
    profit = (df["margin"].to_numpy()[:, None, None] * value_parts(df, np.stack([x1, x2]))).sum(0) - x1 - x2
    got = Planner(df).solve(Scenario(Objective("profit")))
    assert got.evidence.objective_cny >= profit.max() * (1 - 1e-7)
    assert got.evidence.objective_cny <= profit.max() * (1 + 1e-4)

    target = 70_000.0
    result = Planner(df).solve(Scenario(Objective("min_spend", target), None, ()))
    x1 = np.linspace(0, 80_000, 80_001)
    need = (target - df["a"][0] * (1 - np.exp(-x1 / df["b"][0]))) / df["a"][1]
    x2 = np.where(need > 0, np.maximum(need, 0) ** (1 / df["s"][1]), 0.0)
    best = (x1 + x2).min()
    assert result.evidence.objective_cny == pytest.approx(best, rel=1e-5)
    assert gmv(df, result.plan["spend"].to_numpy()) >= target * (1 - 1e-7)


def value_parts(df, xs):
    """Each curve's value on a grid (``xs[i]`` is the grid of cell i's spend)."""
    return np.stack([_one(df.iloc[i], xs[i]) for i in range(len(df))])


def value_grid(df, xs):
    return value_parts(df, xs).sum(0)


def _one(row, x):
    a, b, s = row["a"], row["b"], row["s"]
    if row["family"] == "exp":
        return a * (1 - np.exp(-x / b))
    if row["family"] == "mm":
        return a * x / (x + b)
    if row["family"] == "log":
        return a * np.log1p(x / b)
    if row["family"] == "power":
        return a * x**s
    return a * x**s / (x**s + b**s)


# --- never below SLSQP --------------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 15), factor=st.floats(0.7, 1.5), cap=st.floats(0.1, 0.4))
def test_never_below_slsqp_from_the_current_allocation(seed, n, factor, cap):
    df = random_curves(n, seed, families=("exp", "mm", "log", "power", "hill"))
    cur = df["current_spend"].to_numpy()
    budget = float(cur.sum() * factor)
    new = (df["segment"] == "new").to_numpy().astype(float)
    upper = 3.0 * cur
    assume(new @ np.minimum(upper, budget) >= 0 and ((1 - new) * upper).sum() >= (1 - cap) * budget)
    scenario = default_scenario(budget, new_product_share=cap, new_customer_share=None,
                                rules=(Bounds("cells", upper=3.0, relative=True),))
    ours = Planner(df).solve(scenario)
    assert ours.status == "optimal"

    a, b, s = df["a"].to_numpy(), df["b"].to_numpy(), df["s"].to_numpy()
    fam = df["family"].to_numpy()

    def grad(x):
        x = np.maximum(x, 1e-9)
        return np.select(
            [fam == "exp", fam == "mm", fam == "log", fam == "power"],
            [a / b * np.exp(-x / b), a * b / (x + b) ** 2, a / (x + b), a * s * x ** (s - 1)],
            a * s * b**s * x ** (s - 1) / (x**s + b**s) ** 2)

    # SLSQP on z = x / k with the objective over Σ f(k), every row of order 1: in yuan the gradient is ~1e-4,
    # its first steps move cents and it stops "successfully" far from the optimum (see benchmarks/optimizer.py)
    k = np.where(np.isfinite(b), b, cur)
    scale = float(value(df, k).sum())
    res = minimize(lambda z: -gmv(df, z * k) / scale, cur / k, jac=lambda z: -grad(z * k) * k / scale,
                   method="SLSQP", bounds=list(zip(np.zeros(n), upper / k)),
                   constraints=[{"type": "eq", "fun": lambda z: (k @ z - budget) / budget, "jac": lambda z: k / budget},
                                {"type": "ineq", "fun": lambda z: (cap * k @ z - new * k @ z) / budget,
                                 "jac": lambda z: (cap - new) * k / budget}],
                   options={"maxiter": 1000, "ftol": 1e-12})
    x = res.x * k
    feasible = (abs(x.sum() - budget) <= 1e-7 * budget and new @ x <= cap * x.sum() + 1e-7 * budget
                and np.all(x >= -1e-7 * budget) and np.all(x <= upper + 1e-7 * budget))
    assume(res.success and feasible)
    assert ours.evidence.objective_cny >= gmv(df, x) * (1 - REL)
    # and SLSQP, converged, finds the same optimum: the comparison is between two solutions, not one and a stall
    assert gmv(df, x) >= ours.evidence.objective_cny * (1 - 1e-6)


# --- monotone in the budget, and the budget's price --------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), budgets=st.lists(st.floats(0.3, 3.0), min_size=2, max_size=5),
       sense=st.sampled_from(["eq", "le"]))
def test_more_budget_never_yields_less_gmv(seed, budgets, sense):
    df = random_curves(8, seed)
    cur = df["current_spend"].to_numpy()
    planner = Planner(df)
    rules = (new_product_cap(0.3), Bounds("cells", lower=0.2, relative=True))
    values, feasible = [], []
    for f in sorted(budgets):
        result = planner.solve(Scenario(Objective("gmv"), Budget(float(cur.sum() * f), sense), rules))
        feasible.append(result.solved)
        if not result.solved:  # new products' minimum spend can exceed 30% of a small budget
            assert result.status == "infeasible" and result.conflicts
            continue
        values.append(result.evidence.objective_cny)
    assert feasible == sorted(feasible)  # once a budget is feasible, every larger one is
    assert all(b >= a * (1 - 1e-7) for a, b in zip(values, values[1:]))


def resolve_value(planner, scenario):
    result = planner.solve(scenario)
    assert result.status == "optimal"
    return result.evidence.objective_cny


@pytest.mark.parametrize("objective", ["gmv", "profit"])
def test_budget_shadow_price_matches_a_finite_difference(objective):
    df = random_curves(10, 11)
    planner = Planner(df)
    budget = float(df["current_spend"].sum())
    base = Scenario(Objective(objective), Budget(budget, "eq"), (new_product_cap(0.25), new_customer_cap(0.45)))
    result = planner.solve(base)
    gain = float(result.rules.set_index("rule").loc["budget", "gain_per_unit"])
    h = 1e-3 * budget
    up = resolve_value(planner, replace(base, budget=Budget(budget + h, "eq")))
    down = resolve_value(planner, replace(base, budget=Budget(budget - h, "eq")))
    assert gain == pytest.approx((up - down) / (2 * h), rel=2e-3)


@pytest.mark.parametrize("rule,level,step", [
    ("new-product cap", 0.12, 0.002),
    ("cells", 1.4, 0.01),
    ("roi floor", None, 0.01),
    ("ch2 lock", 1.0, 0.005),
])
def test_rule_shadow_prices_match_finite_differences(rule, level, step):
    df = random_curves(10, 23)
    cur = df["current_spend"].to_numpy()
    planner = Planner(df)
    rules = {"new-product cap": new_product_cap(0.12), "cells": Bounds("cells", upper=1.4, relative=True),
             "ch2 lock": Lock("ch2 lock", Select(channels=("ch2",)))}
    budget = float(cur.sum() * 1.1)
    if rule == "roi floor":
        free = Planner(df).solve(default_scenario(budget, new_product_share=None, new_customer_share=None))
        level = free.totals.roi + 0.3  # tighter than the unconstrained plan
        rules["roi floor"] = RoiFloor("roi floor", level)
    scenario = Scenario(Objective("gmv"), Budget(budget, "le" if rule == "roi floor" else "eq"), (rules[rule],))
    result = planner.solve(scenario)
    row = result.rules.set_index("rule").loc[rule]
    assert bool(row["binding"])
    r = scenario.rule(rule)
    field = {"new-product cap": "share", "cells": "upper", "roi floor": "roi", "ch2 lock": "level"}[rule]
    loosen = -1 if row["sense"] == "ge" else 1
    up = resolve_value(planner, scenario.with_rule(replace(r, **{field: level + loosen * step})))
    down = resolve_value(planner, scenario.with_rule(replace(r, **{field: level - loosen * step})))
    assert float(row["gain_per_unit"]) == pytest.approx((up - down) / (2 * step), rel=5e-3)


# --- DPP: a what-if re-solves the compiled problem -----------------------------------------------------------------


def test_resolve_reuses_the_compiled_problem_and_matches_a_fresh_solve():
    df = random_curves(12, 8)
    budget = float(df["current_spend"].sum())
    planner = Planner(df)
    first = planner.solve(default_scenario(budget, rules=(Bounds("cells", upper=2.0, relative=True),)))
    program = next(iter(planner._plans.values()))[0]
    what_if = default_scenario(1.3 * budget, new_product_share=0.2, new_customer_share=0.35,
                               rules=(Bounds("cells", upper=2.5, relative=True),))
    again = planner.solve(what_if)
    assert first.timings.resolve_s is None and again.timings.resolve_s is not None
    assert next(iter(planner._plans.values()))[0] is program and len(planner._plans) == 1
    assert program.solves == 2
    fresh = Planner(df).solve(what_if)
    np.testing.assert_allclose(again.plan["spend"], fresh.plan["spend"], rtol=1e-5, atol=1e-3 * budget / 12)
    assert again.evidence.objective_cny == pytest.approx(fresh.evidence.objective_cny, rel=1e-8)


def test_a_new_rule_rebuilds_and_old_structures_stay_cached():
    df = random_curves(6, 2)
    planner = Planner(df)
    base = default_scenario(float(df["current_spend"].sum()))
    planner.solve(base)
    planner.solve(default_scenario(float(df["current_spend"].sum()), rules=(Lock("l", Select(channels=("ch0",))),)))
    assert len(planner._plans) == 2
    assert planner.solve(base).timings.resolve_s is not None


# --- carry-over (the hook for daily plans) -------------------------------------------------------------------------


def test_carryover_plans_on_effective_spend():
    """Two days, 40% of day 1's spend carries into day 2: the plan maximises Σ f(C x), checked by SLSQP."""
    df = pd.DataFrame({
        "channel": ["ztc", "ztc", "kol", "kol"], "segment": "existing", "day": [1, 2, 1, 2],
        "family": ["exp", "exp", "mm", "mm"], "a": [50_000.0, 70_000.0, 40_000.0, 30_000.0],
        "b": [15_000.0, 15_000.0, 8_000.0, 8_000.0], "s": np.nan, "current_spend": 10_000.0, "cpc": 1.0,
        "new_customer_share": 0.2})
    C = sp.csr_matrix(np.array([[1, 0, 0, 0], [0.4, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0.4, 1]]))
    budget = 40_000.0
    result = Planner(df, carryover=C).solve(default_scenario(budget, new_product_share=None, new_customer_share=None))
    x = result.plan["spend"].to_numpy()
    res = minimize(lambda x: -gmv(df, C @ x), np.full(4, budget / 4), method="SLSQP", bounds=[(0, None)] * 4,
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - budget}], options={"ftol": 1e-12})
    assert gmv(df, C @ x) >= -res.fun * (1 - 1e-7)
    assert gmv(df, C @ x) == pytest.approx(-res.fun, rel=1e-5)
    assert result.plan["expected_value"].sum() == pytest.approx(gmv(df, C @ x))
