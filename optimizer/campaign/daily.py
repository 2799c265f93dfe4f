"""Daily cells over a horizon: (channel, segment) curves expanded to (channel, segment, day), with carry-over.

Cell ``(i, t)`` (curve ``i``, day ``t``) has the curve ``m_{i,t} · f_i`` where ``m`` is the day's
multiplier: its campaign phase's multiplier for the channel times a weekend factor
(``w`` on Saturdays and Sundays, both normalised to a weekly mean of 1, since curves are fitted on
every day of the week). The spend it sees is geometric adstock within the curve,

    x̃_{i,t} = Σ_{l=0..t} w_{i,l} · x_{i,t−l}  +  (1 − Σ_{l=0..t} w_{i,l}) · c_i,

with ``w_{i,l} ∝ α_i^l``, ``α_i = L_i/(1 + L_i)`` (the kernel the curve fit uses, mean lag ``L_i``
days, summing to 1) and ``c_i`` the current daily spend, taken as the spend before the horizon
(the carry-in). The first part is ``Planner``'s ``carryover`` matrix, the second its ``carry_in``; at
steady spend ``x̃ = x``, so a curve keeps the meaning it was fitted with.

Value carried past the horizon's last day ``T`` is counted too (``value_carry_out``): after the
horizon spend is taken back to current, so day ``T+k`` sees ``α^k x̃_T + (1 − α^k) c`` (geometric
adstock) and earns ``m_{T+k} f(·)``. Its first-order value in the last day's effective spend,
``M_i · f_i(x̃_{i,T})`` with ``M_i = Σ_k m_{T+k} α_i^k`` (exact slope at steady spend), is added to the
last day's curve in ``objective_curves``, so a yuan spent late is worth its whole effect, not only the
part that lands before the horizon ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.curves import Curves, curves_from_frame
from optimizer.draws import CurveDraws
from roimix.messages import Message
from roimix.shapes import adstock_weights

from .calendar import REGULAR, Campaign, CalendarError, _as_date

MAX_DAYS = 400
LAG_COLUMNS = ("lag_mean_periods", "lag_mean_days")
"""Curves-table columns read as the mean carry-over lag in days (the pipeline writes the first)."""
DAY_KEYS = ("channel", "segment", "day", "date", "phase", "weekend")
"""Key columns of a daily cell; rules select on any of them (``Select(where=(("phase", ("peak",)),))``)."""


@dataclass(frozen=True)
class Horizon:
    """The days a plan covers, ``start``–``end`` inclusive."""

    start: date
    end: date

    def __post_init__(self):
        object.__setattr__(self, "start", _as_date(self.start, "start"))
        object.__setattr__(self, "end", _as_date(self.end, "end"))
        if self.end < self.start:
            raise CalendarError(message=Message("plan.err.horizon.order", {
                "start": self.start.isoformat(), "end": self.end.isoformat()}))
        if self.n_days > MAX_DAYS:
            raise CalendarError(message=Message("plan.err.horizon.too_long", {"n_days": self.n_days, "max_days": MAX_DAYS}))

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end, freq="D")


def day_table(horizon: Horizon, campaign: Campaign | None = None, *, weekend_multiplier: float = 1.0) -> pd.DataFrame:
    """day (1…T), date, phase, weekend, weekend_factor: one row per day of the horizon."""
    if not (np.isfinite(weekend_multiplier) and 0 < weekend_multiplier <= 5):
        raise CalendarError(message=Message("plan.err.calendar.weekend", {"high": 5.0, "got": weekend_multiplier}))
    dates = horizon.dates
    weekend = dates.day_of_week.to_numpy() >= 5
    weekly_mean = (5 + 2 * weekend_multiplier) / 7
    phase = campaign.phase_of(dates) if campaign is not None else np.full(len(dates), REGULAR, dtype=object)
    return pd.DataFrame({
        "day": np.arange(1, len(dates) + 1), "date": dates, "phase": phase.astype(str), "weekend": weekend,
        "weekend_factor": np.where(weekend, weekend_multiplier, 1.0) / weekly_mean,
    })


def _carryover(weights: list[np.ndarray], current: np.ndarray, n_days: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """The block-diagonal carry-over ``C`` (cell-major: row ``i·n_days + t`` holds ``w_i[t − u]`` at column
    ``i·n_days + u``, weights truncated at the horizon) and the carry-in of today's spend before day 0,
    ``(1 − Σ_{l≤t} w_i[l]) · current_i``."""
    n_cells = len(weights)
    rows, cols, data = [], [], []
    padded = np.zeros((n_cells, n_days))
    for i, w in enumerate(weights):
        w = w[:n_days]
        padded[i, :len(w)] = w
        lag = np.repeat(np.arange(len(w)), n_days - np.arange(len(w)))
        day = np.concatenate([np.arange(k, n_days) for k in range(len(w))])
        rows.append(i * n_days + day)
        cols.append(i * n_days + day - lag)
        data.append(w[lag])
    rows, cols, data = np.concatenate(rows), np.concatenate(cols), np.concatenate(data)
    keep = data != 0
    shape = (n_cells * n_days, n_cells * n_days)
    carryover = sp.csr_matrix((data[keep], (rows[keep], cols[keep])), shape=shape)
    carryover.sort_indices()
    carry_in = ((1.0 - np.cumsum(padded, axis=1)) * current[:, None]).ravel()
    return carryover, carry_in


@dataclass(frozen=True, eq=False)
class DailyCurves:
    """The daily cells (curve-major: cell ``i·T + t``), their carry-over and carry-in.

    ``table`` is a curves table with the :data:`DAY_KEYS` plus ``multiplier`` (on the curve level;
    ``a`` already includes it), ``base_a`` and ``lag_mean_days``.
    """

    table: pd.DataFrame
    curves: Curves
    carryover: sp.csr_matrix
    carry_in: np.ndarray
    days: pd.DataFrame
    cells: pd.DataFrame
    """(channel, segment) of each curve, with its current daily spend, lag and ``carry_out_x`` (``M_i``)"""
    objective_curves: Curves | None = None
    """``curves`` with the carry-out value ``M_i · f_i`` added to each last day (None: not counted)"""

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n(self) -> int:
        return self.curves.n

    def effective(self, spend: np.ndarray) -> np.ndarray:
        """x̃: the spend each cell's curve sees."""
        return self.carryover @ np.asarray(spend, dtype=float) + self.carry_in

    def value(self, spend: np.ndarray) -> np.ndarray:
        """Expected GMV of each daily cell at ``spend`` (yuan, cell order), landing within the horizon."""
        return self.curves.value(self.effective(spend))

    def planned_value(self, spend: np.ndarray) -> np.ndarray:
        """What the planner maximises per cell: :meth:`value` plus, on each last day, the carry-out value."""
        curves = self.objective_curves if self.objective_curves is not None else self.curves
        return curves.value(self.effective(spend))

    def credited(self, spend: np.ndarray) -> np.ndarray:
        """The planned value credited to the day the spend was made: each day's value (carry-out included)
        is split over the spend days in proportion to their share of its effective spend; the carry-in's
        share is credited to no day of the horizon."""
        x = np.asarray(spend, dtype=float)
        eff = self.effective(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_yuan = np.where(eff > 0, self.planned_value(x) / eff, 0.0)
        return x * (self.carryover.T @ per_yuan)


def _after(days: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` days after ``days`` (date, weekend_factor with the same weekend ratio)."""
    dates = pd.date_range(pd.Timestamp(days["date"].iloc[-1]) + pd.Timedelta(days=1), periods=n, freq="D")
    factor = days["weekend_factor"].to_numpy(dtype=float)
    weekend = days["weekend"].to_numpy(dtype=bool)
    ratio = factor[weekend].mean() / factor[~weekend].mean() if weekend.any() and (~weekend).any() else 1.0
    is_weekend = dates.day_of_week.to_numpy() >= 5
    return pd.DataFrame({"date": dates, "weekend_factor": np.where(is_weekend, ratio, 1.0) / ((5 + 2 * ratio) / 7)})


def _labelled(curves: pd.DataFrame) -> pd.DataFrame:
    """The curves table with text ``channel`` and ``segment`` (``existing`` where it has none)."""
    base = curves.reset_index(drop=True).copy()
    if "segment" not in base.columns:
        base["segment"] = "existing"
    base["channel"] = base["channel"].astype(str)
    base["segment"] = base["segment"].astype(str)
    return base


def curve_cells(curves: pd.DataFrame) -> pd.DataFrame:
    """(channel, segment) of each curve in the order :func:`daily_curves` expands them (its ``cells``), without
    expanding the days."""
    return _labelled(curves[[c for c in ("channel", "segment") if c in curves.columns]])


def daily_curves(curves: pd.DataFrame, days: pd.DataFrame, campaign: Campaign | None = None, *,
                 default_lag_days: float = 1.0, value_carry_out: bool = True) -> DailyCurves:
    """Expand a curves table (one row per channel, segment) to one row per (channel, segment, day)."""
    base = _labelled(curves)
    lag = np.full(len(base), np.nan)
    for col in LAG_COLUMNS:
        if col in base.columns:
            lag = np.where(np.isnan(lag), pd.to_numeric(base[col], errors="coerce").to_numpy(dtype=float), lag)
    base["lag_mean_days"] = np.where(np.isfinite(lag) & (lag >= 0), lag, default_lag_days)
    base = base.drop(columns=[c for c in ("lag_mean_periods", "day", "date", "phase", "weekend") if c in base.columns])

    n_cells, n_days = len(base), len(days)
    mult = (campaign.multipliers(days["date"], base["channel"]) if campaign is not None
            else np.ones((n_days, n_cells)))
    mult = mult * days["weekend_factor"].to_numpy()[:, None]  # days × cells
    table = base.loc[np.repeat(np.arange(n_cells), n_days)].reset_index(drop=True)
    for col in ("day", "date", "phase", "weekend"):
        table[col] = np.tile(days[col].to_numpy(), n_cells)
    table["multiplier"] = mult.T.ravel()
    table["base_a"] = pd.to_numeric(table["a"])
    table["a"] = table["base_a"] * table["multiplier"]
    extra = tuple(c for c in DAY_KEYS if c not in ("channel", "segment"))
    built = curves_from_frame(table, keys=("channel", "segment") + extra)

    current = pd.to_numeric(base["current_spend"]).to_numpy(dtype=float)
    lags = base["lag_mean_days"].to_numpy(dtype=float)
    weights = [adstock_weights(lag_days) for lag_days in lags]
    carryover, carry_in = _carryover(weights, current, n_days)
    cells = base[["channel", "segment", "current_spend", "lag_mean_days"]].copy()
    cells["carry_out_x"] = 0.0
    objective = None
    if value_carry_out:
        n_after = max(len(w) for w in weights)
        after = _after(days, n_after)
        m_after = (campaign.multipliers(after["date"], base["channel"]) if campaign is not None
                   else np.ones((n_after, n_cells))) * after["weekend_factor"].to_numpy()[:, None]
        carry_out = np.zeros(n_cells)
        for i, (lag, w) in enumerate(zip(lags, weights)):
            alpha = lag / (1.0 + lag) if lag > 0 else 0.0
            k = np.arange(1, len(w))
            carry_out[i] = float((m_after[k - 1, i] * alpha ** k).sum())
        cells["carry_out_x"] = carry_out
        last = np.arange(n_cells) * n_days + (n_days - 1)
        a = built.a.copy()  # the last day's value also counts what its spend carries past the horizon
        a[last] = table["base_a"].to_numpy(dtype=float)[last] * (table["multiplier"].to_numpy()[last] + carry_out)
        objective = replace(built, a=a)
    return DailyCurves(table, built, carryover, np.maximum(carry_in, 0.0), days.reset_index(drop=True), cells,
                       objective)


@dataclass(frozen=True, eq=False)
class DailyDraws(CurveDraws):
    """Curve draws over the daily cells (see :func:`daily_draws`): a draw's value of a plan is its curves at the
    effective spend (carry-over and carry-in applied), as the estimate's is."""

    carryover: sp.csr_matrix | None = None
    carry_in: np.ndarray | None = None

    def totals(self, spend_cny: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
        """Per draw ``Σ_cells weight_c · f_dc(x̃_c)`` with ``x̃`` the effective spend of the daily plan ``spend_cny``."""
        eff = self.carryover @ np.asarray(spend_cny, dtype=float) + self.carry_in
        return super().totals(eff, weight)


def cell_curves(daily: DailyCurves) -> Curves:
    """The (channel, segment) curves the daily cells were expanded from (their estimate, level ``base_a``), in the
    order of ``daily.cells``: what a draws table is aligned to (:meth:`optimizer.draws.CurveDraws.from_frame`)."""
    first = np.arange(len(daily.cells)) * daily.n_days
    c = daily.curves
    keys = c.keys.iloc[first][["channel", "segment"]].reset_index(drop=True)
    base_a = daily.table["base_a"].to_numpy(dtype=float)[first]
    return Curves(keys, c.family[first], base_a, c.b[first], c.s[first], daily.cells["current_spend"].to_numpy(
        dtype=float), c.cpc_cny[first], c.new_customer_share[first], c.margin[first], ("channel", "segment"))


def daily_draws(daily: DailyCurves, draws: CurveDraws) -> DailyDraws:
    """``draws`` of the (channel, segment) cells (aligned to :func:`cell_curves`) over the daily cells: draw ``d``'s
    cell ``(i, t)`` is the draw's curve of ``i`` with its level times the day's multiplier ``m_{i,t}`` — on the last
    day ``m_{i,T} + M_i`` when the carry-out is valued (``objective_curves``) —, exactly as the estimate's daily
    cells are built from the estimate. Rows: draws × daily cells (draw-major within each cell)."""
    T = daily.n_days
    per_cell = len(draws.cell)
    rows = np.repeat(np.arange(per_cell), T)
    day = np.tile(np.arange(T), per_cell)
    cell = draws.cell[rows] * T + day
    mult = daily.table["multiplier"].to_numpy(dtype=float)[cell]
    if daily.objective_curves is not None:
        last = day == T - 1
        mult = np.where(last, mult + daily.cells["carry_out_x"].to_numpy(dtype=float)[draws.cell[rows]], mult)
    base = daily.objective_curves if daily.objective_curves is not None else daily.curves
    dc = draws.curves
    curves = Curves(base.keys.iloc[cell].reset_index(drop=True), dc.family[rows], dc.a[rows] * mult, dc.b[rows],
                    dc.s[rows], base.current_spend_cny[cell], base.cpc_cny[cell], base.new_customer_share[cell],
                    base.margin[cell], base.key_columns)
    return DailyDraws(curves, cell, draws.draw[rows], draws.n_draws, carryover=daily.carryover, carry_in=daily.carry_in)


def first_draws(draws: CurveDraws, n: int) -> CurveDraws:
    """The first ``n`` draws of ``draws`` (all of them when it has no more)."""
    if draws.n_draws <= n:
        return draws
    rows = draws.draw < n
    return CurveDraws(draws.curves.subset(rows), draws.cell[rows], draws.draw[rows], n)


def carry_in_after(daily: DailyCurves, spent: np.ndarray) -> np.ndarray:
    """The carry-in of ``daily``'s cells when the ``k`` days before its first day were spent as ``spent``
    (curves × k, oldest day first, yuan) instead of at the current spend: for curve ``i`` and day ``t``
    (0-based) of the horizon

        c̃_{i,t} = Σ_{s=1..k} w_{i,t+s} · x_{i,−s}  +  (1 − Σ_{l=0..t+k} w_{i,l}) · c_i,

    ``x_{i,−s}`` the spend ``s`` days before the first day and ``c_i`` the current spend before them (with
    ``k = 0`` this is :func:`daily_curves`' carry-in). Cell order as ``daily.table`` (curve-major)."""
    n_curves, n_days = len(daily.cells), daily.n_days
    spent = np.asarray(spent, dtype=float).reshape(n_curves, -1)
    k = spent.shape[1]
    current = daily.cells["current_spend"].to_numpy(dtype=float)
    out = np.empty(n_curves * n_days)
    t = np.arange(n_days)
    for i, lag in enumerate(daily.cells["lag_mean_days"].to_numpy(dtype=float)):
        w = adstock_weights(lag)
        weights = np.pad(w, (0, max(0, n_days + k + 1 - len(w))))
        cumulative = np.cumsum(weights)
        carried = np.zeros(n_days)
        for s in range(1, k + 1):  # the spend s days before the first day reaches day t with weight w[t + s]
            carried += weights[t + s] * spent[i, k - s]
        out[i * n_days:(i + 1) * n_days] = carried + (1.0 - cumulative[t + k]) * current[i]
    return np.maximum(out, 0.0)
