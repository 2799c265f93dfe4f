"""Additive hazards in continuous time, after Zhang, Wei & Ren (2014), "A survival-theory approach to
multi-touch attribution" (ICDM): each touch adds a hazard of conversion that decays exponentially.

Specification (per user, a 30-day window ``[0, T]``):

* touches: channel ``c`` arrives as a Poisson process with ``RATE[c]`` touches per window; organic
  ``brand_search`` visits as well (no effect).
* conversion hazard ``λ(t) = λ₀ + Σ_{touches k, t_k < t} β_c·exp(−ω_c (t − t_k))``, so
  ``P(convert by T) = 1 − exp(−λ₀T − Σ_k (β_c/ω_c)(1 − exp(−ω_c (T − t_k))))`` (a noisy-OR of
  the touches' contributions).
* the conversion time is drawn from that hazard (bisection on the cumulative hazard); a
  converting path holds the touches before the conversion, a non-converting one the whole window.
"""

from __future__ import annotations

import numpy as np

from .common import World, channels_frame, paths_table, shapley_per_user, sorted_touches

CREDITED = ("ztc", "wxt", "qianchuan", "douyin_kol", "xiaohongshu")
GROUPS = {"ztc": "paid", "wxt": "paid", "qianchuan": "paid", "douyin_kol": "kol", "xiaohongshu": "content",
          "brand_search": "organic"}
RATE = np.array([0.8, 0.7, 0.6, 0.3, 0.5, 0.5])  # touches per window, credited channels then brand_search
LIFT = np.array([0.012, 0.004, 0.015, 0.03, 0.01])  # β/ω: conversions a touch adds if the window never ends
DECAY_PER_DAY = np.array([1.0, 0.5, 1 / 3, 1 / 7, 1 / 5])  # ω
BASE_HAZARD_PER_DAY = 0.012 / 30
WINDOW_DAYS = 30.0


def generate(n_users: int, seed: int, name: str = "additive_hazards") -> World:
    rng = np.random.default_rng(seed)
    k = len(CREDITED)
    names = CREDITED + ("brand_search",)
    counts = rng.poisson(RATE, (n_users, len(RATE)))
    user = np.repeat(np.repeat(np.arange(n_users), len(RATE)), counts.ravel())
    channel = np.repeat(np.tile(np.arange(len(RATE)), n_users), counts.ravel())
    time = rng.uniform(0, WINDOW_DAYS, len(user))
    cred = channel < k
    u, c, t = user[cred], channel[cred], time[cred]

    full = np.zeros((n_users, k))  # each credited channel's cumulative hazard over the window
    np.add.at(full, (u, c), LIFT[c] * (1 - np.exp(-DECAY_PER_DAY[c] * (WINDOW_DAYS - t))))

    def prob(rows, mask):
        return 1 - np.exp(-BASE_HAZARD_PER_DAY * WINDOW_DAYS - full[rows] @ mask.astype(float))

    target = -np.log1p(-rng.random(n_users))  # convert when the cumulative hazard reaches this
    converted = target < BASE_HAZARD_PER_DAY * WINDOW_DAYS + full.sum(axis=1)
    conv_users = np.flatnonzero(converted)  # bisection only for converters: conversion time to 30 days / 2^40
    index = np.full(n_users, -1)
    index[conv_users] = np.arange(len(conv_users))
    ct = index[u] >= 0
    cu, cc, ctime = index[u[ct]], c[ct], t[ct]
    lo, hi = np.zeros(len(conv_users)), np.full(len(conv_users), WINDOW_DAYS)
    for _ in range(40):
        mid = (lo + hi) / 2
        dt = np.clip(mid[cu] - ctime, 0, None)
        cum = BASE_HAZARD_PER_DAY * mid + np.bincount(
            cu, weights=LIFT[cc] * (1 - np.exp(-DECAY_PER_DAY[cc] * dt)), minlength=len(conv_users))
        reached = cum >= target[conv_users]
        hi, lo = np.where(reached, mid, hi), np.where(reached, lo, mid)
    conv_time = np.full(n_users, WINDOW_DAYS)
    conv_time[conv_users] = hi
    seen = time < conv_time[user]
    codes, _ = sorted_touches(channel[seen], time[seen], user[seen], n_users)
    value = rng.lognormal(np.log(180.0), 0.5, n_users)
    truth, baseline = shapley_per_user(prob, k, n_users)
    return World(name, seed, n_users, paths_table(codes, names, converted, value), channels_frame(GROUPS),
                 dict(zip(CREDITED, truth)), baseline)
