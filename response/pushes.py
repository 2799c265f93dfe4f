"""Shop-wide pushes: periods when the shop moves every channel's spend together, found in the spend table.

A campaign the calendar does not know (a brand day, a pre-sale that starts early, 七夕, a holiday
pause) shows in the spend table as *all* channels rising or falling at once. Demand moves with it,
so a fit that keeps those periods passes the demand off as ad effect (Chan & Perry 2017, "Challenges
and opportunities in media mix modeling", §3: selection from the advertiser's own plans). Leaving
them out costs only efficiency, never bias: the choice depends on spend alone, and a regression of
the outcome on spend stays unbiased when rows are selected on the regressors.

The common move of period t is ``c_t = median_k log(x_kt / median_t x_kt)`` over the channels k
(spend summed over segments; channels with no typical spend are left out of the median). A period
with ``|c_t| ≥ log(1 + PUSH_MIN_CHANGE)`` and ``|c_t| ≥ PUSH_MIN_Z · √(π/2) · s / √K`` is a push
(``s`` the root mean square of the channels' s.d.s, each 1.4826 × the median over periods of
``|log(x_kt / median x_k)|``, robust while pushes are fewer than half the periods: √(π/2)·s/√K is the
standard error of a median of K independent moves); pushes closer than ``PUSH_MERGE_GAP_PERIODS``
are one window. The fit also leaves out the carry-over tail after each window, as for campaigns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PUSH_MIN_CHANGE = 0.2
"""A push moves the typical channel's spend by at least 20 % from its usual level (either way)."""
PUSH_MIN_Z = 2.5
"""... and by at least 2.5 standard errors of a median of the channels' own moves that period, so that
channels whose spend is merely noisy do not make a push by chance."""
PUSH_MERGE_GAP_PERIODS = 2
"""Pushes at most this many periods apart are one window (a quiet day inside a pre-sale stays out)."""
PUSH_MIN_CHANNELS = 3
"""With fewer channels the common move cannot be told from one channel's own changes: nothing is found."""


def shop_wide_pushes(spend: pd.DataFrame, min_change: float = PUSH_MIN_CHANGE, min_z: float = PUSH_MIN_Z,
                     merge_gap_periods: int = PUSH_MERGE_GAP_PERIODS) -> pd.DataFrame:
    """Windows ``campaign`` ("push"), ``start``, ``end``, ``common_change`` (the window's median
    ``exp(c_t) − 1``) of shop-wide pushes in ``spend`` (date, channel, spend; other columns ignored)."""
    columns = ["campaign", "start", "end", "common_change"]
    if spend.empty:
        return pd.DataFrame(columns=columns)
    wide = (spend.assign(date=pd.to_datetime(spend["date"]))
            .pivot_table(index="date", columns="channel", values="spend", aggfunc="sum", fill_value=0.0)
            .sort_index())
    usual = wide.median()
    wide = wide.loc[:, usual > 0]
    if wide.shape[1] < PUSH_MIN_CHANNELS or len(wide) < 3:
        return pd.DataFrame(columns=columns)
    moves = np.log(np.clip(wide.to_numpy(dtype=float) / wide.median().to_numpy(dtype=float), 1e-3, 1e3))
    common = np.median(moves, axis=1)
    own_sd = 1.4826 * np.median(np.abs(moves), axis=0)  # per channel, robust to the pushes (fewer than half)
    noise = np.sqrt(np.pi / 2) * np.sqrt(np.mean(own_sd ** 2)) / np.sqrt(moves.shape[1])  # s.e. of a median of K
    pushed = np.flatnonzero((np.abs(common) >= np.log1p(min_change)) & (np.abs(common) >= min_z * noise))
    if not len(pushed):
        return pd.DataFrame(columns=columns)
    dates = wide.index
    period = pd.Series(dates).diff().median()
    rows, first = [], 0
    for i in range(1, len(pushed) + 1):
        if i == len(pushed) or pushed[i] - pushed[i - 1] > merge_gap_periods + 1:
            block = pushed[first:i]
            span = common[block[0]: block[-1] + 1]
            end = dates[block[-1]] + (period - pd.Timedelta(days=1) if period > pd.Timedelta(days=1) else pd.Timedelta(0))
            rows.append({"campaign": "push", "start": dates[block[0]], "end": end,
                         "common_change": float(np.expm1(np.median(span)))})
            first = i
    return pd.DataFrame(rows, columns=columns)

