"""benchmarks/aggregate_information.py: the level fit handed the truth's shapes recovers known levels exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import aggregate_information as info  # noqa: E402
from benchmarks.markets.harness import MARKETS  # noqa: E402

USERS = 50_000
SEED = 3


@pytest.fixture(scope="module", params=["search_funnel", "live_commerce"])
def market(request):
    m = MARKETS[request.param].simulate(USERS, SEED)
    daily = m.daily.assign(date=pd.to_datetime(m.daily["date"]))
    return m, daily, m.truth.reset_index(drop=True)


def _noise_free_outcome(m, daily, truth, k, kernel="true kernel"):
    """GMV = Σ k_c f_c + a baseline on the benchmark's own baseline columns: what the fit assumes, no noise."""
    feats = info.features(daily, truth, kernel)
    dates = pd.DatetimeIndex(feats.index)
    z = info.baseline_columns(m.design, dates).to_numpy()
    rng = np.random.default_rng(0)
    rows = []
    for segment in truth["segment"].unique():
        cells = truth.index[truth["segment"] == segment].to_numpy()
        base = z @ np.r_[50_000.0, 8_000.0, 3_000.0, rng.uniform(2_000, 20_000, z.shape[1] - 3)]
        value = feats[cells].to_numpy() @ k[cells] + base
        rows.append(pd.DataFrame({"date": dates, "segment": segment, "value": value}))
    return pd.concat(rows, ignore_index=True), feats


@pytest.mark.parametrize("calendar", info.CALENDARS)
def test_levels_are_recovered_exactly_when_the_outcome_is_what_the_fit_assumes(market, calendar):
    m, daily, truth = market
    k = np.random.default_rng(1).uniform(0.0, 3.0, len(truth))
    k[[2, 9]] = 0.0  # an ad that does nothing is found to do nothing
    outcome, feats = _noise_free_outcome(m, daily, truth, k)
    fitted = info.fit_levels(outcome, feats, truth, m.design, calendar)
    np.testing.assert_allclose(fitted, k, atol=1e-6, rtol=1e-6)


def test_the_truths_own_levels_give_the_oracles_plan(market):
    m, daily, truth = market
    capture, status = info.capture_of_levels(truth, np.ones(len(truth)))
    assert capture == pytest.approx(1.0, abs=1e-6) and status == "optimal"
    assert info.capture_of_levels(truth, np.zeros(len(truth)))[0] < 1.0 - 1e-3  # all levels 0: some other plan


def test_lift_tested_levels_are_the_tests_and_the_rest_are_fitted_net_of_them(market):
    """Tests measured as the harness measures them (``lift_test_effect``: the market's own cell, kernel and scale)
    of cells at levels k give back k; with them held, the other levels come out exactly on a noise-free outcome."""
    from benchmarks.markets.common import lift_test_effect
    from benchmarks.markets.harness import LIFT_DAYS, LIFT_SE, LIFT_STEP

    m, daily, truth = market
    k = np.random.default_rng(2).uniform(0.2, 3.0, len(truth))
    tested = truth.nlargest(4, "current_spend")
    rows = []
    for r in tested.itertuples():
        effect = k[r.Index] * lift_test_effect(m.design.cells[m.design.cell_index(r.channel, r.segment)],
                                               USERS / 1_000_000, LIFT_STEP * r.current_spend, LIFT_DAYS)
        rows.append({"channel": r.channel, "segment": r.segment, "spend": LIFT_STEP * r.current_spend,
                     "incremental_value": effect, "standard_error": LIFT_SE * effect})
    k_hat, se = info.tested_levels(pd.DataFrame(rows), truth, m.design, "true kernel")
    np.testing.assert_allclose(k_hat[tested.index], k[tested.index], rtol=1e-9)
    np.testing.assert_allclose(se[tested.index], LIFT_SE * k[tested.index], rtol=1e-9)
    assert np.isnan(k_hat[truth.index.difference(tested.index)]).all()
    outcome, feats = _noise_free_outcome(m, daily, truth, k)
    fitted = info.fit_levels(outcome, feats, truth, m.design, "dummies", tested=(k_hat, se))
    np.testing.assert_allclose(fitted, k, atol=1e-6, rtol=1e-6)


def test_a_mix_takes_roimixs_shapes_or_kernels_and_leaves_the_rest_true(market):
    m, daily, truth = market
    fitted = truth[["channel", "segment"]].assign(family="log", a=7.0, b=1000.0, s=np.nan, lag_mean_periods=2.5)
    own = info.mixed_shapes(truth, fitted, "roimix's shapes and kernels")
    assert (own["family"] == "log").all() and (own["carry_mean_days"] == 2.5).all()
    shapes = info.mixed_shapes(truth, fitted, "true shapes, roimix's kernels")
    assert shapes[["family", "a", "b"]].equals(truth[["family", "a", "b"]]) and (shapes["carry_mean_days"] == 2.5).all()
    lags = info.mixed_shapes(truth, fitted, "roimix's shapes, true mean lag")
    assert (lags["a"] == 7.0).all() and lags["carry_mean_days"].equals(truth["carry_mean_days"])


def test_the_hand_outs_differ_only_by_the_carry_over(market):
    m, daily, truth = market
    true_kernel = info.features(daily, truth, "true kernel")
    none = info.features(daily, truth, "no carry-over")
    geometric = info.features(daily, truth, "true mean lag")
    instant = truth.index[truth["carry_mean_days"] < 0.05]  # brand search: 97 % of its effect the same day
    lagged = truth.index[truth["carry_mean_days"] > 1.0]
    assert len(instant) and len(lagged)
    # a cell that carries almost nothing over has nearly the same series in all three (after the warm-up)
    late = true_kernel.index[30:]
    for c in instant:
        np.testing.assert_allclose(none.loc[late, c], true_kernel.loc[late, c], rtol=0.05)
        np.testing.assert_allclose(geometric.loc[late, c], true_kernel.loc[late, c], rtol=0.05)
    # a carried-over cell's series is smoother than its day's own spend would give
    for c in lagged:
        assert true_kernel[c].diff().std() < none[c].diff().std()


def test_unknown_hand_outs_are_refused(market):
    m, daily, truth = market
    with pytest.raises(ValueError, match="kernel must be one of"):
        info.features(daily, truth, "estimated")
    outcome, feats = _noise_free_outcome(m, daily, truth, np.ones(len(truth)))
    with pytest.raises(ValueError, match="calendar must be one of"):
        info.fit_levels(outcome, feats, truth, m.design, "ignored")


def test_the_newey_west_covariance_is_its_formula_summed_term_by_term():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(40, 3))
    u = rng.normal(size=40)
    lags = 3
    meat = np.zeros((3, 3))
    for t in range(40):
        for s in range(40):
            gap = abs(t - s)
            if gap <= lags:
                meat += (1 - gap / (lags + 1)) * u[t] * u[s] * np.outer(a[t], a[s])
    bread = np.linalg.inv(a.T @ a)
    np.testing.assert_allclose(info.newey_west(a, u, lags), bread @ meat @ bread, rtol=1e-10)
    # no lags: White's heteroskedasticity-robust covariance
    np.testing.assert_allclose(info.newey_west(a, u, 0), bread @ (a.T * u**2) @ a @ bread, rtol=1e-10)
