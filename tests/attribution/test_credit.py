"""Output tables: per channel, per day and segment (totals add up, Markov raked to its global
credit), with spend, side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution import (
    BASELINE, CREDIT_COLUMNS, DAILY_COLUMNS, attribute, attribute_all, attribute_journeys, credit_by_day, rake,
    side_by_side, with_spend,
)
from attribution.journeys import build_paths
from roimix.text import error_text

DAY_MODELS = ["linear", "last_non_direct", "markov_1", "markov_2", "incremental", "time_decay"]


@pytest.fixture(scope="module")
def market_all(small_market):
    market, journeys = small_market
    return market, journeys, attribute_all(journeys, channels=market.channels)


def test_every_model_conserves_totals_and_lists_every_channel(market_all):
    market, journeys, credit = market_all
    assert tuple(credit.columns) == CREDIT_COLUMNS
    assert set(credit["model"]) == {"first_touch", "last_touch", "last_non_direct", "linear", "time_decay",
                                    "position_based", "markov_1", "incremental"}
    n, v = len(market.conversions), market.conversions["value"].sum()
    sums = credit.groupby("model")[["conversions", "value"]].sum()
    np.testing.assert_allclose(sums["conversions"], n, rtol=1e-9)
    np.testing.assert_allclose(sums["value"], v, rtol=1e-9)
    per_model = credit.groupby("model")["channel"].apply(set)
    assert all(set(market.channels["channel"]) <= s for s in per_model)
    assert credit.loc[credit["channel"] == BASELINE, "group"].eq("baseline").all()


@pytest.mark.parametrize("model", DAY_MODELS)
def test_per_day_credit_adds_up_to_days_and_to_channels(market_all, model):
    market, journeys, credit = market_all
    daily = credit_by_day(journeys, model, channels=market.channels)
    assert tuple(daily.columns) == DAILY_COLUMNS
    conv = market.conversions.assign(date=market.conversions["timestamp"].dt.date)
    observed = conv.groupby(["date", "product_segment"]).agg(n=("value", "size"), v=("value", "sum"))
    got = daily.assign(date=pd.to_datetime(daily["date"]).dt.date).groupby(["date", "product_segment"])[
        ["conversions", "value"]].sum()
    got = got.reindex(observed.index)
    np.testing.assert_allclose(got["conversions"], observed["n"], rtol=1e-9)
    np.testing.assert_allclose(got["value"], observed["v"], rtol=1e-9)
    # channel totals equal the model's own per-channel credit (Markov: after raking)
    total = daily.groupby("channel")[["conversions", "value"]].sum()
    ref = attribute_journeys(journeys, model, channels=market.channels).set_index("channel")
    ref = ref[(ref["conversions"] != 0) | (ref["value"] != 0)]
    np.testing.assert_allclose(total.reindex(ref.index)["conversions"], ref["conversions"], rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(total.reindex(ref.index)["value"], ref["value"], rtol=1e-7, atol=1e-4)


def test_per_day_from_paths_by_day_equals_from_journeys(small_market):
    market, journeys = small_market
    by_day = build_paths(market.touchpoints, market.conversions, by=("date", "product_segment"))
    for model in ("position_based", "markov_1"):
        a = credit_by_day(by_day, model)
        b = credit_by_day(journeys, model)
        a["date"] = pd.to_datetime(a["date"]).dt.date
        b["date"] = pd.to_datetime(b["date"]).dt.date
        pd.testing.assert_frame_equal(a, b, rtol=1e-8, atol=1e-8, check_dtype=False)
    with pytest.raises(ValueError, match="time_decay"):
        credit_by_day(by_day, "time_decay")


def test_rake_hits_both_margins():
    rng = np.random.default_rng(0)
    table = rng.random((6, 4))
    table[0, 1] = 0.0
    rows, cols = rng.random(6) * 10, rng.random(4)
    cols *= rows.sum() / cols.sum()
    out = rake(table, rows, cols)
    np.testing.assert_allclose(out.sum(axis=1), rows, rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=0), cols, rtol=1e-9)
    assert out[0, 1] == 0.0


def test_spend_ratios():
    credit = pd.DataFrame({"model": "m", "channel": ["ztc", "brand_search", BASELINE], "group": ["paid", "organic",
                           "baseline"], "conversions": [10.0, 5.0, 20.0], "value": [3000.0, 900.0, 4000.0]})
    spend = pd.DataFrame({"date": ["2026-06-01", "2026-06-02"], "channel": ["ztc", "ztc"], "segment": "existing",
                          "spend": [600.0, 400.0]})
    out = with_spend(credit, spend).set_index("channel")
    assert out.loc["ztc", "spend"] == 1000 and out.loc["ztc", "roas"] == 3.0
    assert out.loc["ztc", "net_return"] == 2.0 and out.loc["ztc", "cpa"] == 100.0
    assert np.isnan(out.loc[BASELINE, "roas"]) and np.isnan(out.loc["brand_search", "cpa"])
    daily = pd.DataFrame({"model": "m", "date": ["2026-06-01"], "product_segment": ["existing"], "channel": ["ztc"],
                          "group": ["paid"], "conversions": [2.0], "value": [900.0]})
    d = with_spend(daily, spend)
    assert d.loc[0, "spend"] == 600 and d.loc[0, "roas"] == 1.5


def test_side_by_side_and_path_input(data_csv):
    credit = attribute_all(data_csv, ("first_touch", "linear", "markov_1"))
    wide = side_by_side(credit, "share")
    assert list(wide.columns) == ["channel", "group", "first_touch", "linear", "markov_1"]
    np.testing.assert_allclose(wide[["first_touch", "linear", "markov_1"]].sum(), 1.0)
    with pytest.raises(ValueError, match="time_decay"):
        attribute(data_csv, "time_decay")
    with pytest.raises(ValueError) as unknown:
        attribute(data_csv, "best_model")
    assert error_text(unknown.value, "en").startswith("unknown attribution model 'best_model'; choose from first_touch")
