"""Planning: the optimizer's planner shared by sessions (cached per curves), a what-if solved on it, the
per-channel plan, the lift tests worth running, and the budget sweep (:meth:`optimizer.Planner.sweep`)."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from .curve_sets import CurveSet
from .whatif import WhatIf, scenario_of

if TYPE_CHECKING:  # names in annotations only; the optimizer is imported where it is used
    from optimizer import PlanResult, Scenario


class SharedPlanner:
    """A :class:`optimizer.Planner` shared by sessions (``st.cache_resource``); solves one at a time."""

    def __init__(self, table: pd.DataFrame, draws: pd.DataFrame | None = None):
        from optimizer import Planner
        from optimizer.draws import unfit_levels_zeroed

        self.table = table
        frame = table.drop(columns=["status", "warning"], errors="ignore")
        self.draws = unfit_levels_zeroed(draws, table) if draws is not None and len(draws) else None
        """the curve draws the planner weighs (unfit cells at level 0), as a table"""
        self.planner = Planner(frame, draws=self.draws)
        self.lock = threading.Lock()

    def solve(self, scenario: Scenario) -> PlanResult:
        with self.lock:
            return self.planner.solve(scenario)

    @property
    def has_draws(self) -> bool:
        return self.planner.draws is not None


def _table_token(table: pd.DataFrame) -> str:
    return hashlib.sha1(pd.util.hash_pandas_object(table, index=False).values.tobytes()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=8)
def shared_planner(token: str, _table: pd.DataFrame, _draws: pd.DataFrame | None = None) -> SharedPlanner:
    return SharedPlanner(_table, _draws)


def planner_for(curves: CurveSet) -> SharedPlanner:
    return shared_planner(curves.token or _table_token(curves.table), curves.table, curves.draws)


def solve(planner: SharedPlanner, w: WhatIf) -> PlanResult:
    return planner.solve(scenario_of(w, planner.table, has_draws=planner.has_draws))


def next_money(planner: SharedPlanner, result: PlanResult, delta_cny: float):
    """Where the next ``delta_cny`` a day goes (negative: where a cut comes from): :func:`optimizer.increment.next_money`
    on the shared planner's compiled problem, one solve at a time."""
    from optimizer.increment import next_money as increment

    with planner.lock:
        return increment(planner.planner, result, delta_cny)


def lift_tests_to_run(planner: SharedPlanner, w: WhatIf, result: PlanResult) -> pd.DataFrame:
    """channel, segment, value_cny_per_day, rank: the lift tests worth most to this plan (see
    :func:`optimizer.lift_value.lift_test_values`); empty without curve draws or a plan."""
    if not planner.has_draws or not result.solved:
        return pd.DataFrame(columns=["channel", "segment", "value_cny_per_day", "rank"])
    from optimizer.lift_value import lift_test_values

    table = planner.table
    unfit = table["status"].eq("unfit").to_numpy() if "status" in table.columns else np.zeros(len(table), bool)
    with planner.lock:
        return lift_test_values(planner.planner.curves, planner.draws, scenario_of(w, table), result.spend_cny,
                                cells=~unfit)


def channel_plan(result: PlanResult) -> pd.DataFrame:
    """Per channel: current_spend, planned_spend, current_value, planned_value, change, and marginal_roi
    (spend-weighted over the channel's cells with a finite marginal ROI), in the plan's channel order."""
    p = result.plan
    codes, channels = pd.factorize(p["channel"], sort=False)
    n = len(channels)

    def total(col: str) -> np.ndarray:
        return np.bincount(codes, weights=np.nan_to_num(p[col].to_numpy(dtype=float)), minlength=n)

    m = p["marginal_roi"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    w = np.where(ok, np.nan_to_num(p["spend"].to_numpy(dtype=float)) + 1e-9, 0.0)
    wsum = np.bincount(codes, weights=w, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mroi = np.where(wsum > 0, np.bincount(codes, weights=np.where(ok, m, 0.0) * w, minlength=n) / wsum, np.nan)
    out = pd.DataFrame({"channel": np.asarray(channels, dtype=object), "current_spend": total("current_spend"),
                        "planned_spend": total("spend"), "current_value": total("current_value"),
                        "planned_value": total("expected_value"), "marginal_roi": mroi})
    out["change"] = out["planned_spend"] - out["current_spend"]
    if "margin" in p.columns:  # 保本投产比 per channel and the plan's distance to it (PlanResult.by_channel)
        even = result.by_channel().set_index("channel")
        out["break_even_roi"] = even["break_even_roi"].reindex(out["channel"]).to_numpy()
        out["distance"] = even["distance"].reindex(out["channel"]).to_numpy()
    return out


SWEEP_MULTIPLES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
"""Budgets of the sweep, as multiples of today's spend: each point is one re-solve of the sweep's compiled problem."""


def sweep_budgets(current: float) -> np.ndarray:
    return np.round(current * np.asarray(SWEEP_MULTIPLES), 2)


def sweep(planner: SharedPlanner, w: WhatIf, budgets) -> pd.DataFrame:
    """budget, gmv, spend, roi, marginal_roi, feasible, gmv_p10, gmv_p90: the best plan at each budget (other
    settings as ``w``, planned on the estimate), by :meth:`optimizer.Planner.sweep`."""
    budgets = [float(b) for b in budgets]
    scenario = scenario_of(w, planner.table, budget=budgets[0] if budgets else w.budget)
    with planner.lock:
        return planner.planner.sweep(scenario, budgets)
