"""The fit's input tables laid out on cells × periods, and one outcome series with the cells that drive it.

A *cell* is a (channel, segment) of the spend table; cells are sorted by channel, then segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from roimix.messages import Message

from .design import Timeline
from .lag import kernel_reach, mean_lag
from .settings import FitSettings


@dataclass(frozen=True, eq=False)
class OutcomeSeries:
    """One outcome series (a product segment, or the total) and its cells, on the timeline.

    ``z``: baseline columns (periods × terms); ``y``: the outcome per period; ``rows``: the periods
    the fit uses; ``x``: spend per cell and period; ``kernels``: candidate carry-over kernels per
    cell; ``priors``: prior level per cell (NaN: none); ``current``: current spend per cell;
    ``lifts``: lift-test rows (see :func:`lift_test_rows`) with cell positions in this series;
    ``fixed``: a given shape per cell, or None (see :func:`response.candidates.fixed_shapes`);
    ``pool``: a shrinkage target per cell (value per period, NaN: none; see :func:`response.fit.fit_curves`)
    and ``pool_sd`` its relative sd per cell (None: the pool is not used); ``pool_target_sd``: the target's
    own relative uncertainty per cell (an estimate itself, e.g. another cell's fit; NaN or None: none);
    ``pool_own_se``: each pooled cell's own level's standard error relative to the pool's level."""

    timeline: Timeline
    z: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    x: np.ndarray
    cells: pd.DataFrame
    kernels: list
    priors: np.ndarray
    current: np.ndarray
    lifts: list
    fixed: list
    pool: np.ndarray | None = None
    pool_sd: np.ndarray | None = None
    pool_target_sd: np.ndarray | None = None
    pool_own_se: np.ndarray | None = None

    @cached_property
    def basis(self):
        """The baseline's factorisations per set of training periods (:class:`response.solve.BaselineBasis`),
        made once for this series and shared by its level problems."""
        from .solve import BaselineBasis  # solve builds on this module

        return BaselineBasis(self.z)

    @cached_property
    def labels(self) -> list[str]:
        """``channel/segment`` per cell."""
        return (self.cells["channel"] + "/" + self.cells["segment"]).tolist()


def with_segment(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with text ``channel`` and ``segment`` columns (segment ``all`` when there is none)."""
    out = table.copy()
    if "segment" not in out.columns:
        out["segment"] = "all"
    out["channel"] = out["channel"].astype(str)
    out["segment"] = out["segment"].astype(str)
    return out


def spend_by_cell(spend: pd.DataFrame, cells: pd.DataFrame, timeline: Timeline) -> np.ndarray:
    """Spend per cell (rows) and period (columns); a missing period is 0."""
    x = np.zeros((len(cells), timeline.n))
    pos = timeline.positions(spend["date"])
    key = {(c, s): i for i, (c, s) in enumerate(zip(cells["channel"], cells["segment"]))}
    rows = np.array([key[(c, s)] for c, s in zip(spend["channel"], spend["segment"])])
    np.add.at(x, (rows, pos), spend["spend"].to_numpy(dtype=float))
    return x


def outcome_by_period(outcome: pd.DataFrame, segment: str | None, timeline: Timeline) -> np.ndarray:
    """One segment's outcome (all of it when ``segment`` is None) per period; NaN where there is none."""
    frame = outcome if segment is None else outcome[outcome["segment"] == segment]
    values = frame.groupby(pd.to_datetime(frame["date"]))["value"].sum()
    return values.reindex(timeline.dates).to_numpy(dtype=float)


def current_spend_by_cell(cells: pd.DataFrame, x: np.ndarray, given: pd.DataFrame | None) -> np.ndarray:
    """The given current spend per cell, else the mean over the history."""
    current = x.mean(axis=1)
    if given is not None:
        lookup = {(c, s): v for c, s, v in zip(given["channel"], given["segment"], given["current_spend"])}
        current = np.array([lookup.get((c, s), current[i]) for i, (c, s) in
                            enumerate(zip(cells["channel"], cells["segment"]))])
    return current


def value_by_cell(cells: pd.DataFrame, table: pd.DataFrame | None, column: str) -> np.ndarray:
    """``table[column]`` per cell (NaN for a cell the table lacks, or without a table)."""
    if table is None:
        return np.full(len(cells), np.nan)
    t = with_segment(table)
    lookup = {(c, s): v for c, s, v in zip(t["channel"], t["segment"], t[column])}
    return np.array([float(lookup.get((c, s), np.nan)) for c, s in zip(cells["channel"], cells["segment"])])


def fitted_periods(outcome, exclude, timeline: Timeline, kernels: list[list[np.ndarray]],
                   settings: FitSettings) -> np.ndarray:
    """Periods the fit uses: with an outcome, past the carry-over warm-up, outside excluded blocks and their tails."""
    keep = np.zeros(timeline.n, dtype=bool)
    keep[timeline.positions(outcome["date"])] = True
    reach = max((kernel_reach(q) for ks in kernels for q in ks), default=1)
    keep[: min(reach - 1, timeline.n // 5)] = False
    if exclude is not None and len(exclude):
        longest = max((mean_lag(q) for ks in kernels for q in ks), default=0.0)
        tail = int(np.ceil(settings.exclude_tail_lags * longest))
        for start, end in zip(pd.to_datetime(exclude["start"]), pd.to_datetime(exclude["end"])):
            out = (timeline.dates >= start) & (timeline.dates <= end + pd.Timedelta(days=tail * timeline.period_days))
            keep &= ~out
    return keep


def readout_window(test, period_days: int) -> tuple[int, int, int]:
    """``(spend periods, first readout period, periods to the readout's end)`` of a lift test, counted from its
    start: the test spent for ``end − start + 1`` days and measured ``incremental_value`` as the mean per day over
    ``readout_start … readout_end`` (default: its own days). Days are rounded to periods; at least one."""
    start = pd.Timestamp(test.start)
    end = pd.Timestamp(test.end)
    first = getattr(test, "readout_start", None)
    last = getattr(test, "readout_end", None)
    first = start if first is None or pd.isna(first) else pd.Timestamp(first)
    last = end if last is None or pd.isna(last) else pd.Timestamp(last)
    n_spend = max(1, int(round(((end - start).days + 1) / period_days)))
    offset = int(round((first - start).days / period_days))
    stop = max(offset + 1, int(round(((last - start).days + 1) / period_days)))
    return n_spend, offset, stop


def lift_test_rows(lift_tests: pd.DataFrame | None, cells: pd.DataFrame, period_days: int,
                   current: np.ndarray | None = None):
    """``([(cell index, spend per period, incremental value per period, standard error, readout window
    (:func:`readout_window`), test number)], warnings)``: one row per lift test and cell it matches; tests are numbered from 1
    in table order. A test without a segment is split over the channel's cells by their share ``w_k`` of
    its current spend (``current``, per cell; evenly where it is missing or 0): the test moved the
    channel's spend, each segment's by its own size. Each part is ``w_k · spend`` and ``w_k ·
    incremental_value`` with standard error ``√w_k · standard_error``: the parts are fitted as independent
    measurements (in separate outcome series when the outcome is by segment), so their variances must add
    up to the test's own, ``Σ w_k se² = se²``; the channel's total is then known as well as the test
    measured it, not better."""
    if lift_tests is None or not len(lift_tests):
        return [], []
    rows, warnings = [], []
    for number, r in enumerate(lift_tests.itertuples(index=False), start=1):
        seg = getattr(r, "segment", None)
        seg = seg if isinstance(seg, str) and seg else None
        match = cells.index[(cells["channel"] == str(r.channel)) & ((cells["segment"] == seg) if seg else True)]
        if not len(match):
            warnings.append(Message("pipeline.fit.lift_unmatched", {"test": number, "channel": str(r.channel),
                                                                   "segment": seg or "*"}))
            continue
        window = readout_window(r, period_days)
        sizes = (np.asarray(current, dtype=float)[np.asarray(match)] if current is not None
                 else np.zeros(len(match)))
        sizes = np.where(np.isfinite(sizes) & (sizes > 0), sizes, 0.0)
        shares = sizes / sizes.sum() if sizes.sum() > 0 else np.full(len(match), 1.0 / len(match))
        for k, share in zip(match, shares):
            rows.append((int(k), float(r.spend) * period_days * share, float(r.incremental_value) * period_days * share,
                         float(r.standard_error) * period_days * np.sqrt(share), window, number))
    return rows, warnings
