"""Shop-wide pushes: found in the spend table, left out of the fit, and why that removes a bias.

Exact recovery is checked where it can be proved (bounded channel noise the threshold cannot reach,
a push larger than threshold plus noise); a single channel's own move is never a push; the windows
do not depend on the currency unit. The fit is checked on a world written here from a plain
specification: the shop pushes every channel on days the built-in calendar does not know and
demand rises on those days. Kept in, the pushes pass the demand off as ad effect; left out (the
default), the channels' marginal ROIs come back near the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from response.pushes import PUSH_MIN_CHANGE, PUSH_MIN_CHANNELS, PUSH_MIN_Z, shop_wide_pushes
from roimix.aggregate import AggregateSettings, run_aggregate
from roimix.pipeline import campaign_windows

START = pd.Timestamp("2025-06-25")  # after 618, before 双11: the built-in calendar knows none of these days


def _spend(levels, noise, windows=(), days: int = 120) -> pd.DataFrame:
    """levels: per channel; noise: (days × channels) log moves; windows: (first, last, multiplier)."""
    dates = pd.date_range(START, periods=days, freq="D")
    push = np.ones(days)
    for first, last, m in windows:
        push[first: last + 1] = m
    x = np.asarray(levels)[None, :] * np.exp(noise) * push[:, None]
    return pd.DataFrame({"date": np.repeat(dates, len(levels)), "channel": np.tile([f"c{k}" for k in range(len(levels))], days),
                         "spend": x.ravel()})


def _found(pushes: pd.DataFrame) -> list[tuple[int, int]]:
    return [((s - START).days, (e - START).days) for s, e in zip(pushes["start"], pushes["end"])]


@settings(max_examples=40, deadline=None)
@given(k=st.integers(PUSH_MIN_CHANNELS, 5), half_width=st.floats(0.01, 0.5), first=st.integers(5, 100),
       length=st.integers(1, 12), up=st.booleans(), extra=st.floats(0.01, 1.0), seed=st.integers(0, 10_000))
def test_a_push_is_found_exactly_where_noise_cannot_reach_the_threshold(k, half_width, first, length, up, extra, seed):
    """Channel noise uniform in ±u (u = half_width): the robust s.d. is 1.4826 · u/2, so the threshold
    is at least 2.5 · √(π/2) · 0.74 u / √5 > u for K ≤ 5 channels and no quiet day can cross it; a push
    by more than threshold + u is crossed on every one of its days."""
    rng = np.random.default_rng(seed)
    days = 120
    noise = rng.uniform(-half_width, half_width, (days, k))
    robust_sd = 1.4826 * half_width / 2
    threshold = max(np.log1p(PUSH_MIN_CHANGE), PUSH_MIN_Z * np.sqrt(np.pi / 2) * robust_sd * 1.1 / np.sqrt(k))
    size = threshold + half_width + extra
    last = min(first + length - 1, days - 1)
    spend = _spend(rng.uniform(500, 50_000, k), noise, [(first, last, np.exp(size if up else -size))], days)
    pushes = shop_wide_pushes(spend)
    assert _found(pushes) == [(first, last)]
    assert np.sign(pushes["common_change"].iloc[0]) == (1 if up else -1)


@settings(max_examples=30, deadline=None)
@given(k=st.integers(PUSH_MIN_CHANNELS, 8), factor=st.sampled_from([0.0, 0.1, 5.0, 40.0]), seed=st.integers(0, 10_000))
def test_one_channel_moving_alone_is_never_a_push(k, factor, seed):
    """One channel paused, cut or multiplied for 30 days while the others stay flat: the median of
    the channels' moves does not move, so there is no push."""
    rng = np.random.default_rng(seed)
    noise = rng.uniform(-0.02, 0.02, (120, k))
    spend = _spend(rng.uniform(500, 50_000, k), noise)
    alone = spend["channel"].eq("c0") & spend["date"].between(START + pd.Timedelta(days=40), START + pd.Timedelta(days=69))
    spend.loc[alone, "spend"] *= factor
    assert shop_wide_pushes(spend).empty


def test_windows_do_not_depend_on_the_unit_and_need_three_channels():
    rng = np.random.default_rng(1)
    spend = _spend([8_000, 3_000, 12_000, 900], rng.normal(0, 0.05, (120, 4)), [(30, 31, 2.0), (70, 80, 0.5)])
    found = shop_wide_pushes(spend)
    assert _found(found) == [(30, 31), (70, 80)]
    in_fen = shop_wide_pushes(spend.assign(spend=spend["spend"] * 100))
    assert _found(in_fen) == _found(found)
    assert found["common_change"].to_numpy() == pytest.approx([1.0, -0.5], abs=0.05)
    two = spend[spend["channel"].isin(["c0", "c1"])]
    assert shop_wide_pushes(two).empty  # two channels: a common move cannot be told from their own


def test_weekly_pushes_cover_their_whole_week():
    rng = np.random.default_rng(2)
    daily = _spend([8_000, 3_000, 12_000, 900, 4_000], rng.normal(0, 0.05, (140, 5)), [(63, 76, 1.8)], days=140)
    daily = daily.assign(week=daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D"))
    whole = daily.groupby("week")["date"].transform("nunique").eq(7)  # the partial first and last weeks dropped
    weekly = daily[whole].groupby(["week", "channel"], as_index=False)["spend"].sum().rename(columns={"week": "date"})
    pushes = shop_wide_pushes(weekly)
    assert len(pushes) == 1
    first_week = weekly["date"].min()
    assert pushes["start"].iloc[0] <= START + pd.Timedelta(days=63) and pushes["end"].iloc[0] >= START + pd.Timedelta(days=76)
    assert (pushes["end"].iloc[0] - pushes["start"].iloc[0]).days + 1 <= 21 and pushes["start"].iloc[0] >= first_week


TRUTH = {"c0": (60_000.0, 8_000.0), "c1": (40_000.0, 12_000.0), "c2": (15_000.0, 3_000.0), "c3": (25_000.0, 6_000.0),
         "c4": (30_000.0, 5_000.0)}
"""channel → (a, b) of a·(1 − e^(−x/b)) per day, no carry-over"""
PUSHES = [(15, 16, 1.9), (50, 60, 1.6), (90, 92, 2.2)]
"""(first day, last day, spend multiplier): a brand day, an early pre-sale, 七夕 — none in the built-in calendar"""
DEMAND_PER_PUSH = 0.8
"""Baseline demand rises by 0.8 × the push (×1.6 spend → ×1.48 demand): the shop pushes when buyers come."""


def _confounded_market(seed: int = 4, days: int = 110):
    rng = np.random.default_rng(seed)
    levels = np.array([b * 0.7 for _, b in TRUTH.values()])
    spend = _spend(levels, rng.normal(0, 0.15, (days, len(TRUTH))), PUSHES, days)
    spend["channel"] = spend["channel"].map({f"c{k}": name for k, name in enumerate(TRUTH)})
    dates = pd.date_range(START, periods=days, freq="D")
    demand = np.ones(days)
    for first, last, m in PUSHES:
        demand[first: last + 1] = 1 + DEMAND_PER_PUSH * (m - 1)
    total = 100_000 * demand + rng.normal(0, 1_500, days)
    wide = spend.pivot(index="date", columns="channel", values="spend")
    for name, (a, b) in TRUTH.items():
        total = total + a * (1 - np.exp(-wide[name].to_numpy() / b))
    return spend, pd.DataFrame({"date": dates, "value": total})


def _value_error(result) -> tuple[float, float]:
    """(Σ |fitted − true| ÷ Σ true, Σ fitted ÷ Σ true − 1) of the channels' marginal ROI at current spend."""
    c = result.curves.set_index("channel")
    true = pd.Series({n: a / b * np.exp(-c.loc[n, "current_spend"] / b) for n, (a, b) in TRUTH.items()})
    fitted = c["marginal_roi"].loc[true.index]
    return float((fitted - true).abs().sum() / true.sum()), float(fitted.sum() / true.sum() - 1)


def test_leaving_the_pushes_out_removes_the_demand_they_carry():
    spend, outcome = _confounded_market()
    assert campaign_windows(spend["date"].min(), spend["date"].max()).empty
    assert _found(shop_wide_pushes(spend)) == [(a, b) for a, b, _ in PUSHES]
    left_out = run_aggregate(spend, outcome)
    kept = run_aggregate(spend, outcome, settings=AggregateSettings(exclude=pd.DataFrame(columns=["start", "end"])))
    error_out, bias_out = _value_error(left_out)
    error_kept, bias_kept = _value_error(kept)
    assert bias_kept > 1.0  # kept in: the pushes' demand is credited to the channels (mROI 2.5× the truth)
    assert error_out < 0.3  # seeds 4–8: 0.11–0.22 (the fit's own error at 110 days and 5 channels)
    assert error_out < error_kept / 4
    notes = [m for m in left_out.warnings if m.key == "pipeline.pushes"]
    assert len(notes) == 1 and notes[0].values["n_windows"] == 3 and notes[0].values["n_days"] == 16
    assert not [m for m in kept.warnings if m.key == "pipeline.pushes"]
