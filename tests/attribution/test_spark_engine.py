"""Spark (local mode) and DuckDB build identical journeys and paths from the one SQL definition."""

from __future__ import annotations

import random
import re
import shutil
import warnings
from datetime import datetime, timedelta

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from attribution import journeys as J
from attribution.engines import DuckDBEngine, EngineError, SparkEngine, build_journeys, build_paths
from roimix.tables import TableError
from roimix.text import error_text

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install roimix[spark])")

T0 = datetime(2026, 6, 1)
LOOKBACK = 3


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test session (2 cores, 4 shuffle partitions, no UI)."""
    if shutil.which("java") is None and not _java_home():
        pytest.skip("Java is not installed (Spark needs a JVM; CI has Java 17)")
    from attribution.spark import session_conf, spark_session

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark's notice about pandas 3
        with spark_session("local[2]", session_conf(shuffle_partitions=4)) as session:
            yield session


def _java_home() -> bool:
    import os

    return bool(os.environ.get("JAVA_HOME")) and shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin"))


# --- random logs -------------------------------------------------------------------------------------


def random_shops(rng: random.Random, n_shops: int, with_order_id: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Many small independent shops in one table (users never cross shops), so one Spark job checks
    them all. Times lie on a coarse grid, so ties, equal instants and window edges are common; some
    orders have an exact twin at the same instant; order ids repeat (ties go on to the value); values
    include cents, arbitrary doubles and halves of a micro-yuan (the rounding edge of the sums)."""
    touches, convs = [], []
    for k in range(n_shops):
        users = [f"s{k}u{u}" for u in range(rng.randint(1, 3))]

        def when():
            return T0 + timedelta(hours=rng.randint(0, 24 * (LOOKBACK + 2)))

        touches += [(rng.choice(users), when(), rng.choice("abc")) for _ in range(rng.randint(0, 12))]
        for _ in range(rng.randint(0, 4)):
            value = rng.choice([rng.uniform(0, 1e6), rng.randint(0, 50_000) / 100, (rng.randint(0, 10**9) + 0.5) / 1e6])
            row = (rng.choice(users), when(), value, rng.choice(["new", "existing"]), f"s{k}o{rng.randint(0, 2)}")
            convs += [row, row] if rng.random() < 0.2 else [row]
    tp = pd.DataFrame(touches, columns=["user_id", "timestamp", "channel"]).astype({"user_id": str, "channel": str})
    cv = pd.DataFrame(convs, columns=["user_id", "timestamp", "value", "product_segment", "order_id"])
    cv = cv.astype({"user_id": str, "value": float})
    if not with_order_id:
        cv = cv.drop(columns="order_id")
    for frame in (tp, cv):
        frame["timestamp"] = pd.to_datetime(frame["timestamp"]).astype("datetime64[us]")
    return tp, cv


shops = st.builds(random_shops, st.randoms(use_true_random=False), st.integers(20, 40), st.booleans())


@pytest.mark.spark
# no shrinking: each try is a few Spark jobs; the failing example is printed whole
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(shops)
def test_random_logs_give_identical_journeys_and_paths(spark, data):
    from attribution.spark import spark_journeys, spark_paths

    tp, cv = data
    duck = J.build_journeys(tp, cv, lookback_days=LOOKBACK)
    other = spark_journeys(spark, tp, cv, lookback_days=LOOKBACK)
    # values exactly equal (dtypes are compared on the generated market: pandas types an empty or
    # all-NULL text column as object in one engine and as str in the other)
    _assert_same_values(other.journeys, duck.journeys)
    _assert_same_values(other.touches, duck.touches)
    for by in [(), ("date", "product_segment")]:
        _assert_same_values(spark_paths(spark, tp, cv, lookback_days=LOOKBACK, by=by),
                            J.build_paths(tp, cv, lookback_days=LOOKBACK, by=by))
    # and the DuckDB side is the definition: every order is one converting journey, its value kept
    assert duck.journeys.converted.sum() == len(cv)
    assert sorted(duck.journeys.loc[duck.journeys.converted, "value"]) == sorted(cv.value)


@pytest.mark.spark
def test_generated_market_from_files_is_identical(spark, tmp_path):
    """Parquet files, checked and staged by DuckDB, then read by Spark: the same paths to the last bit."""
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=4_000, n_days=40, seed=11))
    files = {}
    for name, frame in (("touchpoints", m.touchpoints), ("conversions", m.conversions)):
        files[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(files[name], index=False)
    for by in [(), ("date", "product_segment")]:
        duck = build_paths(files["touchpoints"], files["conversions"], by=by, engine=DuckDBEngine())
        other = build_paths(files["touchpoints"], files["conversions"], by=by, engine=SparkEngine(), spark=spark)
        pd.testing.assert_frame_equal(other, duck, check_exact=True)
    assert duck.conversions.sum() == len(m.conversions)
    assert duck.value.sum() == pytest.approx(m.conversions.value.sum(), rel=1e-12)


@pytest.mark.spark
def test_spark_runs_the_transpiled_definition(spark):
    """What Spark executes is sqlglot's translation of the DuckDB SQL in attribution/journeys.py."""
    from attribution.spark import spark_paths, to_spark_sql

    recorder = _Recording(spark)
    tp = pd.DataFrame({"user_id": [1, 1], "timestamp": pd.to_datetime(["2026-06-01", "2026-06-02"]),
                       "channel": ["b", "a"]})
    cv = pd.DataFrame({"user_id": ["1"], "timestamp": pd.to_datetime(["2026-06-03"]), "value": [9.5]})
    paths = spark_paths(recorder, tp, cv, lookback_days=LOOKBACK, by=("product_segment",))
    assert paths.to_dict("records") == [{"product_segment": "existing", "path": "b > a", "conversions": 1,
                                         "value": 9.5, "nulls": 0, "null_window": "anchored"}]
    tag = re.search(r"__roimix_in_tp_(\w+)", recorder.statements[0]).group(1)
    raw_tp, raw_cv, tp_view, cv_view = (f"__roimix_{n}_{tag}" for n in ("in_tp", "in_cv", "tp", "cv"))
    assert recorder.statements == [
        to_spark_sql(J.touchpoints_sql(raw_tp, ids_as_text=True)),  # integer ids meet text ids: compared as text
        to_spark_sql(J.conversions_sql(raw_cv, ["user_id", "timestamp", "value"], ids_as_text=True)),
        to_spark_sql(J.paths_sql(tp_view, cv_view, LOOKBACK, ("product_segment",))),
    ]


def test_every_query_of_the_definition_transpiles_without_duckdb_only_constructs():
    from attribution.spark import to_spark_sql

    queries = [
        J.touchpoints_sql("tp"), J.conversions_sql("cv", ["user_id", "timestamp", "value"], ids_as_text=True),
        J.paths_sql("tp", "cv", 30, ("date", "product_segment")), J.journeys_sql("tp", "cv", 30),
        J.touches_sql("tp", "cv", 30, "j"), J.journey_sql("tp", "cv", 30), J.time_decay_sql("tp", "cv", 30, 7.0),
        J.journey_touches_sql("tp", "cv", 30), J.gaps_sql("built"), J.orders_from_logs_sql("cv", None),
    ]
    for sql in queries:
        spark_sql = to_spark_sql(sql)
        for duckdb_only in ("LIST_SORT", "STRING_AGG", "STRUCT_PACK", "ARRAY_TO_STRING", "LIST_FILTER", "INFINITY",
                            "GROUP BY ALL", "ANY_VALUE", '"'):
            assert duckdb_only not in spark_sql.upper(), (duckdb_only, spark_sql)
    paths = to_spark_sql(J.paths_sql("tp", "cv", 30))
    # touches ascending with native ordering (Spark's ARRAY_SORT would compare through a lambda)
    assert "SORT_ARRAY(FILTER(" in paths and "INTERVAL '30' DAY" in paths


@pytest.mark.spark
def test_the_journeys_stage_on_spark_builds_the_journeys_once(spark):
    """The pipeline's journeys stage on Spark (``Logs.views``): one statement carries the journey definition, and
    the paths and the gaps are read off its cached table; paths, gaps and orders equal DuckDB's one build."""
    from attribution.engines import Logs
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=3_000, n_days=40, seed=5))
    tp, cv = m.touchpoints, m.conversions
    times = cv["timestamp"].sort_values()
    between = (times.iloc[len(times) // 4], times.iloc[3 * len(times) // 4])
    recorder = _Recording(spark)
    got = Logs(SparkEngine(validate=False), tp, cv, spark=recorder).views(
        lookback_days=LOOKBACK, by=("date", "product_segment"), orders_between=between)
    builds = [s for s in recorder.statements if "conversions_seq" in s]  # the definition's first CTE
    assert len(builds) == 1
    readers = [plan for text, plan in zip(recorder.statements, recorder.plans) if "__roimix_built_" in text]
    assert len(readers) == 2 and all("InMemoryRelation" in plan for plan in readers)  # paths, gaps: off the cache
    duck = J.build_views(tp, cv, lookback_days=LOOKBACK, by=("date", "product_segment"), orders_between=between)
    for name in ("paths", "gaps", "orders"):
        _assert_same_values(getattr(got, name), getattr(duck, name))
    assert len(got.gaps) > 300 and got.paths["conversions"].sum() == len(cv)


@pytest.mark.spark
def test_spark_rejects_bad_input_files_before_running(spark, tmp_path):
    tp = tmp_path / "tp.csv"
    tp.write_text("user_id,timestamp,channel\nu1,2026-06-01 10:00,a\nu1,yesterday,b\n", encoding="utf-8")
    cv = tmp_path / "cv.csv"
    cv.write_text("user_id,timestamp,value\nu1,2026-06-02 10:00,-1\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"tp.csv, row 3, column timestamp"):
        build_paths(tp, cv, engine=SparkEngine(), spark=spark)
    tp.write_text("user_id,timestamp,channel\nu1,2026/06/01 10:00,a\n", encoding="utf-8")  # a form DuckDB converts
    cv.write_text("user_id;timestamp;value;product_segment\nu1;20260602 10:00:00;5;新品\n", encoding="utf-8")
    got = build_paths(tp, cv, by=("product_segment",), engine=SparkEngine(), spark=spark)
    assert got.to_dict("records") == [{"product_segment": "new", "path": "a", "conversions": 1, "value": 5.0,
                                       "nulls": 0, "null_window": "anchored"}]
    with pytest.raises(EngineError) as remote:
        build_paths("hdfs://cluster/tp.parquet", cv, engine=SparkEngine(), spark=spark)
    assert error_text(remote.value, "en").endswith("cannot validate a remote path here; run with --no-validate")


@pytest.mark.spark
def test_unvalidated_files_are_read_by_spark_itself(spark, tmp_path):
    tp, cv = tmp_path / "tp.csv", tmp_path / "cv.csv"
    tp.write_text("user_id,timestamp,channel\nu1,2026-06-01 10:00:00,a\nu1,2026-06-01 11:00:00,b\n", encoding="utf-8")
    cv.write_text("user_id,timestamp,value\nu1,2026-06-02 10:00:00,5.5\n", encoding="utf-8")
    trusted = SparkEngine(validate=False)
    pd.testing.assert_frame_equal(build_paths(tp, cv, engine=trusted, spark=spark),
                                  build_paths(tp, cv, engine=DuckDBEngine(validate=False)), check_exact=True)
    tp.write_text("user_id,timestamp\nu1,2026-06-01 10:00:00\n", encoding="utf-8")
    with pytest.raises(EngineError) as missing:
        build_paths(tp, cv, engine=trusted, spark=spark)
    assert error_text(missing.value, "en").startswith("touchpoints: no column channel")
    tp.write_text("user_id,timestamp,channel\nu1,yesterday,a\n", encoding="utf-8")
    with pytest.raises(Exception, match="CAST_INVALID_INPUT"):  # strict casts: a bad cell fails the job
        build_paths(tp, cv, engine=trusted, spark=spark)


@pytest.mark.spark
def test_journeys_through_the_engine_api_match(spark):
    tp = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "channel": ["a", "b", "c"],
                       "timestamp": pd.to_datetime(["2026-06-01 08:00", "2026-06-01 08:00", "2026-06-02 00:00"])})
    cv = pd.DataFrame({"user_id": ["u1", "u1"], "timestamp": pd.to_datetime(["2026-06-01 08:00"] * 2),
                       "value": [3.0, 4.0], "order_id": ["o2", "o1"]})
    duck = build_journeys(tp, cv, lookback_days=2)
    other = build_journeys(tp, cv, lookback_days=2, engine=SparkEngine(), spark=spark)
    pd.testing.assert_frame_equal(other.journeys, duck.journeys, check_exact=True)
    pd.testing.assert_frame_equal(other.touches, duck.touches, check_exact=True)
    # both touches at the instant of the orders go to the first order (o1), ties by channel
    assert list(duck.journeys.path) == ["a > b", J.NO_TOUCH, "c"]
    assert list(duck.journeys.order_id[:2]) == ["o1", "o2"]


@pytest.mark.spark
def test_time_decay_on_spark_matches_duckdb(spark):
    """Time decay runs in the engine from the same SQL: Spark and DuckDB credit each day alike."""
    from attribution.engines import time_decay_by_day
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=3_000, n_days=40, seed=5))
    duck = time_decay_by_day(m.touchpoints, m.conversions, half_life_days=3.0)
    other = time_decay_by_day(m.touchpoints, m.conversions, half_life_days=3.0, engine=SparkEngine(), spark=spark)
    key = ["date", "product_segment", "channel"]
    for frame in (duck, other):
        frame["date"] = pd.to_datetime(frame["date"])
    pd.testing.assert_frame_equal(other.sort_values(key).reset_index(drop=True),
                                  duck.sort_values(key).reset_index(drop=True), rtol=1e-12, check_dtype=False)
    assert duck["conversions"].sum() == pytest.approx(len(m.conversions), rel=1e-12)


def _assert_same_values(left: pd.DataFrame, right: pd.DataFrame) -> None:
    def plain(frame):
        return frame.astype(object).where(frame.notna(), None)

    assert list(left.columns) == list(right.columns)
    pd.testing.assert_frame_equal(plain(left), plain(right), check_exact=True)


class _Recording:
    """A Spark session that records the SQL it is given."""

    def __init__(self, spark):
        self._spark = spark
        self.statements: list[str] = []
        self.plans: list[str] = []

    def sql(self, text, *args, **kwargs):
        self.statements.append(text)
        frame = self._spark.sql(text, *args, **kwargs)
        self.plans.append(frame._jdf.queryExecution().withCachedData().toString())  # what runs: cached data used?
        return frame

    def __getattr__(self, name):
        return getattr(self._spark, name)


@pytest.mark.spark
def test_the_lazy_paths_dataframe_written_by_spark_reads_back_as_duckdbs_paths(spark, tmp_path):
    """``paths_dataframe`` (a cluster job's output, never collected to the driver) written as Parquet by
    Spark itself holds the same rows as DuckDB's paths: same paths, conversions, value and nulls per key."""
    from attribution.spark import paths_dataframe
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=3_000, n_days=40, seed=17))
    for by in [(), ("date", "product_segment")]:
        out = tmp_path / f"paths{len(by)}"
        frame = paths_dataframe(spark, m.touchpoints, m.conversions, lookback_days=LOOKBACK, by=by)
        frame.write.parquet(str(out))
        written = pd.read_parquet(out)
        duck = J.build_paths(m.touchpoints, m.conversions, lookback_days=LOOKBACK, by=by)
        key = list(by) + ["path"]
        assert list(written.columns) == list(duck.columns)
        written, duck = (f.sort_values(key).reset_index(drop=True) for f in (written, duck))
        if by:
            written["date"], duck["date"] = pd.to_datetime(written["date"]), pd.to_datetime(duck["date"])
        pd.testing.assert_frame_equal(written, duck, check_exact=True, check_dtype=False)
        assert duck["conversions"].sum() == len(m.conversions)
