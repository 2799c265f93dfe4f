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
    curves = shared.curves(ds, lang)
    if curves is None:
        return
    shared.ensure_whatif(curves.table, ds.channels)
    planner = attempt(lang, t("app.opt.building", lang), engine.planner_for, curves)
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
    return plan, result, {**plan_labels, **channel_labels(lang)}


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
    plan, result, labels = found
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


if __name__ == "__main__":
    render()
