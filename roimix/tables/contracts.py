"""Table contracts: the columns of every input table, their types, ranges and keys, as data.

A contract is checked by :func:`roimix.tables.read.read_table`; the checks run as DuckDB SQL so
they work the same on a small DataFrame and on a Parquet file larger than memory.
Column kinds convert text first and check ranges second, so one bad cell never hides another.

Every table needs at least one data row. Money columns carry a stated ceiling (:class:`Column`
``ceiling``): an amount above it is reported like any other problem, since no shop spends 10¹⁰
yuan on one channel in a day or sells one order for 10⁸ — it is a unit or export error
(分 for 元, a date pasted into a money column, 1e300).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from roimix.messages import Message

from roimix.expected import expect

SEGMENTS = ("new", "existing")
"""Product segments: ``new`` products (the new-product spend cap applies) and ``existing`` ones."""

GROUPS = ("paid", "content", "KOL", "social", "organic")
FAMILIES = ("exp", "mm", "log", "power", "hill")

SPEND_CEILING_CNY = 1e10
"""Largest plausible spend, yuan: per channel, segment and day (spend, lift tests, curves' spend scale)."""
ORDER_CEILING_CNY = 1e8
"""Largest plausible value of one order, yuan (conversions; per conversion on a path)."""
GMV_CEILING_CNY = 1e11
"""Largest plausible GMV per channel, segment and day, yuan (curves' saturation level, lift-test uplift)."""

_TRUE = ("true", "t", "1", "yes", "y", "是")
_FALSE = ("false", "f", "0", "no", "n", "否")
_TS_FORMATS = "['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y-%m-%d %H:%M', '%Y%m%d %H:%M:%S', '%Y%m%d']"
_DATE_FORMATS = "['%Y/%m/%d', '%Y%m%d', '%Y-%m-%d %H:%M:%S']"


def _sql_list(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


@dataclass(frozen=True)
class Kind:
    """How a column's text becomes a typed value, and which typed values are allowed.

    ``convert`` and ``valid`` are SQL templates over ``{x}`` (the raw text) and ``{v}`` (the typed
    value). ``native`` lists DuckDB types that need no parsing (e.g. a Parquet TIMESTAMP column).
    """

    name: str
    sql_type: str
    convert: str
    expected: Message
    """what a cell should be (:func:`roimix.expected.expect`)"""
    valid: str | None = None
    native: tuple[str, ...] = ()
    keep_native: bool = False
    """Keep a native column's own type (ids: integer ids stay integers, which join faster)."""


TEXT = Kind("text", "VARCHAR", "NULLIF(trim({x}), '')", expect("text"))
ID = Kind("id", "VARCHAR", TEXT.convert, expect("id"), native=("BIGINT", "INTEGER", "UBIGINT", "VARCHAR"), keep_native=True)
NUMBER = Kind(
    "number", "DOUBLE", "TRY_CAST(trim({x}) AS DOUBLE)", expect("number"),
    valid="isfinite({v})", native=("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "DECIMAL", "HUGEINT", "SMALLINT"),
)
MONEY = Kind(
    "money", "DOUBLE", NUMBER.convert, expect("money"),
    valid="isfinite({v}) AND {v} >= 0", native=NUMBER.native,
)
POSITIVE = Kind(
    "positive", "DOUBLE", NUMBER.convert, expect("positive"),
    valid="isfinite({v}) AND {v} > 0", native=NUMBER.native,
)
SHARE = Kind(
    "share", "DOUBLE", NUMBER.convert, expect("share"),
    valid="{v} >= 0 AND {v} <= 1", native=NUMBER.native,
)
COUNT = Kind(
    "count", "BIGINT",
    "CASE WHEN TRY_CAST(trim({x}) AS DOUBLE) = floor(TRY_CAST(trim({x}) AS DOUBLE)) "
    "THEN TRY_CAST(TRY_CAST(trim({x}) AS DOUBLE) AS BIGINT) END",
    expect("count"), valid="{v} >= 0", native=("BIGINT", "INTEGER", "SMALLINT", "HUGEINT", "UBIGINT"),
)
TIMESTAMP = Kind(
    "timestamp", "TIMESTAMP",
    f"coalesce(TRY_CAST(trim({{x}}) AS TIMESTAMP), try_strptime(trim({{x}}), {_TS_FORMATS}))",
    expect("timestamp"), native=("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"),
)
DATE = Kind(
    "date", "DATE",
    f"coalesce(TRY_CAST(trim({{x}}) AS DATE), CAST(try_strptime(trim({{x}}), {_DATE_FORMATS}) AS DATE))",
    expect("date"), native=("DATE",),
)
BOOL = Kind(
    "bool", "BOOLEAN",
    f"CASE WHEN lower(trim({{x}})) IN {_sql_list(_TRUE)} THEN true "
    f"WHEN lower(trim({{x}})) IN {_sql_list(_FALSE)} THEN false END",
    expect("bool"), native=("BOOLEAN",),
)


def choice(*values: str, synonyms: dict[str, str] | None = None) -> Kind:
    """A text column restricted to ``values`` (case-insensitive), with optional synonyms."""
    mapping = {v.lower(): v for v in values} | {k.lower(): v for k, v in (synonyms or {}).items()}
    cases = " ".join(
        f"WHEN lower(trim({{x}})) = '{k}' THEN '{v}'" for k, v in mapping.items()
    )
    return Kind("choice", "VARCHAR", f"CASE {cases} END", expect("one_of", values=", ".join(values)))


SEGMENT = choice(*SEGMENTS, synonyms={"新品": "new", "老品": "existing", "old": "existing"})
GROUP = choice(*GROUPS, synonyms={"kol": "KOL", "付费": "paid", "内容": "content", "达人": "KOL",
                                  "社群": "social", "自然": "organic"})


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    default: str | None = None
    """SQL literal used when an optional column is absent (``None``: the column stays absent)."""
    aliases: tuple[str, ...] = ()
    example: str = ""
    description: str = ""
    ceiling: float | None = None
    """Largest plausible absolute value (money columns); a larger one is reported as a problem."""

    @property
    def ceiling_expected(self) -> Message:
        return expect("ceiling", ceiling=f"{self.ceiling:,.0f}")


@dataclass(frozen=True)
class RowRule:
    """A rule over several typed columns of a row. ``violated`` is SQL true for a bad row."""

    column: str
    violated: str
    expected: Message


@dataclass(frozen=True)
class TableContract:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    rules: tuple[RowRule, ...] = field(default_factory=tuple)
    description: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TOUCHPOINTS = TableContract(
    "touchpoints",
    (
        Column("user_id", ID, example="u000123", description="who was touched"),
        Column("timestamp", TIMESTAMP, example="2026-06-01 20:15:00", description="when (local time)"),
        Column("channel", TEXT, example="xiaohongshu", description="channel id (see the channels table)"),
        Column("campaign", TEXT, required=False, nullable=True, example="618"),
        Column("interaction", choice("click", "impression"), required=False, default="'click'",
               example="click"),
    ),
    description="one row per ad click or impression",
)

CONVERSIONS = TableContract(
    "conversions",
    (
        Column("user_id", ID, example="u000123"),
        Column("timestamp", TIMESTAMP, example="2026-06-03 21:40:00"),
        Column("value", MONEY, example="268.00", description="GMV of the order, yuan", ceiling=ORDER_CEILING_CNY),
        Column("order_id", TEXT, required=False, example="o0000042"),
        Column("is_new_customer", BOOL, required=False, nullable=True, example="true"),
        Column("product_segment", SEGMENT, required=False, default="'existing'", example="new"),
    ),
    key=("order_id",),
    description="one row per order",
)

PATHS = TableContract(
    "paths",
    (
        Column("path", TEXT, example="douyin_kol > brand_search", description="channels joined by ' > '"),
        Column("conversions", COUNT, aliases=("total_conversions",), example="3"),
        Column("value", MONEY, required=False, default="0", aliases=("total_conversion_value",),
               example="804.00"),
        Column("nulls", COUNT, required=False, default="0", aliases=("total_null",), example="17",
               description="journeys on this path that did not convert"),
        Column("null_window", choice("anchored", "full"), required=False, example="anchored",
               description="anchored: non-converting windows end at the user's last touch (roimix writes it); "
                           "absent: full windows"),
    ),
    rules=(
        RowRule("path", "regexp_matches({path}, '(^|>)\\s*(>|$)')", expect("path_steps")),
        RowRule("value", "{conversions} = 0 AND {value} > 0", expect("path_value")),
        RowRule("value", f"{{value}} > {ORDER_CEILING_CNY:.0f} * {{conversions}}",
                expect("ceiling_per_conversion", ceiling=f"{ORDER_CEILING_CNY:,.0f}")),
    ),
    description="journeys per path; a path may repeat (rows are summed), ChannelAttribution's column names are accepted",
)

SPEND = TableContract(
    "spend",
    (
        Column("date", DATE, example="2026-06-01"),
        Column("channel", TEXT, example="ztc"),
        Column("segment", SEGMENT, required=False, default="'existing'", example="existing"),
        Column("spend", MONEY, example="20310.55", description="yuan spent that day", ceiling=SPEND_CEILING_CNY),
        Column("clicks", COUNT, required=False, nullable=True, example="6770"),
        Column("new_customer_clicks", COUNT, required=False, nullable=True, example="1690"),
        Column("platform_gmv", MONEY, required=False, nullable=True, example="61200",
               description="GMV the platform's own report attributes to this spend (平台GMV): a weak, labelled prior",
               ceiling=GMV_CEILING_CNY),
    ),
    key=("date", "channel", "segment"),
    rules=(RowRule("new_customer_clicks", "{new_customer_clicks} > {clicks}", expect("le_clicks")),),
    description="one row per day, channel and product segment",
)

CHANNELS = TableContract(
    "channels",
    (
        Column("channel", TEXT, example="xiaohongshu"),
        Column("group", GROUP, example="content"),
        Column("key_platform", BOOL, required=False, default="false", example="false"),
        Column("label_zh", TEXT, required=False, nullable=True, example="小红书"),
        Column("label_en", TEXT, required=False, nullable=True, example="Xiaohongshu"),
    ),
    key=("channel",),
)

CURVES = TableContract(
    "curves",
    (
        Column("channel", TEXT, example="xiaohongshu"),
        Column("segment", SEGMENT, required=False, default="'existing'", example="existing"),
        Column("family", choice(*FAMILIES), example="exp"),
        Column("a", MONEY, example="87600", description="GMV per day at saturation (scale)", ceiling=GMV_CEILING_CNY),
        Column("b", NUMBER, required=False, nullable=True, example="25000", description="spend scale, yuan/day",
               ceiling=SPEND_CEILING_CNY),
        Column("s", NUMBER, required=False, nullable=True, example="", description="shape exponent"),
        Column("current_spend", MONEY, example="8000", ceiling=SPEND_CEILING_CNY),
        Column("cpc", POSITIVE, nullable=True, example="4.0",
               description="yuan per click (empty: unknown; the new-customer rules then cannot be checked)"),
        Column("new_customer_share", SHARE, nullable=True, example="0.5",
               description="share of clicks from new customers (empty: unknown)"),
        Column("group", GROUP, required=False, nullable=True, example="content"),
        Column("key_platform", BOOL, required=False, nullable=True, example="false"),
        Column("margin", SHARE, required=False, nullable=True, example="0.45"),
        Column("highest_spend", MONEY, required=False, nullable=True, example="14500",
               description="highest daily spend in the history the curve was fitted on (roimix fit writes it; a plan "
                           "above it is told so; empty: unknown)", ceiling=SPEND_CEILING_CNY),
    ),
    key=("channel", "segment"),
    rules=(
        RowRule("b", "{family} <> 'power' AND ({b} IS NULL OR {b} <= 0)", expect("curve_b")),
        RowRule("s", "{family} = 'power' AND ({s} IS NULL OR {s} <= 0 OR {s} >= 1)", expect("curve_s_power")),
        RowRule("s", "{family} = 'hill' AND ({s} IS NULL OR {s} <= 0)", expect("curve_s_hill")),
    ),
    description="one response curve per channel and segment: expected GMV per day as a function of spend per day",
)

LIFT_TESTS = TableContract(
    "lift_tests",
    (
        Column("channel", TEXT, example="douyin_kol"),
        Column("segment", SEGMENT, required=False, nullable=True, example="existing"),
        Column("start", DATE, example="2026-04-01"),
        Column("end", DATE, example="2026-04-14"),
        Column("spend", MONEY, example="12000", description="spend per day during the test", ceiling=SPEND_CEILING_CNY),
        Column("incremental_value", NUMBER, example="30500", description="measured incremental GMV per day",
               ceiling=GMV_CEILING_CNY),
        Column("standard_error", POSITIVE, example="4200"),
        Column("readout_start", DATE, required=False, nullable=True, example="2026-04-15",
               description="first day incremental_value was measured over (default: start)"),
        Column("readout_end", DATE, required=False, nullable=True, example="2026-04-28",
               description="last day it was measured over (default: end); days after end measure the carry-over "
                           "once the test's spend stopped"),
    ),
    rules=(RowRule("end", "{end} < {start}", expect("end_after_start")),
           RowRule("readout_start", "{readout_start} < {start}", expect("readout_start_after_start")),
           RowRule("readout_end", "{readout_end} < coalesce({readout_start}, {start})",
                   expect("readout_end_after_readout_start")),
           RowRule("readout_end", "{readout_start} IS NOT NULL AND {readout_end} IS NULL AND {readout_start} > {end}",
                   expect("readout_end_given"))),
)

OUTCOME = TableContract(
    "outcome",
    (
        Column("date", DATE, example="2026-06-01", description="a day, or the first day of a week"),
        Column("segment", SEGMENT, required=False, example="existing"),
        Column("value", MONEY, aliases=("gmv",), example="412800", description="total GMV of the day or week, yuan",
               ceiling=GMV_CEILING_CNY),
    ),
    key=("date", "segment"),
    description="the shop's total GMV per day or per week (aggregate mode: no journeys needed)",
)

CONTRACTS = {c.name: c for c in (TOUCHPOINTS, CONVERSIONS, PATHS, SPEND, CHANNELS, CURVES, LIFT_TESTS, OUTCOME)}

PLATFORM_LIMITS = TableContract(
    "platform_limits",
    (
        Column("platform", TEXT, example="qianchuan", description="platform id (roimix's: alimama, qianchuan, "
               "xiaohongshu) or a new one"),
        Column("channels", TEXT, required=False, nullable=True, example="qianchuan",
               description="channel ids the platform serves, separated by ';' (empty: roimix's default for the id)"),
        Column("min_daily_budget", MONEY, required=False, nullable=True, example="50",
               description="smallest daily budget a plan (计划) may have, yuan", ceiling=SPEND_CEILING_CNY),
        Column("max_target_edits_per_day", COUNT, required=False, nullable=True, example="3",
               description="most changes of the ROI target per plan and day"),
        Column("budget_cooldown_minutes", COUNT, required=False, nullable=True, example="15",
               description="minutes to wait between two edits of a plan's budget"),
        Column("budget_column_zh", TEXT, required=False, nullable=True, example="日预算",
               description="the platform's own name of the daily-budget column"),
        Column("roi_column_zh", TEXT, required=False, nullable=True, example="支付ROI目标",
               description="the platform's own name of the ROI-target column"),
        Column("label_zh", TEXT, required=False, nullable=True, example="巨量千川"),
        Column("label_en", TEXT, required=False, nullable=True, example="Qianchuan"),
        Column("source", TEXT, required=False, nullable=True, example="checked in the account, 2026-12-01",
               description="where these limits come from"),
    ),
    key=("platform",),
    description="one row per ad platform: limits that override roimix's defaults (roimix plan --platform-limits)",
)

CONTRACTS["platform_limits"] = PLATFORM_LIMITS
