"""Logistic conversion with per-channel effects on the logit and diminishing returns in repeated
exposure, after Shao & Li (2011), "Data-driven multi-touch attribution models" (KDD): a user's
conversion probability is a logistic function of the channels it was exposed to.

Specification (per user, a 30-day window; conversion is decided at the window's end, so converting
and non-converting paths both hold the whole window):

* touches on credited channels: ``Poisson(2.2)``, channel drawn from ``MIX``, time uniform in the
  window; organic ``direct`` visits ``Poisson(0.4)``, no effect on conversion.
* ``logit p = β₀ + Σ_c β_c·(1 − ρ^{w_c})/(1 − ρ)`` (each further exposure adds ρ = 0.5 times the
  previous one's effect); ``w_c`` = number of ``c`` touches, or with **recency** the sum of
  ``2^{−age/half_life_c}`` (age = days from the touch to the window's end).
* **synergy**: ``+ 0.7`` on the logit when both ``douyin_kol`` and ``ztc`` (paid search) touched.
* **confounded intent**: 20 % of users are high-intent: ``+1.6`` on the logit, ``Poisson(1.8)``
  extra touches on the harvest channels ``ztc``/``wxt`` in the last 10 days and ``Poisson(1.5)``
  extra ``direct`` visits. Intent is not in the data.
"""

from __future__ import annotations

import numpy as np

from .common import World, channels_frame, paths_table, shapley_per_user, sorted_touches

CREDITED = ("ztc", "wxt", "qianchuan", "douyin_kol", "xiaohongshu")
GROUPS = {"ztc": "paid", "wxt": "paid", "qianchuan": "paid", "douyin_kol": "kol", "xiaohongshu": "content",
          "direct": "organic"}
MIX = np.array([0.28, 0.22, 0.2, 0.12, 0.18])
BETA = np.array([0.45, 0.12, 0.55, 0.8, 0.3])
HALF_LIFE_DAYS = np.array([3.0, 3.0, 7.0, 14.0, 10.0])
INTERCEPT = -3.9
RHO = 0.5
WINDOW_DAYS = 30.0
TOUCHES_MEAN = 2.2
DIRECT_MEAN = 0.4
SYNERGY = 0.7
INTENT_SHARE, INTENT_LOGIT, INTENT_HARVEST, INTENT_DIRECT = 0.2, 1.6, 1.8, 1.5
VARIANTS = {
    "shao_li_simple": dict(recency=False, synergy=False, confounded=False),
    "shao_li_recency": dict(recency=True, synergy=False, confounded=False),
    "shao_li_synergy": dict(recency=True, synergy=True, confounded=False),
    "shao_li_confounded": dict(recency=True, synergy=True, confounded=True),
}


def generate(n_users: int, seed: int, *, recency: bool, synergy: bool, confounded: bool,
             name: str = "shao_li") -> World:
    rng = np.random.default_rng(seed)
    k = len(CREDITED)
    names = CREDITED + ("direct",)
    intent = rng.random(n_users) < INTENT_SHARE if confounded else np.zeros(n_users, dtype=bool)
    n_tp = rng.poisson(TOUCHES_MEAN, n_users)
    user = np.repeat(np.arange(n_users), n_tp)
    channel = rng.choice(k, size=len(user), p=MIX)
    time = rng.uniform(0, WINDOW_DAYS, len(user))
    n_dir = rng.poisson(np.where(intent, DIRECT_MEAN + INTENT_DIRECT, DIRECT_MEAN))
    parts_u, parts_c, parts_t = [user, np.repeat(np.arange(n_users), n_dir)], [channel], [time]
    parts_c.append(np.full(n_dir.sum(), k))
    parts_t.append(rng.uniform(0, WINDOW_DAYS, n_dir.sum()))
    if confounded:
        n_h = np.where(intent, rng.poisson(INTENT_HARVEST, n_users), 0)
        parts_u.append(np.repeat(np.arange(n_users), n_h))
        parts_c.append(rng.integers(0, 2, n_h.sum()))  # ztc or wxt
        parts_t.append(rng.uniform(WINDOW_DAYS - 10, WINDOW_DAYS, n_h.sum()))
    user, channel, time = (np.concatenate(p) for p in (parts_u, parts_c, parts_t))

    credited = channel < k
    weight = 2.0 ** (-(WINDOW_DAYS - time) / HALF_LIFE_DAYS[np.minimum(channel, k - 1)]) if recency \
        else np.ones(len(time))
    w = np.zeros((n_users, k))
    np.add.at(w, (user[credited], channel[credited]), weight[credited])
    effect = BETA * (1 - RHO ** w) / (1 - RHO)  # (users, k), 0 where not touched
    touched = np.zeros((n_users, k), dtype=bool)
    touched[user[credited], channel[credited]] = True
    base = INTERCEPT + INTENT_LOGIT * intent
    kol, ztc = CREDITED.index("douyin_kol"), CREDITED.index("ztc")
    both = touched[:, kol] & touched[:, ztc]

    def prob(rows, mask):
        eta = base[rows] + effect[rows] @ mask.astype(float)
        if synergy and mask[kol] and mask[ztc]:
            eta = eta + SYNERGY * both[rows]
        return 1.0 / (1.0 + np.exp(-eta))

    p_all = prob(slice(None), np.ones(k, dtype=bool))
    converted = rng.random(n_users) < p_all
    value = rng.lognormal(np.log(180.0), 0.5, n_users)
    codes, _ = sorted_touches(channel, time, user, n_users)
    truth, baseline = shapley_per_user(prob, k, n_users)
    return World(name, seed, n_users, paths_table(codes, names, converted, value), channels_frame(GROUPS),
                 dict(zip(CREDITED, truth)), baseline)
