"""The levels' bounded least squares (``response.solve.solve_levels``) against solvers no one here wrote.

``solve_levels`` projects the free baseline out and solves non-negative least squares on the levels
(Lawson–Hanson); the same problem over [β, a] with a ≥ 0 is solved here by scipy's bounded-variable least
squares and by cvxpy with Clarabel. Random designs, priors, lift tests and held-out folds — among them folds
that leave a baseline column with no data (an event that falls in the held-out block), where only the
minimum-norm baseline is defined.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import lsq_linear

from dataclasses import replace

from response.solve import BaselineBasis, LevelProblem, least_squares_system, solve_levels


def _problem(seed: int, n: int, p: int, m: int, with_prior: bool, with_lift: bool, empty_column: bool):
    rng = np.random.default_rng(seed)
    z = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    if empty_column:  # an event dummy on the last block only
        z[:, -1] = 0.0
        z[-max(n // 5, 1):, -1] = 1.0
    H = rng.gamma(2.0, 1.0, size=(n, m)) * rng.uniform(0.1, 100.0, size=m)
    truth = np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0.0, 2.0, m))  # some levels at the bound
    y = z @ rng.normal(size=p) * 50 + H @ truth + rng.normal(scale=5.0, size=n)
    prior = np.where(rng.random(m) < 0.5, rng.uniform(0.1, 3.0, m), np.nan) if with_prior else np.full(m, np.nan)
    lift = np.array([[0, H[:, 0].sum() / 10, truth[0] * H[:, 0].sum() / 10, 3.0]]) if with_lift else None
    rows = np.ones(n, dtype=bool)
    return LevelProblem(z, y, rows, H, 25.0, prior, lift, 0.5)


def _reference(problem: LevelProblem, train: np.ndarray):
    A, b = least_squares_system(problem, train)
    p = problem.z.shape[1]
    return A, b, p


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(20, 120), p=st.integers(2, 9), m=st.integers(1, 12),
       with_prior=st.booleans(), with_lift=st.booleans(), empty_column=st.booleans())
def test_the_levels_are_the_bounded_least_squares_optimum(seed, n, p, m, with_prior, with_lift, empty_column):
    # the levels are unique only with more training rows than unknowns (hypothesis found seed 0, n 20, p 8, m 10:
    # 16 rows for 18 unknowns, where both solvers reach the same objective with different levels)
    assume(n - max(n // 5, 1) >= p + m)
    problem = _problem(seed, n, p, m, with_prior, with_lift, empty_column)
    train = problem.rows.copy()
    train[-max(n // 5, 1):] = False  # the held-out block (where the event column lives when it is empty)
    x = solve_levels(problem, train)
    A, b, p = _reference(problem, train)
    assert x.shape == (A.shape[1],) and np.all(x[p:] >= 0)
    scale = np.maximum(np.abs(A).max(axis=0), 1e-12)
    lower = np.concatenate([np.full(p, -np.inf), np.zeros(A.shape[1] - p)])
    bvls = lsq_linear(A / scale, b, bounds=(lower, np.inf), method="bvls", tol=1e-12).x / scale
    sse = lambda v: float(np.sum((A @ v - b) ** 2))  # noqa: E731
    # the same optimum: the objective to rounding, the levels (unique here: H has full column rank) closely
    assert sse(x) <= sse(bvls) * (1 + 1e-9) + 1e-9
    np.testing.assert_allclose(x[p:], bvls[p:], rtol=1e-6, atol=1e-8 * max(1.0, np.abs(bvls[p:]).max()))
    # and the baseline is the minimum-norm one: 0 on a column that has no data in the training rows
    if empty_column:
        assert x[p - 1] == 0.0
    # a second, unrelated solver (interior point): the same objective
    v = cp.Variable(A.shape[1])
    cp.Problem(cp.Minimize(cp.sum_squares((A / scale) @ v - b)), [v[p:] >= 0]).solve(solver="CLARABEL")
    assert sse(x) <= sse(v.value / scale) * (1 + 1e-7) + 1e-7


def test_when_lawson_hanson_stops_at_its_limit_the_same_optimum_comes_from_bvls(monkeypatch):
    """scipy's nnls raises at its iteration limit; the levels then come from BVLS on the same projected problem."""
    import response.solve as solve

    problem = _problem(3, 80, 4, 6, True, True, True)
    train = problem.rows.copy()
    train[-16:] = False
    expected = solve_levels(problem, train)

    def stalled(A, b, maxiter=None):
        raise RuntimeError("Maximum number of iterations reached.")

    monkeypatch.setattr(solve, "nnls", stalled)
    np.testing.assert_allclose(solve_levels(problem, train), expected, rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(20, 80), p=st.integers(2, 6), m=st.integers(1, 8),
       with_prior=st.booleans(), with_lift=st.booleans(), empty_column=st.booleans())
def test_the_system_rows_are_the_documented_pseudo_observations(seed, n, p, m, with_prior, with_lift, empty_column):
    """Brute force, row by row: the outcome's training rows [z, H] and y, then per column with a positive prior
    the row w·e_j with b = w·a_prior (w = σ / (r·a_prior)), then per lift test the row (σ/se)·u·e_j with
    b = (σ/se)·v, in that order."""
    problem = _problem(seed, n, p, m, with_prior, with_lift, empty_column)
    train = problem.rows.copy()
    train[: n // 4] = False
    A, b = least_squares_system(problem, train)
    rows_A, rows_b = [list(r) for r in np.hstack([problem.z[train], problem.H[train]])], list(problem.y[train])
    sigma = np.sqrt(problem.sigma2)
    for j in range(m):
        a = problem.prior_a[j]
        if np.isfinite(a) and a > 0:
            w = sigma / (problem.prior_sd * a)
            rows_A.append([w if c == p + j else 0.0 for c in range(p + m)])
            rows_b.append(w * a)
    for j, unit, value, se in (problem.lift_units if problem.lift_units is not None else []):
        rows_A.append([sigma / se * unit if c == p + int(j) else 0.0 for c in range(p + m)])
        rows_b.append(sigma / se * value)
    np.testing.assert_allclose(A, np.array(rows_A), rtol=1e-15, atol=0)
    np.testing.assert_allclose(b, np.array(rows_b), rtol=1e-15, atol=0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(30, 100), p=st.integers(2, 8), m=st.integers(1, 10),
       with_prior=st.booleans(), with_lift=st.booleans(), empty_column=st.booleans())
def test_a_shared_baseline_basis_gives_the_same_levels_to_the_bit(seed, n, p, m, with_prior, with_lift, empty_column):
    """The baseline's SVD kept per training mask (the shape search's tens of thousands of solves share it) gives
    exactly the levels of the SVD computed afresh, on first use and on reuse; a basis made for another baseline is
    not used."""
    bare = _problem(seed, n, p, m, with_prior, with_lift, empty_column)
    shared = replace(bare, basis=BaselineBasis(bare.z))
    elsewhere = _problem(seed + 1, n, p, m, with_prior, with_lift, empty_column)  # another baseline, same shape
    other = BaselineBasis(elsewhere.z)
    folds = np.array_split(np.arange(n), 4)
    for _ in range(2):  # the second pass reuses every kept factorisation
        for test in folds:
            train = bare.rows.copy()
            train[test] = False
            fresh = solve_levels(bare, train)
            assert np.array_equal(solve_levels(shared, train), fresh)
            solve_levels(replace(elsewhere, basis=other), train)  # fills ``other`` for this mask
            assert np.array_equal(solve_levels(replace(bare, basis=other), train), fresh)
    assert len(shared.basis._by_train) == len(other._by_train) == len(folds)
