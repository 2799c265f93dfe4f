"""Shapley values: exact enumeration equals the average over all orderings; sampling is unbiased
within its stated standard error and always efficient."""

from __future__ import annotations

import itertools
import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from attribution.shapley import membership, shapley, shapley_exact, shapley_sampled, subset_sums


def by_orderings(v: np.ndarray, m: int) -> np.ndarray:
    """Brute force: the mean marginal contribution over all m! orderings."""
    phi = np.zeros(m)
    for order in itertools.permutations(range(m)):
        mask = 0
        for player in order:
            phi[player] += v[mask | (1 << player)] - v[mask]
            mask |= 1 << player
    return phi / math.factorial(m)


@st.composite
def games(draw):
    m = draw(st.integers(1, 8))
    values = draw(st.lists(st.floats(-100, 100, allow_nan=False), min_size=1 << m, max_size=1 << m))
    return m, np.array(values)


@settings(max_examples=40, deadline=None)
@given(games())
def test_exact_equals_all_orderings(game):
    m, v = game
    phi = shapley_exact(v)
    np.testing.assert_allclose(phi, by_orderings(v, m), rtol=1e-9, atol=1e-9)
    assert phi.sum() == pytest.approx(v[-1] - v[0], abs=1e-9)


def test_batches_are_independent_games():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(3, 2, 1 << 5))
    phi = shapley_exact(v)
    assert phi.shape == (3, 2, 5)
    np.testing.assert_allclose(phi[2, 1], by_orderings(v[2, 1], 5))


def test_known_games():
    # additive game: each player's own value
    a = np.array([1.0, 2.0, 4.0, 8.0])
    additive = membership(4) @ a
    np.testing.assert_allclose(shapley_exact(additive), a)
    # unanimity game of players {0, 2}: 1/2 each, nothing to the others
    unanimity = (membership(4)[:, 0] & membership(4)[:, 2]).astype(float)
    np.testing.assert_allclose(shapley_exact(unanimity), [0.5, 0, 0.5, 0])


def test_sampled_is_efficient_and_within_its_standard_error():
    rng = np.random.default_rng(1)
    a = rng.random(12)

    def value(masks):  # a noisy-OR game, as the incremental model's
        return -np.expm1(-(masks @ a))

    exact = shapley(value, 12)
    assert exact.exact and exact.values.sum() == pytest.approx(value(np.ones((1, 12), bool))[0])
    sampled = shapley(value, 12, exact_max=8, n_permutations=3000, seed=5)
    assert not sampled.exact and sampled.n_permutations == 3000
    assert sampled.values.sum() == pytest.approx(exact.values.sum(), abs=1e-12)
    z = (sampled.values - exact.values) / sampled.standard_error
    assert np.abs(z).max() < 4.5
    # more orderings, smaller error
    more = shapley_sampled(value, 12, n_permutations=12000, seed=5)
    assert more.standard_error.mean() < 0.6 * sampled.standard_error.mean()


def test_exact_handles_sixteen_players():
    rng = np.random.default_rng(2)
    a = rng.random(16)
    res = shapley(lambda masks: -np.expm1(-(masks @ a)), 16)
    assert res.exact
    assert res.values.sum() == pytest.approx(-np.expm1(-a.sum()), abs=1e-12)
    # symmetric players get equal values
    a[3] = a[7]
    res = shapley(lambda masks: -np.expm1(-(masks @ a)), 16)
    assert res.values[3] == pytest.approx(res.values[7], abs=1e-14)


def test_subset_sums_follow_the_bit_masks():
    a = np.array([[1.0, 10.0, 100.0], [2.0, 0.0, 5.0]])
    np.testing.assert_allclose(subset_sums(a), a @ membership(3).T.astype(float))
