"""The campaign page's phases table: templates from :mod:`optimizer.campaign`, and checks in the reader's words.

The table has one row per phase: phase, label_zh, label_en, start, end, multiplier (the response
multiplier of the phase: GMV per yuan on its days relative to a regular day).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

CAMPAIGNS = ("618", "double11", "nianhuo")
COLUMNS = ["phase", "label_zh", "label_en", "start", "end", "multiplier"]
MAX_MULTIPLIER = 20.0


def next_year(campaign: str, today: date) -> int:
    """The year of the next ``campaign`` that has not ended by ``today``."""
    from optimizer.campaign import template_dates

    for year in (today.year, today.year + 1):
        if template_dates(campaign, year)[-1][2] >= today:
            return year
    return today.year + 1


def template(campaign: str, year: int) -> pd.DataFrame:
    """The engine's template of ``campaign`` in ``year`` as the page's phases table."""
    from optimizer.campaign import calendar_frame, template as engine_template

    frame = calendar_frame(engine_template(campaign, year))
    frame = frame[frame["channel"].fillna("") == ""]
    return frame[COLUMNS].reset_index(drop=True)


def check_phases(phases: pd.DataFrame) -> list[tuple[int, str, str]]:
    """Problems in an edited phases table: (row number as shown, column, what is wrong)."""
    problems = []
    for i, r in enumerate(phases.itertuples(index=False), start=1):
        if pd.isna(r.start) or pd.isna(r.end):
            problems.append((i, "start/end", "dates"))
            continue
        if pd.Timestamp(r.end) < pd.Timestamp(r.start):
            problems.append((i, "end", "end_after_start"))
        if pd.isna(r.multiplier) or not 0 < float(r.multiplier) <= MAX_MULTIPLIER:
            problems.append((i, "multiplier", "multiplier"))
    ordered = phases.reset_index(drop=True).dropna(subset=["start", "end"]).sort_values("start")
    prev_end = None
    for i, r in zip(ordered.index, ordered.itertuples(index=False)):
        if prev_end is not None and pd.Timestamp(r.start) <= prev_end:
            problems.append((int(i) + 1, "start", "no_overlap"))
        prev_end = max(prev_end, pd.Timestamp(r.end)) if prev_end is not None else pd.Timestamp(r.end)
    return problems
