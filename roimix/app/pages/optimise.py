"""Page 4 · Optimise / what-if: budget and rule sliders, bounds and locks, results at once, budget sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from roimix.app import engine, figures, shared, state
from roimix.app.errors import attempt, guard
from roimix.text import money, percent, t

OBJECTIVES = ("gmv", "profit", "min_spend")


# --- controls ----------------------------------------------------------------------------------------------


def controls(table: pd.DataFrame, channels: pd.DataFrame, lang: str, has_draws: bool = False) -> None:
    total = shared.current_total(table)
    options = shared.budget_options(total)

    objective = st.segmented_control(
        t("app.opt.objective", lang), OBJECTIVES, key=state.OBJECTIVE.widget(), required=True,
        format_func=lambda o: t(f"app.opt.objective.{o}", lang), width="stretch",
    )
    state.OBJECTIVE.set(objective or "gmv")

    label = t("app.opt.budget" if state.OBJECTIVE.get() == "gmv" else "app.opt.budget_cap", lang)
    budget = st.select_slider(label, options=options, key=state.BUDGET.widget(),
                              format_func=lambda v: money(v, lang, 2), help=t("app.opt.budget_help", lang))
    state.BUDGET.set(float(budget))
    st.caption(t("app.opt.budget_now", lang, current=money(total, lang, 2),
                 change=percent(budget / total - 1 if total else 0, lang)))

    if state.OBJECTIVE.get() == "min_spend":
        target = st.number_input(t("app.opt.target", lang), min_value=0.0, step=100.0, key=state.TARGET_GMV.widget(),
                                 help=t("app.opt.target_help", lang))
        state.TARGET_GMV.set(float(target))

    c1, c2 = st.columns(2)
    with c1:
        v = st.slider(t("app.opt.new_product_cap", lang), 0, 100, step=1, format="%d%%",
                      key=state.NEW_PRODUCT_CAP.widget(), help=t("app.opt.new_product_help", lang))
        state.NEW_PRODUCT_CAP.set(int(v))
    with c2:
        unknown = engine.traffic_unknown_cells(table)
        v = st.slider(t("app.opt.new_customer_cap", lang), 0, 100, step=1, format="%d%%",
                      key=state.NEW_CUSTOMER_CAP.widget(), help=t("app.opt.new_customer_help", lang),
                      disabled=bool(unknown))
        state.NEW_CUSTOMER_CAP.set(int(v))
        if unknown:
            st.caption(t("app.opt.new_customer_off", lang, cells=", ".join(unknown)))
    roi_floor_controls(lang)
    margin_inputs(lang)
    risk_control(lang, has_draws)


def roi_floor_controls(lang: str) -> None:
    """增量投产比下限: a number, or break-even (保本, from the margin and return rate below); over the plan or for
    each channel."""
    c1, c2 = st.columns(2)
    with c1:
        even = st.checkbox(t("app.opt.roi_break_even", lang), key=state.ROI_BREAK_EVEN.widget(),
                           help=t("app.opt.roi_break_even_help", lang))
        state.ROI_BREAK_EVEN.set(bool(even))
    with c2:
        per = st.checkbox(t("app.opt.roi_per_channel", lang), key=state.ROI_PER_CHANNEL.widget(),
                          help=t("app.opt.roi_per_channel_help", lang))
        state.ROI_PER_CHANNEL.set(bool(per))
    v = st.slider(t("app.opt.roi_floor", lang), 0.0, 10.0, step=0.1, format="%.1f", key=state.ROI_FLOOR.widget(),
                  help=t("app.opt.roi_floor_help", lang), disabled=bool(even))
    state.ROI_FLOOR.set(float(v))


def risk_control(lang: str, has_draws: bool) -> None:
    """平均 ↔ 稳健: plan on the estimate, or on the worst tenth of the curve draws (fitted curves only)."""
    if not has_draws:
        st.caption(t("app.opt.risk.no_draws", lang))
        return
    risk = st.segmented_control(
        t("app.opt.risk", lang), engine.RISKS, key=state.RISK.widget(), required=True,
        format_func=lambda r: t(f"app.opt.risk.{r}", lang), help=t("app.opt.risk_help", lang),
    )
    state.RISK.set(risk or "cvar")


def margin_inputs(lang: str) -> None:
    """毛利率 and 退货率: what profit counts of GMV, with the break-even 投产比 they imply."""
    c1, c2 = st.columns(2)
    with c1:
        v = st.number_input(t("app.opt.margin", lang), min_value=1.0, max_value=100.0, step=1.0, format="%.0f",
                            key=state.MARGIN_PCT.widget(), help=t("app.opt.margin_help", lang))
        state.MARGIN_PCT.set(float(v))
    with c2:
        v = st.number_input(t("app.opt.return_rate", lang), min_value=0.0, max_value=95.0, step=1.0, format="%.0f",
                            key=state.RETURN_PCT.widget(), help=t("app.opt.return_rate_help", lang))
        state.RETURN_PCT.set(float(v))
    st.caption(t("app.opt.break_even", lang, margin=percent(state.MARGIN_PCT.get() / 100, lang, 0),
                 returns=percent(state.RETURN_PCT.get() / 100, lang, 0), roas=f"{break_even_roas(shared.profit_margin()):.2f}"))


def take_margin_edits() -> None:
    """Take a margin or return-rate edit into the model before the curves are built (they carry the margin; the
    inputs are drawn after them, so their return value would come one run late)."""
    for slot in (state.MARGIN_PCT, state.RETURN_PCT):
        pending = st.session_state.get(slot.widget_key)
        if pending is not None:
            slot.set(float(pending))


def break_even_roas(profit_margin: float) -> float:
    """The incremental 投产比 at which a yuan of spend pays for itself: 1 ÷ (margin × (1 − return rate))."""
    return 1.0 / profit_margin if profit_margin > 0 else float("inf")


def bounds_editor(table: pd.DataFrame, channels: pd.DataFrame, lang: str) -> None:
    """Per-channel min/max (× current spend) and locks, in an editable table."""
    st.markdown(f"**{t('app.opt.bounds', lang)}**")
    st.caption(t("app.opt.bounds_help", lang))
    names = figures.labels(channels, lang)
    model = state.BOUNDS.get()
    current = shared.channel_current(table).set_index("channel")["current_spend"]
    shown = model.assign(
        label=[names.get(c, c) for c in model["channel"]],
        current=[money(current.get(c, 0.0), lang, 2) for c in model["channel"]],
    )
    edited = st.data_editor(
        shown, key=state.BOUNDS.widget_key, hide_index=True, num_rows="fixed", width="stretch",
        column_order=["label", "current", "lower", "upper", "locked"],
        disabled=["channel", "label", "current"],
        column_config={
            "label": st.column_config.TextColumn(t("app.opt.col.channel", lang)),
            "current": st.column_config.TextColumn(t("app.opt.col.current", lang)),
            "lower": st.column_config.NumberColumn(t("app.opt.col.lower", lang), min_value=0.0, max_value=50.0, step=0.05,
                                                   format="%.2f×", help=t("app.opt.col.lower_help", lang)),
            "upper": st.column_config.NumberColumn(t("app.opt.col.upper", lang), min_value=0.0, max_value=50.0, step=0.05,
                                                   format="%.2f×", help=t("app.opt.col.upper_help", lang)),
            "locked": st.column_config.CheckboxColumn(t("app.opt.col.locked", lang), help=t("app.opt.col.locked_help", lang)),
        },
    )
    clean = shared.clean_bounds(edited)
    state.BOUNDS.set(clean)
    bad = clean[clean["upper"].notna() & (clean["upper"] < clean["lower"])]
    if len(bad):
        st.warning(t("app.opt.bounds_swapped", lang, channels=", ".join(names.get(c, c) for c in bad["channel"])))
    if st.button(t("app.opt.bounds_reset", lang), key="bounds.reset"):
        state.BOUNDS.set(shared.default_bounds(table, channels))
        state.BOUNDS.reset_widget()
        st.rerun()


# --- results -----------------------------------------------------------------------------------------------


def show_result(result, channels: pd.DataFrame, lang: str, highest: pd.DataFrame | None = None) -> None:
    names = figures.labels(channels, lang)
    if not result.solved:
        lines = [engine.message_text(m, lang, names) for m in result.messages]
        head, rest = (lines[0], lines[1:]) if lines else (t("app.opt.infeasible", lang), [])
        st.error(head + ("\n\n" + "\n".join(f"- {line}" for line in rest) if rest else ""), icon=":material/block:")
        if any(not c.verified for c in result.conflicts):
            st.caption(t("optimizer.unverified", lang))
        return
    tot = result.totals
    plan = engine.channel_plan(result)
    plan = plan.set_index("channel").reindex(shared.ordered_channels(plan, channels)).reset_index()
    st.info(headline(result, plan, names, lang), icon=":material/lightbulb:")
    if result.outcome is not None:  # what the plan may promise, over the curve draws
        o = result.outcome
        st.markdown(t("app.opt.outcome", lang, p10=signed_money(o.uplift_p10_cny, lang),
                      p50=signed_money(o.uplift_p50_cny, lang), p90=signed_money(o.uplift_p90_cny, lang),
                      better=percent(o.prob_better_than_current, lang, 0),
                      break_even=f"{o.break_even_roi:.2f}", above=percent(o.prob_above_break_even, lang, 0)))
    if highest is not None:
        shared.beyond_history_warning(result.plan, highest, names, lang)
    zeroed = zeroed_key_platforms(result)
    if zeroed:
        st.warning(t("app.opt.key_zeroed", lang, channels="、".join(names.get(c, c) for c in zeroed) if lang == "zh"
                     else ", ".join(names.get(c, c) for c in zeroed)))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("app.opt.planned_gmv", lang), money(tot.gmv_cny, lang, 2),
              delta=f"{signed_money(tot.gmv_uplift_cny, lang)} ({percent(tot.gmv_uplift_share, lang)})",
              help=t("app.opt.planned_gmv_help", lang, current=money(tot.current_gmv_cny, lang, 2)))
    c2.metric(t("app.opt.planned_roi", lang), f"{tot.roi:.2f}",
              delta=f"{tot.roi_uplift:+.2f}" if abs(tot.roi_uplift) >= 0.005 else None,
              help=t("app.opt.roi_help", lang, current=f"{tot.current_roi:.2f}"))
    spend_change = tot.spend_cny - tot.current_spend_cny
    c3.metric(t("app.opt.planned_spend", lang), money(tot.spend_cny, lang, 2),
              delta=signed_money(spend_change, lang) if abs(spend_change) >= 0.5 else None, delta_color="off")
    c4.metric(t("app.opt.planned_profit", lang), signed_money(tot.profit_cny, lang).lstrip("+"),
              delta=signed_money(tot.profit_cny - tot.current_profit_cny, lang),
              help=t("app.opt.profit_help", lang, margin=percent(shared.profit_margin(), lang)))

    st.plotly_chart(figures.allocation(plan, channels, lang), key="fig.allocation",
                    config={"displaylogo": False})

    binding = [m for m in result.messages if m.key.startswith("optimizer.binding.")]
    st.markdown(f"**{t('app.opt.binding', lang)}**")
    if binding:
        st.markdown("\n".join(f"- {engine.message_text(m, lang, names)}" for m in binding))
    else:
        st.caption(t("app.opt.no_binding", lang))
    ev, tm = result.evidence, result.timings
    solve_ms = (tm.resolve_s if tm.resolve_s is not None else tm.first_solve_s) * 1000
    st.caption(t("app.opt.evidence", lang, gap=money(ev.optimality_gap_cny, lang, 2), ms=f"{solve_ms:.0f}",
                 reused=t("app.opt.reused" if tm.resolve_s is not None else "app.opt.built", lang)))


def show_plan_table(result, channels: pd.DataFrame, lang: str) -> None:
    """The plan per channel with its 投产比 and why, full width (eight columns do not fit beside the settings)."""
    names = figures.labels(channels, lang)
    plan = engine.channel_plan(result)
    plan = plan.set_index("channel").reindex(shared.ordered_channels(plan, channels)).reset_index()
    st.markdown(f"**{t('app.opt.plan_table', lang)}**")
    st.dataframe(plan_table(plan, names, lang, reasons(result, plan, names, lang)), hide_index=True, width="stretch",
                 height="content", column_config={t("app.opt.col.why", lang): st.column_config.TextColumn(width="large")})


def signed_money(value: float, lang: str) -> str:
    """+¥1,234 / -¥1,234 (the sign before the currency)."""
    if not np.isfinite(value) or abs(value) < 0.005:
        return money(0.0, lang, 2)
    return ("+" if value > 0 else "-") + money(abs(value), lang, 2)


def plan_table(plan: pd.DataFrame, names: dict[str, str], lang: str, why: list[str] | None = None) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = plan["planned_value"].to_numpy(float) / plan["planned_spend"].to_numpy(float)
    out = pd.DataFrame({
        t("app.opt.col.channel", lang): [names.get(c, c) for c in plan["channel"]],
        t("app.opt.col.current", lang): [money(v, lang, 2) for v in plan["current_spend"]],
        t("app.opt.col.planned", lang): [money(v, lang, 2) for v in plan["planned_spend"]],
        t("app.opt.col.change", lang): [signed_money(v, lang) for v in plan["change"]],
        t("app.opt.col.gmv", lang): [money(v, lang, 2) for v in plan["planned_value"]],
        t("app.opt.col.roas", lang): [f"{v:.2f}" if np.isfinite(v) and s > 0.005 else "–"
                                      for v, s in zip(roas, plan["planned_spend"])],
        t("app.opt.col.mroi", lang): [f"{v:.2f}" if np.isfinite(v) else "–" for v in plan["marginal_roi"]],
    })
    if "distance" in plan.columns:  # how far the channel's 投产比 is above (+) or below (−) its break-even
        out[t("app.opt.col.vs_break_even", lang)] = [
            f"{round(d, 2) + 0.0:+.2f}（{b:.2f}）" if lang == "zh" and np.isfinite(d) else
            f"{round(d, 2) + 0.0:+.2f} ({b:.2f})" if np.isfinite(d) else "–"
            for d, b in zip(plan["distance"], plan["break_even_roi"])]
    if why is not None:
        out[t("app.opt.col.why", lang)] = why
    return out


# --- the headline and the why ---------------------------------------------------------------------------------

MOVE_SHOWN = 3  # channels named on each side of the headline's move (a page's bare string would be drawn on it)


def _listing(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def tightest_rule(result) -> pd.Series | None:
    """The binding rule (other than the budget) whose loosening by one step is worth most, or None."""
    r = result.rules
    if not len(r):
        return None
    bound = r[r["binding"].astype(bool) & (r["kind"] != "budget") & np.isfinite(r["gain_per_step"].astype(float))]
    if not len(bound):
        return None
    return bound.loc[bound["gain_per_step"].astype(float).abs().idxmax()]


def headline(result, plan: pd.DataFrame, names: dict[str, str], lang: str) -> str:
    """One sentence: how much moves from where to where, the uplift with its P10–P90 range over the curve draws
    (fitted curves), the rule that binds most and its worth."""
    tot = result.totals
    change = plan.set_index("channel")["change"]
    small = max(0.5, 0.002 * max(tot.current_spend_cny, tot.spend_cny))
    down = change[change < -small].sort_values()
    up = change[change > small].sort_values(ascending=False)

    def side(part: pd.Series) -> str:
        shown = _listing([names.get(c, c) for c in part.index[:MOVE_SHOWN]], lang)
        if len(part) > MOVE_SHOWN:
            shown += t("app.opt.head.others", lang, n=len(part))
        return shown

    parts = []
    if len(down) and len(up):
        parts.append(t("app.opt.head.move", lang, amount=money(float(min(-down.sum(), up.sum())), lang, 2),
                       source=side(down), target=side(up)))
    elif len(down):
        parts.append(t("app.opt.head.cut", lang, amount=money(float(-down.sum()), lang, 2), source=side(down)))
    elif len(up):
        parts.append(t("app.opt.head.add", lang, amount=money(float(up.sum()), lang, 2), target=side(up)))
    else:
        parts.append(t("app.opt.head.same", lang))
    spend_change = tot.spend_cny - tot.current_spend_cny
    if abs(spend_change) > small:
        parts.append(t("app.opt.head.spend", lang, current=money(tot.current_spend_cny, lang, 2),
                       planned=money(tot.spend_cny, lang, 2)))
    share = ("+" if tot.gmv_uplift_share > 0 else "") + percent(tot.gmv_uplift_share, lang)
    o = result.outcome
    if o is None:  # given curves: no draws, no range
        parts.append(t("app.opt.head.uplift", lang, uplift=signed_money(tot.gmv_uplift_cny, lang), share=share))
    else:  # the range the curve draws give (the estimate alone can sit outside it: S-curves, skewed draws)
        parts.append(t("app.opt.head.uplift_range", lang, uplift=signed_money(tot.gmv_uplift_cny, lang), share=share,
                       p10=signed_money(o.uplift_p10_cny, lang), p90=signed_money(o.uplift_p90_cny, lang)))
    rule = tightest_rule(result)
    if rule is None:
        parts.append(t("app.opt.head.no_rule", lang))
    else:
        what = next((m.values.get("what") for m in result.messages
                     if m.values.get("rule") == rule["rule"] and "what" in m.values), result.objective)
        what_key = f"optimizer.what.{what}"
        from roimix.text import STRINGS

        parts.append(t("app.opt.head.rule", lang, rule=engine.rule_display(str(rule["rule"]), lang, names),
                       gain=money(abs(float(rule["gain_per_step"])), lang, 2),
                       what=t(what_key, lang) if what_key in STRINGS else str(what)))
    return ("；" if lang == "zh" else "; ").join(parts) + ("。" if lang == "zh" else ".")


def _is_channel_rule(name: str) -> bool:
    return name.startswith(("bounds:", "lock:", "unfit:"))


def _channel_rule(result, channel: str) -> str | None:
    """The binding per-channel rule (bounds, lock, unfit cell) of ``channel``, by its name."""
    r = result.rules
    if not len(r):
        return None
    mine = r[r["binding"].astype(bool) & r["rule"].astype(str).str.match(rf"^(bounds|lock|unfit):{channel}(/|$)")]
    return None if not len(mine) else str(mine["rule"].iloc[0])


def reasons(result, plan: pd.DataFrame, names: dict[str, str], lang: str) -> list[str]:
    """Per channel, why it moved: marginal 投产比 before → after, and the rule that stops it (or: levelled with the
    others, which is where an unconstrained optimum puts every channel)."""
    cells = result.plan
    w = cells["current_spend"].to_numpy(float)
    m = cells["current_marginal_roi"].to_numpy(float)
    ok = np.isfinite(m)
    frame = pd.DataFrame({"channel": cells["channel"], "w": np.where(ok, w + 1e-9, 0.0), "wm": np.where(ok, m * (w + 1e-9), 0.0)})
    g = frame.groupby("channel", sort=False)[["w", "wm"]].sum()
    before = (g["wm"] / g["w"].where(g["w"] > 0)).to_dict()
    small = max(0.5, 0.002 * float(plan["current_spend"].sum()))
    tightest = tightest_rule(result)
    shared_rule = None if tightest is None or _is_channel_rule(str(tightest["rule"])) else str(tightest["rule"])
    out = []
    for r in plan.itertuples(index=False):
        b, a = before.get(r.channel, np.nan), r.marginal_roi
        direction = "up" if r.change > small else "down" if r.change < -small else "same"
        text = t(f"app.opt.why.{direction}", lang, before=f"{b:.2f}" if np.isfinite(b) else "–",
                 after=f"{a:.2f}" if np.isfinite(a) else "–")
        rule = _channel_rule(result, r.channel)
        if rule is not None:
            text += t("app.opt.why.rule", lang, rule=engine.rule_display(rule, lang, names))
        elif direction == "down" and r.planned_spend <= small:
            text += t("app.opt.why.stopped", lang)
        elif direction != "same" and shared_rule is not None:
            text += t("app.opt.why.shared", lang, rule=engine.rule_display(shared_rule, lang, names))
        elif direction != "same":
            text += t("app.opt.why.levelled", lang)
        out.append(text)
    return out


def zeroed_key_platforms(result) -> list[str]:
    """Key platforms (★) that spend today and that the plan stops (under 1 % of their current spend)."""
    p = result.plan
    if "key_platform" not in p.columns or not len(p):
        return []
    g = p.assign(key=p["key_platform"].fillna(False).astype(bool)).groupby("channel", sort=False).agg(
        key=("key", "any"), current=("current_spend", "sum"), planned=("spend", "sum"))
    hit = g[g["key"] & (g["current"] > 0) & (g["planned"] < 0.01 * g["current"])]
    return list(hit.index)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_tests(token: str, w: engine.WhatIf, _planner: engine.SharedPlanner, _result) -> pd.DataFrame:
    """The lift tests worth most to the plan of these settings (a second or two per channel)."""
    return engine.lift_tests_to_run(_planner, w, _result)


def show_tests(planner: engine.SharedPlanner, curves: engine.CurveSet, w: engine.WhatIf, result, channels,
               lang: str) -> None:
    """下一步做哪个增量实验: on request (it re-plans three times per cell), best first, in money per day."""
    if not planner.has_draws or result is None or not result.solved:
        return
    st.subheader(t("app.opt.tests", lang))
    st.caption(t("app.opt.tests_help", lang))
    if not st.button(t("app.opt.tests_button", lang), key="tests.rank"):
        return
    frame = cached_tests(curves.token, w, planner, result)
    names = figures.labels(channels, lang)
    shown = pd.DataFrame({
        t("app.opt.tests.rank", lang): frame["rank"],
        t("app.opt.tests.cell", lang): [f"{names.get(c, c)} · {t('segment.' + s, lang) if s in ('new', 'existing') else s}"
                                        for c, s in zip(frame["channel"], frame["segment"])],
        t("app.opt.tests.value", lang): [money(v, lang, 2) for v in frame["value_cny_per_day"]],
    })
    st.dataframe(shown.head(5), hide_index=True)
    st.caption(t("app.opt.tests_how", lang))


@st.cache_data(show_spinner=False, max_entries=16)
def cached_next(token: str, w: engine.WhatIf, delta: float, _planner: engine.SharedPlanner, _result):
    """Where ``delta`` more a day goes from the plan of these settings (one re-solve of its compiled problem)."""
    return engine.next_money(_planner, _result, delta)


def show_next_money(planner: engine.SharedPlanner, curves: engine.CurveSet, w: engine.WhatIf, result, channels,
                    lang: str) -> None:
    """下一笔预算: where the next ¥X a day would go (a negative X: where a cut comes from), per channel and segment,
    with the GMV it brings, its 投产比 and, over the curve draws, its P10–P90. Folded (the default) it costs nothing: it
    re-plans only while open, so a budget move solves once."""
    with st.expander(t("app.opt.next", lang), key=state.NEXT_OPEN.widget(), on_change="rerun") as box:
        state.NEXT_OPEN.set(bool(box.open))
        if box.open:
            next_money_body(planner, curves, w, result, channels, lang)


def next_money_body(planner: engine.SharedPlanner, curves: engine.CurveSet, w: engine.WhatIf, result, channels,
                    lang: str) -> None:
    delta = st.number_input(t("app.opt.next_amount", lang), step=100.0,
                            format="%.0f", key=state.NEXT_CNY.widget(), help=t("app.opt.next_help", lang))
    state.NEXT_CNY.set(float(delta))
    if abs(delta) < 1.0:
        return
    inc = cached_next(curves.token, w, float(delta), planner, result)
    if not inc.solved:  # say which rules the moved budget breaks and the smallest relaxation, as for the plan
        reasons = [engine.message_text(m, lang, figures.labels(channels, lang)) for m in inc.plan.messages]
        st.warning(t("optimizer.next.unsolved", lang, delta=money(delta, lang, 2),
                     status=t(f"optimizer.status.{inc.plan.status}", lang))
                   + "".join(f"\n- {line}" for line in reasons))
        return
    band = "" if not np.isfinite(inc.gmv_p10_cny) else t(
        "optimizer.next.band", lang, p10=money(inc.gmv_p10_cny, lang, 2), p90=money(inc.gmv_p90_cny, lang, 2))
    st.markdown(t("optimizer.next.head_more" if delta >= 0 else "optimizer.next.head_less", lang,
                  delta=money(abs(delta), lang, 2), spent=money(abs(inc.spent_cny), lang, 2),
                  gmv=money(inc.gmv_cny, lang, 2), roi=f"{inc.roi:.2f}" if np.isfinite(inc.roi) else "–", band=band))
    names = figures.labels(channels, lang)
    cells = inc.cells[inc.cells["delta_spend"].abs() >= 1.0]
    cells = cells.reindex(cells["delta_spend"].abs().sort_values(ascending=False).index)
    fmt = lambda v: f"{v:.2f}" if np.isfinite(v) else "–"  # noqa: E731
    st.dataframe(pd.DataFrame({
        t("app.opt.tests.cell", lang): [f"{names.get(c, c)} · {t('segment.' + s, lang) if s in ('new', 'existing') else s}"
                                        for c, s in zip(cells["channel"], cells["segment"])],
        t("app.opt.next.col.move", lang): [signed_money(v, lang) for v in cells["delta_spend"]],
        t("app.opt.next.col.gmv", lang): [signed_money(v, lang) for v in cells["delta_gmv"]],
        t("app.opt.next.col.band", lang): ["–" if not np.isfinite(lo) else f"{money(lo, lang, 2)} – {money(hi, lang, 2)}"
                                           for lo, hi in zip(cells["delta_gmv_p10"], cells["delta_gmv_p90"])],
        t("app.opt.next.col.roi", lang): [fmt(v) for v in cells["delta_roi"]],
        t("app.opt.col.mroi", lang): [fmt(v) for v in cells["marginal_roi"]],
    }), hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sweep(token: str, w: engine.WhatIf, budgets: tuple[float, ...], _planner: engine.SharedPlanner) -> pd.DataFrame:
    """The budget sweep for every setting but the budget (a budget move reuses it)."""
    return engine.sweep(_planner, w, budgets)


def show_sweep(planner: engine.SharedPlanner, curves: engine.CurveSet, w: engine.WhatIf, lang: str) -> None:
    total = shared.current_total(curves.table)
    budgets = tuple(float(b) for b in engine.sweep_budgets(total))
    frame = cached_sweep(curves.token, w.without_budget(), budgets, planner)
    if sweep_is_flat(frame):
        ok = frame[frame["feasible"].astype(bool)]
        st.subheader(t("app.opt.sweep", lang))
        st.caption(t("app.opt.sweep_flat", lang, low=money(float(ok["budget"].min()), lang, 2),
                     high=money(float(ok["budget"].max()), lang, 2), spend=money(float(ok["spend"].median()), lang, 2)))
        return
    st.plotly_chart(figures.budget_sweep(frame, lang, current_budget=total, chosen_budget=w.budget), key="fig.sweep",
                    config={"displaylogo": False})
    if frame[["gmv_p10", "gmv_p90"]].notna().all(axis=None):
        st.caption(t("app.opt.sweep_band", lang))
    if planner.has_draws and w.risk == "cvar" and w.objective != "min_spend":
        st.caption(t("app.opt.sweep_on_estimate", lang))  # the plan above is 稳健; each sweep point is 平均


FLAT_SHARE = 0.005  # a sweep whose GMV and spend vary less than this share over every budget is flat (never binds)


def sweep_is_flat(frame: pd.DataFrame) -> bool:
    ok = frame[frame["feasible"].astype(bool)]
    if len(ok) < 2:
        return False

    def spread(col: str) -> float:
        v = ok[col].to_numpy(float)
        return float(np.nanmax(v) - np.nanmin(v)) / max(float(np.nanmax(np.abs(v))), 1.0)

    return spread("gmv") <= FLAT_SHARE and spread("spend") <= FLAT_SHARE


def render() -> None:
    lang = state.lang()
    st.title(t("app.opt.title", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    take_margin_edits()
    curves, planner = shared.planner_ready(ds, lang)
    if curves is None:
        return
    st.caption(t(f"app.curves.source_note.{curves.source}", lang))
    if planner is None:
        return
    left, right = st.columns([2, 3], gap="large")
    with left:
        with guard(lang, t("app.opt.settings", lang)):
            controls(curves.table, ds.channels, lang, planner.has_draws)
    w = shared.whatif(curves.table)
    with right:
        result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
        if result is not None:
            with guard(lang, t("app.opt.results", lang)):
                show_result(result, ds.channels, lang, engine.highest_days(ds.token, ds))
    if result is not None and result.solved:
        with guard(lang, t("app.opt.results", lang)):
            show_plan_table(result, ds.channels, lang)
    if result is not None and result.solved and result.scenario is not None and result.scenario.budget is not None:
        with guard(lang, t("app.opt.next", lang)):
            show_next_money(planner, curves, w, result, ds.channels, lang)
    with guard(lang, t("app.opt.bounds", lang)):
        bounds_editor(curves.table, ds.channels, lang)
    with guard(lang, t("app.opt.sweep", lang)):
        show_sweep(planner, curves, w, lang)
    with guard(lang, t("app.opt.tests", lang)):
        show_tests(planner, curves, w, result, ds.channels, lang)


if __name__ == "__main__":
    render()
