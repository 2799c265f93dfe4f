"""The optimise page's what-if settings and the optimizer scenario they make (rules named as the page shows them)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # names in annotations only
    from optimizer import Scenario


DEFAULT_MARGIN = 0.45
"""``optimizer.curves.DEFAULT_MARGIN`` (tests/app/test_engine.py checks they agree)."""

UNBOUNDED_X = 100.0
"""The 'no limit' upper bound, as a multiple of current spend (keeps every channel's rule in the problem)."""


@dataclass(frozen=True)
class WhatIf:
    """What the user set on the optimise page, in engine units (yuan per day, shares in 0–1)."""

    budget: float
    new_product_cap: float | None = 0.15
    new_customer_cap: float | None = 0.30
    objective: str = "gmv"
    target_gmv: float | None = None
    roi_floor: float = 0.0
    bounds: tuple[tuple[str, float, float | None, bool], ...] = ()
    """(channel, lower × current, upper × current or None, locked)"""
    margin: float = DEFAULT_MARGIN
    """gross margin on GMV (0–1) of the profit objective"""
    return_rate: float = 0.0
    """share of GMV returned (0–1): profit counts margin × (1 − return rate) of GMV"""
    risk: str = "cvar"
    """``cvar``: the plan maximises the mean gain over the worst 10 % of curve draws (stays near today
    where the evidence is weak); ``mean``: the plan on the estimate. Without draws both plan on the estimate."""

    @property
    def profit_margin(self) -> float:
        """The margin profit uses: margin × (1 − return rate)."""
        return float(self.margin) * (1.0 - float(self.return_rate))

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
    """The what-if's per-channel rules: bounds (× current spend, on the channel's total), locks, unfit cells kept
    at current spend, and the ROI floor (built once per setting: a sweep asks for the same rules at every point)."""
    return _channel_rules(w.bounds, float(w.roi_floor or 0.0), tuple(dict.fromkeys(table["channel"])),
                          tuple(_unfit_cells(table)))


@functools.lru_cache(maxsize=256)
def _channel_rules(bounds: tuple, roi_floor: float, channel_list: tuple, unfit: tuple) -> tuple:
    from optimizer import Bounds, Lock, RoiFloor, Select

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
    if roi_floor > 0:
        rules.append(RoiFloor("ROI floor", roi_floor))
    return tuple(rules)


def scenario_of(w: WhatIf, table: pd.DataFrame, *, budget: float | None = None) -> Scenario:
    """The optimizer's scenario for a what-if over a curves table."""
    from optimizer import default_scenario

    amount = w.budget if budget is None else budget
    target = w.target_gmv if w.objective == "min_spend" else None
    return default_scenario(
        amount, objective=w.objective, target_gmv_cny_per_day=target,
        new_product_share=w.new_product_cap, new_customer_share=w.new_customer_cap, rules=channel_rules(w, table),
    )


RISKS = ("mean", "cvar")
CVAR_LEVEL = 0.9
