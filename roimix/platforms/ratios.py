"""Per channel, the ratio of platform-reported GMV to incremental GMV, learned from history.

``ratio = Σ platform_gmv ÷ Σ f(spend)`` over the history rows (date × segment) of the channel where the
platform reported (``platform_gmv`` not empty) and the cell has a curve, ``f`` being the cell's incremental
response curve (GMV per day at a spend per day; a row of a weekly history is ``p · f(spend / p)``).

**Steady-state assumption.** ``f(spend_d)`` is the GMV a day's spend brings if that spend were held day
after day: carry-over (the conversion lag) is not tracked day by day, so on days when spend jumps the
curve's GMV leads or trails the platform's. Summed over many days the two agree when spend moves around a
level, which is why the ratio is a sum over days and not a mean of daily ratios. Platforms also credit
with their own windows (7, 15 days …): that is part of what the ratio measures.

A ratio above 1 says the platform claims more GMV than the spend adds (organic and overlapping credit);
the suggested ROI target is the incremental ROAS times it (:mod:`.settings`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NO_HISTORY = "platforms.reason.no_history"
"""No spend history was given (e.g. ``roimix plan --curves``)."""
NO_PLATFORM_GMV = "platforms.reason.no_platform_gmv"
"""The history has no ``platform_gmv`` for the channel."""
NO_INCREMENTAL = "platforms.reason.no_incremental"
"""The curves give no incremental GMV at the history's spend (a ratio would divide by zero)."""
COLUMNS = ["channel", "platform_gmv_cny", "incremental_cny", "ratio", "n_rows", "reason"]


def curve_gmv(curves: pd.DataFrame, rows: pd.DataFrame, *, period_days: int = 1) -> np.ndarray:
    """Incremental GMV of each row of ``rows`` (channel, segment, spend) on its cell's curve in ``curves``
    (a curves table), ``NaN`` where the cell has no curve; a row of ``period_days`` days spends ``spend``
    over them (``p · f(spend / p)``)."""
    from optimizer.curves import curves_from_frame

    keyed = curves.assign(segment=curves["segment"] if "segment" in curves.columns else "existing")
    keyed = keyed.drop_duplicates(["channel", "segment"])
    cols = [c for c in ("channel", "segment", "family", "a", "b", "s", "current_spend") if c in keyed.columns]
    joined = rows[["channel", "segment", "spend"]].reset_index(drop=True).reset_index().merge(
        keyed[cols], on=["channel", "segment"], how="inner")
    out = np.full(len(rows), np.nan)
    if not len(joined):
        return out
    frame = joined.rename(columns={"index": "date"}).assign(cpc=1.0, new_customer_share=0.0)
    built = curves_from_frame(frame.drop(columns=["spend"]), keys=("channel", "segment", "date"))
    p = float(period_days)
    out[joined["index"].to_numpy()] = p * built.value(joined["spend"].to_numpy(dtype=float) / p)
    return out


def learn_ratios(spend: pd.DataFrame | None, curves: pd.DataFrame, *, period_days: int = 1) -> pd.DataFrame:
    """Per channel of ``curves``: platform GMV, curve GMV, their ``ratio`` and the rows used, over the rows of
    ``spend`` (a typed table in the SPEND contract, or None) where the platform reported; ``ratio`` is NaN
    with ``reason`` (a text key, :data:`NO_HISTORY`, :data:`NO_PLATFORM_GMV`, :data:`NO_INCREMENTAL`) where
    it cannot be learned, else ``reason`` is empty. See the module for the steady-state assumption."""
    channels = list(dict.fromkeys(curves["channel"].astype(str)))
    if spend is None or "platform_gmv" not in spend.columns:
        reason = NO_HISTORY if spend is None else NO_PLATFORM_GMV
        return pd.DataFrame({"channel": channels, "platform_gmv_cny": np.nan, "incremental_cny": np.nan,
                             "ratio": np.nan, "n_rows": 0, "reason": reason}, columns=COLUMNS)
    rows = spend[spend["platform_gmv"].notna()]
    rows = rows.assign(channel=rows["channel"].astype(str),
                       segment=rows["segment"] if "segment" in rows.columns else "existing")
    rows = rows.assign(incremental=curve_gmv(curves, rows, period_days=period_days))
    rows = rows[rows["incremental"].notna()]
    out = []
    for channel in channels:
        mine = rows[rows["channel"] == channel]
        platform, incremental = float(mine["platform_gmv"].sum()), float(mine["incremental"].sum())
        reason = NO_PLATFORM_GMV if not len(mine) else NO_INCREMENTAL if not incremental > 0 else ""
        out.append({"channel": channel, "platform_gmv_cny": platform if len(mine) else np.nan,
                    "incremental_cny": incremental if len(mine) else np.nan,
                    "ratio": platform / incremental if not reason else np.nan, "n_rows": len(mine), "reason": reason})
    return pd.DataFrame(out, columns=COLUMNS)
