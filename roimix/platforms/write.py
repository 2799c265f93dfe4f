"""The platform settings in the reader's language: the finance workbook's 投放设置 sheet (:func:`sheet_view`)
and one CSV per platform with the platform's own zh column names (:func:`write_platform_csvs`).

Money stays the settings' fen: the sheet's total row is the sum of its rows in whole fen (the plan's total),
each platform's CSV holds that platform's rows (no total row, so the file can be pasted into a bulk
edit); the CSVs together with the rows of channels on no platform make the plan. CSVs are UTF-8 with BOM
and every text cell is neutralised against formula injection (:mod:`roimix.export.safe`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from roimix.export.safe import safe_frame
from roimix.text import t, word

from .limits import UNVERIFIED, PlatformLimits, platform_label

SHEET_COLUMNS = ["date", "platform", "channel", "channel_label", "segment", "daily_budget", "incremental_gmv",
                 "incremental_roi", "platform_ratio", "target_roi", "min_daily_budget", "below_minimum",
                 "target_edits", "max_target_edits", "edits_over_limit", "cooldown_minutes", "notes", "source"]
TITLE_KEYS = {"daily_budget": "platforms.col.spend", "incremental_gmv": "platforms.col.expected_gmv"}
FORMATS = {"daily_budget": "money", "incremental_gmv": "money", "min_daily_budget": "money",
           "incremental_roi": "ratio", "platform_ratio": "ratio", "target_roi": "ratio", "date": "date",
           "target_edits": "int", "max_target_edits": "int", "cooldown_minutes": "int"}
"""Column id → the workbook's number format (:data:`roimix.export.workbook.NUMBER_FORMATS`)."""


def title(col: str, lang: str) -> str:
    """The header of a sheet column in ``lang``."""
    return t(TITLE_KEYS.get(col, f"platforms.col.{col}"), lang)


def _date(value, lang: str):
    return t("platforms.col.date_every_day", lang) if pd.isna(value) else pd.Timestamp(value)


def sheet_view(settings: pd.DataFrame, limits: tuple[PlatformLimits, ...], lang: str,
               channel_labels: dict | None = None) -> pd.DataFrame:
    """The 投放设置 sheet: one row per setting with column ids (:data:`SHEET_COLUMNS`, headers from
    :func:`title`), labels and notes worded in ``lang``, then a total row (合计) whose daily budget and GMV are
    the sums of the rows in whole fen."""
    by_id = {p.platform: p for p in limits}
    labels = channel_labels or {}
    out = pd.DataFrame({
        "date": [_date(d, lang) for d in settings["date"]],
        "platform": [platform_label(by_id[p], lang) if p else t("platforms.none", lang) for p in settings["platform"]],
        "channel": settings["channel"].astype(str).to_numpy(),
        "channel_label": [labels.get(c, "") for c in settings["channel"].astype(str)],
        "segment": [t(f"segment.{s}", lang) if s in ("new", "existing") else s for s in settings["segment"]],
        "daily_budget": settings["spend"].to_numpy(dtype=float),
        "incremental_gmv": settings["expected_gmv"].to_numpy(dtype=float),
        "incremental_roi": settings["incremental_roi"].round(4).to_numpy(),
        "platform_ratio": settings["platform_ratio"].round(4).to_numpy(),
        "target_roi": settings["target_roi"].to_numpy(),
        "min_daily_budget": settings["min_daily_budget"].to_numpy(),
        "below_minimum": settings["below_minimum"].to_numpy(dtype=bool),
        "target_edits": settings["target_edits"].to_numpy(),
        "max_target_edits": settings["max_target_edits"].to_numpy(),
        "edits_over_limit": settings["edits_over_limit"].to_numpy(dtype=bool),
        "cooldown_minutes": settings["cooldown_minutes"].to_numpy(),
        "notes": ["；".join(word(m, lang) for m in notes) if lang == "zh" else "; ".join(word(m, lang) for m in notes)
                  for notes in settings["notes"]],
        "source": [_source(by_id[p], lang) if p else "" for p in settings["platform"]],
    }, columns=SHEET_COLUMNS)
    if not len(out):
        return out
    if channel_labels is None:
        out = out.drop(columns=["channel_label"])
    total = {c: None for c in out.columns}
    total["date"] = t("campaign.total", lang)
    total["daily_budget"] = _fen_sum(out["daily_budget"]) / 100
    total["incremental_gmv"] = _fen_sum(out["incremental_gmv"]) / 100
    total["incremental_roi"] = round(total["incremental_gmv"] / total["daily_budget"], 4) \
        if total["daily_budget"] else None
    return pd.concat([out.astype(object), pd.DataFrame([total], dtype=object)], ignore_index=True)


def _source(p: PlatformLimits, lang: str) -> str:
    return t("platforms.source.default", lang) if p.source == UNVERIFIED else p.source


def _fen_sum(values) -> int:
    return int(np.round(np.asarray(values, dtype=float) * 100).astype(np.int64).sum())


def platform_frames(settings: pd.DataFrame, limits: tuple[PlatformLimits, ...], lang: str,
                    channel_labels: dict | None = None) -> dict[str, pd.DataFrame]:
    """Platform id → its rows with the platform's own zh names for the daily budget and the ROI target and the
    other columns in ``lang`` (dates as ``YYYY-MM-DD`` or 每天/every day)."""
    by_id = {p.platform: p for p in limits}
    labels = channel_labels or {}
    frames = {}
    for pid in dict.fromkeys(p for p in settings["platform"] if p):
        mine = settings[settings["platform"] == pid]
        p = by_id[pid]
        dates = [_date(d, lang) for d in mine["date"]]
        frame = pd.DataFrame({
            title("date", lang): [d.strftime("%Y-%m-%d") if isinstance(d, pd.Timestamp) else d for d in dates],
            title("channel", lang): mine["channel"].astype(str).to_numpy(),
            title("channel_label", lang): [labels.get(c, "") for c in mine["channel"].astype(str)],
            title("segment", lang): [t(f"segment.{s}", lang) if s in ("new", "existing") else s
                                     for s in mine["segment"]],
            p.budget_column_zh: [f"{v:.2f}" for v in mine["spend"]],
            p.roi_column_zh: ["" if not np.isfinite(v) else f"{v:.2f}" for v in mine["target_roi"]],
            title("below_minimum", lang): mine["below_minimum"].to_numpy(dtype=bool),
            title("edits_over_limit", lang): mine["edits_over_limit"].to_numpy(dtype=bool),
            title("notes", lang): [("；" if lang == "zh" else "; ").join(word(m, lang) for m in notes)
                                   for notes in mine["notes"]],
        })
        if channel_labels is None:
            frame = frame.drop(columns=[title("channel_label", lang)])
        frames[pid] = frame
    return frames


def write_platform_csvs(settings: pd.DataFrame, folder: str | Path, limits: tuple[PlatformLimits, ...], lang: str,
                        channel_labels: dict | None = None) -> list[tuple[Path, int]]:
    """One CSV per platform in ``folder`` (``<platform id>.csv``, UTF-8 with BOM, formula-safe); (path, rows)
    of each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for pid, frame in platform_frames(settings, limits, lang, channel_labels).items():
        path = folder / f"{pid}.csv"
        safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
        written.append((path, len(frame)))
    return written


def summary_lines(settings: pd.DataFrame, limits: tuple[PlatformLimits, ...], lang: str) -> list[str]:
    """A line per platform for the terminal: plans, their daily budgets in all, and what is flagged."""
    from roimix.text import money

    by_id = {p.platform: p for p in limits}
    lines = [t("platforms.summary.head", lang)]
    for pid in dict.fromkeys(p for p in settings["platform"] if p):
        mine = settings[settings["platform"] == pid]
        flags = ""
        below = int(mine["below_minimum"].sum())
        if below:
            flags += t("platforms.summary.below", lang, n=below)
        no_target = int((~np.isfinite(mine["target_roi"].to_numpy(dtype=float)) & (mine["spend"] > 0)).sum())
        if no_target:
            flags += t("platforms.summary.no_target", lang, n=no_target)
        lines.append(t("platforms.summary.line", lang, platform=platform_label(by_id[pid], lang), n=len(mine),
                       spend=money(_fen_sum(mine["spend"]) / 100, lang), flags=flags))
    return lines
