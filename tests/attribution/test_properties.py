"""Properties every model must have, on random path tables: totals conserved (efficiency), zero for a
channel that never appears, channels with swapped roles swap credit (symmetry), invariance to row
order and to splitting a row, determinism."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from attribution import BASELINE, attribute
from attribution.models import Incremental

RULES = ["first_touch", "last_touch", "last_non_direct", "linear", "position_based", "markov_1", "markov_2"]
INCREMENTAL = Incremental(recency_decay=0.5)
NAMES = ["kol", "ads", "feed", "direct"]
CHANNELS = pd.DataFrame({"channel": NAMES + ["never"], "group": ["KOL", "paid", "content", "organic", "paid"]})
MANY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""the incremental model fits a likelihood per example: fewer examples"""


@st.composite
def tables(draw):
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        steps = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6))
        conv = draw(st.integers(0, 30))
        rows.append((" > ".join(steps), conv, float(draw(st.integers(1, 900))) * conv, draw(st.integers(0, 60))))
    frame = pd.DataFrame(rows, columns=["path", "conversions", "value", "nulls"])
    frame.loc[0, ["conversions", "value"]] = [max(frame.loc[0, "conversions"], 1), max(frame.loc[0, "value"], 5.0)]
    return frame


def credit(frame, model, channels=CHANNELS):
    return attribute(frame, model, channels=channels).set_index("channel")[["conversions", "value"]]


def check_efficiency_and_null_channel(model, frame):
    got = credit(frame, model)
    assert got["conversions"].sum() == pytest.approx(frame["conversions"].sum(), rel=1e-9)
    assert got["value"].sum() == pytest.approx(frame["value"].sum(), rel=1e-9)
    assert (got.loc["never"] == 0).all()
    absent = set(NAMES) - {s.strip() for p in frame["path"] for s in p.split(">")}
    for ch in absent:
        assert (got.loc[ch] == 0).all()
    assert (got["conversions"] >= -1e-9).all()


def check_row_order_and_split_rows(model, frame, seed):
    shuffled = frame.sample(frac=1.0, random_state=seed)
    first = shuffled.iloc[[0]]  # split the first row in two rows with the same path
    half = first.assign(conversions=first["conversions"] // 2, value=first["value"] / 2, nulls=first["nulls"] // 2)
    rest = first.assign(conversions=first["conversions"] - half["conversions"], value=first["value"] / 2,
                        nulls=first["nulls"] - half["nulls"])
    split = pd.concat([half, shuffled.iloc[1:], rest], ignore_index=True)
    a = credit(frame, model)
    pd.testing.assert_frame_equal(a, credit(shuffled, model))
    pd.testing.assert_frame_equal(a, credit(split, model), rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(a, credit(frame, model))  # deterministic


def check_swapped_roles(model, frame):
    """Renaming kol ↔ ads everywhere swaps their credit (both given the same group)."""
    swap = {"kol": "ads", "ads": "kol"}
    renamed = frame.assign(path=frame["path"].map(lambda p: " > ".join(swap.get(s, s) for s in p.split(" > "))))
    channels = CHANNELS.assign(group=CHANNELS["group"].replace({"KOL": "paid"}))
    a, b = credit(frame, model, channels), credit(renamed, model, channels)
    rel = 1e-9 if isinstance(model, str) else 1e-5  # the incremental fit converges to ~1e-7
    for x, y in (("kol", "ads"), ("ads", "kol"), ("feed", "feed"), ("direct", "direct")):
        np.testing.assert_allclose(a.loc[x].to_numpy(), b.loc[y].to_numpy(), rtol=rel,
                                   atol=rel * 1e-2 * (frame["value"].sum() + 1))
    if BASELINE in a.index:
        np.testing.assert_allclose(a.loc[BASELINE].to_numpy(), b.loc[BASELINE].to_numpy(), rtol=rel, atol=rel)


@pytest.mark.parametrize("model", RULES)
@MANY
@given(frame=tables())
def test_efficiency_and_null_channel(model, frame):
    check_efficiency_and_null_channel(model, frame)


@FEW
@given(frame=tables())
def test_efficiency_and_null_channel_incremental(frame):
    check_efficiency_and_null_channel(INCREMENTAL, frame)


@pytest.mark.parametrize("model", RULES)
@MANY
@given(frame=tables(), seed=st.integers(0, 1000))
def test_row_order_and_split_rows_do_not_matter(model, frame, seed):
    check_row_order_and_split_rows(model, frame, seed)


@FEW
@given(frame=tables(), seed=st.integers(0, 1000))
def test_row_order_and_split_rows_do_not_matter_incremental(frame, seed):
    check_row_order_and_split_rows(INCREMENTAL, frame, seed)


@pytest.mark.parametrize("model", RULES)
@MANY
@given(frame=tables())
def test_swapped_roles_swap_credit(model, frame):
    check_swapped_roles(model, frame)


@FEW
@given(frame=tables())
def test_swapped_roles_swap_credit_incremental(frame):
    check_swapped_roles(INCREMENTAL, frame)
