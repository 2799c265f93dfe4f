"""Journey building in DuckDB against a plain-Python reference of the same definition."""

from __future__ import annotations

from datetime import datetime, timedelta

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from attribution import journeys as J
from attribution.journeys import NO_TOUCH, aggregate_paths, build_journeys, build_paths
from roimix.text import error_text

T0 = datetime(2026, 6, 1)
LOOKBACK = 3


def reference_journeys(touchpoints: pd.DataFrame, conversions: pd.DataFrame, lookback_days: int):
    """The definition in attribution/journeys.py, written as plainly as possible."""
    window = timedelta(days=lookback_days)
    out = []
    users = set(touchpoints.user_id) | set(conversions.user_id)
    for user in users:
        touches = sorted(
            (r.timestamp, r.channel) for r in touchpoints[touchpoints.user_id == user].itertuples()
        )
        convs = sorted(
            (r.timestamp, r.order_id, r.value, r.product_segment)
            for r in conversions[conversions.user_id == user].itertuples()
        )
        prev = None
        for ts, order_id, value, segment in convs:
            path = [ch for t, ch in touches if t <= ts and ts - t <= window and (prev is None or t > prev)]
            out.append((user, True, ts, order_id, value, segment, path or [NO_TOUCH]))
            prev = ts
        rest = [(t, ch) for t, ch in touches if prev is None or t > prev]
        if rest:
            end = rest[-1][0]
            out.append((user, False, None, None, 0.0, None, [ch for t, ch in rest if end - t <= window]))
    return out


def as_comparable(rows):
    return sorted((str(u), c, str(ts), str(o), round(v, 6), str(s), " > ".join(p)) for u, c, ts, o, v, s, p in rows)


@st.composite
def logs(draw):
    n_users = draw(st.integers(1, 4))
    channels = ["a", "b", "c"]
    # times on a coarse grid (hours) so ties and exact window boundaries happen often
    hours = st.integers(0, 24 * (LOOKBACK + 3))
    touches = draw(st.lists(st.tuples(st.integers(0, n_users - 1), hours, st.sampled_from(channels)), max_size=25))
    convs = draw(st.lists(st.tuples(st.integers(0, n_users - 1), hours, st.floats(0, 500, allow_nan=False)),
                          max_size=6))
    tp = pd.DataFrame({
        "user_id": [f"u{u}" for u, _, _ in touches],
        "timestamp": pd.to_datetime([T0 + timedelta(hours=h) for _, h, _ in touches]),
        "channel": [c for _, _, c in touches],
    }).astype({"user_id": str, "channel": str})
    cv = pd.DataFrame({
        "user_id": [f"u{u}" for u, _, _ in convs],
        "timestamp": pd.to_datetime([T0 + timedelta(hours=h) for _, h, _ in convs]),
        "value": [v for _, _, v in convs],
        "order_id": [f"o{i:03d}" for i in range(len(convs))],
        "product_segment": ["new" if i % 3 == 0 else "existing" for i in range(len(convs))],
    }).astype({"user_id": str, "value": float})
    return tp, cv


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_journeys_match_plain_python_reference(data):
    tp, cv = data
    built = build_journeys(tp, cv, lookback_days=LOOKBACK).journeys
    got = as_comparable(
        (r.user_id, bool(r.converted), r.conversion_ts if r.converted else None, r.order_id if r.converted else None,
         r.value, r.product_segment if r.converted else None, r.path.split(" > "))
        for r in built.itertuples()
    )
    assert got == as_comparable(reference_journeys(tp, cv, LOOKBACK))


def test_boundary_ties_and_repeat_buyers():
    tp = pd.DataFrame({
        "user_id": ["u1"] * 6 + ["u2"],
        "timestamp": pd.to_datetime([
            "2026-06-01 00:00", "2026-06-04 00:00",   # exactly 3 days before o1: inside; and a tie
            "2026-05-31 23:59",                       # one minute too early: outside
            "2026-06-04 00:00",                       # same instant as the order: counts for it
            "2026-06-05 12:00", "2026-06-09 00:00",   # after the 1st order: 2nd order / open journey
            "2026-06-02 00:00",
        ]),
        "channel": ["xhs", "ztc", "kol", "brand", "wxt", "direct", "ztc"],
    })
    cv = pd.DataFrame({
        "user_id": ["u1", "u1", "u3"],
        "timestamp": pd.to_datetime(["2026-06-04 00:00", "2026-06-06 00:00", "2026-06-03 00:00"]),
        "value": [100.0, 50.0, 30.0],
        "order_id": ["o1", "o2", "o3"],
    })
    j = build_journeys(tp, cv, lookback_days=3).journeys.set_index("journey_id")
    # ordered by conversion time (o3, o1, o2), then open journeys by user; ties at 06-04 00:00 by channel id
    assert list(j.order_id[:3]) == ["o3", "o1", "o2"]
    assert list(j.path) == [NO_TOUCH, "xhs > brand > ztc", "wxt", "direct", "ztc"]
    assert list(j.converted) == [True, True, True, False, False]
    assert j.value.sum() == 180.0
    assert list(j.n_touches) == [0, 3, 1, 1, 1]


def test_build_paths_equals_aggregating_journeys():
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=5_000, n_days=40, seed=3))
    journeys = build_journeys(m.touchpoints, m.conversions).journeys
    for by in [(), ("date", "product_segment")]:
        direct = build_paths(m.touchpoints, m.conversions, by=by)
        via = aggregate_paths(journeys, by=by)
        pd.testing.assert_frame_equal(direct.reset_index(drop=True), via.reset_index(drop=True), check_dtype=False,
                                      check_like=True)
    assert journeys.loc[journeys.converted, "value"].sum() == pytest.approx(m.conversions.value.sum(), abs=1e-6)
    assert journeys.converted.sum() == len(m.conversions)


def test_integer_and_text_user_ids_join():
    tp = pd.DataFrame({"user_id": [1, 2], "timestamp": pd.to_datetime(["2026-06-01", "2026-06-01"]),
                       "channel": ["a", "b"]})
    cv = pd.DataFrame({"user_id": ["1"], "timestamp": pd.to_datetime(["2026-06-02"]), "value": [9.0],
                       "order_id": ["o"]})
    paths = build_paths(tp, cv)
    assert dict(zip(paths.path, paths.conversions)) == {"a": 1, "b": 0}


def test_lookback_must_be_whole_days():
    with pytest.raises(ValueError) as err:
        build_paths(pd.DataFrame(), pd.DataFrame(), lookback_days=0)
    assert err.value.message.key == "journeys.err.lookback"
    assert error_text(err.value, "en") == "lookback_days must be a whole number of days ≥ 1, got 0"


# --- the one build (DuckDB: one sort, then arrays) against the SQL definition Spark runs ------------------


def sql_definition(tp, cv, lookback_days, by):
    """Paths, gaps, orders and journeys as the SQL definition gives them, run by DuckDB itself."""
    with J._Session(None, tp, cv) as (con, t, c, tag):
        name = f"__jj_{tag}"
        con.execute(f"CREATE TEMP TABLE {name} AS {J.journeys_sql(t, c, lookback_days)}")
        journeys = con.execute(f"SELECT {', '.join(J.JOURNEY_COLUMNS)} FROM {name} ORDER BY journey_id").df()
        touches = con.execute(
            f"SELECT * FROM ({J.touches_sql(t, c, lookback_days, name)}) ORDER BY journey_id, step").df()
        return (con.execute(J.paths_sql(t, c, lookback_days, by)).df(),
                con.execute(J.gaps_from_logs_sql(t, c, lookback_days)).df(),
                con.execute(J.orders_from_logs_sql(c, None)).df(), journeys, touches)


@st.composite
def busy_logs(draw):
    """Logs with every tie the definition breaks: touches at one instant, orders at one instant (twins, equal
    order ids, no order id), touches at an order's instant and exactly at the window's edge."""
    tp, cv = draw(logs())
    twins = draw(st.lists(st.integers(0, max(len(cv) - 1, 0)), max_size=3)) if len(cv) else []
    cv = pd.concat([cv, cv.iloc[twins]], ignore_index=True)
    if len(cv) and draw(st.booleans()):
        cv["order_id"] = [None if i % 3 == 0 else f"o{i % 2}" for i in range(len(cv))]
    if len(cv) and len(tp) and draw(st.booleans()):  # a touch at an order's instant and one at the edge
        order = cv.iloc[0]
        tp = pd.concat([tp, pd.DataFrame({"user_id": [order.user_id] * 2, "channel": ["b", "c"], "timestamp": [
            order.timestamp, order.timestamp - pd.Timedelta(days=LOOKBACK)]})], ignore_index=True)
    return tp, cv


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_logs(), st.sampled_from([(), ("date",), ("product_segment",), ("date", "product_segment")]))
def test_the_one_build_gives_exactly_what_the_sql_definition_gives(data, by):
    tp, cv = data
    paths, gaps, orders, journeys, touches = sql_definition(tp, cv, LOOKBACK, by)
    views = J.build_views(tp, cv, lookback_days=LOOKBACK, by=by, views=J.VIEWS)
    for got, want in ((views.paths, paths), (views.gaps, gaps), (views.orders, orders),
                      (views.journeys.journeys, journeys), (views.journeys.touches, touches)):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(J.rollup_paths(views.path_units, by), paths, check_exact=True)


@pytest.mark.parametrize("digits", [1, 3])
def test_paths_too_long_for_one_number_are_told_apart_the_same(monkeypatch, digits):
    """A path of up to ``_digits`` channels is keyed as one integer, a longer one step by step: forcing the
    second way on (almost) every journey gives the very same paths and journeys."""
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=3_000, n_days=40, seed=8))
    want = J.build_views(m.touchpoints, m.conversions, by=("date",), views=("paths", "journeys"))
    monkeypatch.setattr(J, "_digits", lambda base: digits)
    got = J.build_views(m.touchpoints, m.conversions, by=("date",), views=("paths", "journeys"))
    assert (want.journeys.journeys["n_touches"] > digits).mean() > 0.1
    pd.testing.assert_frame_equal(got.paths, want.paths, check_exact=True)
    pd.testing.assert_frame_equal(got.journeys.journeys, want.journeys.journeys, check_exact=True)


def test_empty_cells_in_unchecked_logs_are_named_not_dropped():
    tp = pd.DataFrame({"user_id": ["u1", None], "timestamp": pd.to_datetime(["2026-06-01", "2026-06-02"]),
                       "channel": ["a", None]})
    cv = pd.DataFrame({"user_id": ["u1"], "timestamp": pd.to_datetime(["2026-06-03"]), "value": [9.0]})
    with pytest.raises(ValueError) as err:
        build_paths(tp, cv)
    assert err.value.message.key == "journeys.err.missing_cells"
    assert error_text(err.value, "en").startswith("touchpoints or orders have empty cells: user_id in 1 rows")
