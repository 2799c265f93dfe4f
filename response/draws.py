"""Curve draws: what the data cannot tell, as joint draws of shape, carry-over, prior weight and levels.

Each draw picks, per cell, a candidate with the averaging weights recomputed on a Bayesian bootstrap
of the held-out errors (Dirichlet weights on blocks of periods; pseudo-BMA+, Yao et al. 2018), a prior
weight by its evidence (and, for the stated bands of pooled cells, the pool's spread: see
:class:`PoolSpread`), refits the levels of that design and draws them from their Gaussian posterior
with a Newey–West (1987) covariance, widened by a delete-a-block jackknife when the levels move more
than it says. The random generator is the only state; it is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .candidates import Candidate, candidate_curve
from .inputs import OutcomeSeries
from .settings import FitSettings
from .solve import LevelProblem, candidate_weights, least_squares_system, level_problem, solve_levels

JACKKNIFE_BLOCKS = 10
"""Contiguous blocks of periods for the delete-a-block jackknife that checks the level covariance."""


@dataclass(frozen=True)
class CurveDraw:
    """One draw: the prior's relative sd and, per active cell, ``((family, a, b, s), lag_mean_periods)``."""

    prior_sd: float
    cells: list[tuple[tuple[str, float, float, float], float]]


@dataclass(frozen=True)
class PoolSpread:
    """The pool's relative sd per cell as a function of the shop's one spread r₀ (see
    :func:`response.fit.pool_evidence`): ``sd_k(r₀) = √(max(beyond_k, r₀²) + target_k)`` for a pooled cell
    (``beyond_k``: its squared distance from the pool beyond chance, relative to the pool's level;
    ``target_k``: the target's own relative variance), NaN for the others; ``weights``: each r₀ of
    ``grid`` by the outcome's likelihood (empirical Bayes, levels integrated out)."""

    grid: np.ndarray
    weights: np.ndarray
    beyond: np.ndarray
    target: np.ndarray

    @property
    def most_likely(self) -> float:
        """The r₀ of most evidence: the estimate's."""
        return float(self.grid[int(np.argmax(self.weights))])

    def relative_sd(self, r0: float) -> np.ndarray:
        """Per cell the pool's relative sd at spread ``r0`` (NaN for a cell not pooled)."""
        pooled = np.where(np.isfinite(self.beyond), 1.0, np.nan)
        return np.sqrt(np.fmax(self.beyond, r0**2) * pooled + self.target)


def newey_west_window(settings: FitSettings, period_days: int) -> int:
    """Lag window of the level covariance and block length of the bootstrap: ``bootstrap_block_periods``,
    else 7 for daily data and 4 for weekly."""
    return settings.bootstrap_block_periods or (7 if period_days == 1 else 4)


def newey_west_meat(scores: np.ndarray, window: int) -> np.ndarray:
    """``S = Σ_{|l| ≤ L} (1 − |l|/(L+1)) Σ_t g_t g_{t−l}ᵀ`` over the rows ``g_t`` of ``scores`` (Bartlett weights,
    L = ``window``, at most the rows − 1; Newey & West 1987)."""
    meat = scores.T @ scores
    for lag in range(1, min(window, len(scores) - 1) + 1):
        cross = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (window + 1)) * (cross + cross.T)
    return meat


def level_covariance(problem: LevelProblem, coef: np.ndarray, window: int) -> np.ndarray:
    """Covariance of the levels: the sandwich ``(AᵀA)⁻¹ S (AᵀA)⁻¹`` with ``S`` Newey–West (Bartlett
    weights) over the outcome's rows and σ² for each prior or lift row (Newey & West 1987)."""
    A, b = least_squares_system(problem, problem.rows)
    n, p = int(problem.rows.sum()), problem.z.shape[1]
    e = b - A @ coef
    meat = newey_west_meat(A[:n] * e[:n, None], window) * (n / max(n - A.shape[1], 1))
    meat += problem.sigma2 * A[n:].T @ A[n:]
    bread = np.linalg.pinv(A.T @ A)
    cov = bread @ meat @ bread
    return cov[p:, p:]


def covariance_inflation(problem: LevelProblem, coef: np.ndarray, window: int) -> float:
    """How much more the levels move than the sandwich covariance says, ≥ 1: the median over cells
    of a delete-a-block jackknife variance (``JACKKNIFE_BLOCKS`` contiguous blocks of periods, so
    slow drift and a mis-specified baseline count) over the sandwich variance."""
    p = problem.z.shape[1]
    idx = np.flatnonzero(problem.rows)
    blocks = np.array_split(idx, min(JACKKNIFE_BLOCKS, max(len(idx) // 10, 2)))
    held = []
    for block in blocks:
        train = problem.rows.copy()
        train[block] = False
        held.append(solve_levels(problem, train)[p:])
    held = np.array(held)
    g = len(blocks)
    jack = (g - 1) / g * ((held - held.mean(axis=0)) ** 2).sum(axis=0)
    sandwich = np.diag(level_covariance(problem, coef, window))
    ok = sandwich > 0
    return float(max(1.0, np.median(jack[ok] / sandwich[ok]))) if ok.any() else 1.0


def curve_draws(series: OutcomeSeries, active: np.ndarray, cands: dict[int, list[Candidate]],
                choice: dict[int, int], cv_points: dict[int, tuple[np.ndarray, np.ndarray]], sigma2: float,
                sd_grid: np.ndarray, sd_weights: np.ndarray, inflation: float, settings: FitSettings,
                rng: np.random.Generator, *, pool_spread: PoolSpread | None = None) -> list[CurveDraw]:
    """``n_bootstrap`` joint draws: per cell a candidate shape and kernel, one prior weight (by its
    likelihood), the pool's spread r₀ (``pool_spread``, by its likelihood), and levels from their
    posterior given that design (negative levels clipped to 0). The shape is drawn with the averaging
    weights recomputed on a Bayesian bootstrap of the held-out errors: which shape fits best is itself
    uncertain when the candidates' errors differ by little. The pool's spread is drawn for the same
    reason: its evidence is often flat within 1–2 log units."""
    if not len(active) or settings.n_bootstrap == 0:
        return []
    keys = [int(k) for k in active]
    p = series.z.shape[1]
    n_rows = int(series.rows.sum())
    window = newey_west_window(settings, series.timeline.period_days)
    block_of = np.minimum(np.arange(n_rows) // window, (n_rows - 1) // window)
    n_blocks = int(block_of.max()) + 1
    out = []
    for _ in range(settings.n_bootstrap):
        weight = rng.dirichlet(np.ones(n_blocks))[block_of] * n_blocks * n_rows / np.bincount(
            block_of, minlength=n_blocks)[block_of] / n_rows
        pick = dict(choice)
        for k in keys:
            if k in cv_points:
                points, penalty = cv_points[k]
                probs = candidate_weights(points @ weight + penalty, sigma2, settings.weight_temperature)
                pick[k] = int(rng.choice(len(probs), p=probs))
        r = float(sd_grid[rng.choice(len(sd_grid), p=sd_weights)])
        drawn = series
        if pool_spread is not None:
            r0 = float(pool_spread.grid[rng.choice(len(pool_spread.grid), p=pool_spread.weights)])
            drawn = replace(series, pool_sd=pool_spread.relative_sd(r0))
        chosen = [cands[k][pick[k]] for k in keys]
        problem = level_problem(drawn, active, chosen, sigma2, r)
        coef = solve_levels(problem, series.rows)
        cov = inflation * level_covariance(problem, coef, window)
        vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
        amps = coef[p:] + vecs @ (np.sqrt(np.maximum(vals, 0.0)) * rng.standard_normal(len(vals)))
        amps = np.maximum(amps, 0.0)
        out.append(CurveDraw(r, [(candidate_curve(c, a), c.lag) for c, a in zip(chosen, amps)]))
    return out
