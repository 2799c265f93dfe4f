"""Plan results in words, Chinese or English: messages rendered with ``roimix.text``, and a short summary."""

from __future__ import annotations

import math

from roimix.text import STRINGS, money, percent, t

from optimizer.explain import Message
from optimizer.result import PlanResult


def rule_label(name: str, lang: str = "en") -> str:
    """A rule's name as a reader sees it (default rules are translated)."""
    key = f"optimizer.rule.{name}"
    return t(key, lang) if key in STRINGS else name


def _format(name: str, value, lang: str) -> str:
    if name == "rule":
        return rule_label(value, lang)
    if name == "rules":
        sep = "、" if lang == "zh" else ", "
        return sep.join(rule_label(r.strip(), lang) for r in str(value).split(", "))
    if name == "what":
        return t(f"optimizer.what.{value}", lang)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "–"
    sign = "+" if name.startswith("uplift") and value > 0 else ""
    if name.endswith("_cny"):
        return sign + money(value, lang, digits=2 if abs(value) < 100 else 1)
    if name.endswith("_share"):
        return sign + percent(value, lang)
    if name.endswith("_x"):
        return f"{value:.2f}×"
    if name.endswith("_roi"):
        return f"{value:.2f}"
    if name.endswith("_s"):
        return f"{value:.3g}"
    return f"{value:,.4g}"


def render(message: Message, lang: str = "en") -> str:
    """One message as a sentence."""
    return t(message.key, lang, **{k: _format(k, v, lang) for k, v in message.values.items()})


def _sci(value: float) -> str:
    return f"{value:.1e}" if math.isfinite(value) else "–"


def solver_message(result: PlanResult) -> Message:
    """The solver's own evidence: its status, iterations, duality gap (money and relative) and residuals."""
    ev = result.evidence
    gap = ev.duality_gap_cny
    return Message("optimizer.summary.solver", {
        "solver": ev.solver, "solver_status": ev.solver_status, "iterations": ev.iterations,
        "duality_gap": f"¥{gap:.1e}" if math.isfinite(gap) else "–",
        "relative_duality_gap": _sci(ev.relative_duality_gap),
        "primal_residual": _sci(ev.primal_residual), "dual_residual": _sci(ev.dual_residual)})


def summary_lines(result: PlanResult, lang: str = "en") -> list[str]:
    """A few lines: status, spend and GMV uplift, evidence, binding rules in money (or the conflict)."""
    status = t(f"optimizer.status.{result.status}", lang)
    lines = [render(Message("optimizer.summary.status", {"status": status,
                                                          "objective": t(f"optimizer.objective.{result.objective}", lang)}), lang)]
    if not result.solved:
        for m in result.messages:
            line = render(m, lang)
            if m.key.startswith("optimizer.relax."):
                line = "  - " + line
            lines.append(line)
        for c in result.conflicts:
            if not c.verified:
                lines.append("  " + t("optimizer.unverified", lang))
                break
        if result.status == "solver_error":  # where the solver stopped, in its own numbers
            lines.append(render(solver_message(result), lang))
        return lines
    tot, ev, tm = result.totals, result.evidence, result.timings
    lines.append(render(Message("optimizer.summary.spend", {"current_spend_cny": tot.current_spend_cny,
                                                              "spend_cny": tot.spend_cny}), lang))
    lines.append(render(Message("optimizer.summary.uplift", {
        "current_gmv_cny": tot.current_gmv_cny, "gmv_cny": tot.gmv_cny, "uplift_cny": tot.gmv_uplift_cny,
        "uplift_share": tot.gmv_uplift_share, "current_roi": tot.current_roi, "plan_roi": tot.roi}), lang))
    if result.outcome is not None:  # what the plan may promise: the spread over the curve draws
        o = result.outcome
        lines.append(render(Message("optimizer.summary.outcome", {
            "uplift_p10_cny": o.uplift_p10_cny, "uplift_p50_cny": o.uplift_p50_cny, "uplift_p90_cny": o.uplift_p90_cny,
            "better_share": o.prob_better_than_current, "draws": o.n_draws}), lang))
        lines.append(render(Message("optimizer.summary.break_even", {
            "break_even_roi": o.break_even_roi, "above_share": o.prob_above_break_even}), lang))
        kind, _, level = result.risk.partition(":")
        lines.append(render(Message(f"optimizer.summary.risk_{kind}",
                                    {"tail_share": 1 - float(level)} if level else {}), lang))
    if result.objective == "profit":
        lines.append(render(Message("optimizer.summary.profit", {"current_profit_cny": tot.current_profit_cny,
                                                                   "profit_cny": tot.profit_cny}), lang))
    if math.isfinite(tot.reserve_cny) and tot.reserve_cny > max(1.0, 1e-6 * tot.spend_cny):
        lines.append(render(Message("optimizer.summary.reserve", {"reserve_cny": tot.reserve_cny}), lang))
    lines.append(render(Message("optimizer.summary.evidence", {
        "gap_cny": ev.optimality_gap_cny, "relative_gap": f"{ev.relative_gap:.1e}",
        "violation": f"{ev.max_violation:.1e}"}), lang))
    lines.append(render(solver_message(result), lang))
    if ev.envelope:
        lines.append(render(Message("optimizer.summary.envelope", {"objective_cny": ev.objective_cny,
                                                                     "bound_cny": ev.bound_cny}), lang))
    if tm.resolve_s is None:
        lines.append(render(Message("optimizer.summary.timing", {"first_s": tm.first_solve_s, "solver_s": tm.solver_s}), lang))
    else:
        lines.append(render(Message("optimizer.summary.timing_resolve", {
            "resolve_s": tm.resolve_s, "first_s": tm.first_solve_s, "solver_s": tm.solver_s}), lang))
    binding = [m for m in result.messages if m.key.startswith("optimizer.binding.")]
    if binding:
        lines.append(t("optimizer.summary.binding", lang))
        lines += ["  - " + render(m, lang) for m in binding]
    else:
        lines.append(t("optimizer.summary.no_binding", lang))
    for m in result.messages:
        if not m.key.startswith("optimizer.binding."):
            lines.append(render(m, lang))
    return lines


def increment_lines(inc, lang: str = "en") -> list[str]:
    """Where the next ¥X goes (:class:`optimizer.increment.Increment`): a headline with the GMV it brings and its
    P10–P90, then one line per cell whose spend moves by at least ¥1 a day, the largest move first."""
    if not inc.solved:  # which rules the moved budget breaks and the smallest relaxation, as for a plan
        return [t("optimizer.next.unsolved", lang, delta=money(inc.delta_cny, lang),
                  status=t(f"optimizer.status.{inc.plan.status}", lang))] + [f"  {render(m, lang)}"
                                                                             for m in inc.plan.messages]
    band = "" if not math.isfinite(inc.gmv_p10_cny) else t(
        "optimizer.next.band", lang, p10=money(inc.gmv_p10_cny, lang), p90=money(inc.gmv_p90_cny, lang))
    key = "optimizer.next.head_more" if inc.delta_cny >= 0 else "optimizer.next.head_less"
    lines = [t(key, lang, delta=money(abs(inc.delta_cny), lang), spent=money(abs(inc.spent_cny), lang),
               gmv=money(inc.gmv_cny, lang), roi=f"{inc.roi:.2f}" if math.isfinite(inc.roi) else "–", band=band)]
    cells = inc.cells[inc.cells["delta_spend"].abs() >= 1.0]
    for r in cells.reindex(cells["delta_spend"].abs().sort_values(ascending=False).index).itertuples():
        segment = t(f"segment.{r.segment}", lang) if r.segment in ("new", "existing") else r.segment
        lines.append(t("optimizer.next.line", lang, cell=f"{r.channel}/{segment}",
                       move=("+" if r.delta_spend > 0 else "-") + money(abs(r.delta_spend), lang),
                       gmv=("+" if r.delta_gmv >= 0 else "-") + money(abs(r.delta_gmv), lang),
                       roi=f"{r.delta_roi:.2f}" if math.isfinite(r.delta_roi) else "–",
                       mroi=f"{r.marginal_roi:.2f}" if math.isfinite(r.marginal_roi) else "–",
                       band="" if not math.isfinite(r.delta_gmv_p10) else t(
                           "optimizer.next.band", lang, p10=money(r.delta_gmv_p10, lang),
                           p90=money(r.delta_gmv_p90, lang))))
    return lines
