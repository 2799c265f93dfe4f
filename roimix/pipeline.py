"""From raw logs to response curves: validate → journeys → attribution → lags → fit.

Each stage is a public function of the packages it calls; this module only wires them and keeps
the tables between stages, so the app and the CLI run the same pipeline.

* Journeys and paths per (date, product segment) come from DuckDB (``attribution.build_paths``),
  and so do the touch-to-order gaps the lags are estimated from.
* The attribution model (incremental by default) credits each day's orders to channels; its mean
  credit per day over the fitted (non-campaign) days is the prior on each curve's level.
* Curves are fitted against the total GMV per day and product segment (``response.fit_curves``),
  campaign periods left out; current spend is the mean daily spend over the history or its last
  ``current_window_days``; CPC and new-customer share per cell come from the spend table's clicks.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from attribution import credit_by_day
from attribution.engines import DuckDBEngine, Engine, SparkEngine, build_paths, check_logs, query
from attribution.journeys import VALUE_UNITS, journey_sql
from optimizer.campaign import CalendarError, template_dates
from response import FitSettings, estimate_lags, fit_curves, lag_kernels
from roimix.tables import CHANNELS, LIFT_TESTS, SPEND, TableError, read_table

Progress = Callable[[str], None]

CAMPAIGNS = ("618", "double11", "nianhuo")
"""Built-in campaigns (optimizer.campaign templates) left out of the fit in every year of the history."""


@dataclass(frozen=True)
class PipelineSettings:
    lookback_days: int = 30
    model: str = "incremental"
    use_prior: bool = True
    current_window_days: int | None = None
    """Current spend = mean daily spend over the last N days of the history (None: all of it)."""
    exclude: pd.DataFrame | None = None
    """start, end of periods to leave out of the fit; None: the built-in campaign windows."""
    default_margin: float = 0.45
    fit: FitSettings = field(default_factory=FitSettings)
    engine: Engine = field(default_factory=DuckDBEngine)
    """Where paths are built (``attribution.engines``: DuckDB out of core, or Spark). Validation,
    the outcome and the touch-to-order gaps for the lags run in DuckDB with the engine's limits."""


@dataclass(frozen=True)
class PipelineResult:
    """``curves`` is in the optimizer's curves-table format (plus the fit's columns)."""

    curves: pd.DataFrame
    fit: object
    credit: pd.DataFrame
    """per (date, product_segment, channel) credit of the chosen model"""
    paths: pd.DataFrame
    """aggregated paths per (date, product_segment)"""
    lags: pd.DataFrame
    spend: pd.DataFrame
    outcome: pd.DataFrame
    timings: pd.DataFrame
    warnings: tuple[str, ...]


Source = str | Path | pd.DataFrame


def run_pipeline(
    touchpoints: Source,
    conversions: Source,
    spend: Source,
    *,
    channels: Source | None = None,
    lift_tests: Source | None = None,
    settings: PipelineSettings = PipelineSettings(),
    progress: Progress | None = None,
) -> PipelineResult:
    """Fit incremental response curves from raw logs (files or validated DataFrames)."""
    say = progress or (lambda _msg: None)
    times: list[tuple[str, float]] = []

    def stage(name: str):
        say(name)
        times.append((name, time.perf_counter()))

    stage("validate")
    spend_table, channels_table, lifts = _check_inputs(touchpoints, conversions, spend, channels, lift_tests,
                                                       settings.engine)

    stage("journeys")
    trusted = dataclasses.replace(settings.engine, validate=False)  # checked just above
    with ExitStack() as stack:  # one Spark session for the three queries (DuckDB needs none)
        spark = None
        if isinstance(trusted, SparkEngine):
            from attribution.spark import spark_session

            spark = stack.enter_context(spark_session(trusted.master, trusted.session_conf()))
        on_engine = {"engine": trusted, "spark": spark}
        paths = build_paths(touchpoints, conversions, lookback_days=settings.lookback_days,
                            by=("date", "product_segment"), **on_engine)
        gaps = query(touchpoints, conversions, lambda tp, cv: _gaps_sql(tp, cv, settings.lookback_days), **on_engine)
        outcome = query(touchpoints, conversions, lambda _tp, cv: _outcome_sql(cv), **on_engine)

    stage("attribution")
    credit = credit_by_day(paths, settings.model, channels=channels_table)

    stage("lags")
    paid = sorted(spend_table["channel"].astype(str).unique())
    lags = estimate_lags(gaps, lookback_days=settings.lookback_days, channels=paid)
    kernels = lag_kernels(gaps, lags, lookback_days=settings.lookback_days)

    stage("curves")
    dates = pd.to_datetime(spend_table["date"])
    exclude = settings.exclude if settings.exclude is not None else campaign_windows(dates.min(), dates.max())
    spend_by_day = spend_table.groupby(["date", "channel", "segment"], as_index=False)["spend"].sum()
    prior = _prior(credit, exclude, paid) if settings.use_prior else None
    fit = fit_curves(spend_by_day, outcome[["date", "segment", "value"]], prior=prior, kernels=kernels,
                     lift_tests=lifts, exclude=exclude, current_spend=_current(spend_table, settings.current_window_days),
                     settings=settings.fit)
    curves = _curves_table(fit.curves, spend_table, channels_table, settings.default_margin)
    times.append(("done", time.perf_counter()))
    timings = pd.DataFrame({"stage": [n for n, _ in times[:-1]],
                            "seconds": np.diff([t for _, t in times])})
    lag_warnings = tuple(f"{r.channel}: too few converting touches ({r.n_touches}) to estimate its lag; "
                         f"assumed {r.lag_mean_days:g} day" for r in lags.itertuples() if not r.estimated)
    return PipelineResult(curves, fit, credit, paths, lags, spend_by_day, outcome, timings,
                          lag_warnings + fit.warnings)


def campaign_windows(first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """campaign, start, end of the built-in campaigns (first phase to last) overlapping ``first``–``last``."""
    rows = []
    for year in range(first.year - 1, last.year + 2):
        for name in CAMPAIGNS:
            try:
                phases = template_dates(name, year)
            except CalendarError:  # 年货节 follows the Spring Festival; unknown years are skipped
                continue
            start, end = pd.Timestamp(phases[0][1]), pd.Timestamp(phases[-1][2])
            if end >= first and start <= last:
                rows.append({"campaign": name, "start": start, "end": end})
    return pd.DataFrame(rows, columns=["campaign", "start", "end"])


def _name(source, default: str) -> str:
    return default if isinstance(source, pd.DataFrame) else str(source)


def _check_inputs(touchpoints, conversions, spend, channels, lift_tests, engine: Engine) -> tuple:
    """(spend, channels, lift tests) read and checked; the logs checked in DuckDB when
    ``engine.validate`` (on a cluster they are checked beforehand and trusted). Every problem of
    every file in one :class:`TableError`."""
    problems = []

    def read(source, contract, label):
        try:
            return read_table(source, contract, name=_name(source, label)) if source is not None else None
        except TableError as err:
            problems.extend(err.problems)

    if engine.validate:
        try:
            check_logs(touchpoints, conversions, engine=engine)
        except TableError as err:
            problems.extend(err.problems)
    tables = (read(spend, SPEND, "spend"), read(channels, CHANNELS, "channels"),
              read(lift_tests, LIFT_TESTS, "lift tests"))
    if problems:
        raise TableError(problems)
    return tables


def _outcome_sql(cv: str) -> str:
    """GMV and orders per day and product segment, summed in integer micro-yuan (the same on every run)."""
    return f"""
        SELECT CAST("timestamp" AS DATE) AS date, product_segment AS segment,
               CAST(sum(CAST(round(value * {VALUE_UNITS}) AS BIGINT)) AS DOUBLE) / {VALUE_UNITS} AS value,
               count(*) AS conversions
        FROM {cv} GROUP BY CAST("timestamp" AS DATE), product_segment ORDER BY date, segment
    """


def _gaps_sql(tp: str, cv: str, lookback_days: int) -> str:
    """Per converting journey and channel: days from its last touch to the order, and calendar-day offset."""
    return f"""
        WITH jt AS ({journey_sql(tp, cv, lookback_days)})
        SELECT channel,
               CAST(date_diff('second', max("timestamp"), max(conversion_ts)) AS DOUBLE) / 86400 AS gap_days,
               date_diff('day', CAST(max("timestamp") AS DATE), CAST(max(conversion_ts) AS DATE)) AS offset_days
        FROM jt WHERE converted AND step IS NOT NULL
        GROUP BY journey_id, channel
        ORDER BY channel, gap_days, offset_days
    """


def _prior(credit: pd.DataFrame, exclude: pd.DataFrame, paid: list[str]) -> pd.DataFrame:
    """Mean credited value per day and (channel, segment) over days outside ``exclude``."""
    frame = credit[credit["channel"].isin(paid)].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    keep = pd.Series(True, index=frame.index)
    for start, end in zip(pd.to_datetime(exclude["start"]), pd.to_datetime(exclude["end"])):
        keep &= ~frame["date"].between(start, end)
    all_days = pd.to_datetime(credit["date"])
    n_days = int(all_days[~all_days.isin(frame.loc[~keep, "date"])].nunique()) or 1
    per_cell = frame[keep].groupby(["channel", "product_segment"])["value"].sum() / n_days
    return per_cell.rename_axis(["channel", "segment"]).reset_index()


def _current(spend: pd.DataFrame, window_days: int | None) -> pd.DataFrame:
    frame = spend.assign(date=pd.to_datetime(spend["date"]))
    if window_days is not None:
        frame = frame[frame["date"] > frame["date"].max() - pd.Timedelta(days=window_days)]
    n_days = frame["date"].nunique()
    total = frame.groupby(["channel", "segment"])["spend"].sum() / max(n_days, 1)
    return total.rename("current_spend").reset_index()


def _curves_table(fitted: pd.DataFrame, spend: pd.DataFrame, channels: pd.DataFrame | None,
                  margin: float) -> pd.DataFrame:
    """Add cpc, new_customer_share (from clicks), group and key_platform (from the channels table), margin."""
    agg = spend.groupby(["channel", "segment"]).agg(spend=("spend", "sum"), clicks=("clicks", "sum"),
                                                    new=("new_customer_clicks", "sum")).reset_index()
    by_channel = agg.groupby("channel")[["spend", "clicks", "new"]].sum()
    rows = []
    for r in agg.itertuples():
        clicks = r.clicks if r.clicks and r.clicks > 0 else by_channel.loc[r.channel, "clicks"]
        spend_sum = r.spend if r.clicks and r.clicks > 0 else by_channel.loc[r.channel, "spend"]
        cpc = spend_sum / clicks if clicks and clicks > 0 else 1.0
        share = (r.new / r.clicks) if r.clicks and r.clicks > 0 and np.isfinite(r.new) else np.nan
        rows.append({"channel": r.channel, "segment": r.segment, "cpc": float(cpc),
                     "new_customer_share": float(share) if np.isfinite(share) else 0.0,
                     "clicks_known": bool(r.clicks and r.clicks > 0)})
    out = fitted.merge(pd.DataFrame(rows), on=["channel", "segment"], how="left")
    if channels is not None:
        out = out.merge(channels[["channel", "group", "key_platform"]], on="channel", how="left")
    else:
        out["group"], out["key_platform"] = None, None
    out["margin"] = margin
    first = ["channel", "segment", "family", "a", "b", "s", "current_spend", "cpc", "new_customer_share", "group",
             "key_platform", "margin"]
    return out[first + [c for c in out.columns if c not in first]]
