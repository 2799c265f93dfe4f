"""A scenario file's sections as frozen dataclasses that check themselves.

Each field carries its kind in ``metadata`` (number, integer, bool, text, date, path, texts,
choice, share-or-off, multipliers, bounds); :func:`build` turns a parsed TOML table into a section,
rejecting an unknown key with a one-line message that names the key, the file and the closest
valid key. Paths are resolved against the scenario file's folder.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

from attribution.models import PATH_MODELS
from optimizer.scenario import OBJECTIVES
from roimix.errors import ScenarioError
from roimix.messages import Message
from roimix.settings import BREAK_EVEN, BREAK_EVEN_WORDS, MAX_RESERVE_SHARE, PlanSettings, SettingsError, default


def _f(kind: str, default=None, **spec):
    return field(default=default, metadata={"kind": kind, **spec})


def _texts():
    return field(default=(), metadata={"kind": "texts"})


@dataclass(frozen=True)
class DataSection:
    """Raw logs for a fit (``curves.source = "fit"``) and the channels table (groups, key platforms, labels).
    With ``outcome`` (the shop's total GMV per day or week) the fit is aggregate mode's (``roimix fit``): spend
    against the outcome, touchpoints and conversions optional (partial journeys)."""

    touchpoints: Path | None = _f("path")
    conversions: Path | None = _f("path")
    spend: Path | None = _f("path")
    channels: Path | None = _f("path")
    lift_tests: Path | None = _f("path")
    outcome: Path | None = _f("path")


@dataclass(frozen=True)
class AttributionSection:
    """The model whose credit is each curve's prior (models computed from paths)."""

    model: str = _f("choice", "incremental", choices=PATH_MODELS)
    lookback_days: int = _f("integer", 30, low=1, high=365)
    use_prior: bool = _f("bool", True)


@dataclass(frozen=True)
class CurvesSection:
    """``source``: ``fit`` (the pipeline on ``[data]``) or ``file`` (a curves table at ``file``)."""

    source: str = _f("choice", "fit", choices=("fit", "file"))
    file: Path | None = _f("path")
    current_window_days: int | None = _f("integer", low=1, high=3650)
    margin: float = _f("number", default("margin"), low=0.0, high=1.0)
    default_lag_days: float = _f("number", 1.0, low=0.0, high=60.0)
    bootstrap: int = _f("integer", 400, low=0, high=2000)
    """curve draws of the fit (half choose the plan, the other half state its P10–P90 gain over the even plan); 0: none"""

    def __post_init__(self):
        if self.source == "file" and self.file is None:
            raise ScenarioError(message=Message("plan.err.scenario.curves_file", {}))


@dataclass(frozen=True)
class ObjectiveSection:
    kind: str = _f("choice", default("objective"), choices=OBJECTIVES)
    target_gmv: float | None = _f("number", low=0.0)
    """GMV to reach over the whole horizon (objective min_spend)."""
    risk: str = _f("risk", default("risk"))
    """how the plan weighs the curves' uncertainty when they have draws: ``mean`` (the estimate) or ``cvar:LEVEL``
    (the mean gain over the worst 1 − LEVEL share of curve draws; the default, as for daily plans)"""

    def __post_init__(self):
        if self.kind == "min_spend" and self.target_gmv is None:
            raise ScenarioError(message=Message("plan.err.scenario.target_gmv", {}))


@dataclass(frozen=True)
class BudgetSection:
    """The budget over the whole horizon: ``total`` yuan, or ``times_current`` × current daily spend × days."""

    total: float | None = _f("number", low=0.0)
    times_current: float | None = _f("number", low=0.0, high=100.0)
    sense: str | None = _f("choice", choices=("eq", "le"))
    reserve: float = _f("number", default("reserve_share"), low=0.0, high=MAX_RESERVE_SHARE)

    def __post_init__(self):
        if self.total is not None and self.times_current is not None:
            raise ScenarioError(message=Message("plan.err.scenario.budget_both", {}))
        for key in ("total", "times_current"):  # ¥0 plans nothing: a reason, not "ROI 1.80 → 2.34"
            value = getattr(self, key)
            if value is not None and not value > 0:
                raise ScenarioError(message=Message("plan.err.scenario.budget_not_positive", {
                    "key": f"budget.{key}", "value": float(value)}))


@dataclass(frozen=True)
class HorizonSection:
    """Days to plan (default: the campaign's own days)."""

    start: date | None = _f("date")
    end: date | None = _f("date")


@dataclass(frozen=True)
class CalendarSection:
    """A built-in ``template`` (618, double11, nianhuo; ``none`` for no campaign) in ``year``, or a ``file``.

    ``estimate``: estimate the phases' multipliers from the campaign of ``history_year`` (default:
    the last one the history covers) in the fitted history; ``multipliers`` (phase = number) are
    given by the user and win over both estimates and template defaults.
    """

    template: str = _f("choice", "none", choices=("618", "double11", "nianhuo", "none"))
    year: int | None = _f("integer", low=2000, high=2100)
    file: Path | None = _f("path")
    estimate: bool = _f("bool", False)
    history_year: int | None = _f("integer", low=2000, high=2100)
    weekend_multiplier: float = _f("number", 1.0, low=0.01, high=5.0)
    multipliers: tuple[tuple[str, float], ...] = _f("multipliers", ())

    def __post_init__(self):
        if self.template != "none" and self.file is not None:
            raise ScenarioError(message=Message("plan.err.scenario.calendar_both", {}))
        if self.template != "none" and self.year is None:
            raise ScenarioError(message=Message("plan.err.scenario.calendar_year", {}))


@dataclass(frozen=True)
class BoundsEntry:
    """Spend limits on selected cells (``[[rules.bounds]]``), relative to current daily spend by default."""

    name: str = _f("text", "")
    channels: tuple[str, ...] = _texts()
    segments: tuple[str, ...] = _texts()
    groups: tuple[str, ...] = _texts()
    lower: float | None = _f("number", low=0.0)
    upper: float | None = _f("number", low=0.0)
    relative: bool = _f("bool", True)
    per: str = _f("choice", "cell", choices=("cell", "total"))

    def __post_init__(self):
        if self.lower is None and self.upper is None:
            raise ScenarioError(message=Message("plan.err.scenario.bounds_limit", {}))


@dataclass(frozen=True)
class RulesSection:
    """Business and pacing rules; a cap or limit set to ``false`` is switched off."""

    new_product_cap: float | None = _f("share_or_off", default("new_product_cap"))
    new_customer_cap: float | None = _f("share_or_off", default("new_customer_cap"))
    per_phase: bool = _f("bool", False)
    key_daily_min: float | None = _f("number_or_off", 0.5, low=0.0, high=100.0)
    max_daily_change: float | None = _f("number_or_off", None, low=0.0, high=100.0)
    change_applies_to: str = _f("choice", "key", choices=("key", "all"))
    non_key_focus: str = _f("choice", "none", choices=("none", "weekends", "peak", "weekends+peak"))
    non_key_offday_share: float = _f("number", 0.0, low=0.0, high=1.0)
    roi_floor: float | str | None = _f("roi_floor")
    """an incremental ROAS ≥ 0, or "break-even" / "保本" (margin × GMV ≥ spend)"""
    roi_floor_per: str = _f("choice", "total", choices=("total", "channel"))
    locks: tuple[str, ...] = _texts()
    bounds: tuple[BoundsEntry, ...] = _f("bounds", ())


@dataclass(frozen=True)
class PlatformsSection:
    """The plan's ad-platform settings (its 投放设置 sheet, :mod:`roimix.platforms`): ``limits``, a platform limits
    file over roimix's defaults; ``history``, a spend history with ``platform_gmv`` for the suggested ROI targets
    (default ``data.spend``). ``roimix batch --platform-limits/--platform-history`` win over both."""

    limits: Path | None = _f("path")
    history: Path | None = _f("path")


SECTIONS = {
    "data": DataSection, "attribution": AttributionSection, "curves": CurvesSection, "objective": ObjectiveSection,
    "budget": BudgetSection, "horizon": HorizonSection, "calendar": CalendarSection, "rules": RulesSection,
    "platforms": PlatformsSection,
}
TOP_KEYS = ("name", "description")


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario file, checked, with paths resolved and overrides applied."""

    name: str
    file: Path
    description: str = ""
    data: DataSection = DataSection()
    attribution: AttributionSection = AttributionSection()
    curves: CurvesSection = CurvesSection()
    objective: ObjectiveSection = ObjectiveSection()
    budget: BudgetSection = BudgetSection()
    horizon: HorizonSection = HorizonSection()
    calendar: CalendarSection = CalendarSection()
    rules: RulesSection = RulesSection()
    platforms: PlatformsSection = PlatformsSection()
    overrides: tuple[str, ...] = ()
    given: frozenset[str] = frozenset()
    """``section.key`` of every value the file or an override set (the rest are defaults)."""


def valid_keys(cls) -> list[str]:
    return [f.name for f in fields(cls)]


def unknown_key(where: str, key: str, valid, file: str) -> ScenarioError:
    """``618.toml: unknown key 'budget.totl' (did you mean 'budget.total'?)``"""
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    full = f"{where}.{key}" if where else key
    if close:
        return ScenarioError(message=Message("plan.err.scenario.unknown_key_close", {
            "file": file, "key": full, "close": f"{where}.{close[0]}" if where else close[0]}))
    return ScenarioError(message=Message("plan.err.scenario.unknown_key", {
        "file": file, "key": full, "keys": ", ".join(valid)}))


def build(cls, table, where: str, file: str, base: Path):
    """A section of type ``cls`` from a TOML table; every problem is a one-line :class:`ScenarioError`."""
    if not isinstance(table, dict):
        raise ScenarioError(message=Message("plan.err.scenario.not_table", {
            "file": file, "key": where, "got": _show(table)}))
    known = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in known:
            raise unknown_key(where, key, list(known), file)
    values = {}
    for name, value in table.items():
        values[name] = _coerce(known[name], value, f"{where}.{name}", file, base)
    try:
        return cls(**values)
    except ScenarioError as err:  # a section's own check: its reason, in the file
        raise ScenarioError(message=Message("plan.err.scenario.in_file", {
            "file": file, "error": err.message if err.message is not None else str(err)})) from None


def _coerce(f, value, key: str, file: str, base: Path):
    kind = f.metadata["kind"]
    spec = f.metadata
    got = _show(value)

    if kind in ("share_or_off", "number_or_off") and value is False:
        return None
    if kind in ("number", "share_or_off", "number_or_off"):
        low, high = (0.0, 1.0) if kind == "share_or_off" else (spec.get("low"), spec.get("high"))
        off = kind.endswith("_or_off")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            if off:
                raise ScenarioError(message=Message("plan.err.scenario.number_or_off", {
                    "file": file, "key": key, "got": got}))
            raise ScenarioError(message=Message("plan.err.scenario.number", {"file": file, "key": key, "got": got}))
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                raise ScenarioError(message=Message("plan.err.scenario.at_least", {
                    "file": file, "key": key, "low": float(low), "got": got}))
            if off:
                raise ScenarioError(message=Message("plan.err.scenario.between_or_off", {
                    "file": file, "key": key, "low": float(low), "high": float(high), "got": got}))
            raise ScenarioError(message=Message("plan.err.scenario.between", {
                "file": file, "key": key, "low": float(low), "high": float(high), "got": got}))
        return float(value)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(message=Message("plan.err.scenario.integer", {"file": file, "key": key, "got": got}))
        if not spec.get("low", -math.inf) <= value <= spec.get("high", math.inf):
            raise ScenarioError(message=Message("plan.err.scenario.between", {
                "file": file, "key": key, "low": spec["low"], "high": spec["high"], "got": got}))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ScenarioError(message=Message("plan.err.scenario.bool", {"file": file, "key": key, "got": got}))
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise ScenarioError(message=Message("plan.err.scenario.text", {"file": file, "key": key, "got": got}))
        return value
    if kind == "roi_floor":
        if isinstance(value, str) and value.strip().lower().replace("_", "-") in BREAK_EVEN_WORDS:
            return BREAK_EVEN
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ScenarioError(message=Message("plan.err.scenario.roi_floor", {
                "file": file, "key": key, "word": BREAK_EVEN, "got": got}))
        return float(value)
    if kind == "risk":
        if not isinstance(value, str):
            raise ScenarioError(message=Message("plan.err.scenario.risk", {"file": file, "key": key, "got": got}))
        try:  # read as the one settings model reads it
            return PlanSettings(objective="profit", risk=value).risk
        except SettingsError:
            raise ScenarioError(message=Message("plan.err.scenario.risk", {"file": file, "key": key, "got": got})) \
                from None
    if kind == "choice":
        if value not in spec["choices"]:
            raise ScenarioError(message=Message("plan.err.scenario.choice", {
                "file": file, "key": key, "choices": ", ".join(f'"{c}"' for c in spec["choices"]), "got": got}))
        return value
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ScenarioError(message=Message("plan.err.scenario.date", {"file": file, "key": key, "got": got}))
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ScenarioError(message=Message("plan.err.scenario.path", {"file": file, "key": key, "got": got}))
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    if kind == "texts":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScenarioError(message=Message("plan.err.scenario.texts", {"file": file, "key": key, "got": got}))
        return tuple(value)
    if kind == "multipliers":
        if not isinstance(value, dict):
            raise ScenarioError(message=Message("plan.err.scenario.multipliers", {
                "file": file, "key": key, "got": got}))
        out = []
        for phase, m in value.items():
            if isinstance(m, bool) or not isinstance(m, (int, float)) or not (0 <= m <= 20):
                raise ScenarioError(message=Message("plan.err.scenario.between", {
                    "file": file, "key": f"{key}.{phase}", "low": 0.0, "high": 20.0, "got": _show(m)}))
            out.append((str(phase), float(m)))
        return tuple(out)
    if kind == "bounds":
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise ScenarioError(message=Message("plan.err.scenario.bounds", {"file": file, "key": key, "got": got}))
        return tuple(build(BoundsEntry, v, f"{key}[{i}]", file, base) for i, v in enumerate(value))
    raise AssertionError(f"unknown field kind {kind!r}")  # pragma: no cover - a programming error


def _show(value) -> str:
    """What the file gave, as TOML would write it (a table as ``{…}``): the same in every language."""
    return f"'{value}'" if isinstance(value, str) else ("{…}" if isinstance(value, dict) else repr(value))


def defaults(cls) -> dict:
    """Each field's default (for documentation and the assumptions sheet)."""
    return {f.name: (f.default if f.default is not MISSING else None) for f in fields(cls)}
