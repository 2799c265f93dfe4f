"""Engine selection and DuckDB's out-of-core path building (no Spark needed here)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from attribution import journeys as J
from attribution.engines import DuckDBEngine, EngineError, SparkEngine, build_journeys, build_paths, engine_from_options
from roimix.tables import TableError
from roimix.text import error_text


@pytest.fixture(scope="module")
def market():
    from roimix.synthetic import MarketSpec, generate_market

    return generate_market(MarketSpec(n_users=6_000, n_days=40, seed=21))


def test_user_partitions_sum_to_exactly_the_same_paths(market):
    tp, cv = market.touchpoints, market.conversions
    for by in [(), ("date", "product_segment")]:
        whole = J.build_paths(tp, cv, by=by, partitions=1)
        for n in (2, 7):
            pd.testing.assert_frame_equal(J.build_paths(tp, cv, by=by, partitions=n), whole, check_exact=True)
    assert whole.conversions.sum() == len(cv)


def test_partitions_follow_the_memory_limit(market):
    con = duckdb.connect()
    con.register("tp", market.touchpoints)
    assert J.auto_partitions(con, "tp") == 1  # default limit: 80 % of RAM
    con.execute("SET memory_limit = '1MB'")
    rows = len(market.touchpoints)
    limit = J.parse_size(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    assert J.auto_partitions(con, "tp") == -(-rows * J.BYTES_PER_TOUCH // (limit // 2)) > 1


@pytest.mark.slow
def test_a_million_touchpoints_within_100mb(tmp_path):
    """10⁶ touchpoints need ~150 MB in one piece; within a 100 MB limit the engine splits users."""
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=120_000, n_days=150, seed=4))
    assert len(m.touchpoints) > 900_000
    m.touchpoints.to_parquet(tmp_path / "tp.parquet", index=False)
    m.conversions.to_parquet(tmp_path / "cv.parquet", index=False)
    tight = DuckDBEngine(memory_limit="100MB", temp_directory=str(tmp_path), threads=2)
    got = build_paths(tmp_path / "tp.parquet", tmp_path / "cv.parquet", by=("date", "product_segment"), engine=tight)
    whole = J.build_paths(m.touchpoints, m.conversions, by=("date", "product_segment"), partitions=1)
    pd.testing.assert_frame_equal(got, whole, check_exact=True)


def test_connection_settings(tmp_path):
    con = DuckDBEngine(memory_limit="1GB", temp_directory=str(tmp_path / "spill"), threads=1).connect()
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('memory_limit', 'temp_directory', 'threads', 'preserve_insertion_order')").fetchall())
    assert J.parse_size(settings["memory_limit"]) == pytest.approx(1e9, rel=0.01)
    assert settings["temp_directory"].startswith(str(tmp_path / "spill" / "roimix-duckdb-"))  # private to this run
    assert settings["threads"] == "1" and settings["preserve_insertion_order"] == "false"


def test_every_problem_of_both_files_at_once(tmp_path):
    tp = tmp_path / "tp.csv"
    tp.write_text("user_id,timestamp,channel\nu1,later,a\n", encoding="utf-8")
    cv = tmp_path / "cv.csv"
    cv.write_text("user_id,timestamp,value\nu1,2026-06-02 10:00,-3\n", encoding="utf-8")
    with pytest.raises(TableError) as err:
        build_paths(tp, cv)
    text = str(err.value)
    assert "tp.csv, row 2, column timestamp" in text and "cv.csv, row 2, column value" in text


def test_unvalidated_files_are_read_as_they_are(tmp_path, market):
    tp, cv = tmp_path / "tp.parquet", tmp_path / "cv.csv"
    market.touchpoints.to_parquet(tp, index=False)
    market.conversions.to_csv(cv, index=False)
    got = build_paths(tp, cv, engine=DuckDBEngine(validate=False))
    pd.testing.assert_frame_equal(got, J.build_paths(market.touchpoints, market.conversions), check_dtype=False,
                                  check_exact=True)
    with pytest.raises(EngineError) as missing:
        build_paths(tmp_path / "missing.parquet", cv, engine=DuckDBEngine(validate=False))
    assert missing.value.message.key == "journeys.err.no_file"
    assert error_text(missing.value, "en") == f"{tmp_path / 'missing.parquet'}: no such file"


def test_journeys_through_the_engine(market):
    got = build_journeys(market.touchpoints, market.conversions, engine=DuckDBEngine(memory_limit="2GB"))
    want = J.build_journeys(market.touchpoints, market.conversions)
    pd.testing.assert_frame_equal(got.journeys, want.journeys, check_exact=True)
    pd.testing.assert_frame_equal(got.touches, want.touches, check_exact=True)


def test_engine_options():
    assert engine_from_options() == DuckDBEngine()
    assert engine_from_options(memory_limit="8GB", temp_directory="/scratch") == DuckDBEngine(
        memory_limit="8GB", temp_directory="/scratch")
    spark = engine_from_options("spark", spark_master="spark://h:7077", temp_directory="/scratch", validate=False)
    assert spark == SparkEngine(master="spark://h:7077", local_dir="/scratch", staging_dir="/scratch",
                                validate=False, duckdb=DuckDBEngine(temp_directory="/scratch", validate=False))
    for bad, message in [({"spark_master": "local[2]"}, "--spark-master needs --engine spark"),
                         ({"memory_limit": "lots"}, "memory limit: expected a size like 8GB or 512MB, got 'lots'"),
                         ({"engine": "flink"}, "engine: expected one of duckdb, spark, got 'flink'")]:
        with pytest.raises(EngineError) as err:
            engine_from_options(**bad)
        assert error_text(err.value, "en") == message and error_text(err.value, "zh") != message
    with pytest.raises(EngineError) as err:
        DuckDBEngine(partitions=0)
    assert error_text(err.value, "en") == "partitions: expected a whole number ≥ 1, got 0"
    assert SparkEngine(shuffle_partitions=8, conf=(("spark.x", "1"),)).session_conf()["spark.sql.shuffle.partitions"] == "8"


@pytest.mark.parametrize("half_life_days", [0.5, 7.0])
def test_time_decay_in_the_engine_equals_time_decay_on_journeys_in_memory(market, half_life_days):
    """The engine's SQL (journeys never leave it) and the in-memory model give the same credit per day and in total."""
    from attribution import TimeDecay, attribute_journeys, credit_by_day, time_decay_by_day, time_decay_tables

    model = TimeDecay(half_life_days=half_life_days)
    by_day = time_decay_by_day(market.touchpoints, market.conversions, half_life_days=half_life_days,
                               engine=DuckDBEngine(memory_limit="1GB"))
    paths = build_paths(market.touchpoints, market.conversions)
    tidy, daily = time_decay_tables(by_day, paths, model, channels=market.channels)
    journeys = J.build_journeys(market.touchpoints, market.conversions)
    want_tidy = attribute_journeys(journeys, model, channels=market.channels)
    want_daily = credit_by_day(journeys, model, channels=market.channels)
    pd.testing.assert_frame_equal(tidy, want_tidy, rtol=1e-10, atol=1e-9)
    key = ["date", "product_segment", "channel"]
    got = daily.assign(date=pd.to_datetime(daily["date"])).sort_values(key).reset_index(drop=True)
    want = want_daily.assign(date=pd.to_datetime(want_daily["date"])).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, rtol=1e-10, atol=1e-9, check_dtype=False)
    # conservation: every order is credited once, its value whole
    assert tidy["conversions"].sum() == pytest.approx(len(market.conversions), rel=1e-12)
    assert tidy["value"].sum() == pytest.approx(market.conversions["value"].sum(), rel=1e-12)
