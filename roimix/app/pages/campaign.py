"""Page 5 · Campaign: 618 / Double 11 / 年货节 phases and multipliers, and the daily plan they give."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from roimix.app import campaigns, data, engine, exports, figures, shared, state
from roimix.app.errors import attempt, guard
from roimix.text import money, t


def phases_for(name: str, lang: str) -> pd.DataFrame:
    """The user's phases for ``name`` (the template the first time)."""
    stored = state.CAMPAIGN_PHASES.get()
    if name not in stored:
        year = campaigns.next_year(name, dt.date.today())
        stored[name] = campaigns.template(name, year, data.sample_calendar())
    return stored[name]


EDITABLE = ["start", "end", "spend_multiplier", "response_multiplier"]


def phases_editor(name: str, lang: str) -> pd.DataFrame:
    key = f"w.campaign.phases.{name}"
    model = state.apply_edits(phases_for(name, lang), state.editor_edits(key), EDITABLE, dates=("start", "end"))
    label_col = "label_zh" if lang == "zh" else "label_en"
    shown = pd.DataFrame({"label": model[label_col], "start": pd.to_datetime(model["start"]).dt.date,
                          "end": pd.to_datetime(model["end"]).dt.date, "spend_multiplier": model["spend_multiplier"],
                          "response_multiplier": model["response_multiplier"]})
    edited = st.data_editor(
        shown, key=key, hide_index=True, num_rows="fixed", width="stretch", disabled=["label"],
        column_config={
            "label": st.column_config.TextColumn(t("app.camp.col.phase", lang)),
            "start": st.column_config.DateColumn(t("app.camp.col.start", lang), format="YYYY-MM-DD"),
            "end": st.column_config.DateColumn(t("app.camp.col.end", lang), format="YYYY-MM-DD"),
            "spend_multiplier": st.column_config.NumberColumn(t("app.camp.col.spend_x", lang), min_value=0.0,
                                                              max_value=20.0, step=0.05, format="%.2f×",
                                                              help=t("app.camp.col.spend_x_help", lang)),
            "response_multiplier": st.column_config.NumberColumn(t("app.camp.col.response_x", lang), min_value=0.0,
                                                                 max_value=20.0, step=0.05, format="%.2f×",
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


def phase_problems(phases: pd.DataFrame, lang: str) -> list[str]:
    label_col = "label_zh" if lang == "zh" else "label_en"
    out = []
    for row, column, what in campaigns.check_phases(phases):
        label = phases[label_col].iloc[row - 1] if 0 < row <= len(phases) else str(row)
        out.append(t(f"app.camp.problem.{what}", lang, phase=label))
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def cached_plan(token: str, w: engine.WhatIf, days_key: tuple, _planner, _days: pd.DataFrame):
    return engine.campaign_plan(_planner, w, _days)


def phase_view(phases: pd.DataFrame, lang: str) -> pd.DataFrame:
    def m(v):
        return money(v, lang, 2) if np.isfinite(v) else "–"

    return pd.DataFrame({
        t("app.camp.col.phase", lang): phases["label"],
        t("app.camp.col.dates", lang): [f"{a:%m-%d} – {b:%m-%d}" for a, b in zip(phases["start"], phases["end"])],
        t("app.camp.col.days", lang): phases["days"],
        t("app.camp.col.budget", lang): [m(v) for v in phases["budget"]],
        t("app.scn.col.status", lang): [t(f"optimizer.status.{s}", lang) for s in phases["status"]],
        t("app.camp.col.spend", lang): [m(v) for v in phases["spend"]],
        t("app.camp.col.gmv", lang): [m(v) for v in phases["gmv"]],
        "ROI": [f"{g / s:.2f}" if np.isfinite(s) and s > 0 else "–" for g, s in zip(phases["gmv"], phases["spend"])],
    })


def render() -> None:
    lang = state.lang()
    st.title(t("app.camp.title", lang))
    st.caption(t("app.camp.intro", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    curves = shared.curves(ds, lang)
    if curves is None:
        return
    shared.ensure_whatif(curves.table, ds.channels)
    planner = attempt(lang, t("app.opt.building", lang), engine.planner_for, curves)
    if planner is None:
        return

    name = st.segmented_control(t("app.camp.pick", lang), list(campaigns.CAMPAIGNS), key=state.CAMPAIGN.widget(),
                                required=True, format_func=lambda c: t(f"app.camp.name.{c}", lang))
    state.CAMPAIGN.set(name or "618")
    name = state.CAMPAIGN.get()

    st.markdown(f"**{t('app.camp.phases', lang)}**")
    with guard(lang, t("app.camp.phases", lang)):
        phases = phases_editor(name, lang)
        c1, c2 = st.columns([1, 3])
        if c1.button(t("app.camp.reset", lang), key="campaign.reset"):
            state.CAMPAIGN_PHASES.get().pop(name, None)
            st.session_state.pop(f"w.campaign.phases.{name}", None)
            st.rerun()
        w = shared.whatif()
        c2.caption(t("app.camp.base", lang, budget=money(w.budget, lang, 2)))
    problems = phase_problems(phases, lang)
    if problems:
        st.error(t("app.camp.fix", lang) + "\n\n" + "\n".join(f"- {p}" for p in problems))
        return
    days = campaigns.day_table(phases, lang)
    key = tuple(map(tuple, days[["date", "spend_multiplier", "response_multiplier"]].astype(str).to_numpy()))
    with st.spinner(t("app.camp.planning", lang)):
        planned = attempt(lang, t("app.camp.planning", lang), cached_plan, curves.token, w, key, planner, days)
    if planned is None:
        return
    daily, summary = planned
    labels = dict(zip(phases["phase"], phases["label_zh" if lang == "zh" else "label_en"]))
    summary = summary.assign(label=summary["phase"].map(labels))  # the plan is cached across languages
    with guard(lang, t("app.camp.chart", lang)):
        per_channel = daily.groupby(["date", "channel"], as_index=False)["spend"].sum()
        st.plotly_chart(figures.daily_plan(per_channel, summary, ds.channels, lang), key="fig.daily_plan",
                        config={"displaylogo": False})
        total_spend, total_gmv = float(np.nansum(summary["spend"])), float(np.nansum(summary["gmv"]))
        c1, c2, c3 = st.columns(3)
        c1.metric(t("app.camp.total_spend", lang), money(total_spend, lang, 2))
        c2.metric(t("app.camp.total_gmv", lang), money(total_gmv, lang, 2))
        c3.metric("ROI", f"{total_gmv / total_spend:.2f}" if total_spend > 0 else "–")
        st.dataframe(phase_view(summary, lang), hide_index=True, width="stretch")
        if (summary["status"] != "optimal").any():
            st.warning(t("app.camp.some_infeasible", lang))
        st.caption(t("app.camp.preview_note", lang))
    with guard(lang, t("app.camp.download", lang)):
        result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
        if result is not None and result.solved and len(daily):
            out = daily.assign(date=pd.to_datetime(daily["date"]).dt.strftime("%Y-%m-%d"))
            c1, c2 = st.columns(2)
            c1.download_button(t("app.camp.download_csv", lang), exports.build("csv", result, w, curves.source, ds.token, out),
                               file_name=f"roimix-{name}-daily-plan.csv", mime=exports.MIME["csv"], key="campaign.csv",
                               on_click="ignore", icon=":material/download:")
            c2.download_button(t("app.camp.download_xlsx", lang),
                               exports.build("xlsx", result, w, curves.source, ds.token, out),
                               file_name=f"roimix-{name}-daily-plan.xlsx", mime=exports.MIME["xlsx"],
                               key="campaign.xlsx", on_click="ignore", icon=":material/download:")


if __name__ == "__main__":
    render()
