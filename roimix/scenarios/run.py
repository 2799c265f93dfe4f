"""Run a scenario: data → curves (fitted or from a file) → calendar (estimated multipliers) → daily plan.

This is where a scenario touches files; the planning itself is :mod:`optimizer.campaign`. A
:class:`FitCache` passed by the caller lets many scenarios on the same data share one fit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

import pandas as pd

from optimizer import Bounds, Lock, Select, traffic_unknown
from optimizer.campaign import (
    Campaign, CampaignPlanner, CampaignResult, CampaignScenario, DailyRules, Horizon, apply_estimates,
    calendar_from_frame, estimate_multipliers, template, template_dates,
)
from optimizer.draws import Outcome, unfit_levels_zeroed
from roimix.errors import ScenarioError
from roimix.messages import Message
from roimix.curve_files import read_draws
from roimix.export.finance import Context, FinanceTables, campaign_tables
from roimix.settings import PlanSettings, campaign_scenario
from roimix.tables import CHANNELS, CURVES, read_table
from roimix.text import percent, t, word

from .spec import ScenarioSpec

LAG_COLUMNS = ("lag_mean_periods", "lag_mean_days")
PACING = ("per_phase", "key_daily_min", "max_daily_change", "change_applies_to", "non_key_focus",
          "non_key_offday_share", "locks")
"""The scenario's pacing rules (``[rules]`` keys) its assumptions sheet names, each worded as ``plan.assume.rule.<key>``."""


@dataclass
class FitCache:
    """Fitted pipelines by their inputs and settings, shared by the scenarios of one run."""

    fits: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario's plan with everything a report needs about how it was made."""

    spec: ScenarioSpec
    plan: CampaignResult
    flat: CampaignResult | None
    campaign: Campaign | None
    estimates: pd.DataFrame | None
    curves: pd.DataFrame
    channels: pd.DataFrame | None
    inputs: tuple[tuple[str, str], ...]
    settings: PlanSettings
    """the plan settings the scenario file gave (money over the horizon's days), with the risk the plan was made
    with (the mean when the curves have no draws)"""
    horizon: Horizon
    curve_source: Message
    """where the curves came from (a text key and its values)"""
    phase_sources: dict
    """phase → where its multiplier came from (a :class:`Message`, worded in the assumptions' language)"""
    warnings: tuple[Message, ...] = ()
    """the fit's and the rules' warnings (keys and values; :func:`roimix.text.pipeline.render_warning` words them)"""
    outcome: Outcome | None = None
    """the plan's gain over the even plan across the fit's curve draws it was not chosen on (None without draws)"""

    def campaign_label(self, lang: str) -> str:
        return "" if self.campaign is None else f"{self.campaign.label(lang)} {self.campaign.start.year}"

    def assumptions(self, lang: str = "en") -> tuple[tuple[str, str, str], ...]:
        """(item, value, source) in ``lang``: the settings' rows as every face writes them
        (:func:`roimix.report.assumptions.settings_rows`), then what is the scenario's own: the curves, each
        channel's carry-over lag, carry-in and carry-out, the horizon, the phases, the weekend multiplier, the
        pacing rules and the command line's overrides."""
        return _assumptions(self, lang)

    def finance(self, lang: str = "en", made_at: str = "") -> FinanceTables:
        labels = {}
        if self.channels is not None:
            col = "label_zh" if lang == "zh" else "label_en"
            if col in self.channels.columns:
                labels = {str(c): str(v) for c, v in zip(self.channels["channel"], self.channels[col]) if pd.notna(v)}
        context = Context(self.spec.name, self.campaign_label(lang), made_at, f"roimix {_version()}", self.inputs,
                          self.assumptions(lang), labels, lang)
        return campaign_tables(self.plan, context, flat=self.flat, outcome=self.outcome)


def run_scenario(spec: ScenarioSpec, cache: FitCache | None = None, *, flat: bool = True) -> ScenarioRun:
    """Plan ``spec``; a bad input raises :class:`ScenarioError` (or ``TableError``) naming it."""
    ready = prepare_scenario(spec, cache)
    planner = ready.planner()
    plan = planner.solve(ready.setup)
    flat_plan = planner.solve(ready.setup, flat=True) if flat and plan.solved else None
    outcome = planner.outcome(plan, flat_plan)  # on the draws the plan was not chosen on
    return ready.run(plan, flat_plan, outcome)


@dataclass(frozen=True)
class PreparedScenario:
    """Everything a scenario's plan is made from, before it is solved: the curves, the calendar, the horizon,
    the rules (``setup``) and the planner's options (weekend multiplier, default lag, the curve draws).
    :func:`run_scenario` solves it; ``roimix replan`` re-plans the rest of its campaign with the same."""

    spec: ScenarioSpec
    curves: pd.DataFrame
    channels: pd.DataFrame | None
    campaign: Campaign | None
    estimates: pd.DataFrame | None
    horizon: Horizon
    setup: CampaignScenario
    settings: PlanSettings
    planner_options: dict
    source: Message
    phase_sources: dict
    warnings: tuple[Message, ...]

    def planner(self) -> CampaignPlanner:
        return CampaignPlanner(self.curves, self.horizon, self.campaign, **self.planner_options)

    def run(self, plan: CampaignResult, flat: CampaignResult | None = None, outcome: Outcome | None = None, *,
            horizon: Horizon | None = None, settings: PlanSettings | None = None) -> ScenarioRun:
        """The :class:`ScenarioRun` of ``plan`` (made from this scenario over ``horizon``, default its own)."""
        settings = settings if settings is not None else self.settings
        settings = replace(settings, risk=self.setup.objective.risk.describe())  # the risk the plan was made with
        return ScenarioRun(self.spec, plan, flat, self.campaign, self.estimates, self.curves, self.channels,
                           _inputs(self.spec), settings, horizon or self.horizon, self.source, self.phase_sources,
                           self.warnings, outcome)


def prepare_scenario(spec: ScenarioSpec, cache: FitCache | None = None) -> PreparedScenario:
    """The curves (fitted once per ``cache``), calendar, horizon and rules of ``spec``, not yet solved; a bad
    input raises :class:`ScenarioError` (or ``TableError``) naming it."""
    cache = cache if cache is not None else FitCache()
    channels = _read(spec.data.channels, CHANNELS, "data.channels") if spec.data.channels else None
    curves, fit, source, draws, draw_notes = _curves(spec, channels, cache)
    new_customer_cap, traffic_warnings = _new_customer_cap(spec, curves)
    campaign, estimates, phase_sources = _campaign(spec, fit)
    horizon = _horizon(spec, campaign)
    has_draws = draws is not None and len(draws) > 0
    settings = plan_settings(spec, curves, horizon, new_customer_cap)
    if "objective.risk" in spec.given and settings.risk != "mean" and not has_draws and spec.objective.kind != "min_spend":
        raise ScenarioError(message=Message("plan.err.scenario.risk_without_draws", {
            "file": str(spec.file), "risk": settings.risk}))
    setup = _setup(spec, curves, horizon, new_customer_cap, has_draws)
    options = {"weekend_multiplier": spec.calendar.weekend_multiplier,
               "default_lag_days": spec.curves.default_lag_days,
               "draws": unfit_levels_zeroed(draws, curves) if has_draws else None}
    warnings = (tuple(fit.warnings) if fit is not None else ()) + traffic_warnings + draw_notes
    return PreparedScenario(spec, curves, channels, campaign, estimates, horizon, setup, settings, options, source,
                            phase_sources, warnings)


# --- curves ---------------------------------------------------------------------------------------------


def _read(path: Path, contract, key: str) -> pd.DataFrame:
    if not Path(path).is_file():
        raise ScenarioError(message=Message("plan.err.scenario.missing_file", {"key": key, "path": str(path)}))
    return read_table(path, contract, name=str(path))


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if Path(path).suffix.lower() in (".parquet", ".pq") else \
        pd.read_csv(path, encoding="utf-8-sig", sep=None, engine="python")


def _curves(spec: ScenarioSpec, channels: pd.DataFrame | None, cache: FitCache):
    c = spec.curves
    if c.source == "file":
        frame = _read(c.file, CURVES, "curves.file")
        raw = _raw(c.file)
        for col in LAG_COLUMNS:
            if col in raw.columns:
                lag = raw[["channel", col]].assign(channel=raw["channel"].astype(str))
                lag = lag.drop_duplicates("channel").set_index("channel")[col]
                frame[col] = frame["channel"].astype(str).map(lag)
        frame["margin"] = frame["margin"].fillna(c.margin)
        fit, source = None, Message("plan.source.curves_file", {"file": c.file.name})
        found = read_draws(c.file)  # the draws its fit wrote beside it (roimix.curve_files)
        draws = found.draws
        notes = (Message("optimizer.cli.draws_stale", {"path": str(found.path), "curves": str(c.file)}),) \
            if found.state == "stale" else ()
    elif spec.data.outcome is not None:  # aggregate mode: spend against the shop's GMV, as `roimix fit`
        result = _fit_aggregate(spec, cache)
        frame, fit, draws = result.curves.copy(), result.fit, result.draws
        own = result.warnings[:len(result.warnings) - len(fit.warnings)]  # its notes before the fit's (kept below)
        notes = tuple(w for w in own if w.key != "aggregate.period")  # the period is in the curves' source
        period = Message("aggregate.period.weekly" if result.period_days == 7 else "aggregate.period.daily", {})
        source = Message("plan.source.aggregate", {"file": spec.data.outcome.name, "period": period})
    else:
        result = _fit(spec, cache)
        frame, fit, draws, notes = result.curves.copy(), result.fit, result.draws, ()
        source = Message("plan.source.fitted", {"model": spec.attribution.model,
                                                "lookback_days": spec.attribution.lookback_days})
    if channels is not None:
        known = channels.set_index(channels["channel"].astype(str))
        for col in ("group", "key_platform"):
            from_table = frame["channel"].astype(str).map(known[col])
            frame[col] = frame[col].where(frame[col].notna(), from_table) if col in frame.columns else from_table
    return frame, fit, source, draws, notes


def _fit(spec: ScenarioSpec, cache: FitCache):
    from response import FitSettings
    from roimix.pipeline import PipelineSettings, run_pipeline

    d = spec.data
    for key in ("touchpoints", "conversions", "spend"):
        path = getattr(d, key)
        if path is None:
            raise ScenarioError(message=Message("plan.err.scenario.fit_needs_logs", {"key": f"data.{key}"}))
        if not path.is_file():
            raise ScenarioError(message=Message("plan.err.scenario.missing_file", {
                "key": f"data.{key}", "path": str(path)}))
    settings = PipelineSettings(lookback_days=spec.attribution.lookback_days, model=spec.attribution.model,
                                use_prior=spec.attribution.use_prior,
                                current_window_days=spec.curves.current_window_days,
                                default_margin=spec.curves.margin, fit=FitSettings(n_bootstrap=spec.curves.bootstrap))
    key = (d.touchpoints, d.conversions, d.spend, d.channels, d.lift_tests, settings.lookback_days, settings.model,
           settings.use_prior, settings.current_window_days, settings.default_margin, spec.curves.bootstrap)
    if key not in cache.fits:
        cache.fits[key] = run_pipeline(d.touchpoints, d.conversions, d.spend, channels=d.channels,
                                       lift_tests=d.lift_tests, settings=settings)
    return cache.fits[key]


def _fit_aggregate(spec: ScenarioSpec, cache: FitCache):
    """Aggregate mode's fit (:func:`roimix.aggregate.run_aggregate`) on ``data.spend`` and ``data.outcome``, with
    the partial journeys when both ``data.touchpoints`` and ``data.conversions`` are given; once per ``cache``."""
    from roimix.aggregate import AggregateSettings, run_aggregate

    d = spec.data
    if d.spend is None:
        raise ScenarioError(message=Message("plan.err.scenario.fit_needs_logs", {"key": "data.spend"}))
    if (d.touchpoints is None) != (d.conversions is None):
        missing = "data.conversions" if d.conversions is None else "data.touchpoints"
        raise ScenarioError(message=Message("plan.err.scenario.partial_journeys", {"key": missing}))
    for key in ("spend", "outcome", "touchpoints", "conversions", "lift_tests", "channels"):
        path = getattr(d, key)
        if path is not None and not path.is_file():
            raise ScenarioError(message=Message("plan.err.scenario.missing_file", {"key": f"data.{key}",
                                                                                   "path": str(path)}))
    if "curves.bootstrap" in spec.given:  # aggregate mode sets its draws by the data's period, as `roimix plan`
        raise ScenarioError(message=Message("plan.err.scenario.bootstrap_aggregate", {}))
    for key in ("attribution.model", "attribution.use_prior"):  # no attribution prior here: not silently ignored
        if key in spec.given:
            raise ScenarioError(message=Message("plan.err.scenario.attribution_aggregate", {"key": key}))
    settings = AggregateSettings(current_window_days=spec.curves.current_window_days,
                                 default_margin=spec.curves.margin, lookback_days=spec.attribution.lookback_days)
    key = ("aggregate", d.spend, d.outcome, d.touchpoints, d.conversions, d.channels, d.lift_tests, settings)
    if key not in cache.fits:
        cache.fits[key] = run_aggregate(d.spend, d.outcome, lift_tests=d.lift_tests, channels=d.channels,
                                        touchpoints=d.touchpoints, conversions=d.conversions, settings=settings)
    return cache.fits[key]


# --- calendar, horizon, rules ---------------------------------------------------------------------------


def _campaign(spec: ScenarioSpec, fit) -> tuple[Campaign | None, pd.DataFrame | None, dict[str, str]]:
    cal = spec.calendar
    if cal.file is not None:
        if not cal.file.is_file():
            raise ScenarioError(message=Message("plan.err.scenario.missing_file", {
                "key": "calendar.file", "path": str(cal.file)}))
        campaign = calendar_from_frame(_raw(cal.file))
        sources = {p: Message("plan.source.calendar_file", {"file": cal.file.name}) for p in campaign.phase_names}
    elif cal.template != "none":
        campaign = template(cal.template, cal.year)
        sources = {p: Message("plan.source.template") for p in campaign.phase_names}
    else:
        if cal.estimate or cal.multipliers:
            raise ScenarioError(message=Message("plan.err.scenario.needs_campaign", {}))
        return None, None, {}
    estimates = None
    if cal.estimate:
        if fit is None:
            raise ScenarioError(message=Message("plan.err.scenario.estimate_needs_fit", {}))
        past = _past_campaign(spec, campaign, fit)
        estimates = estimate_multipliers(fit.decomposition, past)
        campaign = apply_estimates(campaign, estimates)
        for row in estimates.itertuples(index=False):
            if row.method == "regression":
                sources[row.phase] = Message("plan.source.estimated", {
                    "year": past.start.year, "n_days": int(row.days), "estimate_x": float(row.estimate),
                    "estimate_se": float(row.estimate_std_error), "given_x": float(row.given),
                    "se": float(row.std_error)})
            else:
                sources[row.phase] = Message("plan.source.not_estimated", {
                    "source": sources[row.phase], "reason": _kept_reason(row)})
    if cal.multipliers:
        campaign = campaign.with_multipliers(dict(cal.multipliers))
        sources |= {p: Message("plan.source.scenario_file") for p, _ in cal.multipliers}
    return campaign, estimates, sources


def _kept_reason(row) -> Message:
    """Why a phase's given multiplier was kept (the estimate's ``kept_because`` code)."""
    from optimizer.campaign.multipliers import MIN_ROWS

    if row.kept_because == "few_rows":
        return Message("plan.source.kept.few_rows", {"n_rows": int(row.rows), "need": MIN_ROWS})
    if row.kept_because == "collinear":
        return Message("plan.source.kept.collinear", {"condition": float(row.condition)})
    return Message("plan.source.kept.no_incremental")


def _past_campaign(spec: ScenarioSpec, campaign: Campaign, fit) -> Campaign:
    """The same campaign in the history: the template in ``history_year`` (default the last one the history
    covers), or a calendar file's own dates."""
    dates = pd.to_datetime(fit.decomposition["date"])
    first, last = dates.min().date(), dates.max().date()
    if spec.calendar.template == "none":
        return campaign
    years = [spec.calendar.history_year] if spec.calendar.history_year else range(last.year, first.year - 1, -1)
    for year in years:
        phases = template_dates(spec.calendar.template, year)
        if phases[0][1] >= first and phases[-1][2] <= last:
            return template(spec.calendar.template, year)
    if spec.calendar.history_year:
        raise ScenarioError(message=Message("plan.err.scenario.no_past_campaign_in", {
            "first": first.isoformat(), "last": last.isoformat(), "campaign": spec.calendar.template,
            "year": spec.calendar.history_year}))
    raise ScenarioError(message=Message("plan.err.scenario.no_past_campaign", {
        "first": first.isoformat(), "last": last.isoformat(), "campaign": spec.calendar.template}))


def _horizon(spec: ScenarioSpec, campaign: Campaign | None) -> Horizon:
    h = spec.horizon
    start = h.start or (campaign.start if campaign else None)
    end = h.end or (campaign.end if campaign else None)
    if start is None or end is None:
        raise ScenarioError(message=Message("plan.err.scenario.horizon_missing", {
            "key": f"horizon.{'start' if start is None else 'end'}"}))
    return Horizon(start, end)


def _new_customer_cap(spec: ScenarioSpec, curves: pd.DataFrame) -> tuple[float | None, tuple[Message, ...]]:
    """The new-customer cap to plan with. Cells without clicks (unknown CPC, :func:`optimizer.traffic_unknown`)
    cannot be checked against it: a cap the file sets is a :class:`ScenarioError` naming the columns; the
    default cap is dropped with a warning. Unknown cells get placeholder traffic the rules then never read."""
    cap = spec.rules.new_customer_cap
    unknown = traffic_unknown(curves)
    if not unknown.any() or cap is None:
        if unknown.any():
            curves.loc[unknown, ["cpc", "new_customer_share"]] = (1.0, 0.0)
        return cap, ()
    cells = tuple(f"{c}/{s}" for c, s in zip(curves.loc[unknown, "channel"], curves.loc[unknown, "segment"]))
    source, columns = ((f"curves.file {spec.curves.file}", "cpc, new_customer_share") if spec.curves.source == "file"
                       else (f"data.spend {spec.data.spend}", "clicks, new_customer_clicks"))
    if "rules.new_customer_cap" in spec.given:
        raise ScenarioError(message=Message("plan.err.scenario.new_customer_needs_clicks", {
            "source": source, "columns": columns, "cells": ", ".join(cells)}))
    curves.loc[unknown, ["cpc", "new_customer_share"]] = (1.0, 0.0)
    return None, (Message("optimizer.cli.new_customer_dropped",
                          {"share": cap, "file": source, "columns": columns, "cells": cells}),)


def plan_settings(spec: ScenarioSpec, curves: pd.DataFrame, horizon: Horizon,
                  new_customer_cap: float | None) -> PlanSettings:
    """The plan settings of a scenario file over ``horizon`` (money over the horizon's days)."""
    b, r, o = spec.budget, spec.rules, spec.objective
    channels = set(curves["channel"].astype(str))
    current = float(pd.to_numeric(curves["current_spend"]).sum()) * horizon.n_days
    total = b.total if b.total is not None else (b.times_current * current if b.times_current is not None else None)
    if total is None and o.kind == "gmv":
        raise ScenarioError(message=Message("plan.err.scenario.gmv_needs_budget", {}))
    extra = []
    for i, entry in enumerate(r.bounds, start=1):
        _known(entry.channels, channels, f"rules.bounds[{i - 1}].channels")
        extra.append(Bounds(entry.name or f"bounds {i}", entry.lower, entry.upper, entry.relative, entry.per,
                            Select(entry.channels, entry.segments, entry.groups)))
    if r.locks:
        _known(r.locks, channels, "rules.locks")
        extra.append(Lock("locked channels", Select(channels=r.locks)))
    return PlanSettings(objective=o.kind, budget_cny=None if total is None else round(total, 2),
                        budget_sense=b.sense, reserve_share=b.reserve, target_gmv_cny=o.target_gmv,
                        days=horizon.n_days, new_product_cap=r.new_product_cap, new_customer_cap=new_customer_cap,
                        roi_floor=r.roi_floor, roi_floor_per=r.roi_floor_per, margin=spec.curves.margin, risk=o.risk,
                        rules=tuple(extra))


def _setup(spec: ScenarioSpec, curves: pd.DataFrame, horizon: Horizon,
           new_customer_cap: float | None, has_draws: bool = False) -> CampaignScenario:
    settings = plan_settings(spec, curves, horizon, new_customer_cap)
    b, r = spec.budget, spec.rules
    budget = settings.budget_cny
    if r.locks:
        locked = float(pd.to_numeric(curves.loc[curves["channel"].astype(str).isin(r.locks), "current_spend"]).sum())
        locked *= horizon.n_days
        if budget is not None and budget * (1 - b.reserve) < locked - 0.005:
            raise ScenarioError(message=Message("plan.err.scenario.budget_below_locks", {
                "budget_cny": float(budget), "spend_share": 1 - b.reserve, "locked_cny": locked,
                "locks": ", ".join(r.locks)}))
    daily = DailyRules(r.key_daily_min, r.max_daily_change, r.change_applies_to, r.non_key_focus,
                       r.non_key_offday_share, r.per_phase)
    return campaign_scenario(settings, daily, has_draws=has_draws)


def _known(names, channels: set[str], key: str) -> None:
    unknown = sorted(set(names) - channels)
    if unknown:
        raise ScenarioError(message=Message("plan.err.scenario.unknown_channels", {
            "key": key, "unknown": ", ".join(unknown), "channels": ", ".join(sorted(channels))}))


# --- provenance -----------------------------------------------------------------------------------------


def _inputs(spec: ScenarioSpec) -> tuple[tuple[str, str], ...]:
    """Every file the plan was made from, with the start of its SHA-256."""
    logs = ("touchpoints", "conversions", "spend", "outcome", "lift_tests") if spec.curves.source == "fit" else ()
    paths = [("scenario", spec.file), ("data.channels", spec.data.channels)]
    paths += [(f"data.{k}", getattr(spec.data, k)) for k in logs]
    paths += [("curves.file", spec.curves.file if spec.curves.source == "file" else None),
              ("calendar.file", spec.calendar.file)]
    return tuple((name, f"{path} (sha256 {_digest(path)})") for name, path in paths if path is not None)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def _assumptions(run: ScenarioRun, lang: str) -> tuple[tuple[str, str, str], ...]:
    from roimix.report.assumptions import settings_rows

    spec, curves, horizon = run.spec, run.curves, run.horizon

    def item(key: str, **values) -> str:
        return t(f"optimizer.assume.{key}", lang, **values)

    scenario = item("from.scenario")
    rows = [(item("curves"), word(run.curve_source, lang), scenario)]
    rows += settings_rows(run.settings, lang, lambda _name: scenario)
    lag = next((c for c in LAG_COLUMNS if c in curves.columns), None)
    for ch, part in curves.groupby(curves["channel"].astype(str), sort=True):
        value = float(part[lag].mean()) if lag and part[lag].notna().any() else spec.curves.default_lag_days
        rows.append((item("lag", channel=ch), f"{value:.2f}",
                     item("from.fit") if spec.curves.source == "fit" else
                     (item("from.curves_file") if lag else item("from.default"))))
    rows.append((item("carry_in"), item("carry_in_value"), item("from.assumption")))
    rows.append((item("carry_out"), item("carry_out_value"), item("from.assumption")))
    rows.append((item("horizon"), item("horizon_value", start=str(horizon.start), end=str(horizon.end),
                                       days=horizon.n_days), scenario))
    if run.campaign is not None:
        for p in run.campaign.phases:
            overrides = "".join(f", {c} × {m:.2f}" for c, m in p.channel_multipliers)
            rows.append((item("phase", phase=p.label(lang)),
                         item("phase_value", start=str(p.start), end=str(p.end), multiplier=f"{p.multiplier:.2f}",
                              overrides=overrides), _source(run.phase_sources.get(p.name), lang)))
    rows.append((item("weekend"), f"{spec.calendar.weekend_multiplier:g}", scenario))
    r = spec.rules
    off = item("off")
    for name in PACING:
        value = getattr(r, name)
        if value is None or value == ():
            shown = off
        elif isinstance(value, bool) or name in ("change_applies_to", "non_key_focus"):
            shown = t(f"plan.assume.rule.{name}.{str(value).lower()}", lang)
        elif name == "non_key_offday_share":
            shown = percent(value, lang)
        elif name in ("key_daily_min", "max_daily_change"):
            shown = f"{value:g}×"
        else:
            shown = ", ".join(value) if isinstance(value, tuple) else str(value)
        rows.append((t(f"plan.assume.rule.{name}", lang), shown, scenario))
    if spec.overrides:
        rows.append((item("overrides"), "; ".join(spec.overrides), item("from.command_line")))
    return tuple(rows)


def _source(source, lang: str) -> str:
    return "" if source is None else word(source, lang)


def _version() -> str:
    try:
        return metadata.version("roimix")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "dev"

