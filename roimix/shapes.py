"""Ground shapes shared by fitting (:mod:`response`) and planning (:mod:`optimizer`): the unit response
shapes ``g(z)`` of the curve families with their slopes, and the geometric carry-over kernel.

Both libraries import these from here and never from each other (the fit used to import the optimizer, and
with it cvxpy, for two numpy functions; the campaign planner imported the fit's lag module for its kernel).
The family table and the meaning of ``z = x / k`` are in :mod:`optimizer.curves`.
"""

from __future__ import annotations

import numpy as np

FAMILIES = ("exp", "mm", "log", "power", "hill")
"""The curve families a curves table may name."""
GROUPS = ("exp", "mm", "log", "power", "hill_concave", "hill_s")
"""Internal groups, in the order cells are laid out inside the optimisation problem."""


# --- unit shapes g(z) and their slopes ------------------------------------------------------------


def shape_value(group: str, z: np.ndarray, s: np.ndarray | float = 1.0) -> np.ndarray:
    """``g(z)`` of an internal group (``hill_s`` gives the true S-curve, not its envelope)."""
    z = np.maximum(np.asarray(z, dtype=float), 0.0)
    if group == "exp":
        return -np.expm1(-z)
    if group == "mm":
        return z / (1.0 + z)
    if group == "log":
        return np.log1p(z)
    if group == "power":
        return z**s
    if group in ("hill_concave", "hill_s"):
        zs = z**s
        return zs / (1.0 + zs)
    raise ValueError(f"unknown curve group {group!r}")


def shape_slope(group: str, z: np.ndarray, s: np.ndarray | float = 1.0) -> np.ndarray:
    """``g'(z)`` (``inf`` at ``z = 0`` for power and Hill with ``s < 1``)."""
    z = np.maximum(np.asarray(z, dtype=float), 0.0)
    s = np.broadcast_to(np.asarray(s, dtype=float), z.shape)
    if group == "exp":
        return np.exp(-z)
    if group == "mm":
        return 1.0 / (1.0 + z) ** 2
    if group == "log":
        return 1.0 / (1.0 + z)
    with np.errstate(divide="ignore", invalid="ignore"):
        if group == "power":
            out = s * z ** (s - 1.0)
            return np.where(z > 0, out, np.inf)
        if group in ("hill_concave", "hill_s"):
            zs = z**s
            out = s * z ** (s - 1.0) / (1.0 + zs) ** 2
            at_zero = np.where(s < 1, np.inf, np.where(s == 1, 1.0, 0.0))
            return np.where(z > 0, out, at_zero)
    raise ValueError(f"unknown curve group {group!r}")


# --- the carry-over kernel ----------------------------------------------------------------------------


def adstock_weights(lag_mean_periods: float, *, tail: float = 1e-3, max_len: int = 60) -> np.ndarray:
    """Normalised geometric adstock weights w_l ∝ α^l, α = L/(1+L), truncated where α^l < ``tail``."""
    if lag_mean_periods <= 0:
        return np.array([1.0])
    alpha = lag_mean_periods / (1.0 + lag_mean_periods)
    n = int(min(max_len, max(1, np.ceil(np.log(tail) / np.log(alpha)))))
    w = alpha ** np.arange(n)
    return w / w.sum()
