"""One plan settings model: what the CLI options, a TOML scenario and the app's what-if all produce.

:class:`PlanSettings` owns every plan default once (the caps, the margin, the return rate, the
risk, the ROI floor, the objective, the reserve); its numbers come from :mod:`roimix.plan_defaults`,
the ground the optimizer reads too. Importing this module loads no optimizer (the app shows a page
before it). :func:`plan_scenario` is the one place settings become an optimizer
:class:`~optimizer.Scenario` (a daily plan) and :func:`campaign_scenario` a
:class:`~optimizer.campaign.CampaignScenario` (a plan over a horizon's days).

Money is in yuan over ``days`` days: 1 for a daily plan, the horizon's length for a campaign.
The per-channel rules (bounds, locks, cells kept at current spend) are optimizer rules each face
names as it shows them; the settings carry them as given and the builder puts them after the caps.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Literal

from roimix import plan_defaults
from roimix.errors import ScenarioError
from roimix.messages import Message

if TYPE_CHECKING:  # names in annotations only: the optimizer loads when a plan is built
    from optimizer import Budget, Objective, Risk, Rule, Scenario

MAX_RETURN_RATE = 0.95
BREAK_EVEN = "break-even"
"""``roi_floor`` as a word: the plan must at least pay for its spend (保本)."""
BREAK_EVEN_WORDS = (BREAK_EVEN, "breakeven", "保本")
MAX_RESERVE_SHARE = 0.99


class SettingsError(ScenarioError):
    """A plan setting is out of range or contradicts another; the message starts with the setting's name."""


def _number(name: str, value, *, low: float = 0.0, high: float | None = None, optional: bool = False) -> None:
    if value is None:
        if not optional:
            raise SettingsError(message=Message("plan.err.setting.missing", {"setting": name}))
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SettingsError(message=Message("plan.err.setting.not_number", {"setting": name, "got": value}))
    if high is not None and not low <= value <= high:
        raise SettingsError(message=Message("plan.err.setting.between", {
            "setting": name, "low": float(low), "high": float(high), "value": float(value)}))
    if value < low:
        raise SettingsError(message=Message("plan.err.setting.below", {
            "setting": name, "low": float(low), "value": float(value)}))


@dataclass(frozen=True)
class PlanSettings:
    """Everything a plan is computed with besides the curves; checks itself on construction."""

    objective: Literal["gmv", "profit", "min_spend"] = plan_defaults.OBJECTIVES[0]
    budget_cny: float | None = None
    """the budget over ``days`` (yuan); ``None`` only for profit or min_spend"""
    budget_sense: Literal["eq", "le"] | None = None
    """``eq``: spend the whole budget, ``le``: at most it; ``None``: ``eq`` for gmv, ``le`` otherwise"""
    reserve_share: float = 0.0
    """share of the budget held back"""
    target_gmv_cny: float | None = None
    """GMV to reach over ``days`` (objective min_spend)"""
    days: int = 1
    """the days the budget and the GMV target cover"""
    new_product_cap: float | None = plan_defaults.NEW_PRODUCT_CAP
    """new-product spend ≤ this share of planned spend (``None``: off)"""
    new_customer_cap: float | None = plan_defaults.NEW_CUSTOMER_CAP
    """new-customer traffic ≤ this share of paid traffic (``None``: off)"""
    new_customer_floor: float | None = None
    """new-customer traffic ≥ this share of paid traffic (``None``: off)"""
    roi_floor: float | Literal["break-even"] | None = None
    """incremental GMV ≥ this × spend (``None``: off); ``"break-even"`` (also ``保本``): margin × GMV ≥ spend, each
    cell at its own margin net of returns — the 保本投产比 ``1 / (margin × (1 − return rate))``"""
    roi_floor_per: Literal["total", "channel"] = "total"
    """the ROI floor holds over the whole plan (``total``) or for each channel (``channel``)"""
    margin: float = plan_defaults.MARGIN
    """gross margin on GMV for curves without their own"""
    return_rate: float = 0.0
    """share of GMV returned: profit counts margin × (1 − return rate)"""
    risk: str = f"cvar:{plan_defaults.CVAR_LEVEL:g}"
    """how the plan weighs the curves' uncertainty when it has curve draws (without draws: the mean): ``mean`` or
    ``cvar:LEVEL`` (a :class:`optimizer.Risk` given here is kept as its description)"""
    rules: tuple[Rule, ...] = ()
    """per-channel optimizer rules (bounds, locks, cells kept), named as the face shows them"""

    def __post_init__(self):
        from optimizer.scenario import RULE_TYPES, Risk, RuleError

        object.__setattr__(self, "rules", tuple(self.rules))
        if self.objective not in plan_defaults.OBJECTIVES:
            raise SettingsError(message=Message("plan.err.setting.not_choice", {
                "setting": "objective", "choices": ", ".join(plan_defaults.OBJECTIVES), "got": self.objective}))
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise SettingsError(message=Message("plan.err.setting.days", {"got": self.days}))
        _number("budget", self.budget_cny, optional=True)
        if self.objective == "gmv" and self.budget_cny is None:
            raise SettingsError(message=Message("plan.err.setting.gmv_needs_budget", {}))
        if self.budget_sense not in (None, "eq", "le"):
            raise SettingsError(message=Message("plan.err.setting.not_choice", {
                "setting": "budget sense", "choices": "eq, le", "got": self.budget_sense}))
        _number("reserve", self.reserve_share, high=MAX_RESERVE_SHARE)
        _number("target GMV", self.target_gmv_cny, optional=True)
        if self.objective == "min_spend" and self.target_gmv_cny is None:
            raise SettingsError(message=Message("plan.err.setting.min_spend_needs_target", {}))
        for name in ("new_product_cap", "new_customer_cap", "new_customer_floor"):
            _number(name.replace("_", "-"), getattr(self, name), high=1.0, optional=True)
        if isinstance(self.roi_floor, str):
            if self.roi_floor.strip().lower().replace("_", "-") not in BREAK_EVEN_WORDS:
                raise SettingsError(message=Message("plan.err.setting.roi_floor_word", {
                    "got": self.roi_floor, "word": BREAK_EVEN}))
            object.__setattr__(self, "roi_floor", BREAK_EVEN)
        else:
            _number("ROI floor", self.roi_floor, optional=True)
        if self.roi_floor_per not in ("total", "channel"):
            raise SettingsError(message=Message("plan.err.setting.not_choice", {
                "setting": "ROI floor per", "choices": "total, channel", "got": self.roi_floor_per}))
        _number("margin", self.margin, high=1.0)
        _number("return rate", self.return_rate, high=MAX_RETURN_RATE)
        if isinstance(self.risk, Risk):
            object.__setattr__(self, "risk", self.risk.describe())
        elif not isinstance(self.risk, str):
            raise SettingsError(message=Message("plan.err.setting.risk", {"got": self.risk}))
        try:
            object.__setattr__(self, "risk", Risk.parse(self.risk).describe())
        except RuleError:
            raise SettingsError(message=Message("plan.err.setting.risk", {"got": self.risk})) from None
        for rule in self.rules:
            if not isinstance(rule, RULE_TYPES):
                raise SettingsError(message=Message("plan.err.setting.not_a_rule", {"got": rule}))

    @property
    def sense(self) -> Literal["eq", "le"]:
        """The budget's sense: as given, else ``eq`` for gmv and ``le`` otherwise."""
        return self.budget_sense or ("eq" if self.objective == "gmv" else "le")

    @property
    def profit_margin(self) -> float:
        """The margin profit uses: margin × (1 − return rate)."""
        return profit_margin(self.margin, self.return_rate)

    def planned_risk(self, has_draws: bool) -> Risk:
        """The risk the plan weighs: the setting with curve draws, the mean without (nothing to weigh)."""
        from optimizer.scenario import Risk

        return Risk.parse(self.risk) if has_draws else Risk("mean")

    def budget(self) -> Budget | None:
        """A daily plan's budget (yuan a day); a campaign's is :class:`optimizer.campaign.CampaignBudget`."""
        from optimizer.scenario import Budget

        return None if self.budget_cny is None else Budget(self.budget_cny, self.sense, self.reserve_share)

    def share_rules(self) -> tuple[Rule, ...]:
        """The new-product cap, the new-customer cap and floor that are on, in that order."""
        from optimizer.scenario import new_customer_cap, new_customer_floor, new_product_cap

        out = []
        if self.new_product_cap is not None:
            out.append(new_product_cap(self.new_product_cap))
        if self.new_customer_cap is not None:
            out.append(new_customer_cap(self.new_customer_cap))
        if self.new_customer_floor is not None:
            out.append(new_customer_floor(self.new_customer_floor))
        return tuple(out)

    @property
    def break_even_roi(self) -> float:
        """保本投产比 at the settings' margin: 1 / (margin × (1 − return rate)) (inf at margin 0)."""
        share = self.profit_margin
        return 1.0 / share if share > 0 else math.inf

    def channel_rules(self) -> tuple[Rule, ...]:
        """The per-channel rules, then the ROI floor (when on): a number is a floor on incremental ROAS,
        ``"break-even"`` the floor margin × GMV ≥ spend (each cell's own margin)."""
        from optimizer.scenario import RoiFloor

        if self.roi_floor is None:
            return self.rules
        if self.roi_floor == BREAK_EVEN:
            return self.rules + (RoiFloor("break-even", 1.0, per=self.roi_floor_per, measure="profit"),)
        return self.rules + (RoiFloor("ROI floor", self.roi_floor, per=self.roi_floor_per),)

    def objective_of(self, has_draws: bool) -> Objective:
        from optimizer.scenario import Objective, Risk

        risk = self.planned_risk(has_draws) if self.objective != "min_spend" else Risk("mean")
        return Objective(self.objective, self.target_gmv_cny, risk)


def profit_margin(margin: float, return_rate: float) -> float:
    """The margin profit counts of GMV: margin × (1 − return rate)."""
    return float(margin) * (1.0 - float(return_rate))


def default(name: str):
    """A setting's default, e.g. ``default("new_product_cap")`` (for option defaults and documentation)."""
    for f in fields(PlanSettings):
        if f.name == name:
            return f.default
    raise KeyError(name)


def default_percent(name: str) -> float:
    """A share setting's default in percent (the app's sliders), e.g. 15 for the 15 % new-product cap."""
    return round(100.0 * default(name), 9)


def plan_scenario(settings: PlanSettings, *, has_draws: bool = False) -> Scenario:
    """The one optimizer scenario of a daily plan: the objective (with its risk when the planner has curve
    draws), the budget, the caps and floor, the per-channel rules, then the ROI floor."""
    from optimizer.scenario import Scenario

    if settings.days != 1:
        raise SettingsError(message=Message("plan.err.setting.daily_days", {"days": settings.days}))
    return Scenario(settings.objective_of(has_draws), settings.budget(),
                    settings.share_rules() + settings.channel_rules())


def campaign_scenario(settings: PlanSettings, daily, *, has_draws: bool = False):
    """The campaign scenario of a plan over ``settings.days`` days: the objective (with its risk when the campaign
    planner has curve draws, as for a daily plan), the budget and target over the horizon, the caps, the pacing
    rules ``daily`` (:class:`optimizer.campaign.DailyRules`) and the per-channel rules."""
    from optimizer.campaign import CampaignBudget, CampaignScenario

    if settings.new_customer_floor is not None:
        raise SettingsError(message=Message("plan.err.setting.campaign_floor", {}))
    budget = None if settings.budget_cny is None else CampaignBudget(settings.budget_cny, settings.sense,
                                                                      settings.reserve_share)
    return CampaignScenario(budget, settings.objective_of(has_draws),
                            settings.new_product_cap, settings.new_customer_cap, daily, settings.channel_rules())
