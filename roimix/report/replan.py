"""A re-planned rest of a campaign in words and tables (``roimix replan``, the 投放执行 page).

What was spent, what is left, per channel the original plan's remaining spend against the new plan's, the
rules that bind now with their shadow prices, and what the re-plan assumed — money to the fen: the cells'
new spend add up to the plan's spend (the finance tables' total) and ``spent + re-planned + held back + left
unspent = the campaign's budget``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from roimix.messages import Message
from roimix.report.campaign import plan_messages, render_message, rule_label
from roimix.text import STRINGS, t, word

CHANGE_COLUMNS = ["channel", "segment", "before", "after", "change"]
BINDING_COLUMNS = ["rule", "level", "unit", "gain_per_unit", "gain_per_step", "explanation"]


def _fen(values, total: float | None = None) -> np.ndarray:
    from roimix.export.rounding import round_to_fen

    return round_to_fen(np.asarray(values, dtype=float), total)


def changes_table(changes: pd.DataFrame, plan_spend: float | None = None) -> pd.DataFrame:
    """Per (channel, segment): the original plan's spend on the remaining days (``before``; NaN when it has no
    such cell), the new plan's (``after``) and the change, in whole fen; ``after`` sums to ``plan_spend`` to the fen
    when given (the finance tables' spend)."""
    out = changes[["channel", "segment", "before", "after"]].copy().reset_index(drop=True)
    out["after"] = _fen(out["after"].clip(lower=0.0), None if plan_spend is None else round(plan_spend, 2)) \
        if len(out) else out["after"]
    known = out["before"].notna().to_numpy()
    before = np.full(len(out), np.nan)
    if known.any():
        before[known] = _fen(out.loc[known, "before"].clip(lower=0.0))
    out["before"] = before
    out["change"] = np.round(out["after"] - out["before"], 2)
    return out[CHANGE_COLUMNS]


def by_channel(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`changes_table` summed over segments (a channel with an unknown ``before`` keeps it unknown)."""
    grouped = table.groupby("channel", sort=False)
    out = grouped[["after"]].sum()
    out["before"] = grouped["before"].sum(min_count=1)
    out.loc[grouped["before"].apply(lambda s: s.isna().any()), "before"] = np.nan
    out["change"] = np.round(out["after"] - out["before"], 2)
    return out.reset_index()[["channel", "before", "after", "change"]]


def binding_messages(plan) -> list[Message]:
    """The optimizer's explanations of the rules binding the new plan (money over the remaining days)."""
    return [m for m in plan_messages(plan) if ".binding." in m.key] if plan.solved else []


def binding_table(binding: pd.DataFrame, plan, lang: str, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per binding rule, the most valuable first: its name as a reader knows it (``names``: rule id → name,
    where the caller knows the channels' labels), level and unit, the shadow price (yuan of GMV per unit of
    relaxation), the step and what one step is worth, and the sentence."""
    said = {}
    for m in binding_messages(plan):
        said.setdefault(str(m.values.get("rule", "")), render_message(m, lang, names))
    rows = []
    for r in binding.itertuples(index=False):
        unit = str(getattr(r, "unit", "") or "")
        rows.append({"rule": (names or {}).get(str(r.rule)) or rule_label(str(r.rule), lang), "level": float(r.level),
                     "unit": t(f"replan.unit.{unit}", lang) if f"replan.unit.{unit}" in STRINGS else unit,
                     "gain_per_unit": round(float(r.gain_per_unit), 2),
                     "gain_per_step": round(float(r.gain_per_step), 2), "explanation": said.get(str(r.rule), "")})
    return pd.DataFrame(rows, columns=BINDING_COLUMNS)


def note_lines(notes, lang: str) -> list[str]:
    return [word(n, lang) for n in notes]


def channel_name(channel: str, labels: dict) -> str:
    return labels.get(channel, channel)


def summary_lines(done, totals: dict, lang: str, labels: dict | None = None) -> list[str]:
    """The re-plan in words: the day it starts, spend so far, the budget left and how it splits, what the
    changes compare with, each channel's before → after, the binding rules and the notes. ``done``: a
    :class:`roimix.scenarios.replan.ScenarioReplan`; ``totals``: its finance tables' totals (to the fen)."""
    labels = labels or {}
    again, run = done.replan, done.run
    h = run.horizon
    lines = [t("replan.head", lang, name=run.spec.name, first=f"{done.first_remaining:%Y-%m-%d}", end=str(h.end),
               days=h.n_days)]
    spent = round(again.spent_cny, 2)
    lines.append(t("replan.spent", lang, spent=yuan(spent), days=done.spent_days))
    if not run.plan.solved:
        return lines
    budget = totals.get("budget")
    if budget is not None and math.isfinite(float(budget)):
        held = float(totals.get("reserve") or 0.0) + float(totals.get("unspent") or 0.0)
        lines.append(t("replan.remaining", lang, remaining=yuan(float(budget)), spend=yuan(totals["spend"]),
                       held=yuan(held)))
        lines.append(t("replan.adds_up", lang, spent=yuan(spent), spend=yuan(totals["spend"]), held=yuan(held),
                       total=yuan(round(spent + float(budget), 2))))
    lines.append(t(f"replan.compared.{done.original}", lang, file=done.original_file))
    lines.append(t("replan.by_channel", lang))
    for r in by_channel(changes_table(again.changes, totals["spend"])).itertuples(index=False):
        name = channel_name(str(r.channel), labels)
        if np.isnan(r.before):
            lines.append("  " + t("replan.channel_new", lang, channel=name, after=yuan(r.after)))
        else:
            lines.append("  " + t("replan.channel", lang, channel=name, before=yuan(r.before),
                                  after=yuan(r.after), change=_signed(r.change, lang)))
    binding = binding_messages(run.plan)
    lines.append(t("replan.binding" if binding else "replan.no_binding", lang))
    lines += ["  - " + render_message(m, lang) for m in binding]
    if done.notes:
        lines.append(t("replan.notes", lang))
        lines += ["  - " + line for line in note_lines(done.notes, lang)]
    return lines


def yuan(amount: float) -> str:
    """Yuan to the fen (``¥12,345.67``): what finance adds up."""
    return ("-" if amount < 0 else "") + f"¥{abs(float(amount)):,.2f}"


def _signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + yuan(abs(value))


def infeasible_lines(plan, lang: str) -> list[str]:
    """Why the rest has no feasible plan: the conflicting rules and the smallest relaxations, worded."""
    messages = plan_messages(plan)
    return [t("replan.infeasible", lang)] + [("  - " if ".relax." in m.key else "") + render_message(m, lang)
                                             for m in messages]


def with_replan_sheets(tables, again, first_remaining, original: str, original_file: str, labels: dict, lang: str):
    """Finance tables of the re-planned rest (:func:`roimix.export.campaign_tables` of ``again.plan``) with the
    first remaining day, the spend so far, what the changes compare with (``original``: ``scenario``, ``file`` or
    ``app``) and the campaign's budget at the head of the summary, and two sheets more: ``changes`` (per channel ×
    segment, before / after / change to the fen, after summing to the plan's spend) and ``binding`` (the rules
    that bind now, their shadow prices and sentences)."""
    from dataclasses import replace

    changes = changes_table(again.changes, tables.totals["spend"])
    view = pd.DataFrame({
        "channel": changes["channel"], "channel_label": [labels.get(c, c) for c in changes["channel"]],
        "segment": [t(f"segment.{s}", lang) if s in ("new", "existing") else s for s in changes["segment"]],
        "before": changes["before"], "after": changes["after"], "change": changes["change"]})
    head = [t(k, lang) for k in ("campaign.col.channel", "campaign.col.channel_label", "campaign.col.segment",
                                  "replan.col.before", "replan.col.after", "replan.col.change")]
    binding = binding_table(again.binding, again.plan, lang)
    spent = round(again.spent_cny, 2)
    rows = [("replan.from", t("replan.item.from", lang), f"{pd.Timestamp(first_remaining):%Y-%m-%d}", "text"),
            ("replan.spent", t("replan.item.spent", lang), spent, "money"),
            ("replan.original", t("replan.item.original", lang),
             t(f"replan.compared.{original}", lang, file=original_file), "text")]
    if tables.totals.get("budget") is not None and math.isfinite(float(tables.totals["budget"])):
        rows.append(("replan.campaign_budget", t("replan.item.campaign_budget", lang),
                     round(spent + float(tables.totals["budget"]), 2), "money"))
    summary = pd.concat([pd.DataFrame(rows, columns=["key", "item", "value", "format"]), tables.summary],
                        ignore_index=True)
    sheets = (("changes", view, tuple(head), {"before": "money", "after": "money", "change": "money"}),
              ("binding", binding, tuple(t(f"replan.col.{c}", lang) for c in binding.columns),
               {"level": "level", "gain_per_unit": "money", "gain_per_step": "money"}))
    return replace(tables, summary=summary, sheets=sheets)
