"""Money rounded to the fen so that totals equal the sum of their rows exactly (largest remainder).

Each amount ``v`` (yuan) becomes ``⌊100·v⌋`` fen; the fen still missing to reach the total
(the total rounded to the fen) go one each to the rows with the largest remainders
``100·v − ⌊100·v⌋`` (earlier rows first on ties). Every row then moves by less than one fen and
the rows add up to the total exactly. Sums of rounded rows (per channel, per phase) are sums of
integers, so every level of a report adds up too.
"""

from __future__ import annotations

import math

import numpy as np

MAX_YUAN = 1e13
"""Amounts beyond this lose fen precision in floating point."""


def to_fen(values, total: float | None = None) -> np.ndarray:
    """Whole fen (int64) per row, summing to ``total`` (yuan, rounded to the fen; default the rows' sum,
    when every row moves by less than a fen).

    A given ``total`` must lie in ``[Σ⌊100·v⌋, Σ⌊100·v⌋ + n]`` fen, so that no row moves by more than
    one fen; otherwise, and for non-finite amounts or amounts beyond :data:`MAX_YUAN`, ``ValueError``.
    """
    v = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(v)):
        raise ValueError("amounts to round must be finite numbers")
    if np.any(np.abs(v) > MAX_YUAN):
        raise ValueError(f"amounts beyond ¥{MAX_YUAN:.0e} cannot be rounded to the fen exactly")
    cents = np.round(v * 100.0, 6)
    base = np.floor(cents)
    remainder = cents - base
    base = base.astype(np.int64)
    target = math.floor((float(np.sum(cents)) if total is None else float(total) * 100.0) + 0.5)  # half up
    missing = target - int(base.sum())
    if not 0 <= missing <= len(v):
        raise ValueError(f"total ¥{target / 100:,.2f} differs from the rows' sum ¥{cents.sum() / 100:,.2f} by more "
                         f"than rounding {len(v)} rows to the fen can absorb")
    if missing:
        order = np.argsort(-remainder, kind="stable")
        base[order[:missing]] += 1
    return base


def round_to_fen(values, total: float | None = None) -> np.ndarray:
    """Yuan rounded to the fen (:func:`to_fen` / 100)."""
    return to_fen(values, total) / 100.0
