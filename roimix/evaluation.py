"""Decision quality: how much of the achievable GMV uplift a plan captures, scored by the known truth.

A plan is judged by the *true* curves, never by the curves it was made from:

    capture = (V(plan) − V(current)) / (V(oracle) − V(current)),

with ``V`` the true expected GMV per day and ``oracle`` the optimal plan on the true curves under
the same scenario. 1 is the best possible plan; 0 is no better than today; below 0 loses money.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer import Bounds, Planner, Scenario, curves_from_frame, default_scenario

EVALUATION_BOUNDS = (0.3, 3.0)
"""Each cell may move between 30 % and 300 % of its current spend in the evaluation scenario."""


@dataclass(frozen=True)
class Score:
    capture: float
    uplift_cny_per_day: float
    oracle_uplift_cny_per_day: float
    status: str


def evaluation_scenario(current_total_cny: float) -> Scenario:
    """Same budget as today, the default new-product and new-customer caps, cells within 0.3–3× today."""
    low, high = EVALUATION_BOUNDS
    return default_scenario(current_total_cny, rules=(Bounds("evaluation bounds", low, high, relative=True),))


def plan_spend(curves: pd.DataFrame, scenario: Scenario) -> tuple[np.ndarray, str]:
    """Planned spend per row of ``curves`` (rows whose status is ``unfit`` are locked at current spend)."""
    frame = curves.copy()
    if "status" in frame.columns:
        unfit = frame["status"].eq("unfit").to_numpy()
        frame.loc[unfit, "a"] = 0.0
    result = Planner(curves_from_frame(frame)).solve(_lock_unfit(scenario, frame))
    spend = result.plan["spend"].to_numpy() if result.solved else frame["current_spend"].to_numpy(dtype=float)
    return spend, result.status


def score(true_curves: pd.DataFrame, spend: np.ndarray, scenario: Scenario) -> Score:
    """Capture of ``spend`` (aligned with ``true_curves`` rows) against the oracle plan."""
    truth = curves_from_frame(true_curves)
    current = truth.current_spend_cny
    oracle = Planner(truth).solve(scenario)
    v = lambda x: float(truth.value(np.asarray(x, dtype=float)).sum())  # noqa: E731
    best = v(oracle.plan["spend"].to_numpy()) - v(current)
    got = v(spend) - v(current)
    return Score(got / best if best > 0 else float("nan"), got, best, oracle.status)


def _lock_unfit(scenario: Scenario, frame: pd.DataFrame) -> Scenario:
    if "status" not in frame.columns or not frame["status"].eq("unfit").any():
        return scenario
    from optimizer import Lock, Select

    cells = frame.loc[frame["status"].eq("unfit"), "channel"].astype(str).tolist()
    segments = frame.loc[frame["status"].eq("unfit"), "segment"].astype(str).tolist()
    locks = tuple(Lock(f"unfit {c}/{s}", Select(channels=(c,), segments=(s,))) for c, s in zip(cells, segments))
    return Scenario(scenario.objective, scenario.budget, scenario.rules + locks)
