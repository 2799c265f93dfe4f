"""The ``latent_intent`` hypothesis of :mod:`attribution.incremental`: two unseen audiences.

**Story.** Some shoppers arrive already meaning to buy. Nobody records it, but it shows in how they
are reached: they come back on their own (organic visits) and harvest channels (search, retargeting)
catch them more often. So the shoppers fall into two classes ``c ∈ {0, 1}`` (share ``π`` in class 1)
that differ in

* their **exposure rates**: given the class, a path's count ``x_k`` of touches on each channel ``k``
  (organic ones included) is Poisson with mean ``μ_ck`` (independent over channels), and intent
  never lowers a rate: ``μ_1k ≥ μ_0k``;
* their **baseline**: class 1 converts with ``η + α`` (``α ≥ 0``), class 0 with ``η``;

while every channel's effect (the exposure model's ``θ``, ``ψ``, …) is the same in both classes.
Then ``P(c | x) ∝ π_c Π_k Pois(x_k; μ_ck)`` and

    P(y = 1 | x) = Σ_c P(c | x) · F(η(x) + α·c),

still a model of conversion given the path, scored by held-out likelihood like every other
hypothesis. The class is identified by the joint distribution of the exposure counts (a mixture of
independent Poissons with three or more channels is), not by conversion alone: the hypothesis is
offered only where the counts alone show two audiences (:func:`shows_two_audiences`); the fit maximises the
joint likelihood ``Σ log Σ_c π_c P(x | c) P(y | x, c)`` over all parameters at once (L-BFGS-B from
the exposure model's own fit).

**Credit.** A shopper's class is part of its baseline: with channels ``T`` kept, a class-``c``
shopper converts with ``F(b + α·c + η_T)``. A converting path's users are a mixture of the classes
(weights ``P(c | x)``), so its channel ``k`` gets ``Σ_c P(c|x) φ_k^c / Σ_c P(c|x) p_c(S)`` of its
conversions and the baseline ``Σ_c P(c|x) p_c(∅) / Σ_c P(c|x) p_c(S)``: per-class Shapley values
averaged over the class posterior given the path, which conserves totals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.special import expit, logsumexp

from .paths import NO_TOUCH, EncodedPaths

_MAX_COEF = 30.0
_MIN_RATE = 1e-6


@dataclass(frozen=True)
class LatentIntent:
    """A fitted two-class intent mixture."""

    share: float
    """``π``: share of class 1 (the class with the higher baseline)"""
    lift: float
    """``α``: class 1's shift of ``η``"""
    rates: np.ndarray
    """(2, channels) ``μ_ck``: mean touches per path of each channel code in each class"""
    channels: tuple[str, ...] = ()
    """names of the ``rates`` columns (set once fitted; see :meth:`named`)"""

    def named(self, channels: tuple[str, ...]) -> LatentIntent:
        return LatentIntent(self.share, self.lift, self.rates, tuple(channels))

    def path_posterior(self, encoded: EncodedPaths) -> np.ndarray:
        """``P(c = 1 | x)`` of every path of ``encoded`` (channels matched by name; one not fitted
        has the same rate in both classes, so it says nothing about the class)."""
        where = {c: i for i, c in enumerate(self.channels)}
        rates = np.array([self.rates[:, where[c]] if c in where else [_MIN_RATE, _MIN_RATE]
                          for c in encoded.channels]).T.reshape(2, encoded.n_channels)
        return replace(self, rates=rates).posterior(channel_counts(encoded))

    def posterior(self, counts: sparse.csr_matrix) -> np.ndarray:
        """``P(c = 1 | x)`` per path (counts by channel code, as :func:`channel_counts`)."""
        log_mu = np.log(np.maximum(self.rates, _MIN_RATE))
        ll = (counts @ log_mu.T) - self.rates.sum(axis=1)[None, :]
        ll[:, 0] += np.log1p(-self.share)
        ll[:, 1] += np.log(self.share)
        return expit(ll[:, 1] - ll[:, 0])


def channel_counts(encoded: EncodedPaths, n_codes: int | None = None) -> sparse.csr_matrix:
    """(paths × channel codes) touches of each channel on each path (``(none)`` counts nothing)."""
    n_codes = encoded.n_channels if n_codes is None else n_codes
    keep = encoded.steps != encoded.code(NO_TOUCH)
    return sparse.csr_matrix((np.ones(int(keep.sum())), (encoded.row[keep], encoded.steps[keep])),
                             shape=(encoded.n_paths, n_codes))


def inverse_link(link: str, eta: np.ndarray) -> np.ndarray:
    return -np.expm1(-eta) if link == "noisy_or" else expit(eta)


def predict(fit: LatentIntent, link: str, eta: np.ndarray, counts: sparse.csr_matrix) -> np.ndarray:
    """``P(y = 1 | x) = Σ_c P(c | x) F(η + α c)``."""
    r = fit.posterior(counts)
    return (1 - r) * inverse_link(link, eta) + r * inverse_link(link, eta + fit.lift)


def row_log_likelihood(fit: LatentIntent, link: str, eta: np.ndarray, counts: sparse.csr_matrix,
                       y: np.ndarray, n: np.ndarray) -> np.ndarray:
    p = np.clip(predict(fit, link, eta, counts), 1e-300, 1 - 1e-16)
    return y * np.log(p) + n * np.log1p(-p)


def shows_two_audiences(counts: sparse.csr_matrix, weights: np.ndarray, iterations: int = 300) -> bool:
    """Do the exposures alone show two audiences? A two-class mixture of independent Poissons must fit
    the paths' channel counts (``weights`` journeys per path) better than one class by more than the
    Bayesian information criterion's penalty for its extra parameters, ``(k + 1)/2 · log N`` (``k``
    channels seen, ``N`` journeys). The story says intent shows in how shoppers are reached; where the
    counts say nothing of a class, a class fitted to conversion alone would be a free baseline term,
    not intent. EM from the same start as the fit; deterministic."""
    total = float(weights.sum())
    mean = np.asarray(counts.T @ weights).ravel() / max(total, 1.0)
    seen = mean > 0
    if total <= 0 or not seen.any():
        return False
    C, mean = counts[:, np.flatnonzero(seen)], mean[seen]
    one = float(weights @ (C @ np.log(mean))) - total * mean.sum()
    mu, share, two = np.vstack([mean * 0.8, mean * 1.8]), 0.2, -np.inf
    for _ in range(iterations):
        lx = np.asarray(C @ np.log(mu).T) - mu.sum(axis=1)[None, :] + np.log([1 - share, share])
        tot = logsumexp(lx, axis=1)
        ll = float(weights @ tot)
        if ll - two < 1e-9 * total:
            two = ll
            break
        two = ll
        w1 = weights * np.exp(lx[:, 1] - tot)
        w0 = weights - w1
        share = float(np.clip(w1.sum() / total, 1e-9, 1 - 1e-9))
        mu = np.maximum(np.vstack([np.asarray(C.T @ w0).ravel() / max(w0.sum(), 1e-12),
                                   np.asarray(C.T @ w1).ravel() / max(w1.sum(), 1e-12)]), _MIN_RATE)
    return two - one > (int(seen.sum()) + 1) / 2 * np.log(total)


def _terms(link: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``log F``, ``log(1 − F)`` and their derivatives in ``η``."""
    if link == "noisy_or":
        e = np.maximum(eta, 1e-300)
        return np.log(-np.expm1(-e)), -eta, 1.0 / np.expm1(e), -np.ones_like(eta)
    p = expit(eta)
    return -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta), 1.0 - p, -p


def _neg_joint(params: np.ndarray, X: sparse.csr_matrix, counts: sparse.csr_matrix, y: np.ndarray, n: np.ndarray,
               link: str, scale: float) -> tuple[float, np.ndarray]:
    """Minus the joint log-likelihood ``Σ log Σ_c π_c P(x | c) P(y | x, c)`` per journey and its gradient;
    ``params = [w | α | logit π | log μ_0 | log μ_1 − log μ_0]`` (the last block ≥ 0: intent raises
    exposure)."""
    p, k = X.shape[1], counts.shape[1]
    w, lift, rho = params[:p], params[p], params[p + 1]
    nu0, gap = params[p + 2:p + 2 + k], params[p + 2 + k:]
    nu = np.vstack([nu0, nu0 + gap])
    mu = np.exp(nu)
    eta = X @ w
    lx = np.asarray(counts @ nu.T) - mu.sum(axis=1)[None, :]
    lx[:, 0] -= np.logaddexp(0.0, rho)
    lx[:, 1] -= np.logaddexp(0.0, -rho)
    lp0, lq0, dp0, dq0 = _terms(link, eta)
    lp1, lq1, dp1, dq1 = _terms(link, eta + lift)
    ly = np.column_stack([lx[:, 0] + lp0, lx[:, 1] + lp1])
    ln = np.column_stack([lx[:, 0] + lq0, lx[:, 1] + lq1])
    ly_tot, ln_tot = logsumexp(ly, axis=1), logsumexp(ln, axis=1)
    f = float(np.sum(np.where(y > 0, y * ly_tot, 0.0)) + np.sum(np.where(n > 0, n * ln_tot, 0.0)))
    ry, rn = np.exp(ly[:, 1] - ly_tot), np.exp(ln[:, 1] - ln_tot)
    m1 = y * ry + n * rn
    m0 = (y + n) - m1
    g_eta = y * ((1 - ry) * dp0 + ry * dp1) + n * ((1 - rn) * dq0 + rn * dq1)
    g_lift = float(np.sum(y * ry * dp1 + n * rn * dq1))
    g_rho = float(m1.sum() - expit(rho) * (m0.sum() + m1.sum()))
    g_nu = np.vstack([np.asarray(counts.T @ m0).ravel() - mu[0] * m0.sum(),
                      np.asarray(counts.T @ m1).ravel() - mu[1] * m1.sum()])
    grad = np.concatenate([X.T @ g_eta, [g_lift, g_rho], g_nu[0] + g_nu[1], g_nu[1]])
    return -f / scale, -grad / scale


def fit_latent_intent(X: sparse.csr_matrix, counts: sparse.csr_matrix, y: np.ndarray, n: np.ndarray, link: str,
                      w0: np.ndarray, bounds: list[tuple[float, float]], max_iter: int = 2000
                      ) -> tuple[np.ndarray, LatentIntent]:
    """Maximum joint likelihood (module docstring) by L-BFGS-B over the exposure model's weights, ``α``,
    ``logit π`` and ``log μ``. ``X``: the exposure model's design of the rows, ``w0`` its weights fitted
    without classes (the start) and ``bounds`` theirs. Returns the exposure model's weights and the
    mixture. Deterministic."""
    from scipy.optimize import minimize  # slow to import; only fitting needs it

    total = float(y.sum() + n.sum())
    mean = np.asarray(counts.T @ (y + n)).ravel() / max(total, 1.0)
    k = counts.shape[1]
    # start: class 1 (a fifth) touches every channel about twice as often and converts likelier
    seen = mean > 0
    nu0 = np.clip(np.log(np.maximum(mean * 0.8, _MIN_RATE)), np.log(_MIN_RATE), 10.0)
    gap0 = np.where(seen, np.log(1.8 / 0.8), 0.0)
    start = np.concatenate([np.asarray(w0, dtype=float), [0.5, np.log(0.25)], nu0, gap0])
    log_bounds = [(np.log(_MIN_RATE), 10.0) if s else (np.log(_MIN_RATE), np.log(_MIN_RATE)) for s in seen]
    gap_bounds = [(0.0, 20.0) if s else (0.0, 0.0) for s in seen]
    all_bounds = list(bounds) + [(0.0, _MAX_COEF), (-15.0, 15.0)] + log_bounds + gap_bounds
    res = minimize(_neg_joint, start, args=(X, counts, y, n, link, max(total, 1.0)), jac=True, method="L-BFGS-B",
                   bounds=all_bounds, options={"maxiter": max_iter, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 30})
    p = X.shape[1]
    theta = res.x
    nu0, gap = theta[p + 2:p + 2 + k], theta[p + 2 + k:]
    mix = LatentIntent(float(expit(theta[p + 1])), float(theta[p]), np.exp(np.vstack([nu0, nu0 + gap])))
    return theta[:p], mix


__all__ = ["LatentIntent", "channel_counts", "fit_latent_intent", "predict", "row_log_likelihood",
           "shows_two_audiences"]
