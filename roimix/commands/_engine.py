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

import click
import pandas as pd

from attribution.engines import ENGINES, Engine, EngineError, build_paths, engine_from_options
from roimix.errors import RoimixError, UsageError

_OPTIONS = (
    click.option("--engine", "engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
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


def engine_options(command: Callable) -> Callable:
    """Decorator: adds the engine options and passes the command one ``engine`` argument
    (:data:`attribution.engines.Engine`) instead of them. Place it below ``@click.command``."""

    @functools.wraps(command)
    def wrapper(*args, engine: str, spark_master: str | None, memory_limit: str | None, temp_dir: str | None,
                validate: bool, **kwargs):
        return command(*args, engine=engine_from_cli(engine, spark_master, memory_limit, temp_dir, validate),
                       **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def engine_from_cli(engine: str = "duckdb", spark_master: str | None = None, memory_limit: str | None = None,
                    temp_dir: str | None = None, validate: bool = True) -> Engine:
    """The engine the options describe; a contradiction or a malformed size is a usage error (exit 2)."""
    try:
        return engine_from_options(engine, spark_master=spark_master, memory_limit=memory_limit,
                                   temp_directory=temp_dir, validate=validate)
    except EngineError as err:
        raise UsageError(*err.args, message=err.message) from None  # worded in the reader's --lang


def paths_table(touchpoints, conversions, engine: Engine, *, lookback_days: int = 30,
                by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Aggregated paths from touchpoint and conversion files (or DataFrames) on ``engine``.
    Raises :class:`roimix.tables.TableError` for bad input, :class:`roimix.errors.RoimixError`
    with one line for an engine that cannot run (no pyspark, no Java, an unreachable master)."""
    with engine_errors(engine):
        return build_paths(touchpoints, conversions, lookback_days=lookback_days, by=by, engine=engine)


@contextmanager
def engine_errors(engine: Engine) -> Iterator[None]:
    """Turn an engine's own failures into one-line errors a user can act on."""
    try:
        yield
    except EngineError as err:
        raise UsageError(*err.args, message=err.message) from None  # worded in the reader's --lang
    except ModuleNotFoundError as err:
        if engine.name == "spark" and (err.name or "").startswith("pyspark"):
            raise UsageError("--engine spark needs pyspark: pip install 'roimix[spark]' (and Java 17)") from None
        raise
    except Exception as err:  # only Spark's own errors are translated
        if engine.name != "spark" or not type(err).__module__.startswith(("pyspark", "py4j")):
            raise
        raise SparkFailed(_first_line(err)) from err


class SparkFailed(RoimixError):
    """Spark could not run the job (no Java, master unreachable, a file it cannot read or parse)."""

    exit_code = 2

    def __init__(self, reason: str):
        super().__init__(f"spark: {reason}")


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:300]
