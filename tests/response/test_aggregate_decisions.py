"""Aggregate mode's plans on small simulated worlds whose truth is known: the plan must not chase the
noise of one cell's spend against the total, and the uplift it states must hold what it really gains.

Each world: exp curves (mean spend = b), weekly-planned spend with daily jitter, a weekday baseline
and AR(1) noise of 6 % of it on the total outcome, 140 days. The plan is the CLI's default: CVaR 0.9
over the fit's draws, cells within 0.5–2× today, today's budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Bounds, Budget, Objective, Planner, Scenario
from optimizer.scenario import Risk
from response import FitSettings
from roimix.aggregate import AggregateSettings, pooled_prior, run_aggregate, shop_events

NO_CAMPAIGNS = pd.DataFrame(columns=["start", "end"])
QUICK = FitSettings(n_bootstrap=60, families=("exp", "mm", "log"), lag_candidates_periods=(0.0, 0.7))
MEAN_SPEND = 4000.0


def _world(seed: int, rois, days: int = 140, noise: float = 0.06, event: tuple[int, int, float] | None = None):
    """(spend, outcome, truth a and b per channel). ``event``: (first day, days, factor) when every
    channel's spend and the baseline demand are multiplied by ``factor`` (a shop event)."""
    rng = np.random.default_rng(seed)
    n = len(rois)
    dates = pd.date_range("2026-03-02", periods=days, freq="D")
    b = np.full(n, MEAN_SPEND)
    a = np.asarray(rois) * MEAN_SPEND / (1 - np.exp(-1.0))  # average ROI `rois` at the mean spend
    weeks = np.arange(days) // 7
    spend = np.array([MEAN_SPEND * np.exp(rng.normal(0, 0.3, weeks.max() + 1))[weeks]
                      * np.exp(rng.normal(0, 0.1, days)) for _ in range(n)])
    demand = np.ones(days)
    if event is not None:
        first, length, factor = event
        spend[:, first:first + length] *= factor
        demand[first:first + length] = factor
    return world_tables(dates, spend, a, b, 50_000 * (1 + 0.1 * (dates.day_of_week >= 5)) * demand, noise, rng)


def world_tables(dates, spend: np.ndarray, a: np.ndarray, b: np.ndarray, base: np.ndarray, noise: float, rng):
    """(spend, outcome, truth a and b per channel) of a world: the exp curves' effect of ``spend`` (channels ×
    days) on top of ``base``, with AR(1) shocks (0.4) of sd ``noise`` × 50,000 drawn from ``rng``."""
    n, days = spend.shape
    effect = (a[:, None] * -np.expm1(-spend / b[:, None])).sum(axis=0)
    shocks = rng.normal(0, noise * 50_000, days)
    ar = np.zeros(days)
    for t in range(days):
        ar[t] = 0.4 * (ar[t - 1] if t else 0.0) + shocks[t]
    names = [f"c{k}" for k in range(n)]
    table = pd.DataFrame({"date": np.tile(dates, n), "channel": np.repeat(names, days), "segment": "existing",
                          "spend": spend.ravel().round(2)})
    return table, pd.DataFrame({"date": dates, "value": (base + effect + ar).round(2)}), \
        pd.DataFrame({"channel": names, "a": a, "b": b})


def _plan(seed: int, rois, pooled: bool = True):
    """(true uplift per day of the plan, its stated P10, P90, budget) for the world of ``seed``."""
    spend, outcome, truth = _world(seed, rois)
    return plan_against_truth(spend, outcome, truth, AggregateSettings(exclude=NO_CAMPAIGNS, fit=QUICK,
                                                                       pooled_prior=pooled))


def plan_against_truth(spend, outcome, truth, settings: AggregateSettings):
    """(true uplift per day, stated P10, stated P90, budget) of the CLI's default plan (CVaR 0.9 over the fit's
    draws, today's budget, cells within 0.5–2× today) from aggregate mode's fit with ``settings``."""
    result = run_aggregate(spend, outcome, settings=settings)
    curves = result.curves.assign(cpc=1.0, new_customer_share=0.0)
    budget = float(curves["current_spend"].sum())
    plan = Planner(curves, draws=result.draws).solve(Scenario(
        Objective("gmv", risk=Risk.parse("cvar:0.9")), Budget(budget, "eq", 0.0),
        (Bounds("0.5–2× today", 0.5, 2.0, relative=True),)))
    assert plan.solved
    rows = plan.plan.set_index("channel").loc[truth["channel"]]

    def value(x):
        return float((truth["a"] * -np.expm1(-np.asarray(x, dtype=float) / truth["b"])).sum())

    uplift = value(rows["spend"]) - value(rows["current_spend"])
    return uplift, plan.outcome.uplift_p10_cny, plan.outcome.uplift_p90_cny, budget


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_equal_rois_plan_does_not_chase_noise(seed):
    """Five channels with the same true ROI and shape: today's allocation is already the best, so a plan
    can only lose. With the pooled prior both plans stay at today (measured ¥0, stated P10–P90 ¥0–0).
    Without it (``pooled=False``, the default of aggregate mode) seed 2's plan moved budget by the
    cells' noise and lost ¥385 a day while stating P10 +¥901: this test fails there (seed 1 moved
    little: true +¥9, stated P10 ¥12, within the tolerance)."""
    uplift, p10, _p90, budget = _plan(seed, [1.0] * 5)
    assert uplift >= -0.005 * budget
    assert p10 <= uplift + 0.005 * budget


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_real_differences_still_move_budget_and_the_band_holds_them(seed):
    """One channel with ROI 2.5 beside two at 0.4: the pooled prior must not freeze a plan the data
    support. It still moves and gains (measured ¥1,505 and ¥353 a day) and its stated P10–P90 holds the
    gain. A guard, not a demonstration: without the prior these pass too and gain more in seed 3
    (¥890) — the price of the caution; in seed 1 neither plan moves."""
    uplift, p10, p90, _budget = _plan(seed, [2.5, 0.4, 0.4, 1.0, 1.0])
    assert uplift > 100
    assert p10 - 1 <= uplift <= p90 + 1


def test_pooled_prior_is_the_shops_pooled_roi_times_each_cells_spend():
    """Every cell gets R × its mean spend per period, one R for all (pooled over cells and segments),
    near the world's true average ROI of 1.2 (exp curves at mean spend = b, no noise but AR shocks)."""
    spend, outcome, _truth = _world(4, [1.2] * 5, noise=0.02)
    prior = pooled_prior(spend, outcome, exclude=NO_CAMPAIGNS, settings=QUICK)
    mean = spend.groupby("channel")["spend"].mean()
    roi = prior.set_index("channel")["value"] / mean.loc[prior["channel"]].to_numpy()
    assert len(prior) == 5 and np.ptp(roi.to_numpy()) < 1e-9
    assert roi.iloc[0] == pytest.approx(1.2, rel=0.25)


def _days(runs: pd.DataFrame) -> set:
    return set(pd.DatetimeIndex(np.concatenate([pd.date_range(s, e) for s, e in zip(runs["start"], runs["end"])]))
               if len(runs) else pd.DatetimeIndex([]))


def test_shop_events_finds_a_shared_shift_not_the_weekly_plans():
    """A 14-day block when all ten channels' spend halves is found (as the day-runs it covers, plus at
    most 7 days of the channels' own week-to-week changes, sd 30 %); without it hardly a day is."""
    spend, _outcome, _truth = _world(5, [1.0] * 10, event=(70, 14, 0.5))
    found = _days(shop_events(spend, 0.3))
    event = set(pd.date_range(pd.Timestamp("2026-03-02") + pd.Timedelta(days=70), periods=14))
    assert event <= found
    assert len(found - event) <= 7  # measured 6
    assert len(_days(shop_events(_world(5, [1.0] * 10)[0], 0.3))) <= 3


def test_a_shop_event_left_in_overstates_the_channels():
    """Spend and demand both at 0.5× for 14 days: fitted with that block, the channels take the demand
    dip as their own effect (measured 5× the fit of the same world without the event); found and left
    out, the channels' summed value at current spend is that of the world without it (measured −12 %)."""
    def fitted_total(event, events):
        spend, outcome, _truth = _world(6, [1.0] * 5, event=event, noise=0.02)
        result = run_aggregate(spend, outcome, settings=AggregateSettings(
            exclude=NO_CAMPAIGNS, fit=FitSettings(n_bootstrap=0, families=("exp", "mm", "log"),
                                                  lag_candidates_periods=(0.0, 0.7)),
            shop_events=events, pooled_prior=False))
        return float(result.fit.curves["value_at_current"].sum())

    without = fitted_total(None, None)
    assert fitted_total((70, 14, 0.5), None) > 3 * without
    assert fitted_total((70, 14, 0.5), 0.3) == pytest.approx(without, rel=0.2)
