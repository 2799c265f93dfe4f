"""The tables a fit returns, per cell: its curve row (the model-averaged curve projected back onto one
family, with 90 % bands from the draws), its band on a spend grid, its candidates, its draws, and the
outcome's decomposition into baseline and cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from roimix.messages import Message

from .candidates import Candidate
from .curve import curve_slope, curve_value
from .inputs import OutcomeSeries
from .lag import mean_lag
from .settings import FitSettings
from .solve import LevelProblem, level_problem, solve_levels

DRAW_COLUMNS = ["draw", "channel", "segment", "family", "a", "b", "s", "lag_mean_periods", "prior_relative_sd"]
"""Columns of ``CurveFit.draws``."""


def spend_grid(mean_spend: float) -> np.ndarray:
    """The spend grid of a cell's band: 121 points from 0 to 3× the history's mean spend (at least 1)."""
    return np.linspace(0, max(3.0 * mean_spend, 1.0), 121)


def fitted_cell(series: OutcomeSeries, k: int, j: int, active: np.ndarray, chosen: list[Candidate],
                problem: LevelProblem, coef: np.ndarray, cands: list[Candidate], scores, weights, best: int,
                cell_draws, stated_draws=None) -> tuple[dict, pd.DataFrame, pd.DataFrame, list[Message]]:
    """``(curve row, band, candidates, warnings)`` of fitted cell ``k`` (design column ``j``).

    The curve is the weighted average of the candidates with positive weight, each at its own level
    (refitted with the other cells' shapes fixed), on the spend grid; it is projected back onto the
    top candidate's family (:func:`project_onto_family`). A cell searched over one fixed shape has
    ``scores`` None. ``problem``: the final design at the final σ²; ``coef``: its coefficients.
    ``stated_draws``: the draws the 90 % bands are stated from when they are not the plan's ``cell_draws``
    (``a_rel_sd`` stays the plan's draws' own)."""
    p = series.z.shape[1]
    H = problem.H
    a_hat = coef[p + j]
    mean_x = float(series.x[k, series.rows].mean())
    grid = spend_grid(mean_x)
    if scores is None:
        scores = np.array([0.0])
        weights = np.array([1.0])
        cands = [chosen[j]]
        amps = np.array([a_hat])
    else:
        amps = np.zeros(len(cands))
        for i in np.flatnonzero(weights > 0):
            if i == best:
                amps[i] = a_hat
                continue
            alt = list(chosen)
            alt[j] = cands[i]
            amps[i] = solve_levels(level_problem(series, active, alt, problem.sigma2, problem.prior_sd),
                                   series.rows)[p + j]
    averaged = sum(w * a * c.unit(grid) for w, a, c in zip(weights, amps, cands) if w > 0)
    top = cands[int(np.argmax(weights))]
    family, a_fit, b_fit, s_fit, proj_err = project_onto_family(top, averaged, grid, mean_x)
    current = series.current[k]
    mroi = float(curve_slope(family, a_fit, b_fit, s_fit, np.array([current]))[0])
    band_values = curve_value(family, a_fit, b_fit, s_fit, grid)
    prior = series.priors[k]
    row = {
        "family": family, "a": a_fit, "b": b_fit, "s": s_fit, "current_spend": round(float(current), 2),
        "status": "fitted", "lag_mean_periods": float(sum(w * c.lag for w, c in zip(weights, cands))),
        "r2_share": r2_share(a_hat * H[series.rows, j], series.y[series.rows]),
        "marginal_roi": mroi,
        "value_at_current": float(curve_value(family, a_fit, b_fit, s_fit, np.array([current]))[0]),
        "prior_value": float(prior) if np.isfinite(prior) else np.nan, **pool_columns(series, k),
        "s_shaped": bool(family == "hill" and s_fit > 1), "projection_error": proj_err,
        "top_weight": float(weights.max()),
    }
    row |= draw_bands(cell_draws if stated_draws is None else stated_draws, current, row["value_at_current"], a_fit,
                      mroi, grid, band_values)
    if stated_draws is not None:
        row["a_rel_sd"] = float(np.std(value_ratio(cell_draws, current, row["value_at_current"])))
    label = series.labels[k]
    warnings = []
    if row["s_shaped"]:
        warnings.append(Message("pipeline.fit.s_shaped", {"cell": label, "s": float(s_fit)}))
    if row["a_rel_sd"] > 0.75:
        warnings.append(Message("pipeline.fit.uncertain", {
            "cell": label, "value_cny": row["value_at_current"],
            "period": int(series.timeline.period_days),
            **level_band_cny(row["value_at_current"], a_fit, row["a_low"], row["a_high"])}))
    band = pd.DataFrame({"spend": grid, "value": band_values, "low": row.pop("_band_low"),
                         "high": row.pop("_band_high")})
    cand_frame = pd.DataFrame({
        "channel": series.cells.loc[k, "channel"], "segment": series.cells.loc[k, "segment"],
        "family": [c.family for c in cands], "b": [c.scale if c.family != "power" else np.nan for c in cands],
        "s": [c.s for c in cands], "lag_mean_periods": [c.lag for c in cands], "form": [c.form for c in cands],
        "cv_sse": scores, "weight": weights, "amplitude": amps,
    })
    return row, band, cand_frame, warnings


def pool_columns(series: OutcomeSeries, k: int) -> dict:
    """``pool_value``, ``pool_relative_sd`` and ``pool_own_relative_se`` (its own level's standard error
    relative to the pool's) of cell ``k`` where its pool was used (else none, or NaN)."""
    if series.pool is None:
        return {}
    sd = series.pool_sd[k] if series.pool_sd is not None else np.nan
    used = bool(np.isfinite(sd))
    own = series.pool_own_se[k] if series.pool_own_se is not None and used else np.nan
    return {"pool_value": float(series.pool[k]) if used else np.nan, "pool_relative_sd": float(sd) if used else np.nan,
            "pool_own_relative_se": float(own)}


def fallback_cell(series: OutcomeSeries, k: int, settings: FitSettings, sd_grid: np.ndarray,
                  sd_weights: np.ndarray, rng: np.random.Generator) -> tuple[dict, pd.DataFrame, list]:
    """``(curve row, band, draws)`` of a cell that cannot be identified: its prior level on an exp curve
    with b = mean spend, ``a = prior / (1 − e⁻¹)`` (draws spread it by the prior's weight, drawn from
    ``sd_weights``), or nothing (status ``unfit``, level 0 in every draw)."""
    current = float(series.current[k])
    mean_x = float(series.x[k, series.rows].mean()) or current or 1.0
    prior = series.priors[k]
    grid = spend_grid(mean_x)
    lag = float(np.mean([mean_lag(q) for q in series.kernels[k]]))
    n = settings.n_bootstrap
    if np.isfinite(prior) and prior > 0:
        a = prior / (1 - np.exp(-1.0))  # f(mean) = prior with b = mean
        values = a * (1 - np.exp(-grid / mean_x))
        mroi = float(a / mean_x * np.exp(-current / mean_x))
        row = {"family": "exp", "a": a, "b": mean_x, "s": np.nan, "status": "prior", "marginal_roi": mroi,
               "value_at_current": float(a * (1 - np.exp(-current / mean_x)))}
        r = sd_grid[rng.choice(len(sd_grid), size=n, p=sd_weights)]
        amps = a * np.maximum(0.0, 1 + r * rng.standard_normal(n))
        cell_draws = [((("exp", float(am), mean_x, np.nan), lag), float(rr)) for am, rr in zip(amps, r)]
        bands = draw_bands(cell_draws, current, row["value_at_current"], a, mroi, grid, values)
    else:
        values = np.full(len(grid), np.nan)
        row = {"family": "exp", "a": 0.0, "b": mean_x, "s": np.nan, "status": "unfit",
               "marginal_roi": np.nan, "value_at_current": np.nan}
        cell_draws = [((("exp", 0.0, mean_x, np.nan), lag), np.nan)] * n
        bands = {"a_low": 0.0, "a_high": 0.0, "mroi_low": np.nan, "mroi_high": np.nan, "a_rel_sd": np.nan,
                 "_band_low": values, "_band_high": values}
    row |= {
        "current_spend": round(current, 2), "lag_mean_periods": lag, "r2_share": 0.0,
        "prior_value": float(prior) if np.isfinite(prior) else np.nan, **pool_columns(series, k), "s_shaped": False,
        "projection_error": 0.0, "top_weight": np.nan, **bands,
    }
    band = pd.DataFrame({"spend": grid, "value": values, "low": row.pop("_band_low"), "high": row.pop("_band_high")})
    return row, band, cell_draws


SCALE_CAP = 100.0
"""A projected curve's saturation scale b is at most this × the largest spend of its grid: beyond it the curve is
straight over the grid to 1 %, and a free b ran off toward infinity with a in step (seen: a 6e15, b 3e15 on a
market's log curve), which the planner's conic solver then could not handle."""


def project_onto_family(top: Candidate, averaged: np.ndarray, grid: np.ndarray, mean_x: float):
    """Fit the top candidate's family to the model-averaged curve on ``grid`` (least squares on log
    parameters, relative to the averaged value at mean spend): ``(family, a, b, s, max relative error)``."""
    family = top.family
    ref = max(float(np.interp(mean_x, grid, averaged)), 1e-9)
    if not np.any(averaged > 0):
        b = top.scale if family != "power" else np.nan
        return family, 0.0, b, (top.s if family in ("power", "hill") else np.nan), 0.0

    def table(theta):
        a = np.exp(theta[0])
        if family == "power":
            return a, np.nan, top.s
        b = np.exp(theta[1])
        s = np.exp(theta[2]) if family == "hill" else np.nan
        return a, b, s

    def resid(theta):
        a, b, s = table(theta)
        return (curve_value(family, a, b, s, grid) - averaged) / ref

    amp0 = max(float(averaged.max()), 1e-9)
    if family == "power":
        theta0 = [np.log(max(ref / max(mean_x, 1e-9) ** top.s, 1e-12))]
    elif family == "hill":
        theta0 = [np.log(amp0), np.log(top.scale), np.log(top.s)]
    else:
        theta0 = [np.log(amp0), np.log(top.scale)]
    res = least_squares(resid, theta0, method="lm" if len(theta0) <= len(grid) else "trf")
    theta = res.x
    cap = np.log(SCALE_CAP * max(float(np.max(grid)), 1e-9))
    if family != "power" and theta[1] > cap:  # the linear limit: b → ∞ with a/b fixed (a·g(x/b) ≈ (a/b)·x)
        theta = np.array(theta, dtype=float)
        theta[1] = cap
        shape = curve_value(family, 1.0, np.exp(cap), np.exp(theta[2]) if family == "hill" else np.nan, grid)
        theta[0] = np.log(max(float(shape @ averaged) / max(float(shape @ shape), 1e-300), 1e-300))
    a, b, s = table(theta)
    if family == "hill" and s < 1:  # keep Hill exponents in the family's meaning (concave or S-shaped)
        s = max(s, 1e-3)
    err = float(np.max(np.abs(resid(theta))))
    return family, float(a), float(b) if np.isfinite(b) else np.nan, float(s) if np.isfinite(s) else np.nan, err


def r2_share(contribution: np.ndarray, y: np.ndarray) -> float:
    """Share of the outcome's variance a cell's contribution carries: ``var(contribution) / var(y)``."""
    return float(np.var(contribution) / np.var(y)) if np.var(y) > 0 else 0.0


def draw_bands(cell_draws, current: float, value_now: float, a: float, mroi: float, grid: np.ndarray,
               values: np.ndarray) -> dict:
    """90 % bands from a cell's draws: the level (as ``a`` times the 5 %/95 % quantiles of the value at
    current spend over the estimate's), the marginal ROI at current spend, and the curve on ``grid``.
    Without draws the bands collapse onto the estimate."""
    if not cell_draws:
        return {"a_low": a, "a_high": a, "mroi_low": mroi, "mroi_high": mroi, "a_rel_sd": 0.0,
                "_band_low": values, "_band_high": values}
    at = np.array([current])
    slope = np.array([curve_slope(*t, at)[0] for (t, _lag), _r in cell_draws])
    on_grid = np.array([curve_value(*t, grid) for (t, _lag), _r in cell_draws])
    ratio = value_ratio(cell_draws, current, value_now)
    lo, hi = np.quantile(ratio, [0.05, 0.95])
    return {"a_low": a * lo, "a_high": a * hi, "mroi_low": float(np.quantile(slope, 0.05)),
            "mroi_high": float(np.quantile(slope, 0.95)), "a_rel_sd": float(np.std(ratio)),
            "_band_low": np.quantile(on_grid, 0.05, axis=0), "_band_high": np.quantile(on_grid, 0.95, axis=0)}


def level_band_cny(value_now: float, a: float, a_low: float, a_high: float) -> dict:
    """``low_cny``, ``high_cny``: the 90 % band of a cell's value at current spend (per period), from its level's
    band (``a_low``/``a_high`` are ``a`` times the same quantiles, :func:`draw_bands`); the estimate itself when
    ``a`` is 0."""
    if not a > 0:
        return {"low_cny": float(value_now), "high_cny": float(value_now)}
    return {"low_cny": float(value_now * a_low / a), "high_cny": float(value_now * a_high / a)}


def refreshed_level_notes(warnings, curves: pd.DataFrame, cells) -> tuple[Message, ...]:
    """``warnings`` with each uncertain-level note (``pipeline.fit.uncertain``) of ``cells`` ((channel, segment))
    restated from ``curves``' row: its value at current spend and that value's band (:func:`level_band_cny`)."""
    rows = {f"{c}/{s}": r for c, s, r in zip(curves["channel"], curves["segment"], curves.itertuples())}
    out = []
    for w in warnings:
        r = rows.get(w.values.get("cell")) if w.key == "pipeline.fit.uncertain" else None
        if r is not None and (r.channel, r.segment) in cells:
            w = Message(w.key, {**w.values, "value_cny": float(r.value_at_current),
                                **level_band_cny(float(r.value_at_current), r.a, r.a_low, r.a_high)})
        out.append(w)
    return tuple(out)


def value_ratio(cell_draws, current: float, value_now: float) -> np.ndarray:
    """Each draw's value at current spend over the estimate's (ones when the estimate is 0)."""
    now = np.array([curve_value(*t, np.array([current]))[0] for (t, _lag), _r in cell_draws])
    return now / value_now if value_now > 0 else np.ones(len(now))


def draws_frame(channel: str, segment: str, cell_draws) -> pd.DataFrame:
    """A cell's draws in the curves-table form, one row per draw (columns ``DRAW_COLUMNS``)."""
    return pd.DataFrame([(i, channel, segment, *table, lag, r) for i, ((table, lag), r) in enumerate(cell_draws)],
                        columns=DRAW_COLUMNS)


def decomposition(series: OutcomeSeries, active: np.ndarray, H: np.ndarray, coef: np.ndarray) -> pd.DataFrame:
    """The outcome per period split into the baseline and each active cell's contribution, with the
    actual outcome; ``fitted_period`` marks the periods the fit used."""
    p = series.z.shape[1]
    labels = series.labels
    parts = {"baseline": series.z @ coef[:p]}
    for j, k in enumerate(active):
        parts[labels[k]] = coef[p + j] * H[:, j]
    frames = [pd.DataFrame({"date": series.timeline.dates, "component": name, "value": values})
              for name, values in parts.items()]
    frames.append(pd.DataFrame({"date": series.timeline.dates, "component": "actual", "value": series.y}))
    out = pd.concat(frames, ignore_index=True)
    out["fitted_period"] = np.tile(series.rows, len(frames))
    return out
