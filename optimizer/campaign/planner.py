"""Daily campaign plans: one convex problem over (channel, segment, day) cells, solved by the optimizer's Planner.

>>> planner = CampaignPlanner(curves, Horizon("2026-05-10", "2026-06-25"), template("618", 2026))  # doctest: +SKIP
>>> result = planner.solve(CampaignScenario(Budget(3_000_000, reserve_share=0.05)))             # doctest: +SKIP
>>> flat = planner.solve(setup, flat=True)          # same rules, every cell the same each day   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.planner import Planner
from optimizer.problem import DEFAULT_SOLVER
from optimizer.result import PlanResult

from .calendar import Campaign
from .daily import DailyCurves, Horizon, daily_curves, day_table
from .rules import CampaignScenario, scenario_for

DAILY_COLUMNS = ["date", "day", "phase", "weekend", "channel", "segment", "spend", "effective_spend", "multiplier",
                 "expected_value", "credited_value", "marginal_roi", "current_spend"]


@dataclass(frozen=True)
class CampaignResult:
    """A daily plan: the optimizer's result over the daily cells and the tidy views of it.

    ``daily``: one row per (date, channel, segment) with spend, the spend its curve sees after carry-over
    (``effective_spend``), the day's multiplier, expected GMV landing that day — on the last day plus what
    lands after the horizon (``expected_value``, what the planner maximises) —, the GMV credited to that
    day's spend wherever it lands (``credited_value``), and marginal ROI (GMV per extra yuan that day,
    carry-out included). ``by_cell`` sums the days per (channel, segment), ``by_phase`` per phase; their
    ``roi`` is credited GMV ÷ spend (by the day the spend was made). Money is yuan over the horizon;
    ``gmv_cny`` is the planned GMV (carry-in and carry-out included), ``carry_out_cny`` its part after the
    last day.
    """

    result: PlanResult
    daily: pd.DataFrame
    days: pd.DataFrame
    """the horizon: day, date, phase, weekend, weekend_factor"""
    budget_cny: float
    flat: bool = False

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def solved(self) -> bool:
        return self.result.solved

    @property
    def spend_cny(self) -> float:
        return float(self.daily["spend"].sum()) if self.solved else float("nan")

    @property
    def gmv_cny(self) -> float:
        return float(self.daily["expected_value"].sum()) if self.solved else float("nan")

    @property
    def carry_out_cny(self) -> float:
        """GMV valued after the horizon's last day (first order in the last day's effective spend)."""
        return float(self.daily["expected_value"].sum() - self.daily["landed_value"].sum()) if self.solved \
            else float("nan")

    @property
    def carry_in_cny(self) -> float:
        """GMV landing on the horizon's days owed to the spend before it (the carry-in's share)."""
        d = self.daily
        if not self.solved:
            return float("nan")
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(d["effective_spend"] > 0, d["carry_in_spend"] / d["effective_spend"], 0.0)
        return float((share * d["expected_value"]).sum())

    @property
    def roi(self) -> float:
        spend = self.spend_cny
        return self.gmv_cny / spend if spend > 0 else float("nan")

    @property
    def reserve_cny(self) -> float:
        return self.budget_cny - self.spend_cny if np.isfinite(self.budget_cny) else float("nan")

    def binding(self) -> list[str]:
        """Names of the binding rules, the most valuable first."""
        table = self.result.binding()
        return list(dict.fromkeys(table.sort_values("gain_per_step", key=abs, ascending=False)["rule"]))

    def by_cell(self) -> pd.DataFrame:
        return _summed(self.daily, ["channel", "segment"])

    def by_phase(self) -> pd.DataFrame:
        out = _summed(self.daily, ["phase"])
        first = self.daily.groupby("phase", sort=False)["date"].agg(["min", "max", "nunique"])
        return out.assign(start=first["min"].to_numpy(), end=first["max"].to_numpy(),
                          days=first["nunique"].to_numpy())

    def by_date(self) -> pd.DataFrame:
        return _summed(self.daily, ["date", "phase"])


def _summed(daily: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    out = daily.groupby(by, sort=False, as_index=False)[["spend", "expected_value", "credited_value"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roi"] = np.where(out["spend"] > 0, out["credited_value"] / out["spend"], np.nan)
    return out


class CampaignPlanner:
    """Plans spend per (channel, segment, day) over ``horizon`` on one set of curves.

    The daily cells, their carry-over and the compiled problems are built once; ``solve`` with a
    scenario of the same structure (only numbers changed) re-solves through cvxpy Parameters.
    """

    def __init__(self, curves: pd.DataFrame, horizon: Horizon, campaign: Campaign | None = None, *,
                 weekend_multiplier: float = 1.0, default_lag_days: float = 1.0, solver: str = DEFAULT_SOLVER,
                 solver_options: dict | None = None, value_carry_out: bool = True):
        self.horizon, self.campaign = horizon, campaign
        days = day_table(horizon, campaign, weekend_multiplier=weekend_multiplier)
        self.daily: DailyCurves = daily_curves(curves, days, campaign, default_lag_days=default_lag_days,
                                               value_carry_out=value_carry_out)
        objective = self.daily.objective_curves if self.daily.objective_curves is not None else self.daily.curves
        self.planner = Planner(objective, carryover=self.daily.carryover, carry_in=self.daily.carry_in,
                               solver=solver, solver_options=solver_options)

    def solve(self, setup: CampaignScenario, *, flat: bool = False) -> CampaignResult:
        """The best daily plan for ``setup`` (``flat=True``: the best plan that spends the same every day)."""
        result = self.planner.solve(scenario_for(self.daily, setup, flat=flat))
        budget = setup.budget.total_cny if setup.budget is not None else float("nan")
        return CampaignResult(result, self._daily_frame(result), self.daily.days, budget, flat)

    def value(self, spend: np.ndarray) -> float:
        """Expected GMV over the horizon of any daily plan (cell order of ``daily.table``)."""
        return float(self.daily.value(spend).sum())

    def planned_value(self, spend: np.ndarray) -> float:
        """What the planner maximises for any daily plan: :meth:`value` plus the carry-out value."""
        return float(self.daily.planned_value(spend).sum())

    def _daily_frame(self, result: PlanResult) -> pd.DataFrame:
        d = self.daily
        frame = d.table[["date", "day", "phase", "weekend", "channel", "segment", "multiplier", "current_spend"]].copy()
        if not result.solved:
            return frame.iloc[:0].reindex(columns=DAILY_COLUMNS)
        spend = result.spend_cny
        frame["spend"] = spend
        frame["effective_spend"] = d.effective(spend)
        frame["carry_in_spend"] = d.carry_in
        frame["landed_value"] = d.value(spend)
        frame["expected_value"] = d.planned_value(spend)  # = the optimizer's cell values
        frame["credited_value"] = d.credited(spend)
        frame["marginal_roi"] = result.plan["marginal_roi"].to_numpy()
        return frame.sort_values(["date", "channel", "segment"], kind="stable").reset_index(drop=True)[
            DAILY_COLUMNS + ["carry_in_spend", "landed_value"]]
