"""Curve draws: a fit's uncertainty as many curves per cell, and what a plan is worth across them.

A draw is one plausible set of curves (one per cell), e.g. from :func:`response.fit_curves`
(``CurveFit.draws``: shape, carry-over, level and prior weight drawn together). Over the draws a
plan's GMV uplift against the current allocation is a distribution; its quantiles and the
probability that it is positive are what a plan may promise. The risk-aware objective (CVaR, see
:class:`optimizer.scenario.Risk`) is built from the same draws in :mod:`optimizer.problem`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from roimix.messages import Message

from .curves import FAMILIES, CurveError, Curves, _plain

DRAW_COLUMNS = ("draw", "channel", "segment", "family", "a", "b", "s")


@dataclass(frozen=True, eq=False)
class CurveDraws:
    """Curves per (draw, cell): ``curves`` has one row per pair, ``cell`` its cell index in the plan's
    curves and ``draw`` its draw index (0 … ``n_draws`` − 1); every cell has every draw once."""

    curves: Curves
    cell: np.ndarray
    draw: np.ndarray
    n_draws: int
    snap_reach_cny: np.ndarray | None = None
    """Per cell, the least spend over which rows snapped to the exponent grid are fitted (see
    :mod:`optimizer.draw_grid`; None: ``SNAP_RANGE`` × current spend). The planner widens it when a plan goes beyond."""

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, plan_curves: Curves) -> CurveDraws:
        """Align a draws table (``DRAW_COLUMNS``) to the cells of ``plan_curves`` (channel × segment).

        Raises :class:`CurveError` naming the cell that has no draws, a different number of them, or
        parameters outside its family's domain."""
        missing = [c for c in DRAW_COLUMNS if c not in frame.columns]
        if missing:
            raise CurveError(message=Message("plan.err.draws.missing_columns", {"columns": ", ".join(missing)}))
        if tuple(plan_curves.key_columns) != ("channel", "segment"):
            raise CurveError(message=Message("plan.err.draws.cells", {"keys": " × ".join(plan_curves.key_columns)}))
        df = frame.reset_index(drop=True)
        index = {(str(c), str(s)): i for i, (c, s) in
                 enumerate(zip(plan_curves.keys["channel"], plan_curves.keys["segment"]))}
        cell = np.array([index.get((str(c), str(s)), -1) for c, s in zip(df["channel"], df["segment"])], dtype=int)
        df = df[cell >= 0].reset_index(drop=True)
        cell = cell[cell >= 0]
        draw_ids, draw = np.unique(df["draw"].to_numpy(), return_inverse=True)
        n_draws = len(draw_ids)
        counts = np.bincount(cell, minlength=plan_curves.n)
        labels = plan_curves.labels
        for i in range(plan_curves.n):
            if counts[i] != n_draws:
                raise CurveError(message=Message("plan.err.draws.count", {
                    "cell": labels[i], "n_draws": int(counts[i]), "n_others": int(n_draws)}))
        if len(np.unique(cell * n_draws + draw)) != len(df):
            raise CurveError(message=Message("plan.err.draws.twice", {}))
        family = df["family"].astype(str).to_numpy()
        a, b, s = (pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in ("a", "b", "s"))
        bad = ~np.isin(family, FAMILIES) | ~np.isfinite(a) | (a < 0)
        bad |= (family != "power") & ~(np.isfinite(b) & (b > 0))
        bad |= np.isin(family, ("power", "hill")) & ~(np.isfinite(s) & (s > 0))
        bad |= (family == "power") & (s >= 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CurveError(message=Message("plan.err.draws.domain", {
                "draw": _plain(df["draw"][i]), "cell": labels[cell[i]], "family": str(family[i]),
                "a": float(a[i]), "b": float(b[i]), "s": float(s[i])}))
        keys = plan_curves.keys.iloc[cell].reset_index(drop=True)
        curves = Curves(keys, family, a, b, s, plan_curves.current_spend_cny[cell], plan_curves.cpc_cny[cell],
                        plan_curves.new_customer_share[cell], plan_curves.margin[cell])
        return cls(curves, cell, draw.astype(int), n_draws)

    def halves(self) -> tuple[CurveDraws, CurveDraws]:
        """(even draws, odd draws), each renumbered 0 … : two independent sets from the same posterior."""
        out = []
        for parity in (0, 1):
            rows = self.draw % 2 == parity
            out.append(CurveDraws(self.curves.subset(rows), self.cell[rows], self.draw[rows] // 2,
                                  (self.n_draws + 1 - parity) // 2))
        return out[0], out[1]

    def totals(self, spend_cny: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Per draw ``Σ_cells weight_c · f_dc(x_c)`` (GMV per day with ``weight`` 1)."""
        values = self.curves.value(np.asarray(spend_cny, dtype=float)[self.cell])
        if weight is not None:
            values = values * np.asarray(weight, dtype=float)[self.cell]
        return np.bincount(self.draw, weights=values, minlength=self.n_draws)


@dataclass(frozen=True)
class Outcome:
    """A plan's GMV uplift per day against the current allocation, across the curve draws.

    ``prob_above_break_even`` is the share of draws in which the plan's incremental GMV pays for its
    spend: ``Σ margin_c · f_c(x_c) ≥ Σ x_c``, i.e. its incremental ROI is above the break-even ROI
    ``1 / margin`` (``margin`` the profit margin per yuan of GMV, returns already taken out);
    ``break_even_roi`` states that ROI with the plan's GMV-weighted margin."""

    uplift_p10_cny: float
    uplift_p50_cny: float
    uplift_p90_cny: float
    uplift_mean_cny: float
    prob_better_than_current: float
    prob_above_break_even: float
    break_even_roi: float
    n_draws: int

    def as_dict(self) -> dict:
        return asdict(self)


def widened(values: np.ndarray, spread_scale: float = 1.0) -> np.ndarray:
    """``values`` across draws with their spread about the median scaled by ``spread_scale``: ``m + k·(v − m)``."""
    values = np.asarray(values, dtype=float)
    if spread_scale == 1.0:
        return values
    middle = float(np.median(values))
    return middle + spread_scale * (values - middle)


def outcome(draws: CurveDraws, spend_cny: np.ndarray, current_cny: np.ndarray, margin: np.ndarray,
            spread_scale: float = 1.0) -> Outcome:
    """The :class:`Outcome` of ``spend_cny`` against ``current_cny`` (both per cell, yuan per day).

    ``spread_scale`` k widens the uplift across draws about its median, ``u_d → m + k·(u_d − m)``
    (the quantiles, mean and chance of beating today follow; the break-even share is read on the
    draws as they are)."""
    spend = np.asarray(spend_cny, dtype=float)
    uplift = widened(draws.totals(spend) - draws.totals(current_cny), spread_scale)
    gmv = draws.totals(spend)
    profit_gmv = draws.totals(spend, margin)
    p10, p50, p90 = np.quantile(uplift, [0.1, 0.5, 0.9])
    mean_margin = float(profit_gmv.sum() / gmv.sum()) if gmv.sum() > 0 else float(np.mean(margin))
    return Outcome(
        float(p10), float(p50), float(p90), float(uplift.mean()), float(np.mean(uplift > 0)),
        float(np.mean(profit_gmv >= spend.sum())), 1.0 / mean_margin if mean_margin > 0 else float("inf"),
        draws.n_draws,
    )


def unfit_levels_zeroed(draws: pd.DataFrame, curves: pd.DataFrame) -> pd.DataFrame:
    """``draws`` with level 0 for the cells whose ``status`` in the curves table is ``unfit``, as the
    curves table has them (a plan keeps those cells at today's spend)."""
    if not len(draws) or "status" not in curves.columns or not curves["status"].eq("unfit").any():
        return draws
    unfit = curves["status"].eq("unfit")
    cells = set(zip(curves.loc[unfit, "channel"].astype(str), curves.loc[unfit, "segment"].astype(str)))
    out = draws.copy()
    out.loc[[(str(c), str(s)) in cells for c, s in zip(out["channel"], out["segment"])], "a"] = 0.0
    return out


def cvar(values: np.ndarray, level: float) -> float:
    """Rockafellar–Uryasev CVaR of the lower tail: the mean of the worst ``1 − level`` share of
    ``values`` (equal weights), ``max_t t − E[(t − V)⁺] / (1 − level)``; the maximum is at a value."""
    v = np.asarray(values, dtype=float)
    return float(max(t - np.maximum(t - v, 0.0).mean() / (1 - level) for t in v))
