"""Largest-remainder rounding to the fen: rows sum to the total exactly, each row moves by less than a fen."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roimix.export.rounding import round_to_fen, to_fen

amounts = st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False), min_size=1,
                   max_size=200)


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_rows_add_up_to_the_rounded_total_and_move_less_than_a_fen(values):
    fen = to_fen(values)
    v = np.asarray(values)
    # the stated rule: the rows' sum rounded half up (162.5 fen → 163; Python's round() would give 162)
    assert int(fen.sum()) == math.floor(float(np.sum(np.round(v * 100, 6))) + 0.5)
    assert np.all(np.abs(fen - v * 100) < 1 + 1e-6 * np.maximum(1, np.abs(v)))


@settings(max_examples=200, deadline=None)
@given(amounts, st.floats(min_value=0.0, max_value=1.0))
def test_an_explicit_total_within_reach_is_met_exactly(values, where):
    v = np.asarray(values)
    low = int(np.floor(np.round(v * 100, 6)).sum())  # every row rounded down, in fen
    target = low + int(round(where * len(v)))  # anything up to every row rounded up
    fen = to_fen(v, target / 100)
    assert int(fen.sum()) == target
    assert np.all(np.abs(fen - v * 100) <= 1 + 1e-6 * np.maximum(1, np.abs(v)))
    # as decimal text (what CSV and JSON hold) the rows add up exactly too
    assert sum(Decimal(f"{x:.2f}") for x in round_to_fen(v, target / 100)) == Decimal(target) / 100


def test_an_exact_half_fen_rounds_up():
    assert to_fen([1.625]).tolist() == [163]  # hypothesis found it: ¥1.625 is 162.5 fen exactly


def test_largest_remainders_get_the_missing_fen():
    # three thirds of ¥1: 33.33… fen each, one fen missing, goes to the first of the tied rows
    assert list(to_fen([1 / 3, 1 / 3, 1 / 3], 1.0)) == [34, 33, 33]
    assert list(to_fen([0.014, 0.016, 0.004])) == [1, 2, 0]  # 3.4 fen in all: the 0.6 remainder wins
    assert to_fen([0.29]).tolist() == [29]  # 0.29 × 100 is 28.999… in floating point


def test_a_total_out_of_reach_and_bad_amounts_are_refused():
    with pytest.raises(ValueError, match="differs from the rows' sum"):
        to_fen([1.0, 2.0], 3.05)
    with pytest.raises(ValueError, match="finite"):
        to_fen([1.0, float("nan")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=10.0, max_value=5e4), min_size=2, max_size=60),
       st.lists(st.floats(min_value=1e-4, max_value=0.3), min_size=1, max_size=5))
def test_a_solvers_residue_is_written_as_nothing_and_the_budget_still_adds_up(budgets, residues):
    """A plan's spend under one millionth of its total (an interior-point solver's approach to 0) is exported as ¥0,
    not as a daily budget of a fen or two; the largest row takes it, so the rows still add up to the budget to the
    fen, and every other row moves by less than a fen."""
    from roimix.export.finance import SOLVER_RESIDUE_SHARE, _spend_fen

    spend = np.array(budgets + [1e6] + residues)  # a ¥1,000,000 row keeps every residue under the share
    n = len(budgets)
    level = round(float(spend.sum()), 2)
    fen = _spend_fen(spend, level, "eq")
    assert int(fen.sum()) == round(level * 100)
    assert (fen[n + 1:] == 0).all() and (spend[n + 1:] < SOLVER_RESIDUE_SHARE * spend.sum()).all()
    assert np.all(np.abs(fen[:n] - spend[:n] * 100) < 1 + 1e-6)
    assert abs(fen[n] - (spend[n] + spend[n + 1:].sum()) * 100) < 1 + 1e-6
