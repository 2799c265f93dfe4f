"""Rule-based models: equal to ChannelAttribution's heuristic_models, and the others by definition."""

from __future__ import annotations

import contextlib
import io

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from attribution import attribute, attribute_journeys
from attribution.heuristics import time_decay_weights
from attribution.journeys import Journeys
from attribution.models import LastNonDirect, PositionBased, TimeDecay

CA_COLUMNS = {"first_touch": "first_touch", "last_touch": "last_touch", "linear": "linear_touch"}


def assert_close(ours: pd.Series, theirs: pd.Series, total: float):
    """1e-9 relative, with 1e-9 of the total as the floor for channels credited (almost) nothing."""
    theirs = theirs.reindex(ours.index)
    assert not theirs.isna().any()
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-9 * max(total, 1.0))


@pytest.mark.parametrize("model", list(CA_COLUMNS))
def test_equal_to_channelattribution_on_data_csv(data_csv, ca_heuristics, model):
    ours = attribute(data_csv, model).set_index("channel")
    col = CA_COLUMNS[model]
    assert_close(ours["conversions"], ca_heuristics[f"{col}_conversions"], 19_785)
    assert_close(ours["value"], ca_heuristics[f"{col}_value"], 74_803)


@st.composite
def path_tables(draw):
    channels = ["ch_a", "ch_b", "ch c", "d"]
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        steps = draw(st.lists(st.sampled_from(channels), min_size=1, max_size=8))
        pad = draw(st.sampled_from([" > ", ">", "  >  "]))
        conv = draw(st.integers(0, 50))
        value = draw(st.floats(0, 1e4, allow_nan=False)) if conv else 0.0
        rows.append((pad.join(steps), conv, value, draw(st.integers(0, 50))))
    frame = pd.DataFrame(rows, columns=["path", "total_conversions", "total_conversion_value", "total_null"])
    if frame["total_conversions"].sum() == 0:
        frame.loc[0, "total_conversions"] = 1
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_tables())
def test_equal_to_channelattribution_on_random_paths(channelattribution, frame):
    ca = channelattribution
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = ca.heuristic_models(frame, "path", "total_conversions", var_value="total_conversion_value",
                                     flg_pro=False).set_index("channel_name")
    for model, col in CA_COLUMNS.items():
        ours = attribute(frame, model).set_index("channel")
        assert_close(ours["conversions"], theirs[f"{col}_conversions"], frame["total_conversions"].sum())
        assert_close(ours["value"], theirs[f"{col}_value"], frame["total_conversion_value"].sum())


def credit(frame, model):
    return attribute(frame, model).set_index("channel")["conversions"].to_dict()


def test_position_based_40_20_40_and_its_short_paths():
    frame = pd.DataFrame({"path": ["a > b > c > d", "a > b", "c"], "conversions": [10, 10, 10]})
    got = credit(frame, PositionBased())
    assert got == pytest.approx({"a": 4 + 5, "b": 1 + 5, "c": 1 + 10, "d": 4})
    skewed = credit(frame.iloc[[1]], PositionBased(first=0.3, last=0.6))
    assert skewed == pytest.approx({"a": 10 / 3, "b": 20 / 3})
    with pytest.raises(ValueError):
        PositionBased(first=0.7, last=0.5)


def test_last_non_direct_skips_direct_unless_only_direct():
    frame = pd.DataFrame({"path": ["ztc > direct", "direct > direct", "a > direct > b > direct"],
                          "conversions": [1, 2, 4]})
    assert credit(frame, "last_non_direct") == pytest.approx({"ztc": 1, "direct": 2, "a": 0, "b": 4})
    custom = credit(frame, LastNonDirect(direct=("direct", "b")))
    assert custom == pytest.approx({"ztc": 1, "direct": 2, "a": 4, "b": 0})


def channels_table(groups: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"channel": list(groups), "group": list(groups.values())})


def test_last_non_direct_skips_the_channels_tables_organic_group_whatever_its_names():
    frame = pd.DataFrame({"path": ["ztc > natural", "natural > brand search", "a > direct > brand search",
                                   "direct > natural"], "conversions": [1, 2, 4, 8]})
    table = channels_table({"ztc": "paid", "a": "content", "direct": "paid", "natural": "Organic",
                            "brand search": "organic"})
    got = attribute(frame, "last_non_direct", channels=table).set_index("channel")["conversions"].to_dict()
    # organic touches skipped; a path of organic touches only keeps its last; "direct" is paid here
    assert got == pytest.approx({"ztc": 1, "a": 0, "direct": 4 + 8, "natural": 0, "brand search": 2})
    # no channels table: the name "direct" is all there is to go by
    assert credit(frame, "last_non_direct") == pytest.approx(
        {"ztc": 0, "a": 0, "direct": 0, "natural": 1 + 8, "brand search": 2 + 4})


def test_last_non_direct_equals_channelattributions_last_touch_on_paths_without_organic_touches(
        data_csv, channelattribution):
    """ChannelAttribution's last touch on Data.csv with the organic channels' touches removed (paths of
    organic touches only kept as they are) is last non-direct on the paths as they are."""
    organic = {"eta", "iota"}  # Data.csv's most frequent last touches, marked organic in a channels table
    names = sorted({c.strip() for p in data_csv["path"] for c in p.split(">")})
    table = channels_table({c: "organic" if c in organic else "paid" for c in names})

    def without_organic(path: str) -> str:
        steps = [c.strip() for c in path.split(">")]
        kept = [c for c in steps if c not in organic]
        return " > ".join(kept or steps)

    stripped = data_csv.assign(path=data_csv["path"].map(without_organic))
    assert (stripped["path"] != data_csv["path"]).mean() > 0.3  # the organic channels matter here
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = channelattribution.heuristic_models(stripped, "path", "total_conversions",
                                                    var_value="total_conversion_value",
                                                    flg_pro=False).set_index("channel_name")
    ours = attribute(data_csv, "last_non_direct", channels=table).set_index("channel")
    ours = ours[(ours["conversions"] > 0) | ours.index.isin(theirs.index)]
    assert_close(ours["conversions"], theirs["last_touch_conversions"], 19_785)
    assert_close(ours["value"], theirs["last_touch_value"], 74_803)
    plain = attribute(data_csv, "last_touch").set_index("channel")
    assert ours.loc[sorted(organic), "conversions"].sum() < 0.6 * plain.loc[sorted(organic), "conversions"].sum()


def test_time_decay_halves_weight_per_half_life():
    t = pd.Timestamp("2026-06-18 20:00")
    journeys = pd.DataFrame({"journey_id": [1, 2], "converted": [True, False], "conversion_ts": [t, pd.NaT],
                             "date": [t.date(), t.date()], "value": [300.0, 0.0], "product_segment": ["new", None],
                             "path": ["a > b > a", "a"]})
    touches = pd.DataFrame({"journey_id": [1, 1, 1, 2], "step": [1, 2, 3, 1], "channel": ["a", "b", "a", "a"],
                            "timestamp": [t - pd.Timedelta(days=14), t - pd.Timedelta(days=7), t, t]})
    w = time_decay_weights(touches, journeys, TimeDecay(half_life_days=7)).set_index("channel")["weight"]
    # raw weights: a = 1/4 + 1, b = 1/2; total 1.75
    assert w.to_dict() == pytest.approx({"a": 1.25 / 1.75, "b": 0.5 / 1.75})
    out = attribute_journeys(Journeys(journeys, touches), "time_decay").set_index("channel")
    assert out.loc["a", "value"] == pytest.approx(300 * 1.25 / 1.75)
    assert out["conversions"].sum() == pytest.approx(1.0)
