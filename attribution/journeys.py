"""Journeys from touchpoints and conversions, as one SQL definition run by DuckDB (here) or Spark.

Definition (the contract every engine must reproduce):

* A **converting journey** belongs to one conversion (order). Its touches are the same user's
  touches with ``prev < t ≤ conversion`` and ``conversion − t ≤ lookback_days``, where ``prev`` is
  the user's previous conversion (a touch at exactly a conversion's time counts for that
  conversion, not the next one). Conversions of one user at the same instant are ordered by
  ``order_id`` (then value, product_segment, is_new_customer); the later one gets no touches.
* A **non-converting journey** holds a user's touches after their last conversion (all touches for
  a user who never converted) within ``lookback_days`` of the user's last touch.
* Touches are ordered by time, ties by channel id. A conversion with no touch in its window keeps
  its row, with the path ``(none)`` (:data:`NO_TOUCH`), so credit always sums to what was sold.
* Every paths table built here carries ``null_window = 'anchored'`` (:data:`NULL_WINDOW`): a model
  reading it knows that the last touch of a non-converting path anchors its window.
* ``journey_id``: converting journeys first, by (conversion time, user, order), then the others by user.
* Timestamps count to the microsecond; user ids of different types in the two inputs are compared
  as text. Aggregated ``value`` sums each order's value to the micro-yuan (10⁻⁶) in integers, so a
  total is exact and does not depend on the engine, its threads or the order of summation.

How it is computed: each user's conversions are numbered (time, then the tie-breaks above); with
the touches they form one stream of events per user, ordered by time, a touch before a conversion
at the same instant. The running count of conversions numbers each user's journeys (``journey``;
the conversion k closes journey k, touches after the last one form the non-converting journey).
Per journey: its end (the conversion, or the last touch), its touches within ``lookback_days`` of
the end sorted by (time, channel), and the path. Every step is partitioned by user, so Spark
distributes it and DuckDB can build users in groups (``build_paths(partitions=…)``); only the
global ``journey_id`` needs one sort over all journeys.

The SQL is written once, in DuckDB's dialect, in the functions below (``*_sql``);
:mod:`attribution.spark` transpiles the very same text to Spark SQL with sqlglot. DuckDB itself builds the
journeys faster than the SQL says it, with the same result (:func:`build`): one sort of both logs' events by
(user, time, touch before order, channel or the orders' tie-breaks) — numpy's sort of one int64 number per event,
the user being its integer id or, for text ids, the rank of its id; else DuckDB's — then one ordered pass over its
arrays; the tests check the two give identical tables.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roimix.errors import InputError
from roimix.messages import Message
from roimix.tables.read import duckdb_source

from .vocabulary import ANCHORED, FULL, NO_TOUCH, NULL_WINDOW, NULL_WINDOWS, PATH_SEPARATOR  # noqa: F401 - re-exported

PATH_KEYS = ("date", "product_segment")
"""Columns ``build_paths(by=…)`` may add to ``path``."""
CONVERSION_DEFAULTS = {
    "order_id": "CAST(NULL AS VARCHAR)",
    "is_new_customer": "CAST(NULL AS BOOLEAN)",
    "product_segment": "'existing'",
}
"""SQL for the optional conversion columns when an input lacks them (as the table contract says)."""
VALUE_UNITS = 1_000_000
"""Aggregated values are summed as integers in 1/VALUE_UNITS yuan."""


@dataclass(frozen=True)
class Journeys:
    """``journeys``: one row per journey (journey_id, user_id, converted, conversion_ts, date, value,
    product_segment, is_new_customer, order_id, path, n_touches); ``touches``: one row per touch in
    a journey (journey_id, step (1-based), channel, timestamp)."""

    journeys: pd.DataFrame
    touches: pd.DataFrame


# --- the definition (DuckDB dialect; transpiled for Spark) -------------------------------------------


def touchpoints_sql(source: str, *, ids_as_text: bool = False) -> str:
    """The typed touchpoints (user_id, timestamp, channel) from the table or view ``source``."""
    return f'SELECT {_user_id(ids_as_text)}, CAST("timestamp" AS TIMESTAMP) AS "timestamp", ' \
           f"CAST(channel AS VARCHAR) AS channel FROM {source}"


def conversions_sql(source: str, columns: Iterable[str], *, ids_as_text: bool = False) -> str:
    """The typed conversions (user_id, timestamp, value, order_id, is_new_customer, product_segment)
    from ``source``, whose columns are ``columns``; absent optional columns get their defaults."""
    present = set(columns)
    types = {"order_id": "VARCHAR", "is_new_customer": "BOOLEAN", "product_segment": "VARCHAR"}
    optional = ", ".join(
        f"CAST({c} AS {types[c]}) AS {c}" if c in present else f"{default} AS {c}"
        for c, default in CONVERSION_DEFAULTS.items()
    )
    return f'SELECT {_user_id(ids_as_text)}, CAST("timestamp" AS TIMESTAMP) AS "timestamp", ' \
           f"CAST(value AS DOUBLE) AS value, {optional} FROM {source}"


def paths_sql(touchpoints: str, conversions: str, lookback_days: int, by: tuple[str, ...] = ()) -> str:
    """Aggregated paths ({by…,} path, conversions, value, nulls, null_window), ordered by ``by`` and path. Inputs
    are typed tables or views (:func:`touchpoints_sql`, :func:`conversions_sql`). Every step is
    partitioned by user; only this small table leaves the engine."""
    return f"""
WITH {_journey_ctes(touchpoints, conversions, lookback_days)},
partial_paths AS ({_partial_paths_select(by)})
{combine_paths_sql("partial_paths", by)}"""


def partial_paths_sql(touchpoints: str, conversions: str, lookback_days: int, by: tuple[str, ...] = ()) -> str:
    """Aggregated paths of some users, to be summed by :func:`combine_paths_sql`: ({by…,} path,
    conversions, value_units, nulls), ``value_units`` in integer 1/:data:`VALUE_UNITS` yuan. Users
    split into disjoint groups give partial tables whose combination is :func:`paths_sql`."""
    return f"WITH {_journey_ctes(touchpoints, conversions, lookback_days)} {_partial_paths_select(by)}"


def combine_paths_sql(partial: str, by: tuple[str, ...] = ()) -> str:
    """The final paths table from partial path tables in ``partial`` (rows may repeat a path)."""
    keys = "".join(f"{k}, " for k in check_by(by))
    return f"""
SELECT {keys}path, CAST(sum(conversions) AS BIGINT) AS conversions,
       CAST(sum(value_units) AS DOUBLE) / {VALUE_UNITS} AS value, CAST(sum(nulls) AS BIGINT) AS nulls,
       '{ANCHORED}' AS {NULL_WINDOW}
FROM {partial}
GROUP BY {keys}path
ORDER BY {keys}path
"""


def journeys_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """One row per journey: journey_id, user_id, journey (1-based within the user; the
    non-converting journey is the last), converted, conversion_ts, date, value, product_segment,
    is_new_customer, order_id, path, n_touches, end_ts (the conversion or the last touch).
    ``journey_id`` takes one global sort: use it for journeys that fit in memory."""
    return f"WITH {_journey_ctes(touchpoints, conversions, lookback_days)}, {_numbered_journeys_cte()} " \
           "SELECT * FROM journeys"


def touches_sql(touchpoints: str, conversions: str, lookback_days: int, journeys: str) -> str:
    """One row per touch in a journey (journey_id, step, channel, timestamp), given ``journeys``
    (the table of :func:`journeys_sql` over the same inputs)."""
    return f"""
WITH {_event_ctes(touchpoints, conversions)}
SELECT j.journey_id,
       CAST(row_number() OVER (PARTITION BY j.journey_id ORDER BY e."timestamp", e.channel) AS INTEGER) AS step,
       e.channel, e."timestamp"
FROM numbered e JOIN {journeys} j ON e.user_id = j.user_id AND e.journey = j.journey
WHERE e.kind = 0 AND {_in_lookback('e."timestamp"', "j.end_ts", lookback_days)}
"""


def journey_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """The journey-touch table in one statement: journey_id, user_id, converted, conversion_ts, value,
    product_segment, is_new_customer, order_id, step, channel, timestamp (one row per touch; a
    conversion without touches has one row with NULL step, channel and timestamp)."""
    return f"""
WITH {_journey_ctes(touchpoints, conversions, lookback_days)}, {_numbered_journeys_cte()},
steps AS (
    SELECT j.journey_id, e.channel, e."timestamp",
           CAST(row_number() OVER (PARTITION BY j.journey_id ORDER BY e."timestamp", e.channel) AS INTEGER) AS step
    FROM numbered e JOIN journeys j ON e.user_id = j.user_id AND e.journey = j.journey
    WHERE e.kind = 0 AND {_in_lookback('e."timestamp"', "j.end_ts", lookback_days)}
)
SELECT j.journey_id, j.user_id, j.converted, j.conversion_ts, j.value, j.product_segment, j.is_new_customer,
       j.order_id, s.step, s.channel, s."timestamp"
FROM journeys j LEFT JOIN steps s ON s.journey_id = j.journey_id
"""


def time_decay_sql(touchpoints: str, conversions: str, lookback_days: int, half_life_days: float) -> str:
    """Time-decay credit per (date, product_segment, channel) of the converting journeys: conversions,
    value. A touch ``Δ`` days before its conversion weighs ``2^(−Δ/h)``, normalised per journey
    (shifted by the journey's most recent touch so nothing underflows); a conversion without
    touches goes whole to :data:`NO_TOUCH`. Only this small table leaves the engine."""
    if not half_life_days > 0:
        raise InputError(message=Message("journeys.err.half_life", {"half_life_days": half_life_days}))
    return f"""
WITH jt AS ({journey_sql(touchpoints, conversions, lookback_days)}),
aged AS (
    SELECT journey_id, CAST(conversion_ts AS DATE) AS date, product_segment, value,
           COALESCE(channel, '{NO_TOUCH}') AS channel,
           CASE WHEN step IS NULL THEN CAST(0 AS DOUBLE)
                ELSE CAST(greatest(date_diff('microsecond', "timestamp", conversion_ts), 0) AS DOUBLE) / 86400000000
           END AS age_days
    FROM jt WHERE converted
),
decayed AS (
    SELECT journey_id, date, product_segment, value, channel,
           power(CAST(2 AS DOUBLE), -(age_days - min(age_days) OVER (PARTITION BY journey_id))
                                    / CAST({float(half_life_days)!r} AS DOUBLE)) AS raw
    FROM aged
),
weighted AS (
    SELECT date, product_segment, channel, CAST(value AS DOUBLE) AS value,
           raw / sum(raw) OVER (PARTITION BY journey_id) AS weight
    FROM decayed
)
SELECT date, product_segment, channel, sum(weight) AS conversions, sum(weight * value) AS value
FROM weighted
GROUP BY date, product_segment, channel
ORDER BY date, product_segment, channel
"""


def check_by(by: tuple[str, ...]) -> tuple[str, ...]:
    """``by`` if it names only :data:`PATH_KEYS`, else ``ValueError``."""
    unknown = set(by) - set(PATH_KEYS)
    if unknown:
        raise InputError(message=Message("journeys.err.by", {"by": ", ".join(sorted(unknown)),
                                                             "known": ", ".join(PATH_KEYS)}))
    return tuple(by)


_PATH_SUMS = f"""CAST(sum(CASE WHEN converted THEN 1 ELSE 0 END) AS BIGINT) AS conversions,
       CAST(sum(CASE WHEN converted THEN CAST(floor(value * {VALUE_UNITS} + 0.5) AS BIGINT) ELSE 0 END)
            AS BIGINT) AS value_units,
       CAST(sum(CASE WHEN converted THEN 0 ELSE 1 END) AS BIGINT) AS nulls"""
"""A partial paths table's sums over journeys (columns converted, value)."""
_ORDER_TIES = "order_id NULLS LAST, value, product_segment NULLS LAST, is_new_customer NULLS LAST"
"""How one user's orders at the same instant are numbered (after user and time)."""


def _partial_paths_select(by: tuple[str, ...], source: str = "per_journey") -> str:
    keys = "".join(f"{k}, " for k in check_by(by))
    return f"""
SELECT {keys}path,
       {_PATH_SUMS}
FROM {source}
GROUP BY {keys}path"""


def _user_id(as_text: bool) -> str:
    return "CAST(user_id AS VARCHAR) AS user_id" if as_text else "user_id"


def _in_lookback(ts: str, end_ts: str, lookback_days: int) -> str:
    return f"{ts} >= {end_ts} - INTERVAL {int(lookback_days)} DAY"


def _event_ctes(touchpoints: str, conversions: str) -> str:
    """``conversions_seq``: conversions numbered per user (the tie-breaks of the definition);
    ``numbered``: touches and conversions as one stream per user, each with its journey number —
    the conversions before it in (time, touch before conversion), plus one for a touch."""
    return f"""
conversions_seq AS (
    SELECT user_id, "timestamp", value, product_segment, is_new_customer, order_id,
           row_number() OVER (PARTITION BY user_id ORDER BY "timestamp", {_ORDER_TIES}) AS journey
    FROM {conversions}
),
events AS (
    SELECT user_id, "timestamp", 0 AS kind, channel FROM {touchpoints}
    UNION ALL
    SELECT user_id, "timestamp", 1 AS kind, CAST(NULL AS VARCHAR) AS channel FROM conversions_seq
),
numbered AS (
    SELECT user_id, "timestamp", kind, channel,
           sum(kind) OVER (PARTITION BY user_id ORDER BY "timestamp", kind
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) + 1 - kind AS journey
    FROM events
)"""


def _journey_ctes(touchpoints: str, conversions: str, lookback_days: int, *, keep_touches: bool = False) -> str:
    """Adds ``per_journey``: one row per (user_id, journey) with the conversion's attributes, the end
    (conversion or last touch), the touches within the lookback sorted by (time, channel), the path;
    ``keep_touches``: also the touches themselves (``touches``, a list of ``{t, c}``)."""
    in_window = _in_lookback("x.t", "g.end_ts", lookback_days)
    return f"""{_event_ctes(touchpoints, conversions)},
grouped AS (
    SELECT user_id, journey, max("timestamp") AS end_ts,
           list(struct_pack(t := "timestamp", c := channel)) FILTER (WHERE kind = 0) AS touches
    FROM numbered
    GROUP BY user_id, journey
),
windowed AS (
    SELECT g.user_id, g.journey, c.journey IS NOT NULL AS converted, c."timestamp" AS conversion_ts,
           g.end_ts, coalesce(c.value, CAST(0 AS DOUBLE)) AS value, c.product_segment, c.is_new_customer,
           c.order_id, list_sort(list_filter(g.touches, x -> {in_window}), 'ASC', 'NULLS FIRST') AS touches
    FROM grouped g LEFT JOIN conversions_seq c ON c.user_id = g.user_id AND c.journey = g.journey
),
per_journey AS (
    SELECT user_id, journey, converted, conversion_ts, CAST(end_ts AS DATE) AS date, value, product_segment,
           is_new_customer, order_id,
           coalesce(nullif(array_to_string(list_transform(touches, x -> x.c), '{PATH_SEPARATOR}'), ''),
                    '{NO_TOUCH}') AS path,
           CAST(coalesce(array_length(touches), 0) AS BIGINT) AS n_touches, end_ts{", touches" if keep_touches else ""}
    FROM windowed
)"""


def _numbered_journeys_cte() -> str:
    return """
journeys AS (
    SELECT CAST(row_number() OVER (ORDER BY converted DESC, conversion_ts, user_id, journey) AS BIGINT) AS journey_id, *
    FROM per_journey
)"""


# --- DuckDB ------------------------------------------------------------------------------------------

JOURNEY_COLUMNS = ("journey_id", "user_id", "converted", "conversion_ts", "date", "value", "product_segment",
                   "is_new_customer", "order_id", "path", "n_touches")


def build_journeys(
    touchpoints: pd.DataFrame | str,
    conversions: pd.DataFrame | str,
    *,
    lookback_days: int = 30,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Journeys:
    """Journeys and their touches (see the module docstring for the definition).

    ``touchpoints`` and ``conversions`` are DataFrames (validated against their contracts) or names
    of tables/views in ``con`` (e.g. from :func:`roimix.tables.load_table`, which reads files).
    """
    return build_views(touchpoints, conversions, lookback_days=lookback_days, con=con, partitions=1,
                       views=("journeys",)).journeys


def build_paths(
    touchpoints: pd.DataFrame | str,
    conversions: pd.DataFrame | str,
    *,
    lookback_days: int = 30,
    by: tuple[str, ...] = (),
    con: duckdb.DuckDBPyConnection | None = None,
    partitions: int | None = None,
) -> pd.DataFrame:
    """Aggregated paths (path, conversions, value, nulls, null_window) straight from the inputs, without keeping
    journeys in memory. ``by`` may add ``date`` and/or ``product_segment`` (of the conversion;
    non-converting journeys have a NULL segment and their last touch's date).

    Out of core: give a ``con`` with ``memory_limit`` and ``temp_directory`` set (see
    :mod:`attribution.engines`). DuckDB spills its sort; the arrays of one build (:func:`build`) live in
    this process, so users are split into ``partitions`` groups by a hash of their id, built one after
    another and summed (exactly: values in integer units). ``None`` picks the number from the touchpoint
    count and the connection's memory limit (:func:`auto_partitions`)."""
    return build_views(touchpoints, conversions, lookback_days=lookback_days, by=by, con=con,
                       partitions=partitions, views=("paths",)).paths


@dataclass(frozen=True)
class JourneyViews:
    """What one build of the journeys gives (:func:`build_views`).

    ``paths``: as :func:`build_paths` with the same ``by``; ``gaps``: channel, gap_days, offset_days per
    converting journey and channel (from the channel's last touch in the journey to the order, in days and in
    calendar days), sorted; ``orders``: date, segment, value, conversions — the orders per day and product
    segment (value summed in integer 1/:data:`VALUE_UNITS` yuan), of the days ``orders_between`` covers.
    A view not asked for is None."""

    paths: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    journeys: Journeys | None = None
    """The journeys and their touches, as :func:`build_journeys` gives them (only when asked for: they are
    as large as the logs)."""
    path_units: pa.Table | None = None
    """The paths per ``by`` with their value in integer 1/:data:`VALUE_UNITS` yuan (``value_units``): the paths
    per any coarser ``by`` are :func:`rollup_paths` of it, exactly those a build with that ``by`` gives."""
    lookback_days: int | None = None
    by: tuple[str, ...] = ()
    """The build's lookback and the keys of its paths, for a reader to check they are the ones it needs."""

    def check(self, *, lookback_days: int, by: tuple[str, ...], views: tuple[str, ...]) -> JourneyViews:
        """Itself, if built with ``lookback_days`` and ``by`` and holding ``views``; else ``InputError``."""
        missing = [v for v in views if getattr(self, v) is None]
        if self.lookback_days != lookback_days or tuple(self.by) != tuple(by) or missing:
            raise InputError(message=Message("journeys.err.views_mismatch", {
                "lookback_days": lookback_days, "built_lookback_days": self.lookback_days, "by": ", ".join(by),
                "built_by": ", ".join(self.by), "missing": ", ".join(missing) or "–"}))
        return self


VIEWS = ("paths", "gaps", "orders", "journeys", "path_units")
"""What :func:`build_views` can read off one build."""


def journey_touches_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """One row per journey with its touches kept: user_id, journey, converted, conversion_ts, date, value,
    product_segment, path, touches (within the lookback, sorted by time and channel; a list of ``{t, c}``).
    The one build Spark makes for :func:`build_views`' three tables."""
    return f"""
WITH {_journey_ctes(touchpoints, conversions, lookback_days, keep_touches=True)}
SELECT user_id, journey, converted, conversion_ts, date, value, product_segment, path, touches FROM per_journey"""


def _gap_columns(last_touch: str, conversion_ts: str) -> str:
    return (f"CAST(date_diff('second', {last_touch}, {conversion_ts}) AS DOUBLE) / 86400 AS gap_days, "
            f"date_diff('day', CAST({last_touch} AS DATE), CAST({conversion_ts} AS DATE)) AS offset_days")


def gaps_sql(journeys: str) -> str:
    """channel, gap_days, offset_days per converting journey and channel of ``journeys`` (a table of
    :func:`journey_touches_sql`), unsorted: from the channel's last touch to the order."""
    return f"""
SELECT channel, {_gap_columns("last_touch", "conversion_ts")}
FROM (SELECT user_id, journey, x.c AS channel, max(x.t) AS last_touch, max(conversion_ts) AS conversion_ts
      FROM (SELECT user_id, journey, conversion_ts, unnest(touches) AS x FROM {journeys} WHERE converted) AS u
      GROUP BY user_id, journey, x.c) AS g"""


def _orders_partial_sql(journeys: str, orders_between: tuple | None) -> str:
    within = ""
    if orders_between is not None:
        start, stop = (pd.Timestamp(t) for t in orders_between)
        within = (f" AND conversion_ts >= TIMESTAMP '{start:%Y-%m-%d %H:%M:%S.%f}'"
                  f" AND conversion_ts < TIMESTAMP '{stop:%Y-%m-%d %H:%M:%S.%f}'")
    return f"""
SELECT CAST(conversion_ts AS DATE) AS date, product_segment AS segment,
       sum(CAST(round(value * {VALUE_UNITS}) AS BIGINT)) AS value_units, count(*) AS conversions
FROM {journeys} WHERE converted{within}
GROUP BY CAST(conversion_ts AS DATE), product_segment"""


def orders_from_logs_sql(conversions: str, orders_between: tuple | None) -> str:
    """:attr:`JourneyViews.orders` straight from the typed conversions (every order is one converting journey)."""
    source = (f'(SELECT "timestamp" AS conversion_ts, product_segment, coalesce(value, CAST(0 AS DOUBLE)) AS value, '
              f"TRUE AS converted FROM {conversions}) AS o")
    return _combine_orders_sql(f"({_orders_partial_sql(source, orders_between)}) AS p")


def _combine_orders_sql(partial: str) -> str:
    return f"""
SELECT date, segment, CAST(sum(value_units) AS DOUBLE) / {VALUE_UNITS} AS value,
       CAST(sum(conversions) AS BIGINT) AS conversions
FROM {partial} GROUP BY date, segment ORDER BY date, segment"""


def gaps_from_logs_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """:attr:`JourneyViews.gaps` in one statement over the typed logs, from the journey-touch table
    (:func:`journey_sql`): a second definition of the gaps, to check the one build against."""
    return f"""
WITH jt AS ({journey_sql(touchpoints, conversions, lookback_days)})
SELECT channel,
       CAST(date_diff('second', max("timestamp"), max(conversion_ts)) AS DOUBLE) / 86400 AS gap_days,
       date_diff('day', CAST(max("timestamp") AS DATE), CAST(max(conversion_ts) AS DATE)) AS offset_days
FROM jt WHERE converted AND step IS NOT NULL
GROUP BY journey_id, channel
ORDER BY channel, gap_days, offset_days"""


def build_views(
    touchpoints: pd.DataFrame | str,
    conversions: pd.DataFrame | str,
    *,
    lookback_days: int = 30,
    by: tuple[str, ...] = (),
    orders_between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    partitions: int | None = None,
    views: tuple[str, ...] = ("paths", "gaps", "orders"),
) -> JourneyViews:
    """Paths, touch-to-order gaps, orders per day and (asked for) the journeys themselves from one build of the
    journeys (:class:`JourneyViews`): each group of users (``partitions``, as in :func:`build_paths`) is built
    once (:func:`build`) and the ``views`` asked for (of :data:`VIEWS`) are read off it. ``orders_between``:
    ``[start, stop)`` of the orders counted (None: all)."""
    check_lookback(lookback_days)
    check_by(by)
    unknown = sorted(set(views) - set(VIEWS))
    if unknown:
        raise InputError(message=Message("journeys.err.views", {"views": ", ".join(unknown),
                                                                "known": ", ".join(VIEWS)}))
    partials = [kind for kind in ("paths", "gaps", "orders", "journeys")
                if kind in views or (kind == "paths" and "path_units" in views)]
    with _Session(con, touchpoints, conversions) as (c, tp, cv, tag):
        n = _partition_count(c, tp, partitions)
        tables = {(kind, role): f"__jv_{kind}_{role}_{tag}"
                  for kind in partials for role in (("journeys", "touches") if kind == "journeys" else ("",))}
        try:
            first_journey = 0
            for i in range(n):
                part = f"(SELECT * FROM {{}} WHERE hash(user_id) % {n} = {i})" if n > 1 else "{}"
                built = build(c, part.format(tp), part.format(cv), lookback_days)
                for kind in partials:
                    with _small_pages(), _registered(c, built.tables(kind, first_journey=first_journey)) as names:
                        sources = ({role: f"SELECT * FROM {names[role]}" for role in names} if kind == "journeys"
                                   else {"": Built.sql(kind, names, by=by, orders_between=orders_between)})
                        for role, sql in sources.items():
                            table = tables[kind, role]
                            c.execute(f"CREATE TEMP TABLE {table} AS {sql}" if i == 0 else f"INSERT INTO {table} {sql}")
                first_journey += len(built.order)
                del built
            out = {"lookback_days": int(lookback_days), "by": tuple(by)}
            if "path_units" in views:
                out["path_units"] = _arrow(c.execute(_path_units_sql(tables["paths", ""], by)))
            if "paths" in views:
                out["paths"] = c.execute(combine_paths_sql(tables["paths", ""], by)).df()
            if "gaps" in views:
                out["gaps"] = c.execute(
                    f"SELECT * FROM {tables['gaps', '']} ORDER BY channel, gap_days, offset_days").df()
            if "orders" in views:
                out["orders"] = c.execute(_combine_orders_sql(tables["orders", ""])).df()
            if "journeys" in views:
                out["journeys"] = _number_journeys(c, tables["journeys", "journeys"], tables["journeys", "touches"])
            return JourneyViews(**out)
        finally:
            for table in tables.values():
                c.execute(f"DROP TABLE IF EXISTS {table}")


def _path_units_sql(partial: str, by: tuple[str, ...]) -> str:
    keys = "".join(f"{k}, " for k in check_by(by))
    return f"""
SELECT {keys}path, CAST(sum(conversions) AS BIGINT) AS conversions, CAST(sum(value_units) AS BIGINT) AS value_units,
       CAST(sum(nulls) AS BIGINT) AS nulls
FROM {partial} GROUP BY {keys}path"""


def rollup_paths(path_units: pa.Table, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The paths per ``by`` from :attr:`JourneyViews.path_units` built per keys that include ``by``: integer
    sums, so the very table :func:`build_paths` gives with that ``by``."""
    unknown = sorted(set(check_by(by)) - set(path_units.column_names))
    if unknown:
        raise InputError(message=Message("journeys.err.by", {"by": ", ".join(unknown), "known": ", ".join(
            k for k in PATH_KEYS if k in path_units.column_names)}))
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("path_units", path_units)
        return con.execute(combine_paths_sql("path_units", by)).df()
    finally:
        con.close()


def _number_journeys(con: duckdb.DuckDBPyConnection, journeys: str, touches: str) -> Journeys:
    """:class:`Journeys` from the tables of every build's ``journeys`` (row ``j``) and their ``touches``: the
    global ``journey_id`` of :func:`journeys_sql` and the columns and types :func:`build_journeys` gives."""
    numbered = f"{journeys}_numbered"
    con.execute(f"CREATE TEMP TABLE {numbered} AS SELECT j, CAST(row_number() OVER "
                f"(ORDER BY converted DESC, conversion_ts, user_id, journey) AS BIGINT) AS journey_id FROM {journeys}")
    try:
        out = con.execute(f"""
SELECT n.journey_id, t.user_id, t.converted, t.conversion_ts, CAST(t.end_ts AS DATE) AS date, t.value,
       t.product_segment, t.is_new_customer, t.order_id, t.path, CAST(t.n_touches AS BIGINT) AS n_touches
FROM {journeys} t JOIN {numbered} n ON n.j = t.j ORDER BY n.journey_id""").df()
        steps = con.execute(f"""
SELECT n.journey_id, s.step, s.channel, s."timestamp"
FROM {touches} s JOIN {numbered} n ON n.j = s.j ORDER BY n.journey_id, s.step""").df()
    finally:
        con.execute(f"DROP TABLE IF EXISTS {numbered}")
    return Journeys(out, steps)


# --- the one build on DuckDB: one sort, one ordered pass over its arrays ------------------------------

_DAY_US = 86_400_000_000


@dataclass(frozen=True, eq=False)
class Built:
    """One build of the journeys of some users on DuckDB (:func:`build`), as arrays.

    ``orders``: the orders (Arrow: user_id, conversion_ts, value, product_segment, is_new_customer, order_id) in
    the order that numbers them; ``channels``: the channel ids in byte order (code ``i`` is ``channels[i]``).
    Per journey — users in the order of the sort, each user's journeys by time, the non-converting one last:
    ``order`` (its row in ``orders``, −1 for none), ``end_us`` (the order's time or the last touch, µs since
    1970), ``path_key`` (its row in ``paths``, the path texts), ``user_id`` and ``journey`` (1-based within the
    user); its touches within the lookback, by (time, channel), are
    ``codes[offsets[j]:offsets[j + 1]]`` at ``touch_us[offsets[j]:offsets[j + 1]]``."""

    orders: pa.Table
    channels: pa.Array
    order: np.ndarray
    end_us: np.ndarray
    offsets: np.ndarray
    codes: np.ndarray
    touch_us: np.ndarray
    path_key: np.ndarray
    paths: pa.Array
    user_id: pa.Array
    journey: np.ndarray

    @property
    def converted(self) -> np.ndarray:
        return self.order >= 0

    @property
    def n_touches(self) -> np.ndarray:
        return np.diff(self.offsets)

    def _pick(self) -> pa.Array:
        """Per journey its row in ``orders`` (null for a non-converting journey), to take order columns with."""
        return pa.array(self.order, mask=~self.converted)

    def tables(self, kind: str, *, first_journey: int = 0) -> dict[str, pa.Table]:
        """The Arrow tables the SQL of ``kind`` (:meth:`sql`) reads, by role. ``first_journey``: the number
        of this build's first journey among all builds (``journeys``: the row ``j`` touches refer to)."""
        if kind == "paths":
            segments = pc.dictionary_encode(self.orders.column("product_segment")).combine_chunks()
            return {
                "journeys": pa.table({
                    "end_ts": pa.array(self.end_us, pa.timestamp("us")), "converted": self.converted,
                    "value": pc.fill_null(self.orders.column("value"), 0.0).take(self._pick()),
                    "seg": segments.indices.take(self._pick()), "path_key": self.path_key}),
                "paths": pa.table({"path_key": np.arange(len(self.paths)), "path": self.paths}),
                "segments": pa.table({"seg": pa.array(np.arange(len(segments.dictionary)), segments.indices.type),
                                      "product_segment": segments.dictionary})}
        if kind == "gaps":
            of_converting = np.repeat(self.converted, self.n_touches)  # the touches of converting journeys
            journey = np.repeat(np.arange(len(self.order)), self.n_touches)[of_converting]
            return {
                "touches": pa.table({"j": journey, "code": self.codes[of_converting],
                                     "t": pa.array(self.touch_us[of_converting], pa.timestamp("us")),
                                     "cts": pa.array(self.end_us[journey], pa.timestamp("us"))}),
                "channels": pa.table({"code": np.arange(len(self.channels)), "channel": self.channels})}
        if kind == "orders":
            return {"orders": self.orders}
        if kind == "journeys":
            pick = self._pick()
            n = len(self.order)
            return {
                "journeys": pa.table({
                    "j": np.arange(n) + first_journey, "user_id": self.user_id,
                    "journey": self.journey, "converted": self.converted,
                    "conversion_ts": self.orders.column("conversion_ts").take(pick),
                    "end_ts": pa.array(self.end_us, pa.timestamp("us")),
                    "value": pc.fill_null(self.orders.column("value").take(pick), 0.0),
                    "product_segment": self.orders.column("product_segment").take(pick),
                    "is_new_customer": self.orders.column("is_new_customer").take(pick),
                    "order_id": self.orders.column("order_id").take(pick),
                    "path": self.paths.take(pa.array(self.path_key)), "n_touches": self.n_touches}),
                "touches": pa.table({
                    "j": np.repeat(np.arange(n) + first_journey, self.n_touches),
                    "step": pa.array(np.arange(len(self.codes)) - np.repeat(self.offsets[:-1], self.n_touches) + 1,
                                     pa.int32()),
                    "channel": self.channels.take(pa.array(self.codes)),
                    "timestamp": pa.array(self.touch_us, pa.timestamp("us"))})}
        raise ValueError(kind)

    @staticmethod
    def sql(kind: str, names: dict[str, str], *, by: tuple[str, ...] = (), orders_between: tuple | None = None) -> str:
        """The partial table of ``kind`` over the registered :meth:`tables` (``names``: role → name), as the SQL
        definition gives it: ``paths`` as :func:`partial_paths_sql` (grouped by the path's key, then named),
        ``gaps`` as :func:`gaps_sql`, ``orders`` as :func:`orders_from_logs_sql` before combining."""
        if kind == "paths":
            keys = check_by(by)
            group = [*(["CAST(end_ts AS DATE)"] if "date" in keys else []),
                     *(["seg"] if "product_segment" in keys else []), "path_key"]
            inner = ", ".join(g + (" AS date" if g.startswith("CAST") else "") for g in group)
            outer = "".join("a.date, " if k == "date" else "s.product_segment, " for k in keys)
            segments = f" LEFT JOIN {names['segments']} s ON s.seg = a.seg" if "product_segment" in keys else ""
            return f"""
SELECT {outer}p.path, a.conversions, a.value_units, a.nulls
FROM (SELECT {inner}, {_PATH_SUMS} FROM {names['journeys']} GROUP BY {", ".join(group)}) AS a
JOIN {names['paths']} p ON p.path_key = a.path_key{segments}"""
        if kind == "gaps":
            return f"""
SELECT c.channel, {_gap_columns("g.last_touch", "g.conversion_ts")}
FROM (SELECT j, code, max(t) AS last_touch, max(cts) AS conversion_ts FROM {names['touches']} GROUP BY j, code) AS g
JOIN {names['channels']} c ON c.code = g.code"""
        if kind == "orders":
            source = (f"(SELECT conversion_ts, product_segment, coalesce(value, CAST(0 AS DOUBLE)) AS value, "
                      f"TRUE AS converted FROM {names['orders']}) AS o")
            return _orders_partial_sql(source, orders_between)
        raise ValueError(kind)


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> Iterator[dict[str, str]]:
    """``tables`` registered in ``con`` under unique names (role → name), unregistered on exit."""
    tag = uuid.uuid4().hex[:12]
    names = {role: f"__jb_{role}_{tag}" for role in tables}
    try:
        for role, table in tables.items():
            con.register(names[role], table)
        yield names
    finally:
        for name in names.values():
            con.unregister(name)


def build(con: duckdb.DuckDBPyConnection, touchpoints: str, conversions: str, lookback_days: int) -> Built:
    """The journeys of the typed ``touchpoints`` and ``conversions`` (tables, views or subqueries in ``con``)
    as arrays (:class:`Built`), from one sort of both logs' events by (user, time, touch before order, channel or
    the orders' tie-breaks) and one ordered pass over it here: a journey ends after each order and at the user's
    end; its touches within the lookback of its end are a tail of it, already in (time, channel) order. The sort is
    numpy's, of one int64 number per event, when an event fits that number — the user ids being integers
    (:func:`_packed_events`) or text, numbered by their rank (:func:`_ranked_events`) — else DuckDB's
    (:func:`_sorted_events`). The definition is the SQL's (module
    docstring); this is how DuckDB runs it, in about the time DuckDB takes to sort the logs
    (``benchmarks/pipeline.py --journey-floor``)."""
    with _small_pages():
        return _build(con, touchpoints, conversions, lookback_days)


def _build(con: duckdb.DuckDBPyConnection, touchpoints: str, conversions: str, lookback_days: int) -> Built:
    counts = con.execute(f"SELECT channel, count(*) FROM {touchpoints} GROUP BY channel ORDER BY channel").fetchall()
    channels = pa.array([channel for channel, _ in counts if channel is not None], pa.string())
    orders = _arrow(con.sql(
        f'SELECT user_id, epoch_us("timestamp") AS at_us, "timestamp" AS conversion_ts, value, product_segment, '
        f'is_new_customer, order_id FROM {conversions} ORDER BY user_id, "timestamp", {_ORDER_TIES}'))
    n_touches = sum(n for _, n in counts)
    sort = (_packed_events if _packable(con, touchpoints, orders)
            else _ranked_events if _rankable(con, touchpoints, orders) else _sorted_events)
    user_start, at_us, key, user_of = sort(con, touchpoints, channels, orders, n_touches)
    orders = orders.drop_columns(["at_us"])
    # few and narrow arrays of the events' length: allocating them is a good part of the pass
    n = len(key)
    is_order = key >= len(channels)
    start = user_start.copy()
    start[1:] |= is_order[:-1]  # a journey starts with a user and after each order
    starts = np.flatnonzero(start)
    ends = np.append(starts[1:], n) if n else starts
    last = ends - 1
    converted = is_order[last]
    order = np.full(len(starts), -1, np.int64)
    order[converted] = np.arange(orders.num_rows)  # each order ends a journey, the orders in the order of their rows
    end_us = at_us[last]
    in_window = np.greater_equal(at_us, np.repeat(end_us - int(lookback_days) * _DAY_US, ends - starts), out=start)
    in_window &= ~is_order  # touches within the lookback of their journey's end
    kept = np.flatnonzero(in_window)
    offsets = np.searchsorted(kept, np.append(starts, n))
    codes, touch_us = key[kept], at_us[kept]
    del kept, in_window, start, is_order, at_us, key
    user_of_journey = user_start[starts]
    journey_first = np.maximum.accumulate(np.where(user_of_journey, np.arange(len(starts)), 0)) if n else starts
    path_key, paths = _paths_of(offsets, codes, channels)
    return Built(orders, channels, order, end_us, offsets, codes, touch_us, path_key, paths, user_of(last),
                 np.arange(len(starts)) - journey_first + 1)


_Events = tuple[np.ndarray, np.ndarray, np.ndarray, Callable[[np.ndarray], pa.Array]]
"""Both logs' events in the order of (user, time, touch before order, channel or the orders' tie-breaks), as arrays:
where a user starts, the time (µs since 1970), the key (a touch's channel code; the channel count and up for an
order, the orders in the order of their rows) and, given rows, the user ids there."""


def _missing_cells(users: int, times: int, channels: int) -> None:
    if users or times or channels:
        raise InputError(message=Message("journeys.err.missing_cells", {
            "user_id": users, "timestamp": times, "channel": channels}))


def _sorted_events(con: duckdb.DuckDBPyConnection, touchpoints: str, channels: pa.Array, orders: pa.Table,
                   n_touches: int) -> _Events:
    """The events as DuckDB sorts them, for any type of user id; an order's key is the channel count + its row."""
    tag = uuid.uuid4().hex[:12]
    channel_codes, order_keys = f"__jb_ch_{tag}", f"__jb_ok_{tag}"
    n_codes = len(channels)
    key_type = np.int32 if orders.num_rows + n_codes < 2**31 else np.int64  # narrower keys sort faster
    con.register(channel_codes, pa.table({"channel": channels, "code": np.arange(n_codes, dtype=key_type)}))
    con.register(order_keys, pa.table({"user_id": orders.column("user_id"), "at_us": orders.column("at_us"),
                                       "k": np.arange(orders.num_rows, dtype=key_type) + key_type(n_codes)}))
    try:
        events = _arrow(con.sql(f"""
SELECT t.user_id, epoch_us(t."timestamp") AS at_us, c.code AS k
FROM {touchpoints} t LEFT JOIN {channel_codes} c ON c.channel = t.channel
UNION ALL
SELECT user_id, at_us, k FROM {order_keys}
ORDER BY user_id, at_us, k"""), rows=n_touches + orders.num_rows)
    finally:
        con.unregister(channel_codes)
        con.unregister(order_keys)
    users, at, keys = (events.column(name) for name in ("user_id", "at_us", "k"))
    _missing_cells(users.null_count, at.null_count, keys.null_count)
    users, at, keys = (_one_piece(column) for column in (users, at, keys))
    return _user_starts(users), at.to_numpy(), keys.to_numpy(), lambda rows: users.take(pa.array(rows))


_PACKABLE_IDS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
"""DuckDB types of user ids whose events :func:`_packed_events` sorts (integers that int64 holds)."""


def _packable(con: duckdb.DuckDBPyConnection, touchpoints: str, orders: pa.Table) -> bool:
    """Whether both logs' user ids are integers of a type :func:`_packed_events` takes (the touches' type is read
    off the query, not run)."""
    touch_ids = str(con.sql(f"SELECT user_id FROM {touchpoints}").types[0])
    order_ids = orders.column("user_id").type
    return touch_ids in _PACKABLE_IDS and pa.types.is_integer(order_ids) and order_ids != pa.uint64()


def _rankable(con: duckdb.DuckDBPyConnection, touchpoints: str, orders: pa.Table) -> bool:
    """Whether both logs' user ids are text (VARCHAR), which :func:`_ranked_events` numbers by their order."""
    touch_ids = str(con.sql(f"SELECT user_id FROM {touchpoints}").types[0])
    order_ids = orders.column("user_id").type
    return touch_ids == "VARCHAR" and (pa.types.is_string(order_ids) or pa.types.is_large_string(order_ids)
                                       or pa.types.is_string_view(order_ids))


def _packed_events(con: duckdb.DuckDBPyConnection, touchpoints: str, channels: pa.Array, orders: pa.Table,
                   n_touches: int) -> _Events:
    """The events sorted here as one int64 number each — (user − the least user) · 2^a + (time − the earliest)
    / unit · 2^b + key, unit the coarsest of 1 s, 1 ms, 1 µs in which all times are whole — when that fits 62 bits
    (else :func:`_sorted_events`): DuckDB only reads the touches, in parallel and unsorted, and one sort of
    integers (numpy's, vectorised) orders the events as DuckDB's sort by (user, time, key) would. Every order's key
    is the channel count: a user's orders at one instant are equal numbers, and the pass takes them in the order of
    their rows."""
    return _numbered_events(con, touchpoints, channels, orders, n_touches, ranked=False)


def _ranked_events(con: duckdb.DuckDBPyConnection, touchpoints: str, channels: pa.Array, orders: pa.Table,
                   n_touches: int) -> _Events:
    """Text user ids: as :func:`_packed_events`, each user numbered by the rank of its id among both logs' distinct
    ids in DuckDB's order — the very order DuckDB's sort of the events (:func:`_sorted_events`) and of the orders
    gives. DuckDB finds the distinct ids (a hash aggregate, parallel), sorts only those (one per user, not per
    event) and joins the touches to their rank (a hash join, parallel); the orders, already sorted, look theirs up
    here. A user's number maps back to its id through the sorted ids."""
    return _numbered_events(con, touchpoints, channels, orders, n_touches, ranked=True)


def _numbered_events(con: duckdb.DuckDBPyConnection, touchpoints: str, channels: pa.Array, orders: pa.Table,
                     n_touches: int, *, ranked: bool) -> _Events:
    """:func:`_packed_events` (``ranked`` False: the user's number is its integer id) or :func:`_ranked_events`
    (True: the rank of its text id)."""
    tag = uuid.uuid4().hex[:12]
    channel_codes = f"__jb_ch_{tag}"
    n_codes = len(channels)
    code_type = np.int8 if n_codes < 2**7 else np.int16 if n_codes < 2**15 else np.int32
    con.register(channel_codes, pa.table({"channel": channels, "code": np.arange(n_codes, dtype=code_type)}))
    try:
        if ranked:
            user_ranks, order_users = f"__jb_rk_{tag}", f"__jb_ou_{tag}"
            con.register(order_users, orders.select(["user_id"]))
            try:  # every id once, in the order of DuckDB's ORDER BY (the rank is the row), and whether it has orders
                ranked_ids = _arrow(con.sql(
                    f"SELECT user_id, bool_or(o) AS o FROM (SELECT user_id, FALSE AS o FROM {touchpoints} UNION ALL "
                    f"SELECT user_id, TRUE AS o FROM {order_users}) AS u WHERE user_id IS NOT NULL "
                    f"GROUP BY user_id ORDER BY user_id"))
            finally:
                con.unregister(order_users)
            ids = _one_piece(ranked_ids.column("user_id"))
            rank_type = np.int32 if len(ids) < 2**31 else np.int64
            con.register(user_ranks, pa.table({"user_id": ids, "r": np.arange(len(ids), dtype=rank_type)}))
            try:  # a touch of a NULL user gets a NULL rank, counted below
                touches = _arrow(con.sql(
                    f'SELECT u.r AS user_id, epoch_us(t."timestamp") AS at_us, c.code AS k FROM {touchpoints} t '
                    f'LEFT JOIN {user_ranks} u ON u.user_id = t.user_id '
                    f'LEFT JOIN {channel_codes} c ON c.channel = t.channel'), rows=max(n_touches, 1))
            finally:
                con.unregister(user_ranks)
            o_users = orders.column("user_id")
            if not o_users.null_count:  # the orders are sorted by user as the ids are: the k-th user with orders
                with_orders = np.flatnonzero(_one_piece(ranked_ids.column("o")).to_numpy(zero_copy_only=False))
                o_users = pa.chunked_array([with_orders[np.cumsum(_user_starts(_one_piece(o_users))) - 1]],
                                           pa.int64())
            del ranked_ids
        else:
            touches = _arrow(con.sql(f'SELECT t.user_id, epoch_us(t."timestamp") AS at_us, c.code AS k '
                                     f'FROM {touchpoints} t LEFT JOIN {channel_codes} c ON c.channel = t.channel'),
                             rows=max(n_touches, 1))
            o_users = orders.column("user_id")
    finally:
        con.unregister(channel_codes)
    t_users, t_at, t_keys = (touches.column(name) for name in ("user_id", "at_us", "k"))
    o_at = orders.column("at_us")
    _missing_cells(t_users.null_count + o_users.null_count, t_at.null_count + o_at.null_count, t_keys.null_count)
    n_t, n = len(t_at), len(t_at) + len(o_at)
    if n == 0:
        return _sorted_events(con, touchpoints, channels, orders, n_touches)
    id_type = np.result_type(*(column.type.to_pandas_dtype() for column in (t_users, o_users)))
    # the columns as numpy pieces, without copying
    users = [c.to_numpy() for column in (t_users, o_users) for c in column.chunks if len(c)]
    times = [c.to_numpy() for column in (t_at, o_at) for c in column.chunks if len(c)]
    keys = [c.to_numpy() for c in t_keys.chunks if len(c)]
    user_low, user_high = min(int(u.min()) for u in users), max(int(u.max()) for u in users)
    time_low, time_high = min(int(t.min()) for t in times), max(int(t.max()) for t in times)
    key_bits = max(n_codes, 1).bit_length()  # touches 0 … n_codes − 1, orders n_codes
    user_bits = (user_high - user_low).bit_length()
    scratch = np.empty(n, np.int64)  # one array of the events' length reused, not many made (page faults)
    unit = 1  # the coarsest unit that makes the number fit
    while user_bits + ((time_high - time_low) // unit).bit_length() + key_bits > 62:
        if unit == 1_000_000 or any(np.remainder(t, unit * 1_000, out=scratch[:len(t)]).any() for t in times):
            return _sorted_events(con, touchpoints, channels, orders, n_touches)
        unit *= 1_000
    time_bits = ((time_high - time_low) // unit).bit_length()
    user_shift = time_bits + key_bits
    number = np.empty(n, np.int64)
    for pieces, out in ((users, number), (times, scratch)):
        at = 0
        for piece in pieces:
            out[at:at + len(piece)] = piece
            at += len(piece)
    number -= user_low
    number <<= user_shift
    scratch -= time_low
    if unit > 1:
        scratch //= unit
    scratch <<= key_bits
    number |= scratch
    at = 0
    for piece in keys:
        number[at:at + len(piece)] |= piece
        at += len(piece)
    number[n_t:] |= n_codes
    del touches, users, times, keys, t_users, t_at, t_keys
    number.sort()
    user_start = np.ones(n, bool)
    np.bitwise_xor(number[1:], number[:-1], out=scratch[1:])
    np.greater_equal(scratch[1:], 1 << user_shift, out=user_start[1:])
    key = np.empty(n, np.int8 if key_bits < 8 else np.int16 if key_bits < 16 else np.int32)
    np.bitwise_and(number, (1 << key_bits) - 1, out=key, casting="unsafe")
    at_us = np.right_shift(number, key_bits, out=scratch)
    at_us &= (1 << time_bits) - 1
    if unit > 1:
        at_us *= unit
    at_us += time_low
    if ranked:
        return user_start, at_us, key, lambda rows: ids.take(pa.array((number[rows] >> user_shift) + user_low))
    return user_start, at_us, key, lambda rows: pa.array(((number[rows] >> user_shift) + user_low).astype(id_type))


@contextmanager
def _small_pages() -> Iterator[None]:
    """Arrays made meanwhile are not advised to the kernel as huge (2 MB) pages, as numpy does by default: on a
    busy machine faulting those in cost more system time than the whole pass over the arrays (measured at 10⁶
    users: 1–2 s of a 1.4–3.5 s build; 0.3 s without). The setting is numpy's own (its ``NUMPY_MADVISE_HUGEPAGE``),
    restored on exit."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage as advise
    except ImportError:  # numpy 1.x
        try:
            from numpy.core.multiarray import _set_madvise_hugepage as advise
        except ImportError:
            advise = None
    before = advise(False) if advise is not None else None
    try:
        yield
    finally:
        if advise is not None:
            advise(before)


def _user_starts(users: pa.Array) -> np.ndarray:
    """True where a row's user differs from the previous row's (the first row included)."""
    n = len(users)
    out = np.ones(n, bool)
    if n > 1:
        if pa.types.is_integer(users.type):
            u = users.to_numpy()
            np.not_equal(u[1:], u[:-1], out=out[1:])
        else:
            out[1:] = ~pc.equal(users.slice(1), users.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return out


def _paths_of(offsets: np.ndarray, codes: np.ndarray, channels: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Per journey the key of its path (journeys with the same channels in the same order share it) and the
    path text of each key. A path of up to :func:`_digits` channels is one integer, its channel codes + 1 as the
    digits of a number in base (channels + 1) — distinct paths, distinct numbers; longer paths are told apart
    by :func:`_long_paths`."""
    lengths = np.diff(offsets)
    base = len(channels) + 1
    fit = _digits(base)
    # each touch's digit, (code + 1) · base^min(position in its path, fit − 1), in two arrays of the touches' length
    m = len(codes)
    position = np.ones(m, np.int64)
    path_starts = offsets[:-1][lengths > 0]  # of the nonempty paths; a path's first touch resets the count to 0
    if len(path_starts):
        position[path_starts[0]] = 0
        position[path_starts[1:]] = 1 - np.diff(path_starts)
    np.cumsum(position, out=position)
    np.minimum(position, fit - 1, out=position)
    digits = np.empty(m + 1, np.int64)  # a last 0 for reduceat
    digits[m] = 0
    np.take(base ** np.arange(fit, dtype=np.int64), position, out=digits[:m], mode="clip")
    np.multiply(digits[:m], codes, out=position)
    digits[:m] += position
    del position
    number = np.add.reduceat(digits, offsets[:-1]) if len(lengths) else np.zeros(0, np.int64)
    number[lengths == 0] = 0  # reduceat gives an empty segment its next element
    long = np.flatnonzero(lengths > fit)
    if len(long):
        number[long] = -1 - _long_paths(offsets, codes, long)
    key, _ = pd.factorize(number)
    seen = np.maximum.accumulate(key)
    first = np.flatnonzero(key == np.concatenate([[-1], seen[:-1]]) + 1)  # each key's first journey
    rep_len = lengths[first]
    rep_offsets = np.zeros(len(first) + 1, np.int64)
    np.cumsum(rep_len, out=rep_offsets[1:])
    gather = np.repeat(offsets[first] - rep_offsets[:-1], rep_len) + np.arange(rep_offsets[-1])
    lists = pa.LargeListArray.from_arrays(pa.array(rep_offsets), channels.take(pa.array(codes[gather])))
    text = pc.binary_join(lists, PATH_SEPARATOR)
    return key, pc.if_else(pc.equal(text, ""), NO_TOUCH, text)


def _digits(base: int) -> int:
    """How many digits in ``base`` (≥ 1, each at most ``base − 1``) a non-negative int64 holds."""
    fit = 1
    while fit < 63 and base ** (fit + 1) - 1 < 2**63:
        fit += 1
    return fit


def _long_paths(offsets: np.ndarray, codes: np.ndarray, journeys: np.ndarray) -> np.ndarray:
    """Per journey of ``journeys`` a number naming its sequence of channel codes (equal sequences, equal numbers),
    grown one step at a time: after step ``s`` a journey's node names its first ``s + 1`` channels (the pair
    (node before, channel) factorised)."""
    lengths = offsets[journeys + 1] - offsets[journeys]
    node = np.zeros(len(journeys), np.int64)
    longest_first = np.argsort(-lengths, kind="stable")
    descending = -lengths[longest_first]
    n_codes = int(codes.max()) + 1 if len(codes) else 1
    for step in range(int(-descending[0])):
        active = longest_first[:np.searchsorted(descending, -step, side="left")]  # journeys longer than step
        node[active] = pd.factorize(node[active] * n_codes + codes[offsets[journeys[active]] + step])[0]
    return pd.factorize(lengths * (len(journeys) + 1) + node)[0]


def _one_piece(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array: its only chunk as it is (``combine_chunks`` would copy it)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _arrow(result, rows: int | None = None) -> pa.Table:
    """A DuckDB result as one Arrow table. A relation (``con.sql``) is collected into Arrow by DuckDB's threads
    in parallel, a query result (``con.execute``) by one thread (measured at 7.4·10⁶ sorted events: ~0.5 s less
    for the relation); ``rows``: how many it has, as the batch size, so a column comes in few pieces (``.arrow()``
    gives a reader from DuckDB 1.5, a table before)."""
    batch = max(int(rows), 1) if rows is not None else None
    if isinstance(result, duckdb.DuckDBPyRelation):
        fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
        return fetch(batch) if batch is not None else fetch()
    out = result.arrow() if batch is None else result.arrow(batch)
    return out.read_all() if isinstance(out, pa.RecordBatchReader) else out


def query(
    touchpoints: pd.DataFrame | str,
    conversions: pd.DataFrame | str,
    sql: Callable[[str, str], str],
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """The result of ``sql(touchpoints_view, conversions_view)`` — a query in DuckDB's dialect over
    the typed inputs (:func:`touchpoints_sql`, :func:`conversions_sql`) — e.g. :func:`time_decay_sql`."""
    with _Session(con, touchpoints, conversions) as (c, tp, cv, _):
        return c.execute(sql(tp, cv)).df()


def _partition_count(con: duckdb.DuckDBPyConnection, touchpoints: str, partitions: int | None) -> int:
    """``partitions`` checked (≥ 1), or :func:`auto_partitions` when None."""
    n = int(partitions) if partitions is not None else auto_partitions(con, touchpoints)
    if n < 1:
        raise InputError(message=Message("journeys.err.partitions", {"partitions": partitions}))
    return n


BYTES_PER_TOUCH = 120
"""DuckDB memory per touchpoint while building paths (measured: ~100 B at 10⁶–10⁷ touchpoints),
held by the per-journey touch lists that DuckDB cannot spill."""


def auto_partitions(con: duckdb.DuckDBPyConnection, touchpoints: str) -> int:
    """How many user groups keep path building within half of ``con``'s memory limit."""
    rows = con.execute(f"SELECT count(*) FROM {touchpoints}").fetchone()[0]
    limit = parse_size(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    return max(1, -(-rows * BYTES_PER_TOUCH // max(limit // 2, 1)))


_UNITS = {"": 1, "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text: str) -> int:
    """Bytes in a size such as ``8GB``, ``7.4 GiB`` or ``512 MiB`` (as DuckDB writes its settings)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        raise InputError(message=Message("journeys.err.size", {"text": text}))
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def aggregate_paths(journeys: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Journeys → aggregated paths (path, conversions, value, nulls, null_window = anchored), optionally
    per ``by`` columns."""
    keys = [*by, "path"]
    converted = journeys["converted"].astype(bool)
    frame = journeys.assign(
        conversions=converted.astype("int64"),
        value=journeys["value"].where(converted, 0.0).astype(float),
        nulls=(~converted).astype("int64"),
    )
    return (frame.groupby(keys, sort=True, dropna=False)[["conversions", "value", "nulls"]].sum()
            .reset_index().assign(**{NULL_WINDOW: ANCHORED}))


def check_lookback(lookback_days: int) -> None:
    """Raise ``ValueError`` unless ``lookback_days`` is a whole number ≥ 1."""
    if int(lookback_days) != lookback_days or lookback_days < 1:
        raise InputError(message=Message("journeys.err.lookback", {"lookback_days": lookback_days}))


class _Session:
    """Registers DataFrame inputs in a (possibly private) DuckDB connection, puts the typed views of
    :func:`touchpoints_sql` / :func:`conversions_sql` over both inputs, and yields
    ``(connection, touchpoints_view, conversions_view, tag)``; ``tag`` makes names unique per call."""

    def __init__(self, con, touchpoints, conversions):
        self.own = con is None
        self.con = duckdb.connect() if con is None else con
        if self.own:
            self.con.execute("SET enable_progress_bar = false")
        self.inputs = (touchpoints, conversions)
        self.tag = uuid.uuid4().hex[:12]
        self.created: list[tuple[str, str]] = []

    def __enter__(self):
        bases, columns, id_types = [], [], set()
        for label, source in zip(("tp", "cv"), self.inputs):
            base = source
            if isinstance(source, pd.DataFrame):
                base = f"__in_{label}_{self.tag}"
                self.con.register(base, duckdb_source(source))
                self.created.append(("VIEW", base))
            cols = dict(self.con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {base})").fetchall())
            id_types.add(cols["user_id"])
            bases.append(base)
            columns.append(cols)
        as_text = len(id_types) > 1
        tp, cv = f"__j_tp_{self.tag}", f"__j_cv_{self.tag}"
        self.con.execute(f"CREATE TEMP VIEW {tp} AS {touchpoints_sql(bases[0], ids_as_text=as_text)}")
        self.con.execute(f"CREATE TEMP VIEW {cv} AS {conversions_sql(bases[1], columns[1], ids_as_text=as_text)}")
        self.created += [("TEMP VIEW", tp), ("TEMP VIEW", cv)]
        return self.con, tp, cv, self.tag

    def __exit__(self, *exc):
        if self.own:
            self.con.close()
            return False
        for kind, name in reversed(self.created):
            if kind == "VIEW":
                self.con.unregister(name)
            else:
                self.con.execute(f"DROP VIEW IF EXISTS {name}")
        return False
