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
  :meth:`_GroupFit._prior_evidence`) gives the estimate; draws mix them by that likelihood.
* **Uncertainty**: each draw picks, per cell, a shape and carry-over kernel from the candidates
  (probabilities ``exp(−ΔSSE_cv / 2σ²)``, the same weights as the average) and a prior weight (the
  same rule over ``prior_relative_sds``), refits the levels for that design and draws them from
  their Gaussian posterior with a Newey–West (1987) covariance, so autocorrelated residuals widen
  the band rather than narrow it. Bands for value and marginal ROI are quantiles of the draws; the
  draws themselves (``CurveFit.draws``) let the optimizer weigh a plan's risk.
* **Flags**: a cell whose spend barely varies (coefficient of variation < ``min_spend_cv``) or is
  rarely on cannot be identified; it gets its prior (status ``prior``), or none (``unfit``), with
  a warning (a :class:`roimix.messages.Message`) — never a guess. A chosen S-shaped (Hill s > 1) curve is flagged for the optimizer's
  envelope path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, lsq_linear

from roimix.messages import Message
from roimix.shapes import shape_slope, shape_value

from .design import Timeline, baseline_design
from .lag import adstock, adstock_weights
from .result import STATUSES, CurveFit
from .settings import FitSettings

__all__ = ["STATUSES", "CurveFit", "FitSettings", "fit_curves"]

JACKKNIFE_BLOCKS = 10
"""Contiguous blocks of periods for the delete-a-block jackknife that checks the level covariance."""
COLLINEAR_CORRELATION = 0.9
"""Spend series more correlated than this over the fitted periods cannot be told apart."""


@dataclass
class _Candidate:
    family: str
    scale: float  # b, or the history's mean spend for power curves
    s: float
    kernel: np.ndarray  # carry-over weights by period offset (sum 1)
    form: str  # "adstock" or "lagged"
    ratio: float  # history's mean spend ÷ b (NaN for power curves)
    h: np.ndarray  # unit response per period (before amplitude)

    @property
    def lag(self) -> float:
        return float(np.arange(len(self.kernel)) @ self.kernel)

    def unit(self, x: np.ndarray) -> np.ndarray:
        return _unit(self.family, x, self.scale, self.s)


def _unit(family: str, x, scale: float, s: float) -> np.ndarray:
    group = {"hill": "hill_s" if s > 1 else ("mm" if s == 1 else "hill_concave")}.get(family, family)
    return shape_value(group, np.asarray(x, dtype=float) / scale, s)


def _unit_slope(family: str, x, scale: float, s: float) -> np.ndarray:
    group = {"hill": "hill_s" if s > 1 else ("mm" if s == 1 else "hill_concave")}.get(family, family)
    return shape_slope(group, np.asarray(x, dtype=float) / scale, s) / scale


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
    standard_error — measured effects that calibrate the curve level: the mean increment per day
    over the test's days of a step of spend from ``start`` to ``end`` (the cell's carry-over kernel
    applies). A test without a segment is split evenly over the channel's segments; a test that
    matches no cell, or a cell whose spend is too flat to fit, is not used and named in a warning.
    ``exclude``: start, end (campaign phases): periods left out of the fit.
    ``controls``: date + numeric columns added to the baseline.
    ``current_spend``: channel, segment, current_spend; default: the mean over the history.
    ``shapes``: channel, segment, family, b, s, lag_mean_days — fixed shapes (only the levels are
    fitted); used to score a fit that is told the true shapes (the noise ceiling).
    """
    rng = np.random.default_rng(settings.seed)
    spend = _with_segment(spend)
    timeline = Timeline.from_dates(pd.concat([pd.to_datetime(spend["date"]), pd.to_datetime(outcome["date"])]))
    cells = spend[["channel", "segment"]].drop_duplicates().sort_values(["channel", "segment"]).reset_index(drop=True)
    x = _wide(spend, cells, timeline)
    cell_kernels = _kernels(cells, lags, kernels, timeline.period_days, settings)
    fit_rows = _fit_mask(outcome, exclude, timeline, cell_kernels, settings)
    by_segment = "segment" in outcome.columns
    groups = sorted(outcome["segment"].unique()) if by_segment else ["all"]
    if by_segment:
        missing = set(cells["segment"]) - set(groups)
        if missing:
            raise ValueError(f"outcome has no series for segment(s) {sorted(missing)} that spend has")
    z, z_names = baseline_design(timeline, controls)
    current = _current_spend(cells, x, current_spend)
    priors = _align(cells, prior, "value")
    lifts, warnings = _lift_rows(lift_tests, cells, timeline.period_days)
    curve_rows, band_rows, cand_rows, decomp_rows, summaries, draw_rows = [], [], [], [], [], []

    for group in groups:
        members = np.flatnonzero(cells["segment"].to_numpy() == group) if by_segment else np.arange(len(cells))
        y = _series(outcome, group if by_segment else None, timeline)
        rows = fit_rows & np.isfinite(y)
        if rows.sum() < z.shape[1] + 10:
            raise ValueError(f"outcome {group}: only {int(rows.sum())} periods to fit on; need at least "
                             f"{z.shape[1] + 10} outside excluded periods")
        member_cells = cells.iloc[members].reset_index(drop=True)
        fitted = _GroupFit(settings, rng, timeline, z, y, rows, x[members], member_cells,
                           [cell_kernels[i] for i in members], priors[members], current[members],
                           [(int(np.flatnonzero(members == k)[0]), *rest) for k, *rest in lifts if k in members],
                           _fixed_shapes(shapes, member_cells, timeline.period_days,
                                         [cell_kernels[i] for i in members]))
        result = fitted.run()
        warnings += result["warnings"]
        curve_rows.append(result["curves"])
        band_rows.append(result["bands"])
        draw_rows.append(result["draws"])
        cand_rows.append(result["candidates"])
        decomp = result["decomposition"].assign(outcome=group)
        decomp_rows.append(decomp)
        summaries.append({"outcome": group, **result["summary"]})

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


# --- one outcome series ---------------------------------------------------------------------------


class _GroupFit:
    """Fits the cells of one outcome series (one product segment, or the total)."""

    def __init__(self, settings, rng, timeline, z, y, rows, x, cells, kernels, priors, current, lifts, fixed):
        self.settings, self.rng, self.timeline = settings, rng, timeline
        self.z, self.y, self.rows = z, y, rows
        self.x, self.cells, self.kernels, self.priors, self.current = x, cells, kernels, priors, current
        self.lifts, self.fixed = lifts, fixed
        self.labels = (cells["channel"] + "/" + cells["segment"]).tolist()
        self.warnings: list[Message] = []

    # -- set-up ------------------------------------------------------------------------------------

    def _identifiable(self) -> np.ndarray:
        ok = np.ones(len(self.cells), dtype=bool)
        for k, label in enumerate(self.labels):
            xs = self.x[k, self.rows]
            mean = xs.mean()
            cv = xs.std() / mean if mean > 0 else 0.0
            active = int((xs > 0).sum())
            if cv < self.settings.min_spend_cv or active < self.settings.min_active_periods:
                ok[k] = False
                fallback = "prior" if np.isfinite(self.priors[k]) else "unfit"
                if cv < self.settings.min_spend_cv:
                    self.warnings.append(Message(f"pipeline.fit.flat_{fallback}", {"cell": label, "cv_share": float(cv)}))
                else:
                    self.warnings.append(Message(f"pipeline.fit.rare_{fallback}", {"cell": label,
                                                                                   "active_periods": active}))
                for k_lift, *_rest, test in self.lifts:
                    if k_lift == k:
                        self.warnings.append(Message("pipeline.fit.lift_not_identified", {"test": test, "cell": label}))
        return ok

    def _collinear(self, ok: np.ndarray) -> dict[int, tuple[str, float]]:
        """Cells whose spend moves with another's over the fitted periods (|correlation| above
        ``COLLINEAR_CORRELATION``): the history cannot tell their effects apart. Each is named with its
        most correlated partner, in a warning and in the curves' ``collinear_with`` column."""
        idx = np.flatnonzero(ok)
        out: dict[int, tuple[str, float]] = {}
        if len(idx) < 2:
            return out
        corr = np.corrcoef(self.x[idx][:, self.rows])
        np.fill_diagonal(corr, 0.0)
        for i, k in enumerate(idx):
            j = int(np.argmax(np.abs(corr[i])))
            if abs(corr[i, j]) > COLLINEAR_CORRELATION:
                out[int(k)] = (self.labels[idx[j]], float(corr[i, j]))
                if i < j or abs(corr[j]).argmax() != i:
                    self.warnings.append(Message("pipeline.fit.collinear", {
                        "cell": self.labels[k], "other": self.labels[idx[j]], "correlation": float(corr[i, j])}))
        return out

    def _candidates(self, k: int) -> list[_Candidate]:
        s = self.settings
        mean = max(self.x[k, self.rows].mean(), 1e-9)
        if self.fixed[k] is not None:
            family, b, exponent, kernel, form = self.fixed[k]
            scale = mean if family == "power" else b
            return [_candidate(family, scale, exponent, kernel, form, mean, self.x[k])]
        out = []
        for kernel in self.kernels[k]:
            for form in s.forms:
                for fam in s.families:
                    if fam == "power":
                        shapes = [(mean, p) for p in s.power_exponents]
                    elif fam == "hill":
                        shapes = [(mean / r, h) for h in s.hill_exponents for r in s.saturation_ratios]
                    else:
                        shapes = [(mean / r, 1.0) for r in s.saturation_ratios]
                    out += [_candidate(fam, scale, exponent, kernel, form, mean, self.x[k]) for scale, exponent in shapes]
        return out

    @staticmethod
    def _start(cands: list[_Candidate]) -> int:
        """Where coordinate descent starts: exp with b nearest the history's spend, at the first lag."""
        exp = [i for i, c in enumerate(cands) if c.family == "exp" and c.kernel is cands[0].kernel
               and c.form == cands[0].form]
        if not exp:
            return 0
        return min(exp, key=lambda i: abs(np.log(cands[i].ratio)))

    # -- solving -----------------------------------------------------------------------------------

    def _system(self, H: np.ndarray, train: np.ndarray, sigma2: float, prior_a: np.ndarray,
                lift_units: np.ndarray | None, prior_sd: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The least-squares system ``(A, b)``: the outcome's rows, then one row per prior and lift test.

        A prior is the pseudo-observation ``(a_k − a_k^prior) / (r · a_k^prior)`` scaled by σ, so each
        extra row has the residual variance σ² of an outcome row."""
        r = self.settings.prior_relative_sd if prior_sd is None else prior_sd
        Z = self.z[train]
        A = np.hstack([Z, H[train]])
        b = self.y[train]
        extra_A, extra_b = [], []
        p, m = Z.shape[1], H.shape[1]
        for j in range(m):
            if np.isfinite(prior_a[j]) and prior_a[j] > 0:
                w = np.sqrt(sigma2) / (r * prior_a[j])
                row = np.zeros(p + m)
                row[p + j] = w
                extra_A.append(row)
                extra_b.append(w * prior_a[j])
        if lift_units is not None:
            for j, unit, value, se in lift_units:
                w = np.sqrt(sigma2) / se
                row = np.zeros(p + m)
                row[p + int(j)] = w * unit
                extra_A.append(row)
                extra_b.append(w * value)
        if extra_A:
            A = np.vstack([A, np.array(extra_A)])
            b = np.concatenate([b, np.array(extra_b)])
        return A, b

    def _solve(self, H: np.ndarray, train: np.ndarray, sigma2: float, prior_a: np.ndarray,
               lift_units: np.ndarray | None, prior_sd: float | None = None) -> np.ndarray:
        """Coefficients [baseline β, amplitudes a ≥ 0] by bounded least squares with prior/lift rows."""
        A, b = self._system(H, train, sigma2, prior_a, lift_units, prior_sd)
        p, m = self.z.shape[1], H.shape[1]
        lower = np.concatenate([np.full(p, -np.inf), np.zeros(m)])
        scale = np.maximum(np.abs(A).max(axis=0), 1e-12)
        res = lsq_linear(A / scale, b, bounds=(lower, np.full(p + m, np.inf)), method="bvls")
        return res.x / scale

    def _cv_sse(self, H, sigma2, prior_a, lift_units, prior_sd: float | None = None) -> float:
        return float(self._cv_errors(H, sigma2, prior_a, lift_units, prior_sd).sum())

    def _cv_errors(self, H, sigma2, prior_a, lift_units, prior_sd: float | None = None) -> np.ndarray:
        """Held-out squared error of each fitted period (blocked ``cv_folds``-fold cross-validation)."""
        idx = np.flatnonzero(self.rows)
        folds = np.array_split(idx, self.settings.cv_folds)
        out = []
        for test in folds:
            train = self.rows.copy()
            train[test] = False
            coef = self._solve(H, train, sigma2, prior_a, lift_units, prior_sd)
            pred = np.hstack([self.z[test], H[test]]) @ coef
            out.append((self.y[test] - pred) ** 2)
        return np.concatenate(out)

    def _prior_amplitudes(self, chosen: list[_Candidate]) -> np.ndarray:
        out = np.full(len(chosen), np.nan)
        for j, c in enumerate(chosen):
            mean_h = c.h[self.rows].mean()
            if np.isfinite(self.priors[self.active[j]]) and mean_h > 0:
                out[j] = self.priors[self.active[j]] / mean_h
        return out

    def _lift_units(self, chosen: list[_Candidate]):
        """(position, unit response over the test's days, measured value, standard error) per lift test."""
        rows = []
        for k, spend_per_period, value, se, n_periods, _test in self.lifts:
            if k in self.active_pos:
                j = self.active_pos[k]
                rows.append((j, _step_response(chosen[j], spend_per_period, n_periods), value, se))
        return np.array(rows, dtype=float) if rows else None

    # -- the whole fit -----------------------------------------------------------------------------

    def run(self) -> dict:
        s = self.settings
        ok = self._identifiable()
        self.collinear = self._collinear(ok)
        self.active = np.flatnonzero(ok)
        self.active_pos = {int(k): j for j, k in enumerate(self.active)}
        cand = {int(k): self._candidates(int(k)) for k in self.active}
        choice = {k: self._start(cand[k]) for k in cand}

        def design(ch):
            chosen = [cand[int(k)][ch[int(k)]] for k in self.active]
            H = np.column_stack([c.h for c in chosen]) if chosen else np.zeros((self.timeline.n, 0))
            return chosen, H

        chosen, H = design(choice)
        coef0 = self._solve(H, self.rows, 1.0, np.full(len(chosen), np.nan), None)
        resid = self.y[self.rows] - np.hstack([self.z[self.rows], H[self.rows]]) @ coef0
        sigma2 = float(np.sum(resid**2) / max(self.rows.sum() - len(coef0), 1))

        cv_table: dict[int, np.ndarray] = {}
        cv_points: dict[int, np.ndarray] = {}
        for _ in range(s.sweeps if len(self.active) else 0):
            for k in cand:
                points = np.empty((len(cand[k]), int(self.rows.sum())))
                penalty = np.zeros(len(cand[k]))
                for i in range(len(cand[k])):
                    trial = dict(choice)
                    trial[k] = i
                    tchosen, tH = design(trial)
                    points[i] = self._cv_errors(tH, sigma2, self._prior_amplitudes(tchosen), self._lift_units(tchosen))
                    if cand[k][i].family in ("power", "hill"):
                        penalty[i] = 2 * sigma2 * s.unbounded_penalty
                scores = points.sum(axis=1) + penalty
                choice[k] = int(np.argmin(scores))
                cv_table[k], cv_points[k] = scores, (points, penalty)

        chosen, H = design(choice)
        prior_a = self._prior_amplitudes(chosen)
        lift_units = self._lift_units(chosen)
        sd_grid = np.array(s.prior_relative_sds, dtype=float)
        if len(sd_grid) > 1 and np.any(np.isfinite(prior_a) & (prior_a > 0)):
            evidence = self._prior_evidence(H, sigma2, prior_a, sd_grid)
            sd_weights = np.exp(evidence - evidence.max())
            sd_weights = np.where(sd_weights / sd_weights.sum() > 1e-3, sd_weights, 0.0)
            sd_weights /= sd_weights.sum()
        else:
            sd_weights = np.zeros(len(sd_grid))
            sd_weights[0] = 1.0
        prior_sd = float(sd_grid[int(np.argmax(sd_weights))])
        coef = self._solve(H, self.rows, sigma2, prior_a, lift_units, prior_sd)
        p = self.z.shape[1]
        fitted = np.hstack([self.z, H]) @ coef
        resid = (self.y - fitted)[self.rows]
        sigma2 = float(np.sum(resid**2) / max(self.rows.sum() - len(coef), 1))
        cv_sse = self._cv_sse(H, sigma2, prior_a, lift_units, prior_sd)
        yr = self.y[self.rows]
        r2 = 1 - np.sum(resid**2) / np.sum((yr - yr.mean()) ** 2)

        shape_weights = {k: self._weights(cv_table[k], sigma2) for k in cv_table}
        inflation = self._inflation(H, coef, sigma2, prior_a, lift_units, prior_sd)
        draws = self._draws(cand, choice, cv_points, sigma2, sd_grid, sd_weights, inflation)
        curves, bands, cands, draw_frames = [], [], [], []
        for k, label in enumerate(self.labels):
            channel, segment = self.cells.loc[k, ["channel", "segment"]]
            if k in self.active_pos:
                j = self.active_pos[k]
                cell_draws = [(d["cells"][j], d["prior_sd"]) for d in draws]
                row, band, cand_frame = self._report_cell(k, j, cand[k], cv_table.get(k), shape_weights.get(k),
                                                          choice[k], chosen, H, coef, cell_draws, sigma2, prior_sd)
                cands.append(cand_frame)
            else:
                row, band, cell_draws = self._fallback_cell(k, sd_grid, sd_weights)
            other = self.collinear.get(k)
            row["collinear_with"] = f"{other[0]} ({other[1]:.2f})" if other else ""
            curves.append({"channel": channel, "segment": segment, **row})
            bands.append(band.assign(channel=channel, segment=segment))
            if cell_draws:
                draw_frames.append(pd.DataFrame(
                    [(i, channel, segment, *table, lag, r) for i, ((table, lag), r) in enumerate(cell_draws)],
                    columns=["draw", "channel", "segment", "family", "a", "b", "s", "lag_mean_periods",
                             "prior_relative_sd"]))
        decomposition = self._decomposition(H, coef)
        return {
            "curves": pd.DataFrame(curves),
            "bands": pd.concat(bands, ignore_index=True),
            "candidates": pd.concat(cands, ignore_index=True) if cands else pd.DataFrame(),
            "decomposition": decomposition,
            "draws": pd.concat(draw_frames, ignore_index=True) if draw_frames else pd.DataFrame(),
            "summary": {"r2": float(r2), "cv_rmse": float(np.sqrt(cv_sse / self.rows.sum())),
                        "sigma": float(np.sqrt(sigma2)), "baseline_terms": p, "prior_relative_sd": prior_sd},
            "warnings": self.warnings,
        }

    def _prior_evidence(self, H, sigma2, prior_a, sd_grid) -> np.ndarray:
        """Log marginal likelihood of the outcome for each prior weight ``r`` (empirical Bayes): the
        levels with a prior are integrated out under ``a_k ~ N(a_k^prior, (r·a_k^prior)²)``, the
        baseline and the levels without one under a flat prior (their span is projected out), noise
        σ²; nonnegativity and lift tests are left out of this comparison."""
        rows = self.rows
        has = np.isfinite(prior_a) & (prior_a > 0)
        flat = np.hstack([self.z[rows], H[rows][:, ~has]])
        q, _ = np.linalg.qr(flat, mode="complete")
        rank = np.linalg.matrix_rank(flat)
        Q = q[:, rank:]
        resid = Q.T @ (self.y[rows] - H[rows][:, has] @ prior_a[has])
        G = Q.T @ H[rows][:, has]
        out = []
        for r in sd_grid:
            C = sigma2 * np.eye(Q.shape[1]) + (G * (r * prior_a[has]) ** 2) @ G.T
            sign, logdet = np.linalg.slogdet(C)
            out.append(-0.5 * (logdet + resid @ np.linalg.solve(C, resid)))
        return np.array(out)

    def _weights(self, cv_sse: np.ndarray, sigma2: float) -> np.ndarray:
        """``exp(−ΔSSE_cv / (2σ²·T))``, normalised; weights below 1e-3 of the total are dropped."""
        w = np.exp(-(cv_sse - cv_sse.min()) / (2 * sigma2 * self.settings.weight_temperature))
        w = np.where(w / w.sum() > 1e-3, w, 0.0)
        return w / w.sum()

    def _level_cov(self, H, coef, sigma2, prior_a, lift_units, prior_sd) -> np.ndarray:
        """Covariance of the levels: the sandwich ``(AᵀA)⁻¹ S (AᵀA)⁻¹`` with ``S`` Newey–West (Bartlett
        weights) over the outcome's rows and σ² for each prior or lift row (Newey & West 1987)."""
        A, b = self._system(H, self.rows, sigma2, prior_a, lift_units, prior_sd)
        n, p = int(self.rows.sum()), self.z.shape[1]
        e = b - A @ coef
        g = A[:n] * e[:n, None]
        meat = g.T @ g
        window = self.settings.bootstrap_block_periods or (7 if self.timeline.period_days == 1 else 4)
        for lag in range(1, min(window, n - 1) + 1):
            cross = g[lag:].T @ g[:-lag]
            meat += (1 - lag / (window + 1)) * (cross + cross.T)
        meat *= n / max(n - A.shape[1], 1)
        meat += sigma2 * A[n:].T @ A[n:]
        bread = np.linalg.pinv(A.T @ A)
        cov = bread @ meat @ bread
        return cov[p:, p:]

    def _inflation(self, H, coef, sigma2, prior_a, lift_units, prior_sd) -> float:
        """How much more the levels move than the sandwich covariance says, ≥ 1: the median over cells
        of a delete-a-block jackknife variance (``JACKKNIFE_BLOCKS`` contiguous blocks of periods, so
        slow drift and a mis-specified baseline count) over the sandwich variance."""
        if not len(self.active) or self.settings.n_bootstrap == 0:
            return 1.0
        p = self.z.shape[1]
        idx = np.flatnonzero(self.rows)
        blocks = np.array_split(idx, min(JACKKNIFE_BLOCKS, max(len(idx) // 10, 2)))
        held = []
        for block in blocks:
            train = self.rows.copy()
            train[block] = False
            held.append(self._solve(H, train, sigma2, prior_a, lift_units, prior_sd)[p:])
        held = np.array(held)
        g = len(blocks)
        jack = (g - 1) / g * ((held - held.mean(axis=0)) ** 2).sum(axis=0)
        sandwich = np.diag(self._level_cov(H, coef, sigma2, prior_a, lift_units, prior_sd))
        ok = sandwich > 0
        return float(max(1.0, np.median(jack[ok] / sandwich[ok]))) if ok.any() else 1.0

    def _draws(self, cand, choice, cv_points, sigma2, sd_grid, sd_weights, inflation) -> list[dict]:
        """``n_bootstrap`` joint draws: per cell a candidate shape and kernel, one prior weight (by its
        likelihood), and levels from their posterior given that design. The shape is drawn with the
        averaging weights recomputed on a Bayesian bootstrap of the held-out errors (Dirichlet weights
        on blocks of periods; pseudo-BMA+, Yao et al. 2018): which shape fits best is itself uncertain
        when the candidates' errors differ by little. Each draw is
        ``{"prior_sd": r, "cells": [((family, a, b, s), lag_mean_periods) per active cell]}``."""
        s = self.settings
        if not len(self.active) or s.n_bootstrap == 0:
            return []
        keys = [int(k) for k in self.active]
        p = self.z.shape[1]
        n_rows = int(self.rows.sum())
        window = self.settings.bootstrap_block_periods or (7 if self.timeline.period_days == 1 else 4)
        block_of = np.minimum(np.arange(n_rows) // window, (n_rows - 1) // window)
        n_blocks = int(block_of.max()) + 1
        out = []
        for _ in range(s.n_bootstrap):
            weight = self.rng.dirichlet(np.ones(n_blocks))[block_of] * n_blocks * n_rows / np.bincount(
                block_of, minlength=n_blocks)[block_of] / n_rows
            pick = dict(choice)
            for k in keys:
                if k in cv_points:
                    points, penalty = cv_points[k]
                    probs = self._weights(points @ weight + penalty, sigma2)
                    pick[k] = int(self.rng.choice(len(probs), p=probs))
            r = float(sd_grid[self.rng.choice(len(sd_grid), p=sd_weights)])
            chosen = [cand[k][pick[k]] for k in keys]
            H = np.column_stack([c.h for c in chosen])
            prior_a, lift_units = self._prior_amplitudes(chosen), self._lift_units(chosen)
            coef = self._solve(H, self.rows, sigma2, prior_a, lift_units, r)
            cov = inflation * self._level_cov(H, coef, sigma2, prior_a, lift_units, r)
            vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
            amps = coef[p:] + vecs @ (np.sqrt(np.maximum(vals, 0.0)) * self.rng.standard_normal(len(vals)))
            amps = np.maximum(amps, 0.0)
            out.append({"prior_sd": r, "cells": [(_candidate_table(c, a), c.lag) for c, a in zip(chosen, amps)]})
        return out

    def _report_cell(self, k, j, cands, scores, weights, best, chosen, H, coef, cell_draws, sigma2, prior_sd):
        p = self.z.shape[1]
        a_hat = coef[p + j]
        mean_x = float(self.x[k, self.rows].mean())
        grid = np.linspace(0, max(3.0 * mean_x, 1.0), 121)
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
                Hi = H.copy()
                Hi[:, j] = cands[i].h
                amps[i] = self._solve(Hi, self.rows, sigma2, self._prior_amplitudes(alt), self._lift_units(alt),
                                      prior_sd)[p + j]
        averaged = sum(w * a * c.unit(grid) for w, a, c in zip(weights, amps, cands) if w > 0)
        top = cands[int(np.argmax(weights))]
        family, a_fit, b_fit, s_fit, proj_err = _project(top, averaged, grid, mean_x)
        value_at = lambda xx: _table_value(family, a_fit, b_fit, s_fit, xx)  # noqa: E731
        slope_at = lambda xx: _table_slope(family, a_fit, b_fit, s_fit, xx)  # noqa: E731
        current = self.current[k]
        mroi = float(slope_at(np.array([current]))[0])
        band_values = value_at(grid)
        row = {
            "family": family, "a": a_fit, "b": b_fit, "s": s_fit, "current_spend": round(float(current), 2),
            "status": "fitted", "lag_mean_periods": float(sum(w * c.lag for w, c in zip(weights, cands))),
            "r2_share": _r2_share(a_hat * H[self.rows, j], self.y[self.rows]),
            "marginal_roi": mroi,
            "value_at_current": float(value_at(np.array([current]))[0]),
            "prior_value": float(self.priors[k]) if np.isfinite(self.priors[k]) else np.nan,
            "s_shaped": bool(family == "hill" and s_fit > 1), "projection_error": proj_err,
            "top_weight": float(weights.max()),
        }
        row |= _draw_bands(cell_draws, current, row["value_at_current"], a_fit, mroi, grid, band_values)
        if row["s_shaped"]:
            self.warnings.append(Message("pipeline.fit.s_shaped", {"cell": self.labels[k], "s": float(s_fit)}))
        if row["a_rel_sd"] > 0.75:
            self.warnings.append(Message("pipeline.fit.uncertain", {"cell": self.labels[k],
                                                                    "sd_share": row["a_rel_sd"]}))
        band = pd.DataFrame({"spend": grid, "value": band_values, "low": row.pop("_band_low"),
                             "high": row.pop("_band_high")})
        cand_frame = pd.DataFrame({
            "channel": self.cells.loc[k, "channel"], "segment": self.cells.loc[k, "segment"],
            "family": [c.family for c in cands], "b": [c.scale if c.family != "power" else np.nan for c in cands],
            "s": [c.s for c in cands], "lag_mean_periods": [c.lag for c in cands], "form": [c.form for c in cands],
            "cv_sse": scores, "weight": weights, "amplitude": amps,
        })
        return row, band, cand_frame

    def _fallback_cell(self, k, sd_grid, sd_weights):
        """A cell that cannot be identified: its prior level on an exp curve with b = mean spend (draws
        spread it by the prior's weight), or nothing (level 0 in every draw)."""
        current = float(self.current[k])
        mean_x = float(self.x[k, self.rows].mean()) or current or 1.0
        prior = self.priors[k]
        grid = np.linspace(0, max(3.0 * mean_x, 1.0), 121)
        lag = float(np.mean([_mean_lag(q) for q in self.kernels[k]]))
        n = self.settings.n_bootstrap
        if np.isfinite(prior) and prior > 0:
            a = prior / (1 - np.exp(-1.0))  # f(mean) = prior with b = mean
            values = a * (1 - np.exp(-grid / mean_x))
            mroi = float(a / mean_x * np.exp(-current / mean_x))
            row = {"family": "exp", "a": a, "b": mean_x, "s": np.nan, "status": "prior", "marginal_roi": mroi,
                   "value_at_current": float(a * (1 - np.exp(-current / mean_x)))}
            r = sd_grid[self.rng.choice(len(sd_grid), size=n, p=sd_weights)]
            amps = a * np.maximum(0.0, 1 + r * self.rng.standard_normal(n))
            cell_draws = [((("exp", float(am), mean_x, np.nan), lag), float(rr)) for am, rr in zip(amps, r)]
            bands = _draw_bands(cell_draws, current, row["value_at_current"], a, mroi, grid, values)
        else:
            values = np.full(len(grid), np.nan)
            row = {"family": "exp", "a": 0.0, "b": mean_x, "s": np.nan, "status": "unfit",
                   "marginal_roi": np.nan, "value_at_current": np.nan}
            cell_draws = [((("exp", 0.0, mean_x, np.nan), lag), np.nan)] * n
            bands = {"a_low": 0.0, "a_high": 0.0, "mroi_low": np.nan, "mroi_high": np.nan, "a_rel_sd": np.nan,
                     "_band_low": values, "_band_high": values}
        row |= {
            "current_spend": round(current, 2), "lag_mean_periods": lag, "r2_share": 0.0,
            "prior_value": float(prior) if np.isfinite(prior) else np.nan, "s_shaped": False,
            "projection_error": 0.0, "top_weight": np.nan, **bands,
        }
        band = pd.DataFrame({"spend": grid, "value": values, "low": row.pop("_band_low"), "high": row.pop("_band_high")})
        return row, band, cell_draws

    def _decomposition(self, H, coef) -> pd.DataFrame:
        p = self.z.shape[1]
        parts = {"baseline": self.z @ coef[:p]}
        for j, k in enumerate(self.active):
            parts[self.labels[k]] = coef[p + j] * H[:, j]
        frames = [pd.DataFrame({"date": self.timeline.dates, "component": name, "value": values})
                  for name, values in parts.items()]
        frames.append(pd.DataFrame({"date": self.timeline.dates, "component": "actual", "value": self.y}))
        out = pd.concat(frames, ignore_index=True)
        out["fitted_period"] = np.tile(self.rows, len(frames))
        return out


# --- helpers ----------------------------------------------------------------------------------------


def _project(top: _Candidate, averaged: np.ndarray, grid: np.ndarray, mean_x: float):
    """Fit the top candidate's family to the model-averaged curve on ``grid``: (family, a, b, s, error)."""
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
        return (_table_value(family, a, b, s, grid) - averaged) / ref

    amp0 = max(float(averaged.max()), 1e-9)
    if family == "power":
        theta0 = [np.log(max(ref / max(mean_x, 1e-9) ** top.s, 1e-12))]
    elif family == "hill":
        theta0 = [np.log(amp0), np.log(top.scale), np.log(top.s)]
    else:
        theta0 = [np.log(amp0), np.log(top.scale)]
    res = least_squares(resid, theta0, method="lm" if len(theta0) <= len(grid) else "trf")
    a, b, s = table(res.x)
    if family == "hill" and s < 1:  # keep Hill exponents in the family's meaning (concave or S-shaped)
        s = max(s, 1e-3)
    err = float(np.max(np.abs(resid(res.x))))
    return family, float(a), float(b) if np.isfinite(b) else np.nan, float(s) if np.isfinite(s) else np.nan, err


def _candidate_table(c: _Candidate, amplitude: float) -> tuple[str, float, float, float]:
    """A candidate with its level in the curves-table form ``(family, a, b, s)``."""
    if c.family == "power":  # unit (x / scale)^s: a·x^s with a = amplitude / scale^s
        return "power", float(amplitude / c.scale**c.s), np.nan, float(c.s)
    return c.family, float(amplitude), float(c.scale), (float(c.s) if c.family == "hill" else np.nan)


def _r2_share(contribution: np.ndarray, y: np.ndarray) -> float:
    return float(np.var(contribution) / np.var(y)) if np.var(y) > 0 else 0.0


def _draw_bands(cell_draws, current: float, value_now: float, a: float, mroi: float, grid: np.ndarray,
                values: np.ndarray) -> dict:
    """90 % bands from a cell's draws: the level (as ``a`` times the 5 %/95 % quantiles of the value at
    current spend over the estimate's), the marginal ROI at current spend, and the curve on ``grid``.
    Without draws the bands collapse onto the estimate."""
    if not cell_draws:
        return {"a_low": a, "a_high": a, "mroi_low": mroi, "mroi_high": mroi, "a_rel_sd": 0.0,
                "_band_low": values, "_band_high": values}
    at = np.array([current])
    now = np.array([_table_value(*t, at)[0] for (t, _lag), _r in cell_draws])
    slope = np.array([_table_slope(*t, at)[0] for (t, _lag), _r in cell_draws])
    on_grid = np.array([_table_value(*t, grid) for (t, _lag), _r in cell_draws])
    ratio = now / value_now if value_now > 0 else np.ones(len(now))
    lo, hi = np.quantile(ratio, [0.05, 0.95])
    return {"a_low": a * lo, "a_high": a * hi, "mroi_low": float(np.quantile(slope, 0.05)),
            "mroi_high": float(np.quantile(slope, 0.95)), "a_rel_sd": float(np.std(ratio)),
            "_band_low": np.quantile(on_grid, 0.05, axis=0), "_band_high": np.quantile(on_grid, 0.95, axis=0)}


def _table_value(family, a, b, s, x):
    x = np.asarray(x, dtype=float)
    if family == "power":
        return a * np.maximum(x, 0) ** s
    return a * _unit(family, x, b, s if np.isfinite(s) else 1.0)


def _table_slope(family, a, b, s, x):
    x = np.asarray(x, dtype=float)
    if family == "power":
        with np.errstate(divide="ignore"):
            return np.where(x > 0, a * s * np.maximum(x, 1e-300) ** (s - 1), np.inf)
    return a * _unit_slope(family, x, b, s if np.isfinite(s) else 1.0)


def _with_segment(spend: pd.DataFrame) -> pd.DataFrame:
    out = spend.copy()
    if "segment" not in out.columns:
        out["segment"] = "all"
    out["channel"] = out["channel"].astype(str)
    out["segment"] = out["segment"].astype(str)
    return out


def _wide(spend: pd.DataFrame, cells: pd.DataFrame, timeline: Timeline) -> np.ndarray:
    x = np.zeros((len(cells), timeline.n))
    pos = timeline.positions(spend["date"])
    key = {(c, s): i for i, (c, s) in enumerate(zip(cells["channel"], cells["segment"]))}
    rows = np.array([key[(c, s)] for c, s in zip(spend["channel"], spend["segment"])])
    np.add.at(x, (rows, pos), spend["spend"].to_numpy(dtype=float))
    return x


def _series(outcome: pd.DataFrame, segment: str | None, timeline: Timeline) -> np.ndarray:
    frame = outcome if segment is None else outcome[outcome["segment"] == segment]
    values = frame.groupby(pd.to_datetime(frame["date"]))["value"].sum()
    return values.reindex(timeline.dates).to_numpy(dtype=float)


def _candidate(family, scale, exponent, kernel, form, mean, x) -> _Candidate:
    if form == "adstock":
        h = _unit(family, adstock(x, kernel), scale, exponent)
    else:
        h = adstock(_unit(family, x, scale, exponent), kernel)
    ratio = np.nan if family == "power" else mean / scale
    return _Candidate(family, scale, exponent, kernel, form, ratio, h)


def _mean_lag(kernel: np.ndarray) -> float:
    return float(np.arange(len(kernel)) @ kernel)


def _reach(kernel: np.ndarray, mass: float = 0.95) -> int:
    """Periods needed to carry ``mass`` of the kernel's weight."""
    return int(np.searchsorted(np.cumsum(kernel), mass) + 1)


def _kernels(cells, lags, kernels, period_days: int, settings: FitSettings) -> list[list[np.ndarray]]:
    """Candidate carry-over kernels per cell: an estimated kernel, a geometric one from a mean lag, or a grid."""
    by_kernel = {}
    if kernels is not None and len(kernels):
        for channel, frame in kernels.groupby(kernels["channel"].astype(str)):
            offsets = frame["offset"].to_numpy(dtype=int)
            w = np.zeros(offsets.max() + 1)
            np.add.at(w, offsets, frame["weight"].to_numpy(dtype=float))
            if w.sum() > 0:
                by_kernel[channel] = w / w.sum()
    by_lag = {} if lags is None else dict(zip(lags["channel"].astype(str), lags["lag_mean_days"].astype(float)))
    out = []
    for channel in cells["channel"]:
        if channel in by_kernel:
            out.append([by_kernel[channel]])
        elif channel in by_lag and np.isfinite(by_lag[channel]):
            out.append([adstock_weights(by_lag[channel] / period_days)])
        else:
            out.append([adstock_weights(lag) for lag in settings.lag_candidates_periods])
    return out


def _fit_mask(outcome, exclude, timeline: Timeline, kernels: list[list[np.ndarray]], settings) -> np.ndarray:
    """Periods the fit uses: with an outcome, past the carry-over warm-up, outside excluded blocks and their tails."""
    keep = np.zeros(timeline.n, dtype=bool)
    keep[timeline.positions(outcome["date"])] = True
    reach = max((_reach(q) for ks in kernels for q in ks), default=1)
    keep[: min(reach - 1, timeline.n // 5)] = False
    if exclude is not None and len(exclude):
        longest = max((_mean_lag(q) for ks in kernels for q in ks), default=0.0)
        tail = int(np.ceil(settings.exclude_tail_lags * longest))
        for start, end in zip(pd.to_datetime(exclude["start"]), pd.to_datetime(exclude["end"])):
            out = (timeline.dates >= start) & (timeline.dates <= end + pd.Timedelta(days=tail * timeline.period_days))
            keep &= ~out
    return keep


def _current_spend(cells: pd.DataFrame, x: np.ndarray, given: pd.DataFrame | None) -> np.ndarray:
    current = x.mean(axis=1)
    if given is not None:
        lookup = {(c, s): v for c, s, v in zip(given["channel"], given["segment"], given["current_spend"])}
        current = np.array([lookup.get((c, s), current[i]) for i, (c, s) in
                            enumerate(zip(cells["channel"], cells["segment"]))])
    return current


def _align(cells: pd.DataFrame, table: pd.DataFrame | None, column: str) -> np.ndarray:
    if table is None:
        return np.full(len(cells), np.nan)
    t = _with_segment(table)
    lookup = {(c, s): v for c, s, v in zip(t["channel"], t["segment"], t[column])}
    return np.array([float(lookup.get((c, s), np.nan)) for c, s in zip(cells["channel"], cells["segment"])])


def _fixed_shapes(shapes: pd.DataFrame | None, cells: pd.DataFrame, period_days: int, kernels) -> list:
    """Per cell: (family, b, s, kernel, form) when its shape is given, else None.

    The kernel is the cell's own (first) candidate kernel, or the geometric kernel of the shape's
    ``lag_mean_days``; the form is the shape's ``form`` column (default ``lagged``)."""
    if shapes is None:
        return [None] * len(cells)
    t = _with_segment(shapes).set_index(["channel", "segment"])
    out = []
    for c, seg in zip(cells["channel"], cells["segment"]):
        if (c, seg) not in t.index:
            out.append(None)
            continue
        r = t.loc[(c, seg)]
        exponent = float(r["s"]) if "s" in r and np.isfinite(r["s"]) else 1.0
        kernel = kernels[len(out)][0]
        if "lag_mean_days" in r and np.isfinite(r["lag_mean_days"]):
            kernel = adstock_weights(float(r["lag_mean_days"]) / period_days)
        out.append((str(r["family"]), float(r["b"]), exponent, kernel, str(r.get("form", "lagged"))))
    return out


def _step_response(candidate: _Candidate, spend_per_period: float, n_periods: int) -> float:
    """Mean unit response over ``n_periods`` periods of a spend step that starts in the first of them
    (none before): what a lift test of that length measures, carry-over included."""
    kernel = candidate.kernel
    reached = np.cumsum(np.pad(kernel, (0, max(n_periods - len(kernel), 0))))[:n_periods]
    if candidate.form == "adstock":
        return float(np.mean(candidate.unit(spend_per_period * reached)))
    return float(candidate.unit(np.array([spend_per_period]))[0] * np.mean(reached))


def _lift_rows(lift_tests: pd.DataFrame | None, cells: pd.DataFrame, period_days: int):
    """``([(cell index, spend per period, incremental value per period, standard error, periods,
    test number)], warnings)``: one row per lift test and cell it matches; tests are numbered from 1
    in table order. A test without a segment is split evenly over the channel's cells."""
    if lift_tests is None or not len(lift_tests):
        return [], []
    rows, warnings = [], []
    for number, r in enumerate(lift_tests.itertuples(index=False), start=1):
        seg = getattr(r, "segment", None)
        seg = seg if isinstance(seg, str) and seg else None
        match = cells.index[(cells["channel"] == str(r.channel)) & ((cells["segment"] == seg) if seg else True)]
        if not len(match):
            warnings.append(Message("pipeline.fit.lift_unmatched", {"test": number, "channel": str(r.channel),
                                                                   "segment": seg or "*"}))
            continue
        days = (pd.Timestamp(r.end) - pd.Timestamp(r.start)).days + 1
        n_periods = max(1, int(round(days / period_days)))
        share = 1.0 / len(match)
        for k in match:
            rows.append((int(k), float(r.spend) * period_days * share, float(r.incremental_value) * period_days * share,
                         float(r.standard_error) * period_days * share, n_periods, number))
    return rows, warnings
