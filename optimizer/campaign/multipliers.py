"""Phase multipliers estimated from a past campaign in the history, from a curve fit's decomposition.

The fit (``response.fit_curves``, campaign days left out) splits each outcome series ``o`` (a
product segment) per day into a baseline ``B_{o,t}`` (trend, day of week) and each cell's
predicted incremental GMV at the spend it really had; their sum is ``I_{o,t}``. On the days of a
phase ``p`` the outcome is modelled as

    actual_{o,t} = β_p · B_{o,t} + m_p · I_{o,t} + ε,

where ``m_p`` is the phase's response multiplier (how much more each yuan sells than on regular
days) and ``β_p`` its lift of baseline demand (shoppers who buy in the campaign anyway). Both are
fitted by non-negative least squares over the phase's days and segments, with standard errors
from the residuals. Setting ``β = 1`` instead (the ratio ``Σ(actual − B) / Σ I``) would pass the
campaign's extra baseline demand off as ad response and overstate ``m`` several-fold on peak days.
Series and days with different baseline/incremental mixes are what tell the two apart; a phase
where they cannot (fewer than :data:`MIN_ROWS` observations or a nearly collinear design) keeps
its given multiplier and says so. One multiplier per phase for all channels: per-channel
multipliers are not identifiable from daily totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from .calendar import MAX_MULTIPLIER, Campaign

MIN_ROWS = 4
MAX_CONDITION = 1e4
COLUMNS = ["phase", "start", "end", "days", "rows", "multiplier", "std_error", "baseline_multiplier",
           "baseline_std_error", "ratio_multiplier", "given", "method"]
"""``method``: ``regression`` (estimated), ``kept: …`` (the given multiplier, with the reason)."""


def incremental_by_day(decomposition: pd.DataFrame) -> pd.DataFrame:
    """date, outcome, actual, baseline, incremental from a fit's decomposition (long: date, outcome, component, value)."""
    wide = decomposition.pivot_table(index=["date", "outcome"], columns="component", values="value", aggfunc="sum")
    missing = [c for c in ("actual", "baseline") if c not in wide.columns]
    if missing:
        raise ValueError(f"decomposition: no component {', '.join(missing)}")
    cells = [c for c in wide.columns if c not in ("actual", "baseline")]
    out = pd.DataFrame({"actual": wide["actual"], "baseline": wide["baseline"],
                        "incremental": wide[cells].sum(axis=1) if cells else 0.0}).reset_index()
    out["date"] = pd.to_datetime(out["date"])
    return out.dropna(subset=["actual", "baseline"])


def estimate_multipliers(decomposition: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """One row per phase of ``campaign`` (:data:`COLUMNS`): the estimated multiplier or the kept one."""
    days = incremental_by_day(decomposition)
    rows = []
    for p in campaign.phases:
        part = days[(days["date"] >= pd.Timestamp(p.start)) & (days["date"] <= pd.Timestamp(p.end))]
        row = {"phase": p.name, "start": pd.Timestamp(p.start), "end": pd.Timestamp(p.end),
               "days": int(part["date"].nunique()), "rows": len(part), "given": p.multiplier}
        inc = float(part["incremental"].sum())
        row["ratio_multiplier"] = float((part["actual"] - part["baseline"]).sum() / inc) if inc > 0 else np.nan
        rows.append(row | _fit(part, p.multiplier))
    return pd.DataFrame(rows, columns=COLUMNS)


def _fit(part: pd.DataFrame, given: float) -> dict:
    kept = {"multiplier": given, "std_error": np.nan, "baseline_multiplier": np.nan, "baseline_std_error": np.nan}
    if len(part) < MIN_ROWS:
        return kept | {"method": f"kept: {len(part)} days × segments in the history (need {MIN_ROWS})"}
    A = part[["baseline", "incremental"]].to_numpy(dtype=float)
    y = part["actual"].to_numpy(dtype=float)
    scale = np.abs(A).max(axis=0)
    if np.any(scale <= 0):
        return kept | {"method": "kept: no baseline or no incremental GMV predicted on these days"}
    As = A / scale
    condition = np.linalg.cond(As)
    if not np.isfinite(condition) or condition > MAX_CONDITION:
        return kept | {"method": f"kept: baseline and incremental move together (condition {condition:.0f})"}
    coef, _ = nnls(As, y)
    resid = y - As @ coef
    sigma2 = float(resid @ resid) / max(len(y) - 2, 1)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(As.T @ As))) / scale
    coef = coef / scale
    return {"multiplier": float(np.clip(coef[1], 0.0, MAX_MULTIPLIER)), "std_error": float(se[1]),
            "baseline_multiplier": float(coef[0]), "baseline_std_error": float(se[0]), "method": "regression"}


def apply_estimates(campaign: Campaign, estimates: pd.DataFrame) -> Campaign:
    """``campaign`` with the multipliers of the phases that were estimated (matched by phase name)."""
    done = estimates[estimates["method"] == "regression"]
    known = {p: float(m) for p, m in zip(done["phase"], done["multiplier"]) if p in campaign.phase_names}
    return campaign.with_multipliers(known)
