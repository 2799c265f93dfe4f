"""What every world shares: the :class:`World` it returns, exact Shapley values from subset values,
and the aggregation of users' touch sequences into ChannelAttribution's paths format.

**Truth.** A user with covariates ``z`` and an exposure schedule whose credited (non-organic)
channels are ``S`` converts with probability ``p(S | z)``; removing channels removes their touches
and leaves every other touch where it was. The user's game is ``v(T) = p(T ∩ S | z) − p(∅ | z)``
over the credited channels; its Shapley values ``φ_c`` (Shapley 1953) sum to ``p(S|z) − p(∅|z)``.
A world's true incremental conversions of ``c`` are ``Σ_users φ_c``, its true baseline conversions
``Σ_users p(∅|z)``: expectations given the realised exposures (no Monte-Carlo error unless a world
says otherwise). Organic channels cannot be removed: they are part of the baseline, true share 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial

import numpy as np
import pandas as pd

SEPARATOR = " > "
NO_TOUCH = "(none)"
"""path of a user without any touch (as ``attribution.journeys`` writes it)"""
PATH_COLUMNS = ("path", "total_conversions", "total_conversion_value", "total_null")


@dataclass(frozen=True)
class World:
    """One generated world: its paths, its channels table and its truth."""

    name: str
    seed: int
    n_users: int
    paths: pd.DataFrame
    """path, total_conversions, total_conversion_value, total_null (ChannelAttribution's format);
    ``(none)`` holds the users without a touch"""
    channels: pd.DataFrame
    """channel, group (``organic`` channels have no causal effect and are never credited)"""
    true_conversions: dict[str, float]
    """expected incremental conversions per credited channel"""
    true_baseline: float
    """expected conversions without any credited channel"""
    truth_note: str = "exact (expectation given the realised exposures)"
    truth_share_se: dict[str, float] = field(default_factory=dict)
    """Monte-Carlo standard error of each true share, where the truth is simulated"""
    alt_truth: dict[str, dict[str, float]] = field(default_factory=dict)
    """other stated truths (name → shares per credited channel), e.g. a Markov chain's removal effects"""

    @property
    def organic(self) -> tuple[str, ...]:
        return tuple(self.channels.loc[self.channels["group"] == "organic", "channel"])

    @property
    def truth_share(self) -> dict[str, float]:
        """Each credited channel's share of the incremental conversions (empty if there are none)."""
        total = sum(self.true_conversions.values())
        if total <= 1e-12 * max(self.true_baseline, 1.0):
            return {}
        return {c: v / total for c, v in self.true_conversions.items()}

    @property
    def baseline_share(self) -> float:
        """True share of all (expected) conversions that happen without any credited channel."""
        return self.true_baseline / (self.true_baseline + sum(self.true_conversions.values()))

    @property
    def n_conversions(self) -> float:
        return float(self.paths["total_conversions"].sum())


# --- Shapley values ----------------------------------------------------------------------------------


def subset_masks(k: int) -> np.ndarray:
    """(2^k, k) bool: row ``m`` holds the players of subset ``m`` (bit ``j`` of ``m`` is player ``j``)."""
    m = np.arange(1 << k)
    return ((m[:, None] >> np.arange(k)) & 1).astype(bool)


def shapley_from_subsets(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values of games given by their subset values.

    ``values``: (n, 2^k), column ``m`` = v(subset with bitmask m); returns (n, k). Uses
    ``φ_j = Σ_{T ∌ j} |T|!(k−|T|−1)!/k! · (v(T ∪ j) − v(T))``.
    """
    values = np.asarray(values, dtype=float)
    n_sub = values.shape[1]
    k = n_sub.bit_length() - 1
    if 1 << k != n_sub:
        raise ValueError(f"need 2^k subset values, got {n_sub}")
    masks = subset_masks(k)
    sizes = masks.sum(axis=1)
    weight = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) if s < k else 0.0 for s in sizes])
    out = np.empty((values.shape[0], k))
    for j in range(k):
        without = np.flatnonzero(~masks[:, j])
        out[:, j] = (values[:, without | (1 << j)] - values[:, without]) @ weight[without]
    return out


def shapley_per_user(prob_of_subset, k: int, n_users: int, chunk: int = 100_000) -> tuple[np.ndarray, float]:
    """Σ over users of the Shapley values of ``v(T) = p(T) − p(∅)`` and Σ p(∅).

    ``prob_of_subset(rows, mask)``: conversion probability of users ``rows`` (a slice) when only the
    credited channels in ``mask`` (bool, k) keep their touches."""
    masks = subset_masks(k)
    total = np.zeros(k)
    baseline = 0.0
    for start in range(0, n_users, chunk):
        rows = slice(start, min(start + chunk, n_users))
        values = np.column_stack([prob_of_subset(rows, masks[m]) for m in range(len(masks))])
        baseline += values[:, 0].sum()
        total += shapley_from_subsets(values - values[:, :1]).sum(axis=0)
    return total, baseline


# --- paths -------------------------------------------------------------------------------------------


def paths_table(codes: np.ndarray, names: tuple[str, ...], converted: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """ChannelAttribution's paths table from users' touch sequences.

    ``codes``: (users, max length) int, channel index per touch in time order, ``-1`` after the
    last touch; ``converted`` bool per user; ``value`` per user (used where converted)."""
    codes = np.ascontiguousarray(codes, dtype=np.int8)
    if codes.shape[1] == 0:
        codes = np.full((len(converted), 1), -1, dtype=np.int8)
    keys = codes.view(np.dtype((np.void, codes.shape[1])))[:, 0]
    uniq, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.ravel()
    conv = np.bincount(inverse, weights=converted.astype(float), minlength=len(uniq)).astype(np.int64)
    val = np.bincount(inverse, weights=np.where(converted, value, 0.0), minlength=len(uniq))
    users = np.bincount(inverse, minlength=len(uniq))
    rows = np.frombuffer(uniq.tobytes(), dtype=np.int8).reshape(len(uniq), codes.shape[1])
    text = [SEPARATOR.join(names[c] for c in row if c >= 0) or NO_TOUCH for row in rows]
    return pd.DataFrame({"path": text, "total_conversions": conv, "total_conversion_value": val,
                         "total_null": users - conv})


def sorted_touches(channel: np.ndarray, time: np.ndarray, user: np.ndarray, n_users: int,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Touches (flat arrays) → (codes, times) padded matrices, each user's touches in time order."""
    order = np.lexsort((time, user))
    user, channel, time = user[order], channel[order], time[order]
    counts = np.bincount(user, minlength=n_users)
    width = int(counts.max()) if len(counts) and counts.max() > 0 else 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(user)) - starts[user]
    codes = np.full((n_users, width), -1, dtype=np.int8)
    times = np.full((n_users, width), np.nan)
    codes[user, pos] = channel
    times[user, pos] = time
    return codes, times


def channels_frame(groups: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"channel": list(groups), "group": list(groups.values())})
