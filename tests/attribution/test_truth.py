"""On a generated market with a known causal truth: every model's error in channel shares, and the
incremental model far ahead of last touch and Markov.

The error of a model is ``Σ_c |share_c − true share_c|`` over the paid, content, KOL and social
channels plus the organic ones (true share 0), shares taken among channels (the incremental model's
baseline row left out; the truth's baseline orders are not a channel either). 0 is perfect, 2 is
the most wrong. Measured at 100,000 users on seeds 1–4 and 7: incremental 0.21–0.25 (0.28–0.36
before its fit dropped the anchoring touch of non-converting paths), Markov (orders 1–3) 0.97–0.99,
last touch 1.42–1.45, first touch 0.81–0.84 (the best of the rest). Asserted: at most 0.5 of the
better of last touch and Markov.

The incremental model's baseline row against the truth's baseline (about half of orders and GMV):
on the same markets it holds 0.695–0.704 of GMV where the truth is 0.502–0.519, an error of
0.18–0.20 (0.30–0.33 before). Asserted: under 0.25 in orders and in GMV.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution import BASELINE, attribute_all

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov_1",
          "markov_2", "markov_3", "incremental")


@pytest.fixture(scope="module")
def market_credit():
    from attribution.journeys import build_journeys
    from roimix.synthetic import MarketSpec, generate_market

    market = generate_market(MarketSpec(n_users=100_000, seed=7))
    journeys = build_journeys(market.touchpoints, market.conversions)
    return market, journeys, attribute_all(journeys, MODELS, channels=market.channels)


def share_errors(credit: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    true = truth.set_index("channel")["share_conversions"]
    out = {}
    for model, rows in credit.groupby("model", sort=False):
        got = rows[rows["channel"] != BASELINE].set_index("channel")["conversions"]
        got = got.reindex(true.index).fillna(0.0)
        out[model] = float(np.abs(got / got.sum() - true).sum())
    return out


def test_incremental_beats_last_touch_and_markov_by_a_clear_margin(market_credit):
    market, _, credit = market_credit
    errors = share_errors(credit, market.truth.channels)
    report = "\n".join(f"  {m:16s} Σ|share − true share| = {e:.3f}" for m, e in errors.items())
    inc = credit[credit["model"] == "incremental"].set_index("channel")["conversions"]
    true_base = market.truth.baseline_conversions / len(market.conversions)
    print(f"\nerror in channel shares, 100k-user market, seed 7:\n{report}\n"
          f"  incremental baseline share {inc[BASELINE] / inc.sum():.3f} (true {true_base:.3f})")
    assert set(errors) == set(MODELS)
    rivals = min(errors["last_touch"], errors["markov_1"], errors["markov_2"], errors["markov_3"])
    assert errors["incremental"] <= 0.5 * rivals, report
    assert errors["incremental"] < min(e for m, e in errors.items() if m != "incremental"), report


def test_incremental_separates_the_baseline_and_credits_no_organic_channel(market_credit):
    market, _, credit = market_credit
    inc = credit[credit["model"] == "incremental"].set_index("channel")
    observed = market.conversions["value"].sum()
    assert inc["value"].sum() == pytest.approx(observed, rel=1e-9)
    assert inc.loc[BASELINE, "conversions"] > 0.25 * inc["conversions"].sum()
    organic = market.channels.loc[market.channels["group"] == "organic", "channel"]
    assert (inc.loc[organic, "conversions"] == 0).all()


def test_incremental_baseline_share_is_near_the_true_baseline(market_credit):
    market, _, credit = market_credit
    inc = credit[credit["model"] == "incremental"].set_index("channel")
    got = {k: inc.loc[BASELINE, k] / inc[k].sum() for k in ("conversions", "value")}
    true = {"conversions": market.truth.baseline_conversions / len(market.conversions),
            "value": market.truth.baseline_value / market.conversions["value"].sum()}
    report = ", ".join(f"{k}: {got[k]:.3f} (true {true[k]:.3f})" for k in got)
    assert all(abs(got[k] - true[k]) < 0.25 for k in got), report
