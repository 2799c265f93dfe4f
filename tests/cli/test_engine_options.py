"""The engine options shared by ``roimix attribute`` and ``roimix plan`` (roimix/commands/_engine.py)."""

from __future__ import annotations

import sys

import click
import pandas as pd
import pytest

from attribution import journeys as J
from attribution.engines import DuckDBEngine, SparkEngine
from roimix.commands._engine import engine_from_cli, engine_options, paths_table
from roimix.errors import UsageError
from roimix.tables import TableError
from roimix.text import error_text


@click.command()
@click.option("--lookback", type=int, default=30)
@engine_options
def _probe(lookback: int, engine):
    """A command as attribute/plan declare theirs; it hands back what it received."""
    return lookback, engine


def _run(*args):
    return _probe.main(list(args), standalone_mode=False)


def test_options_become_one_engine():
    assert _run() == (30, DuckDBEngine())
    assert _run("--memory-limit", "8GB", "--temp-dir", "/scratch", "--lookback", "7") == (
        7, DuckDBEngine(memory_limit="8GB", temp_directory="/scratch"))
    _, engine = _run("--engine", "spark", "--spark-master", "spark://h:7077", "--no-validate")
    assert engine == SparkEngine(master="spark://h:7077", validate=False, duckdb=DuckDBEngine(validate=False))


def test_contradictions_are_usage_errors():
    with pytest.raises(UsageError) as err:
        _run("--spark-master", "local[2]")
    assert error_text(err.value, "en") == "--spark-master needs --engine spark"
    with pytest.raises(UsageError) as err:
        _run("--memory-limit", "a lot")
    assert error_text(err.value, "en").startswith("memory limit")
    with pytest.raises(click.BadParameter):
        _run("--engine", "flink")
    with pytest.raises(UsageError):
        engine_from_cli("duckdb", memory_limit="12 parsecs")


def test_help_names_the_options():
    text = _probe.get_help(click.Context(_probe))
    for option in ("--engine", "--spark-master", "--memory-limit", "--temp-dir", "--no-validate"):
        assert option in text


def test_paths_table_on_duckdb(sample_dir):
    tp, cv = sample_dir / "touchpoints.parquet", sample_dir / "conversions.parquet"
    got = paths_table(tp, cv, DuckDBEngine(memory_limit="1GB"), by=("date", "product_segment"))
    want = J.build_paths(pd.read_parquet(tp), pd.read_parquet(cv), by=("date", "product_segment"))
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_bad_files_still_raise_table_errors(tmp_path):
    tp = tmp_path / "tp.csv"
    tp.write_text("user_id,timestamp,channel\nu1,soon,a\n", encoding="utf-8")
    with pytest.raises(TableError, match="tp.csv, row 2, column timestamp"):
        paths_table(tp, tp, DuckDBEngine())


def test_spark_without_pyspark_says_what_to_install(monkeypatch, sample_dir):
    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(UsageError) as caught:
        paths_table(sample_dir / "touchpoints.parquet", sample_dir / "conversions.parquet", SparkEngine())
    assert "pip install 'roimix[spark]'" in error_text(caught.value, "en")
    assert "pip install 'roimix[spark]'" in error_text(caught.value, "zh") != error_text(caught.value, "en")
