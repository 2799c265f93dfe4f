"""``roimix plan``: the best daily budget split over response curves, under the business rules.

Curves come from ``--curves`` or, in pipeline mode, from raw logs (``--touchpoints``,
``--conversions``, ``--spend``): validation → journeys → attribution → lags → curve fitting
(:mod:`roimix.pipeline`), shown step by step on stderr, kept with ``--curves-out``.

Structure: options → a curves table (:func:`load_curves`, the one place curves come from) →
a scenario (:func:`scenario_from_options`) → :class:`optimizer.Planner` → a printed summary and
an optional file. Exit 0 with a plan, 1 when no plan satisfies the rules (the conflict and the
smallest relaxations are printed), 2 on bad input, 3 when the solver fails.

Every ``--out`` goes through the finance tables (:func:`roimix.export.plan_tables`), as the app's
downloads do: money rounded once to the fen by largest remainder, so each total equals the sum of
its rows. ``plan.xlsx`` and ``plan.json`` are the finance workbook and JSON (the options and input
files, with their SHA-256, as assumptions); ``plan.csv`` is the per-cell data with machine column ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import click
import numpy as np
import pandas as pd

from optimizer import Bounds, Lock, Planner, RuleError, Select, traffic_unknown
from optimizer.scenario import Risk
from roimix.commands._engine import engine_errors, engine_options
from roimix.errors import UsageError
from roimix.messages import Message
from roimix.report.plan import render
from roimix.settings import BREAK_EVEN, BREAK_EVEN_WORDS, PlanSettings, default, plan_scenario
from roimix.export import (
    FORMATS, Context, plan_summary_lines, plan_tables, write_cells_csv, write_finance,
)
from roimix.tables import CURVES, read_table
from optimizer.draws import unfit_levels_zeroed
from response.settings import FitSettings
from optimizer.increment import next_money
from optimizer.lift_value import lift_test_values
from roimix.report.history_range import beyond_history, beyond_history_words, fitted_range
from roimix.report.plan import increment_lines
from roimix.text import money, percent, t, word

_FILE = click.Path(dir_okay=False)


class RoiFloorParam(click.ParamType):
    """``--roi-floor``: an incremental ROAS ≥ 0, or ``break-even`` / ``保本`` (the plan pays for its spend)."""

    name = "ROAS|break-even"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) or value is None:
            return value
        text = str(value).strip()
        if text.lower().replace("_", "-") in BREAK_EVEN_WORDS:
            return BREAK_EVEN
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not number >= 0:  # worded by the CLI in the command's language
            raise UsageError(message=Message("plan.err.cli.roi_floor", {"got": text, "word": BREAK_EVEN}))
        return number


FIT_DRAWS = FitSettings().n_bootstrap
"""the fit's curve draws when ``--bootstrap`` is not given"""


def load_curves(curves: str | None, logs: dict | None = None, engine=None, *, curves_out: str | None = None,
                lang: str = "en", margin: float | None = None,
                bootstrap: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The curves table for this run and its draws (for ``--curves``, the draws its fit wrote beside it, or none):
    ``--curves`` validated against the CURVES contract, or fitted
    from raw logs (``logs``: touchpoints, conversions, spend, channels, lift_tests, model,
    lookback_days, current_window). Cells the fit could not identify without a prior come back
    with status ``unfit``; :func:`command` keeps them at their current spend. ``margin``: the
    fitted curves' margin (``--margin``; None: the pipeline's default). ``bootstrap``: the fit's curve draws
    (``--bootstrap``; None: the fit's default, 0: none, so the plan is on the estimate alone)."""
    given = {k: v for k, v in (logs or {}).items() if k in _LOG_FILES and v is not None}
    if curves is not None and given:
        raise UsageError(message=Message("plan.err.cli.curves_and_logs", {}))
    if curves is not None:
        if bootstrap is not None:  # the draws of a --curves file are the ones its fit kept
            raise UsageError(message=Message("plan.err.cli.bootstrap_needs_fit", {}))
        return read_table(curves, CURVES, name=Path(curves).name), stored_draws(curves, lang)
    missing = [f"--{k}" for k in ("touchpoints", "conversions", "spend") if k not in given]
    if not given:
        raise UsageError(message=Message("plan.err.cli.no_curves", {}))
    if missing:
        raise UsageError(message=Message("plan.err.cli.logs_missing", {"options": ", ".join(missing)}))
    from roimix.pipeline import PipelineSettings, run_pipeline

    settings = PipelineSettings(lookback_days=logs["lookback_days"], model=logs["model"],
                                current_window_days=logs["current_window"],
                                **({"engine": engine} if engine is not None else {}),
                                **({"default_margin": margin} if margin is not None else {}),
                                **({"fit": FitSettings(n_bootstrap=bootstrap)} if bootstrap is not None else {}))
    with engine_errors(settings.engine):
        result = run_pipeline(given["touchpoints"], given["conversions"], given["spend"],
                              channels=given.get("channels"), lift_tests=given.get("lift_tests"), settings=settings,
                              progress=lambda stage: click.echo(t(f"optimizer.pipeline.{stage}", lang), err=True))
    for note in getattr(result, "notes", ()):  # the analysis period (H1)
        click.echo(_render_warning(note, lang), err=True)
    for warning in result.warnings:
        click.echo(t("optimizer.cli.warning", lang, text=_render_warning(warning, lang)), err=True)
    if curves_out:
        from roimix.commands.fit import keep_curves

        keep_curves(result.curves, result.draws, curves_out,
                    t("optimizer.pipeline.curves_written", lang, path=str(curves_out), rows=len(result.curves)), lang)
    return result.curves, result.draws


def stored_draws(curves: str, lang: str) -> pd.DataFrame:
    """The draws written beside ``curves`` by the fit that made them (:mod:`roimix.curve_files`), said on stderr;
    none (an empty table) when there are none or they belong to other contents of the file."""
    from roimix.curve_files import read_draws

    found = read_draws(curves)
    if found.state == "read":
        click.echo(t("optimizer.cli.draws_read", lang, path=str(found.path), n_draws=found.draws["draw"].nunique()),
                   err=True)
        return found.draws
    if found.state == "stale":
        click.echo(t("optimizer.cli.warning", lang, text=t("optimizer.cli.draws_stale", lang, path=str(found.path),
                                                          curves=str(curves))), err=True)
    return pd.DataFrame()


_LOG_FILES = ("touchpoints", "conversions", "spend", "channels", "lift_tests", "outcome")
TESTS_SHOWN = 3


def _risk(text: str | None, draws: pd.DataFrame, lang: str) -> Risk:
    """``--risk``, or the settings' default (:mod:`roimix.settings`: cvar with curve draws, planned on the
    mean without, as for a curves file without its draws file)."""
    if text is None:
        return default("risk")
    try:
        risk = Risk.parse(text)
    except RuleError as err:
        raise UsageError(message=Message("plan.err.cli.option", {"option": "--risk", "error": err.message})) from None
    if risk.kind == "cvar" and not len(draws):
        raise UsageError(message=Message("optimizer.cli.risk_without_draws", {"risk": risk.describe()}))
    return risk


def _render_warning(warning, lang: str) -> str:
    """A pipeline warning (a :class:`roimix.messages.Message`, or text) in ``lang``."""
    if isinstance(warning, str):
        return warning
    try:
        from roimix.text.pipeline import render_warning
    except ImportError:  # pragma: no cover - the pipeline's words not installed yet
        return t(warning.key, lang, **warning.values)
    return render_warning(warning, lang)


def new_customer_rules(frame: pd.DataFrame, cap: float | None, floor: float | None, *, cap_given: bool,
                       source: str, columns: str, lang: str) -> float | None:
    """The new-customer cap to plan with. Without clicks for some cells the rules cannot be checked:
    a cap or floor the user set is an error naming ``source`` and its ``columns``; the default cap is
    dropped with a warning. Unknown cells get placeholder traffic the rules then never read."""
    unknown = traffic_unknown(frame)
    if not unknown.any():
        return cap
    cells = Message("optimizer.cli.every_cell") if unknown.all() else ", ".join(
        f"{c}/{s}" for c, s in zip(frame.loc[unknown, "channel"], frame.loc[unknown, "segment"]))
    given = [name for name, on in (("--new-customer-cap", cap is not None and cap_given),
                                   ("--new-customer-floor", floor is not None)) if on]
    if given:
        raise UsageError(message=Message("optimizer.cli.new_customer_needs_clicks", {
            "option": " / ".join(given), "file": source, "columns": columns, "cells": cells}))
    if cap is not None:
        click.echo(t("optimizer.cli.warning", lang, text=t("optimizer.cli.new_customer_dropped", lang,
                                                          share=percent(cap, lang), file=source, columns=columns,
                                                          cells=word(cells, lang) if isinstance(cells, Message)
                                                          else cells)), err=True)
    frame.loc[unknown, "cpc"] = 1.0
    frame.loc[unknown, "new_customer_share"] = 0.0
    return None


def check_budget(frame: pd.DataFrame, settings: PlanSettings, locks: tuple[str, ...],
                 bounds: Bounds | None, unfit: pd.Series, lang: str) -> None:
    """A budget of ¥0 or less, or below the spend the rules already fix (locked channels, cells kept at
    current spend, lower bounds), is a usage error (exit 2), not a plan."""
    budget, reserve = settings.budget_cny, settings.reserve_share
    if budget is None:
        return
    if not budget > 0:
        raise UsageError(message=Message("optimizer.cli.budget_not_positive", {"budget_cny": float(budget)}))
    current = pd.to_numeric(frame["current_spend"]).to_numpy(dtype=float)
    fixed = frame["channel"].astype(str).isin(locks).to_numpy() | unfit.to_numpy(dtype=bool)
    floor = np.where(fixed, current, 0.0)
    if bounds is not None and bounds.lower is not None:
        floor = np.maximum(floor, bounds.lower * current if bounds.relative else bounds.lower)
    usable = budget * (1 - reserve)
    if usable < floor.sum() - 0.005:
        raise UsageError(message=Message("optimizer.cli.budget_below_floor", {
            "budget_cny": float(budget), "usable_cny": float(usable), "floor_cny": float(floor.sum())}))


def parse_bounds(text: str | None) -> Bounds | None:
    """``relative:0.5,2`` (multiples of current spend) or ``absolute:1000,50000`` (yuan a day); a side may be empty."""
    if not text:
        return None
    kind, _, limits = text.partition(":")
    kind = kind.strip().lower()
    parts = limits.split(",")
    if kind not in ("relative", "absolute") or len(parts) != 2:
        raise UsageError(message=Message("plan.err.cli.bounds_syntax", {"got": text}))
    try:
        low, high = (float(p) if p.strip() else None for p in parts)
    except ValueError:
        raise UsageError(message=Message("plan.err.cli.bounds_numbers", {"got": limits})) from None
    if low is None and high is None:
        raise UsageError(message=Message("plan.err.cli.bounds_empty", {}))
    return Bounds("bounds", lower=low, upper=high, relative=kind == "relative")


def settings_from_options(
    *, objective: str, budget: float | None, budget_mode: str | None, reserve: float, target_gmv: float | None,
    new_product_cap_share: float | None, new_customer_cap_share: float | None,
    new_customer_floor_share: float | None, bounds: str | None, locks: tuple[str, ...], roi_floor: float | str | None,
    channels: set[str], margin: float = default("margin"), return_rate: float = default("return_rate"),
    risk: str | Risk = default("risk"), keep: tuple = (), roi_floor_per: str = default("roi_floor_per"),
) -> PlanSettings:
    """The plan settings of the command's options (``keep``: locks of cells kept at current spend)."""
    kind = objective.replace("-", "_")
    if kind == "gmv" and budget is None:
        raise UsageError(message=Message("plan.err.cli.gmv_needs_budget", {}))
    if kind == "min_spend" and target_gmv is None:
        raise UsageError(message=Message("plan.err.cli.min_spend_needs_target", {}))
    rules = []
    parsed = parse_bounds(bounds)
    if parsed is not None:
        rules.append(parsed)
    if locks:
        unknown = sorted(set(locks) - channels)
        if unknown:
            raise UsageError(message=Message("plan.err.cli.unknown_lock", {
                "unknown": ", ".join(unknown), "channels": ", ".join(sorted(channels))}))
        rules.append(Lock("locked channels", Select(channels=tuple(locks))))
    return PlanSettings(objective=kind, budget_cny=budget, budget_sense=budget_mode, reserve_share=reserve,
                        target_gmv_cny=target_gmv, new_product_cap=new_product_cap_share,
                        new_customer_cap=new_customer_cap_share, new_customer_floor=new_customer_floor_share,
                        roi_floor=roi_floor, roi_floor_per=roi_floor_per, margin=margin, return_rate=return_rate,
                        risk=risk, rules=tuple(rules) + tuple(keep))


def break_even_lines(result, lang: str) -> list[str]:
    """Per channel the incremental ROAS today and in the plan against its break-even ROAS (保本投产比), the
    distance in ROAS points: a channel below it does not pay for its spend. Nothing for an unsolved plan."""
    if not result.solved or "margin" not in result.plan.columns:
        return []
    fmt = lambda v: f"{v:.2f}" if np.isfinite(v) else "–"  # noqa: E731
    lines = [t("optimizer.summary.break_even_head", lang)]
    for r in result.by_channel().itertuples():
        lines.append(t("optimizer.summary.break_even_line", lang, channel=r.channel, current=fmt(r.current_roi),
                       plan=fmt(r.roi), break_even=fmt(r.break_even_roi),
                       distance=f"{round(r.distance, 2) + 0.0:+.2f}" if np.isfinite(r.distance) else "–"))
    return lines


def cells_beyond_history(plan: pd.DataFrame, history: str) -> pd.DataFrame:
    """The plan's cells above their highest day of spend in ``history`` (the spend file the curves were fitted on,
    or ``--platform-history``; days or weeks, read off its dates): :func:`roimix.report.history_range.beyond_history`."""
    from roimix.platforms.run import read_history
    from roimix.report.history_range import beyond_history, highest_daily_spend

    return beyond_history(plan, highest_daily_spend(read_history(history)))


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def plan_assumptions(settings: PlanSettings, options: dict, given: dict, inputs: tuple[tuple[str, str], ...],
                     unfit: list[str], digests: dict[str, str], lang: str) -> tuple[tuple[str, str, str], ...]:
    """(item, value, source) of everything the plan was computed with: the settings' rows, as every face writes
    them (:func:`roimix.report.assumptions.settings_rows`), the channel bounds and locks as given, the cells kept
    at current spend, the fit's settings and the input files with their SHA-256. ``given``: option name →
    whether it came from the command line (else its default)."""
    from roimix.report.assumptions import settings_rows

    o = options
    item = lambda key, **v: t(f"optimizer.assume.{key}", lang, **v)  # noqa: E731
    option = {"new_product_cap": "new_product_cap", "new_customer_cap": "new_customer_cap",
              "new_customer_floor": "new_customer_floor", "budget": "budget", "reserve": "reserve",
              "target_gmv": "target_gmv", "roi_floor": "roi_floor", "roi_floor_per": "roi_floor_per", "margin": "margin", "return_rate": "return_rate",
              "risk": "risk", "objective": "objective"}
    src = lambda name: item("from.cli") if given.get(option.get(name, name)) else item("from.default")  # noqa: E731
    off = item("off")
    rows = settings_rows(settings, lang, src)
    rows += [(item("bounds"), o["bounds"] or off, src("bounds")), (item("locks"), ", ".join(o["locks"]) or off, src("locks"))]
    if unfit:
        rows.append((item("unfit"), ", ".join(unfit), item("from.curves")))
    if o["curves"] is None:  # fitted here: from journeys (pipeline mode) or from spend and total GMV (aggregate)
        window = o["current_window"]
        aggregate = o.get("outcome") is not None
        rows.append((item("mode"), item("mode.aggregate" if aggregate else "mode.pipeline"), item("from.cli")))
        if aggregate:
            period = o.get("period_days")
            rows.append((item("period"), item("period.weekly" if period == 7 else "period.daily"), item("from.data")))
        if not aggregate or o.get("touchpoints") is not None:  # journeys: their attribution is the prior
            rows += [(item("model"), o["model"], src("model")),
                     (item("lookback_days"), str(o["lookback_days"]), src("lookback_days"))]
        if not aggregate:
            draws = o.get("bootstrap")
            rows.append((item("bootstrap"), str(FIT_DRAWS if draws is None else draws), src("bootstrap")))
        rows.append((item("current_window"), item("whole_history") if window is None else str(window),
                     src("current_window")))
    rows += [(item("input", name=name), path, item("from.sha256", digest=digests[path])) for name, path in inputs]
    return tuple(rows)


def plan_context(settings: PlanSettings, options: dict, inputs: tuple[tuple[str, str], ...], unfit: list[str],
                 lang: str) -> Context:
    """Where a plan's exports say they came from, as ``roimix batch`` records it: inputs with their SHA-256,
    the options as assumptions."""
    digests = {path: sha256(path) for _, path in inputs}
    ctx = click.get_current_context(silent=True)
    given = {}
    if ctx is not None:
        for name in options:
            source = ctx.get_parameter_source(name)
            given[name] = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
    return Context("roimix plan", made_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   made_by=f"roimix {version('roimix')}",
                   inputs=tuple((name, f"{path} (sha256 {digests[path]})") for name, path in inputs),
                   assumptions=plan_assumptions(settings, options, given, inputs, unfit, digests, lang), lang=lang)


@click.command("plan")
@click.option("--curves", type=_FILE, help="response curves CSV/Parquet (one row per channel and segment)")
@click.option("--touchpoints", "-t", type=click.Path(),
              help="pipeline mode: touchpoints CSV/Parquet (a file, a folder of part files or a glob)")
@click.option("--conversions", "-c", type=click.Path(),
              help="pipeline mode: conversions (orders) CSV/Parquet (file, folder or glob)")
@click.option("--spend", "-s", type=_FILE, help="pipeline mode: daily spend per channel and segment")
@click.option("--outcome", type=_FILE,
              help="aggregate mode (with --spend, no journeys): total GMV per day or week: date, [segment], value")
@click.option("--channels", type=_FILE, help="pipeline mode: channel groups (organic channels are not credited)")
@click.option("--lift-tests", type=_FILE, help="pipeline mode: lift-test results that calibrate the curves")
@click.option("--model", default="incremental", show_default=True,
              help="pipeline mode: attribution model whose credit is the curves' prior")
@click.option("--lookback-days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--current-window", type=click.IntRange(1),
              help="pipeline mode: current spend = mean over the last N days (default: the whole history)")
@click.option("--curves-out", type=_FILE, help="pipeline mode: keep the fitted curves (CSV, Excel or Parquet)")
@click.option("--bootstrap", type=click.IntRange(0, 2000),
              help=f"pipeline mode: curve draws the fit makes for the plan's range and risk (default {FIT_DRAWS}; 0: "
                   "none, the plan is on the estimate alone and states no range; = curves.bootstrap of a scenario file)")
@click.option("--budget", type=float, help="budget in yuan per day")
@click.option("--budget-mode", type=click.Choice(["eq", "le"]),
              help="spend the whole budget (eq, default for gmv) or at most it (le, default otherwise)")
@click.option("--reserve", type=click.FloatRange(0, 0.99), default=default("reserve_share"), show_default=True,
              help="share of the budget held back")
@click.option("--objective", type=click.Choice(["gmv", "profit", "min-spend"]),
              default=default("objective").replace("_", "-"), show_default=True)
@click.option("--target-gmv", type=float, help="GMV per day to reach (objective min-spend)")
@click.option("--new-product-cap", type=click.FloatRange(0, 1), default=default("new_product_cap"), show_default=True,
              help="new-product spend ≤ this share of spend")
@click.option("--new-customer-cap", type=click.FloatRange(0, 1), default=default("new_customer_cap"),
              show_default=True,
              help="new-customer traffic ≤ this share of paid traffic (traffic = spend / CPC)")
@click.option("--new-customer-floor", type=click.FloatRange(0, 1), help="new-customer traffic ≥ this share")
@click.option("--bounds", help="per-cell spend limits: relative:0.5,2 (× current spend) or absolute:LOW,HIGH (yuan)")
@click.option("--lock", "locks", multiple=True, help="channel kept at its current spend (repeatable)")
@click.option("--roi-floor", type=RoiFloorParam(),
              help="incremental ROAS (incremental GMV ÷ spend) of at least this, or break-even (保本): margin × (1 − return "
                   "rate) × GMV ≥ spend, each cell at its own margin")
@click.option("--roi-floor-per", type=click.Choice(["total", "channel"]), default=default("roi_floor_per"),
              show_default=True, help="the ROI floor holds over the whole plan or for each channel")
@click.option("--margin", type=click.FloatRange(0, 1), default=default("margin"), show_default=True,
              help="profit margin for curves without a margin column")
@click.option("--return-rate", type=click.FloatRange(0, 0.95), default=default("return_rate"), show_default=True,
              help="share of GMV returned: profit and the break-even ROAS count only the rest")
@click.option("--risk", help="how the plan weighs the curves' uncertainty: mean, or cvar:LEVEL (the mean gain over "
              "the worst 1−LEVEL of curve draws). Default cvar:0.9 with curve draws (fitted here, or kept beside a --curves file), else mean")
@click.option("--next", "next_cny", type=float,
              help="also show where the next X yuan a day of budget would go (negative: where a cut of X comes from)")
@click.option("--rank-tests/--no-rank-tests", default=True, show_default=True,
              help="rank the lift tests by their value to the plan (needs curve draws; about a second per cell)")
@click.option("--out", type=_FILE, help="write the plan: plan.csv, plan.xlsx or plan.json")
@click.option("--platform-limits", type=_FILE,
              help="ad platforms' limits (CSV/Parquet: platform, channels, min_daily_budget, ...) over roimix's defaults")
@click.option("--platform-history", type=_FILE,
              help="spend history with platform_gmv for the ROI targets when the curves come from --curves "
                   "(default: --spend)")
@click.option("--platform-out", type=click.Path(file_okay=False),
              help="folder for the platform settings: one CSV per platform (日预算, suggested 目标ROI) in its own "
                   "column names; with --out x.xlsx also its 投放设置 sheet")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="language of the summary")
@engine_options
def command(curves, touchpoints, conversions, spend, outcome, channels, lift_tests, model, lookback_days, current_window,
            curves_out, bootstrap, budget, budget_mode, reserve, objective, target_gmv, new_product_cap, new_customer_cap,
            new_customer_floor, bounds, locks, roi_floor, roi_floor_per, margin, return_rate, risk, next_cny,
            rank_tests, out, lang, engine, platform_limits=None, platform_history=None,
            platform_out=None) -> None:
    """Plan the daily budget from response curves (--curves) or straight from raw logs (pipeline
    mode): print the uplift and the binding rules in money, optionally write the plan."""
    if out is not None and Path(out).suffix.lower() not in FORMATS:
        raise UsageError(message=Message("plan.err.cli.out_suffix", {"option": "--out", "formats": ", ".join(FORMATS)}))
    if budget is not None and not budget > 0:  # before any fitting: nothing to plan with
        raise UsageError(message=Message("optimizer.cli.budget_not_positive", {"budget_cny": float(budget)}))
    from roimix.platforms.limits import DEFAULT_LIMITS, read_limits

    limits = read_limits(platform_limits) if platform_limits is not None else DEFAULT_LIMITS  # before any fitting
    logs = {"touchpoints": touchpoints, "conversions": conversions, "spend": spend, "channels": channels,
            "lift_tests": lift_tests, "model": model, "lookback_days": lookback_days, "current_window": current_window,
            "outcome": outcome}
    if outcome is not None and curves is None:  # aggregate mode: spend + total GMV, no journeys (roimix fit)
        from roimix.commands.fit import aggregate_curves

        if bootstrap is not None:  # aggregate mode sets its draws by the data's period (not yet an option)
            raise UsageError(message=Message("plan.err.cli.bootstrap_aggregate", {}))
        frame, draws = aggregate_curves(logs, curves_out=curves_out, lang=lang, margin=margin)
    else:
        frame, draws = load_curves(curves, logs, engine, curves_out=curves_out, lang=lang, margin=margin,
                                   bootstrap=bootstrap)
    risk = _risk(risk, draws, lang)
    unfit = frame["status"].eq("unfit") if "status" in frame.columns else pd.Series(False, index=frame.index)
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source("new_customer_cap") if ctx is not None else None
    no_traffic = traffic_unknown(frame)
    new_customer_cap = new_customer_rules(
        frame, new_customer_cap, new_customer_floor, lang=lang,
        cap_given=source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"),
        source=str(curves if curves is not None else spend),
        columns="cpc, new_customer_share" if curves is not None else "clicks, new_customer_clicks")
    if "margin" in frame.columns:
        frame["margin"] = frame["margin"].fillna(margin)
    else:
        frame["margin"] = margin
    keep = tuple(Lock(f"unfit {c}/{seg}", Select(channels=(str(c),), segments=(str(seg),)))  # not identified: as today
                 for c, seg in zip(frame.loc[unfit, "channel"], frame.loc[unfit, "segment"]))
    settings = settings_from_options(
        objective=objective, budget=budget, budget_mode=budget_mode, reserve=reserve, target_gmv=target_gmv,
        new_product_cap_share=new_product_cap, new_customer_cap_share=new_customer_cap,
        new_customer_floor_share=new_customer_floor, bounds=bounds, locks=locks, roi_floor=roi_floor,
        roi_floor_per=roi_floor_per, channels=set(frame["channel"].astype(str)), margin=margin,
        return_rate=return_rate, risk=risk, keep=keep,
    )
    check_budget(frame, settings, locks, parse_bounds(bounds), unfit, lang)
    frame["margin"] = frame["margin"] * (1 - settings.return_rate)  # profit and break-even count only what is kept
    scenario = plan_scenario(settings, has_draws=len(draws) > 0)
    draws = unfit_levels_zeroed(draws, frame)
    planner = Planner(frame, draws=draws)
    result = planner.solve(scenario)
    if no_traffic.any():  # clicks of cells without a known CPC are unknown, not spend ÷ a placeholder
        unknown = set(zip(frame.loc[no_traffic, "channel"].astype(str), frame.loc[no_traffic, "segment"].astype(str)))
        rows = [(str(c), str(s)) in unknown for c, s in zip(result.plan["channel"], result.plan["segment"])]
        result.plan.loc[rows, [c for c in ("clicks", "new_customer_clicks") if c in result.plan.columns]] = np.nan
    tests = None
    if len(draws) and result.solved and rank_tests:  # which lift test would be worth most to this plan
        tests = lift_test_values(frame, draws, scenario, result.spend_cny,
                                 cells=~unfit.to_numpy())
    for line in plan_summary_lines(result, lang):  # held-back reserve and unspent budget told apart
        click.echo(line)
    for line in break_even_lines(result, lang):
        click.echo(line)
    beyond = None
    if result.solved and platform_history is not None:
        beyond = cells_beyond_history(result.plan, platform_history)
        source = Path(str(platform_history)).name
    elif result.solved and "highest_spend" in frame.columns and frame["highest_spend"].notna().any():
        beyond = beyond_history(result.plan, fitted_range(frame))  # the fit's own history: this run's or the file's
        source = Path(str(spend)).name if spend is not None else \
            t("optimizer.cli.beyond_source_curves", lang, file=Path(str(curves)).name)
    if beyond is not None:
        line = beyond_history_words(beyond, source, lang)
        if line:
            click.echo(t("optimizer.cli.warning", lang, text=line), err=True)
    if tests is not None:
        click.echo(t("optimizer.summary.tests_head", lang))
        for r in tests.head(TESTS_SHOWN).itertuples():
            click.echo(t("optimizer.summary.test_line", lang, rank=r.rank, cell=f"{r.channel}/{r.segment}",
                         value=money(r.value_cny_per_day, lang)))
    if result.status == "solver_error":
        raise click.exceptions.Exit(3)
    if not result.solved:
        raise click.exceptions.Exit(1)
    if next_cny is not None:  # where the next ¥X a day would go (or a cut come from), on the same compiled problem
        for line in increment_lines(next_money(planner, result, next_cny), lang):
            click.echo(line)
    if out is not None:  # the finance tables, as roimix batch and the app write them: totals add up to the fen
        inputs = tuple((k, str(v)) for k, v in (("curves", curves), *((k, logs[k]) for k in _LOG_FILES)) if v)
        options = {"objective": objective, "budget": budget, "budget_mode": budget_mode, "reserve": reserve,
                   "target_gmv": target_gmv, "new_product_cap": new_product_cap, "new_customer_cap": new_customer_cap,
                   "new_customer_floor": new_customer_floor, "bounds": bounds, "locks": locks,
                   "roi_floor": roi_floor, "roi_floor_per": roi_floor_per, "margin": margin, "return_rate": return_rate,
                   "risk": result.risk, "curves": curves, "model": model,
                   "lookback_days": lookback_days, "current_window": current_window, "outcome": outcome,
                   "touchpoints": touchpoints, "bootstrap": bootstrap,
                   "period_days": int(frame["period_days"].iloc[0]) if "period_days" in frame.columns else None}
        unfit_cells = [f"{c}/{seg}" for c, seg in zip(frame.loc[unfit, "channel"], frame.loc[unfit, "segment"])]
        stated = replace(settings, risk=result.risk)  # the risk the plan was made with (the mean without draws)
        tables = plan_tables(result, plan_context(stated, options, inputs, unfit_cells, lang), lift_tests_to_run=tests,
                             beyond_history=beyond)
        if Path(out).suffix.lower() != ".csv":  # every workbook has its 投放设置 sheet (and the CSVs) from the same fen
            tables = _platform_settings(tables, frame, platform_history or spend, limits, lang, platform_out,
                                         channels)
        if Path(out).suffix.lower() == ".csv":
            path = write_cells_csv(tables, out)
        else:
            meta = {"status": result.status, "objective": result.objective, "lang": lang,
                    "messages": [render(m, lang) for m in result.messages]}
            path = write_finance(tables, out, meta=meta)
        click.echo(t("optimizer.summary.wrote", lang, path=str(path), rows=len(result.plan)))
    if platform_out is not None and (out is None or Path(out).suffix.lower() == ".csv"):
        _platform_settings(plan_tables(result, Context("roimix plan", lang=lang)), frame, platform_history or spend,
                           limits, lang, platform_out, channels)


def _platform_settings(tables, frame: pd.DataFrame, spend: str | None, limits, lang: str, folder: str | None,
                       channels: str | None):
    """The plan's platform settings (issue 18, item 1): printed, added to ``tables`` as the 投放设置 sheet and,
    with ``folder`` (``--platform-out``), written as one CSV per platform."""
    from roimix.platforms.run import settings_for_plan

    tables, _, lines, written = settings_for_plan(tables, frame, spend, limits, lang, folder=folder,
                                                  channels=channels)
    for line in lines:
        click.echo(line)
    for path, rows in written:
        click.echo(t("platforms.summary.wrote", lang, path=str(path), rows=rows))
    return tables
