"""``roimix plan``: the best daily budget split over response curves, under the business rules.

Curves come from ``--curves`` or, in pipeline mode, from raw logs (``--touchpoints``,
``--conversions``, ``--spend``): validation → journeys → attribution → lags → curve fitting
(:mod:`roimix.pipeline`), shown step by step on stderr, kept with ``--curves-out``.

Structure: options → a curves table (:func:`load_curves`, the one place curves come from) →
a scenario (:func:`scenario_from_options`) → :class:`optimizer.Planner` → a printed summary and
an optional file. Exit 0 with a plan, 1 when no plan satisfies the rules (the conflict and the
smallest relaxations are printed), 2 on bad input, 3 when the solver fails.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import click
import numpy as np
import pandas as pd

from optimizer import (
    Bounds, Budget, Lock, Objective, Planner, RoiFloor, Scenario, Select, new_customer_cap, new_customer_floor,
    new_product_cap, render, summary_lines,
)
from roimix.commands._engine import engine_errors, engine_options
from roimix.export import FORMATS, Context, plan_tables, write_finance, write_tables
from roimix.tables import CURVES, read_table
from roimix.text import t

_FILE = click.Path(dir_okay=False)
MONEY_COLUMNS = ("current_spend", "spend", "change", "current_value", "expected_value")
RATIO_COLUMNS = ("current_roi", "roi", "current_marginal_roi", "marginal_roi")


def load_curves(curves: str | None, logs: dict | None = None, engine=None, *, curves_out: str | None = None,
                lang: str = "en") -> pd.DataFrame:
    """The curves table for this run: ``--curves`` validated against the CURVES contract, or fitted
    from raw logs (``logs``: touchpoints, conversions, spend, channels, lift_tests, model,
    lookback_days, current_window). Cells the fit could not identify without a prior come back
    with status ``unfit``; :func:`command` keeps them at their current spend."""
    given = {k: v for k, v in (logs or {}).items() if k in _LOG_FILES and v is not None}
    if curves is not None and given:
        raise click.UsageError("give either --curves or the raw logs (--touchpoints, --conversions, --spend), not both")
    if curves is not None:
        return read_table(curves, CURVES, name=Path(curves).name)
    missing = [f"--{k}" for k in ("touchpoints", "conversions", "spend") if k not in given]
    if not given or missing:
        raise click.UsageError("give the response curves (--curves curves.csv) or the raw logs: "
                               + ("missing " + ", ".join(missing) if given else "--touchpoints, --conversions, --spend"))
    from roimix.pipeline import PipelineSettings, run_pipeline

    settings = PipelineSettings(lookback_days=logs["lookback_days"], model=logs["model"],
                                current_window_days=logs["current_window"],
                                **({"engine": engine} if engine is not None else {}))
    with engine_errors(settings.engine):
        result = run_pipeline(given["touchpoints"], given["conversions"], given["spend"],
                              channels=given.get("channels"), lift_tests=given.get("lift_tests"), settings=settings,
                              progress=lambda stage: click.echo(t(f"optimizer.pipeline.{stage}", lang), err=True))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if curves_out:
        path = Path(curves_out)
        frame = result.curves
        (frame.to_parquet(path, index=False) if path.suffix.lower() in (".parquet", ".pq")
         else frame.to_csv(path, index=False, encoding="utf-8-sig"))
        click.echo(t("optimizer.pipeline.curves_written", lang, path=str(path), rows=len(frame)), err=True)
    return result.curves


_LOG_FILES = ("touchpoints", "conversions", "spend", "channels", "lift_tests")


def parse_bounds(text: str | None) -> Bounds | None:
    """``relative:0.5,2`` (multiples of current spend) or ``absolute:1000,50000`` (yuan a day); a side may be empty."""
    if not text:
        return None
    kind, _, limits = text.partition(":")
    kind = kind.strip().lower()
    parts = limits.split(",")
    if kind not in ("relative", "absolute") or len(parts) != 2:
        raise click.BadParameter("expected relative:LOW,HIGH or absolute:LOW,HIGH, e.g. relative:0.5,2",
                                 param_hint="--bounds")
    try:
        low, high = (float(p) if p.strip() else None for p in parts)
    except ValueError:
        raise click.BadParameter(f"limits must be numbers, got {limits!r}", param_hint="--bounds") from None
    if low is None and high is None:
        raise click.BadParameter("give at least one limit", param_hint="--bounds")
    return Bounds("bounds", lower=low, upper=high, relative=kind == "relative")


def scenario_from_options(
    *, objective: str, budget: float | None, budget_mode: str | None, reserve: float, target_gmv: float | None,
    new_product_cap_share: float | None, new_customer_cap_share: float | None,
    new_customer_floor_share: float | None, bounds: str | None, locks: tuple[str, ...], roi_floor: float | None,
    channels: set[str],
) -> Scenario:
    kind = objective.replace("-", "_")
    if kind == "gmv" and budget is None:
        raise click.UsageError("objective gmv needs --budget (yuan per day)")
    if kind == "min_spend" and target_gmv is None:
        raise click.UsageError("objective min-spend needs --target-gmv (yuan of GMV per day)")
    rules = []
    if new_product_cap_share is not None:
        rules.append(new_product_cap(new_product_cap_share))
    if new_customer_cap_share is not None:
        rules.append(new_customer_cap(new_customer_cap_share))
    if new_customer_floor_share is not None:
        rules.append(new_customer_floor(new_customer_floor_share))
    parsed = parse_bounds(bounds)
    if parsed is not None:
        rules.append(parsed)
    if locks:
        unknown = sorted(set(locks) - channels)
        if unknown:
            raise click.BadParameter(f"no channel {', '.join(unknown)} in the curves (channels: "
                                     f"{', '.join(sorted(channels))})", param_hint="--lock")
        rules.append(Lock("locked channels", Select(channels=tuple(locks))))
    if roi_floor is not None:
        rules.append(RoiFloor("ROI floor", roi_floor))
    sense = budget_mode or ("eq" if kind == "gmv" else "le")
    plan_budget = None if budget is None else Budget(budget, sense, reserve)
    return Scenario(Objective(kind, target_gmv), plan_budget, tuple(rules))


def output_frames(result, lang: str) -> dict[str, pd.DataFrame]:
    """The tables written to ``--out``: plan (rounded), rules, summary and the summary's sentences."""
    plan = result.plan.copy()
    for col in MONEY_COLUMNS:
        plan[col] = plan[col].round(2)
    for col in RATIO_COLUMNS:
        plan[col] = plan[col].replace([np.inf, -np.inf], np.nan).round(4)
    plan[["clicks", "new_customer_clicks"]] = plan[["clicks", "new_customer_clicks"]].round(1)
    messages = pd.DataFrame({"line": summary_lines(result, lang)})
    return {"plan": plan, "rules": result.rules, "summary": result.summary(), "messages": messages}


@click.command("plan")
@click.option("--curves", type=_FILE, help="response curves CSV/Parquet (one row per channel and segment)")
@click.option("--touchpoints", "-t", type=_FILE, help="pipeline mode: touchpoints CSV/Parquet")
@click.option("--conversions", "-c", type=_FILE, help="pipeline mode: conversions (orders) CSV/Parquet")
@click.option("--spend", "-s", type=_FILE, help="pipeline mode: daily spend per channel and segment")
@click.option("--channels", type=_FILE, help="pipeline mode: channel groups (organic channels are not credited)")
@click.option("--lift-tests", type=_FILE, help="pipeline mode: lift-test results that calibrate the curves")
@click.option("--model", default="incremental", show_default=True,
              help="pipeline mode: attribution model whose credit is the curves' prior")
@click.option("--lookback-days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--current-window", type=click.IntRange(1),
              help="pipeline mode: current spend = mean over the last N days (default: the whole history)")
@click.option("--curves-out", type=_FILE, help="pipeline mode: keep the fitted curves (CSV or Parquet)")
@click.option("--budget", type=float, help="budget in yuan per day")
@click.option("--budget-mode", type=click.Choice(["eq", "le"]),
              help="spend the whole budget (eq, default for gmv) or at most it (le, default otherwise)")
@click.option("--reserve", type=click.FloatRange(0, 0.99), default=0.0, show_default=True,
              help="share of the budget held back")
@click.option("--objective", type=click.Choice(["gmv", "profit", "min-spend"]), default="gmv", show_default=True)
@click.option("--target-gmv", type=float, help="GMV per day to reach (objective min-spend)")
@click.option("--new-product-cap", type=click.FloatRange(0, 1), default=0.15, show_default=True,
              help="new-product spend ≤ this share of spend")
@click.option("--new-customer-cap", type=click.FloatRange(0, 1), default=0.30, show_default=True,
              help="new-customer traffic ≤ this share of paid traffic (traffic = spend / CPC)")
@click.option("--new-customer-floor", type=click.FloatRange(0, 1), help="new-customer traffic ≥ this share")
@click.option("--bounds", help="per-cell spend limits: relative:0.5,2 (× current spend) or absolute:LOW,HIGH (yuan)")
@click.option("--lock", "locks", multiple=True, help="channel kept at its current spend (repeatable)")
@click.option("--roi-floor", type=click.FloatRange(0), help="overall ROI (GMV / spend) of at least this")
@click.option("--margin", type=click.FloatRange(0, 1), default=0.45, show_default=True,
              help="profit margin for curves without a margin column")
@click.option("--out", type=_FILE, help="write the plan: plan.csv, plan.xlsx or plan.json")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@engine_options
def command(curves, touchpoints, conversions, spend, channels, lift_tests, model, lookback_days, current_window,
            curves_out, budget, budget_mode, reserve, objective, target_gmv, new_product_cap, new_customer_cap,
            new_customer_floor, bounds, locks, roi_floor, margin, out, lang, engine) -> None:
    """Plan the daily budget from response curves (--curves) or straight from raw logs (pipeline
    mode): print the uplift and the binding rules in money, optionally write the plan."""
    if out is not None and Path(out).suffix.lower() not in FORMATS:
        raise click.BadParameter(f"expected a file ending in {', '.join(FORMATS)}", param_hint="--out")
    logs = {"touchpoints": touchpoints, "conversions": conversions, "spend": spend, "channels": channels,
            "lift_tests": lift_tests, "model": model, "lookback_days": lookback_days, "current_window": current_window}
    frame = load_curves(curves, logs, engine, curves_out=curves_out, lang=lang)
    unfit = frame["status"].eq("unfit") if "status" in frame.columns else pd.Series(False, index=frame.index)
    if "margin" in frame.columns:
        frame["margin"] = frame["margin"].fillna(margin)
    else:
        frame["margin"] = margin
    scenario = scenario_from_options(
        objective=objective, budget=budget, budget_mode=budget_mode, reserve=reserve, target_gmv=target_gmv,
        new_product_cap_share=new_product_cap, new_customer_cap_share=new_customer_cap,
        new_customer_floor_share=new_customer_floor, bounds=bounds, locks=locks, roi_floor=roi_floor,
        channels=set(frame["channel"].astype(str)),
    )
    keep = tuple(Lock(f"unfit {c}/{seg}", Select(channels=(str(c),), segments=(str(seg),)))  # not identified: as today
                 for c, seg in zip(frame.loc[unfit, "channel"], frame.loc[unfit, "segment"]))
    scenario = dataclasses.replace(scenario, rules=scenario.rules + keep)
    result = Planner(frame).solve(scenario)
    for line in summary_lines(result, lang):
        click.echo(line)
    if result.status == "solver_error":
        raise click.exceptions.Exit(3)
    if not result.solved:
        raise click.exceptions.Exit(1)
    if out is not None:
        if Path(out).suffix.lower() == ".xlsx":  # the finance workbook, as roimix batch and the app write it
            inputs = tuple((k, v) for k, v in (("curves", curves), *((k, logs[k]) for k in _LOG_FILES)) if v)
            context = Context("roimix plan", made_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              made_by=f"roimix {version('roimix')}", inputs=inputs, lang=lang)
            path = write_finance(plan_tables(result, context, budget_cny=budget), out)
        else:
            frames = output_frames(result, lang)
            meta = {"status": result.status, "objective": result.objective, "lang": lang,
                    "messages": [render(m, lang) for m in result.messages]}
            path = write_tables(frames, out, meta=meta)
        click.echo(t("optimizer.summary.wrote", lang, path=str(path), rows=len(result.plan)))
