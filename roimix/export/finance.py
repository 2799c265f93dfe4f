"""Finance-ready tables of a plan: money to the fen with totals that add up, rules with shadow prices, provenance.

Spend and expected GMV are rounded once, at the finest rows (per channel, segment and day for a
daily plan), by largest remainder (:mod:`roimix.export.rounding`); every other figure is a sum of
those rounded rows in whole fen, so each total equals the sum of its rows exactly. Planned spend
totals the spendable budget exactly when the plan must spend it all (budget ``eq``), and never
exceeds it otherwise, so ``budget = spend + held back + left unspent`` to the fen as well: *held
back* is the reserve the rules keep out of the plan, *left unspent* what the objective chose not to
spend (profit, or a GMV target reached, under a budget of at most ``le``).

Tables keep machine column ids (``spend``, ``expected_gmv`` …); writers put each language's
headers on them (:data:`HEADERS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from optimizer.campaign import CHANGE, CampaignResult
from optimizer.explain import Message
from roimix.report.campaign import phase_label, plan_messages, render_message, rule_label
from roimix.report.campaign import summary_lines as campaign_summary
from roimix.report.plan import render
from roimix.report.plan import rule_label as plan_rule_label
from roimix.report.plan import summary_lines as plan_summary
from optimizer.result import PlanResult
from roimix.text import STRINGS, t

from .rounding import to_fen

HEADERS = {
    "item": "campaign.col.item", "value": "campaign.col.value", "source": "campaign.col.source",
    "date": "campaign.col.date", "day": "campaign.col.day", "phase": "campaign.col.phase",
    "channel": "campaign.col.channel", "channel_label": "campaign.col.channel_label",
    "segment": "campaign.col.segment", "spend": "campaign.col.spend", "expected_gmv": "campaign.col.expected_gmv",
    "roi": "campaign.col.roi", "spend_share": "campaign.col.share", "multiplier": "campaign.col.multiplier",
    "rule": "campaign.col.rule", "kind": "campaign.col.kind", "side": "campaign.col.side",
    "level": "campaign.col.level", "unit": "campaign.col.unit", "binding": "campaign.col.binding",
    "shadow_price": "campaign.col.shadow_price", "step": "campaign.col.step",
    "gain_per_step": "campaign.col.gain_per_step", "explanation": "campaign.col.explanation",
    "current_spend": "campaign.col.current_spend", "marginal_roi": "campaign.col.marginal_roi",
    "break_even_roi": "campaign.col.break_even_roi", "roi_minus_break_even": "campaign.col.roi_minus_break_even",
}
"""Column id → text key of its header."""
MONEY = ("spend", "expected_gmv", "current_spend", "shadow_price", "gain_per_step")
"""Columns in yuan (``shadow_price`` is yuan per unit of the rule's level)."""
PER_DAY = ("spend", "expected_gmv", "current_spend", "budget", "reserve", "unspent")
"""Money a plan per channel × segment gives per day (its headers and summary items say "/天", "per day")."""
SHARE_DECIMALS = 4
"""Spend shares are rounded to 0.01 % (a share is a ratio for reading, not money to add up)."""


def header(col: str, lang: str, *, per_day: bool = False) -> str:
    """The header of column ``col`` in ``lang`` (money a day when ``per_day``)."""
    if per_day and col in PER_DAY:
        return t(f"export.col.{col}_per_day", lang)
    return t(HEADERS[col], lang) if col in HEADERS else str(col)


def kind_label(kind: str, lang: str) -> str:
    key = f"export.kind.{kind}"
    return t(key, lang) if key in STRINGS else kind


def side_label(side: str, lang: str) -> str:
    key = f"export.side.{side}"
    return t(key, lang) if side and key in STRINGS else side


@dataclass(frozen=True)
class Context:
    """What a report says about where it came from; the caller supplies the time (no clock here)."""

    scenario: str
    campaign: str = ""
    made_at: str = ""
    made_by: str = ""
    inputs: tuple[tuple[str, str], ...] = ()
    """(name, description), e.g. ("spend", "data/sample/spend.csv (sha256 1a2b3c4d5e6f)")"""
    assumptions: tuple[tuple[str, str, str], ...] = ()
    """(item, value, source)"""
    channel_labels: dict = field(default_factory=dict)
    lang: str = "en"
    rule_labels: dict = field(default_factory=dict)
    """rule name → how the reader knows it (e.g. ``bounds:wechat_group`` → 微信社群上下限); default rules are
    translated without it"""


@dataclass(frozen=True)
class FinanceTables:
    """``summary`` (key, item, value, format), ``plan`` per channel × segment, ``daily`` per day (or None),
    ``rules``, ``assumptions`` (item, value, source) and ``totals`` (yuan, exact to the fen)."""

    summary: pd.DataFrame
    plan: pd.DataFrame
    daily: pd.DataFrame | None
    rules: pd.DataFrame
    assumptions: pd.DataFrame
    totals: dict
    lang: str = "en"
    messages: tuple[str, ...] = ()
    per_day: bool = False
    """Money is per day (a plan per channel × segment), not over the rows' days (a daily campaign plan)."""
    cells: pd.DataFrame | None = None
    """A plan per channel × segment only (:func:`plan_tables`): every column of the optimizer's plan with
    machine ids and values (``segment`` ``new``/``existing``, ``expected_value``), money from the same
    fen as ``plan`` — the data file ``roimix plan --out plan.csv`` writes."""
    platform: pd.DataFrame | None = None
    """The platform settings sheet (投放设置, :func:`roimix.platforms.write.sheet_view`), when the caller adds it
    (``dataclasses.replace``); written after the daily plan."""
    sheets: tuple = ()
    """More sheets a caller adds (``dataclasses.replace``), written after the daily plan (and the platform
    settings): each ``(name, frame, titles, formats)`` — the sheet's name in ``export.sheet.<name>``, its table,
    the column titles in the tables' language and column → number format (``money``, ``ratio`` …); the JSON
    holds each frame under its name, the CSV only the main table."""


# --- building -------------------------------------------------------------------------------------------


def campaign_tables(plan: CampaignResult, context: Context, *, flat: CampaignResult | None = None,
                    outcome=None) -> FinanceTables:
    """The finance tables of a daily campaign plan (``flat``: the same-every-day plan, for comparison;
    ``outcome``: the plan's gain over it across the curve draws, see :mod:`optimizer.campaign.outcome`)."""
    lang = context.lang
    daily = plan.daily.rename(columns={"expected_value": "expected_gmv"})
    horizon = f"{plan.days['date'].min():%Y-%m-%d} – {plan.days['date'].max():%Y-%m-%d} ({len(plan.days)})"
    extra = [("horizon", t("campaign.item.horizon", lang), horizon, "text")]
    if flat is not None and flat.solved:
        extra.append(("flat_gmv", t("campaign.item.flat_gmv", lang), round(flat.gmv_cny, 2), "money"))
    if outcome is not None:
        extra += [(f"gain_vs_flat_{q}", t(f"campaign.item.gain_vs_flat_{q}", lang), round(v, 2), "money")
                  for q, v in (("p10", outcome.uplift_p10_cny), ("p50", outcome.uplift_p50_cny),
                               ("p90", outcome.uplift_p90_cny))]
        extra.append(("prob_better_than_flat", t("campaign.item.prob_better_than_flat", lang),
                      outcome.prob_better_than_current, "share"))
    lines = tuple(campaign_summary(plan, lang, campaign=context.campaign, flat=flat))
    explain = _explainer(_relabelled(plan_messages(plan), context),
                         lambda m: render_message(m, lang))
    return _tables(plan.result, daily, True, plan.budget_cny, context, extra, lines, explain,
                   lambda name: context.rule_labels.get(name) or rule_label(name, lang))


def plan_tables(result: PlanResult, context: Context, *, budget_cny: float | None = None,
                lift_tests_to_run: pd.DataFrame | None = None,
                beyond_history: pd.DataFrame | None = None) -> FinanceTables:
    """The finance tables of a plan per channel × segment (no days): the ``roimix plan`` workbook.
    ``lift_tests_to_run`` (channel, segment, value_cny_per_day, rank; see
    :func:`optimizer.lift_value.lift_test_values`) adds one summary row per test, key ``lift_test.RANK``.
    ``beyond_history`` (channel, segment, planned_cny, highest_cny, ratio; see
    :func:`roimix.report.history_range.beyond_history`), when it has rows, adds its sheet: the cells planned above
    their highest day of spend."""
    return with_beyond_history(_plan_tables(result, context, budget_cny, lift_tests_to_run), beyond_history)


def with_beyond_history(tables: FinanceTables, beyond_history: pd.DataFrame | None) -> FinanceTables:
    """``tables`` with the ``beyond_history`` sheet (channel, segment, planned_cny, highest_cny, ratio: the cells a
    plan puts above their highest day of spend, :func:`roimix.report.history_range.beyond_history`; a campaign
    plan's by each cell's largest day) when it has rows; else ``tables`` as they are."""
    if beyond_history is None or not len(beyond_history):
        return tables
    frame = beyond_history[["channel", "segment", "planned_cny", "highest_cny", "ratio"]].reset_index(drop=True)
    titles = tuple(t(k, tables.lang) for k in ("campaign.col.channel", "campaign.col.segment", "export.col.planned_daily",
                                               "export.col.highest_daily", "export.col.beyond_ratio"))
    sheet = ("beyond_history", frame, titles, {"planned_cny": "money", "highest_cny": "money", "ratio": "ratio"})
    return replace(tables, sheets=tables.sheets + (sheet,))


def _plan_tables(result: PlanResult, context: Context, budget_cny: float | None,
                 lift_tests_to_run: pd.DataFrame | None) -> FinanceTables:
    lang = context.lang
    cells = result.plan.rename(columns={"expected_value": "expected_gmv"})
    explain = _explainer(_relabelled(result.messages, context), lambda m: render(m, lang))
    extra = [] if lift_tests_to_run is None else [
        (f"lift_test.{r.rank}", t("export.item.lift_test", lang, rank=r.rank, cell=f"{r.channel}/{r.segment}"),
         float(r.value_cny_per_day), "money") for r in lift_tests_to_run.itertuples()]
    budget_cny = budget_cny if budget_cny is not None else result.budget_cny  # the plan's own scenario's
    tables = _tables(result, cells, False, budget_cny if budget_cny is not None else np.nan, context, extra,
                     tuple(plan_summary_lines(result, lang)), explain,
                     lambda name: context.rule_labels.get(name) or plan_rule_label(name, lang))
    if lift_tests_to_run is None:
        return tables
    # the same tests as a table: which cell each is (machine ids in the JSON), for a reader or a script to act on
    tests = lift_tests_to_run[["rank", "channel", "segment", "value_cny_per_day"]].reset_index(drop=True)
    titles = tuple(t(k, lang) for k in ("export.col.lift_rank", "campaign.col.channel", "campaign.col.segment",
                                         "export.col.lift_value"))
    sheet = ("lift_tests", tests, titles, {"rank": "int", "value_cny_per_day": "money"})
    return replace(tables, sheets=tables.sheets + (sheet,))


def _relabelled(messages, context: Context) -> tuple[Message, ...]:
    """Messages whose ``rule`` is shown as the reader knows it (kept as the key of the explanation)."""
    if not context.rule_labels:
        return tuple(messages)
    return tuple(Message(m.key, {**m.values, "rule_shown": context.rule_labels.get(m.values.get("rule"), "")})
                 for m in messages)


def plan_summary_lines(result: PlanResult, lang: str = "en") -> list[str]:
    """:func:`roimix.report.plan.summary_lines` with the unspent budget told apart: the reserve held back by the
    rules (``--reserve``) and the budget the objective left unspent (profit, min-spend), each on its
    own line and only when there is some."""
    lines = plan_summary(result, lang)
    split = budget_split(result)
    if split is None:
        return lines
    budget, held, unspent = split
    tot = result.totals
    together = render(Message("optimizer.summary.reserve", {"reserve_cny": tot.reserve_cny}), lang)
    if together not in lines:
        return lines
    small = max(1.0, 1e-6 * tot.spend_cny)
    apart = []
    if held > small:
        apart.append(render(Message("optimizer.summary.held_back", {
            "reserve_cny": held, "reserve_share": held / budget if budget > 0 else float("nan")}), lang))
    if unspent > small:
        apart.append(render(Message("optimizer.summary.unspent", {"unspent_cny": unspent}), lang))
    at = lines.index(together)
    return lines[:at] + apart + lines[at + 1:]


def budget_split(result: PlanResult) -> tuple[float, float, float] | None:
    """(budget, held back, left unspent) in yuan of a solved plan with a budget; else None.

    The budget rule's level is the spendable budget ``B·(1 − reserve)``; the optimizer's
    ``totals.reserve_cny`` is everything not spent, ``B − spend``."""
    level, _ = _budget_rule(result)
    tot = result.totals
    if level is None or tot is None or not np.isfinite(tot.reserve_cny):
        return None
    budget = tot.spend_cny + tot.reserve_cny
    return budget, budget - level, max(level - tot.spend_cny, 0.0)


def _explainer(messages: tuple[Message, ...], say: Callable[[Message], str]) -> dict[str, str]:
    def shown(m: Message) -> Message:
        values = dict(m.values)
        label = values.pop("rule_shown", "")
        if label:
            values["rule"] = label  # a label that is no rule key renders as itself
        return Message(m.key, values)

    return {m.values["rule"]: say(shown(m)) for m in messages if ".binding." in m.key and "rule" in m.values}


def _tables(result: PlanResult, finest: pd.DataFrame, by_day: bool, budget: float, context: Context, extra: list,
            lines: tuple[str, ...], explain: dict[str, str], label: Callable[[str], str]) -> FinanceTables:
    """``finest``: the rows money is rounded on (per cell and day when ``by_day``, else per cell)."""
    lang = context.lang
    level, sense = _budget_rule(result)
    if result.solved and len(finest):
        spend_fen = _spend_fen(finest["spend"].to_numpy(), level, sense)
        gmv_fen = to_fen(finest["expected_gmv"].to_numpy())
    else:
        finest, spend_fen, gmv_fen = finest.iloc[:0], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = finest.assign(spend_fen=spend_fen, gmv_fen=gmv_fen)
    per_cell = not by_day and "current_spend" in base.columns  # a plan per cell: today's spend and marginal ROI
    sums = ["spend_fen", "gmv_fen"]
    if per_cell:
        base["current_fen"] = to_fen(base["current_spend"].to_numpy()) if len(base) else np.zeros(0, dtype=np.int64)
        sums.append("current_fen")
    groups = base.groupby(["channel", "segment"], sort=False, as_index=False)
    by_cell = groups[sums].sum()
    if per_cell and "marginal_roi" in base.columns:
        by_cell["marginal_roi"] = groups["marginal_roi"].first()["marginal_roi"].to_numpy()
    if per_cell and "margin" in base.columns:  # 保本投产比 of each cell (its margin is net of returns)
        margin = groups["margin"].first()["margin"].to_numpy(dtype=float)
        with np.errstate(divide="ignore"):
            by_cell["break_even_roi"] = np.where(margin > 0, 1.0 / margin, np.inf)
    total_spend, total_gmv = int(base["spend_fen"].sum()), int(base["gmv_fen"].sum())
    plan = _money_view(by_cell, total_spend, context,
                       after=tuple(c for c in ("marginal_roi", "break_even_roi") if c in by_cell.columns))
    if "break_even_roi" in plan.columns:  # ROAS points above (+) or below (−) break-even: does the cell pay?
        plan["roi_minus_break_even"] = (plan["roi"] - plan["break_even_roi"]).round(4)
    daily_view = None
    if by_day:
        daily_view = _money_view(base, total_spend, context, keep=("date", "day", "phase"), after=("multiplier",))
        daily_view = daily_view.drop(columns=["spend_share", "roi"])
        daily_view["phase"] = [phase_label(p, lang) for p in daily_view["phase"]]
    totals = {"spend": total_spend / 100, "expected_gmv": total_gmv / 100}
    if per_cell:
        totals["current_spend"] = int(base["current_fen"].sum()) / 100
    if np.isfinite(budget):
        budget_fen = int(round(budget * 100))
        # held back = the reserve the rules keep out; left unspent = what the objective chose not to spend
        unspent_fen = 0 if level is None or not result.solved else max(int(round(level * 100)) - total_spend, 0)
        totals["budget"] = budget_fen / 100
        totals["reserve"] = (budget_fen - total_spend - unspent_fen) / 100
        totals["unspent"] = unspent_fen / 100
    summary = _summary(result, totals, context, extra, lines)
    cells = _cells(result, base) if per_cell else None
    return FinanceTables(summary, plan, daily_view, _rules(result, explain, label, lang),
                         pd.DataFrame(list(context.assumptions), columns=["item", "value", "source"]), totals, lang,
                         lines, per_cell, cells)


def _budget_rule(result: PlanResult) -> tuple[float | None, str | None]:
    """(spendable budget, sense) of the plan's budget rule, or (None, None) without one."""
    budget = result.rules[result.rules["kind"] == "budget"] if len(result.rules) else result.rules
    if not len(budget):
        return None, None
    return float(budget["level"].iloc[0]), str(budget["sense"].iloc[0])


SOLVER_RESIDUE_SHARE = 1e-6
"""A cell's spend below this share of the plan's total spend is the interior-point solver's approach to a bound at
0, not a budget (¥0.01 days on a ¥316,667 campaign): it is written as ¥0 and the largest row takes it, so the
total stays the plan's. A platform would otherwise be told to run a ¥0.01 daily budget, and flag it
as below its minimum."""


def _spend_fen(spend: np.ndarray, level: float | None, sense: str | None) -> np.ndarray:
    """Spend in fen: totalling the spendable budget exactly when it must all be spent (``eq``), and at most
    it when it is a limit (``le``: a solver tolerance over the limit is absorbed by the rounding); a spend under
    :data:`SOLVER_RESIDUE_SHARE` of the total is ¥0."""
    spend = np.asarray(spend, dtype=float).copy()
    residue = (spend > 0) & (spend < SOLVER_RESIDUE_SHARE * float(spend.sum()))
    if residue.any() and not residue.all():
        spend[np.argmax(spend)] += spend[residue].sum()  # the largest row takes it: the total is the plan's
        spend[residue] = 0.0
    try:
        if sense == "eq":
            return to_fen(spend, level)
        fen = to_fen(spend)
        if sense == "le" and int(fen.sum()) > int(round(level * 100)):
            return to_fen(spend, level)
        return fen
    except ValueError:  # the solver left the budget further off than rounding can absorb
        return to_fen(spend)


def _cells(result: PlanResult, base: pd.DataFrame) -> pd.DataFrame:
    """Every column of the optimizer's plan, machine ids, money from the rounded fen (so it agrees with ``plan``)."""
    src = result.plan.iloc[:0] if not len(base) else result.plan
    spend, current, gmv = (base[c].to_numpy(dtype=np.int64) for c in ("spend_fen", "current_fen", "gmv_fen"))
    current_value = to_fen(src["current_value"].to_numpy()) if len(src) else np.zeros(0, dtype=np.int64)
    out = src[["channel", "segment"]].reset_index(drop=True)
    out["current_spend"] = current / 100
    out["spend"] = spend / 100
    out["change"] = (spend - current) / 100
    out["current_value"] = current_value / 100
    out["expected_value"] = gmv / 100
    out["current_roi"] = _ratio(current_value, current)
    out["roi"] = _ratio(gmv, spend)
    for col in ("current_marginal_roi", "marginal_roi"):
        out[col] = src[col].replace([np.inf, -np.inf], np.nan).round(4).to_numpy()
    for col in ("clicks", "new_customer_clicks"):
        out[col] = src[col].round(1).to_numpy()
    for col in ("margin", "family", "s_shaped", "group", "key_platform"):
        if col in src.columns:
            out[col] = src[col].to_numpy()
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.full(len(den), np.nan), where=den > 0).round(4)


def _money_view(frame: pd.DataFrame, total_spend_fen: int, context: Context, keep: tuple[str, ...] = (),
                after: tuple[str, ...] = ()) -> pd.DataFrame:
    cols = [c for c in keep if c in frame.columns] + ["channel"]
    out = frame[cols].copy()
    if context.channel_labels:
        out["channel_label"] = [context.channel_labels.get(str(c), "") for c in frame["channel"]]
    out["segment"] = [t(f"segment.{s}", context.lang) if s in ("new", "existing") else s for s in frame["segment"]]
    if "current_fen" in frame.columns:
        out["current_spend"] = frame["current_fen"].to_numpy() / 100
    out["spend"] = frame["spend_fen"].to_numpy() / 100
    out["expected_gmv"] = frame["gmv_fen"].to_numpy() / 100
    spend, gmv = frame["spend_fen"].to_numpy(dtype=float), frame["gmv_fen"].to_numpy(dtype=float)
    out["roi"] = _ratio(gmv, spend)
    out["spend_share"] = (spend / total_spend_fen).round(SHARE_DECIMALS) if total_spend_fen else np.nan
    for col in after:
        values = frame[col].to_numpy()
        out[col] = _finite_ratio(values) if col in ("marginal_roi", "break_even_roi") else values
    return out.reset_index(drop=True)


def _finite_ratio(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan).round(4)


def _summary(result: PlanResult, totals: dict, context: Context, extra: list, lines: tuple[str, ...]) -> pd.DataFrame:
    lang, ev, tm = context.lang, result.evidence, result.timings
    per_day = "current_spend" in totals  # a plan per cell: its money is per day

    def item(key: str) -> str:
        return t(f"export.item.{key}_per_day", lang) if per_day and f"export.item.{key}_per_day" in STRINGS \
            else t(f"campaign.item.{key}", lang)

    rows = [("scenario", item("scenario"), context.scenario, "text")]
    if context.campaign:
        rows.append(("campaign", item("campaign"), context.campaign, "text"))
    rows += extra
    rows += [
        ("objective", item("objective"), t(f"optimizer.objective.{result.objective}", lang), "text"),
        ("status", item("status"), t(f"optimizer.status.{result.status}", lang), "text"),
    ]
    if "budget" in totals:
        rows.append(("budget", item("budget"), totals["budget"], "money"))
    rows.append(("spend", item("spend"), totals["spend"], "money"))
    if "reserve" in totals:
        rows.append(("reserve", item("reserve"), totals["reserve"], "money"))
    if "unspent" in totals:
        rows.append(("unspent", t("export.item.unspent_per_day" if per_day else "optimizer.item.unspent", lang),
                     totals["unspent"], "money"))
    rows.append(("expected_gmv", item("gmv"), totals["expected_gmv"], "money"))
    roi = totals["expected_gmv"] / totals["spend"] if totals["spend"] > 0 else np.nan
    rows.append(("roi", item("roi"), roi, "ratio"))
    spread = getattr(result, "outcome", None)
    if spread is not None:  # the plan's uplift over the curve draws (keys nested as uplift_per_day in JSON)
        rows += [
            ("uplift_p10", t("export.item.uplift_p10_per_day", lang), spread.uplift_p10_cny, "money"),
            ("uplift_p50", t("export.item.uplift_p50_per_day", lang), spread.uplift_p50_cny, "money"),
            ("uplift_p90", t("export.item.uplift_p90_per_day", lang), spread.uplift_p90_cny, "money"),
            ("prob_better_than_current", t("export.item.prob_better_than_current", lang),
             spread.prob_better_than_current, "share"),
            ("prob_above_break_even", t("export.item.prob_above_break_even", lang), spread.prob_above_break_even,
             "share"),
            ("break_even_roi", t("export.item.break_even_roi", lang), spread.break_even_roi, "ratio"),
            ("risk", t("export.item.risk", lang), result.risk, "text"),
        ]
    rows += [
        ("optimality_gap", item("optimality_gap"), ev.optimality_gap_cny, "money"),
        ("relative_gap", item("relative_gap"), ev.relative_gap, "scientific"),
        ("duality_gap", item("duality_gap"), ev.duality_gap_cny, "money"),
        ("residuals", item("residuals"), f"{ev.primal_residual:.1e} / {ev.dual_residual:.1e}", "text"),
        ("solver", item("solver"), f"{ev.solver} ({ev.solver_status}, {ev.iterations})", "text"),
        ("solve_time", item("solve_time"), tm.first_solve_s, "seconds"),
        ("made_at", item("made_at"), context.made_at, "text"),
        ("made_by", item("made_by"), context.made_by, "text"),
    ]
    rows += [(f"input.{name}", f"{item('inputs')}: {name}", what, "text") for name, what in context.inputs]
    rows += [(f"note.{i}", item("messages") if i == 0 else "", line, "text") for i, line in enumerate(lines)]
    return pd.DataFrame(rows, columns=["key", "item", "value", "format"])


def _rules(result: PlanResult, explain: dict[str, str], label: Callable[[str], str], lang: str) -> pd.DataFrame:
    r = result.rules
    unit = [t(f"campaign.unit.{'pct' if n == CHANGE else u}", lang) for n, u in zip(r["rule"], r["unit"])]
    return pd.DataFrame({
        "rule": [label(n) for n in r["rule"]], "kind": [kind_label(k, lang) for k in r["kind"]],
        "side": [side_label(s, lang) for s in r["side"]], "level": r["level"],
        "unit": unit, "binding": r["binding"].astype(bool), "shadow_price": r["gain_per_unit"],
        "step": r["step"], "gain_per_step": r["gain_per_step"],
        "explanation": [explain.get(n, "") for n in r["rule"]],
    })
