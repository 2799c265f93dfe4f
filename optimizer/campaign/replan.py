"""Re-plan the rest of a campaign: the days already spent are fixed at what was really spent, their carry-over
into the remaining days is counted, and the remaining budget is planned over the remaining days under the
same rules.

The remaining days are a horizon of their own (:class:`~optimizer.campaign.planner.CampaignPlanner` with
``spent``): each cell's carry-in on a remaining day is the adstock of the spent days' actual spend plus what is
left of the current spend before the campaign (:func:`~optimizer.campaign.daily.carry_in_after`), so a yuan
spent yesterday still lifts today exactly as in the full plan. The budget is the campaign's total less what was
spent, and a reserve stays the amount it was (``total × reserve``, held back from the remaining days): the budget
rule over the whole horizon, ``Σ spend = total·(1 − reserve)``, with the spent days fixed. Rules that hold over
the horizon (the new-product and new-customer caps, a phase's caps) hold over the
remaining days only: what was spent is spent (stated in ``notes``); the day-to-day change limit starts again on
the first remaining day.

What changed and why: ``changes`` compares, per (channel, segment), the original plan's spend on the remaining
days with the new plan's, and ``binding`` lists the rules that bind now with their shadow prices (yuan of GMV
per unit of relaxation, from the solve's duals), the most valuable first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import pandas as pd

from optimizer.scenario import RuleError
from roimix.messages import Message

from .calendar import Campaign, _as_date
from .planner import CampaignPlanner, CampaignResult
from .rules import CampaignScenario
from .daily import Horizon, curve_cells


@dataclass(frozen=True)
class Replan:
    """The re-planned rest of a campaign.

    ``plan``: the new plan over the remaining days; ``spent_cny``: the actual spend on the spent days (the
    cells of the curves); ``remaining_budget_cny``: the campaign's total less it; ``changes``: per (channel,
    segment) the original plan's spend on the remaining days (``before``), the new plan's (``after``) and the
    change; ``binding``: rule, kind, level, shadow price (``gain_per_unit``) and what one step of relaxation
    is worth (``gain_per_step``); ``notes``: keys of what the re-plan assumed."""

    plan: CampaignResult
    planner: CampaignPlanner
    spent_cny: float
    remaining_budget_cny: float
    changes: pd.DataFrame
    binding: pd.DataFrame
    notes: tuple[Message, ...]


def spent_matrix(daily_cells: pd.DataFrame, actual: pd.DataFrame, start, first_remaining) -> tuple[np.ndarray, int]:
    """Actual spend per (channel, segment) cell of ``daily_cells`` and spent day (cells × days, oldest first)
    from ``actual`` (date, channel, segment, spend) on ``start`` … ``first_remaining − 1``; a cell-day without a
    row is ¥0 (counted in the returned number of such cell-days)."""
    start, first = pd.Timestamp(_as_date(start, "start")), pd.Timestamp(_as_date(first_remaining, "from"))
    days = pd.date_range(start, first - timedelta(days=1), freq="D")
    frame = actual.assign(date=pd.to_datetime(actual["date"]), channel=actual["channel"].astype(str),
                          segment=actual["segment"].astype(str))
    frame = frame[(frame["date"] >= start) & (frame["date"] < first)]
    table = frame.pivot_table(index=["channel", "segment"], columns="date", values="spend", aggfunc="sum")
    cells = pd.MultiIndex.from_frame(daily_cells[["channel", "segment"]].astype(str))
    table = table.reindex(index=cells, columns=days)
    missing = int(table.isna().to_numpy().sum())
    return table.fillna(0.0).to_numpy(dtype=float), missing


def replan(curves: pd.DataFrame, horizon: Horizon, campaign: Campaign | None, setup: CampaignScenario,
           actual: pd.DataFrame, first_remaining, *, original: CampaignResult | pd.DataFrame | None = None,
           **planner_options) -> Replan:
    """The rest of the campaign ``setup`` over ``horizon`` from ``first_remaining`` on, the days before it spent
    as ``actual`` says (date, channel, segment, spend). ``original``: the plan made before the campaign, solved
    or as its daily rows (date, channel, segment, spend; e.g. read back from its file): its remaining days are
    compared with the new plan's. ``planner_options`` go to :class:`CampaignPlanner`
    (weekend multiplier, lags, draws, solver). Raises :class:`RuleError` when ``first_remaining`` is not a day
    after the first day and within the horizon, or when nothing of the budget is left."""
    first = _as_date(first_remaining, "from")
    if not horizon.start < first <= horizon.end:
        raise RuleError(message=Message("plan.err.replan.day", {
            "day": first.isoformat(), "start": horizon.start.isoformat(), "end": horizon.end.isoformat()}))
    rest = Horizon(first, horizon.end)
    spent, missing = spent_matrix(curve_cells(curves), actual, horizon.start, first)
    spent_cny = float(spent.sum())
    notes = [Message("plan.note.replan.caps_rest", {}), Message("plan.note.replan.change_restarts", {})]
    if missing:
        notes.append(Message("plan.note.replan.missing_days", {"cell_days": missing}))
    budget = setup.budget
    if budget is not None:  # Σ all days ≤|= total·(1 − reserve) with the spent days fixed: the reserve stays held
        held = budget.total_cny * budget.reserve_share
        remaining = budget.total_cny - spent_cny
        if remaining - held <= 0:
            raise RuleError(message=Message("plan.err.replan.budget_spent", {
                "total_cny": budget.total_cny, "spent_cny": spent_cny, "reserve_cny": held}))
        setup = replace(setup, budget=replace(budget, total_cny=remaining, reserve_share=held / remaining))
    else:
        remaining = float("nan")
    planner = CampaignPlanner(curves, rest, campaign, spent=spent, **planner_options)
    plan = replace(planner.solve(setup), spent_days=(first - horizon.start).days)
    return Replan(plan, planner, spent_cny, remaining, _changes(original, plan, first), _binding(plan), tuple(notes))


def _changes(original: CampaignResult | pd.DataFrame | None, plan: CampaignResult, first) -> pd.DataFrame:
    after = plan.daily.groupby(["channel", "segment"], sort=False)["spend"].sum() if plan.solved else None
    if after is None:
        return pd.DataFrame(columns=["channel", "segment", "before", "after", "change"])
    out = after.rename("after").reset_index()
    daily = original.daily if isinstance(original, CampaignResult) and original.solved else \
        original if isinstance(original, pd.DataFrame) else None
    if daily is not None:
        rest = daily.assign(channel=daily["channel"].astype(str), segment=daily["segment"].astype(str))
        rest = rest[pd.to_datetime(rest["date"]) >= pd.Timestamp(first)]
        before = rest.groupby(["channel", "segment"], sort=False)["spend"].sum()
        out["before"] = before.reindex(pd.MultiIndex.from_frame(out[["channel", "segment"]])).to_numpy()
    else:
        out["before"] = np.nan
    out["change"] = out["after"] - out["before"]
    return out[["channel", "segment", "before", "after", "change"]]


def _binding(plan: CampaignResult) -> pd.DataFrame:
    rules = plan.result.binding() if plan.solved else plan.result.rules.iloc[:0]
    cols = [c for c in ("rule", "kind", "side", "level", "unit", "gain_per_unit", "gain_per_step") if c in rules.columns]
    return rules.sort_values("gain_per_step", key=abs, ascending=False)[cols].reset_index(drop=True) if len(rules) \
        else rules[cols]
