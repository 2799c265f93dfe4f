"""The optimise page's what-if settings and the optimizer scenario they make (rules named as the page shows them)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roimix import plan_defaults
from roimix.settings import BREAK_EVEN, PlanSettings, default, plan_scenario, profit_margin

if TYPE_CHECKING:  # names in annotations only
    from optimizer import Scenario


DEFAULT_MARGIN = default("margin")
"""The plan settings' default margin (:mod:`roimix.settings`)."""
CVAR_LEVEL = plan_defaults.CVAR_LEVEL
RISKS = ("mean", "cvar")
"""the page's 平均 / 稳健 (``cvar`` at :data:`CVAR_LEVEL`)"""

UNBOUNDED_X = 100.0
"""The 'no limit' upper bound, as a multiple of current spend (keeps every channel's rule in the problem)."""


@dataclass(frozen=True)
class WhatIf:
    """What the user set on the optimise page, in engine units (yuan per day, shares in 0–1)."""

    budget: float
    new_product_cap: float | None = default("new_product_cap")
    new_customer_cap: float | None = default("new_customer_cap")
    objective: str = default("objective")
    target_gmv: float | None = None
    roi_floor: float = 0.0
    roi_break_even: bool = False
    """the ROI floor is break-even (保本: margin × (1 − return rate) × GMV ≥ spend); ``roi_floor`` is then unused"""
    roi_per_channel: bool = False
    """the ROI floor holds for each channel"""
    bounds: tuple[tuple[str, float, float | None, bool], ...] = ()
    """(channel, lower × current, upper × current or None, locked)"""
    margin: float = DEFAULT_MARGIN
    """gross margin on GMV (0–1) of the profit objective"""
    return_rate: float = default("return_rate")
    """share of GMV returned (0–1): profit counts margin × (1 − return rate) of GMV"""
    risk: str = default("risk").partition(":")[0]
    """``cvar``: the plan maximises the mean gain over the worst 10 % of curve draws (stays near today
    where the evidence is weak); ``mean``: the plan on the estimate. Without draws both plan on the estimate."""

    @property
    def profit_margin(self) -> float:
        """The margin profit uses: margin × (1 − return rate)."""
        return profit_margin(self.margin, self.return_rate)

    def without_budget(self) -> WhatIf:
        return replace(self, budget=0.0)


def bounds_rule_name(channel: str) -> str:
    return f"bounds:{channel}"


def lock_rule_name(channel: str) -> str:
    return f"lock:{channel}"


def _unfit_cells(table: pd.DataFrame) -> list[tuple[str, str]]:
    if "status" not in table.columns:
        return []
    unfit = table["status"].to_numpy() == "unfit"
    return [(str(c), str(s)) for c, s in zip(table["channel"].to_numpy()[unfit], table["segment"].to_numpy()[unfit])]


def channel_rules(w: WhatIf, table: pd.DataFrame) -> tuple:
    """The what-if's per-channel rules as its plan holds them: bounds (× current spend, on the channel's total),
    locks, unfit cells kept at current spend, then the ROI floor."""
    return settings_of(w, table).channel_rules()


def _bounds_and_locks(w: WhatIf, table: pd.DataFrame) -> tuple:
    """Bounds, locks and unfit cells (built once per setting: a sweep asks for the same rules at every point)."""
    return _channel_rules(w.bounds, tuple(dict.fromkeys(table["channel"])), tuple(_unfit_cells(table)))


@functools.lru_cache(maxsize=256)
def _channel_rules(bounds: tuple, channel_list: tuple, unfit: tuple) -> tuple:
    from optimizer import Bounds, Lock, Select

    rules = []
    channels = set(channel_list)
    for channel, lower, upper, locked in bounds:
        if channel not in channels:
            continue
        if locked:
            rules.append(Lock(lock_rule_name(channel), Select(channels=(channel,))))
        else:
            # a zero minimum is no rule at all (spend is ≥ 0 anyway); it would only show as "binding"
            rules.append(Bounds(bounds_rule_name(channel), lower=float(lower) if lower and lower > 0 else None,
                                upper=float(UNBOUNDED_X if upper is None or not np.isfinite(upper) else upper),
                                relative=True, per="total", select=Select(channels=(channel,))))
    locked = {b[0] for b in bounds if b[3]}
    for channel, segment in unfit:
        if channel not in locked:
            rules.append(Lock(f"unfit:{channel}/{segment}", Select(channels=(channel,), segments=(segment,))))
    return tuple(rules)


def settings_of(w: WhatIf, table: pd.DataFrame, *, budget: float | None = None, days: int = 1) -> PlanSettings:
    """The plan settings of a what-if over a curves table (``budget`` and the daily GMV target over ``days``;
    a ROI floor of 0 is off)."""
    target = None
    if w.objective == "min_spend" and (w.target_gmv is not None or days > 1):  # a campaign's target: over its days
        target = (w.target_gmv or 0.0) * days
    return PlanSettings(
        objective=w.objective, budget_cny=w.budget if budget is None else budget, target_gmv_cny=target, days=days,
        new_product_cap=w.new_product_cap, new_customer_cap=w.new_customer_cap,
        roi_floor=BREAK_EVEN if w.roi_break_even else (float(w.roi_floor) if w.roi_floor else None),
        roi_floor_per="channel" if w.roi_per_channel else "total", margin=float(w.margin),
        return_rate=float(w.return_rate), risk=default("risk") if w.risk == "cvar" else "mean",
        rules=_bounds_and_locks(w, table),
    )


def scenario_of(w: WhatIf, table: pd.DataFrame, *, budget: float | None = None, has_draws: bool = False) -> Scenario:
    """The optimizer's scenario for a what-if over a curves table (weighing the risk only ``has_draws``)."""
    return plan_scenario(settings_of(w, table, budget=budget), has_draws=has_draws)
