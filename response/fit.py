"""Incremental response curves fitted against the total outcome.

For each outcome series ``y_t`` (per product segment when the outcome has one, else the total)

    y_t = baseline_t + Σ_k a_k · g_k(x̃_{k,t} / b_k) + ε_t,

where ``baseline_t`` holds an intercept, trend, day-of-week (daily data), yearly season (a year or
more of history) and any controls; ``x̃_k`` is cell k's spend carried over by its lag kernel
(estimated from the journeys' touch-to-order gaps, a geometric kernel from a given mean lag, or
candidates when nothing is given); ``g_k`` a concave unit shape. Two carry-over forms are
candidates: *adstock* ``g(Σ_l k_l x_{t−l})`` and *lagged response* ``Σ_l k_l g(x_{t−l})``; both
are concave in spend and give the same steady-state curve ``a·g(x/b)``. The first periods, whose
carry-over reaches back before the history, are left out. Day-to-day spend variation is the
signal: a channel's curve is what moves the *total*, not the revenue it touched.

* **Campaign periods** (and the adstock tail after them) are left out of the fit: demand and
  spend rise together there, so they would pass seasonal demand off as ad effect.
* **Shapes** (family, saturation ``b`` relative to the history's spend, lag) come from a grid.
  Each cell's shape is chosen by blocked cross-validated error with the other cells fixed (two
  sweeps of coordinate descent); its curve is the average of the candidates weighted by
  ``exp(−ΔSSE_cv / 2σ²)``, projected back onto the best candidate's family.
* **Amplitudes** are non-negative least squares. Attribution credit enters as a prior on each
  cell's level: a pseudo-observation ``(a_k − a_k^prior) / (r · a_k^prior)`` with relative sd
  ``r = prior_relative_sd`` (0.5 by default), so it regularises the level but never replaces the
  fit. Lift tests enter the same way with their own standard errors: a test is a step of spend
  from its ``start`` (none before) held to its ``end``, and it measured the mean increment per day
  over those days — so a short test of a slow channel saw only part of the curve's steady-state
  value (the carry-over kernel says which part).
* **Prior weight** is chosen by the data (empirical Bayes): of the candidate relative sds
  ``prior_relative_sds``, the one under which the outcome is most likely (levels integrated out,
  :func:`response.solve.prior_evidence`) gives the estimate; draws mix them by that likelihood.
* **Pool** (``pool``: a shrinkage target per cell, e.g. the shop's pooled ROI × the cell's spend):
  unlike a prior, its weight is chosen *per cell* from the cell's own evidence
  (:func:`pool_weights`): a cell whose own estimate sits within its standard error of the target is
  held to it, a cell that the data set clearly apart keeps its own estimate.
* **Uncertainty**: each draw picks, per cell, a shape and carry-over kernel from the candidates
  (probabilities ``exp(−ΔSSE_cv / 2σ²)``, the same weights as the average) and a prior weight (the
  same rule over ``prior_relative_sds``), refits the levels for that design and draws them from
  their Gaussian posterior with a Newey–West (1987) covariance, so autocorrelated residuals widen
  the band rather than narrow it. Bands for value and marginal ROI are quantiles of the draws; the
  draws themselves (``CurveFit.draws``) let the optimizer weigh a plan's risk. With a pool, the bands
  come from a second set of draws that also takes the pool's spread r₀ by its evidence (plugged in,
  an empirical-Bayes hyper-parameter states too narrow bands: Kass & Steffey 1989): on the independent
  markets' development seeds the bands of aggregate-only cells held the true marginal ROI in 78 % of
  them with r₀ plugged in and 86 % with it drawn. The plan's draws keep r₀ at its most likely value:
  planned on the second set, the plans there captured less (0.67 → 0.61 of the oracle's gain with the
  lift tests aggregate mode asks for; ``benchmarks/results/aggregate_dev.md``).
* **Flags**: a cell whose spend barely varies (coefficient of variation < ``min_spend_cv``) or is
  rarely on cannot be identified; it gets its prior (status ``prior``), or none (``unfit``), with
  a warning (a :class:`roimix.messages.Message`) — never a guess. A chosen S-shaped (Hill s > 1)
  curve is flagged for the optimizer's envelope path.

Modules, in the order of a fit: :mod:`response.inputs` (the tables on cells × periods),
:mod:`response.identification` (cells the history can tell apart), :mod:`response.candidates` (the shapes
tried), :mod:`response.solve` (levels, cross-validation, shape search, prior weight), :mod:`response.draws`
(uncertainty), :mod:`response.report` (the tables returned); :mod:`response.settings` and
:mod:`response.result` hold the frozen settings and result. This module runs them per outcome series.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from roimix.errors import InputError
from roimix.messages import Message

from .candidates import cell_candidates, fixed_shapes, kernel_candidates, starting_candidate
from .design import Timeline, baseline_design
from .draws import PoolSpread, covariance_inflation, curve_draws, level_covariance, newey_west_window
from .identification import collinear_cells, identifiable_cells
from .inputs import (OutcomeSeries, current_spend_by_cell, fitted_periods, lift_test_rows, outcome_by_period,
                     spend_by_cell, value_by_cell, with_segment)
from .report import decomposition, draws_frame, fallback_cell, fitted_cell
from .result import STATUSES, CurveFit
from .settings import FitSettings
from .solve import (candidate_weights, cv_errors, level_problem, prior_weights, residual_variance, search_shapes,
                    solve_levels)

__all__ = ["POOL_CHANCE", "STATUSES", "CurveFit", "FitSettings", "fit_curves", "fit_series", "pool_evidence",
           "pool_weights"]

POOL_CHANCE = 0.05
"""A cell's distance from its pool counts as evidence beyond what the most extreme of the pooled cells
would show by chance this often (:func:`pool_weights`)."""


def fit_curves(
    spend: pd.DataFrame,
    outcome: pd.DataFrame,
    *,
    prior: pd.DataFrame | None = None,
    lags: pd.DataFrame | None = None,
    kernels: pd.DataFrame | None = None,
    lift_tests: pd.DataFrame | None = None,
    exclude: pd.DataFrame | None = None,
    controls: pd.DataFrame | None = None,
    current_spend: pd.DataFrame | None = None,
    shapes: pd.DataFrame | None = None,
    pool: pd.DataFrame | None = None,
    settings: FitSettings = FitSettings(),
) -> CurveFit:
    """Fit one response curve per (channel, segment) of ``spend`` against ``outcome``.

    ``spend``: date, channel, [segment], spend (per period; a missing period counts as 0).
    ``outcome``: date, [segment], value — the *total* outcome per period (GMV or orders).
    ``prior``: channel, segment, value — attributed incremental outcome per period (e.g. the
    incremental model's credit averaged over the history).
    ``lags``: channel, lag_mean_days (e.g. from :func:`response.lag.estimate_lags`): geometric kernels.
    ``kernels``: channel, offset (periods), weight — carry-over kernels (e.g. from
    :func:`response.lag.lag_kernels`); they take precedence over ``lags``.
    ``lift_tests``: channel, [segment], start, end, spend (per day), incremental_value (per day),
    standard_error[, readout_start, readout_end] — measured effects that calibrate the curve level: the mean
    increment per day over the readout (default: the test's own days) of a step of spend from ``start`` to
    ``end`` (the cell's carry-over kernel applies; :func:`response.inputs.readout_window`). A test without a
    segment is split over the channel's segments by their share w of its current spend (each part with the
    standard error se·√w, so the parts together are as precise as the test); a test that
    matches no cell, or a cell whose spend is too flat to fit, is not used and named in a warning.
    ``exclude``: start, end (campaign phases): periods left out of the fit.
    ``controls``: date + numeric columns added to the baseline.
    ``current_spend``: channel, segment, current_spend; default: the mean over the history.
    ``shapes``: channel, segment, family, b, s, lag_mean_days — fixed shapes (only the levels are
    fitted); used to score a fit that is told the true shapes (the noise ceiling).
    ``pool``: channel, segment, value[, relative_sd] — a shrinkage target per period for cells without a
    ``prior``, weighted per cell by the cell's own evidence (:func:`pool_weights`); reported as ``pool_value``,
    ``pool_relative_sd`` and ``pool_own_relative_se`` (the cell's own level's standard error relative to the
    pool's). ``relative_sd``: the target's own uncertainty when it is itself an estimate (e.g. the same
    channel's fit in another segment), added to the pool's spread.
    """
    rng = np.random.default_rng(settings.seed)
    spend = with_segment(spend)
    timeline = Timeline.from_dates(pd.concat([pd.to_datetime(spend["date"]), pd.to_datetime(outcome["date"])]))
    cells = spend[["channel", "segment"]].drop_duplicates().sort_values(["channel", "segment"]).reset_index(drop=True)
    x = spend_by_cell(spend, cells, timeline)
    cell_kernels = kernel_candidates(cells, lags, kernels, timeline.period_days, settings)
    fit_rows = fitted_periods(outcome, exclude, timeline, cell_kernels, settings)
    by_segment = "segment" in outcome.columns
    groups = sorted(outcome["segment"].unique()) if by_segment else ["all"]
    if by_segment:
        missing = set(cells["segment"]) - set(groups)
        if missing:
            raise InputError(message=Message("data.err.fit_segments", {"segments": ", ".join(sorted(map(str, missing)))}))
        unspent = set(groups) - set(cells["segment"])
        if unspent:
            raise InputError(message=Message("data.err.fit_segment_spend",
                                              {"segments": ", ".join(sorted(map(str, unspent)))}))
    z, _terms = baseline_design(timeline, controls)
    current = current_spend_by_cell(cells, x, current_spend)
    priors = value_by_cell(cells, prior, "value")
    pools = value_by_cell(cells, pool, "value") if pool is not None else None
    pool_target_sds = (value_by_cell(cells, pool, "relative_sd") if pool is not None and "relative_sd" in pool.columns
                       else None)
    lifts, warnings = lift_test_rows(lift_tests, cells, timeline.period_days, current)
    curve_rows, band_rows, cand_rows, decomp_rows, summaries, draw_rows = [], [], [], [], [], []

    for group in groups:
        members = np.flatnonzero(cells["segment"].to_numpy() == group) if by_segment else np.arange(len(cells))
        y = outcome_by_period(outcome, group if by_segment else None, timeline)
        rows = fit_rows & np.isfinite(y)
        if rows.sum() < z.shape[1] + 10:
            raise InputError(message=Message("data.err.fit_periods", {"series": str(group), "n": z.shape[1] + 10,
                                                                      "got": int(rows.sum())}))
        if np.ptp(y[rows]) == 0:  # σ² = 0: every weight and draw would divide by it
            raise InputError(message=Message("data.err.fit_constant", {"series": str(group), "n": int(rows.sum()),
                                                                       "value": f"{float(y[rows][0]):g}"}))
        member_cells = cells.iloc[members].reset_index(drop=True)
        series = OutcomeSeries(timeline, z, y, rows, x[members], member_cells, [cell_kernels[i] for i in members],
                               priors[members], current[members],
                               [(int(np.flatnonzero(members == k)[0]), *rest) for k, *rest in lifts if k in members],
                               fixed_shapes(shapes, member_cells, timeline.period_days,
                                            [cell_kernels[i] for i in members]),
                               pools[members] if pools is not None else None,
                               pool_target_sd=pool_target_sds[members] if pool_target_sds is not None else None)
        result = fit_series(series, settings, rng)
        warnings += result.warnings
        curve_rows.append(result.curves)
        band_rows.append(result.bands)
        draw_rows.append(result.draws)
        cand_rows.append(result.candidates)
        decomp_rows.append(result.decomposition.assign(outcome=group))
        summaries.append({"outcome": group, **result.summary})

    summary = pd.DataFrame(summaries).assign(
        period_days=timeline.period_days, n_periods=timeline.n, n_fitted_periods=int(fit_rows.sum()),
        cv_folds=settings.cv_folds, n_bootstrap=settings.n_bootstrap,
    )
    return CurveFit(
        curves=pd.concat(curve_rows, ignore_index=True),
        bands=pd.concat(band_rows, ignore_index=True),
        candidates=pd.concat(cand_rows, ignore_index=True),
        decomposition=pd.concat(decomp_rows, ignore_index=True),
        summary=summary,
        warnings=tuple(warnings),
        draws=pd.concat(draw_rows, ignore_index=True),
    )


@dataclass(frozen=True)
class SeriesFit:
    """The fit of one outcome series: its parts of :class:`CurveFit`'s tables, its summary row
    (r2, cv_rmse, sigma, baseline_terms, prior_relative_sd) and its warnings in order."""

    curves: pd.DataFrame
    bands: pd.DataFrame
    candidates: pd.DataFrame
    decomposition: pd.DataFrame
    draws: pd.DataFrame
    summary: dict
    warnings: list[Message]


def fit_series(series: OutcomeSeries, settings: FitSettings, rng: np.random.Generator) -> SeriesFit:
    """Fit the cells of one outcome series: identify, search shapes, weigh the prior, fit the levels,
    draw, report. ``rng`` is the only state it changes (the draws and fallback cells draw from it, in
    that order)."""
    s = settings
    if series.pool is not None:  # shapes are searched with the pool at the search's fixed weight, as a prior is
        series = replace(series, pool_sd=np.where(np.isfinite(series.pool) & ~np.isfinite(series.priors),
                                                  s.prior_relative_sd, np.nan))
    ok, warnings = identifiable_cells(series, s)
    collinear, collinear_warnings = collinear_cells(series, ok)
    warnings += collinear_warnings
    active = np.flatnonzero(ok)
    position = {int(k): j for j, k in enumerate(active)}
    cand = {int(k): cell_candidates(series.x[k], series.rows, series.kernels[k], series.fixed[k], s)
            for k in active}
    search = search_shapes(series, active, cand, {k: starting_candidate(cand[k]) for k in cand}, s)
    choice, rows = search.choice, series.rows

    chosen = [cand[int(k)][choice[int(k)]] for k in active]
    window = newey_west_window(s, series.timeline.period_days)
    spread = None
    if series.pool is not None and len(active):
        sd, own_se, spread = pool_evidence(series, active, chosen, search.sigma2, s.prior_relative_sd, window,
                                           np.array(s.prior_relative_sds, dtype=float))
        series = replace(series, pool_sd=sd, pool_own_se=own_se)
    sd_grid = np.array(s.prior_relative_sds, dtype=float)
    sd_weights = prior_weights(level_problem(series, active, chosen, search.sigma2, s.prior_relative_sd), sd_grid)
    prior_sd = float(sd_grid[int(np.argmax(sd_weights))])
    problem = level_problem(series, active, chosen, search.sigma2, prior_sd)
    coef = solve_levels(problem, rows)
    p = series.z.shape[1]
    fitted = np.hstack([series.z, problem.H]) @ coef
    resid = (series.y - fitted)[rows]
    sigma2 = float(np.sum(resid**2) / max(rows.sum() - len(coef), 1))
    problem = replace(problem, sigma2=sigma2)  # the final σ² for CV, weights, bands and draws
    cv_sse = float(cv_errors(problem, s.cv_folds).sum())
    yr = series.y[rows]
    r2 = 1 - np.sum(resid**2) / np.sum((yr - yr.mean()) ** 2)

    shape_weights = {k: candidate_weights(search.cv_sse[k], sigma2, s.weight_temperature) for k in search.cv_sse}
    inflation = (covariance_inflation(problem, coef, window) if len(active) and s.n_bootstrap else 1.0)
    draws = curve_draws(series, active, cand, choice, search.cv_points, sigma2, sd_grid, sd_weights, inflation, s,
                        rng)
    stated = draws  # the bands' draws: with a pool, r₀ taken by its evidence (see the module's Uncertainty)
    if spread is not None and draws and np.count_nonzero(spread.weights) > 1:
        stated = curve_draws(series, active, cand, choice, search.cv_points, sigma2, sd_grid, sd_weights, inflation,
                             s, rng.spawn(1)[0], pool_spread=spread)
    curves, bands, cands, draw_frames = [], [], [], []
    for k in range(len(series.cells)):
        channel, segment = series.cells.loc[k, ["channel", "segment"]]
        if k in position:
            j = position[k]
            cell_draws = [(d.cells[j], d.prior_sd) for d in draws]
            stated_cell = None if stated is draws else [(d.cells[j], d.prior_sd) for d in stated]
            row, band, cand_frame, cell_warnings = fitted_cell(
                series, k, j, active, chosen, problem, coef, cand[k], search.cv_sse.get(k), shape_weights.get(k),
                choice[k], cell_draws, stated_draws=stated_cell)
            warnings += cell_warnings
            cands.append(cand_frame)
        else:
            row, band, cell_draws = fallback_cell(series, k, s, sd_grid, sd_weights, rng)
        other = collinear.get(k)
        row["collinear_with"] = f"{other[0]} ({other[1]:.2f})" if other else ""
        curves.append({"channel": channel, "segment": segment, **row})
        bands.append(band.assign(channel=channel, segment=segment))
        if cell_draws:
            draw_frames.append(draws_frame(channel, segment, cell_draws))
    return SeriesFit(
        curves=pd.DataFrame(curves),
        bands=pd.concat(bands, ignore_index=True),
        candidates=pd.concat(cands, ignore_index=True) if cands else pd.DataFrame(),
        decomposition=decomposition(series, active, problem.H, coef),
        draws=pd.concat(draw_frames, ignore_index=True) if draw_frames else pd.DataFrame(),
        summary={"r2": float(r2), "cv_rmse": float(np.sqrt(cv_sse / rows.sum())), "sigma": float(np.sqrt(sigma2)),
                 "baseline_terms": p, "prior_relative_sd": prior_sd},
        warnings=warnings,
    )


def pool_weights(series: OutcomeSeries, active: np.ndarray, chosen: list, sigma2: float, prior_sd: float,
                 window: int, sd_grid: np.ndarray) -> np.ndarray:
    """Per cell the pool's relative sd at the most likely r₀ (the first part of :func:`pool_evidence`)."""
    return pool_evidence(series, active, chosen, sigma2, prior_sd, window, sd_grid)[0]


def pool_evidence(series: OutcomeSeries, active: np.ndarray, chosen: list, sigma2: float, prior_sd: float,
                  window: int, sd_grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, PoolSpread | None]:
    """Per cell the pool's relative sd: one weight for the cells the data cannot tell from the pool,
    and more room for each cell whose *own* evidence sets it apart (NaN for a cell with its own prior,
    without a pool, or not identified).

    With each pooled cell's level fitted without the pool, ``â_k``, its standard error ``s_k``
    (Newey–West sandwich widened by the delete-a-block jackknife, as the draws are) and the pool's
    level ``p_k`` (pool value ÷ the cell's mean unit response), the pool is a prior
    ``a_k ~ N(p_k, τ_k²)`` with

        τ_k² = max((â_k − p_k)² − c_n² · s_k²,  r₀² · p_k²),   c_n = Φ⁻¹(1 − POOL_CHANCE / (2n)),

    n the pooled cells of the series and r₀ the one relative sd of the pool under which the outcome
    is most likely (empirical Bayes over ``prior_relative_sds``, levels integrated out:
    :func:`response.solve.prior_evidence`, the pooled cells only). A cell within c_n standard errors
    of the pool — no further than chance takes the most extreme of n cells that all sat at it (2.58
    for 5 cells, 2.96 for 16) — is held to the pool with the shop's one weight r₀; a cell further
    away keeps the part beyond chance: the pull toward the pool is then ``1 / (1 + z² − c_n²)`` for a
    cell z standard errors away (once that is less than the one weight's), so a cell the data set
    clearly apart (z = 2 c_n) keeps ≥ 96 % of its own estimate. One weight alone (the opt-in
    ``pooled_prior`` of :mod:`roimix.aggregate`) pulled such a cell as hard as the noisy ones; a weight
    per cell from its own estimate alone (c_n = 1, no r₀) let the largest of a few noise cells keep
    most of its noise — the winner's curse the pool is there to stop.

    A target that is itself an estimate (``series.pool_target_sd``, relative: e.g. the same channel's
    level fitted in another segment) adds its uncertainty: ``τ_k² + (u_k · p_k)²``. Returned with the
    pool's relative sd per cell: each pooled cell's own standard error relative to the pool's level,
    ``s_k / p_k`` (NaN where the pool's sd is), which says how much the cell's own data know, and the
    :class:`response.draws.PoolSpread` the sds come from (None without pooled cells), from which the
    stated bands' draws take r₀ by its evidence rather than the most likely one alone."""
    from scipy.stats import norm

    bare = level_problem(replace(series, pool_sd=None), active, chosen, sigma2, prior_sd)  # without the pool
    rows = series.rows
    own = np.full(len(series.cells), np.nan)
    pooled = [(j, int(k), series.pool[k] / chosen[j].h[rows].mean()) for j, k in enumerate(active)
              if not np.isfinite(series.priors[k]) and np.isfinite(series.pool[k]) and series.pool[k] > 0
              and chosen[j].h[rows].mean() > 0]
    if not pooled:
        return np.full(len(series.cells), np.nan), own, None
    coef = solve_levels(bare, rows)
    bare = replace(bare, sigma2=residual_variance(bare, coef))
    cov = covariance_inflation(bare, coef, window) * level_covariance(bare, coef, window)
    only_pool = np.full(len(active), np.nan)
    for j, _k, level in pooled:
        only_pool[j] = level
    weights = prior_weights(replace(bare, prior_a=only_pool, lift_units=None), sd_grid)
    p = series.z.shape[1]
    c = float(norm.ppf(1 - POOL_CHANCE / (2 * len(pooled))))
    target = series.pool_target_sd if series.pool_target_sd is not None else np.full(len(series.cells), np.nan)
    beyond, extra = np.full(len(series.cells), np.nan), np.zeros(len(series.cells))
    for j, k, level in pooled:
        beyond[k] = ((coef[p + j] - level) ** 2 - c**2 * max(cov[j, j], 0.0)) / level**2
        extra[k] = float(target[k]) ** 2 if np.isfinite(target[k]) else 0.0
        own[k] = float(np.sqrt(max(cov[j, j], 0.0)) / level)
    spread = PoolSpread(sd_grid, weights, beyond, extra)
    return spread.relative_sd(spread.most_likely), own, spread
