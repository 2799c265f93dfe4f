"""Market "reach_frequency": always-on display and content bought by impressions, with delayed-peak carry-over.

Specification (independent of roimix's generator; media as reach bought by impressions with the
delayed adstock and Hill saturation of Jin et al. 2017; low input variation and correlated
inputs as in Chan & Perry 2017):

* **Impressions, delayed effects.** 小红书, 抖音达人, 巨量千川, 腾讯广告 and 微博 buy impressions
  shown to random users (logged as ``interaction = impression``; clicks are rarer). Their effect
  peaks days after the spend (Jin et al. delayed adstock ``w_l ∝ α^((l−θ)²)``, θ = 1–4 days). The
  buyer the exposure convinced later closes through **直通车** (generic search ad, 45 %), direct
  (25 %) or organic search — so the search ad collects the content's credit.
* **Curves**: 巨量千川 S-shaped (Hill s = 2.5), 小红书 Hill s = 1.3 (mildly S-shaped), 抖音达人 mm,
  直通车 log, 万相台 power s = 0.4 (ROI 0.6), 微博 log, brand search exp (ROI 0.2), and **腾讯广告
  does almost nothing** (power s = 0.5, ROI 0.05) though its impressions reach many buyers.
* **Correlated pair.** 直通车 and 万相台 are run by the same 全站推广 auto-bidder: both follow one
  daily traffic factor (AR(1) log-noise, s.d. 0.25) with 3 % own noise, correlation > 0.9.
* **Low variation.** The other channels are always-on: flat spend (3–5 % daily noise) changed
  only at budget reviews every 21 days (±25 % steps) — the history holds few informative moves.
* **Baseline**: intenders visit (organic search / direct), 万相台 retargets 40 %, closings via
  直通车 35 %, paid brand search 30 %, direct 35 %.
* **Calendar** (618 on its own early-start dates, unlike roimix's template): 品牌日 Apr 18–19;
  618 预售 May 13–27, 第一波 May 28–31, 蓄水 Jun 1–15, 爆发 Jun 16–18, 返场 Jun 19–20;
  七夕 Aug 6–8.
  History: 150 days from 2027-03-15.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .common import (
    design_cells,
    BURN_DAYS, DAY_S, PER_USERS, SEGMENTS, STREAM_JOURNEYS, STREAM_SPEND, CellDesign, Channel, MarketDesign, Phase,
    Touches, assemble, baseline_demand, baseline_orders, calendar_days, caused_orders, closing_touch,
    delayed_kernel, geometric_kernel, phase_multiplier, split, spend_noise, stream, time_of_day,
)

NAME = "reach_frequency"

CHANNELS = (
    Channel("ztc", "直通车", "paid", True, 2.5, 0.22, 0.25),
    Channel("wxt", "万相台", "paid", True, 1.8, 0.12, 0.15),
    Channel("brand_search", "品牌专区", "paid", True, 1.3, 0.12, 0.15),
    Channel("qianchuan", "巨量千川", "paid", True, 2.6, 0.38, 0.45),
    Channel("xiaohongshu", "小红书", "content", False, 3.6, 0.50, 0.60),
    Channel("douyin_kol", "抖音达人", "KOL", False, 4.2, 0.45, 0.55),
    Channel("tencent_ads", "腾讯广告", "paid", False, 2.2, 0.30, 0.35),
    Channel("weibo", "微博", "social", False, 2.0, 0.35, 0.40),
)

_K = {
    "ztc": geometric_kernel(0.3, 4), "wxt": geometric_kernel(0.5, 5), "brand_search": geometric_kernel(0.2, 3),
    "qianchuan": delayed_kernel(1.0, 0.6, 10), "xiaohongshu": delayed_kernel(4.0, 0.85, 21),
    "douyin_kol": delayed_kernel(2.0, 0.7, 14), "tencent_ads": delayed_kernel(3.0, 0.85, 21),
    "weibo": delayed_kernel(2.0, 0.75, 14),
}

_CURVES = {  # family, spend (existing, per 10⁶ users), b, s, ROI, new-segment spend ratio, new ROI factor
    "ztc": ("log", 16_000, 12_000, np.nan, 1.5, 0.10, 0.9),
    "wxt": ("power", 13_000, np.nan, 0.4, 0.6, 0.10, 1.0),
    "brand_search": ("exp", 6_000, 3_000, np.nan, 0.2, 0.10, 1.0),
    "qianchuan": ("hill", 14_000, 11_000, 2.5, 1.9, 0.14, 1.1),
    "xiaohongshu": ("hill", 9_000, 10_000, 1.3, 2.7, 0.15, 1.2),
    "douyin_kol": ("mm", 10_000, 15_000, np.nan, 2.2, 0.12, 1.1),
    "tencent_ads": ("power", 7_000, np.nan, 0.5, 0.05, 0.10, 1.0),
    "weibo": ("log", 4_000, 5_000, np.nan, 1.2, 0.10, 1.0),
}

IMPRESSIONS_PER_CNY = {"qianchuan": 0.4, "xiaohongshu": 0.6, "douyin_kol": 0.4, "tencent_ads": 0.8, "weibo": 0.6}
"""impressions logged per yuan (one row per user and day reached)"""


def _cells() -> tuple[CellDesign, ...]:
    return design_cells(CHANNELS, _CURVES, _K, new_b_ratio=1.2)


CALENDAR = (
    Phase("brand_day", "peak", "品牌日", date(2027, 4, 18), date(2027, 4, 19), 2.0, 1.8),
    Phase("618", "presale", "预售", date(2027, 5, 13), date(2027, 5, 27), 1.1, 1.4),
    Phase("618", "peak1", "第一波", date(2027, 5, 28), date(2027, 5, 31), 1.9, 2.0),
    Phase("618", "build", "蓄水", date(2027, 6, 1), date(2027, 6, 15), 1.05, 1.1),
    Phase("618", "peak", "爆发", date(2027, 6, 16), date(2027, 6, 18), 2.6, 2.5),
    Phase("618", "return", "返场", date(2027, 6, 19), date(2027, 6, 20), 1.2, 1.1),
    Phase("qixi", "peak", "七夕", date(2027, 8, 6), date(2027, 8, 8), 1.4, 1.3),
)

DESIGN = MarketDesign(
    name=NAME, start=date(2027, 3, 15), channels=CHANNELS,
    organic=(("organic_search", "自然搜索"), ("direct", "直接访问")),
    cells=_cells(), calendar=CALENDAR, baseline_orders=850.0, baseline_new_product_share=0.11,
    baseline_new_customer_share=0.13, aov_cny=(210.0, 280.0), weekend_demand=1.08, trend_per_day=0.001,
    story=__doc__,
)

_IMPRESSION = ("qianchuan", "xiaohongshu", "douyin_kol", "tencent_ads", "weibo")
INTENDERS_PER_BUYER = 1.5


def planned_spend(users: int, seed: int) -> np.ndarray:
    design = DESIGN
    scale = users / PER_USERS
    days = calendar_days(design)
    rng = stream(seed, STREAM_SPEND)
    n = len(days)
    camp = phase_multiplier(design, days, "spend")
    traffic = spend_noise(rng, n, 0.25, 0.5)  # the auto-bidder's daily factor (直通车, 万相台)
    reviews = np.arange(n) // 21
    out = np.zeros((len(design.cells), n))
    for k, c in enumerate(design.cells):
        level = c.spend_cny * scale
        if c.channel in ("ztc", "wxt"):
            out[k] = level * traffic * spend_noise(rng, n, 0.03, 0.0) * camp
        else:
            steps = np.exp(np.cumsum(rng.choice([-0.25, 0.0, 0.25], reviews.max() + 1, p=[0.3, 0.4, 0.3])))
            steps = steps / steps.mean()
            out[k] = level * steps[reviews] * spend_noise(rng, n, rng.uniform(0.03, 0.05), 0.3) * camp
    return np.round(out, 2)


def simulate(users: int, seed: int, spend: np.ndarray | None = None):
    design = DESIGN
    scale = users / PER_USERS
    days = calendar_days(design)
    spend = planned_spend(users, seed) if spend is None else np.asarray(spend, dtype=float)
    caused = caused_orders(design, seed, scale, spend)
    demand = baseline_demand(design, days)
    base = baseline_orders(design, seed, scale, days, demand)
    rng = stream(seed, STREAM_JOURNEYS, 2)
    t_first = int(pd.Timestamp(days[0]).timestamp())
    touches = Touches(design.paid + [o for o, _ in design.organic])
    cell_channel = np.array([c.channel for c in design.cells])
    cell_seg = np.array([SEGMENTS.index(c.segment) for c in design.cells])

    n_c = len(caused["cell"])
    c_users = rng.integers(0, users, n_c)
    c_t = t_first + caused["day"] * DAY_S + time_of_day(rng, n_c)
    ch_of = cell_channel[caused["cell"]]
    seg_of = cell_seg[caused["cell"]]
    viewed = np.isin(ch_of, _IMPRESSION)
    exp_t = np.where(viewed, t_first + caused["exposure_day"] * DAY_S + time_of_day(rng, n_c),
                     c_t - rng.integers(120, 3 * 3600, n_c))
    exp_t = np.minimum(exp_t, c_t - 600)
    clicked = ~viewed | (rng.random(n_c) < 0.25)  # most content buyers only saw an impression
    ch_idx = np.array([touches.index[c] for c in ch_of])
    touches.add(c_users[clicked], exp_t[clicked], ch_idx[clicked], segments=seg_of[clicked])
    touches.add(c_users[~clicked], exp_t[~clicked], ch_idx[~clicked], impression=True)
    close = split(rng, n_c, {"ztc": 0.45, "direct": 0.25, "organic_search": 0.2})
    for name, mask in close.items():
        closing_touch(touches, rng, c_users, c_t, name, mask & viewed)
    wxt = ch_of == "wxt"
    touches.add(c_users[wxt], exp_t[wxt] - rng.integers(3600, 2 * DAY_S, wxt.sum()), "organic_search")

    n_b = len(base["day"])
    b_users = rng.integers(0, users, n_b)
    b_t = t_first + base["day"] * DAY_S + time_of_day(rng, n_b)
    _intent(touches, rng, b_users, b_t, base["segment"])
    close = split(rng, n_b, {"ztc": 0.35, "brand_search": 0.30, "direct": 0.35})
    for name, mask in close.items():
        closing_touch(touches, rng, b_users, b_t, name, mask)

    mu = n_b / design.n_days * INTENDERS_PER_BUYER
    n_i = rng.poisson(mu * demand[BURN_DAYS:] / demand[BURN_DAYS:].mean())
    d_i = np.repeat(np.arange(design.n_days), n_i) + BURN_DAYS
    i_users = rng.integers(0, users, len(d_i))
    i_t = t_first + d_i * DAY_S + time_of_day(rng, len(d_i))
    _intent(touches, rng, i_users, i_t, (rng.random(len(d_i)) < design.baseline_new_product_share).astype(int))

    for name, per_day in (("organic_search", 2500.0), ("direct", 2000.0)):
        m = rng.poisson(per_day * scale, design.n_days)
        d = np.repeat(np.arange(design.n_days), m) + BURN_DAYS
        touches.add(rng.integers(0, users, len(d)), t_first + d * DAY_S + time_of_day(rng, len(d)), name)
    return assemble(design, users, seed, spend, days, caused, base, touches, c_users, c_t, b_users, b_t,
                    impressions_per_cny=IMPRESSIONS_PER_CNY)


def _intent(touches: Touches, rng, users, order_t, segments) -> None:
    n = len(users)
    visit = order_t - (rng.exponential(2.0, n) * DAY_S).astype(np.int64) - 3600
    touches.add(users, visit, np.where(rng.random(n) < 0.55, touches.index["organic_search"], touches.index["direct"]))
    hit = rng.random(n) < 0.4
    touches.add(users[hit], rng.integers(visit[hit] + 60, order_t[hit] - 60), "wxt", segments=segments[hit])
