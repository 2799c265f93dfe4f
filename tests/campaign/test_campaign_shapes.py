"""Plausible daily shapes (issue 17.2): the carry-over after the horizon is valued, phase ROI is credited to the
day the spend was made, and the daily plan is optimal for that stated objective (checked by an independent
scipy formulation on a small case)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template
from response.lag import adstock_weights

TEMPLATES = ("618", "double11", "nianhuo")


def _plan(curves: pd.DataFrame, name: str, **planner_options):
    campaign = template(name, 2027)
    horizon = Horizon(min(p.start for p in campaign.phases), max(p.end for p in campaign.phases))
    planner = CampaignPlanner(curves, horizon, campaign, **planner_options)
    budget = float(curves["current_spend"].sum()) * horizon.n_days
    plan = planner.solve(CampaignScenario(Budget(budget), daily=DailyRules(key_daily_min=0.5)))
    assert plan.solved, plan.status
    return planner, plan


@pytest.fixture(scope="module", params=TEMPLATES)
def templated(request, truth_curves):
    return request.param, *_plan(truth_curves, request.param)


def test_no_peak_day_spends_less_than_an_ordinary_presale_day(templated):
    """Rules in force: the budget, the key platforms' daily minimum (50 % of current) and the shares; none of
    them forces a peak day down, so every peak day spends at least the median pre-sale day."""
    name, _, plan = templated
    by_date = plan.by_date()
    presale = by_date.loc[by_date["phase"] == "presale", "spend"]
    peak = by_date.loc[by_date["phase"] == "peak", "spend"]
    assert len(presale) >= 5 and len(peak) >= 1
    assert peak.min() >= presale.median(), (name, peak.round(0).tolist(), presale.median())


def test_the_last_days_are_not_starved(templated):
    """返场 (the last phase) spends more per day than it would if what lands after the horizon were worth
    nothing, and its credited ROI is below the peak's (the peak's carry-over is no longer credited to it)."""
    name, planner, plan = templated
    phases = plan.by_phase().set_index("phase")
    assert phases.loc["return", "roi"] < phases.loc["peak", "roi"], name


def test_first_campaign_day_is_no_spike_in_what_the_curves_see(templated):
    """Criterion: the campaign's first day may spend more than the rest of its phase (5 % above their median)
    only to ramp the carry-over from current spend up to the phase's level, never to overshoot it — its
    effective spend (what the curve sees) is then at most the largest effective spend of the phase's other
    days (+0.5 %), per channel and segment. (Later phases may open with a pulse whose carry-over covers the
    phase's next days, e.g. a lag-3-day channel on the peak's first day; that is the model's timing.)"""
    name, _, plan = templated
    d = plan.daily
    d = d[d["phase"] == d.sort_values("date")["phase"].iloc[0]]
    spikes = 0
    for (phase, channel, segment), g in d.groupby(["phase", "channel", "segment"]):
        g = g.sort_values("date")
        if len(g) < 3 or g["spend"].iloc[0] <= 1.05 * g["spend"].iloc[1:].median() + 1.0:
            continue
        spikes += 1
        first, rest = g["effective_spend"].iloc[0], g["effective_spend"].iloc[1:]
        assert first <= rest.max() * 1.005 + 1.0, (name, phase, channel, segment, first, rest.max())
    assert spikes > 0, "the check saw no first day above its phase (a lag-5-day channel ramps up at least once)"


def test_phase_roi_is_credited_to_the_day_the_spend_was_made(truth_curves):
    """With no spend in 返场 its credited GMV is zero although GMV from the peak's carry-over lands there; every
    credited yuan is one the planner valued: credited + carry-in's share = landing GMV + carry-out."""
    campaign = template("618", 2027)
    horizon = Horizon(min(p.start for p in campaign.phases), max(p.end for p in campaign.phases))
    planner = CampaignPlanner(truth_curves, horizon, campaign)
    d = planner.daily
    x = np.where(np.tile(d.days["phase"].to_numpy() == "return", d.n // d.n_days), 0.0,
                 np.repeat(d.cells["current_spend"].to_numpy(), d.n_days))
    credited = d.credited(x)
    is_return = np.tile(d.days["phase"].to_numpy() == "return", d.n // d.n_days)
    assert credited[is_return].sum() == 0.0
    assert d.value(x)[is_return].sum() > 0
    eff = d.effective(x)
    carry_in_share = np.where(eff > 0, d.carry_in / eff, 0.0) * d.planned_value(x)
    assert credited.sum() + carry_in_share.sum() == pytest.approx(d.planned_value(x).sum(), rel=1e-12)


# --- brute force: a 3-day, 2-channel plan against an independent scipy formulation --------------------------------


def _small_curves() -> pd.DataFrame:
    return pd.DataFrame({
        "channel": ["a", "b"], "segment": ["existing", "existing"], "family": ["exp", "exp"],
        "a": [5000.0, 3000.0], "b": [2000.0, 800.0], "current_spend": [1500.0, 400.0], "cpc": [2.0, 2.0],
        "new_customer_share": [0.2, 0.2], "group": ["paid", "paid"], "key_platform": [False, False],
        "lag_mean_days": [2.0, 0.5],
    })


def _independent_objective(curves: pd.DataFrame, multipliers: np.ndarray, after: np.ndarray):
    """The stated objective written from scratch: Σ_t m_t a (1 − e^{−x̃_t/b}) with x̃ the geometric adstock of the
    plan and of current spend before day 1, plus the carry-out M·a(1 − e^{−x̃_T/b}), M = Σ_k m_{T+k} α^k."""
    T = len(multipliers)

    def value(flat: np.ndarray) -> float:
        total = 0.0
        for i, r in enumerate(curves.itertuples(index=False)):
            x = flat[i * T:(i + 1) * T]
            w = adstock_weights(r.lag_mean_days)
            history = np.r_[np.full(len(w), r.current_spend), x]  # spend before day 1 is current spend
            eff = np.array([sum(w[lag] * history[len(w) + t - lag] for lag in range(len(w))) for t in range(T)])
            alpha = r.lag_mean_days / (1 + r.lag_mean_days)
            carry_out = sum(after[k - 1] * alpha ** k for k in range(1, len(w)))
            f = r.a * -np.expm1(-eff / r.b)
            total += float((multipliers * f).sum() + carry_out * f[-1])
        return total

    return value


def test_three_day_two_channel_plan_is_optimal_for_the_stated_objective():
    curves = _small_curves()
    campaign = template("618", 2027)
    peak = next(p for p in campaign.phases if p.name == "peak")
    horizon = Horizon(peak.start, peak.end)  # the peak's three days, the return phase after them
    assert horizon.n_days == 3
    planner = CampaignPlanner(curves, horizon, campaign)
    budget = 3 * 2500.0
    plan = planner.solve(CampaignScenario(Budget(budget), new_product_cap=None, new_customer_cap=None,
                                          daily=DailyRules(key_daily_min=None)))
    assert plan.solved
    days = pd.date_range(horizon.start, horizon.end)
    m = np.array([campaign.multipliers(pd.Series(days), pd.Series(["a"]))[t, 0] for t in range(3)])
    after_dates = pd.Series(pd.date_range(horizon.end + pd.Timedelta(days=1), periods=60))
    after = campaign.multipliers(after_dates, pd.Series(["a"]))[:, 0]
    value = _independent_objective(curves, m, after)
    x_plan = plan.daily.sort_values(["channel", "date"])["spend"].to_numpy()
    best = None
    for start in np.random.default_rng(0).dirichlet(np.ones(6), size=8) * budget:
        found = minimize(lambda x: -value(x), start, method="SLSQP", bounds=[(0, budget)] * 6,
                         constraints=[{"type": "eq", "fun": lambda x: x.sum() - budget}],
                         options={"ftol": 1e-12, "maxiter": 500})
        if found.success and (best is None or found.fun < best.fun):
            best = found
    assert best is not None
    assert value(x_plan) >= -best.fun - 1e-6 * abs(best.fun), (value(x_plan), -best.fun)
    np.testing.assert_allclose(x_plan, best.x, atol=0.01 * budget / 6)
    assert planner.planned_value(_cell_order(plan, planner)) == pytest.approx(value(x_plan), rel=1e-9)


def _cell_order(plan, planner) -> np.ndarray:
    """The plan's spend in the planner's cell order (curve-major, then day)."""
    keyed = plan.daily.set_index(["channel", "segment", "date"])["spend"]
    table = planner.daily.table
    return keyed.loc[list(zip(table["channel"], table["segment"], table["date"]))].to_numpy()
