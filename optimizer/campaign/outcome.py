"""A daily campaign plan's gain over the even-spend plan, across the curve draws.

Each day-cell's planned GMV is its curve at the effective spend that day (carry-over included)
times the day's multiplier; under draw ``d`` it is the same row scaled by ``f_d(x̃) / f(x̃)``, the
draw's curve over the estimate's at that effective spend (exact for the GMV landing in the horizon;
the last day's carry-out value, first order in its spend, is scaled the same way). The campaign's
uplift is the plan's GMV minus the even plan's (the same budget, every day the same), per draw.
:meth:`optimizer.campaign.CampaignPlanner.outcome` states it on the draws the plan was not chosen on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.curves import Curves, curves_from_frame
from optimizer.draws import CurveDraws, Outcome, widened

from .planner import CampaignResult


def campaign_outcome(curves: pd.DataFrame, draws: pd.DataFrame, plan: CampaignResult,
                     even: CampaignResult) -> Outcome | None:
    """The plan's GMV gain over ``even`` over the whole horizon (yuan), P10/P50/P90 across ``draws``
    (a draws table for the cells of ``curves``); ``None`` without draws or without both plans."""
    if draws is None or not len(draws) or not plan.solved or even is None or not even.solved:
        return None
    cells = curves_from_frame(curves)
    return draws_outcome(cells, CurveDraws.from_frame(draws, cells), plan, even)


def draws_outcome(cells: Curves, all_draws: CurveDraws, plan: CampaignResult, even: CampaignResult | None,
                  spread_scale: float = 1.0) -> Outcome | None:
    """:func:`campaign_outcome` on ``all_draws`` (aligned to ``cells``), the gain's spread about its median
    widened by ``spread_scale`` (as :func:`optimizer.draws.outcome` widens a daily plan's; the break-even
    share is read on the draws as they are)."""
    if not plan.solved or even is None or not even.solved:
        return None
    plan_gmv, plan_margin_gmv = _per_draw(cells, all_draws, plan.daily)
    even_gmv, _ = _per_draw(cells, all_draws, even.daily)
    gain = widened(plan_gmv - even_gmv, spread_scale)
    p10, p50, p90 = np.quantile(gain, [0.1, 0.5, 0.9])
    spend = float(plan.daily["spend"].sum())
    mean_margin = float(plan_margin_gmv.sum() / plan_gmv.sum()) if plan_gmv.sum() > 0 else float("nan")
    return Outcome(float(p10), float(p50), float(p90), float(gain.mean()), float(np.mean(gain > 0)),
                   float(np.mean(plan_margin_gmv >= spend)),
                   1.0 / mean_margin if mean_margin > 0 else float("inf"), all_draws.n_draws)


def _per_draw(cells: Curves, draws: CurveDraws, daily: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: the plan's GMV over the horizon, and its margin-weighted GMV."""
    index = {(str(c), str(s)): i for i, (c, s) in enumerate(zip(cells.keys["channel"], cells.keys["segment"]))}
    row_cell = np.array([index[(str(c), str(s))] for c, s in zip(daily["channel"], daily["segment"])])
    eff = daily["effective_spend"].to_numpy(dtype=float)
    point = _rows(cells, row_cell).value(eff)
    expected = daily["expected_value"].to_numpy(dtype=float)
    margin = cells.margin[row_cell]
    gmv, margin_gmv = np.empty(draws.n_draws), np.empty(draws.n_draws)
    order = np.lexsort((draws.cell, draws.draw))  # draw-major, cells in order within each draw
    per_draw = order.reshape(draws.n_draws, cells.n)
    for d in range(draws.n_draws):
        rows = per_draw[d][row_cell]
        value = _rows(draws.curves, rows).value(eff)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(point > 0, value / point, 0.0)
        gmv[d] = float(expected @ ratio)
        margin_gmv[d] = float((margin * expected) @ ratio)
    return gmv, margin_gmv


def _rows(curves: Curves, idx: np.ndarray) -> Curves:
    """``curves`` indexed by ``idx`` (with repeats): one curve per row."""
    return Curves(curves.keys.iloc[idx].reset_index(drop=True), curves.family[idx], curves.a[idx], curves.b[idx],
                  curves.s[idx], curves.current_spend_cny[idx], curves.cpc_cny[idx],
                  curves.new_customer_share[idx], curves.margin[idx], curves.key_columns)
