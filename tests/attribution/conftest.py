"""Shared inputs of the attribution tests: ChannelAttribution's Data.csv, the peers' outputs on it
(computed once per session) and a small generated market with a known truth."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

CA_SEEDS = (0, 1000, 2000, 3000, 4000, 5000)
"""Independent ChannelAttribution runs (its folds use seeds ``seed + fold``, so seeds must be far apart)."""
CA_NSIM = 1_000_000


def _import_channelattribution():
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
        import ChannelAttribution
    return ChannelAttribution


@pytest.fixture(scope="session")
def channelattribution():
    """The ChannelAttribution module (the peer), imported without its banner."""
    return _import_channelattribution()


@pytest.fixture(scope="session")
def data_csv(shared_datasets) -> pd.DataFrame:
    """ChannelAttribution's example paths, as shipped (semicolon separated, its column names)."""
    return pd.read_csv(shared_datasets / "channelattribution" / "Data.csv", sep=";")


@pytest.fixture(scope="session")
def ca_heuristics(data_csv) -> pd.DataFrame:
    ca = _import_channelattribution()
    with contextlib.redirect_stdout(io.StringIO()):
        out = ca.heuristic_models(data_csv, "path", "total_conversions", var_value="total_conversion_value",
                                  flg_pro=False)
    return out.set_index("channel_name")


@pytest.fixture(scope="session")
def ca_markov(data_csv) -> dict[int, np.ndarray]:
    """Per order: ChannelAttribution's markov_model on Data.csv, one (channels × [conversions, value])
    array per seed in :data:`CA_SEEDS`, rows in sorted channel order."""
    ca = _import_channelattribution()
    channels = sorted({c.strip() for p in data_csv["path"] for c in p.split(">")})
    out = {}
    for order in (1, 2):
        runs = []
        for seed in CA_SEEDS:
            with contextlib.redirect_stdout(io.StringIO()):
                res = ca.markov_model(data_csv, "path", "total_conversions", var_value="total_conversion_value",
                                      var_null="total_null", order=order, nsim_start=CA_NSIM, seed=seed,
                                      verbose=False, flg_pro=False)
            res = res.set_index("channel_name").loc[channels]
            runs.append(res[["total_conversions", "total_conversion_value"]].to_numpy(float))
        out[order] = np.array(runs)
    return out


@pytest.fixture(scope="session")
def small_market():
    """A 30,000-user market and its journeys (seconds to build)."""
    from attribution.journeys import build_journeys
    from roimix.synthetic import MarketSpec, generate_market

    market = generate_market(MarketSpec(n_users=30_000, seed=3))
    return market, build_journeys(market.touchpoints, market.conversions)
