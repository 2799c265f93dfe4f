"""Which lift test is worth most to a plan: the expected gain if it resolved one cell's uncertainty.

For cell k, the draws are split into ``bins`` equal groups by k's value at current spend (what a
lift test would measure). Were the test to say which group is true, the plan would be re-made for
that group; the value of the test is the mean, over groups, of what that re-made plan gains over
the plan made without the test, both judged by the group's own draws (a partial expected value of
perfect information, e.g. Strong, Oakley & Brennan 2014, here with a coarse ``bins``-point test):

    VOI_k = (1/B) Σ_b [ max_x  mean_{d∈b} V_d(x) − mean_{d∈b} V_d(x_plan) ] − placebo.

Re-making a plan on a third of the draws gains something by chance alone; ``placebo`` is that gain
for the same split drawn at random, subtracted so a cell whose level does not matter scores ~0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .curves import Curves, curves_from_frame
from .draws import CurveDraws
from .planner import Planner
from .scenario import Objective, Risk, Scenario

MAX_DRAWS = 200
"""The first this many draws are used (the cost grows with them; the ranking does not need more)."""


def lift_test_values(curves: pd.DataFrame | Curves, draws: pd.DataFrame, scenario: Scenario, plan_spend: np.ndarray,
                     *, bins: int = 3, seed: int = 0, cells: np.ndarray | None = None,
                     max_draws: int = MAX_DRAWS) -> pd.DataFrame:
    """channel, segment, value_cny_per_day (≥ 0), rank: the lift tests worth most to the plan, best
    first. Each group's plan maximises the mean gain over the group's draws (CVaR at level 0). ``cells``: a mask of the cells worth testing (default all); the others are left out. Only the
    first ``max_draws`` draws are used."""
    curves = curves if isinstance(curves, Curves) else curves_from_frame(curves)
    draws = draws[draws["draw"].isin(np.unique(draws["draw"].to_numpy())[:max_draws])]
    all_draws = CurveDraws.from_frame(draws, curves)
    kind = scenario.objective.kind
    mean_scenario = Scenario(Objective(kind, scenario.objective.target_gmv_cny_per_day, Risk("cvar", 0.0)),
                             scenario.budget, scenario.rules)
    margin = curves.margin if kind == "profit" else np.ones(curves.n)
    x_plan = np.asarray(plan_spend, dtype=float)
    frame = draws.reset_index(drop=True)
    draw_ids = np.unique(frame["draw"].to_numpy())

    def per_draw(x: np.ndarray, members: np.ndarray) -> float:
        values = all_draws.totals(x, margin) - (x.sum() if kind == "profit" else 0.0)
        return float(values[members].mean())

    def gain(groups: list[np.ndarray]) -> float:
        total = 0.0
        for members in groups:
            subset = frame[frame["draw"].isin(draw_ids[members])]
            result = Planner(curves, draws=subset, judge_apart=False).solve(mean_scenario)
            if result.solved:
                total += max(per_draw(result.spend_cny, members) - per_draw(x_plan, members), 0.0)
        return total / len(groups)

    current = curves.current_spend_cny
    level = all_draws.curves.value(current[all_draws.cell])
    by_cell = np.zeros((curves.n, all_draws.n_draws))
    by_cell[all_draws.cell, all_draws.draw] = level
    rng = np.random.default_rng(seed)
    placebo = gain(np.array_split(rng.permutation(all_draws.n_draws), bins))
    wanted = np.ones(curves.n, dtype=bool) if cells is None else np.asarray(cells, dtype=bool)
    rows = []
    for k in np.flatnonzero(wanted):
        spread = np.ptp(by_cell[k])
        if not spread > 1e-9 * max(abs(by_cell[k]).mean(), 1.0):
            value = 0.0
        else:
            value = max(gain(np.array_split(np.argsort(by_cell[k], kind="stable"), bins)) - placebo, 0.0)
        rows.append((curves.keys["channel"][k], curves.keys["segment"][k], value))
    out = pd.DataFrame(rows, columns=["channel", "segment", "value_cny_per_day"])
    out = out.sort_values("value_cny_per_day", ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out
