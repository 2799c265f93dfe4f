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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.curves import Curves, curves_from_frame
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


def daily_curves(curves: pd.DataFrame, days: pd.DataFrame, campaign: Campaign | None = None, *,
                 default_lag_days: float = 1.0, value_carry_out: bool = True) -> DailyCurves:
    """Expand a curves table (one row per channel, segment) to one row per (channel, segment, day)."""
    base = curves.reset_index(drop=True).copy()
    if "segment" not in base.columns:
        base["segment"] = "existing"
    base["channel"] = base["channel"].astype(str)
    base["segment"] = base["segment"].astype(str)
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

    blocks, carry_in = [], np.empty(n_cells * n_days)
    current = pd.to_numeric(base["current_spend"]).to_numpy(dtype=float)
    for i, lag_days in enumerate(base["lag_mean_days"].to_numpy(dtype=float)):
        w = adstock_weights(lag_days)[:n_days]
        blocks.append(sp.diags(list(w), [-k for k in range(len(w))], shape=(n_days, n_days), format="csr"))
        carry_in[i * n_days:(i + 1) * n_days] = (1.0 - np.cumsum(np.pad(w, (0, n_days - len(w))))) * current[i]
    carryover = sp.block_diag(blocks, format="csr")
    cells = base[["channel", "segment", "current_spend", "lag_mean_days"]].copy()
    cells["carry_out_x"] = 0.0
    objective = None
    if value_carry_out:
        lags = base["lag_mean_days"].to_numpy(dtype=float)
        n_after = max(len(adstock_weights(lag)) for lag in lags)
        after = _after(days, n_after)
        m_after = (campaign.multipliers(after["date"], base["channel"]) if campaign is not None
                   else np.ones((n_after, n_cells))) * after["weekend_factor"].to_numpy()[:, None]
        for i, lag in enumerate(lags):
            n_w = len(adstock_weights(lag))
            alpha = lag / (1.0 + lag) if lag > 0 else 0.0
            k = np.arange(1, n_w)
            cells.iloc[i, cells.columns.get_loc("carry_out_x")] = float((m_after[k - 1, i] * alpha ** k).sum())
        last = np.arange(n_cells) * n_days + (n_days - 1)
        planned = table.copy()
        planned.loc[last, "a"] = planned.loc[last, "base_a"].to_numpy() * (
            planned.loc[last, "multiplier"].to_numpy() + cells["carry_out_x"].to_numpy())
        objective = curves_from_frame(planned, keys=("channel", "segment") + extra)
    return DailyCurves(table, built, carryover, np.maximum(carry_in, 0.0), days.reset_index(drop=True), cells,
                       objective)
