"""Conversion lag per channel from touch-to-conversion gaps, and the adstock it implies.

In a converting journey, the gap from a channel's last touch to the order mixes two kinds of
touch: the ones that caused the order, whose gap follows the channel's conversion lag
(exponential with mean ``L`` days), and incidental ones, spread evenly over the lookback window
``W``. The lag is fitted by maximum likelihood on the mixture density

    p · exp(−g/L)/L + (1 − p) / W,      0 ≤ g ≤ W,

so incidental touches do not inflate it. ``L`` then sets the geometric adstock of spend:
weights ∝ α^l with α = L/(1 + L) (a geometric distribution with mean L periods).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from roimix.shapes import adstock_weights  # noqa: F401 - a ground kernel, part of this module's API too

MIN_TOUCHES = 50
"""Channels with fewer converting touches keep the default lag and are flagged."""


@dataclass(frozen=True)
class LagEstimate:
    channel: str
    lag_mean_days: float
    causal_share: float
    n_touches: int
    estimated: bool
    """False when the channel had too few touches and got ``default_days``."""


def estimate_lags(
    journey_touches: pd.DataFrame,
    *,
    lookback_days: float = 30.0,
    default_days: float = 1.0,
    channels: list[str] | None = None,
) -> pd.DataFrame:
    """Lag per channel (channel, lag_mean_days, causal_share, n_touches, estimated).

    ``journey_touches``: one row per touch of a converting journey with ``channel`` and
    ``gap_days`` (conversion time − touch time, in days). Only each journey's last touch of a
    channel should be passed (e.g. from :func:`last_touch_gaps`).
    """
    rows = []
    names = channels if channels is not None else sorted(journey_touches["channel"].unique())
    for channel in names:
        gaps = journey_touches.loc[journey_touches["channel"] == channel, "gap_days"].to_numpy(dtype=float)
        gaps = np.clip(gaps[np.isfinite(gaps)], 0.0, lookback_days)
        if len(gaps) < MIN_TOUCHES:
            rows.append(LagEstimate(channel, default_days, float("nan"), len(gaps), False))
            continue
        lag, share = _fit_mixture(gaps, lookback_days)
        rows.append(LagEstimate(channel, lag, share, len(gaps), True))
    return pd.DataFrame([r.__dict__ for r in rows])


def last_touch_gaps(journeys: pd.DataFrame, touches: pd.DataFrame) -> pd.DataFrame:
    """channel, gap_days, offset_days: per converting journey and channel, the time from its last
    touch to the order (days) and the number of calendar days between them."""
    conv = journeys.loc[journeys["converted"].astype(bool), ["journey_id", "conversion_ts"]]
    t = touches.merge(conv, on="journey_id")
    last = t.groupby(["journey_id", "channel"], observed=True).agg(
        timestamp=("timestamp", "max"), conversion_ts=("conversion_ts", "first")).reset_index()
    gap = (last["conversion_ts"] - last["timestamp"]).dt.total_seconds() / 86_400
    offset = (last["conversion_ts"].dt.normalize() - last["timestamp"].dt.normalize()).dt.days
    return pd.DataFrame({"channel": last["channel"].astype(str), "gap_days": gap.to_numpy(),
                         "offset_days": offset.to_numpy()})


def lag_kernels(gaps: pd.DataFrame, lags: pd.DataFrame, *, lookback_days: float = 30.0,
                period_days: int = 1) -> pd.DataFrame:
    """Carry-over kernels (channel, offset, weight): the calendar-period offsets from touch to order,
    each touch weighted by its posterior probability of being causal under the fitted mixture,

        r = p·exp(−g/L)/(L·(1 − e^(−W/L))) / (that + (1 − p)/W).

    Channels whose lag was not estimated get a geometric kernel of their default lag.
    """
    rows = []
    for est in lags.itertuples(index=False):
        if est.estimated:
            g = gaps[gaps["channel"] == est.channel]
            gap = np.clip(g["gap_days"].to_numpy(dtype=float), 0, lookback_days)
            lag, p = est.lag_mean_days, est.causal_share
            causal = p * np.exp(-gap / lag) / (lag * -np.expm1(-lookback_days / lag))
            r = causal / (causal + (1 - p) / lookback_days)
            offset = (g["offset_days"].to_numpy(dtype=int) // period_days)
            weight = np.bincount(offset, weights=r)
            keep = np.cumsum(weight) <= 0.999 * weight.sum()
            keep[: int(np.argmin(keep)) + 1] = True
            weight = weight[keep]
        else:
            weight = adstock_weights(est.lag_mean_days / period_days)
        weight = weight / weight.sum()
        rows.append(pd.DataFrame({"channel": est.channel, "offset": np.arange(len(weight)), "weight": weight}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["channel", "offset", "weight"])


def _fit_mixture(gaps: np.ndarray, window: float) -> tuple[float, float]:
    """Maximum-likelihood (L, p) of the exponential + uniform mixture, exponential truncated at W."""

    def nll(theta):
        lag = np.exp(theta[0])
        p = 1 / (1 + np.exp(-theta[1]))
        trunc = -np.expm1(-window / lag)
        dens = p * np.exp(-gaps / lag) / (lag * trunc) + (1 - p) / window
        return -np.sum(np.log(dens + 1e-300))

    best = None
    for start_lag in (0.3, 1.0, 3.0, 8.0):
        res = minimize(nll, x0=[np.log(start_lag), 0.0], method="Nelder-Mead",
                       options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000})
        if best is None or res.fun < best.fun:
            best = res
    lag = float(np.clip(np.exp(best.x[0]), 0.02, window))
    return lag, float(1 / (1 + np.exp(-best.x[1])))


def adstock(spend: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``x̃_t = Σ_l w_l · x_{t−l}`` along the last axis (periods before the first count as the first)."""
    spend = np.asarray(spend, dtype=float)
    n = spend.shape[-1]
    padded = np.concatenate([np.repeat(spend[..., :1], len(weights) - 1, axis=-1), spend], axis=-1)
    out = np.zeros_like(spend)
    for lag, w in enumerate(weights):
        out += w * padded[..., len(weights) - 1 - lag: len(weights) - 1 - lag + n]
    return out


def mean_lag(kernel: np.ndarray) -> float:
    """A carry-over kernel's mean lag ``Σ_l l · k_l``, in periods."""
    return float(np.arange(len(kernel)) @ kernel)


def kernel_reach(kernel: np.ndarray, mass: float = 0.95) -> int:
    """Periods needed to carry ``mass`` of the kernel's weight."""
    return int(np.searchsorted(np.cumsum(kernel), mass) + 1)
