"""Engine options shared by ``roimix attribute`` and ``roimix plan``: where journeys are built.

Use::

    @click.command("attribute")
    ...
    @engine_options
    def command(..., engine: Engine) -> None:
        paths = paths_table(touchpoints, conversions, engine, lookback_days=30, by=("date", "product_segment"))

``--engine duckdb`` (default) builds paths here, out of core within ``--memory-limit``, spilling to
``--temp-dir``; ``--engine spark`` runs the same SQL on Spark (``--spark-master``, e.g.
``spark://host:7077``; without it, the active session under spark-submit or ``local[*]``).
``--no-validate`` skips the contract checks (needed for files only a cluster can read).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from typing import TYPE_CHECKING

import click

from roimix.errors import RoimixError, UsageError
from roimix.messages import Message

if TYPE_CHECKING:
    import pandas as pd

    from attribution.engines import Engine

ENGINE_NAMES = ("duckdb", "spark")
"""``attribution.engines.ENGINES``, named here so that the options do not import DuckDB (a test holds them equal)."""

_OPTIONS = (
    click.option("--engine", "engine", type=click.Choice(ENGINE_NAMES), default="duckdb", show_default=True,
                 help="where journeys and paths are built: DuckDB on this machine, or Spark"),
    click.option("--spark-master", metavar="URL", default=None,
                 help="Spark master (local[4], spark://host:7077, yarn, k8s://…); default: spark-submit's, "
                      "or local[*]"),
    click.option("--memory-limit", metavar="SIZE", default=None,
                 help="DuckDB memory limit, e.g. 8GB (default: 80% of RAM); beyond it DuckDB spills to --temp-dir"),
    click.option("--temp-dir", type=click.Path(file_okay=False), default=None,
                 help="spill folder (DuckDB and Spark) and Spark's staging folder; default: the system temp folder"),
    click.option("--validate/--no-validate", default=True, show_default=True,
                 help="check touchpoints and conversions against their contracts first (in DuckDB); "
                      "--no-validate trusts them, e.g. Parquet on hdfs:// or s3a:// for a cluster"),
)


def engine_options(command: Callable, *, deferred: bool = False) -> Callable:
    """Decorator: adds the engine options and passes the command one ``engine`` argument
    (:data:`attribution.engines.Engine`) instead of them; ``deferred``: a function that makes it (and raises the
    options' usage errors), for a command that may not need one. Place it below ``@click.command``."""

    @functools.wraps(command)
    def wrapper(*args, engine: str, spark_master: str | None, memory_limit: str | None, temp_dir: str | None,
                validate: bool, **kwargs):
        def make() -> Engine:
            return engine_from_cli(engine, spark_master, memory_limit, temp_dir, validate)

        return command(*args, engine=make if deferred else make(), **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def deferred_engine_options(command: Callable) -> Callable:
    """:func:`engine_options` passing a function that makes the engine (DuckDB is imported only then)."""
    return engine_options(command, deferred=True)


def engine_from_cli(engine: str = "duckdb", spark_master: str | None = None, memory_limit: str | None = None,
                    temp_dir: str | None = None, validate: bool = True) -> Engine:
    """The engine the options describe; a contradiction or a malformed size is a usage error (exit 2)."""
    from attribution.engines import EngineError, engine_from_options

    try:
        return engine_from_options(engine, spark_master=spark_master, memory_limit=memory_limit,
                                   temp_directory=temp_dir, validate=validate)
    except EngineError as err:
        raise UsageError(message=Message("plan.err.cli.engine", {"error": err.message or str(err)})) from None


def paths_table(touchpoints, conversions, engine: Engine, *, lookback_days: int = 30,
                by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Aggregated paths from touchpoint and conversion files (or DataFrames) on ``engine``.
    Raises :class:`roimix.tables.TableError` for bad input, :class:`roimix.errors.RoimixError`
    with one line for an engine that cannot run (no pyspark, no Java, an unreachable master)."""
    from attribution.engines import build_paths

    with engine_errors(engine):
        return build_paths(touchpoints, conversions, lookback_days=lookback_days, by=by, engine=engine)


@contextmanager
def engine_errors(engine: Engine) -> Iterator[None]:
    """Turn an engine's own failures into one-line errors a user can act on."""
    from attribution.engines import EngineError

    try:
        yield
    except EngineError as err:  # the engine's own reason (its key for the shell to word, or its words)
        raise UsageError(message=Message("plan.err.cli.engine", {"error": err.message or str(err)})) from None
    except ModuleNotFoundError as err:
        if engine.name == "spark" and (err.name or "").startswith("pyspark"):
            raise UsageError(message=Message("plan.err.cli.spark_missing", {})) from None
        raise
    except Exception as err:  # only Spark's own errors are translated
        if engine.name != "spark" or not type(err).__module__.startswith(("pyspark", "py4j")):
            raise
        raise SparkFailed(message=Message("plan.err.cli.spark_failed", {"reason": _first_line(err)})) from err


class SparkFailed(RoimixError):
    """Spark could not run the job (no Java, master unreachable, a file it cannot read or parse)."""

    exit_code = 2


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:300]
