"""Curve draws with a different exponent in every draw (issue 14): the risk plan snaps them to a small
exponent grid for the solver, solves in a few dozen iterations, states what snapping cost, and is judged on
the draws as given.

Checked against brute force (the exact CVaR objective over a grid of two-cell allocations, from the
formulas), the snapping error against a much finer grid than the one it was measured on (a property), and
the refusal of a draw too far from the grid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import Budget, CurveDraws, Objective, Planner, Risk, Scenario, curves_from_frame
from optimizer.curves import CurveError
from optimizer.draw_grid import MAX_EXACT_EXPONENTS, SNAP_TOLERANCE, exponent_grid, snap
from optimizer.draws import cvar
from optimizer.planner import snap_slack_cny
from optimizer.problem import CVAR_MEAN_WEIGHT, SOLVED
from worded_errors import raises_worded


def _cells(family, s, a, current):
    n = len(s)
    return pd.DataFrame({"channel": [f"c{i}" for i in range(n)], "segment": "existing", "family": family,
                         "a": a, "b": [np.nan if family == "power" else 2.0 * c for c in current], "s": s,
                         "current_spend": current, "cpc": 1.0, "new_customer_share": 0.3})


def _distinct_draws(cells: pd.DataFrame, n: int, seed: int, spread: float = 0.15) -> pd.DataFrame:
    """``n`` draws per cell, each with its own exponent (about the cell's, ± ``spread``) and level (±40 %),
    matched to the cell's value at current spend before the level noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n):
        for r in cells.itertuples():
            s = float(np.clip(r.s + spread * rng.uniform(-1, 1), 0.05, 0.95))
            level = np.exp(0.4 * rng.standard_normal())
            if r.family == "power":
                a = r.a * r.current_spend ** (r.s - s) * level
            else:
                a = r.a * level
            rows.append((d, r.channel, r.segment, r.family, a, r.b, s))
    return pd.DataFrame(rows, columns=["draw", "channel", "segment", "family", "a", "b", "s"])


def _scenario(budget: float, level: float = 0.8) -> Scenario:
    return Scenario(Objective("gmv", risk=Risk("cvar", level)), Budget(budget), ())


def _value(frame: pd.DataFrame, x: np.ndarray) -> np.ndarray:
    """Each draw row's GMV at its cell's spend ``x`` (by row), from the formulas."""
    a, b, s = frame["a"].to_numpy(float), frame["b"].to_numpy(float), frame["s"].to_numpy(float)
    if (frame["family"] == "power").all():
        return a * x ** s
    return a * x ** s / (x ** s + b ** s)


def test_sample_sized_draws_with_an_exponent_per_draw_solve_snapped():
    """14 power cells (the sample's size) × 60 draws, every exponent different (840; the plan chooses on the 30
    even draws, 420): solved in bounded iterations by the snapped problem, which holds a few grid exponents,
    and the plan says so. With the snapping reverted (``MAX_EXACT_EXPONENTS`` huge) the problem keeps one
    cone tower per exponent: 26,483 constraint rows instead of 11,522 (60 s to the first plan instead of 3 s
    when measured, not asserted) and no snapped message."""
    rng = np.random.default_rng(7)
    current = rng.uniform(50, 1600, 14)
    s = rng.uniform(0.3, 0.8, 14)
    cells = _cells("power", s, rng.uniform(2, 8, 14) * current ** (1 - s), current)
    draws = _distinct_draws(cells, 60, seed=8)
    assert draws["s"].nunique() == len(draws)
    planner = Planner(cells, draws=draws, judge_apart=False)
    result = planner.solve(_scenario(float(current.sum())))
    assert result.status in SOLVED and result.evidence.iterations <= 80
    program = next(iter(planner._plans.values()))[0]
    assert program.snap is not None and program.snap.n_exponents == len(draws) > MAX_EXACT_EXPONENTS
    assert program.snap.n_grid <= 48 and program.snap.max_relative <= SNAP_TOLERANCE
    rows = program.problem.get_problem_data("CLARABEL")[0]["A"].shape[0]
    assert rows < 15_000  # snapped: 11,522 rows; one cone tower per exponent (the reverted build): 26,483
    said = [m for m in result.messages if m.key == "optimizer.draws.snapped"]
    assert len(said) == 1 and said[0].values["n_exponents"] == len(draws)


@pytest.mark.parametrize("family", ["power", "hill"])
def test_snapped_plan_is_the_best_plan_on_the_exact_draws(family):
    """Two cells, the whole budget spent, 40 draws with 80 distinct exponents: the snapped plan's CVaR objective,
    evaluated on the draws as given, is within 0.01 % of today's GMV of the best of 4,001 allocations by that exact
    objective (brute force from the formulas), the stated objective is that exact value, and the stated bound
    (the solver's, plus what snapping can cost) is above the brute-force best."""
    current = np.array([2_500.0, 2_500.0])
    s = np.array([0.4, 0.7])
    a = np.array([300.0, 60.0]) if family == "power" else np.array([40_000.0, 30_000.0])
    cells = _cells(family, s, a, current)
    draws = _distinct_draws(cells, 40, seed=3)
    assert draws["s"].nunique() == 80
    planner = Planner(cells, draws=draws, judge_apart=False)
    budget = float(current.sum())
    result = planner.solve(_scenario(budget))
    assert result.status in SOLVED
    assert any(m.key == "optimizer.draws.snapped" for m in result.messages)

    cell = np.where(draws["channel"].to_numpy() == "c0", 0, 1)
    draw = draws["draw"].to_numpy()

    def objective(x):
        gain = np.bincount(draw, weights=_value(draws, x[cell]) - _value(draws, current[cell]), minlength=40)
        return cvar(gain, 0.8) + CVAR_MEAN_WEIGHT * gain.mean()

    grid = np.linspace(0, budget, 4001)
    best = max(objective(np.array([x, budget - x])) for x in grid)
    plan_value = objective(result.spend_cny)
    gmv_today = np.bincount(draw, weights=_value(draws, current[cell]), minlength=40).mean()
    # the same value up to the roundoff of sums at today's GMV (the objective itself can be ~0: a plan near today's)
    assert result.evidence.objective_cny == pytest.approx(plan_value, rel=1e-9, abs=1e-12 * gmv_today)
    assert plan_value >= best - 1e-4 * gmv_today
    assert result.evidence.bound_cny >= best - 1e-6
    program = next(iter(planner._plans.values()))[0]
    assert snap_slack_cny(program.snap, planner.curves) > 0


_FINE = np.unique(np.concatenate([np.linspace(0.0, 1.0, 40_001), np.geomspace(1e-9, 1.0, 4_000)]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group=st.sampled_from(["power", "hill_concave"]),
       s=st.lists(st.floats(0.0079, 0.99), min_size=1, max_size=6),
       top=st.floats(0.05, 200.0))
def test_stated_snapping_error_bounds_the_difference_everywhere_on_the_range(group, s, top):
    """For any exponents and range: the snapped exponent is a grid point, the difference between the snapped
    and the given curve on a 44,000-point grid of the range never exceeds the stated error (measured on
    2,305 points, stated × 1.02), and inside the grid's span it is within the tolerance."""
    s = np.asarray(s)
    tops = np.full(len(s), top)
    out = snap(group, s, tops)
    assert np.isin(out.exponent, exponent_grid()).all()
    z = top * _FINE

    def g(zz, e):
        p = np.power(zz, e)
        return p if group == "power" else p / (1 + p)

    for i in range(len(s)):
        diff = np.abs(g(z, s[i]) - out.amplitude_factor[i] * g(z / out.scale_factor[i], out.exponent[i])).max()
        assert diff <= out.error[i] + 1e-12 * g(top, s[i])
        assert out.relative[i] == pytest.approx(out.error[i] / g(top, s[i]), rel=1e-12)
        assert out.relative[i] <= SNAP_TOLERANCE


def test_a_draw_too_far_from_the_grid_is_refused_by_name():
    """An exponent of 0.001 (a power curve's domain allows it) among many distinct ones: snapped to the grid's
    smallest exponent it would be far off over the range, so the plan stops with the draw, the cell and the
    limit named (exit 2 in the CLI), instead of planning on a curve that is not the user's."""
    cells = _cells("power", [0.5, 0.6], [50.0, 40.0], [1_000.0, 800.0])
    draws = _distinct_draws(cells, 20, seed=5)
    draws.loc[(draws["draw"] == 4) & (draws["channel"] == "c1"), "s"] = 0.001
    planner = Planner(cells, draws=draws, judge_apart=False)
    with raises_worded(CurveError, r"draw 4 of cell c1/existing has exponent s=0.001, too far .* limit of 2.00%"):
        planner.solve(_scenario(1_800.0))


def test_a_plan_beyond_the_snapped_range_is_solved_again_over_a_wider_one():
    """One cell at a twentieth of the other's spend and far steeper: the plan puts well over 2.5× its current
    spend on it, beyond the range the snapped draws were first fitted over, so they are refitted over the
    plan's spend and solved again: the kept program's range covers the plan and no note says otherwise.
    (With ``SNAP_WIDEN_PASSES = 0`` the plan stays outside and the plan says so: this test fails.)"""
    current = np.array([250.0, 4_750.0])
    cells = _cells("power", [0.6, 0.4], [40.0, 8.0], current)
    draws = _distinct_draws(cells, 30, seed=11, spread=0.1)
    planner = Planner(cells, draws=draws, judge_apart=False)
    result = planner.solve(_scenario(float(current.sum())))
    assert result.status in SOLVED
    assert result.spend_cny[0] > 2.5 * current[0]
    program = next(iter(planner._plans.values()))[0]
    assert not program.snap.outside(result.spend_cny).any()
    assert program.snap.reach_cny[0] >= result.spend_cny[0]
    assert not any(m.key == "optimizer.draws.snap_outside" for m in result.messages)
