"""Campaign templates (618, Double 11, 年货节) and the daily plan preview built on the optimizer.

A template is a table of phases (phase, label_zh, label_en, start, end, spend_multiplier,
response_multiplier) for a given year; the user edits it on the campaign page. The preview
spreads a daily plan over the campaign: each day's budget is the base budget times its phase's
spend multiplier, allocated by the optimizer under the what-if's rules (one solve per distinct
multiplier, each a re-solve through Parameters); GMV is scaled by the response multiplier.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

CAMPAIGNS = ("618", "double11", "cny")
PHASES = ("preheat", "presale", "peak", "return")
PHASE_LABELS = {"preheat": ("预热", "Pre-heat"), "presale": ("预售", "Pre-sale"), "peak": ("爆发", "Peak"),
                "return": ("返场", "Return")}
SPEND_MULTIPLIERS = {"preheat": 1.25, "presale": 1.45, "peak": 2.4, "return": 1.15}
RESPONSE_MULTIPLIERS = {"preheat": 0.85, "presale": 1.0, "peak": 1.5, "return": 1.05}
SPRING_FESTIVAL = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
                   2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
COLUMNS = ["phase", "label_zh", "label_en", "start", "end", "spend_multiplier", "response_multiplier"]


def _dates(campaign: str, year: int) -> list[tuple[str, date, date]]:
    if campaign == "618":
        return [("preheat", date(year, 5, 20), date(year, 5, 30)), ("presale", date(year, 5, 31), date(year, 6, 15)),
                ("peak", date(year, 6, 16), date(year, 6, 18)), ("return", date(year, 6, 19), date(year, 6, 21))]
    if campaign == "double11":
        return [("preheat", date(year, 10, 15), date(year, 10, 20)), ("presale", date(year, 10, 21), date(year, 11, 9)),
                ("peak", date(year, 11, 10), date(year, 11, 11)), ("return", date(year, 11, 12), date(year, 11, 13))]
    if campaign == "cny":
        # 年货节 ends about a week before the Spring Festival, when couriers stop
        sf = SPRING_FESTIVAL.get(year, date(year, 2, 1))
        d = lambda n: sf - timedelta(days=n)  # noqa: E731
        return [("preheat", d(35), d(29)), ("presale", d(28), d(14)), ("peak", d(13), d(11)), ("return", d(10), d(8))]
    raise ValueError(f"unknown campaign {campaign!r}; choose from {', '.join(CAMPAIGNS)}")


def template(campaign: str, year: int, calendar: pd.DataFrame | None = None) -> pd.DataFrame:
    """The phases of ``campaign`` in ``year`` (618 takes the sample calendar's multipliers when given)."""
    rows = []
    known = {}
    if calendar is not None and campaign == "618" and "campaign" in calendar.columns:
        cal = calendar[calendar["campaign"].astype(str) == "618"]
        known = {r.phase: r for r in cal.itertuples()}
    for phase, start, end in _dates(campaign, year):
        zh, en = PHASE_LABELS[phase]
        spend_m, resp_m = SPEND_MULTIPLIERS[phase], RESPONSE_MULTIPLIERS[phase]
        if phase in known:
            spend_m, resp_m = float(known[phase].spend_multiplier), float(known[phase].response_multiplier)
        rows.append({"phase": phase, "label_zh": zh, "label_en": en, "start": pd.Timestamp(start), "end": pd.Timestamp(end),
                     "spend_multiplier": spend_m, "response_multiplier": resp_m})
    return pd.DataFrame(rows, columns=COLUMNS)


def next_year(campaign: str, today: date) -> int:
    """The year of the next ``campaign`` that has not ended by ``today``."""
    for year in (today.year, today.year + 1):
        if _dates(campaign, year)[-1][2] >= today:
            return year
    return today.year + 1


def history_windows(start, end) -> pd.DataFrame:
    """start, end of every template campaign inside [start, end] (left out of curve fits)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    rows = []
    for year in range(start.year - 1, end.year + 2):
        for campaign in CAMPAIGNS:
            phases = _dates(campaign, year)
            s, e = pd.Timestamp(phases[0][1]), pd.Timestamp(phases[-1][2])
            if e >= start and s <= end:
                rows.append({"start": s, "end": e})
    return pd.DataFrame(rows, columns=["start", "end"])


def check_phases(phases: pd.DataFrame) -> list[tuple[int, str, str]]:
    """Problems in an edited phases table: (row number as shown, column, what is expected)."""
    problems = []
    for i, r in enumerate(phases.itertuples(index=False), start=1):
        if pd.isna(r.start) or pd.isna(r.end):
            problems.append((i, "start/end", "dates"))
            continue
        if pd.Timestamp(r.end) < pd.Timestamp(r.start):
            problems.append((i, "end", "end_after_start"))
        for col in ("spend_multiplier", "response_multiplier"):
            v = getattr(r, col)
            if pd.isna(v) or not 0 <= float(v) <= 20:
                problems.append((i, col, "multiplier"))
    ordered = phases.dropna(subset=["start", "end"]).sort_values("start")
    prev_end = None
    for r in ordered.itertuples(index=False):
        if prev_end is not None and pd.Timestamp(r.start) <= prev_end:
            problems.append((int(phases.index[phases["phase"] == r.phase][0]) + 1, "start", "no_overlap"))
        prev_end = pd.Timestamp(r.end)
    return problems


def day_table(phases: pd.DataFrame, lang: str) -> pd.DataFrame:
    """date, phase, label, spend_multiplier, response_multiplier: one row per campaign day."""
    rows = []
    label_col = "label_zh" if lang == "zh" else "label_en"
    for r in phases.sort_values("start").itertuples(index=False):
        for d in pd.date_range(pd.Timestamp(r.start), pd.Timestamp(r.end), freq="D"):
            rows.append({"date": d, "phase": r.phase, "label": getattr(r, label_col),
                         "spend_multiplier": float(r.spend_multiplier), "response_multiplier": float(r.response_multiplier)})
    return pd.DataFrame(rows, columns=["date", "phase", "label", "spend_multiplier", "response_multiplier"])
