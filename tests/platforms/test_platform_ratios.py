"""Ratios of platform-reported to incremental GMV learned from history (issue 18, item 1): recovered on a
synthetic history whose platform GMV is k × the curve's GMV, with k known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roimix.platforms.ratios import NO_HISTORY, NO_INCREMENTAL, NO_PLATFORM_GMV, learn_ratios

CURVES = pd.DataFrame({
    "channel": ["qianchuan", "qianchuan", "ztc", "xiaohongshu"],
    "segment": ["existing", "new", "existing", "existing"],
    "family": ["exp", "mm", "log", "hill"],
    "a": [40000.0, 9000.0, 12000.0, 0.0],
    "b": [8000.0, 3000.0, 5000.0, 4000.0],
    "s": [np.nan, np.nan, np.nan, 1.5],
    "current_spend": [5000.0, 1000.0, 3000.0, 2000.0],
})


def truth(channel: str, segment: str, x: np.ndarray) -> np.ndarray:
    """The curves above, written out by hand (not through roimix's evaluation)."""
    if (channel, segment) == ("qianchuan", "existing"):
        return 40000 * (1 - np.exp(-x / 8000))
    if (channel, segment) == ("qianchuan", "new"):
        return 9000 * x / (x + 3000)
    if (channel, segment) == ("ztc", "existing"):
        return 12000 * np.log1p(x / 5000)
    return np.zeros_like(x)


def history(k: dict, days: int = 60, seed: int = 3, period: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-03-01", periods=days, freq=f"{period}D")
    rows = []
    for channel, segment in [("qianchuan", "existing"), ("qianchuan", "new"), ("ztc", "existing"),
                             ("xiaohongshu", "existing")]:
        spend = rng.uniform(500, 9000, days) * period
        gmv = k.get(channel, np.nan) * period * truth(channel, segment, spend / period)
        reported = rng.uniform(size=days) < 0.8  # the platform's report misses some days
        rows.append(pd.DataFrame({"date": dates, "channel": channel, "segment": segment, "spend": spend,
                                  "platform_gmv": np.where(reported, gmv, np.nan)}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("period", [1, 7])
def test_ratio_recovered_when_platform_gmv_is_k_times_the_curve(period):
    ratios = learn_ratios(history({"qianchuan": 2.3, "ztc": 1.7}, period=period), CURVES,
                          period_days=period).set_index("channel")
    assert ratios.loc["qianchuan", "ratio"] == pytest.approx(2.3, rel=1e-9)  # pooled over both segments
    assert ratios.loc["ztc", "ratio"] == pytest.approx(1.7, rel=1e-9)
    assert ratios.loc["qianchuan", "reason"] == "" and ratios.loc["qianchuan", "n_rows"] > 60


def test_rows_without_platform_gmv_are_left_out_not_counted_as_zero():
    h = history({"qianchuan": 2.0})
    assert h["platform_gmv"].isna().any()
    assert learn_ratios(h, CURVES).set_index("channel").loc["qianchuan", "ratio"] == pytest.approx(2.0, rel=1e-9)


def test_no_platform_gmv_or_no_history_or_no_incremental_is_a_stated_reason():
    ratios = learn_ratios(history({"qianchuan": 2.0}), CURVES).set_index("channel")
    assert np.isnan(ratios.loc["ztc", "ratio"]) and ratios.loc["ztc", "reason"] == NO_PLATFORM_GMV
    without_column = learn_ratios(history({"qianchuan": 2.0}).drop(columns=["platform_gmv"]), CURVES)
    assert without_column["ratio"].isna().all() and set(without_column["reason"]) == {NO_PLATFORM_GMV}
    none = learn_ratios(None, CURVES)
    assert none["ratio"].isna().all() and set(none["reason"]) == {NO_HISTORY}
    # xiaohongshu's curve is flat at zero: its platform GMV cannot be divided by it
    flat = learn_ratios(history({"xiaohongshu": 1.0}).assign(platform_gmv=1.0), CURVES).set_index("channel")
    assert np.isnan(flat.loc["xiaohongshu", "ratio"]) and flat.loc["xiaohongshu", "reason"] == NO_INCREMENTAL
