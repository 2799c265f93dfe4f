"""From raw logs to response curves: validate → journeys → attribution → lags → fit.

Each stage is a public function of the packages it calls; this module only wires them and keeps
the tables between stages, so the app and the CLI run the same pipeline.

* One pass over the logs: each is checked once, on the one connection (or Spark session) that then reads
  it (``attribution.engines.open_logs``); the journeys are built once, and the paths per (date, product
  segment), the touch-to-order gaps the lags are estimated from and the daily outcome are read off that
  build (``attribution.journeys.build_views``; on Spark ``attribution.spark.spark_views``).
* The attribution model (incremental by default) credits each day's orders to channels; its mean
  credit per day over the fitted (non-campaign) days is the prior on each curve's level.
* Curves are fitted against the total GMV per day and product segment (``response.fit_curves``),
  campaign periods left out; current spend is the mean daily spend over the history or its last
  ``current_window_days``; CPC and new-customer share per cell come from the spend table's clicks.

Input checks beyond the table contracts (DuckDB or Spark SQL over the logs, so they scale):

* The analysis period is the spend table's first–last date. Touchpoints and orders dated outside
  it by more than ``lookback_days`` (an order in 2099 or 1970) are a :class:`TableError` naming
  file, row and column; orders inside that window but outside the spend dates are left out of the
  fit (the outcome and the prior) and counted in a warning.
* Orders that repeat another row exactly and have no ``order_id`` are counted in a warning and
  kept (a buyer can place two identical orders in one second; dropping them would change GMV).
* Paid channels with no touchpoint at all, and spend series that duplicate another cell's of the
  same segment (identical, or correlation > ``DUPLICATE_CORRELATION``), are named in warnings.
* Lift tests naming a channel or segment the spend table lacks are a :class:`TableError` (a typo
  would otherwise drop the user's strongest evidence from the plan without a word).
* Cells without clicks get ``cpc`` and ``new_customer_share`` NaN and ``clicks_known`` False —
  never an assumed CPC.

Warnings are :class:`roimix.messages.Message` objects (``roimix.text.pipeline.render_warning`` words them).
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
from attribution.engines import DuckDBEngine, Engine, open_logs
from attribution.journeys import JourneyViews
from optimizer.campaign import CalendarError, template_dates
from response import FitSettings, estimate_lags, fit_curves, lag_kernels
from roimix import plan_defaults
from roimix.errors import InputError
from roimix.messages import Message
from roimix.tables import CHANNELS, CONVERSIONS, LIFT_TESTS, SPEND, TOUCHPOINTS, TableError, load_table, read_table
from roimix.expected import expect
from roimix.tables.problems import Problem

Progress = Callable[[str], None]

CAMPAIGNS = ("618", "double11", "nianhuo")
"""Built-in campaigns (optimizer.campaign templates) left out of the fit in every year of the history."""
DUPLICATE_CORRELATION = 0.99
"""Spend series of one segment correlated above this cannot be told apart by the fit."""
ROWS_SHOWN = 5
"""Rows named per problem found in the logs (the count covers all)."""


@dataclass(frozen=True)
class PipelineSettings:
    lookback_days: int = 30
    model: str = "incremental"
    use_prior: bool = True
    current_window_days: int | None = None
    """Current spend = mean daily spend over the last N days of the history (None: all of it)."""
    exclude: pd.DataFrame | None = None
    """start, end of periods to leave out of the fit; None: the built-in campaign windows."""
    default_margin: float = plan_defaults.MARGIN
    fit: FitSettings = field(default_factory=FitSettings)
    engine: Engine = field(default_factory=DuckDBEngine)
    """Where the logs are read and the journeys built (``attribution.engines``: DuckDB out of core, or Spark);
    with Spark the logs are checked in the engine's DuckDB first."""


@dataclass(frozen=True)
class PipelineResult:
    """``curves`` is in the optimizer's curves-table format (plus the fit's columns)."""

    curves: pd.DataFrame
    fit: object
    credit: pd.DataFrame
    """per (date, product_segment, channel) credit of the chosen model, on the spend table's dates (the prior's)"""
    paths: pd.DataFrame
    """aggregated paths per (date, product_segment)"""
    lags: pd.DataFrame
    spend: pd.DataFrame
    outcome: pd.DataFrame
    timings: pd.DataFrame
    warnings: tuple[Message, ...]
    """Keys ``pipeline.*`` (inputs, lags, fit); words in ``roimix/text/pipeline.py``."""
    date_range: tuple[pd.Timestamp, pd.Timestamp] | None = None
    """First and last date of the spend table: the analysis period."""
    notes: tuple[Message, ...] = ()
    """Statements, not warnings: the analysis period (``pipeline.date_range``)."""

    @property
    def draws(self) -> pd.DataFrame:
        """The fit's curve draws (see :class:`response.CurveFit`); empty without them."""
        return getattr(self.fit, "draws", pd.DataFrame())


Source = str | Path | pd.DataFrame


class StageClock:
    """Names each stage to ``progress`` as it starts and times it: ``clock("journeys")`` starts a stage,
    :meth:`timings` ends the last one and gives ``stage, seconds``."""

    def __init__(self, progress: Progress | None = None):
        self._say = progress or (lambda _name: None)
        self._starts: list[tuple[str, float]] = []

    def __call__(self, name: str) -> None:
        self._say(name)
        self._starts.append((name, time.perf_counter()))

    def timings(self) -> pd.DataFrame:
        ends = [t for _, t in self._starts[1:]] + [time.perf_counter()]
        return pd.DataFrame({"stage": [n for n, _ in self._starts],
                             "seconds": [end - start for (_, start), end in zip(self._starts, ends)]})


def run_pipeline(
    touchpoints: Source,
    conversions: Source,
    spend: Source,
    *,
    channels: Source | None = None,
    lift_tests: Source | None = None,
    settings: PipelineSettings = PipelineSettings(),
    progress: Progress | None = None,
    checked: bool = False,
    views: JourneyViews | None = None,
) -> PipelineResult:
    """Fit incremental response curves from raw logs (files or DataFrames). Each log is checked once and
    the journeys are built once (paths, touch-to-order gaps and the daily outcome come from that build).
    ``checked``: every input is a DataFrame already checked against its contract (as
    :func:`roimix.tables.read_table` returns it: the app's sample and uploads), so none is checked again; the
    pipeline's own checks (dates, lift tests' cells, duplicates) still run. ``views``: these logs' journeys built
    already (:func:`attribution.journeys.build_views` with paths per date and product segment, gaps and orders over
    all days, ``settings.lookback_days``; the app's one build), read instead of building them again."""
    if checked and not all(isinstance(s, pd.DataFrame) for s in (touchpoints, conversions, spend, channels, lift_tests)
                           if s is not None):
        raise InputError(message=Message("data.err.checked_frames", {}))
    stage = StageClock(progress)
    stage("validate")
    with ExitStack() as stack:  # both logs opened once: one DuckDB connection (or one Spark session)
        logs, spend_table, channels_table, lifts = _open_inputs(stack, touchpoints, conversions, spend, channels,
                                                                lift_tests, settings.engine, checked)
        spend_dates = pd.to_datetime(spend_table["date"])
        first, last = spend_dates.min().normalize(), spend_dates.max().normalize()
        warnings: list[Message] = []
        facts = logs.query(lambda tp, cv: _log_facts_sql(tp, cv, first, last, settings.lookback_days))
        warnings += _log_warnings(facts, touchpoints, conversions, first, last, settings.lookback_days)
        warnings += _spend_warnings(spend_table, facts)

        stage("journeys")
        if views is None:
            views = logs.views(lookback_days=settings.lookback_days, by=("date", "product_segment"),
                               orders_between=(first, last + pd.Timedelta(days=1)))
        else:  # built already (orders of every day): the spend's days are the same rows of it
            views = views.check(lookback_days=settings.lookback_days, by=("date", "product_segment"),
                                views=("paths", "gaps", "orders"))
            days = pd.to_datetime(views.orders["date"])
            views = dataclasses.replace(views, orders=views.orders[(days >= first) & (days <= last)]
                                        .reset_index(drop=True))
    paths, gaps, outcome = views.paths, views.gaps, views.orders

    stage("attribution")
    credit = credit_by_day(paths, settings.model, channels=channels_table)
    credit = credit[pd.to_datetime(credit["date"]).between(first, last)]  # the fit's days only

    stage("lags")
    paid = sorted(spend_table["channel"].astype(str).unique())
    lags = estimate_lags(gaps, lookback_days=settings.lookback_days, channels=paid)
    kernels = lag_kernels(gaps, lags, lookback_days=settings.lookback_days)

    stage("curves")
    exclude = settings.exclude if settings.exclude is not None else campaign_windows(first, last)
    spend_by_day = spend_table.groupby(["date", "channel", "segment"], as_index=False)["spend"].sum()
    prior = _prior(credit, exclude, paid) if settings.use_prior else None
    fit = fit_curves(spend_by_day, outcome[["date", "segment", "value"]], prior=prior, kernels=kernels,
                     lift_tests=lifts, exclude=exclude, current_spend=_current(spend_table, settings.current_window_days),
                     settings=settings.fit)
    curves, click_warnings = _curves_table(fit.curves, spend_table, channels_table, settings.default_margin)
    timings = stage.timings()
    warnings += click_warnings
    warnings += [Message("pipeline.lag.assumed", {"channel": r.channel, "n_touches": int(r.n_touches),
                                                  "lag_days": float(r.lag_mean_days)})
                 for r in lags.itertuples() if not r.estimated]
    note = Message("pipeline.date_range", {"first_date": str(first.date()), "last_date": str(last.date()),
                                           "n_days": int((last - first).days) + 1})
    return PipelineResult(curves, fit, credit, paths, lags, spend_by_day, outcome, timings,
                          tuple(warnings) + tuple(fit.warnings), (first, last), (note,))


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


def _open_inputs(stack: ExitStack, touchpoints, conversions, spend, channels, lift_tests, engine: Engine,
                 checked: bool) -> tuple:
    """(the logs opened on ``engine`` (:func:`attribution.engines.open_logs`), spend, channels, lift tests), each
    checked once (none when ``checked``: they were). Every problem of every file in one :class:`TableError`."""
    problems = []
    logs = None
    try:
        logs = stack.enter_context(open_logs(touchpoints, conversions, engine=engine, checked=checked))
    except TableError as err:
        problems.extend(err.problems)

    def read(source, contract, label):
        if source is None or checked:
            return source
        try:
            return read_table(source, contract, name=_name(source, label))
        except TableError as err:
            problems.extend(err.problems)

    tables = (read(spend, SPEND, "spend"), read(channels, CHANNELS, "channels"),
              read(lift_tests, LIFT_TESTS, "lift tests"))
    if tables[0] is not None and tables[2] is not None:
        problems += _lift_problems(tables[2], tables[0], _name(lift_tests, "lift tests"))
    if problems:
        raise TableError(problems)
    return (logs, *tables)


def _label(source, default: str) -> str:
    """How problems name an input: its file name, or ``default`` for a DataFrame."""
    return default if isinstance(source, pd.DataFrame) else Path(str(source)).name


def _lift_problems(lifts: pd.DataFrame, spend: pd.DataFrame, label: str) -> list[Problem]:
    """Lift tests whose channel, or (channel, segment), has no spend: one problem per column."""
    channels = set(spend["channel"].astype(str))
    cells = set(zip(spend["channel"].astype(str), spend["segment"].astype(str)))
    known = ", ".join(f"{c}/{s}" for c, s in sorted(cells))
    bad: dict[str, list[tuple[int, str]]] = {"channel": [], "segment": []}
    for i, r in enumerate(lifts.itertuples(index=False)):
        segment = getattr(r, "segment", None)
        if str(r.channel) not in channels:
            bad["channel"].append((i + 2, str(r.channel)))
        elif isinstance(segment, str) and segment and (str(r.channel), segment) not in cells:
            bad["segment"].append((i + 2, f"{r.channel}/{segment}"))
    expected = expect("lift_cell", known=known)
    return [Problem.of(label, column, expected, tuple(row for row, _ in found[:ROWS_SHOWN]), len(found),
                       tuple(dict.fromkeys(got for _, got in found))[:ROWS_SHOWN])
            for column, found in bad.items() if found]


def _ts(day: pd.Timestamp) -> str:
    return f"TIMESTAMP '{day:%Y-%m-%d %H:%M:%S}'"


def _window(first: pd.Timestamp, last: pd.Timestamp, lookback_days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of the times the logs may hold: the spend dates ± the lookback."""
    return first - pd.Timedelta(days=lookback_days), last + pd.Timedelta(days=lookback_days + 1)


def _log_facts_sql(tp: str, cv: str, first: pd.Timestamp, last: pd.Timestamp, lookback_days: int) -> str:
    """One small table of facts about the logs: kind, channel, n.

    ``touches``: touchpoints per channel (``n``) and how many fall outside the window (``outside``);
    ``orders_outside``: orders outside the window; ``orders_off_spend``: orders inside it but not on
    a spend date; ``duplicate_orders``: order rows without order_id repeating another row exactly."""
    lo, hi = (_ts(d) for d in _window(first, last, lookback_days))
    start, stop = _ts(first), _ts(last + pd.Timedelta(days=1))
    outside = f'CASE WHEN "timestamp" < {lo} OR "timestamp" >= {hi} THEN 1 ELSE 0 END'
    off_spend = (f'CASE WHEN "timestamp" >= {lo} AND "timestamp" < {hi} AND ("timestamp" < {start} '
                 f'OR "timestamp" >= {stop}) THEN 1 ELSE 0 END')
    return f"""
        SELECT 'touches' AS kind, CAST(channel AS VARCHAR) AS channel, count(*) AS n,
               CAST(sum({outside}) AS BIGINT) AS outside
        FROM {tp} GROUP BY channel
        UNION ALL
        SELECT 'orders', CAST(NULL AS VARCHAR), count(*), CAST(sum({outside}) AS BIGINT) FROM {cv}
        UNION ALL
        SELECT 'orders_off_spend', CAST(NULL AS VARCHAR), CAST(sum({off_spend}) AS BIGINT), CAST(0 AS BIGINT)
        FROM {cv}
        UNION ALL
        SELECT 'duplicate_orders', CAST(NULL AS VARCHAR), CAST(coalesce(sum(copies - 1), 0) AS BIGINT),
               CAST(0 AS BIGINT)
        FROM (SELECT count(*) AS copies FROM {cv} WHERE order_id IS NULL
              GROUP BY user_id, "timestamp", value, is_new_customer, product_segment HAVING count(*) > 1) AS d
    """


def _log_warnings(facts: pd.DataFrame, touchpoints, conversions, first: pd.Timestamp, last: pd.Timestamp,
                  lookback_days: int) -> list[Message]:
    """Warnings from :func:`_log_facts_sql`; a :class:`TableError` for log times outside the window."""
    def total(kind: str, column: str = "n") -> int:
        values = facts.loc[facts["kind"] == kind, column]
        return int(values.fillna(0).sum())

    logs = (("touchpoints", touchpoints, TOUCHPOINTS, total("touches", "outside")),
            ("conversions", conversions, CONVERSIONS, total("orders", "outside")))
    problems = [_dates_problem(source, contract, name, n, first, last, lookback_days)
                for name, source, contract, n in logs if n]
    if problems:
        raise TableError(problems)
    label = _label(conversions, "conversions")
    out = []
    off = total("orders_off_spend")
    if off:
        out.append(Message("pipeline.input.outside_spend_dates", {"file": label, "n_rows": off,
                                                                  "first_date": str(first.date()),
                                                                  "last_date": str(last.date())}))
    copies = total("duplicate_orders")
    if copies:
        out.append(Message("pipeline.input.duplicate_orders", {"file": label, "n_rows": copies}))
    return out


def _dates_problem(source, contract, name: str, n_rows: int, first: pd.Timestamp, last: pd.Timestamp,
                   lookback_days: int) -> Problem:
    """The rows of ``source`` (numbered as the table reader numbers them) whose timestamp is outside the window;
    a remote file (a cluster's) gets the count only."""
    lo, hi = _window(first, last, lookback_days)
    expected = expect("dates_window", first_date=str(lo.date()), last_date=str((hi - pd.Timedelta(days=1)).date()),
                      lookback_days=lookback_days)
    label = _label(source, name)
    rows, got = (), ()
    if isinstance(source, pd.DataFrame) or "://" not in str(source):
        import duckdb

        con = duckdb.connect()
        try:
            view = load_table(con, source, contract, name=label)
            found = con.execute(
                f'SELECT __row, CAST("timestamp" AS VARCHAR) FROM {view} '
                f'WHERE "timestamp" < {_ts(lo)} OR "timestamp" >= {_ts(hi)} ORDER BY __row LIMIT {ROWS_SHOWN}'
            ).fetchall()
        finally:
            con.close()
        rows, got = tuple(int(r) for r, _ in found), tuple(str(v) for _, v in found)
    return Problem.of(label, "timestamp", expected, rows, n_rows, got)


def _spend_warnings(spend: pd.DataFrame, facts: pd.DataFrame) -> list[Message]:
    """Paid channels without a touchpoint; cells of one segment whose daily spend series duplicate each other."""
    touched = set(facts.loc[(facts["kind"] == "touches") & (facts["n"] > 0), "channel"].astype(str))
    out = [Message("pipeline.input.no_touchpoints", {"channel": c})
           for c in sorted(set(spend["channel"].astype(str)) - touched)]
    wide = (spend.assign(date=pd.to_datetime(spend["date"]))
            .pivot_table(index="date", columns=["segment", "channel"], values="spend", aggfunc="sum", fill_value=0.0)
            .sort_index(axis=1))
    if len(wide) > 1:  # a missing period is no spend, as the fit reads it
        step = int(wide.index.to_series().diff().dt.days.median())
        wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq=f"{step}D"), fill_value=0.0)
    for segment in wide.columns.get_level_values(0).unique():
        block = wide[segment]
        names = list(block.columns)
        values = block.to_numpy(dtype=float)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                x, y = values[:, i], values[:, j]
                identical = np.array_equal(x, y)
                corr = float(np.corrcoef(x, y)[0, 1]) if x.std() > 0 and y.std() > 0 else (1.0 if identical else 0.0)
                if identical or corr > DUPLICATE_CORRELATION:
                    out.append(Message("pipeline.input.duplicate_spend", {
                        "cell": f"{names[i]}/{segment}", "other": f"{names[j]}/{segment}", "correlation": corr,
                        "how": "identical" if identical else "correlated"}))
    return out


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


def cell_traffic(spend: pd.DataFrame) -> pd.DataFrame:
    """channel, segment, cpc, new_customer_share, clicks_known per cell, from the days whose clicks are given.

    ``cpc`` = spend ÷ clicks over the days with clicks; ``new_customer_share`` = new-customer clicks ÷
    clicks over the days with both. A cell with no clicks (column absent, empty, or zero clicks) gets
    NaN — never an assumed CPC — and ``clicks_known`` is True only when both are known (what the
    new-customer rules need)."""
    frame = spend.copy()
    for column in ("clicks", "new_customer_clicks"):
        if column not in frame.columns:
            frame[column] = np.nan
    clicks = pd.to_numeric(frame["clicks"], errors="coerce").astype(float)
    new = pd.to_numeric(frame["new_customer_clicks"], errors="coerce").astype(float)
    both = clicks.notna() & new.notna()
    frame = frame.assign(c_spend=frame["spend"].where(clicks.notna(), 0.0), c_clicks=clicks.fillna(0.0),
                         n_clicks=clicks.where(both, 0.0), n_new=new.where(both, 0.0))
    agg = frame.groupby(["channel", "segment"], as_index=False)[["c_spend", "c_clicks", "n_clicks", "n_new"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["cpc"] = np.where(agg["c_clicks"] > 0, agg["c_spend"] / agg["c_clicks"], np.nan)
        agg["new_customer_share"] = np.where(agg["n_clicks"] > 0, agg["n_new"] / agg["n_clicks"], np.nan)
    agg.loc[~(agg["cpc"] > 0), "cpc"] = np.nan  # clicks but no spend: no price known
    agg["clicks_known"] = agg["cpc"].notna() & agg["new_customer_share"].notna()
    return agg[["channel", "segment", "cpc", "new_customer_share", "clicks_known"]]


def _curves_table(fitted: pd.DataFrame, spend: pd.DataFrame, channels: pd.DataFrame | None,
                  margin: float) -> tuple[pd.DataFrame, list[Message]]:
    """Add cpc, new_customer_share, clicks_known (:func:`cell_traffic`), group and key_platform (from the
    channels table), margin; and a warning when clicks are missing."""
    traffic = cell_traffic(spend)
    warnings = []
    absent = [c for c in ("clicks", "new_customer_clicks") if c not in spend.columns]
    if absent:
        warnings.append(Message("pipeline.input.no_clicks", {"columns": absent}))
    elif not traffic["clicks_known"].all():
        unknown = traffic[~traffic["clicks_known"]]
        warnings.append(Message("pipeline.input.clicks_unknown",
                                {"cells": [f"{c}/{s}" for c, s in zip(unknown["channel"], unknown["segment"])]}))
    from roimix.report.history_range import highest_daily_spend

    out = fitted.merge(traffic, on=["channel", "segment"], how="left")
    out = out.merge(highest_daily_spend(spend, 1).rename(columns={"highest_cny": "highest_spend"}),
                    on=["channel", "segment"], how="left")  # the curve's known range; a plan above it is told so
    if channels is not None:
        out = out.merge(channels[["channel", "group", "key_platform"]], on="channel", how="left")
    else:
        out["group"], out["key_platform"] = None, None
    out["margin"] = margin
    first = ["channel", "segment", "family", "a", "b", "s", "current_spend", "cpc", "new_customer_share", "group",
             "key_platform", "margin", "highest_spend"]
    return out[first + [c for c in out.columns if c not in first]], warnings
