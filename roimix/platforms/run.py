"""The platform settings of a ``roimix plan`` or ``roimix batch`` run: ratios learned from its spend history, the
settings of its finance tables' cells (or a campaign plan's days), the 投放设置 sheet added to the tables and the
per-platform CSVs written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from .limits import PlatformLimits
from .ratios import learn_ratios
from .settings import platform_settings, plan_rows
from .write import sheet_view, summary_lines, write_platform_csvs


def history_period_days(spend: pd.DataFrame) -> int:
    """7 when the spend history is weekly (dates at least a week apart), else 1."""
    dates = pd.Series(pd.to_datetime(spend["date"]).unique()).sort_values()
    gaps = dates.diff().dropna().dt.days
    return 7 if len(gaps) and gaps.min() >= 7 else 1


def read_history(spend: str | None) -> pd.DataFrame | None:
    """The spend history (SPEND contract) of a run, or None without one."""
    if spend is None:
        return None
    from roimix.tables.contracts import SPEND
    from roimix.tables.read import read_table

    return read_table(spend, SPEND, name=Path(str(spend)).name)


def channel_labels(channels: str | None, lang: str) -> dict | None:
    """Channel id → its name in ``lang`` from a channels table (None without one)."""
    if channels is None:
        return None
    from roimix.tables.contracts import CHANNELS
    from roimix.tables.read import read_table

    table = read_table(channels, CHANNELS, name=Path(str(channels)).name)
    col = f"label_{lang}"
    if col not in table.columns:
        return None
    return {str(c): str(v) for c, v in zip(table["channel"], table[col]) if isinstance(v, str) and v}


def with_platform_sheet(tables, curves: pd.DataFrame, history: pd.DataFrame | None,
                        limits: tuple[PlatformLimits, ...], lang: str, labels: dict | None = None, *,
                        rows: pd.DataFrame | None = None):
    """(``tables`` with the 投放设置 sheet, the settings table): the plan's rows (``rows``, or the tables' cells)
    with ratios of platform-reported to incremental GMV learned from ``history`` (the spend table, or None)."""
    period = history_period_days(history) if history is not None and len(history) else 1
    ratios = learn_ratios(history, curves, period_days=period)
    settings = platform_settings(plan_rows(tables) if rows is None else rows, ratios, limits)
    return replace(tables, platform=sheet_view(settings, limits, lang, labels)), settings


def settings_for_plan(tables, curves: pd.DataFrame, spend: str | None, limits: tuple[PlatformLimits, ...],
                      lang: str, *, folder: str | None = None, channels: str | None = None,
                      rows: pd.DataFrame | None = None):
    """(tables with the 投放设置 sheet, the settings table, lines to print, files written as (path, rows)).

    ``rows``: the plan's rows when they are not the tables' cells — a daily campaign plan's
    (:func:`.settings.daily_rows`, as ``roimix batch`` gives them); default :func:`.settings.plan_rows`."""
    labels = channel_labels(channels, lang)
    tables, settings = with_platform_sheet(tables, curves, read_history(spend), limits, lang, labels, rows=rows)
    written = write_platform_csvs(settings, folder, limits, lang, labels) if folder is not None else []
    return tables, settings, summary_lines(settings, limits, lang), written
