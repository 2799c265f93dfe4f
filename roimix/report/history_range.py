"""Where a plan spends beyond the history its curves were fitted on.

A response curve is known only over the spend it was fitted on. Above the highest day (or week) a cell ever had,
the curve is its family's extrapolation, and its band is the band of that family's parameters: it does not
include the family being wrong. So a plan that puts a cell there promises more than the data can support, and
says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOLERANCE_CNY = 0.01
"""A planned spend within a fen of the highest day is not beyond it."""


def period_days_of(dates: pd.Series) -> int:
    """7 when every step between the distinct dates is a whole number of weeks (a table of weeks), else 1 — the
    rule aggregate mode reads its tables' period by."""
    uniq = pd.DatetimeIndex(sorted(pd.to_datetime(dates).unique()))
    steps = np.asarray((uniq[1:] - uniq[:-1]).days)
    return 7 if len(steps) and np.all(steps % 7 == 0) else 1


def highest_daily_spend(history: pd.DataFrame, period_days: int | None = None) -> pd.DataFrame:
    """channel, segment, highest_cny: per cell, the highest spend per day in ``history`` (the SPEND contract:
    date, channel, [segment], spend; one row per day or per week, whose spend counts as 1/7 a day;
    ``period_days`` None: read off the dates, :func:`period_days_of`). Rows of one cell and date are summed
    first; a missing segment is ``existing``."""
    period_days = period_days_of(history["date"]) if period_days is None else period_days
    frame = history.assign(segment=history["segment"].fillna("existing") if "segment" in history.columns
                           else "existing")
    frame = frame.assign(channel=frame["channel"].astype(str), segment=frame["segment"].astype(str))
    per_period = frame.groupby(["channel", "segment", "date"], as_index=False)["spend"].sum()
    out = per_period.groupby(["channel", "segment"], as_index=False)["spend"].max()
    return out.assign(highest_cny=out["spend"].astype(float) / period_days)[["channel", "segment", "highest_cny"]]


def fitted_range(curves: pd.DataFrame) -> pd.DataFrame:
    """channel, segment, highest_cny from a curves table's ``highest_spend`` (what the fit wrote; cells without it
    are left out)."""
    known = curves.dropna(subset=["highest_spend"])
    return pd.DataFrame({"channel": known["channel"].astype(str).to_numpy(),
                         "segment": known["segment"].astype(str).to_numpy(),
                         "highest_cny": known["highest_spend"].astype(float).to_numpy()})


def beyond_history(plan: pd.DataFrame, highest: pd.DataFrame) -> pd.DataFrame:
    """channel, segment, planned_cny, highest_cny, ratio: the plan's cells (rows of channel, segment, spend per day;
    a campaign plan's several days per cell: its largest) whose spend is above their highest day in the history,
    most beyond first. A cell the history never had is not listed (its curve did not come from that history)."""
    planned = plan[["channel", "segment", "spend"]].astype({"channel": str, "segment": str}).groupby(
        ["channel", "segment"], as_index=False)["spend"].max()
    merged = planned.merge(highest, on=["channel", "segment"], how="inner")
    beyond = merged[merged["spend"] > merged["highest_cny"] + TOLERANCE_CNY]
    out = beyond.rename(columns={"spend": "planned_cny"})
    out = out.assign(ratio=out["planned_cny"] / out["highest_cny"])  # a cell never spent on: inf (planned > 0 here)
    return out.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True)[
        ["channel", "segment", "planned_cny", "highest_cny", "ratio"]]


def beyond_history_words(beyond: pd.DataFrame, file: str, lang: str, *, campaign: bool = False) -> str | None:
    """The warning naming :func:`beyond_history`'s cells (``file``: the history's name; ``campaign``: the planned
    spend is each cell's largest day of a campaign plan), or None when there are none."""
    from roimix.text import STRINGS, money, t

    if not len(beyond):
        return None

    def cell(channel: str, segment: str) -> str:
        key = f"segment.{segment}"
        return f"{channel}/{t(key, lang) if key in STRINGS else segment}"

    cells = [t("optimizer.cli.beyond_history_cell", lang, cell=cell(r.channel, r.segment),
               planned=money(r.planned_cny, lang, 2), highest=money(r.highest_cny, lang, 2), ratio=f"{r.ratio:.1f}")
             for r in beyond.itertuples(index=False)]
    key = "optimizer.cli.beyond_history_days" if campaign else "optimizer.cli.beyond_history"
    return t(key, lang, n=len(beyond), file=file, cells=("；" if lang == "zh" else "; ").join(cells))
