"""Markov chain attribution with removal effects, solved exactly on the absorbing chain.

The chain (ChannelAttribution's conventions, Altomare & Loris; removal effects as in Anderl,
Becker, von Wangenheim & Schumann 2016): a path of order ``k`` is the sequence of its windows of
``k`` consecutive touches (a path shorter than ``k`` is one state); equal consecutive states are
merged; every path goes ``(start) → states → (conversion)`` or ``(null)``, weighted by its
conversions plus non-conversions (``(conversion)`` by its conversions, ``(null)`` by its nulls).
Transition probabilities are the weighted counts normalised per state.

With ``Q`` the transitions among transient states and ``r_s`` the probability of converting
straight from state ``s``, the conversion probability from the start is ``P = [(I − Q)⁻¹ r]_start``;
the expected value uses ``r_s·m_s`` with ``m_s`` the mean value of a conversion whose last state is
``s``. Removing channel ``c`` sends every transition into a state containing ``c`` to ``(null)``:
``P₋c`` solves the same system without those states. The removal effect is ``RE_c = 1 − P₋c / P``
and channel ``c`` gets ``RE_c / Σ RE`` of the observed conversions (and likewise of the value).
ChannelAttribution estimates the same quantities by simulating paths; here they are exact, from
one sparse LU factorisation per channel (no simulation, no step limit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from scipy import sparse

from .paths import EncodedPaths


_DENSE_MAX_STATES = 400
"""Chains up to this many states (an order-1 chain has one per channel) are counted and solved dense."""


@dataclass(frozen=True)
class MarkovChain:
    """The fitted chain: ``states`` × ``channels`` membership, transitions and exits."""

    order: int
    channels: tuple[str, ...]
    contains: np.ndarray
    """(n_states, n_channels) bool: the channels in each transient state (the start state is the last row, empty)"""
    transitions: sparse.csr_matrix | np.ndarray
    """among transient states, start last; rows sum to 1 minus the exit probabilities (sparse from
    :func:`markov_chain`; dense inside :func:`removal_effects` for a small chain)"""
    to_conversion: np.ndarray
    """probability of converting straight from each state"""
    to_value: np.ndarray
    """expected value converted straight from each state (probability × mean value)"""
    labels: tuple[str, ...]
    """each state's channels joined by ``" > "``; ``(start)`` last"""

    @property
    def start(self) -> int:
        return len(self.labels) - 1


@dataclass(frozen=True)
class MarkovResult:
    order: int
    channels: tuple[str, ...]
    removal_effects: np.ndarray
    """1 − P₋c / P per channel (conversions)"""
    removal_effects_value: np.ndarray
    """the same for expected value"""
    conversion_probability: float
    expected_value: float
    conversions: np.ndarray
    """observed conversions split by ``removal_effects``"""
    value: np.ndarray
    """observed value split by ``removal_effects_value``"""
    n_states: int


def markov_chain(encoded: EncodedPaths, order: int = 1) -> MarkovChain:
    """The absorbing chain of order ``order`` built from the paths (vectorised, no loop per path)."""
    from scipy import sparse

    chain = _chain(encoded, order)
    return chain if not isinstance(chain.transitions, np.ndarray) else \
        replace(chain, transitions=sparse.csr_matrix(chain.transitions))


def _chain(encoded: EncodedPaths, order: int) -> MarkovChain:
    """:func:`markov_chain`, with ``transitions`` a dense array when there are at most :data:`_DENSE_MAX_STATES`
    states (SciPy is then not imported: its import is a tenth of a whole ``roimix attribute`` process)."""
    if order not in (1, 2, 3, 4):
        raise ValueError(f"order must be 1..4, got {order}")
    lengths = encoded.lengths
    n_paths, n_ch = encoded.n_paths, encoded.n_channels
    n_windows = np.maximum(lengths - order + 1, 1)
    total = int(n_windows.sum())
    win_path = np.repeat(np.arange(n_paths), n_windows)
    first_window = np.concatenate([[0], np.cumsum(n_windows)[:-1]])
    win_start = encoded.offsets[:-1][win_path] + np.arange(total) - np.repeat(first_window, n_windows)
    win_len = np.minimum(lengths, order)[win_path]

    # digit i of a window: its (i+1)-th channel code + 1, or 0 past the end of a short path
    codes = np.append(encoded.steps.astype(np.int64) + 1, 0)
    columns = []
    for i in range(order):
        at = win_start + i
        at[i >= win_len] = len(codes) - 1
        columns.append(codes[at])
    space = (n_ch + 1) ** order
    if space < 2**62:
        powers = (n_ch + 1) ** np.arange(order, dtype=np.int64)
        key = columns[0].copy()
        for i in range(1, order):
            key += columns[i] * powers[i]
        if space <= 1 << 24:  # small key space: a lookup table instead of a sort
            seen = np.zeros(space, dtype=bool)
            seen[key] = True
            uniq = np.flatnonzero(seen)
            lookup = np.cumsum(seen) - 1
            state = lookup[key]
        else:
            uniq, state = np.unique(key, return_inverse=True)
        state_digits = (uniq[:, None] // powers) % (n_ch + 1)
    else:  # pragma: no cover - more than ~60,000 channels at order 4
        state_digits, state = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    state = state.ravel()
    n_states = len(state_digits)
    start = n_states

    # merge equal consecutive states within a path
    new_path = np.zeros(total, dtype=bool)
    new_path[first_window] = True
    keep = new_path | np.concatenate([[True], state[1:] != state[:-1]])
    state, win_path, new_path = state[keep], win_path[keep], new_path[keep]
    is_last = np.concatenate([new_path[1:], [True]])

    weight = (encoded.conversions + encoded.nulls)[win_path]
    prev = np.where(new_path, start, np.concatenate([[start], state[:-1]]))
    n = n_states + 1
    if n <= _DENSE_MAX_STATES:  # few states: count transitions densely (no sort of the pairs) and keep them so
        counts = np.bincount(prev * n + state, weights=weight, minlength=n * n).reshape(n, n)
    else:
        from scipy import sparse

        if n * n <= 1 << 24:
            counts = sparse.csr_matrix(np.bincount(prev * n + state, weights=weight, minlength=n * n).reshape(n, n))
        else:
            counts = sparse.csr_matrix((weight, (prev, state)), shape=(n, n))
    conv_in = np.bincount(state[is_last], weights=encoded.conversions[win_path[is_last]], minlength=n)
    value_in = np.bincount(state[is_last], weights=encoded.value[win_path[is_last]], minlength=n)
    null_in = np.bincount(state[is_last], weights=encoded.nulls[win_path[is_last]], minlength=n)
    out = np.asarray(counts.sum(axis=1)).ravel() + conv_in + null_in
    scale = np.divide(1.0, out, out=np.zeros(n), where=out > 0)
    transitions = scale[:, None] * counts if isinstance(counts, np.ndarray) else (sparse.diags(scale) @ counts).tocsr()

    contains = np.zeros((n, n_ch), dtype=bool)
    rows, cols = np.nonzero(state_digits > 0)
    contains[rows, state_digits[rows, cols] - 1] = True
    names = np.array(encoded.channels + ("",), dtype=object)
    labels = tuple(
        " > ".join(str(names[d - 1]) for d in row if d > 0) for row in state_digits
    ) + ("(start)",)
    return MarkovChain(order, encoded.channels, contains, transitions, conv_in * scale, value_in * scale, labels)


def _absorb(chain: MarkovChain, keep: np.ndarray | None = None) -> tuple[float, float]:
    """(P(conversion), expected value) from the start state, using only the states in ``keep``."""
    r = np.column_stack([chain.to_conversion, chain.to_value])
    idx = np.arange(len(r)) if keep is None else np.flatnonzero(keep)
    start = int(np.searchsorted(idx, chain.start))
    if isinstance(chain.transitions, np.ndarray):  # a small chain: LAPACK
        a = np.eye(len(idx)) - chain.transitions[np.ix_(idx, idx)]
        x = np.linalg.solve(a, r[idx])
    else:
        from scipy import sparse
        from scipy.sparse.linalg import splu

        a = sparse.identity(chain.transitions.shape[0], format="csc") - chain.transitions.tocsc()
        x = splu(a[idx][:, idx].tocsc()).solve(r[idx])
    return float(x[start, 0]), float(x[start, 1])


def removal_effects(encoded: EncodedPaths, order: int = 1) -> MarkovResult:
    """Exact removal effects of every channel and the observed totals split by them."""
    chain = _chain(encoded, order)
    p, v = _absorb(chain)
    n_ch = encoded.n_channels
    re, re_value = np.zeros(n_ch), np.zeros(n_ch)
    for c in range(n_ch):
        if p <= 0 and v <= 0:
            break
        p_c, v_c = _absorb(chain, ~chain.contains[:, c])
        re[c] = 1.0 - p_c / p if p > 0 else 0.0
        re_value[c] = 1.0 - v_c / v if v > 0 else 0.0
    re, re_value = np.clip(re, 0.0, None), np.clip(re_value, 0.0, None)
    conversions = _split(encoded.conversions.sum(), re)
    value = _split(encoded.value.sum(), re_value)
    return MarkovResult(order, encoded.channels, re, re_value, p, v, conversions, value, len(chain.labels) - 1)


def _split(total: float, weights: np.ndarray) -> np.ndarray:
    s = weights.sum()
    return total * weights / s if s > 0 else np.zeros_like(weights)


def path_weights(encoded: EncodedPaths, result: MarkovResult) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Each path's conversion and value split among its own channels in proportion to their removal
    effects (equally if they are all zero): (conversion weights, value weights), paths × channels.

    Summed over paths these do not reproduce the global split; :func:`attribution.credit.credit_by_day`
    rakes them to it.
    """
    from scipy import sparse

    present = sparse.csr_matrix((np.ones(len(encoded.steps)), (encoded.row, encoded.steps)),
                                shape=(encoded.n_paths, encoded.n_channels))
    present.data[:] = 1.0
    out = []
    for re in (result.removal_effects, result.removal_effects_value):
        w = present.multiply(re[None, :]).tocsr()
        rowsum = np.asarray(w.sum(axis=1)).ravel()
        flat = rowsum <= 0
        w = sparse.diags(np.divide(1.0, rowsum, out=np.zeros_like(rowsum), where=~flat)) @ w
        if flat.any():
            counts = np.asarray(present.sum(axis=1)).ravel()
            w = w + sparse.diags(np.where(flat, 1.0 / np.maximum(counts, 1), 0.0)) @ present
        out.append(w.tocsr())
    return out[0], out[1]


def transition_table(chain: MarkovChain) -> pd.DataFrame:
    """The chain as a table: state_from, state_to, probability (including exits to ``(conversion)``/``(null)``)."""
    import pandas as pd

    t = chain.transitions.tocoo()
    labels = np.array(chain.labels, dtype=object)
    frame = pd.DataFrame({"state_from": labels[t.row], "state_to": labels[t.col], "probability": t.data})
    exits = 1.0 - np.asarray(chain.transitions.sum(axis=1)).ravel() - chain.to_conversion
    extra = pd.DataFrame({
        "state_from": np.concatenate([labels, labels]),
        "state_to": ["(conversion)"] * len(labels) + ["(null)"] * len(labels),
        "probability": np.concatenate([chain.to_conversion, np.clip(exits, 0, None)]),
    })
    extra = extra[extra["probability"] > 1e-15]
    return pd.concat([frame, extra], ignore_index=True)


__all__ = ["MarkovChain", "MarkovResult", "markov_chain", "path_weights", "removal_effects", "transition_table"]
