"""The rules of a daily plan, as optimizer rules over the daily cells (so the problem stays one convex program).

=======================  =====================================================================  ==========
rule                     constraint (x: spend per cell and day, c: current daily spend)           optimizer
=======================  =====================================================================  ==========
budget                   Σ x = B·(1 − reserve) (or ≤) over the whole horizon                      CampaignBudget
new-product cap          Σ_new x ≤ s · Σ x, over the horizon [and within each phase, regular      ShareRule
                         days being one]
new-customer cap         new-customer traffic ≤ s · traffic [and within each phase]               ShareRule
key daily minimum        x_{i,t} ≥ μ · c_i for key platforms, every day (steady pacing)           Bounds
day-to-day change        |x_{i,t} − x_{i,t−1}| ≤ δ · c_i (key platforms, or all)                  LinearRule
non-key off-day share    Σ_{non-key, off days} x ≤ s · Σ_{non-key} x, off days = not weekend      ShareRule
                         and/or not peak (``focus``)
=======================  =====================================================================  ==========

The day-to-day change is a :class:`LinearRule` whose level is δ in percent of current daily spend
(``rhs = c/100``), so one unit of relaxation is one percentage point. Every level is a cvxpy
Parameter: changing a number re-solves without rebuilding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import scipy.sparse as sp

from optimizer.scenario import (
    DEFAULT_NEW_CUSTOMER_CAP, DEFAULT_NEW_PRODUCT_CAP, Bounds, Budget, LinearRule, Objective, RuleError, Scenario,
    Select, ShareRule, _finite,
)
from roimix.messages import Message

from .daily import DailyCurves

FOCUS = ("none", "weekends", "peak", "weekends+peak")
CHANGE_SCOPES = ("key", "all")
NEW_PRODUCT = "new-product cap"
NEW_CUSTOMER = "new-customer cap"
KEY_MINIMUM = "key daily minimum"
CHANGE = "day-to-day change"
OFF_DAYS = "non-key off-day share"
FLAT = "flat"
PEAK = "peak"


def phase_rule_name(rule: str, phase: str) -> str:
    """``new-product cap [peak]``: a share rule held within one phase."""
    return f"{rule} [{phase}]"


@dataclass(frozen=True)
class DailyRules:
    """The pacing rules of a daily plan (``None`` switches a rule off).

    ``key_daily_min``: key platforms spend ≥ this × their current daily spend every day.
    ``max_daily_change``: each selected cell's spend moves by ≤ this × its current daily spend from
    one day to the next (``change_applies_to``: key platforms or all cells).
    ``non_key_focus``/``non_key_offday_share``: non-key platforms put ≤ this share of their spend
    on days that are not focus days (weekends, peak days or both); ``none`` leaves them free.
    ``per_phase``: the new-product and new-customer caps also hold within each phase.
    """

    key_daily_min: float | None = 0.5
    max_daily_change: float | None = None
    change_applies_to: Literal["key", "all"] = "key"
    non_key_focus: Literal["none", "weekends", "peak", "weekends+peak"] = "none"
    non_key_offday_share: float = 0.0
    per_phase: bool = False

    def __post_init__(self):
        _finite(KEY_MINIMUM, "key_daily_min", self.key_daily_min, high=100.0)
        _finite(CHANGE, "max_daily_change", self.max_daily_change, high=100.0)
        _finite(OFF_DAYS, "non_key_offday_share", self.non_key_offday_share, high=1.0)
        if self.change_applies_to not in CHANGE_SCOPES:
            raise RuleError(message=Message("plan.err.rule.not_choice", {
                "rule": CHANGE, "setting": "change_applies_to", "choices": ", ".join(CHANGE_SCOPES),
                "got": self.change_applies_to}))
        if self.non_key_focus not in FOCUS:
            raise RuleError(message=Message("plan.err.rule.not_choice", {
                "rule": OFF_DAYS, "setting": "non_key_focus", "choices": ", ".join(FOCUS), "got": self.non_key_focus}))


@dataclass(frozen=True)
class CampaignBudget:
    """The budget over the whole horizon: ``Σ_days Σ_cells spend = total·(1 − reserve)`` (``eq``) or ``≤``.

    Not a :class:`~optimizer.scenario.Budget`, whose amount is per day: :meth:`rule` is the optimizer rule over
    the daily cells (one budget row whose level is this total)."""

    total_cny: float
    sense: Literal["eq", "le"] = "eq"
    reserve_share: float = 0.0
    name: str = "budget"

    def __post_init__(self):
        self.rule()  # checks the amount, the reserve and the sense as the optimizer's budget does

    @property
    def spendable_cny(self) -> float:
        return self.total_cny * (1.0 - self.reserve_share)

    def rule(self) -> Budget:
        """The optimizer's budget row over the daily cells: their spend summed over every day."""
        return Budget(self.total_cny, self.sense, self.reserve_share, self.name)


@dataclass(frozen=True)
class CampaignScenario:
    """What a daily plan optimises and under which rules; money is in yuan over the whole horizon.

    ``rules`` are any further optimizer rules over the daily cells (channel bounds relative to
    current spend hold per day; ``per="total"`` bounds compare the horizon's total with the
    current spend over as many days).
    """

    budget: CampaignBudget | None
    """the budget over the horizon (a :class:`~optimizer.scenario.Budget` given here is read as that total)"""
    objective: Objective = Objective()
    new_product_cap: float | None = DEFAULT_NEW_PRODUCT_CAP
    new_customer_cap: float | None = DEFAULT_NEW_CUSTOMER_CAP
    daily: DailyRules = DailyRules()
    rules: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "rules", tuple(self.rules))
        if isinstance(self.budget, Budget):
            b = self.budget
            object.__setattr__(self, "budget", CampaignBudget(b.amount_cny_per_day, b.sense, b.reserve_share, b.name))
        if self.budget is not None and not isinstance(self.budget, CampaignBudget):
            raise RuleError(message=Message("plan.err.campaign.budget_type", {"got": self.budget}))
        _finite(NEW_PRODUCT, "share", self.new_product_cap, high=1.0)
        _finite(NEW_CUSTOMER, "share", self.new_customer_cap, high=1.0)
        if self.objective.kind == "gmv" and self.budget is None:
            raise RuleError(message=Message("plan.err.objective.gmv_needs_budget", {}))


def scenario_for(daily: DailyCurves, setup: CampaignScenario, *, flat: bool = False) -> Scenario:
    """The optimizer scenario of ``setup`` over ``daily``'s cells.

    ``flat=True`` gives the timing-blind comparison: every cell spends the same each day (the
    off-day rule, which contradicts that, is left out); all other rules stay.
    """
    keys = daily.curves.keys
    phases = list(dict.fromkeys(daily.days["phase"]))
    rules: list = []
    caps = ((NEW_PRODUCT, setup.new_product_cap, Select(segments=("new",)), "spend"),
            (NEW_CUSTOMER, setup.new_customer_cap, Select(), "new_customer_traffic"))
    for name, share, select, measure in caps:
        if share is None:
            continue
        rules.append(ShareRule(name, share, "cap", select, measure))
        if setup.daily.per_phase:
            for p in phases:
                where = (("phase", (p,)),)
                rules.append(ShareRule(phase_rule_name(name, p), share, "cap", replace(select, where=where), measure,
                                       Select(where=where)))
    d = setup.daily
    key = keys["key_platform"].fillna(False).astype(bool).to_numpy()
    if d.key_daily_min is not None and key.any():
        rules.append(Bounds(KEY_MINIMUM, lower=d.key_daily_min, relative=True, select=Select(key_platform=True)))
    if flat:
        rules.append(flat_rule(daily))
    else:
        if d.max_daily_change is not None:
            change = change_rule(daily, d.max_daily_change, key if d.change_applies_to == "key" else None)
            if change is not None:
                rules.append(change)
        if d.non_key_focus != "none" and (~key).any():
            rules.append(offday_rule(daily, d.non_key_focus, d.non_key_offday_share))
    return Scenario(setup.objective, None if setup.budget is None else setup.budget.rule(), tuple(rules) + setup.rules)


def _consecutive(daily: DailyCurves, cells: np.ndarray | None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows ``x_{i,t} − x_{i,t−1}`` for the curves ``i`` selected by the daily-cell mask ``cells``,
    and the index of each row's curve."""
    T, n = daily.n_days, daily.n
    curves = np.arange(n // T) if cells is None else np.flatnonzero(cells.reshape(-1, T).any(axis=1))
    if T < 2 or len(curves) == 0:
        return sp.csr_matrix((0, n)), np.array([], dtype=int)
    curve = np.repeat(curves, T - 1)
    later = curve * T + np.tile(np.arange(1, T), len(curves))
    rows = np.arange(len(later))
    D = sp.csr_matrix((np.r_[np.ones(len(rows)), -np.ones(len(rows))], (np.r_[rows, rows], np.r_[later, later - 1])),
                      shape=(len(rows), n))
    return D, curve


def change_rule(daily: DailyCurves, limit: float, cells: np.ndarray | None) -> LinearRule | None:
    """``±(x_{i,t} − x_{i,t−1}) ≤ (limit·100) · c_i/100``: the level is the limit in percent of current spend."""
    D, curve = _consecutive(daily, cells)
    if D.shape[0] == 0:
        return None
    current = daily.cells["current_spend"].to_numpy(dtype=float)[curve] / 100.0
    scope = "all" if cells is None else "key"
    return LinearRule(CHANGE, sp.vstack([D, -D], format="csr"), np.r_[current, current], "le", 100.0 * limit,
                      key=f"change:{scope}:{daily.n}")


def flat_rule(daily: DailyCurves) -> LinearRule:
    """``x_{i,t} = x_{i,t−1}`` for every curve: a plan that spends the same every day."""
    D, _ = _consecutive(daily, None)
    return LinearRule(FLAT, D, np.zeros(D.shape[0]), "eq", 0.0, key=f"flat:{daily.n}")


def offday_rule(daily: DailyCurves, focus: str, share: float) -> ShareRule:
    """Non-key spend on non-focus days ≤ ``share`` of all non-key spend."""
    where: list = []
    if "weekends" in focus:
        where.append(("weekend", (False,)))
    if "peak" in focus:
        if PEAK not in set(daily.days["phase"]):
            raise RuleError(message=Message("plan.err.campaign.no_peak", {"rule": OFF_DAYS, "phase": PEAK}))
        where.append(("phase", tuple(p for p in dict.fromkeys(daily.days["phase"]) if p != PEAK)))
    return ShareRule(OFF_DAYS, share, "cap", Select(key_platform=False, where=tuple(where)), "spend",
                     Select(key_platform=False))
