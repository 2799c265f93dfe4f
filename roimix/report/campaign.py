"""Campaign plans in words: the optimizer's explanations with money over the horizon, and a short summary.

The optimizer's messages speak of money a day; a campaign plan's money is over the whole horizon,
so each message key ``optimizer.X`` is read as ``campaign.X`` where that text exists. Rule names
are translated (``new-product cap [peak]`` → ``新品花费上限（爆发）``).
"""

from __future__ import annotations

import math
import re

from optimizer.campaign.calendar import REGULAR
from optimizer.campaign.planner import CampaignResult
from optimizer.campaign.rules import CHANGE
from optimizer.explain import Message
from roimix.report.plan import render
from roimix.report.plan import rule_label as optimizer_rule_label
from roimix.text import STRINGS, t

_IN_PHASE = re.compile(r"^(?P<rule>.+) \[(?P<phase>[^\]]+)\]$")


def phase_label(phase: str, lang: str = "en") -> str:
    key = f"campaign.phase.{phase}"
    return t(key, lang) if key in STRINGS else phase


def rule_label(name: str, lang: str = "en") -> str:
    """A campaign rule's name as a reader sees it."""
    match = _IN_PHASE.match(name)
    if match:
        return t("campaign.rule.in_phase", lang, rule=rule_label(match["rule"], lang),
                 phase=phase_label(match["phase"], lang))
    key = f"campaign.rule.{name}"
    return t(key, lang) if key in STRINGS else optimizer_rule_label(name, lang)


def plan_messages(plan: CampaignResult) -> tuple[Message, ...]:
    """:func:`campaign_messages` of a campaign plan, its money over its own days: the campaign's, or the remaining
    days' for a re-plan of the rest (``plan.spent_days``)."""
    return campaign_messages(plan.result.messages, remaining_days=len(plan.days) if plan.spent_days else None)


def campaign_messages(messages: tuple[Message, ...], *, remaining_days: int | None = None) -> tuple[Message, ...]:
    """The optimizer's messages with campaign wording (money over the horizon; the change limit in percent);
    ``remaining_days``: the binding rules' money is over that many remaining days (a re-plan), not the campaign."""
    out = []
    for m in messages:
        key, values = m.key, dict(m.values)
        if values.get("rule") == CHANGE and key == "optimizer.binding.linear":
            key, values["level_pct"] = "campaign.binding.change", values.pop("level_cny")
        elif values.get("rule") == CHANGE and key.startswith("optimizer.relax.linear_"):
            key = "campaign.relax.change"
            values["from_pct"], values["to_pct"] = values.pop("from_cny"), values.pop("to_cny")
        elif key.startswith("optimizer."):
            alt = "campaign." + key.removeprefix("optimizer.")
            key = alt if alt in STRINGS else key
        if remaining_days is not None and key.startswith("campaign.binding."):
            values["span_days"] = int(remaining_days)
        out.append(Message(key, values))
    return tuple(out)


def render_message(message: Message, lang: str = "en", names: dict[str, str] | None = None) -> str:
    """One campaign message as a sentence (rule names translated; ``names``: rule id → the reader's name for it,
    e.g. ``bounds:wechat_group`` → 微信社群上下限, where a caller knows the channels' labels)."""
    values = dict(message.values)
    if "rule" in values:
        rule = str(values["rule"])
        values["rule"] = (names or {}).get(rule) or rule_label(rule, lang)
    if "rules" in values:
        sep = "、" if lang == "zh" else ", "
        values["rules"] = sep.join(rule_label(r.strip(), lang) for r in str(values["rules"]).split(", "))
    for name in [k for k in values if k.endswith("_pct")]:
        values[name] = f"{float(values[name]):.3g}"
    if message.key.startswith("campaign.binding."):  # the money's span: the campaign or the days re-planned
        days = values.pop("span_days", None)
        values["span"] = t("campaign.span.campaign", lang) if days is None else \
            t("campaign.span.remaining", lang, days=days)
    return render(Message(message.key, values), lang)


def summary_lines(plan: CampaignResult, lang: str = "en", *, campaign: str = "", flat: CampaignResult | None = None
                  ) -> list[str]:
    """Status, money, the flat comparison, each phase, evidence, binding rules (or the conflict)."""
    days = plan.days
    status = t(f"optimizer.status.{plan.status}", lang)
    lines = [render(Message("campaign.summary.head", {
        "campaign": campaign or t("campaign.phase.regular", lang), "start": str(days["date"].min().date()),
        "end": str(days["date"].max().date()), "days": len(days), "status": status,
        "objective": t(f"optimizer.objective.{plan.result.objective}", lang)}), lang)]
    messages = plan_messages(plan)
    if not plan.solved:
        lines.append(t("campaign.summary.none", lang))
        lines += [("  - " if ".relax." in m.key else "") + render_message(m, lang) for m in messages]
        return lines
    lines.append(render(Message("campaign.summary.money", {
        "budget_cny": plan.budget_cny, "spend_cny": plan.spend_cny,
        "reserve_cny": plan.reserve_cny if math.isfinite(plan.reserve_cny) else 0.0,
        "gmv_cny": plan.gmv_cny, "plan_roi": plan.roi}), lang))
    if flat is not None and flat.solved:
        gain = plan.gmv_cny - flat.gmv_cny
        lines.append(render(Message("campaign.summary.flat", {
            "flat_gmv_cny": flat.gmv_cny, "gmv_cny": plan.gmv_cny, "uplift_cny": gain,
            "uplift_share": gain / flat.gmv_cny if flat.gmv_cny > 0 else float("nan")}), lang))
    multiplier = plan.daily.groupby("phase", sort=False)["multiplier"].mean()
    for row in plan.by_phase().itertuples(index=False):
        key = "campaign.summary.regular" if row.phase == REGULAR else "campaign.summary.phase"
        lines.append("  " + render(Message(key, {
            "phase": phase_label(row.phase, lang), "start": f"{row.start:%m-%d}", "end": f"{row.end:%m-%d}",
            "days": int(row.days), "multiplier": f"{multiplier[row.phase]:.2f}", "spend_cny": row.spend,
            "gmv_cny": row.expected_value}), lang))
    ev, tm = plan.result.evidence, plan.result.timings
    lines.append(render(Message("optimizer.summary.evidence", {
        "gap_cny": ev.optimality_gap_cny, "relative_gap": f"{ev.relative_gap:.1e}",
        "violation": f"{ev.max_violation:.1e}"}), lang))
    lines.append(render(Message("optimizer.summary.timing", {"first_s": tm.first_solve_s, "solver_s": tm.solver_s}),
                        lang))
    binding = [m for m in messages if ".binding." in m.key]
    lines.append(t("optimizer.summary.binding" if binding else "optimizer.summary.no_binding", lang))
    lines += ["  - " + render_message(m, lang) for m in binding]
    return lines
