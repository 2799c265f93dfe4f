"""Journeys and aggregated paths on Spark, from the very SQL that DuckDB runs.

The definition lives once, in DuckDB's dialect, in :mod:`attribution.journeys`; here sqlglot
transpiles it to Spark SQL at run time (:func:`to_spark_sql`), and the same statements run over
Spark temp views of the inputs. Nothing is kept by hand in two copies.

What crosses the wire: executors read the input files themselves; the driver sends SQL text and
receives only the aggregated paths (``{by…,} path, conversions, value, nulls``) — or, with
:func:`spark_journeys`, one row per journey and per touch (meant for tests and small data).

Timestamps: the SQL casts them to ``TIMESTAMP_NTZ`` (wall-clock, as DuckDB's ``TIMESTAMP``);
Parquet written without a time zone is read as such. Sessions built here use the UTC session time
zone, so a time-zone-aware column converts the same way DuckDB's UTC connection would.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
import sqlglot
from sqlglot.errors import ErrorLevel

from roimix.messages import Message

from .engines import EngineError
from .journeys import (
    JOURNEY_COLUMNS, Journeys, JourneyViews, _partial_paths_select, check_by, check_lookback, combine_paths_sql,
    conversions_sql, gaps_sql, journey_touches_sql, journeys_sql, orders_from_logs_sql, paths_sql, touches_sql,
    touchpoints_sql,
)

if TYPE_CHECKING:  # pyspark is an optional dependency (the ``spark`` extra)
    from pathlib import Path

    from pyspark.sql import DataFrame, SparkSession

    SparkSource = str | Path | pd.DataFrame | DataFrame
CSV_SUFFIXES = (".csv", ".csv.gz")
REQUIRED = (("user_id", "timestamp", "channel"), ("user_id", "timestamp", "value"))


def to_spark_sql(sql: str) -> str:
    """``sql`` (DuckDB dialect) in Spark SQL; raises ``sqlglot.errors.UnsupportedError`` for any
    construct sqlglot cannot translate faithfully."""
    return sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)[0]


def session_conf(*, shuffle_partitions: int | None = None, local_dir: str | None = None,
                 driver_memory: str | None = None, ui: bool = False,
                 extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Spark settings of a session built for journeys: UTC, Arrow transfer, ANSI casts (a bad
    cell fails the job instead of becoming NULL), plus the given ones."""
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.ansi.enabled": "true",
        "spark.ui.enabled": str(ui).lower(),
        "spark.ui.showConsoleProgress": "false",
    }
    if shuffle_partitions is not None:
        conf["spark.sql.shuffle.partitions"] = str(int(shuffle_partitions))
    if local_dir is not None:
        conf["spark.local.dir"] = str(local_dir)
    if driver_memory is not None:
        conf["spark.driver.memory"] = str(driver_memory)
    return conf | dict(extra or {})


@contextmanager
def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None,
                  *, app_name: str = "roimix-journeys") -> Iterator[SparkSession]:
    """The active Spark session if there is one (e.g. in a notebook; it is left running and its
    settings untouched), else a new one with ``conf``, stopped on exit, at ``master`` — when None,
    the master spark-submit was given, or ``local[*]`` outside spark-submit."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not launched by spark-submit, which sets the master
        builder = builder.master("local[*]")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def spark_paths(
    spark: SparkSession,
    touchpoints: SparkSource,
    conversions: SparkSource,
    *,
    lookback_days: int = 30,
    by: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Aggregated paths computed by ``spark``; only they are collected to the driver. Inputs are
    Spark or pandas DataFrames, or Parquet/CSV paths that Spark reads itself (no validation here:
    see :func:`attribution.engines.build_paths`)."""
    check_lookback(lookback_days)
    check_by(by)
    return spark_query(spark, touchpoints, conversions, lambda tp, cv: paths_sql(tp, cv, lookback_days, by))


def spark_query(spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource,
                sql: Callable[[str, str], str]) -> pd.DataFrame:
    """``sql(touchpoints_view, conversions_view)`` (DuckDB's dialect, over the typed inputs) run by
    ``spark`` after translation; only its result is collected."""
    with _views(spark, touchpoints, conversions) as (tp, cv, _):
        return _collect(spark.sql(to_spark_sql(sql(tp, cv))))


def spark_views(
    spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource, *, lookback_days: int = 30,
    by: tuple[str, ...] = (), orders_between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    views: tuple[str, ...] = ("paths", "gaps", "orders"),
) -> JourneyViews:
    """Paths, touch-to-order gaps and orders per day (those of ``views``; :class:`attribution.journeys.JourneyViews`)
    from one build of the journeys on ``spark``: the journeys with their touches
    (:func:`attribution.journeys.journey_touches_sql`) are cached on the executors, the paths and the gaps read
    off them, the orders off the conversions; only the results are collected."""
    check_lookback(lookback_days)
    check_by(by)
    unknown = sorted(set(views) - {"paths", "gaps", "orders"})
    if unknown:
        raise EngineError(message=Message("journeys.err.views", {"views": ", ".join(unknown),
                                                                 "known": "paths, gaps, orders"}))
    out = {"lookback_days": int(lookback_days), "by": tuple(by)}
    with _views(spark, touchpoints, conversions) as (tp, cv, tag):
        if "paths" in views or "gaps" in views:
            name = f"__roimix_built_{tag}"
            built = spark.sql(to_spark_sql(journey_touches_sql(tp, cv, lookback_days))).cache()
            built.createOrReplaceTempView(name)
            try:
                if "paths" in views:
                    partial = f"({_partial_paths_select(by, name)}) AS p"
                    out["paths"] = _collect(spark.sql(to_spark_sql(combine_paths_sql(partial, by))))
                if "gaps" in views:
                    out["gaps"] = _collect(spark.sql(to_spark_sql(
                        f"SELECT * FROM ({gaps_sql(name)}) AS g ORDER BY channel, gap_days, offset_days")))
            finally:
                spark.catalog.dropTempView(name)
                built.unpersist()
        if "orders" in views:
            out["orders"] = _collect(spark.sql(to_spark_sql(orders_from_logs_sql(cv, orders_between))))
    return JourneyViews(**out)


def paths_dataframe(
    spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource, *, lookback_days: int = 30,
    by: tuple[str, ...] = (),
) -> DataFrame:
    """The aggregated paths as a lazy Spark DataFrame (e.g. to write to storage from a cluster job).
    Its input views stay registered in ``spark`` as long as the session lives."""
    check_lookback(lookback_days)
    check_by(by)
    tp, cv = _register(spark, touchpoints, conversions, uuid.uuid4().hex[:12])
    return spark.sql(to_spark_sql(paths_sql(tp, cv, lookback_days, by)))


def spark_journeys(
    spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource, *, lookback_days: int = 30,
) -> Journeys:
    """Journeys and touches computed by ``spark`` and collected (for tests and data that fits the driver)."""
    check_lookback(lookback_days)
    with _views(spark, touchpoints, conversions) as (tp, cv, tag):
        name = f"__roimix_journeys_{tag}"
        table = spark.sql(to_spark_sql(journeys_sql(tp, cv, lookback_days))).cache()
        table.createOrReplaceTempView(name)
        try:
            journeys = _collect(spark.sql(f"SELECT {', '.join(JOURNEY_COLUMNS)} FROM {name} ORDER BY journey_id"))
            touches = _collect(spark.sql(
                f"SELECT * FROM ({to_spark_sql(touches_sql(tp, cv, lookback_days, name))}) ORDER BY journey_id, step"))
        finally:
            spark.catalog.dropTempView(name)
            table.unpersist()
    return Journeys(journeys, touches)


def read_source(spark: SparkSession, source: SparkSource) -> DataFrame:
    """A Spark DataFrame over ``source``: itself, a pandas DataFrame (via Arrow), or a path (local
    or a URI such as ``hdfs://``, ``s3a://``): CSV with a header row if it ends in ``.csv``
    (``.csv.gz``), else Parquet (a file or a folder of part files)."""
    from pyspark.sql import DataFrame

    if isinstance(source, DataFrame):
        return source
    if isinstance(source, pd.DataFrame):
        import pyarrow as pa

        return spark.createDataFrame(pa.Table.from_pandas(source, preserve_index=False))
    text = str(source)
    if text.lower().endswith(CSV_SUFFIXES):
        return spark.read.option("header", "true").option("encoding", "UTF-8").csv(text)
    return spark.read.parquet(text)


@contextmanager
def _views(spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource):
    tag = uuid.uuid4().hex[:12]
    names = _register(spark, touchpoints, conversions, tag)
    try:
        yield (*names, tag)
    finally:
        for name in (*names, f"__roimix_in_tp_{tag}", f"__roimix_in_cv_{tag}"):
            spark.catalog.dropTempView(name)


def _register(spark: SparkSession, touchpoints: SparkSource, conversions: SparkSource, tag: str) -> tuple[str, str]:
    """Temp views of the typed inputs (the SQL of :func:`touchpoints_sql` / :func:`conversions_sql`)."""
    frames = [read_source(spark, touchpoints), read_source(spark, conversions)]
    for label, frame, needed in (("touchpoints", frames[0], REQUIRED[0]), ("conversions", frames[1], REQUIRED[1])):
        missing = [c for c in needed if c not in {name.lower() for name in frame.columns}]
        if missing:
            raise EngineError(message=Message("journeys.err.no_column", {
                "table": label, "missing": ", ".join(missing), "found": ", ".join(frame.columns)[:200]}))
    id_types = {frame.schema["user_id"].dataType.simpleString() for frame in frames}
    as_text = len(id_types) > 1
    raw = [f"__roimix_in_tp_{tag}", f"__roimix_in_cv_{tag}"]
    for frame, name in zip(frames, raw):
        frame.createOrReplaceTempView(name)
    columns = [c.lower() for c in frames[1].columns]
    typed = {
        f"__roimix_tp_{tag}": touchpoints_sql(raw[0], ids_as_text=as_text),
        f"__roimix_cv_{tag}": conversions_sql(raw[1], columns, ids_as_text=as_text),
    }
    for name, sql in typed.items():
        spark.sql(to_spark_sql(sql)).createOrReplaceTempView(name)
    return tuple(typed)


def _collect(frame: DataFrame) -> pd.DataFrame:
    """``frame`` in pandas, with the dtypes DuckDB's ``.df()`` gives (dates as ``datetime64``,
    booleans with NULLs as pandas' nullable ``boolean``)."""
    from pyspark.sql.types import BooleanType, DateType

    out = frame.toPandas()
    for field in frame.schema.fields:
        if isinstance(field.dataType, DateType):
            out[field.name] = pd.to_datetime(out[field.name]).astype("datetime64[us]")
        elif isinstance(field.dataType, BooleanType) and out[field.name].dtype == object:
            out[field.name] = out[field.name].astype("boolean")
    return out

