"""Journeys from touchpoints and conversions, as one DuckDB SQL definition.

Definition (the contract every engine must reproduce):

* A **converting journey** belongs to one conversion (order). Its touches are the same user's
  touches with ``prev < t ≤ conversion`` and ``conversion − t ≤ lookback_days``, where ``prev`` is
  the user's previous conversion (a touch at exactly a conversion's time counts for that
  conversion, not the next one). Conversions of one user at the same instant are ordered by
  ``order_id``; the later one gets no touches.
* A **non-converting journey** holds a user's touches after their last conversion (all touches for
  a user who never converted) within ``lookback_days`` of the user's last touch.
* Touches are ordered by time, ties by channel id. A conversion with no touch in its window keeps
  its row, with the path ``(none)`` (:data:`NO_TOUCH`), so credit always sums to what was sold.
* ``journey_id``: converting journeys first, by (conversion time, user, order), then the others by user.

The SQL runs straight over files or DataFrames and spills to disk when it outgrows memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

NO_TOUCH = "(none)"
PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Journeys:
    """``journeys``: one row per journey (journey_id, user_id, converted, conversion_ts, date, value,
    product_segment, is_new_customer, order_id, path, n_touches); ``touches``: one row per touch in
    a journey (journey_id, step (1-based), channel, timestamp)."""

    journeys: pd.DataFrame
    touches: pd.DataFrame


def journey_sql(touchpoints: str, conversions: str, lookback_days: int) -> str:
    """The SQL (DuckDB dialect) of the journey-touch table: journey_id, user_id, converted,
    conversion_ts, value, product_segment, is_new_customer, order_id, step, channel, timestamp.
    ``step`` is NULL for a conversion without touches. Inputs are table or view names."""
    days = int(lookback_days)
    return f"""
WITH conv AS (
    SELECT user_id, "timestamp" AS conversion_ts, value, product_segment, is_new_customer, order_id,
           lag("timestamp") OVER (PARTITION BY user_id ORDER BY "timestamp", order_id) AS prev_ts
    FROM {conversions}
),
conv_ids AS (
    SELECT *, row_number() OVER (ORDER BY conversion_ts, user_id, order_id) AS journey_id FROM conv
),
last_conv AS (
    SELECT user_id, max(conversion_ts) AS last_ts FROM conv GROUP BY user_id
),
matched AS (
    SELECT c.journey_id, t.channel, t."timestamp"
    FROM conv_ids c JOIN {touchpoints} t ON t.user_id = c.user_id
    WHERE t."timestamp" <= c.conversion_ts
      AND t."timestamp" >= c.conversion_ts - INTERVAL {days} DAY
      AND t."timestamp" > coalesce(c.prev_ts, TIMESTAMP '-infinity')
),
converting AS (
    SELECT c.journey_id, c.user_id, true AS converted, c.conversion_ts, c.value, c.product_segment,
           c.is_new_customer, c.order_id, m.channel, m."timestamp"
    FROM conv_ids c LEFT JOIN matched m ON m.journey_id = c.journey_id
),
after_last AS (
    SELECT t.user_id, t.channel, t."timestamp"
    FROM {touchpoints} t LEFT JOIN last_conv l ON t.user_id = l.user_id
    WHERE l.last_ts IS NULL OR t."timestamp" > l.last_ts
),
open_users AS (
    SELECT user_id, max("timestamp") AS end_ts FROM after_last GROUP BY user_id
),
open_ids AS (
    SELECT user_id, end_ts,
           (SELECT count(*) FROM conv) + row_number() OVER (ORDER BY user_id) AS journey_id
    FROM open_users
),
non_converting AS (
    SELECT o.journey_id, a.user_id, false AS converted, CAST(NULL AS TIMESTAMP) AS conversion_ts,
           CAST(0 AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS product_segment,
           CAST(NULL AS BOOLEAN) AS is_new_customer, CAST(NULL AS VARCHAR) AS order_id, a.channel, a."timestamp"
    FROM after_last a JOIN open_ids o ON a.user_id = o.user_id
    WHERE a."timestamp" >= o.end_ts - INTERVAL {days} DAY
),
all_touches AS (
    SELECT * FROM converting UNION ALL SELECT * FROM non_converting
)
SELECT journey_id, user_id, converted, conversion_ts, value, product_segment, is_new_customer, order_id,
       CASE WHEN channel IS NULL THEN NULL
            ELSE row_number() OVER (PARTITION BY journey_id ORDER BY "timestamp", channel) END AS step,
       channel, "timestamp"
FROM all_touches
"""


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
    _check_lookback(lookback_days)
    with _Session(con, touchpoints, conversions) as (c, tp, cv):
        c.execute(f"CREATE OR REPLACE TEMP TABLE __jt AS {journey_sql(tp, cv, lookback_days)}")
        journeys = c.execute(f"""
            SELECT journey_id, any_value(user_id) AS user_id, any_value(converted) AS converted,
                   any_value(conversion_ts) AS conversion_ts,
                   CAST(coalesce(any_value(conversion_ts), max("timestamp")) AS DATE) AS date,
                   any_value(value) AS value, any_value(product_segment) AS product_segment,
                   any_value(is_new_customer) AS is_new_customer, any_value(order_id) AS order_id,
                   {_path_expr()} AS path, count(step) AS n_touches
            FROM __jt GROUP BY journey_id ORDER BY journey_id
        """).df()
        touches = c.execute("""
            SELECT journey_id, CAST(step AS INTEGER) AS step, channel, "timestamp" FROM __jt
            WHERE step IS NOT NULL ORDER BY journey_id, step
        """).df()
        c.execute("DROP TABLE __jt")
    return Journeys(journeys, touches)


def build_paths(
    touchpoints: pd.DataFrame | str,
    conversions: pd.DataFrame | str,
    *,
    lookback_days: int = 30,
    by: tuple[str, ...] = (),
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Aggregated paths (path, conversions, value, nulls) straight from the inputs, without keeping
    journeys in memory. ``by`` may add ``date`` and/or ``product_segment`` (of the conversion;
    non-converting journeys have a NULL segment and their last touch's date)."""
    _check_lookback(lookback_days)
    unknown = set(by) - {"date", "product_segment"}
    if unknown:
        raise ValueError(f"build_paths(by=…): unknown columns {sorted(unknown)}; use date, product_segment")
    keys = "".join(f"{k}, " for k in by)
    with _Session(con, touchpoints, conversions) as (c, tp, cv):
        return c.execute(f"""
            WITH jt AS ({journey_sql(tp, cv, lookback_days)}),
            j AS (
                SELECT journey_id, any_value(converted) AS converted, any_value(value) AS value,
                       any_value(product_segment) AS product_segment,
                       CAST(coalesce(any_value(conversion_ts), max("timestamp")) AS DATE) AS date,
                       {_path_expr()} AS path
                FROM jt GROUP BY journey_id
            )
            SELECT {keys}path, CAST(count(*) FILTER (WHERE converted) AS BIGINT) AS conversions,
                   CAST(coalesce(sum(value) FILTER (WHERE converted), 0) AS DOUBLE) AS value,
                   CAST(count(*) FILTER (WHERE NOT converted) AS BIGINT) AS nulls
            FROM j GROUP BY ALL ORDER BY {keys}path
        """).df()


def aggregate_paths(journeys: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Journeys → aggregated paths (path, conversions, value, nulls), optionally per ``by`` columns."""
    keys = [*by, "path"]
    converted = journeys["converted"].astype(bool)
    frame = journeys.assign(
        conversions=converted.astype("int64"),
        value=journeys["value"].where(converted, 0.0).astype(float),
        nulls=(~converted).astype("int64"),
    )
    return (frame.groupby(keys, sort=True, dropna=False)[["conversions", "value", "nulls"]].sum()
            .reset_index())


def _path_expr() -> str:
    return (f"coalesce(string_agg(channel, '{PATH_SEPARATOR}' ORDER BY step) FILTER (WHERE step IS NOT NULL), "
            f"'{NO_TOUCH}')")


def _check_lookback(lookback_days: int) -> None:
    if int(lookback_days) != lookback_days or lookback_days < 1:
        raise ValueError(f"lookback_days must be a whole number of days ≥ 1, got {lookback_days!r}")


class _Session:
    """Registers DataFrame inputs in a (possibly private) DuckDB connection, with optional columns
    filled in, and yields ``(connection, touchpoints_name, conversions_name)``."""

    def __init__(self, con, touchpoints, conversions):
        self.own = con is None
        self.con = duckdb.connect() if con is None else con
        if self.own:
            self.con.execute("SET enable_progress_bar = false")
        self.inputs = (touchpoints, conversions)

    def __enter__(self):
        tp, cv = self.inputs
        names = []
        id_types = set()
        for label, source, optional in (
            ("tp", tp, {}),
            ("cv", cv, {"product_segment": "'existing'", "is_new_customer": "NULL::BOOLEAN",
                        "order_id": "NULL::VARCHAR"}),
        ):
            base = source
            if isinstance(source, pd.DataFrame):
                base = f"__in_{label}"
                self.con.register(base, source)
            cols = dict(self.con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {base})").fetchall())
            id_types.add(cols["user_id"])
            extra = "".join(f", {expr} AS {col}" for col, expr in optional.items() if col not in cols)
            names.append((base, extra))
        # ids of different types (integers in one file, text in the other) are compared as text
        as_text = " REPLACE (CAST(user_id AS VARCHAR) AS user_id)" if len(id_types) > 1 else ""
        views = []
        for label, (base, extra) in zip(("tp", "cv"), names):
            view = f"__j_{label}"
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT *{as_text}{extra} FROM {base}")
            views.append(view)
        return self.con, views[0], views[1]

    def __exit__(self, *exc):
        if self.own:
            self.con.close()
        return False
