"""Curve draws with many distinct exponents, snapped to a small grid so the risk problem stays small.

cvxpy writes ``x^p`` (power and concave-Hill draws, see :meth:`optimizer.problem.Program._draw_values`)
as a tower of second-order cones for a rational near ``p`` (denominator up to 1024), one atom per
distinct exponent. A draws file with a different exponent in every draw (200 draws × 14 power cells on
the sample; 1,400 exponents in the 100 draws that choose the plan) then took 68 s and 7.6 GB to compile
(the solver itself 1.4 s); a mixed 60-cell market with 2,000 power and Hill exponents 122 s and 9.3 GB.
Exact power cones (``cp.power(..., approx=False)`` or ``PowCone3D``, one vectorised cone) compile in 0.1 s,
but Clarabel stalled on that mixed market (``InsufficientProgress`` with its defaults, without
equilibration, shorter steps, other regularisation), where the second-order-cone form of the same plan,
snapped, solves. So when a group has more than
:data:`MAX_EXACT_EXPONENTS` distinct exponents, each row's exponent is moved to the nearest point of
:func:`exponent_grid` (dyadic rationals, :data:`GRID_PER_OCTAVE` per octave: shallow cone towers,
about the same relative spacing at every exponent) and its level (and, for Hill, its scale) refitted
so that the snapped curve stays closest to the given one over ``0 … SNAP_RANGE ×`` current spend
(largest absolute difference, minimised). The difference left is measured per row and returned: the
plan states it and the optimizer adds it to its optimality bound; a row further off than
:data:`SNAP_TOLERANCE` is refused (:class:`optimizer.curves.CurveError`).

Each snapped draw is shifted so that its value at today's allocation is exact: keeping today's plan gains
exactly 0 in every draw, in the solver's view as on the draws as given. The differences are measured from
spend 10⁻⁹ × the range's end up (and at 0), far below a fen for any cell: for exponents far below the
grid's smallest the curve is nearly a step at 0 and no finite set of points would do.

Only the solver sees snapped curves: the plan's objective value, its outcome (P10/P50/P90) and its
evidence are computed on the draws as given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from roimix.messages import Message

from .curves import CurveError

MAX_EXACT_EXPONENTS = 8
"""A group (power or concave Hill) with at most this many distinct exponents is solved as given (the fit's
own draws have 3 power and 1 Hill exponent)."""
GRID_PER_OCTAVE = 16
"""Grid points per octave of the exponent: ``2^-j · (1 + i/16)``; a row moves by at most 1/32 of its exponent."""
GRID_OCTAVES = 7
"""Octaves covered: exponents from 2^-7 (≈ 0.008) up to 1 − 1/32."""
SNAP_RANGE = 2.5
"""The snapped curve is fitted over spend 0 … this × the cell's current spend (its spend scale when 0)."""
SNAP_TOLERANCE = 0.02
"""Largest difference allowed between a snapped curve and the given one over the range, as a share of the
given curve's value at the range's end."""
SAFETY = 1.02
"""The measured largest difference (on :data:`_U_FINE`) is stated × this, for what lies between grid points."""


def exponent_grid() -> np.ndarray:
    """The exponents rows are snapped to, ascending: ``2^-j · (1 + i / GRID_PER_OCTAVE)`` for
    ``j = 1 … GRID_OCTAVES``, ``i = 0 … GRID_PER_OCTAVE − 1`` (all below 1)."""
    i = np.arange(GRID_PER_OCTAVE)
    values = [2.0 ** -j * (1 + i / GRID_PER_OCTAVE) for j in range(1, GRID_OCTAVES + 1)]
    return np.unique(np.concatenate(values))


def _unit_points(linear: int, geometric: int) -> np.ndarray:
    """Points in [0, 1]: evenly spaced, plus geometric ones near 0 where x^s is steep."""
    return np.unique(np.concatenate([np.linspace(0.0, 1.0, linear), np.geomspace(1e-9, 1.0, geometric)]))


_U_FIT = _unit_points(129, 32)
_U_FINE = _unit_points(2049, 256)


def _shape(group: str, z: np.ndarray, s: np.ndarray) -> np.ndarray:
    zs = np.power(np.maximum(z, 0.0), s)
    return zs if group == "power" else zs / (1.0 + zs)


@dataclass(frozen=True, eq=False)
class Snapped:
    """Per row: the exponent the solver uses, the factors on its amplitude and spend scale, and the largest
    difference to the given curve over the range (``error``: in units of the row's amplitude;
    ``relative``: as a share of the given curve's value at the range's end)."""

    exponent: np.ndarray
    amplitude_factor: np.ndarray
    scale_factor: np.ndarray
    error: np.ndarray
    relative: np.ndarray


def snap(group: str, s: np.ndarray, top: np.ndarray) -> Snapped:
    """Snap rows of ``group`` (``power``: ``g = z^s``; ``hill_concave``: ``g = z^s / (1 + z^s)``) with exponents
    ``s`` over unit spends ``z ∈ [0, top]`` to :func:`exponent_grid`: ``c · g_t(z / m)`` with ``t`` the nearest
    grid point (in log) and ``c`` (and, for Hill, ``m``) minimising the largest difference to ``g_s``.
    Pure numpy; rows are independent."""
    s = np.asarray(s, dtype=float)
    top = np.asarray(top, dtype=float)
    grid = exponent_grid()
    near = np.clip(np.searchsorted(grid, s), 1, len(grid) - 1)
    lower, upper = grid[near - 1], grid[near]
    t = np.where(np.abs(np.log(s / lower)) <= np.abs(np.log(upper / s)), lower, upper)
    t = np.where(np.isin(s, grid), s, t)
    if group == "power":  # scale-free: on [0, Z], z^s vs c z^t is Z^s (u^s vs c Z^(t-s) u^t), u in [0, 1]
        m = np.ones_like(s)
        c_unit = _minimax_level(group, s, t, np.ones_like(s), np.ones_like(s))
        c = c_unit * top ** (s - t)
    else:
        m = _hill_scale(s, t, top)
        c = _minimax_level(group, s, t, top, m)
    error = _largest_difference(group, s, t, top, c, m, _U_FINE) * SAFETY
    reach = _shape(group, top, s)
    relative = np.where(reach > 0, error / np.where(reach > 0, reach, 1.0), 0.0)
    return Snapped(t, c, m, error, relative)


def _minimax_level(group: str, s, t, top, m, iterations: int = 40) -> np.ndarray:
    """``c`` per row with the largest excess of ``g_s`` over ``c·g_t(z/m)`` equal to the largest shortfall on
    ``[0, top]`` (bisection: the excess falls and the shortfall grows with ``c``)."""
    z = top[:, None] * _U_FIT[None, :]
    f = _shape(group, z, s[:, None])
    g = _shape(group, z / m[:, None], t[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(g > 0, f / np.where(g > 0, g, 1.0), np.nan)
    lo = np.nanmin(ratio, axis=1)
    hi = np.nanmax(ratio, axis=1)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi), hi, 1.0)
    for _ in range(iterations):
        c = 0.5 * (lo + hi)
        d = f - c[:, None] * g
        up = d.max(axis=1) > -d.min(axis=1)
        lo, hi = np.where(up, c, lo), np.where(up, hi, c)
    return 0.5 * (lo + hi)


def _hill_scale(s, t, top) -> np.ndarray:
    """``m`` per row for a concave Hill row: the spend-scale factor whose least-squares level leaves the
    smallest largest difference, by a coarse log grid over [1/4, 4] then golden-section refinement."""
    z = top[:, None] * _U_FIT[None, :]
    f = _shape("hill_concave", z, s[:, None])

    def worst(m):
        g = _shape("hill_concave", z / m[:, None], t[:, None])
        c = (f * g).sum(axis=1) / np.maximum((g * g).sum(axis=1), 1e-300)
        return np.abs(f - c[:, None] * g).max(axis=1)

    logs = np.linspace(np.log(0.25), np.log(4.0), 17)
    scores = np.stack([worst(np.full(len(s), np.exp(v))) for v in logs], axis=1)
    best = np.argmin(scores, axis=1)
    step = logs[1] - logs[0]
    a, b = logs[best] - step, logs[best] + step
    ratio = (np.sqrt(5.0) - 1) / 2
    for _ in range(16):
        x1, x2 = b - ratio * (b - a), a + ratio * (b - a)
        left = worst(np.exp(x1)) <= worst(np.exp(x2))
        a, b = np.where(left, a, x1), np.where(left, x2, b)
    return np.exp(0.5 * (a + b))


def _largest_difference(group: str, s, t, top, c, m, points: np.ndarray, chunk: int = 256) -> np.ndarray:
    """``max |g_s(z) − c·g_t(z/m)|`` over ``z = top · points`` per row (in chunks of rows)."""
    out = np.empty(len(s))
    for i in range(0, len(s), chunk):
        sl = slice(i, i + chunk)
        z = top[sl, None] * points[None, :]
        d = _shape(group, z, s[sl, None]) - c[sl, None] * _shape(group, z / m[sl, None], t[sl, None])
        out[sl] = np.abs(d).max(axis=1)
    return out


@dataclass(frozen=True)
class SnapReport:
    """What snapping did to a plan's draws: how many distinct exponents became how many grid points, the
    largest relative difference of a row (share of its value at the range's end), and the most the snapped
    draws can move a draw's value at any plan inside the range (``value_error``, in the problem's value
    units: per draw twice the sum of its snapped rows' differences, once at the plan and once at today's
    allocation, to whose exact value the snapped draw is shifted; the largest over draws). ``reach_cny``:
    per cell the end of the range its snapped rows were fitted over (0 where none was snapped)."""

    n_exponents: int
    n_grid: int
    max_relative: float
    value_error: float
    reach_cny: np.ndarray
    range_factor: float = SNAP_RANGE

    def outside(self, spend_cny: np.ndarray) -> np.ndarray:
        """Cells whose spend in ``spend_cny`` lies beyond the range their snapped rows were fitted over."""
        return (self.reach_cny > 0) & (np.asarray(spend_cny, dtype=float) > self.reach_cny * (1 + 1e-9))


def too_far(relative: np.ndarray, rows_label, tolerance: float = SNAP_TOLERANCE) -> None:
    """Raise :class:`CurveError` naming the first row whose snapped curve is further than ``tolerance``
    (``rows_label(i)`` → (draw, cell, exponent) of row ``i``)."""
    bad = np.flatnonzero(~(relative <= tolerance))
    if len(bad):
        i = int(bad[np.argmax(relative[bad])])
        draw, cell, exponent = rows_label(i)
        raise CurveError(message=Message("plan.err.draws.snap_too_far", {
            "draw": draw, "cell": cell, "s": float(exponent), "error_share": float(relative[i]),
            "tolerance_share": float(tolerance), "range_x": float(SNAP_RANGE), "n_rows": int(len(bad))}))
