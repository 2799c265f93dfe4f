"""A response curve's value and slope, in the two forms the fit uses.

*Unit form* (a candidate before its level): ``g(x / scale)`` for a family's unit shape ``g``
(:mod:`roimix.shapes`); a Hill curve's exponent picks its shape (``s > 1`` S-shaped, ``s = 1`` the
mm curve, ``s < 1`` concave). *Table form* (the curves table's ``family, a, b, s``): ``a · g(x / b)``,
and ``a · x^s`` for power curves (no ``b``; ``s`` NaN means 1 for the other families).
"""

from __future__ import annotations

import numpy as np

from roimix.shapes import shape_slope, shape_value


def _shape_group(family: str, s: float) -> str:
    """The :mod:`roimix.shapes` group of a family (Hill curves split by their exponent)."""
    return {"hill": "hill_s" if s > 1 else ("mm" if s == 1 else "hill_concave")}.get(family, family)


def unit_value(family: str, x, scale: float, s: float) -> np.ndarray:
    """``g(x / scale)``."""
    return shape_value(_shape_group(family, s), np.asarray(x, dtype=float) / scale, s)


def unit_slope(family: str, x, scale: float, s: float) -> np.ndarray:
    """``d/dx g(x / scale) = g'(x / scale) / scale``."""
    return shape_slope(_shape_group(family, s), np.asarray(x, dtype=float) / scale, s) / scale


def curve_value(family, a, b, s, x) -> np.ndarray:
    """A curves-table row's value at spend ``x``: ``a · g(x / b)``, or ``a · x^s`` for power curves."""
    x = np.asarray(x, dtype=float)
    if family == "power":
        return a * np.maximum(x, 0) ** s
    return a * unit_value(family, x, b, s if np.isfinite(s) else 1.0)


def curve_slope(family, a, b, s, x) -> np.ndarray:
    """A curves-table row's marginal return at spend ``x`` (a power curve's is infinite at 0)."""
    x = np.asarray(x, dtype=float)
    if family == "power":
        with np.errstate(divide="ignore"):
            return np.where(x > 0, a * s * np.maximum(x, 1e-300) ** (s - 1), np.inf)
    return a * unit_slope(family, x, b, s if np.isfinite(s) else 1.0)
