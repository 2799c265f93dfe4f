"""Aggregate mode says so when it cannot pool: the shop's summed spend never varies (a fixed daily budget moved
between channels), so the pooled ROAS has no curve and every cell rests on its own data (noticed by H35 on a
market where the pool was silently lost)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from response import FitSettings
from roimix.aggregate import AggregateSettings, run_aggregate
from roimix.text.pipeline import render_warning

NO_CAMPAIGNS = pd.DataFrame(columns=["start", "end"])
QUICK = FitSettings(n_bootstrap=20, families=("exp",), lag_candidates_periods=(0.0,))
BUDGET = 9000.0


def _world(seed: int, *, fixed_total: bool, days: int = 120):
    """Three channels; with ``fixed_total`` their spend always sums to BUDGET (shares move week by week)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-03-02", periods=days, freq="D")
    weeks = np.arange(days) // 7
    shares = np.exp(rng.normal(0, 0.3, (3, weeks.max() + 1)))[:, weeks] * np.exp(rng.normal(0, 0.1, (3, days)))
    spend = BUDGET * shares / shares.sum(axis=0) if fixed_total else BUDGET / 3 * shares
    rois = (2.0, 0.8, 0.5)
    effect = sum(roi * 3000 / (1 - np.exp(-1.0)) * -np.expm1(-spend[k] / 3000) for k, roi in enumerate(rois))
    value = 60_000 * (1 + 0.1 * (dates.day_of_week >= 5)) + effect + rng.normal(0, 600, days)
    rows = [pd.DataFrame({"date": dates, "channel": f"c{k}", "spend": spend[k].round(2)}) for k in range(3)]
    return pd.concat(rows, ignore_index=True), pd.DataFrame({"date": dates, "value": value.round(2)})


def _keys(fixed_total: bool):
    spend, outcome = _world(5, fixed_total=fixed_total)
    result = run_aggregate(spend, outcome, settings=AggregateSettings(exclude=NO_CAMPAIGNS, fit=QUICK, shop_events=None))
    return result, [m.key for m in result.warnings]


def test_a_fixed_total_budget_cannot_be_pooled_and_the_warning_says_so():
    result, keys = _keys(fixed_total=True)
    assert "aggregate.pool.unavailable" in keys
    assert "aggregate.pool" not in keys  # no pool note claims a pooled ROAS that was never fitted
    assert "pool_value" not in result.curves.columns  # and indeed no cell has a pool target
    message = next(m for m in result.warnings if m.key == "aggregate.pool.unavailable")
    zh, en = render_warning(message, "zh"), render_warning(message, "en")
    assert "全店合并投产无法拟合" in zh and "pooled ROAS could not be fitted" in en


def test_a_varying_total_is_pooled_without_the_warning():
    result, keys = _keys(fixed_total=False)
    assert "aggregate.pool.unavailable" not in keys
    assert "aggregate.pool" in keys
    assert result.curves["pool_value"].notna().all()
