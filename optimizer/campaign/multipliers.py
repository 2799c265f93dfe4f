"""Phase multipliers estimated from a past campaign in the history, from a curve fit's decomposition.

The fit (``response.fit_curves``, campaign days left out) splits each outcome series ``o`` (a
product segment) per day into a baseline ``B_{o,t}`` (trend, day of week) and each cell's
predicted incremental GMV at the spend it really had; their sum is ``I_{o,t}``. On the days of a
phase ``p`` the outcome is modelled as

    actual_{o,t} = β_p · B_{o,t} + m_p · I_{o,t} + ε,

where ``m_p`` is the phase's response multiplier (how much more each yuan sells than on regular
days) and ``β_p ≥ 1`` its lift of baseline demand (shoppers who buy in the campaign anyway; a
campaign phase is assumed not to lower it). Both are fitted by bounded least squares over the
phase's days and segments, with standard errors from the residuals. Setting ``β = 1`` instead
(the ratio ``Σ(actual − B) / Σ I``) would pass the campaign's extra baseline demand off as ad
response and overstate ``m`` several-fold on peak days.

One past campaign gives a handful of days per phase, and orders of the peak's exposure that land
on later days look like response there, so the raw estimate ``m̂`` (s.e. ``σ``) is noisy. The
multiplier used is the precision-weighted mean of ``m̂`` and the given multiplier ``m₀`` (the
template's or the user's, held with standard deviation ``τ``, :data:`GIVEN_SD`):

    m = (m₀/τ² + m̂/σ²) / (1/τ² + 1/σ²),  its s.e. (1/τ² + 1/σ²)^(−1/2)

(a normal prior on ``m``; Gelman et al., *Bayesian Data Analysis*, §2.5). Series and days with
different baseline/incremental mixes are what tell ``β`` and ``m`` apart; a phase where they
cannot (fewer than :data:`MIN_ROWS` observations or a nearly collinear design) keeps its given
multiplier and says so. One multiplier per phase for all channels: per-channel multipliers are
not identifiable from daily totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

from roimix.errors import InputError
from roimix.messages import Message

from .calendar import MAX_MULTIPLIER, Campaign

MIN_ROWS = 4
MAX_CONDITION = 1e4
GIVEN_SD = 0.25
"""How far (one standard deviation) a given multiplier may be from the truth, a priori."""
COLUMNS = ["phase", "start", "end", "days", "rows", "multiplier", "std_error", "estimate", "estimate_std_error",
           "baseline_multiplier", "baseline_std_error", "ratio_multiplier", "given", "method", "kept_because", "condition"]
"""``multiplier`` (s.e. ``std_error``): the one to plan with, ``estimate`` shrunk toward ``given``;
``estimate`` (``estimate_std_error``): the data's alone; ``method``: ``regression`` (estimated),
``kept: …`` (the given multiplier, with the reason); ``kept_because`` the same reason as a code a shell words
(``few_rows``: fewer than ``MIN_ROWS`` rows, ``no_incremental``, ``collinear``: ``condition`` above the limit;
empty when estimated)."""


def incremental_by_day(decomposition: pd.DataFrame) -> pd.DataFrame:
    """date, outcome, actual, baseline, incremental from a fit's decomposition (long: date, outcome, component, value)."""
    wide = decomposition.pivot_table(index=["date", "outcome"], columns="component", values="value", aggfunc="sum")
    missing = [c for c in ("actual", "baseline") if c not in wide.columns]
    if missing:
        raise InputError(message=Message("plan.err.decomposition.missing", {"components": ", ".join(missing)}))
    cells = [c for c in wide.columns if c not in ("actual", "baseline")]
    out = pd.DataFrame({"actual": wide["actual"], "baseline": wide["baseline"],
                        "incremental": wide[cells].sum(axis=1) if cells else 0.0}).reset_index()
    out["date"] = pd.to_datetime(out["date"])
    return out.dropna(subset=["actual", "baseline"])


def estimate_multipliers(decomposition: pd.DataFrame, campaign: Campaign, *, given_sd: float = GIVEN_SD) -> pd.DataFrame:
    """One row per phase of ``campaign`` (:data:`COLUMNS`): the estimated multiplier or the kept one.
    ``given_sd``: the prior standard deviation of the given multipliers (``inf``: the data alone)."""
    if not given_sd > 0:
        raise InputError(message=Message("plan.err.decomposition.given_sd", {"got": given_sd}))
    days = incremental_by_day(decomposition)
    rows = []
    for p in campaign.phases:
        part = days[(days["date"] >= pd.Timestamp(p.start)) & (days["date"] <= pd.Timestamp(p.end))]
        row = {"phase": p.name, "start": pd.Timestamp(p.start), "end": pd.Timestamp(p.end),
               "days": int(part["date"].nunique()), "rows": len(part), "given": p.multiplier}
        inc = float(part["incremental"].sum())
        row["ratio_multiplier"] = float((part["actual"] - part["baseline"]).sum() / inc) if inc > 0 else np.nan
        rows.append(row | _fit(part, p.multiplier, given_sd))
    return pd.DataFrame(rows, columns=COLUMNS)


def _fit(part: pd.DataFrame, given: float, given_sd: float) -> dict:
    kept = {"multiplier": given, "std_error": np.nan, "estimate": np.nan, "estimate_std_error": np.nan,
            "baseline_multiplier": np.nan, "baseline_std_error": np.nan}
    if len(part) < MIN_ROWS:
        return kept | {"method": f"kept: {len(part)} days × segments in the history (need {MIN_ROWS})",
                       "kept_because": "few_rows"}
    A = part[["baseline", "incremental"]].to_numpy(dtype=float)
    y = part["actual"].to_numpy(dtype=float)
    scale = np.abs(A).max(axis=0)
    if np.any(scale <= 0):
        return kept | {"method": "kept: no baseline or no incremental GMV predicted on these days",
                       "kept_because": "no_incremental"}
    As = A / scale
    condition = np.linalg.cond(As)
    if not np.isfinite(condition) or condition > MAX_CONDITION:
        return kept | {"method": f"kept: baseline and incremental move together (condition {condition:.0f})",
                       "kept_because": "collinear", "condition": float(condition)}
    fit = lsq_linear(As, y, bounds=([scale[0], 0.0], [np.inf, MAX_MULTIPLIER * scale[1]]))
    resid = y - As @ fit.x
    sigma2 = float(resid @ resid) / max(len(y) - 2, 1)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(As.T @ As))) / scale
    beta, m_hat = fit.x / scale
    m_se = max(float(se[1]), 1e-9)
    w_data, w_given = m_se ** -2, (given_sd ** -2 if np.isfinite(given_sd) else 0.0)
    m = (w_given * given + w_data * m_hat) / (w_given + w_data)
    return {"multiplier": float(np.clip(m, 0.0, MAX_MULTIPLIER)), "std_error": float((w_given + w_data) ** -0.5),
            "estimate": float(m_hat), "estimate_std_error": float(se[1]),
            "baseline_multiplier": float(beta), "baseline_std_error": float(se[0]), "method": "regression",
            "kept_because": "", "condition": float(condition)}


def apply_estimates(campaign: Campaign, estimates: pd.DataFrame) -> Campaign:
    """``campaign`` with the multipliers of the phases that were estimated (matched by phase name)."""
    done = estimates[estimates["method"] == "regression"]
    known = {p: float(m) for p, m in zip(done["phase"], done["multiplier"]) if p in campaign.phase_names}
    return campaign.with_multipliers(known)
