"""Campaign calendars as data: a campaign is a name and phases with dates and response multipliers.

A phase's multiplier scales every channel's response curve on the phase's days (``m·f(x)``);
``channel_multipliers`` override it for single channels. Days outside every phase are
:data:`REGULAR` (multiplier 1). Built-in templates (618, Double 11, 年货节) give the usual phase
dates of a year and default multipliers; both are meant to be edited, or the multipliers
estimated from a past campaign (:mod:`optimizer.campaign.multipliers`).

As a table (:func:`calendar_frame` / :func:`calendar_from_frame`), one row per phase and
channel override: ``campaign, phase, label_zh, label_en, start, end, channel, multiplier``
(``channel`` empty for the phase's own multiplier). The sample's ``calendar.csv`` (with
``response_multiplier``) reads as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from roimix.campaign_names import CAMPAIGN_LABELS, PHASE_LABELS
from roimix.errors import ScenarioError
from roimix.messages import Message

PHASES = ("preheat", "presale", "peak", "return")
REGULAR = "regular"
"""The phase name of days outside every phase."""
MAX_MULTIPLIER = 20.0
TEMPLATES = ("618", "double11", "nianhuo")
ALIASES = {"cny": "nianhuo", "双11": "double11", "double_11": "double11", "年货节": "nianhuo"}
SPRING_FESTIVAL = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
                   2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
"""Lunar New Year's day per year: 年货节 ends about a week before it, when couriers stop."""
DEFAULT_MULTIPLIERS = {
    "618": {"preheat": 0.85, "presale": 1.0, "peak": 1.5, "return": 1.05},
    "double11": {"preheat": 0.9, "presale": 1.0, "peak": 1.6, "return": 1.05},
    "nianhuo": {"preheat": 0.9, "presale": 1.05, "peak": 1.3, "return": 1.0},
}
"""Response multipliers of the templates (typical values; edit them or estimate them from history)."""
FRAME_COLUMNS = ["campaign", "phase", "label_zh", "label_en", "start", "end", "channel", "multiplier"]


class CalendarError(ScenarioError):
    """A campaign or phase is malformed; the message names it."""


def _labels(key: str, fallback: str) -> tuple[str, str]:
    """(zh, en) of a template campaign (``campaign.name.X``) or phase (``campaign.phase.X``), or the name itself."""
    kind, _, name = key.removeprefix("campaign.").partition(".")
    return (CAMPAIGN_LABELS if kind == "name" else PHASE_LABELS).get(name, (fallback, fallback))


def _as_date(value, edge: str, phase: str | None = None) -> date:
    """A date from a date, a timestamp or ISO text (``2026-06-18``, time of day ignored): the ``edge`` (start or end)
    of a phase, or of the horizon when ``phase`` is None."""
    if isinstance(value, datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return pd.Timestamp(value).date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        if phase is None:
            raise CalendarError(message=Message("plan.err.horizon.bad_date", {
                "edge": edge, "got": _plain(value)})) from None
        raise CalendarError(message=Message("plan.err.calendar.bad_date", {
            "phase": phase, "edge": edge, "got": _plain(value)})) from None


def _check_multiplier(phase: str, value, channel: str | None = None) -> float:
    """A phase's multiplier (or a channel's override in it), a number from 0 to :data:`MAX_MULTIPLIER`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not 0 <= value <= MAX_MULTIPLIER:
        if channel is None:
            raise CalendarError(message=Message("plan.err.calendar.multiplier", {
                "phase": phase, "high": MAX_MULTIPLIER, "got": _plain(value)}))
        raise CalendarError(message=Message("plan.err.calendar.channel_multiplier", {
            "phase": phase, "channel": channel, "high": MAX_MULTIPLIER, "got": _plain(value)}))
    return float(value)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Phase:
    """Days ``start``–``end`` (inclusive) on which every channel's response is ``multiplier ×`` its curve."""

    name: str
    start: date
    end: date
    multiplier: float = 1.0
    channel_multipliers: tuple[tuple[str, float], ...] = ()
    label_zh: str = ""
    label_en: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise CalendarError(message=Message("plan.err.calendar.phase_no_name", {"got": self.name}))
        if self.name == REGULAR:
            raise CalendarError(message=Message("plan.err.calendar.phase_regular", {"phase": self.name}))
        object.__setattr__(self, "start", _as_date(self.start, "start", self.name))
        object.__setattr__(self, "end", _as_date(self.end, "end", self.name))
        if self.end < self.start:
            raise CalendarError(message=Message("plan.err.calendar.phase_order", {
                "phase": self.name, "start": self.start.isoformat(), "end": self.end.isoformat()}))
        object.__setattr__(self, "multiplier", _check_multiplier(self.name, self.multiplier))
        pairs = tuple((str(c), _check_multiplier(self.name, m, str(c)))
                      for c, m in dict(self.channel_multipliers).items())
        object.__setattr__(self, "channel_multipliers", pairs)
        zh, en = _labels(f"campaign.phase.{self.name}", self.name)
        object.__setattr__(self, "label_zh", self.label_zh or zh)
        object.__setattr__(self, "label_en", self.label_en or en)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def multiplier_for(self, channel: str) -> float:
        return dict(self.channel_multipliers).get(channel, self.multiplier)

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Campaign:
    """A named campaign: phases in date order that do not overlap."""

    name: str
    phases: tuple[Phase, ...]
    label_zh: str = ""
    label_en: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise CalendarError(message=Message("plan.err.calendar.campaign_no_name", {}))
        phases = tuple(sorted(self.phases, key=lambda p: p.start))
        if not phases:
            raise CalendarError(message=Message("plan.err.calendar.no_phases", {"campaign": self.name}))
        names = [p.name for p in phases]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise CalendarError(message=Message("plan.err.calendar.phase_twice", {
                "campaign": self.name, "phase": twice[0]}))
        for before, after in zip(phases, phases[1:]):
            if after.start <= before.end:
                raise CalendarError(message=Message("plan.err.calendar.overlap", {
                    "campaign": self.name, "phase": before.name, "next_phase": after.name,
                    "start": after.start.isoformat(), "end": before.end.isoformat()}))
        object.__setattr__(self, "phases", phases)
        zh, en = _labels(f"campaign.name.{self.name}", self.name)
        object.__setattr__(self, "label_zh", self.label_zh or zh)
        object.__setattr__(self, "label_en", self.label_en or en)

    @property
    def start(self) -> date:
        return self.phases[0].start

    @property
    def end(self) -> date:
        return self.phases[-1].end

    def phase(self, name: str) -> Phase:
        for p in self.phases:
            if p.name == name:
                return p
        raise CalendarError(message=Message("plan.err.calendar.no_phase", {
            "campaign": self.name, "phase": name, "phases": ", ".join(self.phase_names)}))

    @property
    def phase_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.phases)

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def phase_of(self, dates) -> np.ndarray:
        """The phase name of each date (:data:`REGULAR` outside every phase)."""
        days = pd.to_datetime(pd.Series(dates)).dt.normalize().to_numpy()
        out = np.full(len(days), REGULAR, dtype=object)
        for p in self.phases:
            inside = (days >= np.datetime64(p.start)) & (days <= np.datetime64(p.end))
            out[inside] = p.name
        return out

    def multipliers(self, dates, channels) -> np.ndarray:
        """Response multiplier per (date, channel): the phase's (or the channel's override), 1 on regular days."""
        phase = self.phase_of(dates)
        channels = [str(c) for c in channels]
        out = np.ones((len(phase), len(channels)))
        for p in self.phases:
            rows = phase == p.name
            if rows.any():
                out[rows] = np.array([p.multiplier_for(c) for c in channels])[None, :]
        return out

    def with_multipliers(self, multipliers: dict[str, float]) -> Campaign:
        """This campaign with the named phases' multipliers replaced (channel overrides kept)."""
        unknown = sorted(set(multipliers) - set(self.phase_names))
        if unknown:
            raise CalendarError(message=Message("plan.err.calendar.no_phase", {
                "campaign": self.name, "phase": unknown[0], "phases": ", ".join(self.phase_names)}))
        return replace(self, phases=tuple(replace(p, multiplier=float(multipliers.get(p.name, p.multiplier)))
                                          for p in self.phases))


# --- templates -----------------------------------------------------------------------------------------


def template_dates(name: str, year: int) -> list[tuple[str, date, date]]:
    """(phase, start, end) of a built-in campaign in ``year``."""
    name = ALIASES.get(name, name)
    if name == "618":
        return [("preheat", date(year, 5, 20), date(year, 5, 30)), ("presale", date(year, 5, 31), date(year, 6, 15)),
                ("peak", date(year, 6, 16), date(year, 6, 18)), ("return", date(year, 6, 19), date(year, 6, 21))]
    if name == "double11":
        return [("preheat", date(year, 10, 20), date(year, 10, 23)), ("presale", date(year, 10, 24), date(year, 11, 9)),
                ("peak", date(year, 11, 10), date(year, 11, 11)), ("return", date(year, 11, 12), date(year, 11, 13))]
    if name == "nianhuo":
        if year not in SPRING_FESTIVAL:
            raise CalendarError(message=Message("plan.err.calendar.no_spring_festival", {
                "year": year, "first_year": min(SPRING_FESTIVAL), "last_year": max(SPRING_FESTIVAL)}))
        sf = SPRING_FESTIVAL[year]
        d = lambda n: sf - timedelta(days=n)  # noqa: E731
        return [("preheat", d(35), d(29)), ("presale", d(28), d(14)), ("peak", d(13), d(11)), ("return", d(10), d(8))]
    raise CalendarError(message=Message("plan.err.calendar.no_template", {
        "campaign": name, "templates": ", ".join(TEMPLATES)}))


def template(name: str, year: int, multipliers: dict[str, float] | None = None) -> Campaign:
    """A built-in campaign (``618``, ``double11``, ``nianhuo``) in ``year`` with default or given multipliers."""
    key = ALIASES.get(name, name)
    given = DEFAULT_MULTIPLIERS.get(key, {}) | dict(multipliers or {})
    phases = tuple(Phase(p, s, e, given.get(p, 1.0)) for p, s, e in template_dates(key, year))
    campaign = Campaign(key, phases)
    unknown = sorted(set(multipliers or {}) - set(campaign.phase_names))
    if unknown:
        raise CalendarError(message=Message("plan.err.calendar.no_phase", {
            "campaign": key, "phase": unknown[0], "phases": ", ".join(campaign.phase_names)}))
    return campaign


# --- as a table ----------------------------------------------------------------------------------------


def calendar_frame(campaign: Campaign) -> pd.DataFrame:
    """The campaign as a table: one row per phase (``channel`` empty), then one per channel override."""
    rows = []
    for p in campaign.phases:
        base = {"campaign": campaign.name, "phase": p.name, "label_zh": p.label_zh, "label_en": p.label_en,
                "start": pd.Timestamp(p.start), "end": pd.Timestamp(p.end)}
        rows.append(base | {"channel": "", "multiplier": p.multiplier})
        rows += [base | {"channel": c, "multiplier": m} for c, m in p.channel_multipliers]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def calendar_from_frame(frame: pd.DataFrame, name: str | None = None) -> Campaign:
    """A campaign from its table (:func:`calendar_frame`'s columns; ``response_multiplier`` is read as
    ``multiplier``). A table with several campaigns needs ``name``. Errors name the row."""
    df = frame.copy()
    if "multiplier" not in df.columns and "response_multiplier" in df.columns:
        df["multiplier"] = df["response_multiplier"]
    missing = [c for c in ("phase", "start", "end", "multiplier") if c not in df.columns]
    if missing:
        raise CalendarError(message=Message("plan.err.calendar.missing_columns", {"columns": ", ".join(missing)}))
    if "campaign" not in df.columns:
        df["campaign"] = name or "campaign"
    df["campaign"] = df["campaign"].astype(str)
    names = list(dict.fromkeys(df["campaign"]))
    if name is None and len(names) > 1:
        raise CalendarError(message=Message("plan.err.calendar.which_campaign", {"campaigns": ", ".join(names)}))
    chosen = name if name is not None else names[0]
    df = df[df["campaign"] == str(chosen)]
    if df.empty:
        raise CalendarError(message=Message("plan.err.calendar.no_campaign", {
            "campaign": str(chosen), "campaigns": ", ".join(names)}))
    channel = df["channel"] if "channel" in df.columns else pd.Series("", index=df.index)
    channel = channel.fillna("").astype(str).str.strip()
    phases = []
    for phase_name, part in df.groupby("phase", sort=False):
        own = part[channel[part.index] == ""]
        if len(own) != 1:
            raise CalendarError(message=Message("plan.err.calendar.phase_row", {"phase": str(phase_name)}))
        r = own.iloc[0]
        overrides = tuple((c, _number(m, str(phase_name), c))
                          for c, m in zip(channel[part.index][channel[part.index] != ""],
                                          part.loc[channel[part.index] != "", "multiplier"]))
        phases.append(Phase(str(phase_name), r["start"], r["end"], _number(r["multiplier"], str(phase_name)),
                            overrides, _text(r.get("label_zh")), _text(r.get("label_en"))))
    return Campaign(str(chosen), tuple(phases))


def _number(value, phase: str, channel: str | None = None) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        if channel is None:
            raise CalendarError(message=Message("plan.err.calendar.multiplier_not_number", {
                "phase": phase, "got": _plain(value)})) from None
        raise CalendarError(message=Message("plan.err.calendar.channel_multiplier_not_number", {
            "phase": phase, "channel": channel, "got": _plain(value)})) from None


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
