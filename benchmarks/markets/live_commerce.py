"""Market "live_commerce": a Douyin-led shop whose KOL live shows and 巨量千川 are bought as one bundle.

Specification (independent of roimix's generator; correlated media inputs and ad targeting as
discussed by Chan & Perry 2017, Hill saturation after Jin et al. 2017):

* **Bundled spend.** 巨量千川 is bought to boost the KOL live sessions: its spend each day is
  0.8 × 抖音达人's spend × a 6 % log-noise, so the two series move together (correlation > 0.9)
  while their true effects differ: 抖音达人 is S-shaped (Hill s = 1.8, a live room needs a crowd)
  and strong (ROI 2.4), 巨量千川 is a weak power curve (s = 0.7, ROI 0.8). KOL spend follows the
  live schedule (Tue/Fri/Sat shows, extra shows at random).
* **Journeys of the bundle.** 60 % of KOL-caused orders also carry a 巨量千川 click (the ad that
  brought the buyer into the live room) minutes before the order; 70 % close in the live room the
  same day, the rest come back days later through 抖音搜索 (organic) — the KOL's carry-over is a
  same-day spike plus a tail (mixture kernel).
* **Retargeting harvests.** Baseline demand is a stream of intenders (store visits); 万相台
  retargets 70 % of them (buyers and the 2× as many who never buy), 直通车 closes 20 % of baseline
  orders. 万相台's true effect is small (mm, ROI 0.4).
* **Content** (小红书 log, ROI 2.8; B站 power s = 0.5, ROI 1.5) acts with a long carry-over
  (gamma, peak 3–6 days) and closes through brand search (paid 品牌专区 40 %) or 抖音搜索.
* **微信社群**: community push days (twice a month) with 3× spend, mm curve.
* **Calendar** (no 618): 双12 Dec 10–12; 年货节 on its own dates (预售 Jan 5–14, 爆发 Jan 15–20,
  返场 Jan 21–25), the Spring-Festival lull Jan 30–Feb 12 (logistics stop: demand ×0.55, spend
  ×0.5), 三八节 Mar 1–8 (peak Mar 6–8). History: 150 days from 2026-12-01.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .common import (
    design_cells,
    BURN_DAYS, DAY_S, PER_USERS, SEGMENTS, STREAM_JOURNEYS, STREAM_SPEND, CellDesign, Channel, MarketDesign, Phase,
    Touches, assemble, baseline_demand, baseline_orders, calendar_days, caused_orders, closing_touch, gamma_kernel,
    geometric_kernel, phase_multiplier, split, spend_noise, stream, time_of_day,
)

NAME = "live_commerce"

CHANNELS = (
    Channel("douyin_kol", "抖音达人", "KOL", True, 4.0, 0.45, 0.55),
    Channel("qianchuan", "巨量千川", "paid", True, 2.2, 0.35, 0.40),
    Channel("xiaohongshu", "小红书", "content", False, 3.8, 0.50, 0.60),
    Channel("bilibili", "B站", "content", False, 3.0, 0.40, 0.50),
    Channel("wxt", "万相台", "paid", True, 1.5, 0.10, 0.12),
    Channel("ztc", "直通车", "paid", True, 2.6, 0.20, 0.25),
    Channel("brand_search", "品牌专区", "paid", False, 1.4, 0.12, 0.15),
    Channel("wechat_group", "微信社群", "social", False, 0.9, 0.06, 0.08),
)


def _mix(*parts: tuple[float, tuple[float, ...]]) -> tuple[float, ...]:
    n = max(len(k) for _, k in parts)
    w = sum(p * np.pad(np.asarray(k), (0, n - len(k))) for p, k in parts)
    return tuple(w / w.sum())


_K = {
    "douyin_kol": _mix((0.7, geometric_kernel(0.25, 3)), (0.3, gamma_kernel(2.0, 2.5, 21))),
    "qianchuan": geometric_kernel(0.3, 4),
    "xiaohongshu": gamma_kernel(2.5, 3.0, 28),
    "bilibili": gamma_kernel(3.5, 2.0, 28),
    "wxt": geometric_kernel(0.5, 5),
    "ztc": geometric_kernel(0.4, 5),
    "brand_search": geometric_kernel(0.2, 3),
    "wechat_group": geometric_kernel(0.8, 7),
}

_CURVES = {  # family, spend (existing, per 10⁶ users), b, s, ROI, new-segment spend ratio, new ROI factor
    "douyin_kol": ("hill", 16_000, 14_000, 1.8, 2.4, 0.12, 1.1),
    "qianchuan": ("power", 12_800, np.nan, 0.7, 0.8, 0.12, 1.0),
    "xiaohongshu": ("log", 7_000, 6_000, np.nan, 2.8, 0.15, 1.2),
    "bilibili": ("power", 5_000, np.nan, 0.5, 1.5, 0.10, 1.0),
    "wxt": ("mm", 12_000, 7_000, np.nan, 0.4, 0.10, 1.0),
    "ztc": ("exp", 14_000, 16_000, np.nan, 1.3, 0.10, 0.9),
    "brand_search": ("log", 5_000, 2_000, np.nan, 0.35, 0.10, 1.0),
    "wechat_group": ("mm", 3_000, 5_000, np.nan, 2.0, 0.08, 0.8),
}


def _cells() -> tuple[CellDesign, ...]:
    return design_cells(CHANNELS, _CURVES, _K, new_b_ratio=1.3)


CALENDAR = (
    Phase("double12", "peak", "双12", date(2026, 12, 10), date(2026, 12, 12), 1.5, 1.4),
    Phase("nianhuo", "presale", "年货节预售", date(2027, 1, 5), date(2027, 1, 14), 1.2, 1.3),
    Phase("nianhuo", "peak", "年货节爆发", date(2027, 1, 15), date(2027, 1, 20), 1.9, 2.0),
    Phase("nianhuo", "return", "年货节返场", date(2027, 1, 21), date(2027, 1, 25), 1.2, 1.1),
    Phase("spring_festival", "lull", "春节物流停运", date(2027, 1, 30), date(2027, 2, 12), 0.55, 0.5),
    Phase("womens_day", "presale", "三八预热", date(2027, 3, 1), date(2027, 3, 5), 1.1, 1.3),
    Phase("womens_day", "peak", "三八爆发", date(2027, 3, 6), date(2027, 3, 8), 1.7, 1.8),
)

DESIGN = MarketDesign(
    name=NAME, start=date(2026, 12, 1), channels=CHANNELS,
    organic=(("douyin_search", "抖音搜索"), ("direct", "直接访问")),
    cells=_cells(), calendar=CALENDAR, baseline_orders=800.0, baseline_new_product_share=0.12,
    baseline_new_customer_share=0.15, aov_cny=(150.0, 210.0), weekend_demand=1.15, trend_per_day=0.0005,
    story=__doc__,
)

_LIVE_DAYS = (1, 4, 5)
INTENDERS_PER_BUYER = 2.0


def planned_spend(users: int, seed: int) -> np.ndarray:
    design = DESIGN
    scale = users / PER_USERS
    days = calendar_days(design)
    rng = stream(seed, STREAM_SPEND)
    n = len(days)
    camp = phase_multiplier(design, days, "spend")
    out = np.zeros((len(design.cells), n))
    weekday = days.day_of_week.to_numpy()
    live = np.isin(weekday, _LIVE_DAYS) | (rng.random(n) < 0.12)
    live_shape = np.where(live, 1.0, 0.35)
    live_shape = live_shape / live_shape.mean()
    push = np.zeros(n, bool)
    push[rng.choice(n, size=n // 15, replace=False)] = True
    for k, c in enumerate(design.cells):
        level = c.spend_cny * scale
        if c.channel == "douyin_kol":
            out[k] = level * live_shape * spend_noise(rng, n, 0.3, 0.3) * camp
        elif c.channel == "qianchuan":
            kol = out[design.cell_index("douyin_kol", c.segment)]
            out[k] = 0.8 * kol * spend_noise(rng, n, 0.06, 0.0) * (c.spend_cny / (0.8 * design.cells[
                design.cell_index("douyin_kol", c.segment)].spend_cny))
        elif c.channel == "wechat_group":
            pushes = np.where(push, 3.0, 0.85) / (0.85 + 2.15 * push.mean())
            out[k] = level * pushes * spend_noise(rng, n, 0.2, 0.3) * camp
        else:
            out[k] = level * spend_noise(rng, n, 0.3, 0.6) * camp
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
    same_session = (caused["exposure_day"] == caused["day"]) & np.isin(ch_of, ["douyin_kol", "qianchuan", "ztc",
                                                                             "wxt", "brand_search"])
    exp_t = np.where(same_session, c_t - rng.integers(120, 3 * 3600, n_c),
                     t_first + caused["exposure_day"] * DAY_S + time_of_day(rng, n_c))
    exp_t = np.minimum(exp_t, c_t - 600)
    touches.add(c_users, exp_t, np.array([touches.index[c] for c in ch_of]), segments=seg_of)
    kol = ch_of == "douyin_kol"
    boosted = kol & (rng.random(n_c) < 0.6)  # the 千川 ad that brought the buyer into the live room
    touches.add(c_users[boosted], exp_t[boosted] - rng.integers(30, 600, boosted.sum()), "qianchuan",
                segments=seg_of[boosted])
    later = ~same_session & np.isin(ch_of, ["douyin_kol", "xiaohongshu", "bilibili", "wechat_group"])
    u = rng.random(n_c)
    closing_touch(touches, rng, c_users, c_t, "brand_search", later & (u < 0.4))
    closing_touch(touches, rng, c_users, c_t, "douyin_search", later & (u >= 0.4) & (u < 0.8))
    wxt = ch_of == "wxt"
    touches.add(c_users[wxt], exp_t[wxt] - rng.integers(3600, 2 * DAY_S, wxt.sum()), "direct")

    n_b = len(base["day"])
    b_users = rng.integers(0, users, n_b)
    b_t = t_first + base["day"] * DAY_S + time_of_day(rng, n_b)
    _intent(touches, rng, b_users, b_t, base["segment"])
    close = split(rng, n_b, {"ztc": 0.2, "direct": 0.45, "douyin_search": 0.25, "brand_search": 0.10})
    for name, mask in close.items():
        closing_touch(touches, rng, b_users, b_t, name, mask)

    mu = n_b / design.n_days * INTENDERS_PER_BUYER
    n_i = rng.poisson(mu * demand[BURN_DAYS:] / demand[BURN_DAYS:].mean())
    d_i = np.repeat(np.arange(design.n_days), n_i) + BURN_DAYS
    i_users = rng.integers(0, users, len(d_i))
    i_t = t_first + d_i * DAY_S + time_of_day(rng, len(d_i))
    _intent(touches, rng, i_users, i_t, (rng.random(len(d_i)) < design.baseline_new_product_share).astype(int))

    for name, per_day in (("douyin_search", 3000.0), ("direct", 2500.0)):
        m = rng.poisson(per_day * scale, design.n_days)
        d = np.repeat(np.arange(design.n_days), m) + BURN_DAYS
        touches.add(rng.integers(0, users, len(d)), t_first + d * DAY_S + time_of_day(rng, len(d)), name)
    return assemble(design, users, seed, spend, days, caused, base, touches, c_users, c_t, b_users, b_t)


def _intent(touches: Touches, rng, users, order_t, segments) -> None:
    """A store visit 1–4 days before; 万相台 retargets 70 % of visitors, 巨量千川 15 %."""
    n = len(users)
    visit = order_t - (rng.exponential(1.5, n) * DAY_S).astype(np.int64) - 3600
    touches.add(users, visit, np.where(rng.random(n) < 0.5, touches.index["douyin_search"], touches.index["direct"]))
    for name, p in (("wxt", 0.7), ("qianchuan", 0.15)):
        hit = rng.random(n) < p
        touches.add(users[hit], rng.integers(visit[hit] + 60, order_t[hit] - 60), name, segments=segments[hit])
