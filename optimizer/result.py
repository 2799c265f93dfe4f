"""The result of one plan: status, the plan per cell, totals and uplift, rules, evidence and timings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .curves import Curves
from .draws import Outcome
from .explain import Message, Relaxation
from .problem import SOLVED
from .scenario import Scenario

PLAN_COLUMNS = (
    "current_spend", "spend", "change", "current_value", "expected_value", "current_roi", "roi",
    "current_marginal_roi", "marginal_roi", "clicks", "new_customer_clicks", "margin", "family", "s_shaped",
)
"""Per-cell columns after the key columns. Money is yuan per day; ROI is GMV per yuan of spend."""


@dataclass(frozen=True)
class Totals:
    """Whole-plan figures, per day, against the current allocation."""

    current_spend_cny: float
    spend_cny: float
    current_gmv_cny: float
    gmv_cny: float
    gmv_uplift_cny: float
    gmv_uplift_share: float
    current_roi: float
    roi: float
    roi_uplift: float
    current_profit_cny: float
    profit_cny: float
    reserve_cny: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """Why the plan can be trusted.

    ``duality_gap_cny`` is the solver's own duality gap, |primal − dual objective| of the problem it
    solved, in money; ``relative_duality_gap`` divides it by the plan's GMV or spend (whichever is
    larger; without a plan, by the solver's objective); ``primal_residual`` and ``dual_residual`` are the
    solver's (Clarabel's) scaled residuals. ``bound_cny`` is the best objective any plan could reach
    (upper for gmv/profit, lower for min_spend): the solver's dual objective (objective ± duality gap),
    for S-curves that of the optimum on their concave envelope; no tolerance is added, so it holds up to
    the solver's own inexactness (residuals and gap, about 1e-8 relative together).
    ``optimality_gap_cny = |bound − objective|`` where ``objective_cny`` is the true objective of the
    returned plan (S-curves at their true value); ``relative_gap`` divides it by the largest of the plan's
    objective, bound, GMV and spend and today's GMV (a profit can be near zero, and a plan the rules hold at ¥0
    is judged against the market it plans, not against its own ¥0).
    """

    objective_cny: float
    bound_cny: float
    optimality_gap_cny: float
    relative_gap: float
    duality_gap_cny: float
    relative_duality_gap: float
    primal_residual: float
    dual_residual: float
    max_violation: float
    envelope: bool
    solver: str
    solver_status: str
    iterations: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Timings:
    """Seconds. ``first_solve_s``: build + compile + solve the first time this structure was solved;
    ``resolve_s``: this solve when it reused the compiled problem (else ``None``); ``solver_s``: the
    solver's own time in this solve; ``total_s``: this call, polishing and diagnosis included.
    """

    first_solve_s: float
    resolve_s: float | None
    solver_s: float
    compile_s: float
    build_s: float
    total_s: float

    def as_dict(self) -> dict:
        return asdict(self)


FEN_CNY = 0.01
"""One fen: spend below it is no spend when a ratio to spend is shown."""


@dataclass(frozen=True)
class PlanResult:
    """Everything one solve produced; ``plan`` and ``rules`` are tidy frames (one row per cell / rule)."""

    status: str
    objective: str
    plan: pd.DataFrame
    rules: pd.DataFrame
    totals: Totals | None
    evidence: Evidence
    timings: Timings
    messages: tuple[Message, ...]
    conflicts: tuple[Relaxation, ...] = ()
    detail: str = ""
    outcome: Outcome | None = None
    """The plan's uplift across the curve draws (None without draws)."""
    risk: str = "mean"
    """What the plan maximised: ``mean`` or ``cvar:LEVEL`` (see :class:`optimizer.scenario.Risk`)."""
    scenario: Scenario | None = None
    """The scenario this plan was solved for (its objective, budget and rules)."""

    @property
    def budget_cny(self) -> float | None:
        """The budget of the plan's scenario (yuan over the plan's days), or None without one."""
        budget = None if self.scenario is None else self.scenario.budget
        return None if budget is None else budget.amount_cny_per_day

    @property
    def solved(self) -> bool:
        return self.status in SOLVED

    @property
    def spend_cny(self) -> np.ndarray:
        return self.plan["spend"].to_numpy()

    def binding(self) -> pd.DataFrame:
        return self.rules[self.rules["binding"]]

    def by_channel(self) -> pd.DataFrame:
        """Per channel (segments summed): spend, expected GMV, incremental ROAS (GMV ÷ spend), the break-even
        ROAS (保本投产比: GMV ÷ margin-weighted GMV, i.e. ``1 / margin`` when the channel's cells share one margin,
        returns already out of the margin) and the distance ``roi − break_even_roi`` (ROAS points; < 0: the
        channel's spend does not pay for itself), for today's allocation and the plan."""
        p = self.plan
        frame = p.assign(
            margin_value=p["margin"] * p["expected_value"], current_margin_value=p["margin"] * p["current_value"])
        out = frame.groupby("channel", sort=False, as_index=False)[
            ["current_spend", "spend", "current_value", "expected_value", "current_margin_value", "margin_value"]].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            # below one fen a day a channel has no ROAS (value ÷ a solver's 1e-9 yuan is its marginal ROAS at 0)
            out["current_roi"] = np.where(out["current_spend"] >= FEN_CNY, out["current_value"] / out["current_spend"],
                                          np.nan)
            out["roi"] = np.where(out["spend"] >= FEN_CNY, out["expected_value"] / out["spend"], np.nan)
            value = np.where(out["expected_value"] > 0, out["expected_value"], out["current_value"])
            margin_value = np.where(out["expected_value"] > 0, out["margin_value"], out["current_margin_value"])
            out["break_even_roi"] = np.where(margin_value > 0, value / margin_value, np.inf)
        out["current_distance"] = out["current_roi"] - out["break_even_roi"]
        out["distance"] = out["roi"] - out["break_even_roi"]
        return out.drop(columns=["current_margin_value", "margin_value"])

    def summary(self) -> pd.DataFrame:
        """Totals and evidence as a two-column frame (``item``, ``value``), for exports."""
        items = {"status": self.status, "objective": self.objective}
        if self.totals is not None:
            items |= self.totals.as_dict()
        items["risk"] = self.risk
        if self.outcome is not None:
            items |= {f"outcome.{k}": v for k, v in self.outcome.as_dict().items()}
        items |= {f"evidence.{k}": v for k, v in self.evidence.as_dict().items()}
        items |= {f"timing.{k}": v for k, v in self.timings.as_dict().items()}
        return pd.DataFrame({"item": list(items), "value": list(items.values())})


def plan_frame(curves: Curves, spend: np.ndarray | None) -> pd.DataFrame:
    """Per cell: current and planned spend, value, ROI and marginal ROI (``spend`` None: plan columns NaN)."""
    cur = curves.current_spend_cny
    x = np.full(curves.n, np.nan) if spend is None else np.asarray(spend, dtype=float)
    frame = curves.keys[list(curves.key_columns)].copy()
    cur_value = curves.value(cur)
    value = curves.value(np.nan_to_num(x)) if spend is not None else np.full(curves.n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["current_spend"] = cur
        frame["spend"] = x
        frame["change"] = x - cur
        frame["current_value"] = cur_value
        frame["expected_value"] = value
        frame["current_roi"] = np.where(cur > 0, cur_value / cur, np.nan)
        frame["roi"] = np.where(x > 0, value / x, np.nan)
        frame["current_marginal_roi"] = curves.marginal(cur)
        frame["marginal_roi"] = curves.marginal(np.nan_to_num(x)) if spend is not None else np.nan
        frame["clicks"] = x / curves.cpc_cny
        frame["new_customer_clicks"] = x * curves.new_customer_share / curves.cpc_cny
    frame["margin"] = curves.margin
    frame["family"] = curves.family
    frame["s_shaped"] = curves.is_s_shaped
    for extra in ("group", "key_platform"):
        if extra not in frame.columns and curves.keys[extra].notna().any():
            frame[extra] = curves.keys[extra]
    return frame


def totals(curves: Curves, spend: np.ndarray, budget_cny: float | None, effective: np.ndarray | None = None) -> Totals:
    """``effective``: the spend the curves see (after carry-over), when it differs from ``spend``."""
    cur = curves.current_spend_cny
    cur_v, v = curves.value(cur), curves.value(spend if effective is None else effective)
    c_spend, p_spend = float(cur.sum()), float(spend.sum())
    c_gmv, p_gmv = float(cur_v.sum()), float(v.sum())
    c_roi = c_gmv / c_spend if c_spend > 0 else float("nan")
    roi = p_gmv / p_spend if p_spend > 0 else float("nan")
    return Totals(
        c_spend, p_spend, c_gmv, p_gmv, p_gmv - c_gmv, (p_gmv - c_gmv) / c_gmv if c_gmv > 0 else float("nan"),
        c_roi, roi, roi - c_roi, float(curves.margin @ cur_v - c_spend), float(curves.margin @ v - p_spend),
        float(budget_cny - p_spend) if budget_cny is not None else float("nan"),
    )


def true_objective(curves: Curves, objective: str, spend: np.ndarray) -> float:
    """The objective of a plan with every curve at its true value (S-curves included)."""
    if objective == "gmv":
        return float(curves.value(spend).sum())
    if objective == "profit":
        return float(curves.margin @ curves.value(spend) - spend.sum())
    return float(spend.sum())
