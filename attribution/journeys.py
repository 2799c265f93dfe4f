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
:mod:`attribution.spark` transpiles the very same text to Spark SQL with sqlglot.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from roimix.errors import InputError
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
        raise InputError(f"time_decay: half_life_days must be > 0, got {half_life_days!r}")
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
        raise InputError(f"build_paths(by=…): unknown columns {sorted(unknown)}; use date, product_segment")
    return tuple(by)


def _partial_paths_select(by: tuple[str, ...], source: str = "per_journey") -> str:
    keys = "".join(f"{k}, " for k in check_by(by))
    return f"""
SELECT {keys}path,
       CAST(sum(CASE WHEN converted THEN 1 ELSE 0 END) AS BIGINT) AS conversions,
       CAST(sum(CASE WHEN converted THEN CAST(floor(value * {VALUE_UNITS} + 0.5) AS BIGINT) ELSE 0 END)
            AS BIGINT) AS value_units,
       CAST(sum(CASE WHEN converted THEN 0 ELSE 1 END) AS BIGINT) AS nulls
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
           row_number() OVER (PARTITION BY user_id
                              ORDER BY "timestamp", order_id NULLS LAST, value, product_segment NULLS LAST,
                                       is_new_customer NULLS LAST) AS journey
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
    check_lookback(lookback_days)
    with _Session(con, touchpoints, conversions) as (c, tp, cv, tag):
        journeys = f"__jj_{tag}"
        try:
            c.execute(f"CREATE TEMP TABLE {journeys} AS {journeys_sql(tp, cv, lookback_days)}")
            out = c.execute(f"SELECT {', '.join(JOURNEY_COLUMNS)} FROM {journeys} ORDER BY journey_id").df()
            touches = c.execute(
                f"SELECT * FROM ({touches_sql(tp, cv, lookback_days, journeys)}) ORDER BY journey_id, step").df()
        finally:
            c.execute(f"DROP TABLE IF EXISTS {journeys}")
    return Journeys(out, touches)


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
    :mod:`attribution.engines`). DuckDB spills sorts, windows and joins, but not the per-journey
    touch lists; so users are split into ``partitions`` groups by a hash of their id, built one
    after another and summed (exactly: values in integer units). ``None`` picks the number from
    the touchpoint count and the connection's memory limit (:func:`auto_partitions`)."""
    check_lookback(lookback_days)
    check_by(by)
    with _Session(con, touchpoints, conversions) as (c, tp, cv, tag):
        n = _partition_count(c, tp, partitions)
        if n == 1:
            return c.execute(paths_sql(tp, cv, lookback_days, by)).df()
        partial = f"__jp_{tag}"
        try:
            for i in range(n):
                part = f"(SELECT * FROM {{}} WHERE hash(user_id) % {n} = {i})"
                sql = partial_paths_sql(part.format(tp), part.format(cv), lookback_days, by)
                c.execute(f"CREATE TEMP TABLE {partial} AS {sql}" if i == 0 else f"INSERT INTO {partial} {sql}")
            return c.execute(combine_paths_sql(partial, by)).df()
        finally:
            c.execute(f"DROP TABLE IF EXISTS {partial}")


@dataclass(frozen=True)
class JourneyViews:
    """What one build of the journeys gives (:func:`build_views`).

    ``paths``: as :func:`build_paths` with the same ``by``; ``gaps``: channel, gap_days, offset_days per
    converting journey and channel (from the channel's last touch in the journey to the order, in days and in
    calendar days), sorted; ``orders``: date, segment, value, conversions — the orders per day and product
    segment (value summed in integer 1/:data:`VALUE_UNITS` yuan), of the days ``orders_between`` covers."""

    paths: pd.DataFrame
    gaps: pd.DataFrame
    orders: pd.DataFrame


def journey_touches_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """One row per journey with its touches kept: user_id, journey, converted, conversion_ts, date, value,
    product_segment, path, touches (within the lookback, sorted by time and channel; a list of ``{t, c}``)."""
    return f"""
WITH {_journey_ctes(touchpoints, conversions, lookback_days, keep_touches=True)}
SELECT user_id, journey, converted, conversion_ts, date, value, product_segment, path, touches FROM per_journey"""


def gaps_sql(journeys: str) -> str:
    """channel, gap_days, offset_days per converting journey and channel of ``journeys`` (a table of
    :func:`journey_touches_sql`), unsorted: from the channel's last touch to the order."""
    return f"""
SELECT channel, CAST(date_diff('second', last_touch, conversion_ts) AS DOUBLE) / 86400 AS gap_days,
       date_diff('day', CAST(last_touch AS DATE), CAST(conversion_ts AS DATE)) AS offset_days
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
    source = (f'(SELECT "timestamp" AS conversion_ts, product_segment, value, TRUE AS converted '
              f"FROM {conversions}) AS o")
    return _combine_orders_sql(f"({_orders_partial_sql(source, orders_between)}) AS p")


def _combine_orders_sql(partial: str) -> str:
    return f"""
SELECT date, segment, CAST(sum(value_units) AS DOUBLE) / {VALUE_UNITS} AS value,
       CAST(sum(conversions) AS BIGINT) AS conversions
FROM {partial} GROUP BY date, segment ORDER BY date, segment"""


def gaps_from_logs_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """:attr:`JourneyViews.gaps` in one statement over the typed logs (for Spark, which builds it apart)."""
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
) -> JourneyViews:
    """Paths, touch-to-order gaps and orders per day from one build of the journeys (:class:`JourneyViews`):
    each group of users (``partitions``, as in :func:`build_paths`) is built once into a table with its
    touches, and the three are read off it. ``orders_between``: ``[start, stop)`` of the orders counted
    (None: all)."""
    check_lookback(lookback_days)
    check_by(by)
    with _Session(con, touchpoints, conversions) as (c, tp, cv, tag):
        n = _partition_count(c, tp, partitions)
        built, paths, gaps, orders = (f"__jv_{kind}_{tag}" for kind in ("built", "paths", "gaps", "orders"))
        try:
            for i in range(n):
                part = f"(SELECT * FROM {{}} WHERE hash(user_id) % {n} = {i})" if n > 1 else "{}"
                c.execute(f"CREATE OR REPLACE TEMP TABLE {built} AS "
                          f"{journey_touches_sql(part.format(tp), part.format(cv), lookback_days)}")
                for table, sql in ((paths, _partial_paths_select(by, built)), (gaps, gaps_sql(built)),
                                   (orders, _orders_partial_sql(built, orders_between))):
                    c.execute(f"CREATE TEMP TABLE {table} AS {sql}" if i == 0 else f"INSERT INTO {table} {sql}")
            c.execute(f"DROP TABLE {built}")
            return JourneyViews(
                c.execute(combine_paths_sql(paths, by)).df(),
                c.execute(f"SELECT * FROM {gaps} ORDER BY channel, gap_days, offset_days").df(),
                c.execute(_combine_orders_sql(orders)).df())
        finally:
            for table in (built, paths, gaps, orders):
                c.execute(f"DROP TABLE IF EXISTS {table}")


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
        raise InputError(f"partitions must be ≥ 1, got {partitions!r}")
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
        raise InputError(f"expected a size like 8GB or 512MiB, got {text!r}")
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
        raise InputError(f"lookback_days must be a whole number of days ≥ 1, got {lookback_days!r}")


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
