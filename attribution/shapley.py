"""Shapley values of a game given by its value function over subsets of ``m`` players.

Shapley (1953): ``φ_i = Σ_{T ⊆ N∖{i}} |T|!(m−|T|−1)!/m! · (v(T ∪ {i}) − v(T))``, the mean marginal
contribution of ``i`` over all orderings of the players. It is the only split of ``v(N) − v(∅)``
that is efficient (sums to it), symmetric, additive and gives a null player zero.

* :func:`shapley_exact` evaluates the sum above on a table of all ``2^m`` subset values with
  vectorised bit-slicing: ``O(m·2^m)`` per game, over a batch of games at once. Subsets are bit
  masks: bit ``i`` of the index is player ``i``.
* :func:`shapley_sampled` averages marginal contributions over random orderings (Castro, Gómez &
  Tejada 2009); each ordering's contributions add up to ``v(N) − v(∅)`` exactly, so the estimate is
  efficient too, and its standard error per player is reported.
* :func:`shapley` picks exact enumeration up to ``exact_max`` players and sampling beyond.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from math import comb

import numpy as np

ValueFunction = Callable[[np.ndarray], np.ndarray]
"""Maps a bool array of coalitions ``(k, m)`` to their values ``(k,)``."""


@dataclass(frozen=True)
class ShapleyResult:
    values: np.ndarray
    """φ per player"""
    standard_error: np.ndarray
    """per player; zeros when exact"""
    exact: bool
    n_permutations: int = 0


@lru_cache(maxsize=32)
def membership(m: int) -> np.ndarray:
    """``(2^m, m)`` bool: row ``s`` says which players are in subset ``s``. Read-only."""
    masks = np.arange(1 << m, dtype=np.int64)
    out = ((masks[:, None] >> np.arange(m)) & 1).astype(bool)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=32)
def _marginal_weights(m: int) -> tuple[np.ndarray, ...]:
    """Per player ``i``: the Shapley weight of each subset without ``i``, in bit-slice layout."""
    sizes = membership(m).sum(axis=1)
    w_of_size = np.array([1.0 / (m * comb(m - 1, s)) for s in range(m)] + [0.0])
    out = []
    for i in range(m):
        w = w_of_size[sizes.reshape(1 << (m - 1 - i), 2, 1 << i)[:, 0, :]]
        w.setflags(write=False)
        out.append(w)
    return tuple(out)


def subset_sums(a: np.ndarray) -> np.ndarray:
    """``out[..., s] = Σ_{i ∈ s} a[..., i]`` for every subset bit mask ``s`` (by doubling, ``O(2^m)``)."""
    a = np.asarray(a, dtype=float)
    out = np.zeros((*a.shape[:-1], 1))
    for i in range(a.shape[-1]):
        out = np.concatenate([out, out + a[..., i:i + 1]], axis=-1)
    return out


def shapley_exact(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values from subset values ``values[..., s]`` (``2^m`` on the last axis, bit masks);
    returns ``[..., m]``. Leading axes are a batch of independent games."""
    v = np.asarray(values, dtype=float)
    size = v.shape[-1]
    m = size.bit_length() - 1
    if size != 1 << m:
        raise ValueError(f"the last axis must hold 2^m subset values, got {size}")
    batch = v.shape[:-1]
    out = np.empty((*batch, m))
    weights = _marginal_weights(m)
    for i in range(m):
        sliced = v.reshape(*batch, 1 << (m - 1 - i), 2, 1 << i)
        gain = sliced[..., 1, :] - sliced[..., 0, :]
        out[..., i] = (gain * weights[i]).sum(axis=(-2, -1))
    return out


def shapley_sampled(value: ValueFunction, m: int, *, n_permutations: int = 2000, seed: int = 0) -> ShapleyResult:
    """Shapley values estimated from ``n_permutations`` random orderings, with standard errors."""
    if n_permutations < 2:
        raise ValueError("n_permutations must be at least 2")
    rng = np.random.default_rng(seed)
    perms = rng.permuted(np.tile(np.arange(m), (n_permutations, 1)), axis=1)
    # coalitions: the first k players of each ordering, k = 0..m
    rank = np.empty_like(perms)
    rank[np.arange(n_permutations)[:, None], perms] = np.arange(m)
    coalitions = rank[:, None, :] < np.arange(m + 1)[None, :, None]  # (R, m+1, m)
    v = np.asarray(value(coalitions.reshape(-1, m)), dtype=float).reshape(n_permutations, m + 1)
    gains = np.diff(v, axis=1)  # gain of the k-th player of each ordering
    per_player = np.empty((n_permutations, m))
    per_player[np.arange(n_permutations)[:, None], perms] = gains
    mean = per_player.mean(axis=0)
    se = per_player.std(axis=0, ddof=1) / np.sqrt(n_permutations)
    return ShapleyResult(mean, se, exact=False, n_permutations=n_permutations)


def shapley(value: ValueFunction, m: int, *, exact_max: int = 16, n_permutations: int = 2000,
            seed: int = 0) -> ShapleyResult:
    """Exact Shapley values up to ``exact_max`` players, sampled (with standard errors) beyond."""
    if m == 0:
        return ShapleyResult(np.zeros(0), np.zeros(0), exact=True)
    if m <= exact_max:
        phi = shapley_exact(np.asarray(value(membership(m)), dtype=float))
        return ShapleyResult(phi, np.zeros(m), exact=True)
    return shapley_sampled(value, m, n_permutations=n_permutations, seed=seed)


__all__ = ["ShapleyResult", "ValueFunction", "membership", "shapley", "shapley_exact", "shapley_sampled",
           "subset_sums"]
