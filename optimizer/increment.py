"""Where the next ¥X goes (or where a cut of ¥X comes from): the plan's own scenario with its budget moved by X,
re-solved on the planner's compiled problem (only the budget's level Parameter changes), and the change per cell.

For each cell the change of spend ``Δx_c = x'_c − x_c`` and of expected GMV ``Δf_c = f_c(x'_c) − f_c(x_c)``, the
GMV per yuan of the change ``Δf_c / Δx_c`` and the marginal ROAS after it. Across the curve draws the planner
judges plans on (:attr:`optimizer.Planner.judge_draws`, widened about their median by its ``spread_scale`` as a
plan's stated outcome is) each cell's ``Δf_{d,c}`` and the total ``Σ_c Δf_{d,c}`` give P10 / P90 bands: what
the next ¥X may bring, not only its estimate. Plans with carry-over between cells (daily campaign plans) are
outside this module: their draws are not the planner's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from roimix.messages import Message

from .draws import widened
from .planner import Planner
from .result import PlanResult
from .scenario import RuleError

INCREMENT_COLUMNS = ("delta_spend", "delta_gmv", "delta_roi", "marginal_roi", "delta_gmv_p10", "delta_gmv_p90")
"""Per cell, after the key columns: yuan per day, GMV per yuan of the change, marginal ROAS after it, the band."""


@dataclass(frozen=True)
class Increment:
    """The next ¥X: ``plan`` is the re-solved plan (a :class:`PlanResult` of the moved budget), ``cells`` the
    change per cell (key columns, ``spend_before``, ``spend_after`` and :data:`INCREMENT_COLUMNS`; yuan per day),
    ``delta_cny`` the budget move asked for and ``spent_cny`` the spend that moved (less than ``delta_cny`` when
    a rule or the objective leaves some unspent). ``gmv_p10_cny`` … ``gmv_p90_cny``: the total GMV change across
    the judged draws (NaN without draws)."""

    delta_cny: float
    plan: PlanResult
    cells: pd.DataFrame
    spent_cny: float
    gmv_cny: float
    gmv_p10_cny: float
    gmv_p50_cny: float
    gmv_p90_cny: float

    @property
    def solved(self) -> bool:
        return self.plan.solved

    @property
    def roi(self) -> float:
        """GMV per yuan of the change (NaN when nothing moved)."""
        return self.gmv_cny / self.spent_cny if abs(self.spent_cny) >= 0.01 else float("nan")


def next_money(planner: Planner, base: PlanResult, delta_cny: float) -> Increment:
    """Where ``delta_cny`` more budget a day goes (a negative amount: where a cut comes from), from the solved
    ``base`` plan of ``planner``: its scenario with the budget moved, solved again on the same compiled problem.
    Raises :class:`RuleError` when ``base`` has no budget or is not solved, or the moved budget is below 0."""
    if not base.solved or base.scenario is None:
        raise RuleError(message=Message("plan.err.increment.unsolved", {}))
    budget = base.scenario.budget
    if budget is None:
        raise RuleError(message=Message("plan.err.increment.no_budget", {}))
    amount = budget.amount_cny_per_day + float(delta_cny)
    if not np.isfinite(amount) or amount < 0:
        raise RuleError(message=Message("plan.err.increment.below_zero", {
            "budget_cny": budget.amount_cny_per_day, "delta_cny": float(delta_cny)}))
    moved = planner.solve(replace(base.scenario, budget=replace(budget, amount_cny_per_day=amount)))
    keys = list(planner.curves.key_columns)
    before, after = base.plan["spend"].to_numpy(dtype=float), None
    cells = base.plan[keys].copy()
    cells["spend_before"] = before
    nan = float("nan")
    if not moved.solved:
        for col in ("spend_after",) + INCREMENT_COLUMNS:
            cells[col] = np.nan
        return Increment(float(delta_cny), moved, cells, nan, nan, nan, nan, nan)
    after = moved.plan["spend"].to_numpy(dtype=float)
    curves = planner.curves
    delta_x = after - before
    delta_f = curves.value(after) - curves.value(before)
    cells["spend_after"] = after
    cells["delta_spend"] = delta_x
    cells["delta_gmv"] = delta_f
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["delta_roi"] = np.where(np.abs(delta_x) >= 0.01, delta_f / delta_x, np.nan)
    cells["marginal_roi"] = moved.plan["marginal_roi"].to_numpy(dtype=float)
    p10 = p50 = p90 = nan
    draws = planner.judge_draws
    if draws is not None:
        per_row = draws.curves.value(after[draws.cell]) - draws.curves.value(before[draws.cell])
        table = np.zeros((draws.n_draws, curves.n))
        np.add.at(table, (draws.draw, draws.cell), per_row)  # Δf per (draw, cell)
        scale = planner.spread_scale
        cell_bands = np.array([np.quantile(widened(table[:, c], scale), [0.1, 0.9]) for c in range(curves.n)])
        cells["delta_gmv_p10"], cells["delta_gmv_p90"] = cell_bands[:, 0], cell_bands[:, 1]
        p10, p50, p90 = (float(q) for q in np.quantile(widened(table.sum(axis=1), scale), [0.1, 0.5, 0.9]))
    else:
        cells["delta_gmv_p10"] = cells["delta_gmv_p90"] = np.nan
    return Increment(float(delta_cny), moved, cells, float(delta_x.sum()), float(delta_f.sum()), p10, p50, p90)
