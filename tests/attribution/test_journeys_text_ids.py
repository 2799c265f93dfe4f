"""Text user ids in the one build (attribution.journeys.build): each user is numbered by the rank of its id among
both logs' distinct ids in DuckDB's order, and numpy sorts one int64 number per event (``_ranked_events``), instead
of DuckDB sorting the events by the text ids (``_sorted_events``). Both must give exactly what the SQL definition
gives, and the same arrays: the same journeys, of the users in the same (byte-wise) order."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from test_journeys_packed import LOOKBACK, assert_same_as_sql, market, tied_logs, ways

from attribution import journeys as J
from roimix.text import error_text

T0 = datetime(2026, 6, 1)
TRICKY_IDS = ["", "a", "ab", "abc", "b", "B", "Z", "é", "e\u0301", "用户_12", "用户_2", "用户", "u 1", "u1", "~", "😀"]
"""Ids that sort apart only byte by byte: prefixes of each other (and the empty id), upper before lower case, one
letter precomposed or not, CJK and a 4-byte character (after every other first byte), different lengths."""


@st.composite
def text_logs(draw):
    """:func:`test_journeys_packed.tied_logs` of text user ids."""
    pool = st.one_of(st.sampled_from(TRICKY_IDS), st.text(alphabet="aAbé用_1😀", max_size=4))
    ids = draw(st.lists(pool, min_size=1, max_size=5, unique=True))
    return tied_logs(draw, ids, object)


def built_both_ways(tp, cv):
    """``build`` of the logs as the ranked ids give it and as DuckDB's sort of the events gives it."""
    with J._Session(None, tp, cv) as (con, t, c, _):
        if len(tp) or len(cv):  # (two empty logs have no text to tell: DuckDB types their ids as integers)
            assert J._rankable(con, t, J._arrow(con.sql(f"SELECT user_id FROM {c}")))
        ranked = J.build(con, t, c, LOOKBACK)
        rankable = J._rankable
        J._rankable = lambda *args: False
        try:
            sorted_ = J.build(con, t, c, LOOKBACK)
        finally:
            J._rankable = rankable
    return ranked, sorted_


def assert_same_arrays(got: J.Built, want: J.Built):
    assert got.orders.equals(want.orders)
    assert got.channels.equals(want.channels)
    for name in ("order", "end_us", "offsets", "codes", "touch_us", "path_key", "journey"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    assert got.paths.equals(want.paths)
    assert got.user_id.to_pylist() == want.user_id.to_pylist()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_logs(), st.sampled_from([(), ("date",), ("product_segment",), ("date", "product_segment")]))
def test_text_user_ids_give_exactly_what_the_sql_definition_gives(data, by):
    tp, cv = data
    assert_same_as_sql(tp, cv, by)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_logs())
def test_ranked_text_ids_give_the_arrays_duckdbs_sort_of_the_events_gives(data):
    tp, cv = data
    ranked, sorted_ = built_both_ways(tp, cv)
    assert_same_arrays(ranked, sorted_)


def test_users_come_in_byte_order_of_their_ids():
    ids = TRICKY_IDS[::-1]  # first seen in reverse order
    tp = pd.DataFrame({"user_id": pd.Series(ids, dtype=object),
                       "timestamp": pd.to_datetime([T0 + timedelta(hours=i) for i in range(len(ids))]),
                       "channel": pd.Series(["a"] * len(ids), dtype=object)})
    cv = tp.iloc[:3][["user_id", "timestamp"]].assign(value=1.0, order_id=pd.Series(["o1", "o2", "o3"], dtype=object))
    ranked, sorted_ = built_both_ways(tp, cv)
    by_bytes = sorted(ids, key=lambda u: u.encode("utf-8"))
    assert ranked.user_id.to_pylist() == by_bytes
    assert_same_arrays(ranked, sorted_)


def hashed_market(n_users=300):
    """A generated market's logs with opaque text user ids, as shops export them ('u_' and 16 hex digits)."""
    tp, cv = market(n_users)

    def text(u):
        return "u_" + hashlib.md5(str(u).encode()).hexdigest()[:16]

    return tuple(t.assign(user_id=t.user_id.map(text).astype(object)) for t in (tp, cv))


def all_ways(monkeypatch):
    """Counts how often each way of ordering the events runs (packed, ranked, sorted)."""
    calls = ways(monkeypatch)
    calls["ranked"] = 0
    ranked_events = J._ranked_events

    def count(*args, **kwargs):
        calls["ranked"] += 1
        return ranked_events(*args, **kwargs)

    monkeypatch.setattr(J, "_ranked_events", count)
    return calls


def test_a_market_with_text_ids_is_ranked_and_gives_what_duckdbs_sort_gives(monkeypatch):
    tp, cv = hashed_market()
    calls = all_ways(monkeypatch)
    got = J.build_views(tp, cv, by=("date",), views=J.VIEWS)
    assert calls == {"packed": 0, "ranked": 1, "sorted": 0}
    monkeypatch.setattr(J, "_rankable", lambda *args: False)
    want = J.build_views(tp, cv, by=("date",), views=J.VIEWS)
    assert calls == {"packed": 0, "ranked": 1, "sorted": 1}
    for view in ("paths", "gaps", "orders"):
        pd.testing.assert_frame_equal(getattr(got, view), getattr(want, view), check_exact=True)
    pd.testing.assert_frame_equal(got.journeys.journeys, want.journeys.journeys, check_exact=True)
    pd.testing.assert_frame_equal(got.journeys.touches, want.journeys.touches, check_exact=True)
    monkeypatch.undo()
    ranked, sorted_ = built_both_ways(tp, cv)
    assert_same_arrays(ranked, sorted_)


def test_integer_touch_ids_and_text_order_ids_are_compared_as_text_and_ranked(monkeypatch):
    tp, cv = market(200)
    cv = cv.assign(user_id=cv.user_id.astype(str).astype(object))
    calls = all_ways(monkeypatch)
    assert_same_as_sql(tp, cv)
    assert calls == {"packed": 0, "ranked": 1, "sorted": 0}


def test_text_events_that_do_not_fit_one_number_are_sorted_by_duckdb(monkeypatch):
    """2·10¹⁵ µs (62 years) with a microsecond off a whole millisecond: 51 bits of time, and the ranks of ≥ 256
    users (9 bits) and the keys need more than the other 11."""
    tp, cv = hashed_market(400)
    tp, cv = (t.assign(timestamp=t.timestamp.astype("datetime64[us]")) for t in (tp, cv))
    tp.loc[0, "timestamp"] = tp.timestamp[0] - pd.Timedelta(days=365 * 62) + pd.Timedelta(microseconds=1)
    assert pd.concat([tp.user_id, cv.user_id]).nunique() >= 2**8
    calls = all_ways(monkeypatch)
    assert_same_as_sql(tp, cv)
    assert calls == {"packed": 0, "ranked": 1, "sorted": 1}  # ranked, found not to fit, then sorted


@pytest.mark.parametrize("empty", ["touchpoints", "conversions", "both"])
def test_empty_text_logs(empty):
    tp, cv = hashed_market(50)
    if empty in ("touchpoints", "both"):
        tp = tp.iloc[:0]
    if empty in ("conversions", "both"):
        cv = cv.iloc[:0]
    assert_same_as_sql(tp, cv)


@pytest.mark.parametrize("where", ["touchpoints", "conversions"])
def test_a_missing_text_id_is_named_not_dropped(where):
    tp, cv = hashed_market(50)
    log = tp if where == "touchpoints" else cv
    log.loc[1, "user_id"] = None
    with pytest.raises(ValueError) as err:
        J.build_paths(tp, cv)
    assert err.value.message.key == "journeys.err.missing_cells"
    assert error_text(err.value, "en").startswith("touchpoints or orders have empty cells: user_id in 1 rows")


def test_ranks_map_back_to_the_ids():
    tp, cv = hashed_market(100)
    with J._Session(None, tp, cv) as (con, t, c, _):
        built = J.build(con, t, c, LOOKBACK)
    ids = built.user_id.to_pylist()
    assert set(ids) == set(tp.user_id) | set(cv.user_id)
    assert pa.types.is_string(built.user_id.type) or pa.types.is_large_string(built.user_id.type)
