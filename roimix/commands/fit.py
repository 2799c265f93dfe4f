"""``roimix fit``: response curves from spend and the shop's total GMV per day or week (aggregate
mode, :mod:`roimix.aggregate`), written for ``roimix plan --curves``. ``roimix plan --outcome``
runs the same fit through :func:`aggregate_curves` and plans on it.

Printed (stderr): the detected period, the fit quality, each channel's evidence and marginal ROI
band (a likely-confounded channel is marked), and platform ROAS vs incremental ROAS when the
spend table has ``platform_gmv``. Exit 2 on bad input (every problem with file, row and column).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import numpy as np
import pandas as pd

from roimix.errors import UsageError
from roimix.messages import Message
from roimix.text import ratio, t
from roimix.report.evidence import evidence_marks

_FILE = click.Path(dir_okay=False)
_CURVE_SUFFIXES = (".csv", ".parquet", ".pq")


def report_lines(result, lang: str) -> list[str]:
    """The period, fit quality, evidence per cell and platform vs incremental ROAS, in ``lang``."""
    from roimix.text.pipeline import render_warning

    summary = result.fit.summary
    period = t(f"aggregate.period.{'weekly' if result.period_days == 7 else 'daily'}", lang)
    lines = [t("aggregate.header", lang, n_cells=len(result.curves), period=period,
               n_fitted=int(summary["n_fitted_periods"].iloc[0]),
               r2=", ".join(f"{v:.3f}" for v in summary["r2"]),
               cv_rmse=", ".join(f"{v:,.4g}" for v in summary["cv_rmse"])),
             t("aggregate.evidence.title", lang)]
    for r in result.curves.itertuples():
        if not np.isfinite(r.marginal_roi):  # not fitted: no ROAS and no band to state
            lines.append(t("aggregate.evidence.row_unfit", lang, cell=render_warning_cell(r.channel, r.segment, lang),
                           evidence=t(f"aggregate.evidence.{r.evidence}", lang)))
            continue
        lines.append(t("aggregate.evidence.row", lang, cell=render_warning_cell(r.channel, r.segment, lang),
                       evidence=t(f"aggregate.evidence.{r.evidence}", lang), mroi=ratio(r.marginal_roi),
                       low=ratio(r.mroi_low), high=ratio(r.mroi_high),
                       flag=(t("aggregate.evidence.flag", lang) if r.likely_confounded else "")
                       + evidence_marks(r, lang)))
    if result.platform is not None and len(result.platform):
        lines.append(t("aggregate.platform.title", lang))
        for r in result.platform.itertuples():
            lines.append(t("aggregate.platform.row", lang, channel=r.channel, platform_roas=ratio(r.platform_roas),
                           incremental_roas=ratio(r.incremental_roas), low=ratio(r.incremental_roas_low),
                           high=ratio(r.incremental_roas_high), deflation=ratio(r.deflation),
                           deflation_low=ratio(r.deflation_low), deflation_high=ratio(r.deflation_high),
                           source=t(f"aggregate.platform.source.{r.factor_source}", lang)))
    lines += [t("optimizer.cli.warning", lang, text=render_warning(w, lang)) for w in result.warnings
              if w.key != "aggregate.period"]
    return lines


def render_warning_cell(channel: str, segment: str, lang: str) -> str:
    from roimix.text import STRINGS

    key = f"segment.{segment}"
    return f"{channel}/{t(key, lang) if key in STRINGS else segment}"


def aggregate_curves(files: dict, *, curves_out: str | None = None, lang: str = "zh", margin: float | None = None,
                     keep_campaigns: bool = False, platform_prior: bool = False, pooled_prior: bool = False,
                     pool: bool = True, pool_channels: bool = True, shop_events: float | None = None,
                     no_shop_events: bool = False, cap_untested: bool = True,
                     journey_levels: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit aggregate-mode curves from ``files`` (spend, outcome, lift_tests, channels, current_window),
    print the report on stderr, write ``curves_out`` when given, return the curves table and its draws.
    ``shop_events`` None: the default (``"auto"``, see :class:`roimix.aggregate.AggregateSettings`;
    ``no_shop_events``: none left out)."""
    from roimix.aggregate import AggregateSettings, run_aggregate

    if bool(files.get("touchpoints")) != bool(files.get("conversions")):
        raise UsageError(message=Message("aggregate.usage.partial_journeys", {}))
    missing = [f"--{k}" for k in ("spend", "outcome") if not files.get(k)]
    if missing:
        raise UsageError(message=Message("plan.err.cli.aggregate_needs", {"options": ", ".join(missing)}))
    settings = AggregateSettings(current_window_days=files.get("current_window"), platform_prior=platform_prior,
                                 pooled_prior=pooled_prior, pool=pool, pool_channels=pool_channels,
                                 cap_untested=cap_untested, journey_levels=journey_levels,
                                 shop_events=None if no_shop_events else (
                                     shop_events if shop_events is not None else "auto"),
                                 **({"default_margin": margin} if margin is not None else {}),
                                 exclude=pd.DataFrame(columns=["start", "end"]) if keep_campaigns else None)
    if files.get("lookback_days"):
        settings = dataclasses.replace(settings, lookback_days=files["lookback_days"])
    if files.get("model"):
        settings = dataclasses.replace(settings, model=files["model"])
    result = run_aggregate(files["spend"], files["outcome"], lift_tests=files.get("lift_tests"),
                           channels=files.get("channels"), touchpoints=files.get("touchpoints"),
                           conversions=files.get("conversions"), settings=settings,
                           progress=lambda stage: click.echo(t(f"optimizer.pipeline.{stage}", lang), err=True))
    click.echo(t("aggregate.period", lang, period_days=result.period_days), err=True)
    for line in report_lines(result, lang):
        click.echo(line, err=True)
    if curves_out:
        keep_curves(result.curves, result.draws, curves_out, t("aggregate.wrote", lang, path=str(curves_out),
                                                               rows=len(result.curves)), lang)
    return result.curves, result.draws


def keep_curves(curves: pd.DataFrame, draws: pd.DataFrame, path: str, said: str, lang: str) -> None:
    """Write ``curves`` and their draws beside them (:func:`roimix.curve_files.write_curves`) and say both on
    stderr (``said``: the sentence for the curves)."""
    from roimix.curve_files import write_curves

    drawn = write_curves(curves, path, draws)
    click.echo(said, err=True)
    if drawn is not None:
        click.echo(t("optimizer.pipeline.draws_written", lang, path=str(drawn), n_draws=draws["draw"].nunique()),
                   err=True)


@click.command("fit")
@click.option("--spend", "-s", type=_FILE, required=True,
              help="spend per day or week, channel and segment (optional platform_gmv: the platform's own GMV)")
@click.option("--outcome", "-o", type=_FILE, required=True, help="total GMV per day or week: date, [segment], value")
@click.option("--lift-tests", type=_FILE, help="lift-test results that calibrate the curves")
@click.option("--touchpoints", "-t", type=click.Path(),
              help="partial journeys: touchpoints of the channels that have them (they give those channels' "
                   "carry-over)")
@click.option("--conversions", "-c", type=click.Path(), help="partial journeys: the orders those journeys lead to")
@click.option("--journey-levels", is_flag=True,
              help="partial journeys: also use their attribution as a prior on the covered channels' level (it "
                   "runs high: the other channels' touches are unseen; see benchmarks/results/aggregate_dev.md)")
@click.option("--model", default="incremental", show_default=True,
              help="partial journeys with --journey-levels: attribution model whose credit is the prior")
@click.option("--lookback-days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--channels", type=_FILE, help="channel groups and key platforms")
@click.option("--current-window", type=click.IntRange(1),
              help="current spend = mean over the last N days (default: the whole history)")
@click.option("--keep-campaigns", is_flag=True,
              help="fit on campaign periods too (default: 618, 双11 and 年货节 windows are left out)")
@click.option("--platform-prior", is_flag=True,
              help="use platform GMV × the deflation factor learned on lift-tested channels as a weak prior")
@click.option("--no-pool", "no_pool", is_flag=True,
              help="fit each cell on its own data only (default: cells without journeys are pooled toward the "
                   "shop's pooled ROI, each by its own evidence; see benchmarks/results/aggregate_dev.md)")
@click.option("--no-channel-pool", "no_channel_pool", is_flag=True,
              help="pool every cell toward the shop's ROI (default: a cell whose own data know less than the same "
                   "channel's cell in another segment is pooled toward that cell's ROI)")
@click.option("--no-untested-cap", "no_untested_cap", is_flag=True,
              help="with lift tests, keep the fit's levels of the untested cells as they come (default: a cell "
                   "without a test keeps the lower of its levels with and without the tests: a test of one "
                   "channel is no evidence for another)")
@click.option("--pooled-prior", is_flag=True,
              help="instead of the pool: a prior at the shop's pooled ROI on every cell without journeys, one "
                   "weight for all (pulls well-identified cells too)")
@click.option("--shop-events", type=click.FloatRange(0, min_open=True),
              help="leave out periods when the channels' spend moved together by more than this log change, as "
                   "given (default: by more than 0.2 and beyond chance, for 2 days or more): events the built-in "
                   "calendar does not know")
@click.option("--no-shop-events", is_flag=True, help="keep every period (no shop events left out)")
@click.option("--out", type=_FILE, required=True, help="where the curves go: curves.csv or curves.parquet")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def command(spend, outcome, lift_tests, touchpoints, conversions, journey_levels, model, lookback_days, channels,
            current_window, keep_campaigns, platform_prior, no_pool, no_channel_pool, no_untested_cap, pooled_prior,
            shop_events, no_shop_events, out, lang) -> None:
    """Fit response curves from spend and total GMV per day or week (no journeys needed; journeys for
    some channels give their carry-over) and write them."""
    if Path(out).suffix.lower() not in _CURVE_SUFFIXES:
        raise UsageError(message=Message("plan.err.cli.out_suffix", {
            "option": "--out", "formats": ", ".join(_CURVE_SUFFIXES)}))
    aggregate_curves({"spend": spend, "outcome": outcome, "lift_tests": lift_tests, "channels": channels,
                      "current_window": current_window, "touchpoints": touchpoints, "conversions": conversions,
                      "model": model, "lookback_days": lookback_days}, curves_out=out, lang=lang,
                     keep_campaigns=keep_campaigns,
                     platform_prior=platform_prior, pooled_prior=pooled_prior, pool=not no_pool,
                     pool_channels=not no_channel_pool, shop_events=shop_events, no_shop_events=no_shop_events,
                     cap_untested=not no_untested_cap, journey_levels=journey_levels)
