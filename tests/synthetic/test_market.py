"""The simulated market: deterministic, meets the table contracts, and its truth is consistent
with the data it generated (the biases the product must correct are really there)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roimix.synthetic import MarketSpec, generate_market
from roimix.tables import CHANNELS, CONVERSIONS, CURVES, SPEND, TOUCHPOINTS, check_table

SPEC = MarketSpec(n_users=60_000, seed=11)


@pytest.fixture(scope="module")
def market():
    return generate_market(SPEC)


def test_same_spec_same_data(market):
    again = generate_market(SPEC)
    pd.testing.assert_frame_equal(market.touchpoints, again.touchpoints)
    pd.testing.assert_frame_equal(market.conversions, again.conversions)
    other = generate_market(MarketSpec(n_users=60_000, seed=12))
    assert len(other.conversions) != len(market.conversions)


def test_tables_meet_their_contracts(market):
    for frame, contract in [(market.touchpoints, TOUCHPOINTS), (market.conversions, CONVERSIONS),
                            (market.spend, SPEND), (market.channels, CHANNELS), (market.truth.curves, CURVES)]:
        assert check_table(frame, contract) == [], contract.name


def test_history_covers_618_and_spend_varies(market):
    spend = market.spend.assign(date=pd.to_datetime(market.spend.date))
    assert spend.date.min() == pd.Timestamp("2026-02-01") and spend.date.nunique() >= 120
    daily = spend.groupby(["channel", "segment", "date"]).spend.sum()
    cv = daily.groupby(level=[0, 1]).agg(lambda s: s.std() / s.mean())
    assert (cv > 0.2).all(), "every cell's spend must vary day to day, or its curve cannot be identified"
    total = spend.groupby("date").spend.sum()
    assert total.loc["2026-06-16":"2026-06-18"].mean() > 1.8 * total.loc["2026-03-01":"2026-04-30"].mean()


def test_clicks_in_spend_table_are_the_logged_paid_touches(market):
    tp = market.touchpoints.assign(date=market.touchpoints.timestamp.dt.date)
    logged = tp.groupby(["date", "channel"], observed=True).size()
    billed = market.spend.groupby(["date", "channel"]).clicks.sum()
    joined = pd.concat([logged.rename("logged"), billed.rename("billed")], axis=1, join="inner")
    assert len(joined) == len(billed)
    assert (joined.logged == joined.billed).all()


def test_realised_incremental_value_matches_the_true_curves(market):
    """Σ caused GMV per channel ≈ Σ_days f(spend)·m: within 4 s.d. of the Poisson-lognormal noise
    plus 5 % for orders that cross the window's edges (burn-in in, lag past the last day out)."""
    expected = market.truth.daily.groupby("channel").expected_value.sum()
    realised = market.truth.channels.set_index("channel")
    spec = market.spec
    aov = spec.aov("existing")
    for channel, want in expected.items():
        got = realised.loc[channel, "incremental_value"]
        n = realised.loc[channel, "incremental_conversions"]
        noise_sd = aov * np.sqrt(n * np.exp(spec.value_sigma**2))
        assert abs(got - want) < 4 * noise_sd + 0.05 * want, channel


def test_truth_accounts_for_every_order(market):
    truth = market.truth
    inc = truth.channels.incremental_value.sum()
    assert inc + truth.baseline_value == pytest.approx(market.conversions.value.sum(), abs=0.01)
    assert 0.35 < truth.baseline_value / market.conversions.value.sum() < 0.65
    organic = truth.channels[truth.channels.group == "organic"]
    assert (organic.incremental_value == 0).all()


def test_the_biases_are_there(market):
    """Last touch credits organic and retargeting heavily although they cause (almost) nothing;
    content-caused orders close through brand search; baseline buyers show intent before ads."""
    from attribution.journeys import build_journeys

    journeys = build_journeys(market.touchpoints, market.conversions).journeys
    bought = journeys[journeys.converted].merge(market.truth.causes, on="order_id")
    last = bought.path.str.split(" > ").str[-1]
    share = bought.groupby(last).value.sum() / bought.value.sum()
    assert share.get("brand_search", 0) + share.get("direct", 0) > 0.5

    true = market.truth.channels.set_index("channel").share_value
    incremental = 1 - market.truth.baseline_value / market.conversions.value.sum()
    assert share["wxt"] > 1.5 * true["wxt"] * incremental
    assert share["xiaohongshu"] < 0.5 * true["xiaohongshu"] * incremental

    by_content = bought.cause == "xiaohongshu"
    assert (last[by_content] == "brand_search").mean() > 0.5
    # baseline buyers visited (organic) before the final step: intent that predates the ads
    steps = bought.path.str.split(" > ")
    early_visit = steps.map(lambda p: any(c in ("brand_search", "direct") for c in p[:-1]))
    assert early_visit[bought.cause == "baseline"].mean() > 0.8
    assert early_visit[by_content].mean() < 0.3
