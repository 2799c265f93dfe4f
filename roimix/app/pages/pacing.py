"""Page · 投放执行 / Pacing: a plan against the actual spend and GMV (issue 18 item 3).

Thin over :mod:`roimix.pacing`: the user uploads a plan file (the JSON ``roimix plan --out plan.json``, the
scenarios page's JSON download or ``roimix batch`` writes) and the actual spend, optionally the daily GMV or the
orders log; the page shows planned vs actual spend per channel and day, GMV against the plan's band, and the
alerts in words. Uploads are kept in the session (slots below), so a page or language switch keeps them.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from roimix.app import data, engine, exports, figures, shared, state
from roimix.app.errors import attempt
from roimix.app.figures import FONT, PALETTE
from roimix.text import money, percent, t

# (file name, bytes) of what the user gave: the plan, the actual spend, the daily GMV (outcome contract), the
# orders; a daily plan's first day (None: the actuals' first day). Comments, not strings: Streamlit's magic
# would draw a bare string on the page.
PLAN: state.Slot[tuple | None] = state.Slot("pacing.plan", None)
SPEND: state.Slot[tuple | None] = state.Slot("pacing.spend", None)
GMV: state.Slot[tuple | None] = state.Slot("pacing.gmv", None)
ORDERS: state.Slot[tuple | None] = state.Slot("pacing.orders", None)
START: state.Slot[object] = state.Slot("pacing.start", None)
# the re-plan's first remaining day (None: the day after the actuals' last) and the inputs of the re-plan asked for
# (shown again on a rerun while they hold)
REPLAN_FIRST: state.Slot[object] = state.Slot("pacing.replan.first", None)
REPLAN_ASKED: state.Slot[object] = state.Slot("pacing.replan.asked", None)


def _take(label: str, slot: state.Slot, types: list[str], key: str) -> None:
    """An uploader whose file is kept in ``slot`` (a rerun without a new file keeps the old one)."""
    found = st.file_uploader(label, type=types, key=key)
    if found is not None:
        slot.set((found.name, found.getvalue()))
    if slot.get() is not None:
        st.caption(slot.get()[0])


def plan_from_session(lang: str) -> None:
    """The optimise page's current plan as its JSON download (the same file as 方案与导出's), into :data:`PLAN`."""
    ds = shared.dataset(lang)
    if ds is None:
        return
    curves, planner = shared.planner_ready(ds, lang)
    if planner is None:
        return
    whatif = shared.whatif(planner.table)
    result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, whatif)
    if result is None or not result.solved:
        st.warning(t("app.scn.no_plan_to_export", lang))
        return
    name = t("pacing.app.session_plan_name", lang)
    raw = attempt(lang, t("pacing.app.what", lang), exports.plan_file, "json", result, whatif, curves.source,
                  ds.sources, figures.labels(ds.channels, lang), lang, name)
    if raw is not None:
        PLAN.set((f"{name}.json", raw))


def plan_from_campaign(lang: str) -> None:
    """The 大促 page's current plan as its JSON download (the file ``roimix batch`` writes), into :data:`PLAN`."""
    from roimix.app.pages.campaign import campaign_label

    sc = shared.session_campaign(lang)
    if sc is None:
        return
    plan = attempt(lang, t("app.camp.planning", lang), sc.planner.solve, sc.setup)
    if plan is None or not plan.solved:
        st.warning(t("app.scn.no_plan_to_export", lang))
        return
    label = campaign_label(sc.name, lang)
    raw = attempt(lang, t("pacing.app.what", lang), exports.campaign_file, "json", plan, None, sc.whatif,
                  sc.curves.source, sc.ds.sources, figures.labels(sc.ds.channels, lang), lang,
                  f"{label} {sc.campaign.start:%Y}", label)
    if raw is not None:
        PLAN.set((f"{sc.name}-{sc.campaign.start:%Y}.json", raw))


# --- re-plan the rest (issue 18 item 4) -------------------------------------------------------------------


def first_remaining_default(spend: pd.DataFrame, start, end) -> pd.Timestamp:
    """The day after the actuals' last day, kept within the campaign's second … last day."""
    day = pd.to_datetime(spend["date"]).max().normalize() + pd.Timedelta(days=1) if len(spend) else pd.Timestamp(start)
    return min(max(day, pd.Timestamp(start) + pd.Timedelta(days=1)), pd.Timestamp(end))


def uploaded_budget(setup, plan):
    """``setup`` with the uploaded plan's budget: what it spends over its days is what may be spent (the 大促 page's
    reserve share kept on top), so the re-plan moves that plan's money, not the 大促 page's budget."""
    from dataclasses import replace

    budget = setup.budget
    if budget is None:
        return setup
    planned = float(plan.cells["spend"].sum())
    return replace(setup, budget=replace(budget, total_cny=planned / (1.0 - budget.reserve_share)))


def replan_days(sc, plan):
    """(the horizon re-planned, its campaign scenario) for an uploaded campaign plan: (None, the page's) when the
    plan has the 大促 page's days (its campaign's, from the lead-in's first day when the page plans days before the
    phases too: ``sc.horizon``, the shared planner's); the plan's own when its days hold the page's campaign (e.g.
    ``roimix batch`` of a scenario whose horizon starts before the phases: those days are regular days), with the
    page's rules over that many days; (None, None) when the plan's days do not hold the campaign (its phases could
    not be placed)."""
    from optimizer.campaign import Horizon

    start, end = pd.Timestamp(sc.campaign.start), pd.Timestamp(sc.campaign.end)
    plan_start, plan_end = pd.Timestamp(plan.start), pd.Timestamp(plan.end)
    if (plan_start, plan_end) == (pd.Timestamp(sc.horizon.start), pd.Timestamp(sc.horizon.end)):
        return None, sc.setup
    if not (plan_start <= start and end <= plan_end):
        return None, None
    n_days = (plan_end - plan_start).days + 1
    setup = engine.campaign_setup(sc.whatif, sc.curves.table, sc.settings, n_days, sc.planner.has_draws)
    return Horizon(plan_start.date(), plan_end.date()), setup


def compute_replan(sc, plan, spend: pd.DataFrame, first: pd.Timestamp, spend_name: str, horizon=None, setup=None):
    """The re-planned rest of the session's campaign with the uploaded plan's budget (:func:`uploaded_budget`),
    over ``horizon`` (default: the campaign's; see :func:`replan_days`), compared with that plan's remaining days;
    an actual row for a channel or segment the curves lack is an error naming file, row and column."""
    from roimix.scenarios.replan import check_actual_cells

    actual = spend.reset_index(drop=True).assign(
        date=lambda f: pd.to_datetime(f["date"]).dt.normalize(), channel=lambda f: f["channel"].astype(str),
        segment=lambda f: f["segment"].astype(str))[["date", "channel", "segment", "spend"]]
    check_actual_cells(actual, sc.planner.curves, spend_name)
    original = plan.cells[["date", "channel", "segment", "spend"]]
    return sc.planner.replan(uploaded_budget(setup or sc.setup, plan), actual, first.date(), original,
                             horizon=horizon)


def replan_figure(by_channel: pd.DataFrame, labels: dict, lang: str) -> go.Figure:
    """Before vs after per channel over the remaining days (grouped bars)."""
    names = [labels.get(c, c) for c in by_channel["channel"]]
    traces = [go.Bar(x=names, y=by_channel["before"], name=t("replan.app.before", lang), marker={"color": "#AAAAAA"}),
              go.Bar(x=names, y=by_channel["after"], name=t("replan.app.after", lang), marker={"color": PALETTE[0]})]
    layout = _layout(t("replan.app.chart", lang), lang) | {"barmode": "group", "xaxis": {}}
    return go.Figure(traces, layout=layout)


def replan_view(by_channel: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("campaign.col.channel_label", lang): [labels.get(c, c) for c in by_channel["channel"]],
        t("replan.col.before", lang): [money(v, lang, 2) if pd.notna(v) else "–" for v in by_channel["before"]],
        t("replan.col.after", lang): [money(v, lang, 2) for v in by_channel["after"]],
        t("replan.col.change", lang): [("+" if v > 0 else "") + money(v, lang, 2) if pd.notna(v) else "–"
                                       for v in by_channel["change"]],
    })


def replan_section(plan, spend: pd.DataFrame, labels: dict, lang: str) -> None:
    """重新规划剩余预算: the session's campaign (curves, calendar, rules of the 大促 page) re-planned from the first
    remaining day with the days before it as actually spent, against the uploaded plan's remaining days."""
    from roimix.app.pages.campaign import campaign_label
    from roimix.report.replan import binding_table, by_channel, changes_table, note_lines

    st.subheader(t("replan.app.title", lang))
    st.caption(t("replan.app.intro", lang))
    sc = shared.session_campaign(lang)
    if sc is None:
        return
    start, end = pd.Timestamp(sc.campaign.start), pd.Timestamp(sc.campaign.end)
    dates = {"plan_start": f"{pd.Timestamp(plan.start):%Y-%m-%d}", "plan_end": f"{pd.Timestamp(plan.end):%Y-%m-%d}",
             "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    days = attempt(lang, t("replan.app.what", lang), replan_days, sc, plan)
    if days is None:
        return
    horizon, setup = days
    if setup is None:
        st.warning(t("replan.app.horizon_differs", lang, **dates))
        return
    if horizon is not None:
        st.caption(t("replan.app.own_horizon", lang, **dates))
    start, end = pd.Timestamp((horizon or sc.horizon).start), pd.Timestamp((horizon or sc.horizon).end)
    default = first_remaining_default(spend, start, end)
    if sc.setup.budget is not None:
        st.caption(t("replan.app.budget_from_plan", lang, planned=money(float(plan.cells["spend"].sum()), lang, 2),
                     page=money(sc.setup.budget.spendable_cny, lang, 2)))
    c1, c2 = st.columns([2, 1])
    # seeded with the day after the actuals' last (a new actuals file or campaign seeds it again)
    key = REPLAN_FIRST.widget(value=default.date(), context=f"{default:%Y%m%d}.{start:%Y%m%d}.{end:%Y%m%d}")
    first = c1.date_input(t("replan.app.first", lang), min_value=(start + pd.Timedelta(days=1)).date(),
                          max_value=end.date(), key=key)
    REPLAN_FIRST.set(first)
    first = pd.Timestamp(first)
    spend_name = SPEND.get()[0]
    asked = (PLAN.get()[0], spend_name, f"{first:%Y-%m-%d}", repr(uploaded_budget(setup, plan)), repr(horizon))
    if c2.button(t("replan.app.run", lang), key="pacing.replan.run", icon=":material/autorenew:", type="primary"):
        REPLAN_ASKED.set(asked)
    if REPLAN_ASKED.get() != asked:
        return
    with st.spinner(t("replan.app.running", lang)):
        again = attempt(lang, t("replan.app.what", lang), compute_replan, sc, plan, spend, first, spend_name,
                        horizon, setup)
    if again is None:
        return
    if not again.plan.solved:
        from roimix.report.replan import infeasible_lines

        st.error("\n\n".join(infeasible_lines(again.plan, lang)))
        return
    shared.beyond_history_warning(again.plan.daily, engine.highest_days(sc.ds.token, sc.ds),
                                  figures.labels(sc.ds.channels, lang), lang, campaign=True)
    changes = changes_table(again.changes, again.plan.spend_cny)
    per_channel = by_channel(changes)
    m = st.columns(3)
    m[0].metric(t("replan.app.metric.spent", lang), money(again.spent_cny, lang, 2))
    m[1].metric(t("replan.app.metric.remaining", lang), money(again.remaining_budget_cny, lang, 2))
    m[2].metric(t("replan.app.metric.gmv", lang), money(again.plan.gmv_cny, lang, 2))
    st.markdown(f"**{t('replan.app.changes', lang)}**")
    st.caption(t("replan.compared.app", lang, file=PLAN.get()[0]))
    st.dataframe(replan_view(per_channel, labels, lang), hide_index=True, width="stretch", key="pacing.replan.table")
    st.plotly_chart(replan_figure(per_channel, labels, lang), key="pacing.replan.chart")
    st.markdown(f"**{t('replan.app.binding', lang)}**")
    rules = again.plan.result.rules["rule"] if len(again.plan.result.rules) else ()
    per_channel_rules = [r for r in map(str, rules) if r.partition(":")[0] in ("bounds", "lock", "unfit")]
    binding = binding_table(again.binding, again.plan, lang, exports.rule_labels(per_channel_rules, labels, lang))
    if len(binding):
        st.markdown("\n".join(f"- {line}" for line in binding["explanation"] if line))
    else:
        st.caption(t("replan.no_binding", lang))
    for line in note_lines(again.notes, lang):
        st.caption(line)
    label = campaign_label(sc.name, lang)
    data_ = attempt(lang, t("replan.app.download", lang), exports.replan_file, "xlsx", again, first, PLAN.get()[0],
                    sc.whatif, sc.curves.source, sc.ds.sources, figures.labels(sc.ds.channels, lang), lang,
                    f"{label} {sc.campaign.start:%Y}", label, history=sc.ds.spend)
    if data_ is not None:
        st.download_button(t("replan.app.download", lang), data_, file_name=f"roimix-{sc.name}-replan.xlsx",
                           key="pacing.replan.download", on_click="ignore", mime=exports.MIME["xlsx"],
                           icon=":material/download:")


def channel_labels(lang: str) -> dict[str, str]:
    """channel → label of the channels table the data page holds (an upload, else the sample's)."""
    uploaded = state.UPLOADS.get().get("channels")
    frame = getattr(uploaded, "frame", None)
    if frame is None and (data.SAMPLE / "channels.csv").exists():
        frame = pd.read_csv(data.SAMPLE / "channels.csv")
    col = f"label_{lang}"
    if frame is None or col not in frame.columns:
        return {}
    return {str(c): str(v) for c, v in zip(frame["channel"], frame[col]) if isinstance(v, str) and v}


def compute(lang: str):
    """(plan, pacing) from what the user gave; the table readers' problems name file, row and column."""
    from roimix.pacing import orders_to_gmv, pace
    from roimix.pacing.files import plan_from_bytes

    name, raw = PLAN.get()
    start = START.get()
    plan, plan_labels = plan_from_bytes(raw, name, start=None if start is None else pd.Timestamp(start))
    spend_name, spend_raw = SPEND.get()
    spend = data.read_upload("spend", spend_name, spend_raw)
    gmv, gmv_name = None, "outcome"
    if GMV.get() is not None:
        gmv_name, gmv_raw = GMV.get()
        gmv = data.read_upload("outcome", gmv_name, gmv_raw)
    elif ORDERS.get() is not None:
        gmv_name, orders_raw = ORDERS.get()
        gmv = orders_to_gmv(data.read_upload("conversions", gmv_name, orders_raw))
    result = pace(plan, spend, gmv, spend_file=spend_name, gmv_file=gmv_name)
    return plan, result, {**plan_labels, **channel_labels(lang)}, spend


def spend_figure(result, labels: dict, lang: str) -> go.Figure:
    """Planned (dashed) and actual (solid) spend per channel and day, one colour per channel."""
    traces = []
    for i, (channel, part) in enumerate(result.channels.groupby("channel", sort=False)):
        colour, name = PALETTE[i % len(PALETTE)], labels.get(channel, channel)
        traces.append(go.Scatter(x=part["date"], y=part["actual_spend"], mode="lines+markers", line={"color": colour},
                                 name=f"{name} · {t('pacing.app.actual', lang)}", legendgroup=channel))
        traces.append(go.Scatter(x=part["date"], y=part["planned_spend"], mode="lines",
                                 line={"color": colour, "dash": "dash"}, legendgroup=channel,
                                 name=f"{name} · {t('pacing.app.planned', lang)}"))
    return go.Figure(traces, layout=_layout(t("pacing.app.spend_chart", lang), lang))


def gmv_figure(result, lang: str) -> go.Figure:
    total = result.gmv[result.gmv["segment"] == "all"]
    traces = []
    if total["band_low"].notna().any():
        traces.append(go.Scatter(x=total["date"], y=total["band_high"], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        traces.append(go.Scatter(x=total["date"], y=total["band_low"], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor="rgba(31,119,180,0.18)", name=t("pacing.app.band", lang)))
        traces.append(go.Scatter(x=total["date"], y=total["planned_gmv"], mode="lines",
                                 line={"color": "#1F77B4", "dash": "dash"}, name=t("pacing.app.planned", lang)))
    colours = ["#2CA02C" if ok is not False else "#D62728" for ok in total["in_band"].astype(object)]
    traces.append(go.Scatter(x=total["date"], y=total["actual_gmv"], mode="lines+markers", line={"color": "#333333"},
                             marker={"color": colours, "size": 9}, name=t("pacing.app.actual", lang)))
    return go.Figure(traces, layout=_layout(t("pacing.app.gmv_chart", lang), lang))


def _layout(title: str, lang: str) -> dict:
    return {"title": {"text": title, "x": 0.0, "xanchor": "left"}, "height": 420,
            "margin": {"l": 10, "r": 10, "t": 60, "b": 10}, "font": {"family": FONT, "size": 13},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0}, "plot_bgcolor": "white",
            "yaxis": {"tickprefix": "¥", "rangemode": "tozero", "gridcolor": "#EEEEEE"},
            "xaxis": {"tickformat": "%m-%d"}}


def render() -> None:
    from roimix.pacing.report import alert_lines, channel_view, gmv_view, in_band_days, note_lines, workbook_bytes

    lang = state.lang()
    st.title(t("pacing.app.title", lang))
    st.caption(t("pacing.app.intro", lang))
    c1, c2 = st.columns(2)
    with c1:
        _take(t("pacing.app.plan", lang), PLAN, ["json"], "pacing.upload.plan")
        if st.button(t("pacing.app.use_session_plan", lang), key="pacing.session_plan",
                     icon=":material/input:"):
            plan_from_session(lang)
            if PLAN.get() is not None:
                st.caption(PLAN.get()[0])
        if st.button(t("pacing.app.use_campaign_plan", lang), key="pacing.campaign_plan",
                     icon=":material/event:"):
            plan_from_campaign(lang)
            if PLAN.get() is not None:
                st.caption(PLAN.get()[0])
        _take(t("pacing.app.spend", lang), SPEND, ["csv", "xlsx", "parquet"], "pacing.upload.spend")
    with c2:
        _take(t("pacing.app.gmv", lang), GMV, ["csv", "xlsx", "parquet"], "pacing.upload.gmv")
        _take(t("pacing.app.orders", lang), ORDERS, ["csv", "xlsx", "parquet"], "pacing.upload.orders")
        start = st.date_input(t("pacing.app.start", lang), key=START.widget())
        START.set(start)
    if PLAN.get() is None or SPEND.get() is None:
        st.info(t("pacing.app.waiting", lang))
        return
    found = attempt(lang, t("pacing.app.what", lang), compute, lang)
    if found is None:
        return
    plan, result, labels, spend = found
    tot = result.totals
    m = st.columns(4)
    m[0].metric(t("pacing.app.metric.planned", lang), money(tot["planned_spend"], lang))
    m[1].metric(t("pacing.app.metric.actual", lang), money(tot["actual_spend"], lang))
    m[2].metric(t("pacing.app.metric.pace", lang),
                percent(tot["actual_spend"] / tot["planned_spend"], lang) if tot["planned_spend"] > 0 else "–")
    inside, banded = in_band_days(result)
    m[3].metric(t("pacing.app.metric.in_band", lang), f"{inside} / {banded}" if banded else "–")
    st.subheader(t("pacing.app.alerts", lang))
    alerts = alert_lines(result, lang, labels)
    for line in alerts:
        st.warning(line, icon=":material/warning:")
    if not alerts:
        st.success(t("pacing.app.no_alerts", lang))
    st.plotly_chart(spend_figure(result, labels, lang), key="pacing.spend_chart")
    if len(result.gmv):
        st.plotly_chart(gmv_figure(result, lang), key="pacing.gmv_chart")
    notes = note_lines(result, lang, labels)
    if notes:
        st.subheader(t("pacing.app.notes", lang))
        for line in notes:
            st.caption(line)
    st.subheader(t("pacing.app.table", lang))
    st.dataframe(channel_view(result, lang, labels), hide_index=True, width="stretch")
    if len(result.gmv):
        st.dataframe(gmv_view(result, lang), hide_index=True, width="stretch")
    st.download_button(t("pacing.app.download", lang), workbook_bytes(result, lang, labels),
                       file_name="roimix-pacing.xlsx", key="pacing.download", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:")
    if plan.by_date:
        replan_section(plan, spend, labels, lang)


if __name__ == "__main__":
    render()
