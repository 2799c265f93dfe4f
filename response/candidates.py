"""The candidate shapes a cell's curve is chosen from: family, saturation, carry-over kernel and form.

A candidate's unit response per period (before its level ``a``) is, for spend ``x`` and kernel ``k``,

* *adstock*: ``g(Σ_l k_l x_{t−l} / b)`` — the spend carries over, then saturates;
* *lagged*: ``Σ_l k_l g(x_{t−l} / b)`` — each period's response carries over.

Both are concave in spend and have the same steady state ``g(x / b)``. The grid is
``FitSettings.families`` × saturation ratios (mean spend ÷ b) or power exponents × carry-over kernels
(estimated, from a given mean lag, or geometric kernels of ``lag_candidates_periods``) × ``forms``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .curve import unit_value
from .inputs import with_segment
from .lag import adstock, adstock_weights, mean_lag
from .settings import FitSettings


@dataclass(frozen=True, eq=False)
class Candidate:
    """One candidate shape of a cell, with its unit response ``h`` over the timeline."""

    family: str
    scale: float
    """b, or the history's mean spend for power curves."""
    s: float
    kernel: np.ndarray
    """Carry-over weights by period offset (sum 1)."""
    form: str
    """``adstock`` or ``lagged``."""
    ratio: float
    """The history's mean spend ÷ b (NaN for power curves)."""
    h: np.ndarray
    """Unit response per period (before the level)."""
    memo: dict = field(default_factory=dict, repr=False)
    """Values of this candidate computed once (:func:`step_response`, :func:`mean_response`): the shape search
    asks for them tens of thousands of times."""

    @property
    def lag(self) -> float:
        return mean_lag(self.kernel)

    def unit(self, x: np.ndarray) -> np.ndarray:
        return unit_value(self.family, x, self.scale, self.s)


def make_candidate(family, scale, exponent, kernel, form, mean, x) -> Candidate:
    """The candidate of this shape on a cell whose spend per period is ``x`` (mean ``mean``)."""
    if form == "adstock":
        h = unit_value(family, adstock(x, kernel), scale, exponent)
    else:
        h = adstock(unit_value(family, x, scale, exponent), kernel)
    ratio = np.nan if family == "power" else mean / scale
    return Candidate(family, scale, exponent, kernel, form, ratio, h)


def cell_candidates(x: np.ndarray, rows: np.ndarray, kernels: list[np.ndarray], fixed: tuple | None,
                    settings: FitSettings) -> list[Candidate]:
    """A cell's candidates: its fixed shape when given, else the grid over kernels × forms × shapes.

    ``x``: the cell's spend per period; ``rows``: the fitted periods (their mean spend sets the
    saturation grid ``b = mean / ratio``)."""
    s = settings
    mean = max(x[rows].mean(), 1e-9)
    if fixed is not None:
        family, b, exponent, kernel, form = fixed
        scale = mean if family == "power" else b
        return [make_candidate(family, scale, exponent, kernel, form, mean, x)]
    out = []
    for kernel in kernels:
        for form in s.forms:
            for fam in s.families:
                if fam == "power":
                    shapes = [(mean, p) for p in s.power_exponents]
                elif fam == "hill":
                    shapes = [(mean / r, h) for h in s.hill_exponents for r in s.saturation_ratios]
                else:
                    shapes = [(mean / r, 1.0) for r in s.saturation_ratios]
                out += [make_candidate(fam, scale, exponent, kernel, form, mean, x) for scale, exponent in shapes]
    return out


def starting_candidate(cands: list[Candidate]) -> int:
    """Where coordinate descent starts: exp with b nearest the history's spend, at the first lag."""
    exp = [i for i, c in enumerate(cands) if c.family == "exp" and c.kernel is cands[0].kernel
           and c.form == cands[0].form]
    if not exp:
        return 0
    return min(exp, key=lambda i: abs(np.log(cands[i].ratio)))


def candidate_curve(c: Candidate, amplitude: float) -> tuple[str, float, float, float]:
    """A candidate with its level in the curves-table form ``(family, a, b, s)``."""
    if c.family == "power":  # unit (x / scale)^s: a·x^s with a = amplitude / scale^s
        return "power", float(amplitude / c.scale**c.s), np.nan, float(c.s)
    return c.family, float(amplitude), float(c.scale), (float(c.s) if c.family == "hill" else np.nan)


def step_response(candidate: Candidate, spend_per_period: float, window: tuple[int, int, int]) -> float:
    """Mean unit response over a lift test's readout of a spend step from a standing start (none before):
    ``window = (n, r0, r1)``, spend in periods ``0 … n−1``, read over ``r0 … r1−1``. With the kernel's cumulative
    weight ``K(t)`` (0 before 0) the spend reached in period ``t`` is ``x·(K(t) − K(t − n))``: what a holdout
    test of that length measures, carry-over included; readout periods after ``n`` measure the carry-over left
    when the spend stopped."""
    key = ("step", spend_per_period, tuple(window))
    if key not in candidate.memo:
        candidate.memo[key] = _step_response(candidate, spend_per_period, tuple(window))
    return candidate.memo[key]


def mean_response(candidate: Candidate, rows: np.ndarray) -> float:
    """The unit response's mean over the periods ``rows`` (a mask)."""
    key = ("mean", rows.tobytes())
    if key not in candidate.memo:
        candidate.memo[key] = candidate.h[rows].mean()
    return candidate.memo[key]


def reached_share(kernel: np.ndarray, window: tuple[int, int, int]) -> np.ndarray:
    """``K(t) − K(t − n)`` for the readout periods ``t = r0 … r1−1`` of ``window = (n, r0, r1)``."""
    n, first, stop = window
    cumulative = np.cumsum(np.pad(kernel, (0, max(stop - len(kernel), 0))))[:stop]
    t = np.arange(first, stop)
    before = np.where(t - n >= 0, cumulative[np.clip(t - n, 0, None)], 0.0)
    return cumulative[t] - before


def _step_response(candidate: Candidate, spend_per_period: float, window: tuple[int, int, int]) -> float:
    reached = reached_share(candidate.kernel, window)
    if candidate.form == "adstock":
        return float(np.mean(candidate.unit(spend_per_period * reached)))
    return float(candidate.unit(np.array([spend_per_period]))[0] * np.mean(reached))


# --- carry-over kernels ---------------------------------------------------------------------------


def kernel_candidates(cells, lags, kernels, period_days: int, settings: FitSettings) -> list[list[np.ndarray]]:
    """Candidate carry-over kernels per cell: an estimated kernel, a geometric one from a mean lag, or a grid."""
    by_kernel = {}
    if kernels is not None and len(kernels):
        for channel, frame in kernels.groupby(kernels["channel"].astype(str)):
            offsets = frame["offset"].to_numpy(dtype=int)
            w = np.zeros(offsets.max() + 1)
            np.add.at(w, offsets, frame["weight"].to_numpy(dtype=float))
            if w.sum() > 0:
                by_kernel[channel] = w / w.sum()
    by_lag = {} if lags is None else dict(zip(lags["channel"].astype(str), lags["lag_mean_days"].astype(float)))
    out = []
    for channel in cells["channel"]:
        if channel in by_kernel:
            out.append([by_kernel[channel]])
        elif channel in by_lag and np.isfinite(by_lag[channel]):
            out.append([adstock_weights(by_lag[channel] / period_days)])
        else:
            out.append([adstock_weights(lag) for lag in settings.lag_candidates_periods])
    return out


def fixed_shapes(shapes: pd.DataFrame | None, cells: pd.DataFrame, period_days: int, kernels) -> list:
    """Per cell: (family, b, s, kernel, form) when its shape is given, else None.

    The kernel is the cell's own (first) candidate kernel, or the geometric kernel of the shape's
    ``lag_mean_days``; the form is the shape's ``form`` column (default ``lagged``)."""
    if shapes is None:
        return [None] * len(cells)
    t = with_segment(shapes).set_index(["channel", "segment"])
    out = []
    for c, seg in zip(cells["channel"], cells["segment"]):
        if (c, seg) not in t.index:
            out.append(None)
            continue
        r = t.loc[(c, seg)]
        exponent = float(r["s"]) if "s" in r and np.isfinite(r["s"]) else 1.0
        kernel = kernels[len(out)][0]
        if "lag_mean_days" in r and np.isfinite(r["lag_mean_days"]):
            kernel = adstock_weights(float(r["lag_mean_days"]) / period_days)
        out.append((str(r["family"]), float(r["b"]), exponent, kernel, str(r.get("form", "lagged"))))
    return out
