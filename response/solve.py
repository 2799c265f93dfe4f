"""The levels of a design and the choice of shapes: bounded least squares with prior and lift-test rows,
blocked cross-validation, candidate weights, the prior's weight by empirical Bayes. Pure functions of
frozen inputs.

For the chosen candidates' unit responses ``H`` (periods × cells) the levels solve

    min ‖y − z β − H a‖² + Σ_k (σ (a_k − a_k^prior) / (r a_k^prior))² + Σ_t (σ (u_t a_k − v_t) / se_t)²
    subject to a ≥ 0,

over the fitted periods: a prior is a pseudo-observation with relative sd ``r``, a lift test ``t`` of
cell ``k`` one with its standard error (``u_t`` the unit response over the test's days, ``v_t`` the
measured increment), each with the residual variance σ² of an outcome row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import lsq_linear, nnls

from .candidates import Candidate, mean_response, step_response
from .inputs import OutcomeSeries
from .settings import FitSettings


class BaselineBasis:
    """The thin SVD of the baseline columns ``z`` on a set of training periods, each column scaled to unit
    largest entry as :func:`solve_levels` scales them, computed once per set: the baseline is the same in
    every candidate design of a series, and the shape search solves tens of thousands of them."""

    def __init__(self, z: np.ndarray):
        self.z = z
        self._by_train: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def svd(self, scaled_z: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``U, s, Vᵀ`` of ``scaled_z`` (``z[train]`` scaled; the caller's copy), kept for ``train``."""
        key = train.tobytes()
        if key not in self._by_train:
            self._by_train[key] = _thin_svd(scaled_z)
        return self._by_train[key]


def _thin_svd(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD of ``Z`` with the singular vectors of numerically zero singular values dropped (numpy's rank rule)."""
    U, sv, Vt = np.linalg.svd(Z, full_matrices=False)
    keep = sv > sv.max(initial=0.0) * max(Z.shape) * np.finfo(float).eps  # numpy's rank rule
    return U[:, keep], sv[keep], Vt[keep]


@dataclass(frozen=True, eq=False)
class LevelProblem:
    """One design's least-squares problem: baseline ``z``, outcome ``y``, fitted periods ``rows``, unit
    responses ``H``, residual variance ``sigma2``, prior level per column ``prior_a`` (NaN: none),
    lift-test rows ``lift_units`` (column, unit response, value, standard error; None: none), the
    prior's relative sd ``prior_sd`` and per column a fixed relative sd ``fixed_sd`` that replaces it
    (NaN: ``prior_sd``; the pool's per-cell weights, see :func:`response.fit.pool_weights`)."""

    z: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    H: np.ndarray
    sigma2: float
    prior_a: np.ndarray
    lift_units: np.ndarray | None
    prior_sd: float
    fixed_sd: np.ndarray | None = None
    basis: BaselineBasis | None = None
    """The baseline's factorisations per set of training periods, shared by the problems of one series."""
    memo: dict = field(default_factory=dict, init=False, repr=False)
    """This problem's system parts, made on first use (a ``replace`` starts afresh)."""

    def column_sds(self) -> np.ndarray:
        """The prior's relative sd per column: ``fixed_sd`` where given, else ``prior_sd``."""
        out = np.full(len(self.prior_a), float(self.prior_sd))
        if self.fixed_sd is not None:
            out = np.where(np.isfinite(self.fixed_sd), self.fixed_sd, out)
        return out


def design_columns(chosen: list[Candidate], n_periods: int) -> np.ndarray:
    """``H``: the chosen candidates' unit responses as columns."""
    return np.column_stack([c.h for c in chosen]) if chosen else np.zeros((n_periods, 0))


def prior_levels(series: OutcomeSeries, active: np.ndarray, chosen: list[Candidate]) -> np.ndarray:
    """The prior on each column's level: ``a^prior = prior value ÷ mean unit response`` over the fitted
    periods (NaN without a prior); a cell without a prior takes its pool's value once the pool's
    weights are chosen (``series.pool_sd``)."""
    out = np.full(len(chosen), np.nan)
    for j, c in enumerate(chosen):
        mean_h = mean_response(c, series.rows)
        value = series.priors[active[j]]
        if not np.isfinite(value) and series.pool is not None and series.pool_sd is not None:
            value = series.pool[active[j]]
        if np.isfinite(value) and mean_h > 0:
            out[j] = value / mean_h
    return out


def pool_sds(series: OutcomeSeries, active: np.ndarray) -> np.ndarray | None:
    """Per column the pool's fixed relative sd (NaN for a cell with its own prior or no pool); None without."""
    if series.pool is None or series.pool_sd is None:
        return None
    own = np.isfinite(series.priors[active])
    return np.where(own, np.nan, series.pool_sd[active])


def lift_units(series: OutcomeSeries, active: np.ndarray, chosen: list[Candidate]) -> np.ndarray | None:
    """(column, unit response over the test's days, measured value, standard error) per lift test of an
    active cell; None without any."""
    position = {int(k): j for j, k in enumerate(active)}
    rows = []
    for k, spend_per_period, value, se, window, _test in series.lifts:
        if k in position:
            j = position[k]
            rows.append((j, step_response(chosen[j], spend_per_period, window), value, se))
    return np.array(rows, dtype=float) if rows else None


def level_problem(series: OutcomeSeries, active: np.ndarray, chosen: list[Candidate], sigma2: float,
                  prior_sd: float) -> LevelProblem:
    """The problem of a design, with its priors and lift tests."""
    return LevelProblem(series.z, series.y, series.rows, design_columns(chosen, series.timeline.n), sigma2,
                        prior_levels(series, active, chosen), lift_units(series, active, chosen), prior_sd,
                        pool_sds(series, active), series.basis)


def least_squares_system(problem: LevelProblem, train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares system ``(A, b)``: the outcome's ``train`` rows, then one row per prior and lift test.

    A prior is the pseudo-observation ``(a_k − a_k^prior) / (r · a_k^prior)`` scaled by σ, so each
    extra row has the residual variance σ² of an outcome row."""
    if "system" not in problem.memo:
        problem.memo["system"] = _system_parts(problem)
    outcome_A, extra_A, extra_b = problem.memo["system"]
    if not len(extra_A):
        return outcome_A[train], problem.y[train]
    return np.vstack([outcome_A[train], extra_A]), np.concatenate([problem.y[train], extra_b])


def _system_parts(problem: LevelProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``[z, H]`` over every period, and the prior and lift rows with their right-hand side: the parts of
    :func:`least_squares_system` that do not depend on the training periods."""
    H, r, sigma2 = problem.H, problem.column_sds(), problem.sigma2
    p, m = problem.z.shape[1], H.shape[1]
    prior_a = problem.prior_a
    with np.errstate(invalid="ignore"):
        cols = np.flatnonzero(np.isfinite(prior_a) & (prior_a > 0))
    w = np.sqrt(sigma2) / (r[cols] * prior_a[cols])
    extra_A = np.zeros((len(cols), p + m))
    extra_A[np.arange(len(cols)), p + cols] = w
    extra_b = w * prior_a[cols]
    if problem.lift_units is not None:
        units = problem.lift_units
        lw = np.sqrt(sigma2) / units[:, 3]
        lift_A = np.zeros((len(units), p + m))
        lift_A[np.arange(len(units)), p + units[:, 0].astype(int)] = lw * units[:, 1]
        extra_A, extra_b = np.vstack([extra_A, lift_A]), np.concatenate([extra_b, lw * units[:, 2]])
    return np.hstack([problem.z, H]), extra_A, extra_b


def solve_levels(problem: LevelProblem, train: np.ndarray) -> np.ndarray:
    """Coefficients [baseline β, levels a ≥ 0] on the ``train`` periods by bounded least squares with the prior
    and lift rows, columns scaled to unit largest entry.

    The baseline is free, so it is projected out (Frisch–Waugh–Lovell): with ``P`` the projection off the span
    of the baseline columns on the outcome rows, ``a = argmin_{a ≥ 0} ‖P(b − H a)‖² + ‖b_e − A_e a‖²`` is a
    non-negative least-squares problem (Lawson–Hanson, :func:`scipy.optimize.nnls`) and ``β = Z⁺(b − H a)``, the
    minimum-norm baseline (as a least-squares solver gives when a fold leaves a baseline column empty). The
    same optimum as bounded-variable least squares over [β, a] at a fraction of its cost: the fit solves tens of
    thousands of these small problems (candidates × folds × sweeps)."""
    A, b = least_squares_system(problem, train)
    p, m = problem.z.shape[1], problem.H.shape[1]
    n_out = int(np.count_nonzero(train))  # outcome rows first, then the prior and lift rows
    scale = np.maximum(np.abs(A).max(axis=0), 1e-12)
    A = A / scale
    Z, H = A[:n_out, :p], A[:, p:]
    basis = problem.basis
    U, sv, Vt = basis.svd(Z, train) if basis is not None and basis.z is problem.z else _thin_svd(Z)
    Hp, bp = H.copy(), b.copy()
    Hp[:n_out] -= U @ (U.T @ H[:n_out])
    bp[:n_out] -= U @ (U.T @ b[:n_out])
    levels = _nonnegative_least_squares(Hp, bp) if m else np.zeros(0)
    base = Vt.T @ ((U.T @ (b[:n_out] - H[:n_out] @ levels)) / sv)  # Z⁺ r by the same SVD
    return np.concatenate([base, levels]) / scale


def _nonnegative_least_squares(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``argmin_{x ≥ 0} ‖A x − b‖`` by Lawson–Hanson; should it stop at its iteration limit (scipy raises), by
    bounded-variable least squares on the same problem."""
    try:
        return nnls(A, b, maxiter=30 * A.shape[1])[0]
    except RuntimeError:
        return lsq_linear(A, b, bounds=(0.0, np.inf), method="bvls").x


def residual_variance(problem: LevelProblem, coef: np.ndarray) -> float:
    """σ² = Σ residual² over the fitted periods ÷ (periods − coefficients)."""
    rows = problem.rows
    resid = problem.y[rows] - np.hstack([problem.z[rows], problem.H[rows]]) @ coef
    return float(np.sum(resid**2) / max(rows.sum() - len(coef), 1))


def cv_errors(problem: LevelProblem, folds: int) -> np.ndarray:
    """Held-out squared error of each fitted period (blocked ``folds``-fold cross-validation: contiguous
    blocks of fitted periods held out in turn)."""
    idx = np.flatnonzero(problem.rows)
    out = []
    for test in np.array_split(idx, folds):
        train = problem.rows.copy()
        train[test] = False
        coef = solve_levels(problem, train)
        pred = np.hstack([problem.z[test], problem.H[test]]) @ coef
        out.append((problem.y[test] - pred) ** 2)
    return np.concatenate(out)


def candidate_weights(cv_sse: np.ndarray, sigma2: float, temperature: float) -> np.ndarray:
    """``exp(−ΔSSE_cv / (2σ²·T))``, normalised; weights below 1e-3 of the total are dropped."""
    w = np.exp(-(cv_sse - cv_sse.min()) / (2 * sigma2 * temperature))
    w = np.where(w / w.sum() > 1e-3, w, 0.0)
    return w / w.sum()


@dataclass(frozen=True)
class ShapeSearch:
    """The shapes chosen by coordinate descent: ``choice`` (candidate index per active cell),
    ``sigma2`` (residual variance of the starting design), and per searched cell the penalised
    cross-validated SSE of each candidate (``cv_sse``) and its held-out errors per period with the
    penalty (``cv_points``)."""

    choice: dict[int, int]
    sigma2: float
    cv_sse: dict[int, np.ndarray]
    cv_points: dict[int, tuple[np.ndarray, np.ndarray]]


def search_shapes(series: OutcomeSeries, active: np.ndarray, cands: dict[int, list[Candidate]],
                  start: dict[int, int], settings: FitSettings) -> ShapeSearch:
    """Each active cell's shape by blocked cross-validated error with the other cells fixed, over
    ``settings.sweeps`` sweeps (coordinate descent from ``start``). Power and S-shaped Hill candidates
    pay ``2σ² · unbounded_penalty``. σ² is that of the starting design without priors."""
    choice = dict(start)

    def chosen_of(ch):
        return [cands[int(k)][ch[int(k)]] for k in active]

    def problem_of(ch, sigma2):
        return level_problem(series, active, chosen_of(ch), sigma2, settings.prior_relative_sd)

    chosen = chosen_of(choice)
    bare = LevelProblem(series.z, series.y, series.rows, design_columns(chosen, series.timeline.n), 1.0,
                        np.full(len(chosen), np.nan), None, settings.prior_relative_sd, basis=series.basis)
    sigma2 = residual_variance(bare, solve_levels(bare, series.rows))

    cv_sse: dict[int, np.ndarray] = {}
    cv_points: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for _ in range(settings.sweeps if len(active) else 0):
        for k in cands:
            points = np.empty((len(cands[k]), int(series.rows.sum())))
            penalty = np.zeros(len(cands[k]))
            for i in range(len(cands[k])):
                points[i] = cv_errors(problem_of({**choice, k: i}, sigma2), settings.cv_folds)
                if cands[k][i].family in ("power", "hill"):
                    penalty[i] = 2 * sigma2 * settings.unbounded_penalty
            scores = points.sum(axis=1) + penalty
            choice[k] = int(np.argmin(scores))
            cv_sse[k], cv_points[k] = scores, (points, penalty)
    return ShapeSearch(choice, sigma2, cv_sse, cv_points)


def prior_evidence(problem: LevelProblem, sd_grid: np.ndarray) -> np.ndarray:
    """Log marginal likelihood of the outcome for each prior weight ``r`` (empirical Bayes): the
    levels with a prior are integrated out under ``a_k ~ N(a_k^prior, (r·a_k^prior)²)``, the
    baseline and the levels without one under a flat prior (their span is projected out), noise
    σ²; nonnegativity and lift tests are left out of this comparison."""
    rows, H, prior_a, sigma2 = problem.rows, problem.H, problem.prior_a, problem.sigma2
    has = np.isfinite(prior_a) & (prior_a > 0)
    flat = np.hstack([problem.z[rows], H[rows][:, ~has]])
    q, _ = np.linalg.qr(flat, mode="complete")
    rank = np.linalg.matrix_rank(flat)
    Q = q[:, rank:]
    resid = Q.T @ (problem.y[rows] - H[rows][:, has] @ prior_a[has])
    G = Q.T @ H[rows][:, has]
    fixed = np.isfinite(problem.fixed_sd[has]) if problem.fixed_sd is not None else np.zeros(int(has.sum()), bool)
    out = []
    for r in sd_grid:
        sds = np.where(fixed, problem.fixed_sd[has] if problem.fixed_sd is not None else r, r)
        C = sigma2 * np.eye(Q.shape[1]) + (G * (sds * prior_a[has]) ** 2) @ G.T
        sign, logdet = np.linalg.slogdet(C)
        out.append(-0.5 * (logdet + resid @ np.linalg.solve(C, resid)))
    return np.array(out)


def prior_weights(problem: LevelProblem, sd_grid: np.ndarray) -> np.ndarray:
    """Probability of each candidate prior weight in ``sd_grid`` by its evidence (below 1e-3 dropped);
    all on the first without a choice (one candidate, or no prior whose weight is not fixed)."""
    free = np.isfinite(problem.prior_a) & (problem.prior_a > 0)
    if problem.fixed_sd is not None:
        free &= ~np.isfinite(problem.fixed_sd)
    if len(sd_grid) > 1 and np.any(free):
        evidence = prior_evidence(problem, sd_grid)
        sd_weights = np.exp(evidence - evidence.max())
        sd_weights = np.where(sd_weights / sd_weights.sum() > 1e-3, sd_weights, 0.0)
        sd_weights /= sd_weights.sum()
    else:
        sd_weights = np.zeros(len(sd_grid))
        sd_weights[0] = 1.0
    return sd_weights

