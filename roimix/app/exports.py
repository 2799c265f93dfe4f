"""Plan downloads: the project's finance files (:mod:`roimix.export`), the same as ``roimix batch`` writes.

Money is rounded once to the fen with totals that add up; the workbook has the sheets summary,
plan (channel × product segment), daily (campaign plans), rules (with shadow prices in money) and
assumptions, headers in the reader's language; text cells are neutralised against formula injection.
The app adds what the plan was computed on: the data (sample or uploaded files), the curve source
and every setting of the what-if.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from roimix.text import percent, t

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
KINDS = ("csv", "xlsx", "json")


def assumptions(whatif, source: str, lang: str, names: dict[str, str] | None = None) -> tuple[tuple[str, str, str], ...]:
    """(item, value, source) of every setting the plan was computed with: the curves it used, the settings' rows as
    every face writes them (:func:`roimix.report.assumptions.settings_rows`) and each channel's bounds (channels by
    ``names``, their labels)."""
    from dataclasses import replace

    from roimix.report.assumptions import settings_rows

    from .whatif import settings_of

    names = names or {}
    page = t("optimizer.assume.from.page", lang)
    w = whatif
    # the what-if's own settings (its channel rules are written below, by channel label)
    settings = settings_of(replace(w, bounds=()), pd.DataFrame({"channel": []}))
    rows = [(t("app.export.curves", lang), t(f"app.cur.source.{source}", lang), t("app.page.curves", lang))]
    rows += settings_rows(settings, lang, lambda _name: page)
    for channel, lower, upper, locked in w.bounds:
        value = t("app.opt.col.locked", lang) if locked else \
            f"{lower:g}× – {'∞' if upper is None else f'{upper:g}×'}"
        rows.append((f"{t('app.opt.bounds', lang)}: {names.get(channel, channel)}", value, page))
    return tuple(rows)


def inputs(sources: dict[str, str], lang: str) -> tuple[tuple[str, str], ...]:
    """(table, where it came from) for the tables the plan rests on."""
    return tuple((name, t("app.data.sample", lang) if where == "sample" else where)
                 for name, where in sources.items() if where)


def rule_labels(rules, labels: dict[str, str], lang: str) -> dict[str, str]:
    """Every rule of a plan as the reader knows it (``bounds:wechat_group`` → 微信社群上下限, ``ROI floor`` → …)."""
    from .engine import rule_display

    out = {}
    for name in map(str, rules):
        try:
            out[name] = rule_display(name, lang, labels)
        except KeyError:  # a channel named with a "/" is no channel/segment pair: the whole name is the channel
            prefix, _, channel = name.partition(":")
            key = {"bounds": "app.rule.bounds", "lock": "app.rule.lock", "unfit": "app.rule.unfit"}.get(prefix)
            out[name] = t(key, lang, channel=labels.get(channel, channel)) if key and channel else name
    return out


def context(name: str, whatif, source: str, sources: dict[str, str], labels: dict[str, str], lang: str, *,
            campaign: str = "", extra: tuple[tuple[str, str, str], ...] = (), rules=()):
    from roimix.export import Context

    return Context(scenario=name, campaign=campaign, made_at=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                   made_by="roimix app", inputs=inputs(sources, lang),
                   assumptions=assumptions(whatif, source, lang, labels) + extra, channel_labels=dict(labels), lang=lang,
                   rule_labels=rule_labels(rules, labels, lang))


def with_platform(tables, platform, labels: dict[str, str], lang: str, rows=None):
    """``tables`` with the 投放设置 sheet, as ``roimix plan`` and ``roimix batch`` write it (roimix's default platform
    limits), when ``platform`` = (curves table, spend history or None) is given."""
    if platform is None:
        return tables
    from roimix.platforms.limits import DEFAULT_LIMITS
    from roimix.platforms.run import with_platform_sheet

    curves, history = platform
    return with_platform_sheet(tables, curves, history, DEFAULT_LIMITS, lang, labels, rows=rows)[0]


def plan_file(kind: str, result, whatif, source: str, sources: dict[str, str], labels: dict[str, str], lang: str,
              name: str, platform=None) -> bytes:
    """The finance file of a plan per channel × segment (``kind``: csv, xlsx or json); ``platform`` = (curves, spend
    history) adds the 投放设置 sheet and, when the plan puts cells above their highest day of spend in that history,
    the sheet naming them (xlsx, json)."""
    from roimix.export import finance_bytes, plan_tables
    from roimix.report.history_range import beyond_history, highest_daily_spend

    ctx = context(name, whatif, source, sources, labels, lang, rules=result.rules["rule"] if len(result.rules) else ())
    history = platform[1] if platform is not None else None
    beyond = beyond_history(result.plan, highest_daily_spend(history)) if history is not None else None
    tables = with_platform(plan_tables(result, ctx, budget_cny=whatif.budget, beyond_history=beyond), platform,
                           labels, lang)
    return finance_bytes(tables, kind)


def campaign_context(plan, name: str, whatif, source: str, sources: dict[str, str], labels: dict[str, str], lang: str,
                     campaign: str, settings: tuple[tuple[str, str, str], ...] = ()) -> Context:
    """:func:`context` of a daily campaign plan: its rules named, the page's settings as extra assumptions."""
    rules = plan.result.rules["rule"] if len(plan.result.rules) else ()
    return context(name, whatif, source, sources, labels, lang, campaign=campaign, extra=settings, rules=rules)


def campaign_file(kind: str, plan, flat, whatif, source: str, sources: dict[str, str], labels: dict[str, str],
                  lang: str, name: str, campaign: str, settings: tuple[tuple[str, str, str], ...] = (),
                  outcome=None, platform=None) -> bytes:
    """The finance file of a daily campaign plan (with the even-split plan for comparison and, with curve draws, the
    gain's P10–P90 over it on the draws the plan was not chosen on: ``outcome``), as the batch writes it; ``platform``
    = (curves, spend history) adds the 投放设置 sheet per channel × segment × day (xlsx, json)."""
    from roimix.export import campaign_tables, finance_bytes, with_beyond_history
    from roimix.platforms.settings import daily_rows
    from roimix.report.history_range import beyond_history, highest_daily_spend

    ctx = campaign_context(plan, name, whatif, source, sources, labels, lang, campaign, settings)
    tables = campaign_tables(plan, ctx, flat=flat, outcome=outcome)
    if platform is not None:
        tables = with_platform(tables, platform, labels, lang, rows=daily_rows(plan))
        if platform[1] is not None:  # the days above a cell's highest day of spend, as the page says
            tables = with_beyond_history(tables, beyond_history(daily_rows(plan), highest_daily_spend(platform[1])))
    return finance_bytes(tables, kind)


def replan_file(kind: str, again, first_remaining, original_file: str, whatif, source: str, sources: dict[str, str],
                labels: dict[str, str], lang: str, name: str, campaign: str,
                settings: tuple[tuple[str, str, str], ...] = (), history: pd.DataFrame | None = None) -> bytes:
    """The finance file of a re-planned rest of a campaign (:func:`optimizer.campaign.replan.replan`): the new plan
    as :func:`campaign_file` writes a plan, with the spend so far in the summary and the changes and binding rules
    sheets (:func:`roimix.report.replan.with_replan_sheets`, as ``roimix replan --out`` writes them); with the spend
    ``history``, the days above a cell's highest day there (as ``roimix replan`` lists them)."""
    from roimix.export import campaign_tables, finance_bytes, with_beyond_history
    from roimix.platforms.settings import daily_rows
    from roimix.report.history_range import beyond_history, highest_daily_spend
    from roimix.report.replan import with_replan_sheets

    plan = again.plan
    ctx = campaign_context(plan, name, whatif, source, sources, labels, lang, campaign, settings)
    tables = with_replan_sheets(campaign_tables(plan, ctx), again, first_remaining, "app", original_file, labels, lang)
    if history is not None:
        tables = with_beyond_history(tables, beyond_history(daily_rows(plan), highest_daily_spend(history)))
    return finance_bytes(tables, kind)


def plan_frame(file: bytes) -> pd.DataFrame:
    """The plan sheet of a downloaded workbook (for checks)."""
    import io

    return pd.read_excel(io.BytesIO(file), sheet_name=1)  # summary, plan, …: named in the report's language
