"""Ad platforms' limits as data: which channels each platform serves, its smallest daily budget per plan
(计划), how often a plan's ROI target may change in a day, the cool-down between budget edits, and the
platform's own zh names of the budget and ROI-target columns.

The defaults are roimix's (issue 18): they could not be checked against the platforms from where they were
written, and platforms change their rules; each says so in its ``source``. A shop overrides them with a
CSV in the ``platform_limits`` contract (``roimix plan --platform-limits FILE``): one row per platform, an
empty cell keeps the default, a new platform id adds a platform (it must name its channels).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from roimix.errors import UsageError
from roimix.messages import Message

UNVERIFIED = "roimix default (issue 18); not verified against the platform: check your account's current rules"


@dataclass(frozen=True)
class PlatformLimits:
    """One ad platform's limits. ``label_key``: the text key of its name (roimix's platforms); ``labels``:
    (zh, en) given in a limits file, used instead when set."""

    platform: str
    label_key: str
    channels: tuple[str, ...]
    min_daily_budget_cny: float
    max_target_edits_per_day: int
    budget_cooldown_minutes: int
    budget_column_zh: str
    roi_column_zh: str
    source: str = UNVERIFIED
    labels: tuple[str, str] | None = None

    def __post_init__(self):
        if not self.min_daily_budget_cny >= 0 or self.max_target_edits_per_day < 0 or self.budget_cooldown_minutes < 0:
            raise ValueError("platform limits must be ≥ 0")  # a programming mistake: files are checked by contract


DEFAULT_LIMITS = (
    PlatformLimits("alimama", "platforms.name.alimama", ("ztc", "wxt"), 30.0, 3, 15, "日限额", "目标投产比"),
    PlatformLimits("qianchuan", "platforms.name.qianchuan", ("qianchuan",), 50.0, 3, 15, "日预算", "支付ROI目标"),
    PlatformLimits("xiaohongshu", "platforms.name.xiaohongshu", ("xiaohongshu",), 50.0, 3, 15, "日预算", "目标ROI"),
)
"""roimix's defaults: 阿里妈妈 (直通车 ztc, 万相台 wxt), 巨量千川 (qianchuan; the 50 元 minimum is the issue's),
小红书聚光 (xiaohongshu). Not verified against the platforms: see each ``source``."""


def platform_of(limits: tuple[PlatformLimits, ...]) -> dict[str, PlatformLimits]:
    """Channel id → the platform that serves it (channels on no platform are absent)."""
    return {c: p for p in limits for c in p.channels}


def limits_from_frame(frame: pd.DataFrame, file: str,
                      defaults: tuple[PlatformLimits, ...] = DEFAULT_LIMITS) -> tuple[PlatformLimits, ...]:
    """The defaults with a limits table's rows laid over them (a typed table in the ``platform_limits``
    contract: :func:`read_limits` reads one). A new platform without channels, or a channel on two platforms,
    is a :class:`UsageError` naming ``file`` and the row (header = row 1)."""
    out = {p.platform: p for p in defaults}
    given = set()
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = {"file": file, "row": i + 2, "platform": row["platform"]}

        def cell(col):
            value = row.get(col)
            return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value

        channels = cell("channels")
        channels = tuple(c.strip() for c in str(channels).replace(",", ";").split(";") if c.strip()) \
            if channels is not None else None
        base = out.get(row["platform"])
        if base is None:
            if not channels:
                raise UsageError(message=Message("platforms.err.new_without_channels", where))
            base = PlatformLimits(row["platform"], "", channels, 0.0, 0, 0, "日预算", "目标ROI", source="")
        changes = {"channels": channels, "min_daily_budget_cny": cell("min_daily_budget"),
                   "max_target_edits_per_day": cell("max_target_edits_per_day"),
                   "budget_cooldown_minutes": cell("budget_cooldown_minutes"),
                   "budget_column_zh": cell("budget_column_zh"), "roi_column_zh": cell("roi_column_zh")}
        changes = {k: v for k, v in changes.items() if v is not None}
        for k in ("max_target_edits_per_day", "budget_cooldown_minutes"):
            if k in changes:
                changes[k] = int(changes[k])
        if "min_daily_budget_cny" in changes:
            changes["min_daily_budget_cny"] = float(changes["min_daily_budget_cny"])
        label_zh, label_en = cell("label_zh"), cell("label_en")
        if label_zh is not None or label_en is not None or not base.label_key:
            name = str(row["platform"])
            changes["labels"] = (label_zh or label_en or name, label_en or label_zh or name)
        changes["source"] = cell("source") or f"{file}, row {i + 2}"
        out[row["platform"]] = replace(base, **changes)
        given.add(row["platform"])
    seen: dict[str, str] = {}
    for p in out.values():
        for c in p.channels:
            if c in seen:
                raise UsageError(message=Message("platforms.err.channel_twice", {
                    "file": file, "channel": c, "first": seen[c], "second": p.platform}))
            seen[c] = p.platform
    return tuple(out.values())


def read_limits(path: str | Path, defaults: tuple[PlatformLimits, ...] = DEFAULT_LIMITS) -> tuple[PlatformLimits, ...]:
    """The platform limits of a CSV/Parquet file over ``defaults``; a bad cell is a :class:`TableError`
    naming the file, row and column (the ``platform_limits`` contract)."""
    from roimix.tables.contracts import PLATFORM_LIMITS
    from roimix.tables.read import read_table

    name = Path(path).name
    return limits_from_frame(read_table(path, PLATFORM_LIMITS, name=name), name, defaults)


def platform_label(p: PlatformLimits, lang: str) -> str:
    """The platform's name in ``lang``."""
    if p.labels is not None:
        return p.labels[0] if lang == "zh" else p.labels[1]
    from roimix.text import t

    return t(p.label_key, lang)
