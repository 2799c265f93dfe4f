"""CVaR plans over draws that differ only in level (each cell's shape the same in every draw).

Such draws come from a level-only bootstrap, from a fit handed the shapes (``benchmarks/aggregate_information.py``)
or from a cell whose candidates agree. Each (draw, cell) row used to be its own cone in the problem: 200 copies of
one expression, which Clarabel cannot tell apart and stalled on (``InsufficientProgress``). Rows of one shape now
share one expression. The curves are an independent market's true ones (``benchmarks/markets``), the rules the
harness's."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.markets.harness import _CURVE_COLUMNS, MARKETS, scenario  # noqa: E402
from optimizer import CurveDraws, Objective, Planner, Risk, Scenario, curves_from_frame  # noqa: E402
from optimizer.draws import cvar  # noqa: E402
from optimizer.problem import CVAR_MEAN_WEIGHT  # noqa: E402


@lru_cache(maxsize=None)
def _truth() -> pd.DataFrame:
    return MARKETS["search_funnel"].simulate(50_000, 3).truth.reset_index(drop=True)


def _level_draws(truth: pd.DataFrame, seed: int, n: int = 200, shape_jitter: float = 0.0) -> pd.DataFrame:
    """Each cell's level times a lognormal factor of mean 1 and relative sd 0.1–1.5; ``shape_jitter`` moves each
    draw's saturation scale by that relative amount × the draw's number (so no two draws share a shape)."""
    rng = np.random.default_rng(seed)
    rel = rng.uniform(0.1, 1.5, len(truth))
    s2 = np.log1p(rel ** 2)
    level = np.exp(np.sqrt(s2) * rng.standard_normal((n, len(truth))) - s2 / 2)
    return pd.concat([truth[["channel", "segment", "family", "b", "s"]].assign(
        draw=d, a=truth["a"].to_numpy() * level[d], b=truth["b"] * (1 + shape_jitter * d)) for d in range(n)],
        ignore_index=True)


def _risk_scenario(truth: pd.DataFrame) -> Scenario:
    base = scenario(float(truth["current_spend"].sum()))
    return Scenario(Objective("gmv", None, Risk("cvar")), base.budget, base.rules)


def test_a_plan_over_level_only_draws_is_solved_and_certified():
    """The draws on which Clarabel stalled before: an optimal plan, its objective recomputed from the draws the plan
    was chosen on (CVaR 0.9 of the gain over today + the small mean share), and a dual bound above it."""
    truth = _truth()
    curves = curves_from_frame(truth[_CURVE_COLUMNS])
    draws = _level_draws(truth, seed=2)
    result = Planner(curves, draws=draws).solve(_risk_scenario(truth))
    assert result.status == "optimal", result.status
    chosen = CurveDraws.from_frame(draws[draws["draw"] % 2 == 0], curves)
    gain = chosen.totals(result.spend_cny) - chosen.totals(curves.current_spend_cny)
    assert result.evidence.objective_cny == pytest.approx(cvar(gain, 0.9) + CVAR_MEAN_WEIGHT * gain.mean(), rel=1e-6)
    assert result.evidence.bound_cny >= result.evidence.objective_cny
    assert result.evidence.relative_gap < 1e-4  # the S-curve envelope's rounding: 8e-6 here


def test_sharing_one_expression_per_shape_plans_as_distinct_shapes_do():
    """Draws whose shapes differ by 1e-12 per draw (no two rows alike, so nothing is shared) give the same plan
    and objective as the same draws with shared shapes, on a case both solve."""
    truth = _truth()
    curves = curves_from_frame(truth[_CURVE_COLUMNS])
    shared = Planner(curves, draws=_level_draws(truth, seed=0)).solve(_risk_scenario(truth))
    apart = Planner(curves, draws=_level_draws(truth, seed=0, shape_jitter=1e-12)).solve(_risk_scenario(truth))
    assert shared.status == apart.status == "optimal"
    budget = float(truth["current_spend"].sum())
    assert np.abs(shared.spend_cny - apart.spend_cny).max() < 1e-4 * budget
    assert shared.evidence.objective_cny == pytest.approx(apart.evidence.objective_cny, rel=1e-6)
