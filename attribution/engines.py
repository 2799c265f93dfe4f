"""Where journeys and paths are built: DuckDB on this machine (the default) or Spark.

Both engines build the journeys of the one definition of :mod:`attribution.journeys` — Spark runs its SQL,
transpiled by sqlglot (:mod:`attribution.spark`); DuckDB sorts the logs once and passes over the result
(:func:`attribution.journeys.build`) — and they return identical tables.

* :class:`DuckDBEngine` — embedded, out of core: within ``memory_limit`` (e.g. ``"8GB"``) DuckDB
  spills sorts, windows and joins to ``temp_directory``, and users are built in as many hash
  partitions as the limit needs (the per-journey touch lists are the one state DuckDB cannot
  spill); measured: 10⁸ touchpoints in ~4 GB (``benchmarks/results/scale.md``).
* :class:`SparkEngine` — a Spark session at ``master`` (``local[*]``, ``spark://host:7077``,
  ``yarn``, ``k8s://…``), the master spark-submit was given, or an active session. Executors
  read the inputs; only the aggregated paths come back to the driver.

Inputs are paths of CSV/Parquet files or pandas DataFrames (and, for Spark, Spark DataFrames).
With ``validate=True`` (the default) every input is checked against its table contract in DuckDB
first (:func:`roimix.tables.load_table`: all problems at once, with file, row and column). Spark
then reads a typed Parquet copy of the checked table, written by DuckDB into ``staging_dir`` —
so both engines see exactly the same values; this needs a Spark master on this machine
(``local[…]``). With ``validate=False`` the inputs are trusted as they are: Spark reads the files
itself (Parquet, or CSV with ISO timestamps) — the way to run on a cluster, on files its executors
can read (``hdfs://``, ``s3a://``, a shared disk). Spark's ANSI casts fail the job on a cell that
does not parse rather than turning it into NULL.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import duckdb
import pandas as pd

from roimix.errors import InputError
from roimix.messages import Message

from . import journeys as _journeys
from .journeys import CONVERSION_DEFAULTS, Journeys, JourneyViews

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


class EngineError(InputError):
    """An engine setting or input that cannot work (the message says what to change)."""


@dataclass(frozen=True)
class DuckDBEngine:
    """Embedded DuckDB. ``memory_limit`` like ``"8GB"`` (DuckDB's default is 80 % of RAM);
    ``temp_directory``: where it spills (default: the system's temp folder); ``threads``: default
    all cores; ``validate``: check inputs first; ``partitions``: user groups built one after
    another (default: enough to stay within the memory limit, see
    :func:`attribution.journeys.auto_partitions`)."""

    memory_limit: str | None = None
    temp_directory: str | None = None
    threads: int | None = None
    validate: bool = True
    partitions: int | None = None
    name: ClassVar[str] = "duckdb"

    def __post_init__(self):
        if self.memory_limit is not None and not _MEMORY.match(self.memory_limit):
            raise EngineError(message=Message("journeys.err.memory_limit", {"memory_limit": self.memory_limit}))
        for field in ("threads", "partitions"):
            value = getattr(self, field)
            if value is not None and (int(value) != value or value < 1):
                raise EngineError(message=Message("journeys.err.whole_number", {"setting": field, "value": value}))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new in-memory connection with these settings. It spills into its own folder inside
        ``temp_directory`` (so runs side by side never share files), which DuckDB creates when it
        first spills and removes on close; order-insensitive plans
        (``preserve_insertion_order = false``) let it stream and spill more freely."""
        base = Path(self.temp_directory or tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET temp_directory = '{_sql_text(str(base / f'roimix-duckdb-{uuid.uuid4().hex[:12]}'))}'")
        if self.memory_limit is not None:
            con.execute(f"SET memory_limit = '{_sql_text(self.memory_limit)}'")
        if self.threads is not None:
            con.execute(f"SET threads = {int(self.threads)}")
        return con


@dataclass(frozen=True)
class SparkEngine:
    """Spark. ``master``: None uses the active session (spark-submit) or starts ``local[*]``;
    ``shuffle_partitions``, ``driver_memory`` (local mode), ``local_dir`` (spill) and ``conf``
    (extra ``spark.*`` settings) apply to a session started here. ``validate``: check inputs in
    DuckDB and stage them as Parquet in ``staging_dir`` (a local master only; see the module doc);
    ``duckdb``: the settings of that DuckDB step."""

    master: str | None = None
    shuffle_partitions: int | None = None
    driver_memory: str | None = None
    local_dir: str | None = None
    conf: tuple[tuple[str, str], ...] = ()
    validate: bool = True
    staging_dir: str | None = None
    duckdb: DuckDBEngine = DuckDBEngine()
    name: ClassVar[str] = "spark"

    def session_conf(self) -> dict[str, str]:
        """The ``spark.*`` settings of a session started for this engine."""
        from .spark import session_conf

        return session_conf(shuffle_partitions=self.shuffle_partitions, local_dir=self.local_dir,
                            driver_memory=self.driver_memory, extra=dict(self.conf))


Engine = DuckDBEngine | SparkEngine


def engine_from_options(
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    memory_limit: str | None = None,
    temp_directory: str | None = None,
    validate: bool = True,
) -> Engine:
    """The engine the CLI options describe (``--engine``, ``--spark-master``, ``--memory-limit``,
    ``--temp-dir``, ``--no-validate``). ``memory_limit`` and ``temp_directory`` set DuckDB (for
    Spark: its validation step; ``temp_directory`` is also Spark's spill and staging folder)."""
    duck = DuckDBEngine(memory_limit=memory_limit, temp_directory=temp_directory, validate=validate)
    if engine == "duckdb":
        if spark_master is not None:
            raise EngineError(message=Message("journeys.err.master_needs_spark", {}))
        return duck
    if engine == "spark":
        return SparkEngine(master=spark_master, local_dir=temp_directory, validate=validate,
                           staging_dir=temp_directory, duckdb=duck)
    raise EngineError(message=Message("journeys.err.engine", {"engine": engine, "engines": ", ".join(ENGINES)}))


def build_paths(
    touchpoints,
    conversions,
    *,
    lookback_days: int = 30,
    by: tuple[str, ...] = (),
    engine: Engine = DuckDBEngine(),
    spark: SparkSession | None = None,
) -> pd.DataFrame:
    """Aggregated paths ({by…,} path, conversions, value, nulls, null_window = anchored) built by ``engine`` from
    touchpoints and conversions (paths or DataFrames; see the module doc). ``spark``: a session
    to use instead of starting one. Raises :class:`roimix.tables.TableError` for invalid inputs."""
    _journeys.check_lookback(lookback_days)
    _journeys.check_by(by)
    if isinstance(engine, DuckDBEngine):
        with _duckdb_inputs(engine, touchpoints, conversions) as (con, tp, cv):
            return _journeys.build_paths(tp, cv, lookback_days=lookback_days, by=by, con=con,
                                         partitions=engine.partitions)
    from .spark import spark_paths

    with _spark_inputs(engine, spark, touchpoints, conversions) as (session, tp, cv):
        return spark_paths(session, tp, cv, lookback_days=lookback_days, by=by)


def build_journeys(
    touchpoints,
    conversions,
    *,
    lookback_days: int = 30,
    engine: Engine = DuckDBEngine(),
    spark: SparkSession | None = None,
) -> Journeys:
    """Journeys and touches built by ``engine`` (collected in memory: for data that fits it)."""
    _journeys.check_lookback(lookback_days)
    if isinstance(engine, DuckDBEngine):
        with _duckdb_inputs(engine, touchpoints, conversions) as (con, tp, cv):
            return _journeys.build_journeys(tp, cv, lookback_days=lookback_days, con=con)
    from .spark import spark_journeys

    with _spark_inputs(engine, spark, touchpoints, conversions) as (session, tp, cv):
        return spark_journeys(session, tp, cv, lookback_days=lookback_days)


def time_decay_by_day(
    touchpoints,
    conversions,
    *,
    half_life_days: float = 7.0,
    lookback_days: int = 30,
    engine: Engine = DuckDBEngine(),
    spark: SparkSession | None = None,
) -> pd.DataFrame:
    """Time-decay credit per (date, product_segment, channel): conversions, value — computed by
    ``engine`` from the same journey definition, so journeys never leave it (out of core on DuckDB,
    on the cluster with Spark)."""
    _journeys.check_lookback(lookback_days)
    return query(touchpoints, conversions, lambda tp, cv: _journeys.time_decay_sql(tp, cv, lookback_days, half_life_days),
                 engine=engine, spark=spark)


def check_logs(touchpoints, conversions, *, engine: Engine = DuckDBEngine()) -> None:
    """Check both logs against their contracts in DuckDB (the engine's, or the Spark engine's
    DuckDB settings); every problem of both in one :class:`roimix.tables.TableError`."""
    duck = engine if isinstance(engine, DuckDBEngine) else engine.duckdb
    con = duck.connect()
    try:
        _checked_views(con, touchpoints, conversions)
    finally:
        con.close()


def query(touchpoints, conversions, sql: Callable[[str, str], str], *, engine: Engine = DuckDBEngine(),
          spark: SparkSession | None = None) -> pd.DataFrame:
    """``sql(touchpoints_view, conversions_view)``, a query in DuckDB's dialect over the typed inputs,
    run by ``engine`` (translated for Spark); only its result comes back."""
    if isinstance(engine, DuckDBEngine):
        with _duckdb_inputs(engine, touchpoints, conversions) as (con, tp, cv):
            return _journeys.query(tp, cv, sql, con=con)
    from .spark import spark_query

    with _spark_inputs(engine, spark, touchpoints, conversions) as (session, tp, cv):
        return spark_query(session, tp, cv, sql)


class Logs:
    """Both logs opened once on an engine (:func:`open_logs`): queries and the one journey build run on them."""

    def __init__(self, engine: Engine, touchpoints, conversions, con=None, spark=None):
        self.engine, self.touchpoints, self.conversions, self.con, self.spark = (
            engine, touchpoints, conversions, con, spark)

    def query(self, sql: Callable[[str, str], str]) -> pd.DataFrame:
        """``sql(touchpoints_view, conversions_view)`` as :func:`query` runs it."""
        if self.con is not None:
            return _journeys.query(self.touchpoints, self.conversions, sql, con=self.con)
        from .spark import spark_query

        return spark_query(self.spark, self.touchpoints, self.conversions, sql)

    def views(self, *, lookback_days: int = 30, by: tuple[str, ...] = (),
              orders_between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
              views: tuple[str, ...] = ("paths", "gaps", "orders")) -> JourneyViews:
        """Paths, touch-to-order gaps and orders per day (those of ``views``) from one journey build: on DuckDB
        :func:`attribution.journeys.build_views`, on Spark :func:`attribution.spark.spark_views` (only the results
        come back)."""
        if self.con is not None:
            return _journeys.build_views(self.touchpoints, self.conversions, lookback_days=lookback_days, by=by,
                                         orders_between=orders_between, con=self.con,
                                         partitions=self.engine.partitions, views=views)
        from .spark import spark_views

        return spark_views(self.spark, self.touchpoints, self.conversions, lookback_days=lookback_days, by=by,
                           orders_between=orders_between, views=views)


@contextmanager
def open_logs(touchpoints, conversions, *, engine: Engine = DuckDBEngine(), checked: bool = False) -> Iterator[Logs]:
    """Both logs opened once for several queries (:class:`Logs`): on DuckDB one connection holding them,
    checked against their contracts there when ``engine.validate``; on Spark, checked by the engine's DuckDB
    first, then read by one session. ``checked``: the inputs were checked already (DataFrames that
    :func:`roimix.tables.read_table` returned) and are used as they are. Raises
    :class:`roimix.tables.TableError` (every problem of both logs) on entering."""
    if isinstance(engine, DuckDBEngine):
        with _duckdb_inputs(engine, touchpoints, conversions, checked=checked) as (con, tp, cv):
            yield Logs(engine, tp, cv, con=con)
        return
    from .spark import spark_session

    if engine.validate and not checked:
        check_logs(touchpoints, conversions, engine=engine)
    with spark_session(engine.master, engine.session_conf()) as session:
        yield Logs(engine, touchpoints, conversions, spark=session)


# --- inputs ----------------------------------------------------------------------------------------


@contextmanager
def _duckdb_inputs(engine: DuckDBEngine, touchpoints, conversions, *, checked: bool = False) -> Iterator[tuple]:
    """``(connection, touchpoints, conversions)``: checked views (``validate`` and not ``checked``), raw file
    views, or the DataFrames themselves."""
    for source in (touchpoints, conversions):
        if not isinstance(source, (str, Path, pd.DataFrame)):
            raise EngineError(message=Message("journeys.err.duckdb_source", {"kind": type(source).__name__}))
    con = engine.connect()
    try:
        if engine.validate and not checked:
            tp, cv = _checked_views(con, touchpoints, conversions)
        else:
            tp, cv = (s if isinstance(s, pd.DataFrame) else _raw_view(con, s, f"__raw_{label}")
                      for label, s in (("tp", touchpoints), ("cv", conversions)))
        yield con, tp, cv
    finally:
        con.close()


def _checked_views(con: duckdb.DuckDBPyConnection, touchpoints, conversions) -> list[str | None]:
    """Views of the inputs checked against their contracts (None for an input that is no file or
    pandas DataFrame); every problem of both inputs in one :class:`roimix.tables.TableError`."""
    from roimix.tables import CONVERSIONS, TOUCHPOINTS, TableError, load_table

    views, problems = [], []
    for source, contract in ((touchpoints, TOUCHPOINTS), (conversions, CONVERSIONS)):
        if not isinstance(source, (str, Path, pd.DataFrame)):
            views.append(None)
            continue
        try:
            views.append(load_table(con, source, contract, name=_label(source)))
        except TableError as err:
            problems += err.problems
    if problems:
        raise TableError(problems)
    return views


def _raw_view(con: duckdb.DuckDBPyConnection, source, name: str) -> str:
    path = str(source)
    if not Path(path).exists() and not any(ch in path for ch in "*?["):
        raise EngineError(message=Message("journeys.err.no_file", {"path": path}))
    reader = "read_csv" if path.lower().endswith((".csv", ".csv.gz")) else "read_parquet"
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {reader}('{_sql_text(path)}')")
    return name


@contextmanager
def _spark_inputs(engine: SparkEngine, spark, touchpoints, conversions) -> Iterator[tuple]:
    """``(session, touchpoints, conversions)`` for :mod:`attribution.spark`: inputs validated and
    staged as Parquet by DuckDB when ``engine.validate``, else passed through."""
    from .spark import spark_session

    with ExitStack() as stack:
        session = spark if spark is not None else stack.enter_context(
            spark_session(engine.master, engine.session_conf()))
        sources = (touchpoints, conversions)
        if engine.validate:
            _require_local(session, sources)
            if engine.staging_dir is not None:
                Path(engine.staging_dir).mkdir(parents=True, exist_ok=True)
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="roimix-stage-", dir=engine.staging_dir))
            sources = _stage(engine.duckdb, sources, Path(folder))
        yield session, *sources


def _require_local(session, sources) -> None:
    files = [str(s) for s in sources if isinstance(s, (str, Path))]
    if not files:
        return
    remote = [f for f in files if "://" in f]
    if remote:
        raise EngineError(message=Message("journeys.err.remote_validate", {"path": remote[0]}))
    master = session.sparkContext.master
    if not master.startswith("local"):
        raise EngineError(message=Message("journeys.err.cluster_validate", {"master": master}))


def _stage(engine: DuckDBEngine, sources, folder: Path) -> tuple:
    """Check the inputs in DuckDB (Spark DataFrames pass as they are) and hand Spark the checked,
    typed tables with only the columns journeys use: a file as Parquet in ``folder``, a pandas
    DataFrame as a DataFrame."""
    con = engine.connect()
    try:
        views = _checked_views(con, *sources)
        out = []
        for source, view, name in zip(sources, views, ("touchpoints", "conversions")):
            if view is None:
                out.append(source)
                continue
            present = {r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()}
            wanted = ["user_id", "timestamp", "channel"] if name == "touchpoints" else [
                "user_id", "timestamp", "value", *[c for c in CONVERSION_DEFAULTS if c in present]]
            select = "SELECT " + ", ".join(f'"{c}"' for c in wanted) + f" FROM {view}"
            if isinstance(source, pd.DataFrame):
                out.append(con.execute(select).df())
            else:
                target = folder / f"{name}.parquet"
                con.execute(f"COPY ({select}) TO '{_sql_text(str(target))}' (FORMAT parquet, COMPRESSION zstd)")
                out.append(str(target))
    finally:
        con.close()
    return tuple(out)


def _label(source) -> str | None:
    return None if isinstance(source, pd.DataFrame) else Path(str(source)).name


def _sql_text(text: str) -> str:
    return str(text).replace("'", "''")
