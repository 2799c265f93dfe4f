"""One pass over the logs (issue 16): the pipeline checks each input once and builds the journeys once; the app
hands its checked frames on and nothing is checked again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import attribution.journeys as journeys
import roimix.pipeline as pipeline
import roimix.tables as tables
import roimix.tables.read as read
from response import FitSettings
from roimix.pipeline import PipelineSettings, run_pipeline
from roimix.tables import CHANNELS, CONVERSIONS, SPEND, TOUCHPOINTS, read_table
from roimix.text import error_text

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FAST = PipelineSettings(model="last_touch", use_prior=False, fit=FitSettings(n_bootstrap=0))
"""The passes over the logs do not depend on the model or the bootstrap: the cheapest ones."""


@pytest.fixture()
def passes(monkeypatch) -> Counter:
    """Counts, while a test runs: ``read_table:<contract>`` and ``load_table:<contract>`` (each a check of a
    table against its contract), ``journeys`` (each build of the journeys, whatever function asks for it: on DuckDB
    a call of :func:`attribution.journeys.build`, in SQL (Spark) an expansion of the journey definition)."""
    seen: Counter = Counter()

    def spy(module, name, key):
        real = getattr(module, name)

        def counted(*args, **kwargs):
            seen[key(args, kwargs)] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
        return counted

    reader = spy(read, "read_table", lambda a, k: f"read_table:{a[1].name}")
    loader = spy(read, "load_table", lambda a, k: f"load_table:{a[2].name}")
    for module in (tables, pipeline):  # imported by name there (attribution.engines imports roimix.tables lazily)
        monkeypatch.setattr(module, "read_table", reader, raising=False)
        monkeypatch.setattr(module, "load_table", loader, raising=False)
    spy(journeys, "_journey_ctes", lambda a, k: "journeys")
    spy(journeys, "build", lambda a, k: "journeys")
    return seen


def test_files_are_checked_once_and_journeys_built_once(passes):
    result = run_pipeline(SAMPLE / "touchpoints.parquet", SAMPLE / "conversions.parquet", SAMPLE / "spend.csv",
                          channels=SAMPLE / "channels.csv", settings=FAST)
    assert dict(passes) == {"load_table:touchpoints": 1, "load_table:conversions": 1, "read_table:spend": 1,
                            "read_table:channels": 1, "journeys": 1}
    # the one build gave all three: paths, the touch-to-order gaps (the lags) and the daily outcome
    assert len(result.paths) and result.lags["estimated"].any() and len(result.outcome)
    conversions = pd.read_parquet(SAMPLE / "conversions.parquet")
    first, last = result.date_range
    inside = pd.to_datetime(conversions["timestamp"]).between(first, last + pd.Timedelta(days=1), inclusive="left")
    assert result.outcome["conversions"].sum() == inside.sum()
    assert result.paths["conversions"].sum() == len(conversions)


@pytest.fixture(scope="module")
def checked_frames():
    return [read_table(SAMPLE / f, c) for f, c in (("touchpoints.parquet", TOUCHPOINTS), ("conversions.parquet",
            CONVERSIONS), ("spend.csv", SPEND), ("channels.csv", CHANNELS))]


def test_checked_frames_are_not_checked_again_and_give_the_same_result(passes, checked_frames):
    tp, cv, spend, channels = checked_frames
    given = run_pipeline(tp, cv, spend, channels=channels, settings=FAST, checked=True)
    assert dict(passes) == {"journeys": 1}
    again = run_pipeline(tp, cv, spend, channels=channels, settings=FAST)
    assert passes["load_table:touchpoints"] == passes["load_table:conversions"] == 1  # without checked=True
    for name in ("curves", "credit", "paths", "lags", "outcome"):
        pd.testing.assert_frame_equal(getattr(given, name), getattr(again, name), check_exact=True)
    assert given.warnings == again.warnings


def test_checked_takes_frames_only(checked_frames):
    tp, cv, _, channels = checked_frames
    with pytest.raises(ValueError) as caught:
        run_pipeline(tp, cv, SAMPLE / "spend.csv", channels=channels, settings=FAST, checked=True)
    assert error_text(caught.value, "en") == ("run_pipeline(checked=True) takes the DataFrames read_table returned, "
                                              "not files")


def test_the_app_hands_its_checked_frames_on(passes, checked_frames, monkeypatch):
    from roimix.app import curve_sets
    from roimix.app.data import Dataset

    tp, cv, spend, channels = checked_frames
    ds = Dataset(tp, cv, spend, channels, None, {"spend": "spend.csv"}, "one-pass-test")
    real, given = pipeline.run_pipeline, []

    def fast(*args, **kwargs):  # the app's own call, with the cheapest fit
        given.append(kwargs.get("checked"))
        return real(*args, **{**kwargs, "settings": FAST})

    monkeypatch.setattr(pipeline, "run_pipeline", fast)
    curves = curve_sets.fit("one-pass-test", ds)
    assert given == [True]
    assert len(curves.table) and dict(passes) == {"journeys": 1}


@pytest.mark.parametrize("partitions", [1, 3])
def test_the_one_build_gives_what_the_separate_queries_gave(checked_frames, partitions):
    """Paths, gaps and orders read off one build equal the SQL definition's paths (as Spark runs it), the gaps
    from the journey-touch table's own statement (journey_sql, with journey ids and steps), and the orders summed
    by pandas."""
    tp, cv = checked_frames[:2]
    times = cv["timestamp"].sort_values()
    start, stop = times.iloc[len(times) // 4], times.iloc[3 * len(times) // 4]  # orders at both ends: [start, stop)
    views = journeys.build_views(tp, cv, by=("date", "product_segment"), orders_between=(start, stop),
                                 partitions=partitions)
    definition = journeys.query(tp, cv, lambda t, c: journeys.paths_sql(t, c, 30, ("date", "product_segment")))
    pd.testing.assert_frame_equal(views.paths, definition, check_exact=True)
    gaps = journeys.query(tp, cv, lambda t, c: journeys.gaps_from_logs_sql(t, c, 30))
    pd.testing.assert_frame_equal(views.gaps, gaps, check_exact=True)
    assert len(gaps) > 1000
    orders = cv[(cv["timestamp"] >= start) & (cv["timestamp"] < stop)]
    expected = (orders.assign(date=orders["timestamp"].dt.normalize(), units=(orders["value"] * 1e6).round())
                .groupby(["date", "product_segment"]).agg(units=("units", "sum"), conversions=("units", "size")))
    got = views.orders.set_index(["date", "segment"])
    assert list(got.index) == list(expected.index)
    np.testing.assert_array_equal(got["value"].to_numpy(), expected["units"].to_numpy() / 1e6)
    np.testing.assert_array_equal(got["conversions"].to_numpy(), expected["conversions"].to_numpy())


def test_journeys_built_already_give_the_pipeline_the_same_result(passes, checked_frames):
    """``run_pipeline(views=…)``: the views of one build over all days (as the app keeps them) stand for the build
    the pipeline would make; curves, credit, paths, lags and outcome are identical and nothing is built again."""
    tp, cv, spend, channels = checked_frames
    days = pd.to_datetime(spend["date"])
    spend = spend[days >= days.min() + pd.Timedelta(days=10)].reset_index(drop=True)  # orders before it: left out
    own = run_pipeline(tp, cv, spend, channels=channels, settings=FAST, checked=True)
    built = journeys.build_views(tp, cv, by=("date", "product_segment"), views=("paths", "gaps", "orders"))
    assert built.orders["conversions"].sum() == len(cv) > own.outcome["conversions"].sum() > 0  # every day's
    passes.clear()
    given = run_pipeline(tp, cv, spend, channels=channels, settings=FAST, checked=True, views=built)
    assert dict(passes) == {}
    for name in ("curves", "credit", "paths", "lags", "outcome"):
        pd.testing.assert_frame_equal(getattr(given, name), getattr(own, name), check_exact=True)
    with pytest.raises(ValueError) as other:
        run_pipeline(tp, cv, spend, channels=channels, checked=True, views=built,
                     settings=PipelineSettings(lookback_days=14, fit=FitSettings(n_bootstrap=0)))
    assert other.value.message.key == "journeys.err.views_mismatch"


def _dataset(checked_frames, token, **extra):
    from roimix.app.data import Dataset

    tp, cv, spend, channels = checked_frames
    return Dataset(tp, cv, spend, channels, None, {"spend": "spend.csv"}, token, **extra)


def test_the_apps_attribution_page_and_fit_build_the_journeys_once(passes, checked_frames, monkeypatch):
    """Every model's credit (time decay from the journeys, the others from the paths), the top paths and the curve
    fit: one build of the journeys for all of them, and the page's tables are those of separate builds."""
    import attribution
    from roimix.app import curve_sets, engine

    real = pipeline.run_pipeline
    monkeypatch.setattr(pipeline, "run_pipeline", lambda *a, **k: real(*a, **{**k, "settings": FAST}))
    ds = _dataset(checked_frames, "one-build-attribution")
    credit = engine.credit(ds.token, ds, list(engine.MODEL_CHOICES))
    top = engine.top_paths(ds.token, ds)
    by_segment = engine.paths(ds.token, ds, by_segment=True)
    curves = curve_sets.fit(ds.token, ds)
    assert dict(passes) == {"journeys": 1} and len(curves.table)

    tp, cv = ds.touchpoints, ds.conversions
    groups = ds.channels[["channel", "group"]]
    paths = journeys.build_paths(tp, cv)
    alone = pd.concat([
        attribution.attribute_journeys(journeys.build_journeys(tp, cv), attribution.TimeDecay(half_life_days=7.0),
                                       channels=groups) if m == "time_decay"
        else attribution.attribute(paths, m, channels=groups) for m in engine.MODEL_CHOICES], ignore_index=True)
    pd.testing.assert_frame_equal(credit, alone, check_exact=True)
    pd.testing.assert_frame_equal(engine.paths(ds.token, ds), paths, check_exact=True)
    pd.testing.assert_frame_equal(by_segment, journeys.build_paths(tp, cv, by=("product_segment",)), check_exact=True)
    assert top["conversions"].iloc[0] == paths["conversions"].max()


def test_aggregate_mode_opens_the_logs_once_and_builds_once(passes, checked_frames, monkeypatch):
    """Partial journeys in aggregate mode: both logs checked once on one connection, the journeys built once there;
    in the app the attribution page and the aggregate fit share one build."""
    from attribution.engines import DuckDBEngine
    from roimix.aggregate import AggregateSettings, run_aggregate
    from roimix.app import curve_sets, engine

    tp, cv, spend, channels = checked_frames
    partial = tp[tp["channel"].isin(["ztc", "wxt", "brand_search", "direct"])].reset_index(drop=True)
    outcome = (cv.assign(date=cv["timestamp"].dt.normalize()).groupby(["date", "product_segment"], as_index=False)
               ["value"].sum().rename(columns={"product_segment": "segment"}))
    connects = []
    real_connect = DuckDBEngine.connect
    monkeypatch.setattr(DuckDBEngine, "connect", lambda self: connects.append(self) or real_connect(self))
    settings = AggregateSettings(fit=FitSettings(n_bootstrap=0))
    result = run_aggregate(spend, outcome, touchpoints=partial, conversions=cv, settings=settings,
                           channels=channels[curve_sets.CHANNEL_COLUMNS])
    assert passes["journeys"] == 1 and len(connects) == 1
    assert passes["load_table:touchpoints"] == passes["load_table:conversions"] == 1
    assert set(result.evidence["evidence"]) == {"aggregate"} and result.evidence["lag_from_journeys"].any()
    passes.clear()
    connects.clear()
    levels = run_aggregate(spend, outcome, touchpoints=partial, conversions=cv,
                           channels=channels[curve_sets.CHANNEL_COLUMNS],
                           settings=AggregateSettings(fit=FitSettings(n_bootstrap=0), journey_levels=True))
    assert passes["journeys"] == 1 and len(connects) == 1  # the prior's attribution reads the same build
    assert set(levels.evidence["evidence"]) == {"journeys", "aggregate"}

    import roimix.aggregate as aggregate

    real, fitted = aggregate.run_aggregate, []
    monkeypatch.setattr(aggregate, "run_aggregate",
                        lambda *a, **k: fitted.append(real(*a, **{**k, "settings": settings})) or fitted[-1])
    ds = _dataset([partial, cv, spend, channels], "one-build-aggregate", outcome=outcome, mode="aggregate")
    passes.clear()
    engine.credit(ds.token, ds, ["last_touch", "incremental"])
    curve_sets.fit(ds.token, ds)
    assert passes["journeys"] == 1
    pd.testing.assert_frame_equal(fitted[0].curves, result.curves, check_exact=True)
