"""Market "search_funnel": content and KOL create brand demand that closes days later through brand search.

Specification (independent of roimix's generator; after the search-driven funnel of the Aggregate
Marketing System Simulator, Zhang & Vaver 2017, and the search selection bias of Chan & Perry 2017):

* **Funnel.** 小红书 (content), 抖音达人 (KOL), 巨量千川 and 腾讯广告 raise awareness that builds up
  and fades over days (gamma-shaped carry-over: the effect peaks 2–6 days after the spend, mean
  carry-over 3–8 days). Each order they cause closes through a *brand query*: the buyer searches
  the shop's name (65–80 % of caused orders) and clicks the paid brand ad (品牌专区) when it is shown
  (its coverage that day), else the organic result; the rest come back direct. The original
  exposure touch sits days before the order.
* **Paid brand search mostly harvests.** Its own true effect is small (log curve, average ROI 0.3:
  the ad only keeps buyers who searched the brand from a competitor's ad). Its spend is *driven by
  demand*: clicks = coverage × brand queries, spend = CPC × clicks, and brand queries rise with
  baseline demand and with the funnel channels' caused orders, so its spend tracks GMV. It sits
  last on most buying journeys: touched GMV ≫ incremental GMV.
* **Retargeting (万相台)** re-touches shoppers who already showed intent (an organic visit): 55 % of
  baseline buyers and as many intenders who never buy; its true effect is small (mm, ROI 0.5).
* **直通车** (generic search) causes same-day orders (power curve) and also collects 15 % of
  baseline closings.
* **Curves**: 小红书 S-shaped (Hill s = 2.2: content needs a critical mass of notes), 抖音达人 log,
  巨量千川 mm, 直通车 and 腾讯广告 power, 万相台 mm, 微信社群 exp, brand search log.
* **Calendar**: 双11 on dates unlike roimix's template: 预售 Oct 15–30, first 爆发 Oct 31–Nov 3,
  蓄水 Nov 4–9, 爆发 Nov 10–11, 返场 Nov 12–14; baseline demand ×1.1 / 1.8 / 1.0 / 3.0 / 1.3 and the
  shop's spend ×1.3 / 1.9 / 1.1 / 2.4 / 1.2 (demand and spend rise together). History: 150 days
  from 2026-07-01, spend planned weekly (week-level jumps, small daily jitter).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .common import (
    design_cells,
    BURN_DAYS, DAY_S, PER_USERS, SEGMENTS, STREAM_JOURNEYS, STREAM_SPEND, CellDesign, Channel, MarketDesign, Phase,
    Touches, assemble, baseline_demand, baseline_orders, calendar_days, carried, caused_orders, closing_touch,
    curve_value, gamma_kernel,
    geometric_kernel, phase_multiplier, split, spend_noise, stream, time_of_day,
)

NAME = "search_funnel"

CHANNELS = (
    Channel("ztc", "直通车", "paid", True, 2.8, 0.22, 0.25),
    Channel("wxt", "万相台", "paid", True, 1.6, 0.10, 0.15),
    Channel("brand_search", "品牌专区", "paid", True, 1.2, 0.12, 0.15),
    Channel("qianchuan", "巨量千川", "paid", True, 2.4, 0.38, 0.45),
    Channel("xiaohongshu", "小红书", "content", False, 3.5, 0.50, 0.60),
    Channel("douyin_kol", "抖音达人", "KOL", False, 4.5, 0.45, 0.55),
    Channel("tencent_ads", "腾讯广告", "paid", False, 2.0, 0.30, 0.35),
    Channel("wechat_group", "微信社群", "social", False, 0.8, 0.08, 0.10),
)

_K = {
    "ztc": geometric_kernel(0.4, 5), "wxt": geometric_kernel(0.7, 7), "brand_search": geometric_kernel(0.2, 3),
    "qianchuan": gamma_kernel(1.8, 1.5, 21), "xiaohongshu": gamma_kernel(3.0, 2.5, 28),
    "douyin_kol": gamma_kernel(2.0, 2.2, 28), "tencent_ads": gamma_kernel(1.6, 2.0, 21),
    "wechat_group": geometric_kernel(1.0, 10),
}

# channel: family, spend (existing, per 10⁶ users), b, s, ROI, new-segment spend ratio, new ROI factor
_CURVES = {
    "ztc": ("power", 18_000, np.nan, 0.6, 1.4, 0.10, 0.9),
    "wxt": ("mm", 14_000, 9_000, np.nan, 0.5, 0.10, 1.0),
    "brand_search": ("log", 9_000, 2_500, np.nan, 0.3, 0.10, 1.0),
    "qianchuan": ("mm", 15_000, 22_000, np.nan, 1.7, 0.14, 1.1),
    "xiaohongshu": ("hill", 8_000, 7_500, 2.2, 2.6, 0.15, 1.2),
    "douyin_kol": ("log", 12_000, 9_000, np.nan, 2.3, 0.12, 1.1),
    "tencent_ads": ("power", 6_000, np.nan, 0.5, 0.9, 0.10, 1.0),
    "wechat_group": ("exp", 3_000, 4_000, np.nan, 1.8, 0.08, 0.8),
}


def _cells() -> tuple[CellDesign, ...]:
    return design_cells(CHANNELS, _CURVES, _K, new_b_ratio=1.2)


CALENDAR = (
    Phase("double11", "presale", "预售", date(2026, 10, 15), date(2026, 10, 30), 1.1, 1.3),
    Phase("double11", "peak1", "第一波爆发", date(2026, 10, 31), date(2026, 11, 3), 1.8, 1.9),
    Phase("double11", "build", "蓄水", date(2026, 11, 4), date(2026, 11, 9), 1.0, 1.1),
    Phase("double11", "peak", "爆发", date(2026, 11, 10), date(2026, 11, 11), 3.0, 2.4),
    Phase("double11", "return", "返场", date(2026, 11, 12), date(2026, 11, 14), 1.3, 1.2),
)

DESIGN = MarketDesign(
    name=NAME, start=date(2026, 7, 1), channels=CHANNELS,
    organic=(("organic_search", "自然搜索"), ("direct", "直接访问")),
    cells=_cells(), calendar=CALENDAR, baseline_orders=900.0, baseline_new_product_share=0.10,
    baseline_new_customer_share=0.12, aov_cny=(190.0, 240.0), weekend_demand=1.12, trend_per_day=0.0008,
    story=__doc__,
)

_FUNNEL = ("qianchuan", "xiaohongshu", "douyin_kol", "tencent_ads", "wechat_group")
_VIA_BRAND = {"qianchuan": 0.45, "xiaohongshu": 0.8, "douyin_kol": 0.7, "tencent_ads": 0.6, "wechat_group": 0.2}
_BASE_CLOSE = {"brand": 0.55, "direct": 0.30, "ztc": 0.15}
INTENDERS_PER_BUYER = 1.5
QUERIES_PER_VISIT = 6.0
"""brand queries per searching visitor (comparing, checking the price, coming back)"""


def _coverage(rng, n: int) -> np.ndarray:
    """Share of brand queries where the paid brand ad shows and is clicked (daily budget caps)."""
    return np.clip(0.72 + 0.12 * np.repeat(rng.normal(0, 1, n // 7 + 1), 7)[:n] + rng.normal(0, 0.04, n), 0.4, 0.95)


def planned_spend(users: int, seed: int) -> np.ndarray:
    """(cells, burn + days) spend: weekly plans × jitter × campaign; brand search follows brand queries."""
    design = DESIGN
    scale = users / PER_USERS
    days = calendar_days(design)
    rng = stream(seed, STREAM_SPEND)
    n = len(days)
    camp = phase_multiplier(design, days, "spend")
    weeks = np.arange(n) // 7
    out = np.zeros((len(design.cells), n))
    for k, c in enumerate(design.cells):
        weekly = np.exp(rng.normal(0, 0.28, weeks.max() + 1) - 0.28**2 / 2)[weeks]
        out[k] = c.spend_cny * scale * weekly * spend_noise(rng, n, 0.08, 0.2) * camp
    # brand search: CPC × coverage × expected brand queries (baseline intent + funnel-caused)
    demand = baseline_demand(design, days)
    cov = _coverage(stream(seed, STREAM_SPEND, 2), n)
    for j, seg in enumerate(SEGMENTS):
        k_bs = design.cell_index("brand_search", seg)
        share = design.baseline_new_product_share if seg == "new" else 1 - design.baseline_new_product_share
        queries = design.baseline_orders * scale * share * demand * (_BASE_CLOSE["brand"] * (1 + INTENDERS_PER_BUYER))
        for ch in _FUNNEL:
            cell = design.cells[design.cell_index(ch, seg)]
            a, b, s = cell.params(scale)
            x = carried(out[[design.cell_index(ch, seg)]], [cell.kernel])[0]
            queries = queries + _VIA_BRAND[ch] * curve_value(cell.family, a, b, s, x) / design.aov_cny[j] * 2.0
        cpc = design.channel("brand_search").cpc_cny
        out[k_bs] = cpc * cov * QUERIES_PER_VISIT * queries * spend_noise(rng, n, 0.05, 0.0)
    out[:, :BURN_DAYS] = np.round(out[:, :BURN_DAYS], 2)
    return np.round(out, 2)


def simulate(users: int, seed: int, spend: np.ndarray | None = None):
    """The market for ``users`` users and ``seed`` (``spend``: (cells, burn + days) override)."""
    design = DESIGN
    scale = users / PER_USERS
    days = calendar_days(design)
    spend = planned_spend(users, seed) if spend is None else np.asarray(spend, dtype=float)
    caused = caused_orders(design, seed, scale, spend)
    demand = baseline_demand(design, days)
    base = baseline_orders(design, seed, scale, days, demand)
    rng = stream(seed, STREAM_JOURNEYS, 2)
    cov = _coverage(stream(seed, STREAM_SPEND, 2), len(days))
    t_first = int(pd.Timestamp(days[0]).timestamp())
    touches = Touches(design.paid + [o for o, _ in design.organic])
    cell_channel = np.array([c.channel for c in design.cells])
    cell_seg = np.array([SEGMENTS.index(c.segment) for c in design.cells])

    # caused orders: exposure touch on the exposure day, closing depends on the channel
    n_c = len(caused["cell"])
    c_users = rng.integers(0, users, n_c)
    c_t = t_first + caused["day"] * DAY_S + time_of_day(rng, n_c)
    ch_of = cell_channel[caused["cell"]]
    seg_of = cell_seg[caused["cell"]]
    same_day = np.isin(ch_of, ["ztc", "brand_search", "wxt"])
    exp_t = np.where(same_day, c_t - rng.integers(120, 4 * 3600, n_c),
                     t_first + caused["exposure_day"] * DAY_S + time_of_day(rng, n_c))
    exp_t = np.minimum(exp_t, c_t - 600)
    touches.add(c_users, exp_t, np.array([touches.index[c] for c in ch_of]), segments=seg_of)
    wxt = ch_of == "wxt"  # retargeting caused: an earlier organic visit showed intent
    touches.add(c_users[wxt], exp_t[wxt] - rng.integers(3600, 3 * DAY_S, wxt.sum()), "organic_search")
    p_brand = np.array([_VIA_BRAND.get(c, 0.0) for c in design.paid])[[design.paid.index(c) for c in ch_of]]
    u = rng.random(n_c)
    day_cov = cov[caused["day"]]
    brand = np.isin(ch_of, _FUNNEL) & (u < p_brand)
    paid_click = brand & (rng.random(n_c) < day_cov)
    closing_touch(touches, rng, c_users, c_t, "brand_search", paid_click)
    closing_touch(touches, rng, c_users, c_t, "organic_search", brand & ~paid_click)
    direct = np.isin(ch_of, _FUNNEL) & ~brand & (u < p_brand + 0.5 * (1 - p_brand))
    closing_touch(touches, rng, c_users, c_t, "direct", direct)

    # baseline orders: intent visit first, retargeting, then a closing search or direct visit
    n_b = len(base["day"])
    b_users = rng.integers(0, users, n_b)
    b_t = t_first + base["day"] * DAY_S + time_of_day(rng, n_b)
    _intent(touches, rng, b_users, b_t, base["segment"])
    close = split(rng, n_b, _BASE_CLOSE)
    paid_click = close["brand"] & (rng.random(n_b) < cov[base["day"]])
    closing_touch(touches, rng, b_users, b_t, "brand_search", paid_click)
    closing_touch(touches, rng, b_users, b_t, "organic_search", close["brand"] & ~paid_click)
    closing_touch(touches, rng, b_users, b_t, "direct", close["direct"])
    closing_touch(touches, rng, b_users, b_t, "ztc", close["ztc"])

    # intenders who do not buy: the same intent visit, retargeting and brand searches
    mu = len(base["day"]) / design.n_days * INTENDERS_PER_BUYER
    n_i = rng.poisson(mu * demand[BURN_DAYS:] / demand[BURN_DAYS:].mean())
    d_i = np.repeat(np.arange(design.n_days), n_i) + BURN_DAYS
    i_users = rng.integers(0, users, len(d_i))
    i_t = t_first + d_i * DAY_S + time_of_day(rng, len(d_i))
    _intent(touches, rng, i_users, i_t, (rng.random(len(d_i)) < design.baseline_new_product_share).astype(int))
    looks = rng.random(len(d_i)) < _BASE_CLOSE["brand"]
    paid_click = looks & (rng.random(len(d_i)) < cov[d_i])
    closing_touch(touches, rng, i_users, i_t, "brand_search", paid_click)
    closing_touch(touches, rng, i_users, i_t, "organic_search", looks & ~paid_click)

    # organic background visits
    for name, per_day in (("organic_search", 2500.0), ("direct", 2000.0)):
        m = rng.poisson(per_day * scale, design.n_days)
        d = np.repeat(np.arange(design.n_days), m) + BURN_DAYS
        touches.add(rng.integers(0, users, len(d)), t_first + d * DAY_S + time_of_day(rng, len(d)), name)
    return assemble(design, users, seed, spend, days, caused, base, touches, c_users, c_t, b_users, b_t)


def _intent(touches: Touches, rng, users, order_t, segments) -> None:
    """An organic visit 1–5 days before; 万相台 retargets 55 % of such visitors in between."""
    n = len(users)
    lead = (rng.exponential(2.0, n) * DAY_S).astype(np.int64) + 3600
    visit = order_t - lead
    touches.add(users, visit, np.where(rng.random(n) < 0.6, touches.index["organic_search"], touches.index["direct"]))
    hit = rng.random(n) < 0.55
    touches.add(users[hit], rng.integers(visit[hit] + 60, order_t[hit] - 60), "wxt", segments=segments[hit])
