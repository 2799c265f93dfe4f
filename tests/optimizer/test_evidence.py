"""The optimality evidence is the solver's own: its duality gap recomputed from Clarabel's primal and dual
vectors (Clarabel called directly on the same problem data), larger when the solver is stopped early,
and no tolerance added by the planner."""

from __future__ import annotations

import clarabel
import numpy as np
import pytest
import scipy.sparse as sp
from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import dims_to_solver_cones

from optimizer import Planner, Program, curves_from_frame, resolve
from roimix.report.plan import summary_lines
from optimizer.problem import CLARABEL_FIRST
from optimizer.synthetic import benchmark_scenario, random_market

CONVERGED: dict = {}
LOOSE = {"tol_gap_rel": 1e-3, "tol_gap_abs": 1e-3}  # Clarabel stops at a 1e-3 gap instead of 1e-8
STOPPED = {"max_iter": 8}  # Clarabel stops before it converges


@pytest.fixture(scope="module")
def market():
    frame = random_market(5, 2, 3, seed=3)
    curves = curves_from_frame(frame)
    return curves, benchmark_scenario(frame)


def direct_gap_cny(curves, scenario, options: dict) -> float:
    """|cᵀx + ½xᵀPx − (−bᵀz − ½xᵀPx)| from Clarabel's own x and z, in yuan (the value unit × S_v)."""
    program = Program(curves, resolve(curves, scenario), scenario.objective.kind)
    data, _, _ = program.problem.get_problem_data("CLARABEL")
    n = len(data["c"])
    P = sp.triu(data["P"]).tocsc() if "P" in data else sp.csc_matrix((n, n))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    for key, v in (CLARABEL_FIRST | options).items():
        setattr(settings, key, v)
    solution = clarabel.DefaultSolver(P, data["c"], data["A"], data["b"], dims_to_solver_cones(data["dims"]),
                                      settings).solve()
    x, z = np.asarray(solution.x), np.asarray(solution.z)
    full = P + sp.triu(P, 1).T
    quad = 0.5 * float(x @ (full @ x))
    primal = float(data["c"] @ x) + quad
    dual = -float(data["b"] @ z) - quad
    return abs(primal - dual) * program.layout.value_scale


def solve(market, options):
    curves, scenario = market
    # the first attempt's settings given explicitly: one solve, no retry with other settings
    return Planner(curves, solver_options=CLARABEL_FIRST | options).solve(scenario)


@pytest.mark.parametrize("options", [CONVERGED, LOOSE, STOPPED], ids=["converged", "loose", "stopped"])
def test_duality_gap_is_clarabels_recomputed_from_its_vectors(market, options):
    curves, scenario = market
    result = solve(market, options)
    expected = direct_gap_cny(curves, scenario, options)
    assert expected > 0
    assert result.evidence.duality_gap_cny == pytest.approx(expected, rel=1e-6)


def test_stopping_early_shows_a_larger_gap(market):
    converged, loose, stopped = (solve(market, o) for o in (CONVERGED, LOOSE, STOPPED))
    assert converged.status == "optimal" and loose.status == "optimal" and stopped.status == "solver_error"
    assert converged.evidence.relative_duality_gap < 1e-7
    assert loose.evidence.duality_gap_cny > 10 * converged.evidence.duality_gap_cny
    assert stopped.evidence.duality_gap_cny > 10 * loose.evidence.duality_gap_cny
    assert loose.evidence.iterations < converged.evidence.iterations
    # a plan stopped at a looser gap says so in its optimality gap too: nothing hides it
    assert loose.evidence.relative_gap > 10 * converged.evidence.relative_gap


def test_the_bound_is_the_dual_objective_with_no_tolerance_added(market):
    result = solve(market, CONVERGED)
    ev = result.evidence
    size = max(ev.objective_cny, float(result.plan["spend"].sum()))
    assert ev.relative_duality_gap == pytest.approx(ev.duality_gap_cny / size, rel=1e-12)
    # convex curves: the bound is the solver's objective plus its gap, so the optimality gap is that gap
    # (up to the difference between the solver's value and the plan's true value, far below the gap)
    assert ev.bound_cny >= ev.objective_cny
    assert ev.optimality_gap_cny <= 1.5 * ev.duality_gap_cny
    assert ev.relative_gap <= 1.5 * ev.relative_duality_gap


def test_the_summary_prints_the_solvers_gap_and_residuals(market):
    result = solve(market, CONVERGED)
    ev = result.evidence
    en, zh = "\n".join(summary_lines(result, "en")), "\n".join(summary_lines(result, "zh"))
    assert (f"Solver CLARABEL (Solved, {ev.iterations} iterations): duality gap ¥{ev.duality_gap_cny:.1e} "
            f"(relative {ev.relative_duality_gap:.1e}); residuals primal {ev.primal_residual:.1e}, "
            f"dual {ev.dual_residual:.1e}") in en
    assert f"对偶间隙 ¥{ev.duality_gap_cny:.1e}（相对 {ev.relative_duality_gap:.1e}）" in zh
    assert f"(relative {ev.relative_gap:.1e})" in en
