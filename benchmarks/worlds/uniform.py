"""A uniform-sampling world like the public ``shapley-attribution`` benchmark
(github.com/ianchute/shapley-attribution, ``make_attribution_problem``): channels appear with nearly
equal frequency, and what converts is which channels appear *together*.

Specification (as that generator, 6 channels): importances ``g ~ Dirichlet(2·1)^1.3`` (normalised),
drawn from the seed; presence coefficients ``3·6·g``; pairwise synergies
``U(−0.3, 1)·0.5·(g_i + g_j)·6``; journey length uniform in 2…8, channels drawn with probabilities
``1 + N(0, 0.1)`` (clipped to 0.3…1.7, normalised) per journey; ``logit p = b + Σ coef·present +
Σ_{pairs present} synergy`` with ``b`` calibrated so 30 % of journeys convert. No organic channel,
no untouched users. The benchmark's own "ground truth" is the normalised importances ``g``; the
truth here is, as in every world, the Shapley shares of ``p(S) − p(∅)`` (the importances are kept
as a second truth).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from .common import World, channels_frame, paths_table, shapley_per_user

N_CHANNELS = 6
NAMES = tuple(f"channel_{i}" for i in range(N_CHANNELS))
MIN_LENGTH, MAX_LENGTH = 2, 8
INTERACTION, NOISE, CONVERSION_RATE = 0.5, 0.1, 0.3


def generate(n_users: int, seed: int, name: str = "uniform_sampling") -> World:
    rng = np.random.default_rng(seed)
    k = N_CHANNELS
    raw = rng.dirichlet(np.full(k, 2.0)) ** 1.3
    importance = raw / raw.sum()
    coef = importance * k * 3.0
    syn = np.triu(rng.uniform(-0.3, 1.0, (k, k)) * INTERACTION * (importance[:, None] + importance[None, :]) * k, 1)

    def journeys(n):
        length = rng.integers(MIN_LENGTH, MAX_LENGTH + 1, n)
        probs = np.clip(1 + rng.normal(0, NOISE, (n, k)), 0.3, 1.7)
        probs /= probs.sum(axis=1, keepdims=True)
        draws = (rng.random((n, MAX_LENGTH, 1)) > np.cumsum(probs, axis=1)[:, None, :]).sum(axis=2)
        codes = np.where(np.arange(MAX_LENGTH)[None, :] < length[:, None], np.minimum(draws, k - 1), -1)
        present = np.zeros((n, k), dtype=bool)
        for j in range(k):
            present[:, j] = (codes == j).any(axis=1)
        return codes, present

    def logit(present, mask=None):
        p = present if mask is None else present & mask[None, :]
        pf = p.astype(float)
        return pf @ coef + ((pf @ syn) * pf).sum(axis=1)

    _, cal = journeys(2000)
    cal_logit = logit(cal)
    intercept = brentq(lambda b: expit(b + cal_logit).mean() - CONVERSION_RATE, -20, 20)
    codes, present = journeys(n_users)
    converted = rng.random(n_users) < expit(intercept + logit(present))
    value = rng.lognormal(np.log(180.0), 0.5, n_users)
    truth, baseline = shapley_per_user(lambda rows, mask: expit(intercept + logit(present[rows], mask)), k, n_users)
    return World(name, seed, n_users, paths_table(codes, NAMES, converted, value),
                 channels_frame(dict.fromkeys(NAMES, "paid")), dict(zip(NAMES, truth)), baseline,
                 alt_truth={"benchmark importances": dict(zip(NAMES, importance))})
