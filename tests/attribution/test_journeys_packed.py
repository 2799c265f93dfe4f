"""The one build's ways of ordering the events (attribution.journeys.build): integer user ids whose events fit
one int64 number are sorted here as those numbers (``_packed_events``), text ids as the same numbers with each user's
rank for its id (``_ranked_events``, tests in test_journeys_text_ids.py), others by DuckDB (``_sorted_events``).
All must give exactly what the SQL definition gives."""

from __future__ import annotations

from datetime import datetime, timedelta

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from test_journeys import sql_definition  # the SQL definition run by DuckDB, the reference of both test files

from attribution import journeys as J

T0 = datetime(2026, 6, 1)
LOOKBACK = 3
ID_TYPES = {"int8": (-2**7, 2**7 - 1), "int32": (-2**31, 2**31 - 1), "uint32": (0, 2**32 - 1),
            "int64": (-2**63, 2**63 - 1)}


def assert_same_as_sql(tp, cv, by=("date", "product_segment")):
    want = sql_definition(tp, cv, LOOKBACK, by)
    views = J.build_views(tp, cv, lookback_days=LOOKBACK, by=by, views=J.VIEWS)
    got = (views.paths, views.gaps, views.orders, views.journeys.journeys, views.journeys.touches)
    for g, w in zip(got, want):
        pd.testing.assert_frame_equal(g, w, check_exact=True)


def tied_logs(draw, ids: list, id_dtype, far: timedelta | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Logs of the users ``ids`` (user ids as ``id_dtype``) with every tie the definition breaks: touches at one
    instant, orders at one instant (twins, equal and missing order ids), a touch at an order's instant and one
    exactly at the window's edge; times in whole hours, or some off by a millisecond or a microsecond; ``far``: one
    touch that far from the rest (decades, so each time unit and the fallback happen)."""
    channels = ["a", "b", "c"]
    hours = st.integers(0, 24 * (LOOKBACK + 3))
    touches = draw(st.lists(st.tuples(st.sampled_from(ids), hours, st.sampled_from(channels)), max_size=25))
    convs = draw(st.lists(st.tuples(st.sampled_from(ids), hours, st.floats(0, 500, allow_nan=False)), max_size=6))
    convs += [convs[i] for i in draw(st.lists(st.integers(0, max(len(convs) - 1, 0)), max_size=3))] if convs else []
    if convs and touches and draw(st.booleans()):
        user, hour, _ = convs[0]
        touches += [(user, hour, "b"), (user, hour - 24 * LOOKBACK, "c")]
    nudge = draw(st.sampled_from([timedelta(0), timedelta(milliseconds=1), timedelta(microseconds=1)]))

    def at(i, hour):
        return T0 + timedelta(hours=hour) + (nudge if i % 3 == 1 else timedelta(0))

    tp = pd.DataFrame({
        "user_id": np.array([u for u, _, _ in touches], dtype=id_dtype),
        "timestamp": pd.to_datetime([at(i, h) for i, (_, h, _) in enumerate(touches)]),
        "channel": pd.Series([c for _, _, c in touches], dtype=object),
    })
    if far is not None and len(tp):
        tp.loc[len(tp)] = [tp.user_id.iloc[0], pd.Timestamp(T0 + far), "a"]
        tp["user_id"] = tp.user_id.astype(id_dtype)
    order_ids = [f"o{i:03d}" for i in range(len(convs))]
    if convs and draw(st.booleans()):
        order_ids = [None if i % 3 == 0 else f"o{i % 2}" for i in range(len(convs))]
    cv = pd.DataFrame({
        "user_id": np.array([u for u, _, _ in convs], dtype=id_dtype),
        "timestamp": pd.to_datetime([at(i, h) for i, (_, h, _) in enumerate(convs)]),
        "value": pd.Series([v for _, _, v in convs], dtype=float),
        "order_id": pd.Series(order_ids, dtype=object),
        "product_segment": pd.Series(["new" if i % 3 == 0 else "existing" for i in range(len(convs))], dtype=object),
    })
    return tp, cv


@st.composite
def integer_logs(draw):
    """:func:`tied_logs` of integer user ids (of several types, spread or packed, negative ones too), sometimes with
    one event decades away."""
    id_type = draw(st.sampled_from(sorted(ID_TYPES)))
    low, high = ID_TYPES[id_type]
    n_users = draw(st.integers(1, 4))
    step = draw(st.sampled_from([1, 7, 2**12, 2**25, (high - low) // 4]))  # the units need ids apart, too
    step = step if low + (n_users - 1) * step <= high else 1
    first = draw(st.integers(low, high - (n_users - 1) * step))
    ids = [first + i * step for i in range(n_users)]
    far = draw(st.sampled_from([None, timedelta(days=365 * 30), -timedelta(days=365 * 60)]))
    return tied_logs(draw, ids, id_type, far)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer_logs(), st.sampled_from([(), ("date",), ("product_segment",), ("date", "product_segment")]))
def test_integer_user_ids_give_exactly_what_the_sql_definition_gives(data, by):
    tp, cv = data
    assert_same_as_sql(tp, cv, by)


def market(n_users=2_000, seed=5):
    """The logs of the first ``n_users`` users of a generated market."""
    from roimix.synthetic import MarketSpec, generate_market

    m = generate_market(MarketSpec(n_users=max(n_users, 1_000), n_days=40, seed=seed))
    return tuple(t[t.user_id < n_users].reset_index(drop=True) for t in (m.touchpoints, m.conversions))


def ways(monkeypatch):
    """Counts how often each way of ordering the events runs."""
    calls = {"packed": 0, "sorted": 0}
    packed, sorted_ = J._packed_events, J._sorted_events

    def count(name, f):
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return f(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(J, "_packed_events", count("packed", packed))
    monkeypatch.setattr(J, "_sorted_events", count("sorted", sorted_))
    return calls


def test_a_market_with_integer_ids_is_packed_and_gives_what_duckdbs_sort_gives(monkeypatch):
    tp, cv = market()
    calls = ways(monkeypatch)
    got = J.build_views(tp, cv, by=("date",), views=J.VIEWS)
    assert calls == {"packed": 1, "sorted": 0}
    monkeypatch.setattr(J, "_packable", lambda *args: False)
    want = J.build_views(tp, cv, by=("date",), views=J.VIEWS)
    assert calls == {"packed": 1, "sorted": 1}
    for view in ("paths", "gaps", "orders"):
        pd.testing.assert_frame_equal(getattr(got, view), getattr(want, view), check_exact=True)
    pd.testing.assert_frame_equal(got.journeys.journeys, want.journeys.journeys, check_exact=True)
    pd.testing.assert_frame_equal(got.journeys.touches, want.journeys.touches, check_exact=True)


@pytest.mark.parametrize("how", ["ids too far apart", "microseconds over decades"])
def test_events_that_do_not_fit_one_number_are_sorted_by_duckdb(monkeypatch, how):
    tp, cv = market(300)
    if how == "ids too far apart":
        tp, cv = (t.assign(user_id=np.where(t.user_id % 2, 2**62, -2**62) + t.user_id) for t in (tp, cv))
    else:  # 10¹⁵ µs (31 years) and the ids need more than 63 − 50 bits with the keys
        tp, cv = (t.assign(user_id=t.user_id * 2**10, timestamp=t.timestamp.astype("datetime64[us]")) for t in (tp, cv))
        tp.loc[0, "timestamp"] = tp.timestamp[0] - pd.Timedelta(days=365 * 31) + pd.Timedelta(microseconds=1)
    calls = ways(monkeypatch)
    assert_same_as_sql(tp, cv)
    assert calls["sorted"] == 1
