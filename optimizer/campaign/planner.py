"""Daily campaign plans: one convex problem over (channel, segment, day) cells, solved by the optimizer's Planner.

>>> planner = CampaignPlanner(curves, Horizon("2026-05-10", "2026-06-25"), template("618", 2026))  # doctest: +SKIP
>>> result = planner.solve(CampaignScenario(Budget(3_000_000, reserve_share=0.05)))             # doctest: +SKIP
>>> flat = planner.solve(setup, flat=True)          # same rules, every cell the same each day   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimizer.curves import Curves
from optimizer.draws import CurveDraws, Outcome
from optimizer.planner import MIN_DRAWS_PER_HALF, OUTCOME_SPREAD_SCALE, Planner
from optimizer.problem import DEFAULT_SOLVER
from optimizer.result import PlanResult
from roimix.plan_defaults import CAMPAIGN_CHOICE_DRAWS, CAMPAIGN_CHOICE_ROWS, CAMPAIGN_MIN_CHOICE_DRAWS

from .calendar import Campaign
from .daily import (
    DailyCurves, DailyDraws, Horizon, carry_in_after, cell_curves, daily_curves, daily_draws, day_table, first_draws,
)
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
    spent_days: int = 0
    """days of the campaign already spent before this plan's first day (a re-plan of the rest); 0: the whole"""

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


DRAWS_SOLVER_OPTIONS = {"max_step_fraction": 0.9}
"""Clarabel's step limit for a campaign plan weighing risk over curve draws (unless the caller gives options).
Measured on the sample's 618 (47 days × 14 cells, 20–40 draws of level and scale): with the optimizer's usual
steps (97 %, then 95 % with equilibration) Clarabel stopped short (``InsufficientProgress``) on the even plan
and on some dated plans; with steps of 90 % both solved in about as many iterations (45–50)."""
DRAWS_FALLBACK_OPTIONS = ({"max_step_fraction": 0.8},)
"""Tried in turn when a plan over the draws still stalls with :data:`DRAWS_SOLVER_OPTIONS`: the app's campaign plan
on aggregate-mode curves (the sample's spend and total GMV, 618) stalled at 90 % and solved at 80 %, while the
batch's even plan on fitted curves did the opposite, so neither step alone serves every plan."""


def choice_count(n_daily_cells: int) -> int:
    """How many draws a campaign plan over ``n_daily_cells`` (channel, segment, day) cells is chosen on:
    :data:`~roimix.plan_defaults.CAMPAIGN_CHOICE_DRAWS`, fewer when draws × cells would pass
    :data:`~roimix.plan_defaults.CAMPAIGN_CHOICE_ROWS`, never fewer than
    :data:`~roimix.plan_defaults.CAMPAIGN_MIN_CHOICE_DRAWS`."""
    fit = CAMPAIGN_CHOICE_ROWS // max(int(n_daily_cells), 1)
    return int(max(CAMPAIGN_MIN_CHOICE_DRAWS, min(CAMPAIGN_CHOICE_DRAWS, fit)))


class _DailyDrawsPlanner(Planner):
    """The optimizer's :class:`~optimizer.planner.Planner` over daily cells with curve draws of those cells.

    ``Planner`` takes draws for steady-state cells only (its draws value a plan at its spend). Daily draws
    (:class:`~optimizer.campaign.daily.DailyDraws`) value a plan at its effective spend, carry-over and
    carry-in included, and :class:`~optimizer.problem.Program` already composes the draws' curves with the
    carry-over (through the effective spend ``w``), so the planner is given them after it is built: plans
    are chosen on ``choice`` (the CVaR objective and its true value), and ``PlanResult.spread`` is stated
    on ``judge``."""

    def __init__(self, curves: Curves, *, choice: DailyDraws, judge: DailyDraws, apart: bool, risk_options: dict,
                 **options):
        super().__init__(curves, **options)
        self.draws, self.choice_draws, self.judge_draws, self.judged_apart = choice, choice, judge, apart
        self._options = {"mean": self.solver_options, "cvar": dict(risk_options)}
        self._fallback = DRAWS_FALLBACK_OPTIONS if risk_options == DRAWS_SOLVER_OPTIONS else ()

    def solve(self, scenario):
        """:meth:`Planner.solve`, with Clarabel's options for a plan over the draws when it weighs risk (a plan on
        the estimate is solved exactly as without draws)."""
        risky = scenario.objective.risk.kind == "cvar"
        self.solver_options = self._options["cvar" if risky else "mean"]
        result = super().solve(scenario)
        for options in (self._fallback if risky else ()):
            if result.status != "solver_error":
                break
            self.solver_options = dict(options)
            result = super().solve(scenario)
        return result


class CampaignPlanner:
    """Plans spend per (channel, segment, day) over ``horizon`` on one set of curves.

    The daily cells, their carry-over and the compiled problems are built once; ``solve`` with a
    scenario of the same structure (only numbers changed) re-solves through cvxpy Parameters.

    ``draws`` (a draws table of the (channel, segment) cells, :data:`optimizer.draws.DRAW_COLUMNS`) lets a
    scenario weigh risk (``Objective.risk``, CVaR of the campaign's GMV gain over today's allocation across
    the draws, as a daily plan does): every draw's daily cells get the day's multiplier, the carry-over and
    the last day's carry-out exactly as the estimate's (:func:`~optimizer.campaign.daily.daily_draws`).
    As for daily plans, with at least ``2 · MIN_DRAWS_PER_HALF`` draws the plan is chosen on the even
    draws and its outcome (:meth:`outcome`) stated on the odd ones, which it never saw, widened by
    ``OUTCOME_SPREAD_SCALE``; of the even draws only the first ``choice_draws`` choose the plan (default
    :func:`choice_count`): each is a copy of every daily cell in the problem.
    """

    def __init__(self, curves: pd.DataFrame, horizon: Horizon, campaign: Campaign | None = None, *,
                 weekend_multiplier: float = 1.0, default_lag_days: float = 1.0, solver: str = DEFAULT_SOLVER,
                 solver_options: dict | None = None, value_carry_out: bool = True,
                 draws: pd.DataFrame | None = None, choice_draws: int | None = None, judge_apart: bool = True,
                 spent: np.ndarray | None = None):
        self.horizon, self.campaign = horizon, campaign
        days = day_table(horizon, campaign, weekend_multiplier=weekend_multiplier)
        self.daily: DailyCurves = daily_curves(curves, days, campaign, default_lag_days=default_lag_days,
                                               value_carry_out=value_carry_out)
        if spent is not None:  # days already spent before the horizon: their carry-over in, not the current spend's
            self.daily = replace(self.daily, carry_in=carry_in_after(self.daily, spent))
        objective = self.daily.objective_curves if self.daily.objective_curves is not None else self.daily.curves
        self.cells: Curves = cell_curves(self.daily)
        self.choice_draws = self.judge_draws = None
        """the (channel, segment) draws the plans are chosen on and those their outcome is stated on"""
        self.judged_apart = False
        options = dict(carryover=self.daily.carryover, carry_in=self.daily.carry_in, solver=solver,
                       solver_options=solver_options)
        if draws is None or not len(draws):
            self.planner = Planner(objective, **options)
            return
        every = CurveDraws.from_frame(draws, self.cells)
        self.judged_apart = judge_apart and every.n_draws >= 2 * MIN_DRAWS_PER_HALF
        choice, judge = every.halves() if self.judged_apart else (every, every)
        n_choice = choice_count(self.daily.n) if choice_draws is None else max(int(choice_draws), 1)
        self.choice_draws, self.judge_draws = first_draws(choice, n_choice), judge
        risk_options = DRAWS_SOLVER_OPTIONS if str(solver).upper() == "CLARABEL" and not solver_options \
            else dict(solver_options or {})
        self.planner = _DailyDrawsPlanner(objective, choice=daily_draws(self.daily, self.choice_draws),
                                          judge=daily_draws(self.daily, judge), apart=self.judged_apart,
                                          risk_options=risk_options, **options)

    @property
    def has_draws(self) -> bool:
        return self.choice_draws is not None

    @property
    def spread_scale(self) -> float:
        """How much a stated range widens the held-out draws' spread (1 when chosen and judged on the same draws)."""
        return OUTCOME_SPREAD_SCALE if self.judged_apart else 1.0

    def outcome(self, plan: CampaignResult, even: CampaignResult | None) -> Outcome | None:
        """The plan's GMV gain over ``even`` over the horizon across the draws it was not chosen on (see
        :func:`optimizer.campaign.outcome.campaign_outcome`); ``None`` without draws or without both plans."""
        from .outcome import draws_outcome

        if not self.has_draws:
            return None
        return draws_outcome(self.cells, self.judge_draws, plan, even, self.spread_scale)

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
