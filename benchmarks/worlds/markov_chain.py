"""A first-order Markov chain over channels with absorbing conversion and null states, after Anderl,
Becker, von Wangenheim & Schumann (2016), "Mapping the customer journey: lessons learned from
graph-based online attribution modeling" (IJRM): every journey starts in ``START``, moves from
channel to channel by ``NEXT`` and ends in conversion or null.

Specification: from the start a journey's first touch is drawn from ``START``; after a touch on
channel ``i`` it converts with ``CONVERT[i]``, ends with ``NULL[i]``, else moves to channel ``j``
with ``(1 − CONVERT[i] − NULL[i])·NEXT[i, j]``. A journey still going after ``MAX_TOUCHES`` touches
ends as null (the truth uses the same horizon, so it stays exact). Users are only those the chain
starts (no untouched users), and every path is the whole journey.

**Removal** (Anderl et al.): removing channel ``c`` sends every transition into ``c`` to null.
``v(T) = P(conversion | only the credited channels in T kept) − P(conversion | none kept)``
(organic ``direct`` is never removed); its Shapley values are the truth. The removal-effect
shares ``1 − P_{−c}/P`` normalised over the credited channels (what a Markov model estimates)
are kept as a second truth.
"""

from __future__ import annotations

import numpy as np

from .common import World, channels_frame, paths_table, shapley_from_subsets, subset_masks

CREDITED = ("ztc", "wxt", "qianchuan", "douyin_kol", "xiaohongshu")
GROUPS = {"ztc": "paid", "wxt": "paid", "qianchuan": "paid", "douyin_kol": "kol", "xiaohongshu": "content",
          "direct": "organic"}
START = np.array([0.25, 0.15, 0.2, 0.1, 0.2, 0.1])
CONVERT = np.array([0.05, 0.02, 0.035, 0.015, 0.01, 0.06])
NULL = np.array([0.45, 0.5, 0.45, 0.4, 0.45, 0.5])
NEXT = np.array([
    [0.2, 0.3, 0.1, 0.05, 0.1, 0.25],    # after ztc (paid search)
    [0.3, 0.2, 0.1, 0.05, 0.1, 0.25],    # after wxt
    [0.2, 0.2, 0.2, 0.1, 0.1, 0.2],      # after qianchuan
    [0.35, 0.15, 0.15, 0.1, 0.15, 0.1],  # after douyin_kol
    [0.3, 0.15, 0.1, 0.15, 0.2, 0.1],    # after xiaohongshu
    [0.3, 0.3, 0.1, 0.05, 0.1, 0.15],    # after direct
])
MAX_TOUCHES = 40


def conversion_probability(keep: np.ndarray) -> float:
    """P(conversion within MAX_TOUCHES touches) when only channels with ``keep`` (bool, all 6) stay."""
    move = (1 - CONVERT - NULL)[:, None] * NEXT * keep[None, :]
    dist = START * keep
    total = 0.0
    for _ in range(MAX_TOUCHES):
        total += dist @ CONVERT
        dist = dist @ move
    return float(total)


def truth(n_users: int) -> tuple[dict[str, float], float, dict[str, float]]:
    """(expected incremental conversions per credited channel, expected baseline, removal-effect shares)."""
    k = len(CREDITED)
    masks = subset_masks(k)
    values = np.array([conversion_probability(np.append(m, True)) for m in masks])
    phi = shapley_from_subsets((values - values[0])[None, :])[0]
    full = values[-1]
    removal = np.array([1 - values[(1 << k) - 1 - (1 << j)] / full for j in range(k)])
    return (dict(zip(CREDITED, n_users * phi)), n_users * values[0],
            dict(zip(CREDITED, removal / removal.sum())))


def generate(n_users: int, seed: int, name: str = "markov_chain") -> World:
    rng = np.random.default_rng(seed)
    n_ch = len(START)
    names = CREDITED + ("direct",)
    codes = np.full((n_users, MAX_TOUCHES), -1, dtype=np.int8)
    state = rng.choice(n_ch, size=n_users, p=START)
    active = np.arange(n_users)
    converted = np.zeros(n_users, dtype=bool)
    # next-state table per channel: channels 0..5, then 6 = conversion, 7 = null
    table = np.column_stack([(1 - CONVERT - NULL)[:, None] * NEXT, CONVERT, NULL])
    cum = np.cumsum(table, axis=1)
    for step in range(MAX_TOUCHES):
        codes[active, step] = state
        nxt = (rng.random(len(active))[:, None] > cum[state]).sum(axis=1)
        nxt = np.minimum(nxt, n_ch + 1)
        converted[active[nxt == n_ch]] = True
        going = nxt < n_ch
        active, state = active[going], nxt[going]
        if not len(active):
            break
    value = rng.lognormal(np.log(180.0), 0.5, n_users)
    used = int((codes >= 0).sum(axis=1).max())
    conv, base, removal = truth(n_users)
    return World(name, seed, n_users, paths_table(codes[:, :used], names, converted, value), channels_frame(GROUPS),
                 conv, base, truth_note="exact (the chain's own formula, same horizon)",
                 alt_truth={"removal-effect shares": removal})
