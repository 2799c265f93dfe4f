"""Ads do nothing: conversion is independent of every exposure, so all credit belongs to the baseline.

Specification (per user, a 30-day window): touches arrive as in :mod:`.hazards` (a Poisson process
per channel, organic ``direct`` too); the user converts with probability ``P_CONVERT`` whatever it
saw, at a time uniform in the window. A converting path holds the touches before the conversion, a
non-converting one the whole window, so converting paths are shorter without any channel
mattering. Truth: every credited channel 0, baseline share 1.
"""

from __future__ import annotations

import numpy as np

from .common import World, channels_frame, paths_table, sorted_touches

CREDITED = ("ztc", "wxt", "qianchuan", "douyin_kol", "xiaohongshu")
GROUPS = {"ztc": "paid", "wxt": "paid", "qianchuan": "paid", "douyin_kol": "kol", "xiaohongshu": "content",
          "direct": "organic"}
RATE = np.array([0.8, 0.7, 0.6, 0.3, 0.5, 0.5])
P_CONVERT = 0.03
WINDOW_DAYS = 30.0


def generate(n_users: int, seed: int, name: str = "no_effect") -> World:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(RATE, (n_users, len(RATE)))
    user = np.repeat(np.repeat(np.arange(n_users), len(RATE)), counts.ravel())
    channel = np.repeat(np.tile(np.arange(len(RATE)), n_users), counts.ravel())
    time = rng.uniform(0, WINDOW_DAYS, len(user))
    converted = rng.random(n_users) < P_CONVERT
    end = np.where(converted, rng.uniform(0, WINDOW_DAYS, n_users), WINDOW_DAYS)
    seen = time < end[user]
    codes, _ = sorted_touches(channel[seen], time[seen], user[seen], n_users)
    value = rng.lognormal(np.log(180.0), 0.5, n_users)
    return World(name, seed, n_users, paths_table(codes, CREDITED + ("direct",), converted, value),
                 channels_frame(GROUPS), dict.fromkeys(CREDITED, 0.0), n_users * P_CONVERT,
                 truth_note="exact (no channel has an effect)")
