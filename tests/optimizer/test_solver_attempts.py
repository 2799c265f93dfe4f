"""Clarabel's attempts (``Program.solve``): the first settings, then after a stall a retry with equilibration, then
once more with shorter steps; the result says how many iterations all of them took. The instance that needed the
third (a 100-channel Double 11 plan of 12,000 daily cells) solves in the first since power curves are scaled to
their planned spend (tests/campaign/test_replan_power_scale.py), and no small instance is known to stall, so here
the solver's answers are replaced by stalls to check the sequence; every attempt still solves the real problem."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer import Budget, Objective, Planner, Scenario
import optimizer.problem as problem
from optimizer.problem import CLARABEL_FIRST, CLARABEL_RETRY, CLARABEL_SHORT, Program
from optimizer_cases import random_curves


@pytest.mark.parametrize("stalls, used", [(0, [CLARABEL_FIRST]), (1, [CLARABEL_FIRST, CLARABEL_RETRY]),
                                          (2, [CLARABEL_FIRST, CLARABEL_RETRY, CLARABEL_SHORT]),
                                          (3, [CLARABEL_FIRST, CLARABEL_RETRY, CLARABEL_SHORT])])
def test_a_stall_is_retried_then_solved_with_shorter_steps(monkeypatch, stalls, used):
    seen, real = [], Program._solve_once

    def once(self, solver, options):
        seen.append({k: options[k] for k in ("equilibrate_enable", "max_step_fraction")})
        raw = real(self, solver, options)
        return replace(raw, status="solver_error") if len(seen) <= stalls else raw

    monkeypatch.setattr(Program, "_solve_once", once)
    df = random_curves(5, 1)
    result = Planner(df).solve(Scenario(Objective("gmv"), Budget(float(df["current_spend"].sum())), ()))
    assert seen[:len(used)] == [{k: u[k] for k in ("equilibrate_enable", "max_step_fraction")} for u in used]
    assert result.status == ("solver_error" if stalls == 3 else "optimal")
    assert result.evidence.iterations >= len(used)  # every attempt's iterations are counted


@pytest.mark.parametrize("fast_status", ["optimal", "optimal_inaccurate", "infeasible", "solver_error"])
def test_a_large_problem_first_tries_without_refinement_and_keeps_it_only_when_optimal(monkeypatch, fast_status):
    """From LARGE_MIN_CELLS cells on (moved to 1 here) the first attempt skips iterative refinement; an answer
    other than ``optimal`` from it is not trusted: the problem is solved again with refinement, and that answer
    (with both attempts' iterations) is the result."""
    seen, real = [], Program._solve_once

    def once(self, solver, options):
        seen.append(dict(options))
        raw = real(self, solver, options)
        return replace(raw, status=fast_status) if len(seen) == 1 else raw

    monkeypatch.setattr(Program, "_solve_once", once)
    monkeypatch.setattr(problem, "LARGE_MIN_CELLS", 1)
    df = random_curves(5, 1)
    result = Planner(df).solve(Scenario(Objective("gmv"), Budget(float(df["current_spend"].sum())), ()))
    assert seen[0]["iterative_refinement_enable"] is False
    assert all({k: o[k] for k in problem.CLARABEL_LARGE} == problem.CLARABEL_LARGE for o in seen)
    if fast_status == "optimal":
        assert len(seen) == 1
    else:
        assert len(seen) == 2 and "iterative_refinement_enable" not in seen[1]
        assert seen[1]["max_step_fraction"] == CLARABEL_FIRST["max_step_fraction"]
        assert result.evidence.iterations >= 2
    assert result.status == "optimal"


def test_a_cvar_plan_first_tries_without_refinement_and_lands_where_a_refined_solve_does(monkeypatch):
    """A risk objective over curve draws takes the unrefined first attempt at Clarabel's default tolerances; a plan
    on the estimate does not. The plan equals the one Clarabel reaches with refinement forced on (an option given by
    the caller skips the unrefined attempt) to a fen a cell, and its certified gap stays below a fen."""
    import numpy as np
    import pandas as pd

    from optimizer import Risk

    rng = np.random.default_rng(4)
    n = 6
    cells = pd.DataFrame({"channel": [f"c{i}" for i in range(n)], "segment": "existing", "family": "exp",
                          "a": rng.uniform(2e4, 9e4, n), "b": rng.uniform(1e3, 5e3, n),
                          "current_spend": rng.uniform(1e3, 4e3, n), "cpc": 1.0, "new_customer_share": 0.3})
    draws = pd.DataFrame([(d, r.channel, r.segment, "exp", r.a * max(0.0, 1 + 0.6 * rng.standard_normal()), r.b,
                           np.nan) for d in range(200) for r in cells.itertuples()],
                         columns=["draw", "channel", "segment", "family", "a", "b", "s"])
    seen, real = [], Program._solve_once

    def once(self, solver, options):
        seen.append(dict(options))
        return real(self, solver, options)

    monkeypatch.setattr(Program, "_solve_once", once)
    budget = Budget(float(cells["current_spend"].sum()))
    fast = Planner(cells, draws=draws).solve(Scenario(Objective("gmv", risk=Risk("cvar", 0.9)), budget, ()))
    assert fast.status == "optimal" and seen[0]["iterative_refinement_enable"] is False and len(seen) == 1
    assert not ({"tol_gap_abs", "tol_gap_rel"} & set(seen[0])), "Clarabel's default tolerances"
    seen.clear()
    refined = Planner(cells, draws=draws, solver_options={"iterative_refinement_enable": True}).solve(
        Scenario(Objective("gmv", risk=Risk("cvar", 0.9)), budget, ()))
    assert all(o["iterative_refinement_enable"] is True for o in seen)
    assert np.abs(fast.spend_cny - refined.spend_cny).max() < 0.01
    assert fast.evidence.bound_cny - fast.evidence.objective_cny < 0.01
    seen.clear()
    Planner(cells, draws=draws).solve(Scenario(Objective("gmv"), budget, ()))
    assert "iterative_refinement_enable" not in seen[0], "a plan on the estimate keeps refinement"
