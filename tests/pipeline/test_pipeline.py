"""The whole pipeline, raw logs → fitted curves → plan, scored by the generator's known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution import credit_by_day
from response import FitSettings, fit_curves
from roimix.evaluation import evaluation_scenario, plan_spend, score
from roimix.pipeline import PipelineSettings, campaign_windows, run_pipeline
from roimix.synthetic import MarketSpec, campaign_618, generate_daily, generate_market, true_kernels
from roimix.tables import CURVES, check_table

FAST = FitSettings(n_bootstrap=0)
CAMPAIGN = pd.DataFrame({"start": [p.start for p in campaign_618(2026)], "end": [p.end for p in campaign_618(2026)]})


@pytest.fixture(scope="module")
def market():
    return generate_market(MarketSpec(n_users=300_000, seed=21))


@pytest.fixture(scope="module")
def result(market):
    return run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                        settings=PipelineSettings(fit=FitSettings(n_bootstrap=20)))


def aligned(curves: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    out = curves.set_index(["channel", "segment"]).loc[list(zip(truth.channel, truth.segment))].reset_index()
    out["current_spend"] = truth.current_spend.to_numpy()
    return out


def test_curves_table_feeds_the_optimizer(result, market):
    curves = result.curves
    assert check_table(curves[list(c.name for c in CURVES.columns)], CURVES) == []
    assert set(zip(curves.channel, curves.segment)) == set(zip(market.spend.channel, market.spend.segment))
    # cpc and new-customer share come from the spend table's clicks
    spend = market.spend[market.spend.channel == "ztc"]
    assert curves.set_index(["channel", "segment"]).loc[("ztc", "existing"), "cpc"] == pytest.approx(
        spend[spend.segment == "existing"].spend.sum() / spend[spend.segment == "existing"].clicks.sum())
    assert list(result.timings.stage) == ["validate", "journeys", "attribution", "lags", "curves"]
    # each cell's highest day of spend, the range a plan is checked against (roimix.report.history_range)
    daily = market.spend.groupby(["channel", "segment", "date"])["spend"].sum()
    highest = daily.groupby(["channel", "segment"]).max()
    got = curves.set_index(["channel", "segment"])["highest_spend"]
    pd.testing.assert_series_equal(got.sort_index(), highest.sort_index(), check_names=False)


def test_lags_follow_the_channels(result, market):
    lags = result.lags.set_index("channel").lag_mean_days
    # content converts days later than search ads (true means: 5 days vs 0.5)
    assert lags["xiaohongshu"] > 2.5 * lags["ztc"]
    assert lags["douyin_kol"] > lags["ztc"]


def test_harvest_channel_gets_a_low_curve_although_last_touch_loves_it(result, market):
    """万相台 (wxt) retargets buyers who would buy anyway: last touch credits it heavily, its fitted
    incremental marginal ROI is among the lowest, and far below its last-touch ROI."""
    credit = credit_by_day(result.paths, "last_touch", channels=market.channels)
    spend = market.spend.groupby("channel").spend.sum()
    last_touch_roi = credit.groupby("channel").value.sum().reindex(spend.index) / spend
    fitted = result.curves[result.curves.segment == "existing"].set_index("channel").marginal_roi
    assert fitted["wxt"] < 0.5 * last_touch_roi["wxt"]
    assert fitted["wxt"] <= fitted.sort_values().iloc[2]  # among the three lowest of seven
    assert fitted[["xiaohongshu", "douyin_kol"]].min() > fitted["wxt"]


def test_plan_from_data_raises_true_gmv_and_last_touch_plan_loses(result, market):
    truth = market.truth.curves
    scenario = evaluation_scenario(truth.current_spend.sum())
    spend, status = plan_spend(aligned(result.curves, truth), scenario)
    assert status == "optimal"
    assert score(truth, spend, scenario).capture > 0.55  # measured 0.58 on this 3·10⁵-user market
    # moving money by last-touch ROI (same shapes, attributed levels) loses GMV against today
    credit = credit_by_day(result.paths, "last_touch", channels=market.channels)
    exclude = campaign_windows(pd.Timestamp("2026-02-01"), pd.Timestamp("2026-06-30"))
    days = pd.to_datetime(credit.date)
    keep = ~days.between(exclude.start[0], exclude.end[0])
    level = credit[keep].groupby(["channel", "product_segment"]).value.sum() / days[keep].nunique()
    naive = truth.copy()
    naive["b"] = naive.current_spend
    naive["a"] = [level.get((c, s), 0.0) / (1 - np.exp(-1)) for c, s in zip(naive.channel, naive.segment)]
    spend, _ = plan_spend(naive, scenario)
    assert score(truth, spend, scenario).capture < 0


@pytest.mark.slow
def test_plan_on_the_readme_market_captures_what_the_readme_says():
    """README (benchmarks/pipeline.py): on 10⁶-user markets the pipeline's plan captures 0.74 of the
    oracle's uplift on average and 0.69 on its worst seed; seed 0 (measured 0.78) must reach the worst."""
    market = generate_market(MarketSpec(n_users=1_000_000, seed=0))
    result = run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                          settings=PipelineSettings(fit=FAST))
    truth = market.truth.curves
    scenario = evaluation_scenario(truth.current_spend.sum())
    spend, status = plan_spend(aligned(result.curves, truth), scenario)
    assert status == "optimal"
    assert score(truth, spend, scenario).capture >= 0.69


def test_decision_quality_over_seeds_against_the_noise_ceiling():
    """Daily totals of 2e6-user markets, four seeds: plans from fitted curves (free shapes, kernels
    as the journeys would give them) capture most of what a fit told the true shapes captures."""
    fitted, ceiling = [], []
    for seed in range(4):
        spec = MarketSpec(n_users=2_000_000, seed=seed)
        m = generate_daily(spec)
        truth = m.true_curves
        scenario = evaluation_scenario(truth.current_spend.sum())
        outcome = m.outcome[["date", "segment", "value"]]
        for shapes, out in ((None, fitted), (truth.drop(columns="lag_mean_days"), ceiling)):
            fit = fit_curves(m.spend, outcome, kernels=true_kernels(spec), exclude=CAMPAIGN, shapes=shapes,
                             settings=FAST)
            curves = aligned(fit.curves, truth)
            for col in ("cpc", "new_customer_share", "group", "key_platform", "margin"):
                curves[col] = truth[col].to_numpy()
            out.append(score(truth, plan_spend(curves, scenario)[0], scenario).capture)
    assert min(fitted) > 0, "a plan from the data must never lose GMV on these markets"
    assert np.mean(fitted) >= 0.75 * np.mean(ceiling)


def test_the_same_inputs_give_the_same_curves_to_the_last_bit(result, market):
    """DuckDB runs in parallel threads: sums and row orders must not depend on them (an analyst reruns a batch)."""
    again = run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                         settings=PipelineSettings(fit=FitSettings(n_bootstrap=20)))
    pd.testing.assert_frame_equal(again.outcome, result.outcome, check_exact=True)
    pd.testing.assert_frame_equal(again.lags, result.lags, check_exact=True)
    pd.testing.assert_frame_equal(again.curves, result.curves, check_exact=True)
