"""A scenario: the objective, the budget and the business rules, as frozen dataclasses that check themselves.

All rules are linear in spend (an ROI floor is linear in spend and concave value, hence convex),
so the problem stays convex. Each rule has one *level* (a budget, a share, a bound, an ROI, a
target) that the optimizer keeps as a cvxpy Parameter: changing levels re-solves without
rebuilding; changing which cells a rule covers (its ``select``) or adding a rule rebuilds.

Shares are shares of the planned spend (or traffic) of the rule's base cells, ``of``:
``Σ_select spend ≤ share · Σ_of spend``; traffic is ``spend / cpc`` and new-customer traffic
``new_customer_share · spend / cpc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from roimix import plan_defaults
from roimix.errors import ScenarioError
from roimix.messages import Message

OBJECTIVES = plan_defaults.OBJECTIVES
RISKS = ("mean", "cvar")
DEFAULT_NEW_PRODUCT_CAP = plan_defaults.NEW_PRODUCT_CAP
DEFAULT_NEW_CUSTOMER_CAP = plan_defaults.NEW_CUSTOMER_CAP
DEFAULT_CVAR_LEVEL = plan_defaults.CVAR_LEVEL
"""The defaults come from the ground (:mod:`roimix.plan_defaults`), as the shell's plan settings' do."""


class RuleError(ScenarioError):
    """A rule or objective is malformed; the message starts with the rule's name."""


def _choice(name: str, setting: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise RuleError(message=Message("plan.err.rule.not_choice", {
            "rule": name, "setting": setting, "choices": ", ".join(choices), "got": value}))


def _finite(name: str, label: str, value: float | None, *, low: float | None = 0.0, high: float | None = None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
        raise RuleError(message=Message("plan.err.rule.not_number", {"rule": name, "setting": label, "got": value}))
    if low is not None and value < low:
        raise RuleError(message=Message("plan.err.rule.below", {
            "rule": name, "setting": label, "low": float(low), "value": float(value)}))
    if high is not None and value > high:
        raise RuleError(message=Message("plan.err.rule.above", {
            "rule": name, "setting": label, "high": float(high), "value": float(value)}))


@dataclass(frozen=True)
class Select:
    """Which cells a rule covers: every non-empty field must match (an empty field matches all).

    ``where`` filters any other key or attribute column, e.g. ``(("day", (1, 2)),)``.
    """

    channels: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    key_platform: bool | None = None
    where: tuple[tuple[str, tuple], ...] = ()

    def __post_init__(self):
        for label in ("channels", "segments", "groups"):
            value = getattr(self, label)
            if isinstance(value, str):
                object.__setattr__(self, label, (value,))
            else:
                object.__setattr__(self, label, tuple(value))
        object.__setattr__(self, "where", tuple((str(k), tuple(v)) for k, v in self.where))

    def mask(self, keys: pd.DataFrame) -> np.ndarray:
        """Boolean mask over the rows of a curves ``keys`` frame."""
        out = np.ones(len(keys), dtype=bool)
        for column, wanted in (("channel", self.channels), ("segment", self.segments), ("group", self.groups)):
            if wanted:
                out &= keys[column].astype(str).isin(wanted).to_numpy()
        if self.key_platform is not None:
            out &= keys["key_platform"].fillna(False).astype(bool).to_numpy() == self.key_platform
        for column, wanted in self.where:
            if column not in keys.columns:
                raise RuleError(message=Message("plan.err.select.no_column", {
                    "column": column, "columns": ", ".join(map(str, keys.columns))}))
            out &= keys[column].isin(wanted).to_numpy()
        return out

    @property
    def is_all(self) -> bool:
        return self == ALL

    def describe(self) -> str:
        """The selection as data, the same in every language: ``channel=douyin,ztc; key_platform=false``
        (``*``: every cell)."""
        parts = [f"{label}={','.join(map(str, value))}" for label, value in
                 (("channel", self.channels), ("segment", self.segments), ("group", self.groups)) if value]
        if self.key_platform is not None:
            parts.append(f"key_platform={str(self.key_platform).lower()}")
        parts += [f"{k}={','.join(map(str, v))}" for k, v in self.where]
        return "; ".join(parts) or "*"


ALL = Select()


@dataclass(frozen=True)
class Budget:
    """Total spend per day: ``Σ spend = B·(1 − reserve)`` (``sense="eq"``) or ``≤`` (``"le"``)."""

    amount_cny_per_day: float
    sense: Literal["eq", "le"] = "eq"
    reserve_share: float = 0.0
    name: str = "budget"

    def __post_init__(self):
        _finite(self.name, "amount_cny_per_day", self.amount_cny_per_day)
        _finite(self.name, "reserve_share", self.reserve_share, high=0.99)
        _choice(self.name, "sense", self.sense, ("eq", "le"))

    @property
    def spendable_cny_per_day(self) -> float:
        return self.amount_cny_per_day * (1.0 - self.reserve_share)


@dataclass(frozen=True)
class ShareRule:
    """``Σ_select measure ≤ share · Σ_of measure`` (cap) or ``≥`` (floor).

    ``measure`` is ``spend``, ``traffic`` (spend/cpc) or ``new_customer_traffic``.
    """

    name: str
    share: float
    bound: Literal["cap", "floor"] = "cap"
    select: Select = ALL
    measure: Literal["spend", "traffic", "new_customer_traffic"] = "spend"
    of: Select = ALL

    def __post_init__(self):
        _finite(self.name, "share", self.share, high=1.0)
        _choice(self.name, "bound", self.bound, ("cap", "floor"))
        _choice(self.name, "measure", self.measure, ("spend", "traffic", "new_customer_traffic"))


@dataclass(frozen=True)
class Bounds:
    """Spend limits on each selected cell (``per="cell"``) or on their total (``per="total"``).

    With ``relative=True`` the limits are multiples of current spend (0.5 = half of today's).
    """

    name: str
    lower: float | None = None
    upper: float | None = None
    relative: bool = False
    per: Literal["cell", "total"] = "cell"
    select: Select = ALL

    def __post_init__(self):
        if self.lower is None and self.upper is None:
            raise RuleError(message=Message("plan.err.rule.no_limit", {"rule": self.name}))
        _finite(self.name, "lower", self.lower)
        _finite(self.name, "upper", self.upper)
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise RuleError(message=Message("plan.err.rule.lower_above_upper", {
                "rule": self.name, "lower": float(self.lower), "upper": float(self.upper)}))
        _choice(self.name, "per", self.per, ("cell", "total"))


@dataclass(frozen=True)
class Lock:
    """Selected cells keep ``level ×`` their current spend (``level=1``: unchanged)."""

    name: str
    select: Select
    level: float = 1.0

    def __post_init__(self):
        _finite(self.name, "level", self.level)
        if self.select.is_all:
            raise RuleError(message=Message("plan.err.rule.lock_all", {"rule": self.name}))


@dataclass(frozen=True)
class RoiFloor:
    """``GMV ≥ roi · spend`` over the selection (``per="total"``) or for each channel in it.

    ``measure="profit"`` weighs each cell's GMV by its margin: ``Σ margin_c · GMV_c ≥ roi · Σ spend_c``, so
    ``roi`` is a multiple of the break-even ROI (``roi = 1``: every row at least pays for its spend,
    保本投产比 ``1 / margin`` with each cell's own margin, returns already taken out of it)."""

    name: str
    roi: float
    select: Select = ALL
    per: Literal["total", "channel"] = "total"
    measure: Literal["gmv", "profit"] = "gmv"

    def __post_init__(self):
        _finite(self.name, "roi", self.roi)
        _choice(self.name, "per", self.per, ("total", "channel"))
        _choice(self.name, "measure", self.measure, ("gmv", "profit"))


@dataclass(frozen=True)
class LinearRule:
    """Extra rows ``C @ spend (≤ | ≥ | =) level · rhs`` over the cells (e.g. pacing by day).

    ``coefficients`` is a (rows × cells) array or sparse matrix in the order of the curves table,
    ``rhs`` in yuan per day. This is the hook for daily plans built on this optimizer.
    """

    name: str
    coefficients: object = field(compare=False, repr=False)
    rhs: object = field(compare=False, repr=False)
    sense: Literal["le", "ge", "eq"] = "le"
    level: float = 1.0
    key: str = ""
    """Identifies the rows' structure: rules with the same name and key share one compiled problem."""

    def __post_init__(self):
        _choice(self.name, "sense", self.sense, ("le", "ge", "eq"))
        _finite(self.name, "level", self.level, low=None)
        rhs = np.atleast_1d(np.asarray(self.rhs, dtype=float))
        if not np.all(np.isfinite(rhs)):
            raise RuleError(message=Message("plan.err.rule.rhs_not_finite", {"rule": self.name}))
        if self.coefficients is None or getattr(self.coefficients, "ndim", 2) != 2:
            raise RuleError(message=Message("plan.err.rule.coefficients_not_2d", {"rule": self.name}))
        if self.coefficients.shape[0] != len(rhs):
            raise RuleError(message=Message("plan.err.rule.rows_mismatch", {
                "rule": self.name, "n_rows": int(self.coefficients.shape[0]), "n_rhs": len(rhs)}))


Rule = ShareRule | Bounds | Lock | RoiFloor | LinearRule
RULE_TYPES = (ShareRule, Bounds, Lock, RoiFloor, LinearRule)


@dataclass(frozen=True)
class Risk:
    """How a plan weighs the curves' uncertainty (over curve draws, :mod:`optimizer.draws`).

    ``mean``: maximise the objective on the curves (the estimate, close to the draws' mean); the
    draws still give the plan's outcome distribution.
    ``cvar``: maximise the conditional value at risk of the plan's gain over the current allocation
    (Rockafellar & Uryasev 2000): the mean gain in the worst ``1 − level`` share of draws. Keeping
    today's allocation gains 0 in every draw, so where the evidence is weak the plan stays near it.
    Concave curves keep the problem convex. Level 0 is the mean gain over the draws.
    """

    kind: Literal["mean", "cvar"] = "mean"
    level: float = DEFAULT_CVAR_LEVEL

    def __post_init__(self):
        _choice("risk", "kind", self.kind, RISKS)
        _finite("risk", "level", self.level, low=0.0)
        if not self.level < 1:
            raise RuleError(message=Message("plan.err.risk.level_not_below_one", {"value": float(self.level)}))

    @classmethod
    def parse(cls, text: str) -> Risk:
        """``mean``, ``cvar`` (level :data:`DEFAULT_CVAR_LEVEL`) or ``cvar:0.8``."""
        kind, _, level = str(text).strip().partition(":")
        if kind not in RISKS or (level and kind != "cvar"):
            raise RuleError(message=Message("plan.err.risk.unreadable", {"got": text}))
        try:
            value = float(level) if level else None
        except ValueError:
            raise RuleError(message=Message("plan.err.risk.unreadable", {"got": text})) from None
        return cls(kind, value) if value is not None else cls(kind)  # a level out of range: its own RuleError

    def describe(self) -> str:
        return self.kind if self.kind == "mean" else f"cvar:{self.level:g}"


@dataclass(frozen=True)
class Objective:
    """``gmv``: max Σ GMV; ``profit``: max Σ margin·GMV − Σ spend; ``min_spend``: min Σ spend with GMV ≥ target.

    ``risk`` applies to ``gmv`` and ``profit`` (see :class:`Risk`)."""

    kind: Literal["gmv", "profit", "min_spend"] = "gmv"
    target_gmv_cny_per_day: float | None = None
    risk: Risk = Risk()

    def __post_init__(self):
        _choice("objective", "kind", self.kind, OBJECTIVES)
        _finite("GMV target", "target_gmv_cny_per_day", self.target_gmv_cny_per_day)
        if self.kind == "min_spend" and self.target_gmv_cny_per_day is None:
            raise RuleError(message=Message("plan.err.objective.min_spend_needs_target", {}))
        if not isinstance(self.risk, Risk):
            raise RuleError(message=Message("plan.err.risk.not_risk", {"got": self.risk}))
        if self.kind == "min_spend" and self.risk.kind != "mean":
            raise RuleError(message=Message("plan.err.risk.min_spend", {}))


@dataclass(frozen=True)
class Scenario:
    """What to optimise and under which rules."""

    objective: Objective = Objective()
    budget: Budget | None = None
    rules: tuple[Rule, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "rules", tuple(self.rules))
        for rule in self.rules:
            if not isinstance(rule, RULE_TYPES):
                raise RuleError(message=Message("plan.err.rule.not_a_rule", {
                    "got": rule, "choices": ", ".join(t.__name__ for t in RULE_TYPES)}))
        names = [r.name for r in self.rules] + ([self.budget.name] if self.budget else [])
        seen = {n for n in names if names.count(n) > 1}
        if seen:
            raise RuleError(message=Message("plan.err.rule.duplicate_name", {"rule": sorted(seen)[0]}))
        if self.objective.kind == "gmv" and self.budget is None:
            raise RuleError(message=Message("plan.err.objective.gmv_needs_budget", {}))

    def structure(self) -> tuple:
        """What the compiled problem depends on, besides the levels (which are Parameters)."""
        parts: list = [self.objective.kind, self.objective.target_gmv_cny_per_day is not None, self.objective.risk]
        parts.append(None if self.budget is None else (self.budget.name, self.budget.sense))
        for r in self.rules:
            if isinstance(r, ShareRule):
                parts.append(("share", r.name, r.bound, r.select, r.measure, r.of))
            elif isinstance(r, Bounds):
                parts.append(("bounds", r.name, r.lower is None, r.upper is None, r.relative, r.per, r.select))
            elif isinstance(r, Lock):
                parts.append(("lock", r.name, r.select))
            elif isinstance(r, RoiFloor):
                parts.append(("roi", r.name, r.select, r.per))
            else:
                parts.append(("linear", r.name, r.sense, r.key or id(r.coefficients)))
        return tuple(parts)

    def rule(self, name: str) -> Rule | Budget:
        if self.budget is not None and self.budget.name == name:
            return self.budget
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)

    def with_rule(self, rule: Rule | Budget) -> Scenario:
        """This scenario with the rule of the same name replaced (or the budget, for a :class:`Budget`)."""
        if isinstance(rule, Budget):
            return replace(self, budget=rule)
        return replace(self, rules=tuple(rule if r.name == rule.name else r for r in self.rules))


# --- the two default business rules ------------------------------------------------------------------


def new_product_cap(share: float = DEFAULT_NEW_PRODUCT_CAP, name: str = "new-product cap") -> ShareRule:
    """New-product spend ≤ ``share`` of planned spend (default 15%)."""
    return ShareRule(name, share, "cap", Select(segments=("new",)))


def new_customer_cap(share: float = DEFAULT_NEW_CUSTOMER_CAP, name: str = "new-customer cap") -> ShareRule:
    """New-customer traffic ≤ ``share`` of paid traffic (default 30%); traffic = spend / CPC."""
    return ShareRule(name, share, "cap", ALL, "new_customer_traffic")


def new_customer_floor(share: float, name: str = "new-customer floor") -> ShareRule:
    """New-customer traffic ≥ ``share`` of paid traffic."""
    return ShareRule(name, share, "floor", ALL, "new_customer_traffic")


def default_scenario(
    budget_cny_per_day: float | None,
    *,
    objective: str = "gmv",
    target_gmv_cny_per_day: float | None = None,
    budget_sense: str | None = None,
    reserve_share: float = 0.0,
    new_product_share: float | None = DEFAULT_NEW_PRODUCT_CAP,
    new_customer_share: float | None = DEFAULT_NEW_CUSTOMER_CAP,
    rules: tuple[Rule, ...] = (),
) -> Scenario:
    """The usual scenario: a budget (``=`` for gmv, ``≤`` otherwise), the two default caps, extra rules."""
    sense = budget_sense or ("eq" if objective == "gmv" else "le")
    budget = None if budget_cny_per_day is None else Budget(budget_cny_per_day, sense, reserve_share)
    base = []
    if new_product_share is not None:
        base.append(new_product_cap(new_product_share))
    if new_customer_share is not None:
        base.append(new_customer_cap(new_customer_share))
    return Scenario(Objective(objective, target_gmv_cny_per_day), budget, tuple(base) + tuple(rules))
