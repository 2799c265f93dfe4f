"""The same market as :func:`generate_market`, simulated at the level of daily totals only.

No user-level logs: per (day, cell) the caused orders are Poisson(m_d · f(x)/AOV), spread over
later days by the channel's conversion-lag kernel; baseline orders are Poisson per day; GMV sums
the orders' lognormal values (a normal approximation to the sum, exact in mean and variance).
This makes markets of any size (10⁸ users) in milliseconds, for curve-fitting tests and the
decision-quality benchmark, with the same spend process, curves and calendar as the full market.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .market import SEGMENTS, _baseline_per_day, _multiplier, _phase_per_day, _spend, _weekly_mean, curve_params
from .spec import MarketSpec

_KERNEL_DRAWS = 200_000


@dataclass(frozen=True)
class DailyMarket:
    spec: MarketSpec
    spend: pd.DataFrame
    """date, channel, segment, spend, clicks, new_customer_clicks"""
    outcome: pd.DataFrame
    """date, segment, value, conversions — the total per day and product segment"""
    true_curves: pd.DataFrame
    """the curves table of the truth (family exp), with lag_mean_days"""
    incremental: pd.DataFrame
    """date, channel, segment, value: realised GMV caused by each cell, by order date"""


def lag_kernel(lag_mean_days: float, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """P(order lands ``l`` days after the click's day), for the generator's click time and lag model."""
    hours = np.clip(rng.normal(16.5, 4.5, _KERNEL_DRAWS), 0, 23.99)
    offset = np.floor(hours / 24 + 60 / 86_400 + rng.exponential(lag_mean_days, _KERNEL_DRAWS)).astype(int)
    return np.bincount(np.minimum(offset, n_days), minlength=n_days + 1)[:n_days] / _KERNEL_DRAWS


def true_kernels(spec: MarketSpec, n_days: int = 60) -> pd.DataFrame:
    """channel, offset, weight: each paid channel's true day-offset kernel from click to order."""
    rng = np.random.default_rng(0)
    rows = [pd.DataFrame({"channel": c.channel, "offset": np.arange(n_days), "weight": lag_kernel(c.lag_mean_days,
                                                                                                   n_days, rng)})
            for c in spec.channels if c.has_spend]
    return pd.concat(rows, ignore_index=True)


def generate_daily(spec: MarketSpec = MarketSpec()) -> DailyMarket:
    """Daily totals of the market ``spec`` describes (deterministic for a given spec)."""
    rng = np.random.default_rng(spec.seed)
    burn = spec.burn_in_days
    all_days = pd.date_range(pd.Timestamp(spec.start) - pd.Timedelta(days=burn), periods=burn + spec.n_days, freq="D")
    days = all_days[burn:]
    n_all, n = len(all_days), spec.n_days
    all_phase = _phase_per_day(spec, all_days)
    phase = all_phase[burn:]
    weekend = days.day_of_week.to_numpy() >= 5
    paid = [c for c in spec.channels if c.has_spend]
    all_spend = _spend(spec, paid, all_days, all_phase, rng)
    spend = all_spend[:, :, burn:]
    resp = _multiplier(spec, all_phase, "response_multiplier") * np.where(
        all_days.day_of_week.to_numpy() >= 5, spec.weekend_response_multiplier, 1.0
    ) / _weekly_mean(spec.weekend_response_multiplier)
    aov = np.array([spec.aov(s) for s in SEGMENTS])
    orders = np.zeros((2, n))
    caused_value = np.zeros((len(paid), 2, n))
    curve_rows = []
    for i, ch in enumerate(paid):
        kernel = lag_kernel(ch.lag_mean_days, n_all, rng)
        for j, seg in enumerate(SEGMENTS):
            a, b, _ = curve_params(spec, ch, seg)
            counts = rng.poisson(resp * a * (1 - np.exp(-all_spend[i, j] / b)) / aov[j])
            landed_all = np.zeros(n_all)
            for d in np.flatnonzero(counts):
                k = kernel[: n_all - d]
                landed_all[d:] += rng.multinomial(counts[d], np.append(k, max(0.0, 1 - k.sum())))[:-1]
            landed = landed_all[burn:]
            orders[j] += landed
            caused_value[i, j] = _sum_of_values(rng, landed, aov[j], spec.value_sigma)
            curve_rows.append({"channel": ch.channel, "segment": seg, "family": "exp", "a": a, "b": b, "s": np.nan,
                               "current_spend": round(float(spend[i, j].mean()), 2), "cpc": ch.cpc_cny,
                               "new_customer_share": ch.new_customer_click_share, "group": ch.group,
                               "key_platform": ch.key_platform, "margin": spec.margin,
                               "lag_mean_days": ch.lag_mean_days})
    base = rng.poisson(_baseline_per_day(spec, days, phase, weekend))
    base_new = rng.binomial(base, spec.baseline_new_product_share)
    base_by_seg = np.vstack([base - base_new, base_new])
    value = caused_value.sum(axis=0) + np.vstack([_sum_of_values(rng, base_by_seg[j], aov[j], spec.value_sigma)
                                                  for j in range(2)])
    outcome = pd.DataFrame({
        "date": np.tile(days.date, 2), "segment": np.repeat(SEGMENTS, n),
        "value": value.ravel(), "conversions": (orders + base_by_seg).ravel().astype(int),
    })
    clicks = rng.poisson(spend / np.array([c.cpc_cny for c in paid])[:, None, None])
    new_clicks = rng.binomial(clicks, np.array([c.new_customer_click_share for c in paid])[:, None, None]
                              * np.ones_like(clicks, dtype=float))
    i, j, d = np.meshgrid(np.arange(len(paid)), np.arange(2), np.arange(n), indexing="ij")
    names = np.array([c.channel for c in paid])
    spend_table = pd.DataFrame({
        "date": days[d.ravel()].date, "channel": names[i.ravel()], "segment": np.array(SEGMENTS)[j.ravel()],
        "spend": spend.ravel(), "clicks": clicks.ravel(), "new_customer_clicks": new_clicks.ravel(),
    })
    incremental = spend_table[["date", "channel", "segment"]].assign(value=caused_value.ravel())
    return DailyMarket(spec, spend_table, outcome, pd.DataFrame(curve_rows), incremental)


def _sum_of_values(rng, counts: np.ndarray, aov: float, sigma: float) -> np.ndarray:
    """Sum of ``counts`` lognormal order values with mean ``aov`` (normal approximation, ≥ 0)."""
    sd = aov * np.sqrt(np.expm1(sigma**2))
    return np.maximum(0.0, counts * aov + np.sqrt(counts) * sd * rng.standard_normal(len(counts)))
