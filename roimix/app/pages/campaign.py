"""Page 5 · Campaign: 618 / Double 11 / 年货节 phases and multipliers, and the daily plan the campaign engine gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from roimix.app import campaigns, engine, exports, figures, shared, state
from roimix.app.errors import attempt, guard
from roimix.text import STRINGS, money, percent, t

EDITABLE = ["start", "end", "multiplier"]
BUDGET_PERCENTS = list(range(50, 305, 5))
FOCUS = ("none", "weekends", "peak", "weekends+peak")


def campaign_label(name: str, lang: str) -> str:
    key = f"campaign.name.{name}"
    return t(key, lang) if key in STRINGS else name


def phases_for(name: str) -> pd.DataFrame:
    """The user's phases for ``name`` (the engine's template for the next occurrence the first time)."""
    stored = state.CAMPAIGN_PHASES.get()
    if name not in stored:
        stored[name] = campaigns.template(name, campaigns.next_year(name, dt.date.today()))
    return stored[name]


def phases_editor(name: str, lang: str) -> pd.DataFrame:
    key = f"w.campaign.phases.{name}"
    model = state.apply_edits(phases_for(name), state.editor_edits(key), EDITABLE, dates=("start", "end"))
    label_col = "label_zh" if lang == "zh" else "label_en"
    shown = pd.DataFrame({"label": model[label_col], "start": pd.to_datetime(model["start"]).dt.date,
                          "end": pd.to_datetime(model["end"]).dt.date, "multiplier": model["multiplier"]})
    edited = st.data_editor(
        shown, key=key, hide_index=True, num_rows="fixed", width="stretch", disabled=["label"],
        column_config={
            "label": st.column_config.TextColumn(t("app.camp.col.phase", lang)),
            "start": st.column_config.DateColumn(t("app.camp.col.start", lang), format="YYYY-MM-DD"),
            "end": st.column_config.DateColumn(t("app.camp.col.end", lang), format="YYYY-MM-DD"),
            "multiplier": st.column_config.NumberColumn(t("app.camp.col.response_x", lang), min_value=0.05,
                                                        max_value=campaigns.MAX_MULTIPLIER, step=0.05, format="%.2f×",
                                                        help=t("app.camp.col.response_x_help", lang)),
        },
    )
    clean = model.copy()
    for col in EDITABLE:
        clean[col] = edited[col].to_numpy()
    clean["start"] = pd.to_datetime(clean["start"])
    clean["end"] = pd.to_datetime(clean["end"])
    state.CAMPAIGN_PHASES.get()[name] = clean.reset_index(drop=True)
    return clean


def planned_year(name: str, phases: pd.DataFrame) -> int:
    """The year of the planned occurrence: its last phase's end (a template's year), else the next one's."""
    end = pd.to_datetime(phases["end"], errors="coerce").max()
    return int(end.year) if pd.notna(end) else campaigns.next_year(name, dt.date.today())


def estimate_from_history(name: str, curves: engine.CurveSet) -> bool:
    """Estimate ``name``'s phase multipliers from its past occurrence in the fit's history and write the
    estimated ones into the user's phases table (phases the history cannot tell keep their value).
    True when the table changed."""
    table = state.CAMPAIGN_PHASES.get()[name].copy()
    found = engine.history_estimates(curves.token, name, planned_year(name, table), curves.decomposition)
    entry = {"token": curves.token, "found": found, "used": {}}
    changed = False
    if found.estimates is not None:
        done = found.estimates[found.estimates["method"] == "regression"]
        estimated = {str(ph): float(m) for ph, m in zip(done["phase"], done["multiplier"])}
        table["multiplier"] = [estimated.get(str(ph), float(m)) for ph, m in zip(table["phase"], table["multiplier"])]
        entry["used"] = dict(zip(table["phase"].astype(str), table["multiplier"].astype(float)))
        state.CAMPAIGN_PHASES.get()[name] = table.reset_index(drop=True)
        changed = bool(estimated)
    state.CAMPAIGN_ESTIMATES.get()[name] = entry
    return changed


def _kept_reason(row, lang: str) -> str:
    """How a phase's multiplier was found, from the estimate's code (``kept_because``), never from its English."""
    from optimizer.campaign.multipliers import MIN_ROWS

    because = str(row.kept_because or "")
    if not because:
        return t("app.camp.est.estimated", lang)
    if because == "few_rows":
        return t("app.camp.est.kept.few", lang, n=int(row.rows), need=MIN_ROWS)
    return t(f"app.camp.est.kept.{because}", lang)


def estimate_view(estimates: pd.DataFrame, used: dict, labels: dict, lang: str) -> pd.DataFrame:
    """Per phase: days of the past occurrence, given ×, the data's estimate ± s.e., the multiplier used, and how."""
    def data_says(est: float, se: float) -> str:
        if not np.isfinite(est):
            return "–"
        return f"{est:.2f}× ± {se:.2f}" if np.isfinite(se) else f"{est:.2f}×"

    return pd.DataFrame({
        t("app.camp.col.phase", lang): [labels.get(p, p) for p in estimates["phase"]],
        t("app.camp.est.col.past_dates", lang): [f"{a:%Y-%m-%d} – {b:%m-%d}" for a, b in
                                                 zip(estimates["start"], estimates["end"])],
        t("app.camp.col.days", lang): estimates["days"].astype(int),
        t("app.camp.est.col.given", lang): [f"{g:.2f}×" for g in estimates["given"]],
        t("app.camp.est.col.estimate", lang): [data_says(e, s) for e, s in
                                               zip(estimates["estimate"], estimates["estimate_std_error"])],
        t("app.camp.est.col.used", lang): [f"{used.get(str(p), m):.2f}×" for p, m in
                                           zip(estimates["phase"], estimates["multiplier"])],
        t("app.camp.est.col.how", lang): [_kept_reason(r, lang) for r in estimates.itertuples(index=False)],
    })


def show_estimate(name: str, phases: pd.DataFrame, curves: engine.CurveSet, lang: str) -> None:
    """The last estimate from history for ``name`` with these curves: its table, or why there is none."""
    entry = state.CAMPAIGN_ESTIMATES.get().get(name)
    if not entry or entry.get("token") != curves.token:
        return
    found = entry["found"]
    if found.reason == "not_fitted":
        source = f"app.cur.source.{curves.source}"
        st.warning(t("app.camp.est.not_fitted", lang, source=t(source, lang) if source in STRINGS else curves.source))
        return
    if found.reason == "no_history" or found.estimates is None:
        st.warning(t("app.camp.est.no_history", lang, campaign=campaign_label(name, lang), first=found.first,
                     last=found.last, year=found.before))
        return
    labels = dict(zip(phases["phase"], phases["label_zh" if lang == "zh" else "label_en"]))
    st.caption(t("app.camp.est.caption", lang, campaign=campaign_label(name, lang), year=found.year))
    st.dataframe(estimate_view(found.estimates, entry.get("used", {}), labels, lang), hide_index=True,
                 width="stretch", key="campaign.estimates")
    if not (found.estimates["method"] == "regression").any():
        st.warning(t("app.camp.est.none_estimated", lang))


def phase_problems(phases: pd.DataFrame, lang: str) -> list[str]:
    label_col = "label_zh" if lang == "zh" else "label_en"
    out = []
    for row, _column, what in campaigns.check_phases(phases):
        label = phases[label_col].iloc[row - 1] if 0 < row <= len(phases) else str(row)
        out.append(t(f"app.camp.problem.{what}", lang, phase=label))
    return out


def settings_controls(name: str, base_total: float, lang: str) -> engine.CampaignSettings:
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        # the options' labels are money (percent × this campaign's base): one widget per campaign and base,
        # seeded from the model, so the slider shown is the budget planned and exported
        budget_key = state.CAMPAIGN_BUDGET_PCT.widget(context=budget_context(name, base_total))
        pct = st.select_slider(t("app.camp.budget", lang), BUDGET_PERCENTS, key=budget_key,
                               format_func=lambda p: f"{money(base_total * p / 100, lang, 2)}（{p}%）" if lang == "zh"
                               else f"{money(base_total * p / 100, lang, 2)} ({p}%)",
                               help=t("app.camp.budget_help", lang))
        state.CAMPAIGN_BUDGET_PCT.set(int(pct))
    with c2:
        key_min = st.slider(t("app.camp.key_min", lang), 0, 100, step=5, format="%d%%", key=state.CAMPAIGN_KEY_MIN.widget(),
                            help=t("app.camp.key_min_help", lang))
        state.CAMPAIGN_KEY_MIN.set(int(key_min))
    with c3:
        focus = st.selectbox(t("app.camp.focus", lang), FOCUS, key=state.CAMPAIGN_FOCUS.widget(),
                             format_func=lambda f: t(f"app.camp.focus.{f}", lang), help=t("app.camp.focus_help", lang))
        state.CAMPAIGN_FOCUS.set(focus)
    return shared.campaign_settings(base_total)


def lead_control(lang: str) -> int:
    """活动前规划天数: how many days before the campaign's first phase are planned too (the lead-in, 蓄水期; regular
    days under the same rules), 0 … :data:`engine.MAX_LEAD_DAYS`; drawn before the budget, whose base covers them."""
    c1, _ = st.columns([1, 3])
    days = c1.number_input(t("app.camp.lead_days", lang), min_value=0, max_value=engine.MAX_LEAD_DAYS, step=1,
                           key=state.CAMPAIGN_LEAD_DAYS.widget(), help=t("app.camp.lead_days_help", lang))
    state.CAMPAIGN_LEAD_DAYS.set(int(days or 0))
    return shared.campaign_lead_days()


def budget_span(campaign, horizon, lang: str) -> str:
    """Over how many days, and which, the budget runs: the campaign's, or the lead-in's before them too."""
    day = pd.Timedelta(days=1)
    start, end, first = pd.Timestamp(horizon.start), pd.Timestamp(horizon.end), pd.Timestamp(campaign.start)
    if start >= first:
        return t("app.camp.budget_span", lang, days=horizon.n_days, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}")
    return t("app.camp.budget_span_lead", lang, days=horizon.n_days, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}",
             lead=(first - start).days, lead_end=f"{first - day:%Y-%m-%d}", campaign_days=(end - first).days + 1,
             campaign_start=f"{first:%Y-%m-%d}")


def risk_control(lang: str, has_draws: bool) -> None:
    """平均 ↔ 稳健, the 优化 page's control of the same what-if setting (``state.RISK``). Its widget has a key of
    its own on this page: a widget key drawn on two pages in a row is a new widget to Streamlit, which would
    show it unset (and the model fall back to 稳健); this one is seeded from the setting each time the page
    opens."""
    if not has_draws:
        st.caption(t("app.opt.risk.no_draws", lang))
        return
    risk = st.segmented_control(
        t("app.opt.risk", lang), engine.RISKS, key=state.RISK.widget(context="campaign"), required=True,
        format_func=lambda r: t(f"app.opt.risk.{r}", lang), help=t("app.opt.risk_help", lang),
    )
    state.RISK.set(risk or "cvar")


def budget_context(name: str, base_total: float) -> str:
    """What the budget slider's labels depend on: the campaign and its base budget to the fen."""
    return f"{name}.{int(round(base_total * 100))}"


def phase_view(by_phase: pd.DataFrame, multipliers: dict, labels: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("app.camp.col.phase", lang): [labels.get(p, p) for p in by_phase["phase"]],
        t("app.camp.col.dates", lang): [f"{a:%m-%d} – {b:%m-%d}" for a, b in zip(by_phase["start"], by_phase["end"])],
        t("app.camp.col.days", lang): by_phase["days"],
        t("app.camp.col.response_x", lang): [f"{multipliers.get(p, 1.0):.2f}×" for p in by_phase["phase"]],
        t("app.camp.col.spend", lang): [money(v, lang, 2) for v in by_phase["spend"]],
        t("app.camp.col.per_day", lang): [money(v / d, lang, 2) for v, d in zip(by_phase["spend"], by_phase["days"])],
        t("app.camp.col.credited_gmv", lang): [money(v, lang, 2) for v in by_phase["credited_value"]],
        t("app.fig.roi", lang): [f"{v:.2f}" if np.isfinite(v) else "–" for v in by_phase["roi"]],
    })


def render() -> None:
    lang = state.lang()
    st.title(t("app.camp.title", lang))
    st.caption(t("app.camp.intro", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    curves = shared.curves_ready(ds, lang)
    if curves is None:
        return
    names = figures.labels(ds.channels, lang)

    name = st.segmented_control(t("app.camp.pick", lang), list(campaigns.CAMPAIGNS), key=state.CAMPAIGN.widget(),
                                required=True, format_func=lambda c: campaign_label(c, lang))
    state.CAMPAIGN.set(name if name in campaigns.CAMPAIGNS else "618")
    name = state.CAMPAIGN.get()

    st.markdown(f"**{t('app.camp.phases', lang)}**")
    phases = None
    with guard(lang, t("app.camp.phases", lang)):
        phases = phases_editor(name, lang)
        b1, b2, _ = st.columns([1, 1, 3])
        if b1.button(t("app.camp.reset", lang), key="campaign.reset", width="stretch"):
            state.CAMPAIGN_PHASES.get().pop(name, None)
            state.CAMPAIGN_ESTIMATES.get().pop(name, None)
            st.session_state.pop(f"w.campaign.phases.{name}", None)
            st.rerun()
        if b2.button(t("app.camp.estimate", lang), key="campaign.estimate", width="stretch",
                     help=t("app.camp.estimate_help", lang)):
            if estimate_from_history(name, curves):
                st.session_state.pop(f"w.campaign.phases.{name}", None)  # the editor shows the new multipliers
                st.rerun()
    with guard(lang, t("app.camp.estimate", lang)):
        if phases is not None:
            show_estimate(name, phases, curves, lang)
    if phases is None:
        return
    problems = phase_problems(phases, lang)
    if problems:
        st.error(t("app.camp.fix", lang) + "\n\n" + "\n".join(f"- {p}" for p in problems))
        return

    w = shared.whatif(curves.table)
    campaign = attempt(lang, t("app.camp.phases", lang), engine.campaign_of, name, phases)
    if campaign is None:
        return
    lead_control(lang)
    horizon = shared.campaign_horizon(campaign)
    n_days = horizon.n_days
    base_total = w.budget * n_days
    settings = settings_controls(name, base_total, lang)
    has_draws = curves.draws is not None and len(curves.draws) > 0
    risk_control(lang, has_draws)
    w = shared.whatif(curves.table)
    st.caption(t("app.camp.budget_exact", lang, total=settings.budget_total, daily=w.budget, days=n_days,
                 pct=state.CAMPAIGN_BUDGET_PCT.get()))
    st.caption(budget_span(campaign, horizon, lang))

    with st.spinner(t("app.camp.planning", lang)):
        planner = attempt(lang, t("app.camp.planning", lang), engine.campaign_planner, curves.token,
                          engine.campaign_key(name, phases), curves.table, campaign, curves.draws, settings.lead_days)
        setup = attempt(lang, t("app.camp.planning", lang), engine.campaign_setup, w, curves.table, settings, n_days,
                        planner.has_draws) if planner else None
        plan = attempt(lang, t("app.camp.planning", lang), planner.solve, setup) if setup else None
        flat = attempt(lang, t("app.camp.planning", lang), planner.solve, setup, flat=True) if plan is not None \
            and plan.solved else None
    if plan is None:
        return
    risk = plan.result.risk
    if risk.startswith("cvar") and planner.planner.choice_draws is not None:
        level = float(risk.partition(":")[2])
        st.caption(t("app.camp.risk_note", lang, n=planner.planner.choice_draws.n_draws,
                     tail=percent(1.0 - level, lang, 0)))
    if not plan.solved:
        from roimix.report.campaign import campaign_messages

        lines = [engine.message_text(m, lang, names, campaign=True) for m in campaign_messages(plan.result.messages)]
        st.error("\n\n".join([lines[0]] + ["\n".join(f"- {x}" for x in lines[1:])]) if lines else t("app.opt.infeasible", lang))
        return

    labels = dict(zip(phases["phase"], phases["label_zh" if lang == "zh" else "label_en"]))
    labels.setdefault("regular", t("campaign.phase.regular", lang))  # days outside every phase (the lead-in's)
    with guard(lang, t("app.camp.chart", lang)):
        c1, c2, c3, c4 = st.columns(4)
        over = "_days" if settings.lead_days else ""  # with a lead-in the money is over every day planned
        c1.metric(t("app.camp.total_spend" + over, lang, days=n_days), money(plan.spend_cny, lang, 2))
        c2.metric(t("app.camp.total_gmv" + over, lang, days=n_days), money(plan.gmv_cny, lang, 2))
        c3.metric(t("app.fig.roi", lang), f"{plan.roi:.2f}" if np.isfinite(plan.roi) else "–")
        if flat is not None and flat.solved and flat.gmv_cny > 0:
            gain = plan.gmv_cny - flat.gmv_cny
            c4.metric(t("app.camp.vs_flat", lang), money(gain, lang, 2), delta=percent(gain / flat.gmv_cny, lang),
                      help=t("app.camp.vs_flat_help", lang, flat=money(flat.gmv_cny, lang, 2)))
            if planner.has_draws:  # the gain's range across the curve draws the plan was not chosen on
                o = planner.outcome(plan, flat)
                if o is not None:
                    st.caption(t("app.camp.vs_flat_range", lang, p10=money(o.uplift_p10_cny, lang, 2),
                                 p50=money(o.uplift_p50_cny, lang, 2), p90=money(o.uplift_p90_cny, lang, 2),
                                 better=percent(o.prob_better_than_current, lang, 0)))
        shared.beyond_history_warning(plan.daily, engine.highest_days(ds.token, ds), names, lang, campaign=True)
        per_channel = plan.daily.groupby(["date", "channel"], as_index=False)["spend"].sum()
        by_phase = plan.by_phase()
        shown = by_phase[by_phase["phase"] != "regular"].assign(label=lambda f: f["phase"].map(labels))
        lead_in = None
        if settings.lead_days:  # the regular days before the first phase: the lead-in, shaded apart
            campaign_start = plan.daily.loc[plan.daily["phase"] != "regular", "date"].min()
            before = plan.daily.loc[plan.daily["date"] < campaign_start, "date"]
            lead_in = (before.min(), before.max()) if len(before) else None
        st.plotly_chart(figures.daily_plan(per_channel, shown[["label", "start", "end"]], ds.channels, lang, lead_in),
                        key="fig.daily_plan", config={"displaylogo": False})
        st.dataframe(phase_view(by_phase, dict(zip(phases["phase"], phases["multiplier"])), labels, lang),
                     hide_index=True, width="stretch")
        from roimix.report.campaign import campaign_messages

        binding = [m for m in campaign_messages(plan.result.messages) if ".binding." in m.key]
        st.markdown(f"**{t('app.opt.binding', lang)}**")
        if binding:
            st.markdown("\n".join(f"- {engine.message_text(m, lang, names, campaign=True)}" for m in binding))
        else:
            st.caption(t("app.opt.no_binding", lang))
        st.caption(t("app.camp.engine_note_lead", lang, days=n_days, lead=settings.lead_days) if settings.lead_days
                   else t("app.camp.engine_note", lang))
    with guard(lang, t("app.camp.download", lang)):
        settings_rows = (
            (t("app.camp.budget", lang), f"{settings.budget_total:,.2f}", t("app.page.campaign", lang)),
            (t("app.camp.key_min", lang), percent(settings.key_daily_min or 0.0, lang, 0), t("app.page.campaign", lang)),
            (t("app.camp.focus", lang), t(f"app.camp.focus.{settings.focus}", lang), t("app.page.campaign", lang)),
        ) + tuple((f"{t('app.camp.col.response_x', lang)}: {labels.get(p, p)}", f"{m:.2f}×", t("app.page.campaign", lang))
                  for p, m in zip(phases["phase"], phases["multiplier"]))
        if settings.lead_days:  # the lead-in (the summary's 计划期 states the dates planned)
            settings_rows += ((t("app.camp.lead_days", lang), str(settings.lead_days), t("app.page.campaign", lang)),)
        outcome = planner.outcome(plan, flat) if planner.has_draws and flat is not None and flat.solved else None
        cols = st.columns(3)
        for col, kind in zip(cols, exports.KINDS):
            data = attempt(lang, t("app.scn.export_what", lang, kind=kind.upper()), exports.campaign_file, kind, plan,
                           flat, w, curves.source, ds.sources, figures.labels(ds.channels, lang), lang,
                           f"{campaign_label(name, lang)} {campaign.start:%Y}", campaign_label(name, lang), settings_rows,
                           outcome, (curves.table, ds.spend))
            if data is not None:
                col.download_button(t(f"app.camp.download.{kind}", lang), data, file_name=f"roimix-{name}-daily-plan.{kind}",
                                    mime=exports.MIME[kind], key=f"campaign.{kind}", on_click="ignore", width="stretch",
                                    icon=":material/download:")


if __name__ == "__main__":
    render()
