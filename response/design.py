"""The time axis of a fit and the baseline design: intercept, trend, day of week, yearly season, controls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roimix.errors import InputError
from roimix.messages import Message


@dataclass(frozen=True)
class Timeline:
    """Regular periods (days or weeks) covering the history; ``index`` maps a date to its period."""

    dates: pd.DatetimeIndex
    period_days: int

    @classmethod
    def from_dates(cls, dates) -> Timeline:
        uniq = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).unique())).sort_values()
        if len(uniq) < 2:
            raise InputError(message=Message("data.err.two_periods", {}))
        step = int(pd.Series(uniq).diff().dt.days.dropna().median())
        if step not in (1, 7):
            raise InputError(message=Message("data.err.period_step", {"step_days": step}))
        full = pd.date_range(uniq[0], uniq[-1], freq=f"{step}D")
        off = ~uniq.isin(full)
        if off.any():
            raise InputError(message=Message("data.err.uneven_dates", {"step_days": step, "date": str(uniq[off][0].date())}))
        return cls(full, step)

    @property
    def n(self) -> int:
        return len(self.dates)

    def positions(self, dates) -> np.ndarray:
        return self.dates.get_indexer(pd.to_datetime(dates))


def baseline_design(timeline: Timeline, controls: pd.DataFrame | None = None) -> tuple[np.ndarray, list[str]]:
    """Columns of the baseline (not caused by the modelled spend) for every period.

    intercept; linear trend (plus a quadratic term when the history spans a year or more);
    day-of-week dummies for daily data; two yearly Fourier harmonics when the history spans a year
    or more; any ``controls`` columns (events, promotions), aligned on ``date``.
    """
    n = timeline.n
    t = np.arange(n) / max(n - 1, 1)
    cols, names = [np.ones(n), t], ["intercept", "trend"]
    span_days = (timeline.dates[-1] - timeline.dates[0]).days
    if span_days >= 360:
        cols.append(t**2)
        names.append("trend2")
        doy = timeline.dates.day_of_year.to_numpy()
        for h in (1, 2):
            cols += [np.sin(2 * np.pi * h * doy / 365.25), np.cos(2 * np.pi * h * doy / 365.25)]
            names += [f"sin{h}", f"cos{h}"]
    if timeline.period_days == 1:
        dow = timeline.dates.day_of_week.to_numpy()
        for d in range(1, 7):
            cols.append((dow == d).astype(float))
            names.append(f"dow{d}")
    if controls is not None and len(controls.columns) > 1:
        aligned = controls.assign(date=pd.to_datetime(controls["date"])).set_index("date").reindex(timeline.dates)
        for name in aligned.columns:
            cols.append(aligned[name].fillna(0.0).to_numpy(dtype=float))
            names.append(str(name))
    return np.column_stack(cols), names
