"""On the sample market: the 618 scenario plans ahead of and onto the peak and beats a flat plan; the
phase multipliers estimated from the sample's 618 recover the true ones where a naive ratio does not."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import (
    GIVEN_SD, CampaignPlanner, CampaignScenario, DailyRules, Horizon, calendar_from_frame, estimate_multipliers, template,
)


def up_to_peak_share(result) -> float:
    """Share of the plan's spend on days up to the last peak day (before and on the peak)."""
    last_peak = result.daily.loc[result.daily["phase"] == "peak", "date"].max()
    return float(result.daily.loc[result.daily["date"] <= last_peak, "spend"].sum() / result.spend_cny)


def peak_per_day(result) -> float:
    return float(result.by_phase().set_index("phase").eval("spend / days")["peak"])


def test_618_puts_more_spend_before_and_on_the_peak_than_a_flat_plan_and_more_gmv(run_618):
    """The shipped scenario: curves fitted on the sample, multipliers estimated from its 618, every daily rule."""
    plan, flat = run_618.plan, run_618.flat
    assert plan.solved and flat.solved
    assert plan.spend_cny == pytest.approx(flat.spend_cny, rel=1e-7)  # the same budget, spread evenly
    # what lands after the last day is valued, so 返场 keeps its share: the lean to the peak is smaller
    assert up_to_peak_share(plan) > up_to_peak_share(flat) + 0.001
    assert peak_per_day(plan) > peak_per_day(flat)
    assert plan.gmv_cny > flat.gmv_cny * 1.001  # both valued on the same daily curves and carry-over
    assert plan.result.evidence.relative_gap < 1e-6


def test_with_the_true_curves_and_618_the_plan_leans_into_the_peak(truth_curves, sample_dir):
    campaign = calendar_from_frame(pd.read_csv(sample_dir / "calendar.csv"))
    planner = CampaignPlanner(truth_curves, Horizon("2026-05-06", "2026-06-21"), campaign, weekend_multiplier=1.08)
    budget = float(truth_curves["current_spend"].sum()) * planner.daily.n_days * 1.2
    setup = CampaignScenario(Budget(budget, reserve_share=0.05),
                             daily=DailyRules(key_daily_min=0.5, max_daily_change=0.6, non_key_focus="weekends+peak",
                                              non_key_offday_share=0.4, per_phase=True))
    plan, flat = planner.solve(setup), planner.solve(setup, flat=True)
    assert up_to_peak_share(plan) > up_to_peak_share(flat) + 0.01  # 返场's carry-out is valued: 0.951 vs 0.936
    assert peak_per_day(plan) > 1.3 * peak_per_day(flat)
    assert plan.gmv_cny > 1.005 * flat.gmv_cny  # +0.95 %: both now valued with what lands after the last day


def test_phase_multipliers_from_the_sample_618_recover_the_truth(run_618, sample_dir):
    est = run_618.estimates.set_index("phase")
    truth = pd.read_csv(sample_dir / "calendar.csv").set_index("phase")["response_multiplier"]
    assert (est["method"] == "regression").all() and (est["days"] > 0).all()
    for phase, row in est.iterrows():
        assert abs(row["multiplier"] - truth[phase]) <= 2.5 * row["std_error"], phase
    # each used multiplier is the data's estimate weighed with the given one: between the two, and surer than either
    for phase, row in est.iterrows():
        lo, hi = sorted([row["estimate"], row["given"]])
        assert lo - 1e-12 <= row["multiplier"] <= hi + 1e-12, phase
        assert row["std_error"] < min(row["estimate_std_error"], GIVEN_SD), phase
        assert row["baseline_multiplier"] >= 1.0 - 1e-9, phase
    peak = est.loc["peak"]
    # the campaign's extra baseline demand (×2.3 on peak days in the truth) is not passed off as ad response:
    # six observations cannot pin β itself, but the response multiplier used is far nearer the truth than the
    # naive ratio that sets β = 1
    assert abs(peak["ratio_multiplier"] - truth["peak"]) > 2 * abs(peak["multiplier"] - truth["peak"])
    assert peak["ratio_multiplier"] - truth["peak"] > 0.5
    # and the 2027 plan uses them
    planned = {p.name: p.multiplier for p in run_618.campaign.phases}
    assert planned == pytest.approx(est["multiplier"].to_dict())


def test_with_no_weight_on_the_given_multipliers_the_data_alone_decides(run_618, fit_cache):
    fit = next(iter(fit_cache.fits.values())).fit
    past = run_618.estimates
    alone = estimate_multipliers(fit.decomposition, _campaign_of(past), given_sd=float("inf")).set_index("phase")
    for phase, row in past.set_index("phase").iterrows():
        assert alone.loc[phase, "multiplier"] == pytest.approx(row["estimate"], rel=1e-9)
        assert alone.loc[phase, "std_error"] == pytest.approx(row["estimate_std_error"], rel=1e-9)
    with pytest.raises(ValueError, match="given_sd"):
        estimate_multipliers(fit.decomposition, _campaign_of(past), given_sd=0.0)


def _campaign_of(estimates: pd.DataFrame):
    """The past 618 the estimates were made on (its phases' dates and given multipliers)."""
    from optimizer.campaign import Campaign, Phase

    return Campaign("618", tuple(Phase(r.phase, r.start.date(), r.end.date(), r.given)
                                 for r in estimates.itertuples(index=False)))


def test_a_campaign_the_history_does_not_hold_keeps_its_given_multipliers(run_618, fit_cache):
    fit = next(iter(fit_cache.fits.values())).fit
    est = estimate_multipliers(fit.decomposition, template("double11", 2025))
    assert (est["days"] == 0).all() and est["method"].str.startswith("kept").all()
    assert list(est["multiplier"]) == [p.multiplier for p in template("double11", 2025).phases]
