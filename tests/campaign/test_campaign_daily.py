"""Daily cells: multipliers on the curve level, adstock carry-over and carry-in, checked against response.lag."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from optimizer.campaign import Horizon, daily_curves, day_table, template
from response.lag import adstock, adstock_weights
from worded_errors import raises_worded


@pytest.fixture(scope="module")
def daily(truth_curves):
    days = day_table(Horizon("2026-05-06", "2026-06-21"), template("618", 2026), weekend_multiplier=1.1)
    return daily_curves(truth_curves, days, template("618", 2026))


def test_cells_are_curves_times_days_with_the_phase_and_weekend_multiplier(daily, truth_curves):
    T = daily.n_days
    assert daily.n == len(truth_curves) * T == len(daily.table)
    days = daily.days
    weekly = days["weekend_factor"].to_numpy()[:7]
    assert weekly.mean() == pytest.approx(1.0)  # a full week keeps the fitted average
    assert weekly.max() / weekly.min() == pytest.approx(1.1)
    phase_m = {p.name: p.multiplier for p in template("618", 2026).phases} | {"regular": 1.0}
    expected = np.array([phase_m[p] for p in days["phase"]]) * days["weekend_factor"].to_numpy()
    for i, row in enumerate(truth_curves.itertuples(index=False)):
        cell = daily.table.iloc[i * T:(i + 1) * T]
        assert (cell["channel"] == row.channel).all() and (cell["segment"] == row.segment).all()
        np.testing.assert_allclose(cell["a"].to_numpy(), row.a * expected)


def test_steady_current_spend_is_seen_as_current_spend(daily):
    current = np.repeat(daily.cells["current_spend"].to_numpy(), daily.n_days)
    np.testing.assert_allclose(daily.effective(current), current, rtol=1e-12)


def test_carry_over_matches_response_lag_adstock(daily, truth_curves):
    """response.lag.adstock counts periods before the first as the first: with day 1 at current spend
    that is the carry-in, so both must agree exactly on any plan."""
    rng = np.random.default_rng(3)
    T = daily.n_days
    spend = rng.uniform(0, 3000, daily.n)
    cur = daily.cells["current_spend"].to_numpy()
    spend[::T] = cur
    eff = daily.effective(spend)
    for i, lag in enumerate(truth_curves["lag_mean_days"]):
        block = slice(i * T, (i + 1) * T)
        np.testing.assert_allclose(eff[block], adstock(spend[block], adstock_weights(lag)), rtol=1e-10)


def test_spend_before_the_peak_pays_off_on_peak_days(truth_curves):
    """A yuan of xiaohongshu (lag 5 days) the day before the peak earns more than one on a regular day,
    because a third of its effect lands on the 1.5× peak days (the horizon runs on, so no tail is lost)."""
    days = day_table(Horizon("2026-05-06", "2026-07-31"), template("618", 2026))
    daily = daily_curves(truth_curves, days, template("618", 2026))
    T = daily.n_days
    base = np.repeat(daily.cells["current_spend"].to_numpy(), T)
    i = int(np.flatnonzero((daily.cells["channel"] == "xiaohongshu") & (daily.cells["segment"] == "existing"))[0])
    dates = pd.DatetimeIndex(daily.days["date"])
    before_peak = int(np.flatnonzero(dates == "2026-06-15")[0])
    regular = int(np.flatnonzero(dates == "2026-05-12")[0])  # a Tuesday two weeks before pre-heat

    def gain(day):
        x = base.copy()
        x[i * T + day] += 1000.0
        return daily.value(x).sum() - daily.value(base).sum()

    assert gain(before_peak) > 1.12 * gain(regular)
    peak_days = (daily.days["phase"] == "peak").to_numpy()
    x = base.copy()
    x[i * T + before_peak] += 1000.0
    extra = daily.value(x) - daily.value(base)
    assert extra[i * T:(i + 1) * T][peak_days].sum() > 0.3 * extra.sum()


def test_horizon_checks_itself():
    from optimizer.campaign import CalendarError

    with raises_worded(CalendarError, "ends .* before it starts"):
        Horizon("2026-06-02", "2026-06-01")
    with raises_worded(CalendarError, "at most 400"):
        Horizon("2026-01-01", "2027-12-31")
