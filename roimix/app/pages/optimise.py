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


def controls(table: pd.DataFrame, channels: pd.DataFrame, lang: str) -> None:
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
        v = st.slider(t("app.opt.new_customer_cap", lang), 0, 100, step=1, format="%d%%",
                      key=state.NEW_CUSTOMER_CAP.widget(), help=t("app.opt.new_customer_help", lang))
        state.NEW_CUSTOMER_CAP.set(int(v))
    v = st.slider(t("app.opt.roi_floor", lang), 0.0, 10.0, step=0.1, format="%.1f", key=state.ROI_FLOOR.widget(),
                  help=t("app.opt.roi_floor_help", lang))
    state.ROI_FLOOR.set(float(v))


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


def show_result(result, channels: pd.DataFrame, lang: str) -> None:
    names = figures.labels(channels, lang)
    if not result.solved:
        lines = [engine.message_text(m, lang, names) for m in result.messages]
        head, rest = (lines[0], lines[1:]) if lines else (t("app.opt.infeasible", lang), [])
        st.error(head + ("\n\n" + "\n".join(f"- {line}" for line in rest) if rest else ""), icon=":material/block:")
        if any(not c.verified for c in result.conflicts):
            st.caption(t("optimizer.unverified", lang))
        return
    tot = result.totals
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
              delta=signed_money(tot.profit_cny - tot.current_profit_cny, lang))

    plan = engine.channel_plan(result)
    plan = plan.set_index("channel").reindex(shared.ordered_channels(plan, channels)).reset_index()
    st.plotly_chart(figures.allocation(plan, channels, lang), key="fig.allocation",
                    config={"displaylogo": False})
    st.dataframe(plan_table(plan, names, lang), hide_index=True, width="stretch")

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


def signed_money(value: float, lang: str) -> str:
    """+¥1,234 / -¥1,234 (the sign before the currency)."""
    if not np.isfinite(value) or abs(value) < 0.005:
        return money(0.0, lang, 2)
    return ("+" if value > 0 else "-") + money(abs(value), lang, 2)


def plan_table(plan: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("app.opt.col.channel", lang): [names.get(c, c) for c in plan["channel"]],
        t("app.opt.col.current", lang): [money(v, lang, 2) for v in plan["current_spend"]],
        t("app.opt.col.planned", lang): [money(v, lang, 2) for v in plan["planned_spend"]],
        t("app.opt.col.change", lang): [signed_money(v, lang) for v in plan["change"]],
        t("app.opt.col.gmv", lang): [money(v, lang, 2) for v in plan["planned_value"]],
        t("app.opt.col.mroi", lang): [f"{v:.2f}" if np.isfinite(v) else "–" for v in plan["marginal_roi"]],
    })


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sweep(token: str, w: engine.WhatIf, budgets: tuple[float, ...], _planner: engine.SharedPlanner) -> pd.DataFrame:
    """The budget sweep for every setting but the budget (a budget move reuses it)."""
    return engine.sweep(_planner, w, budgets)


def show_sweep(planner: engine.SharedPlanner, curves: engine.CurveSet, w: engine.WhatIf, lang: str) -> None:
    total = shared.current_total(curves.table)
    budgets = tuple(float(b) for b in engine.sweep_budgets(total))
    frame = cached_sweep(curves.token, w.without_budget(), budgets, planner)
    st.plotly_chart(figures.budget_sweep(frame, lang, current_budget=total, chosen_budget=w.budget), key="fig.sweep",
                    config={"displaylogo": False})


def render() -> None:
    lang = state.lang()
    st.title(t("app.opt.title", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    curves = shared.curves(ds, lang)
    if curves is None:
        return
    st.caption(t(f"app.curves.source_note.{curves.source}", lang))
    shared.ensure_whatif(curves.table, ds.channels)
    planner = attempt(lang, t("app.opt.building", lang), engine.planner_for, curves)
    if planner is None:
        return
    left, right = st.columns([2, 3], gap="large")
    with left:
        with guard(lang, t("app.opt.settings", lang)):
            controls(curves.table, ds.channels, lang)
    w = shared.whatif()
    with right:
        result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
        if result is not None:
            with guard(lang, t("app.opt.results", lang)):
                show_result(result, ds.channels, lang)
    with guard(lang, t("app.opt.bounds", lang)):
        bounds_editor(curves.table, ds.channels, lang)
    with guard(lang, t("app.opt.sweep", lang)):
        show_sweep(planner, curves, w, lang)


if __name__ == "__main__":
    render()
