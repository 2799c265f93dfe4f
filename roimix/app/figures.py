"""Plotly figures: each takes tidy DataFrames and a language and returns a Figure.

Every channel has one fixed colour everywhere (:func:`channel_colours`); money axes and hover
texts use the reader's units (万/亿 in Chinese, K/M in English) via :mod:`roimix.text`.
Figures never read session state or call an engine, so they are tested directly on small tables.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from roimix.text import money, number, percent, t

BASELINE_COLOUR = "#B8BEC6"
KNOWN_COLOURS = {
    # well-known channel ids get the colour a Chinese marketer associates with the platform
    "ztc": "#FF5000",  # 直通车 (Tmall orange)
    "wxt": "#F4A000",  # 万相台
    "qianchuan": "#1D2B53",  # 巨量千川
    "xiaohongshu": "#E8283C",  # 小红书 red
    "douyin_content": "#14B8C8",  # 抖音 cyan
    "douyin_kol": "#8E44AD",  # 达人直播
    "wechat_group": "#07A85A",  # 微信 green
    "brand_search": "#5D6D7E",
    "direct": "#95A5A6",
}
PALETTE = (
    "#1F77B4", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#BCBD22", "#17BECF", "#FF7F0E",
    "#393B79", "#637939", "#8C6D31", "#843C39", "#7B4173", "#3182BD", "#31A354", "#E6550D", "#756BB1",
)
PSEUDO = {"(baseline)": BASELINE_COLOUR, "(none)": "#D5D8DC"}
_CD2 = {"spend": "%{customdata[0]}", "gmv": "%{customdata[1]}"}
_SWEEP = {"budget": "%{customdata[0]}", "value": "%{customdata[1]}"}
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"


def channel_colours(channels: pd.DataFrame) -> dict[str, str]:
    """One colour per channel of ``channels`` (its order decides colours for unknown ids), stable across pages."""
    out = dict(PSEUDO)
    used = set()
    for ch in channels["channel"]:
        if ch in KNOWN_COLOURS:
            out[ch] = KNOWN_COLOURS[ch]
            used.add(KNOWN_COLOURS[ch])
    free = [c for c in PALETTE if c not in used]
    i = 0
    for ch in channels["channel"]:
        if ch not in out:
            out[ch] = free[i % len(free)]
            i += 1
    return out


def labels(channels: pd.DataFrame, lang: str) -> dict[str, str]:
    col = "label_zh" if lang == "zh" else "label_en"
    out = dict(zip(channels["channel"], channels[col]))
    out["(baseline)"] = t("baseline", lang)
    out["(none)"] = t("no_touch", lang)
    return out


def _label(ch: str, names: dict[str, str]) -> str:
    return names.get(ch, ch)


# --- axes in the reader's units --------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """About ``n`` round tick values covering ``[lo, hi]``."""
    lo, hi = float(min(lo, hi)), float(max(lo, hi))
    if not np.isfinite(lo) or not np.isfinite(hi):
        return np.array([0.0])
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * mag - raw)) * mag
    start = math.floor(lo / step) * step
    return np.arange(start, hi + step * 0.999, step)


def _tick_text(values: np.ndarray, fmt) -> list[str]:
    for digits in (0, 1, 2):
        text = [fmt(v, digits) for v in values]
        if len(set(text)) == len(text):
            return text
    return text


def money_axis(fig: go.Figure, values, lang: str, *, axis: str = "y", row=None, col=None, zero: bool = True) -> None:
    """Ticks of a money axis as ¥x万 / ¥xK."""
    v = np.asarray(pd.Series(values, dtype=float).dropna())
    if not len(v):
        return
    lo = min(0.0, v.min()) if zero else v.min()
    ticks = nice_ticks(lo, v.max())
    text = _tick_text(ticks, lambda x, d: money(x, lang, d))
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickvals=ticks, ticktext=text, row=row, col=col)


def _base_layout(fig: go.Figure, title: str, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font={"family": FONT, "size": 13},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0} if legend else None,
        showlegend=legend,
        hoverlabel={"font": {"family": FONT}},
        template="plotly_white",
    )
    return fig


def empty(message: str, *, height: int = 240) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _base_layout(fig, "", height=height, legend=False)


# --- data page ------------------------------------------------------------------------------------------


def daily_overview(daily: pd.DataFrame, channels: pd.DataFrame, lang: str) -> go.Figure:
    """Spend by day stacked by channel (top) and GMV by day (bottom).

    ``daily``: date, channel, measure (``spend`` or ``gmv``), amount (yuan).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(t("app.fig.spend_by_day", lang), t("app.fig.gmv_by_day", lang)))
    spend = daily[daily["measure"] == "spend"]
    order = [c for c in channels["channel"] if c in set(spend["channel"])]
    order += sorted(set(spend["channel"]) - set(order))
    for ch in order:
        part = spend[spend["channel"] == ch].sort_values("date")
        fig.add_bar(
            x=part["date"], y=part["amount"], name=_label(ch, names), marker_color=colours.get(ch),
            customdata=[money(v, lang) for v in part["amount"]],
            hovertemplate="%{x|%Y-%m-%d} · " + _label(ch, names).replace("%", "%%") + ": %{customdata}<extra></extra>",
            row=1, col=1,
        )
    gmv = daily[daily["measure"] == "gmv"].sort_values("date")
    fig.add_scatter(
        x=gmv["date"], y=gmv["amount"], mode="lines", name=t("app.fig.gmv", lang), line={"color": "#222", "width": 2},
        customdata=[money(v, lang) for v in gmv["amount"]],
        hovertemplate="%{x|%Y-%m-%d} · GMV: %{customdata}<extra></extra>", row=2, col=1,
    )
    fig.update_layout(barmode="stack", bargap=0.05)
    totals = spend.groupby("date")["amount"].sum()
    money_axis(fig, totals, lang, row=1, col=1)
    money_axis(fig, gmv["amount"], lang, row=2, col=1)
    return _base_layout(fig, t("app.fig.daily_title", lang), height=560)


# --- attribution page -------------------------------------------------------------------------------------


def attribution_shares(credit: pd.DataFrame, channels: pd.DataFrame, lang: str, *, measure: str = "value") -> go.Figure:
    """Each model's split of the total (conversions or GMV) across channels, side by side.

    ``credit``: model, channel, conversions, value (one row per model and channel; ``(baseline)``
    for what the incremental model leaves to the baseline). ``model`` holds display names.
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    if credit.empty:
        return empty(t("app.fig.no_data", lang))
    frame = credit.copy()
    frame["share"] = frame[measure] / frame.groupby("model")[measure].transform("sum").replace(0, np.nan)
    models = list(dict.fromkeys(frame["model"]))
    order = [c for c in channels["channel"] if c in set(frame["channel"])]
    order += sorted(set(frame["channel"]) - set(order) - {"(baseline)"})
    if "(baseline)" in set(frame["channel"]):
        order.append("(baseline)")
    fig = go.Figure()
    for ch in order:
        part = frame[frame["channel"] == ch].set_index("model").reindex(models)
        share = part["share"].fillna(0.0)
        amount = part[measure].fillna(0.0)
        shown = [money(v, lang) if measure == "value" else number(v, lang) for v in amount]
        fig.add_bar(
            y=models, x=share, orientation="h", name=_label(ch, names), marker_color=colours.get(ch, "#999"),
            marker_pattern_shape="/" if ch == "(baseline)" else "",
            customdata=np.column_stack([[percent(s, lang) for s in share], shown]),
            hovertemplate="%{y} · " + _label(ch, names).replace("%", "%%") + ": %{customdata[0]} (%{customdata[1]})<extra></extra>",
            text=[percent(s, lang, 0) if s >= 0.06 else "" for s in share], textposition="inside",
        )
    fig.update_layout(barmode="stack")
    ticks = np.linspace(0, 1, 6)
    fig.update_xaxes(range=[0, 1], tickvals=ticks, ticktext=[percent(v, lang, 0) for v in ticks])
    fig.update_yaxes(autorange="reversed")
    title = t("app.fig.shares_value" if measure == "value" else "app.fig.shares_conversions", lang)
    return _base_layout(fig, title, height=140 + 48 * len(models))


def roi_bars(roi: pd.DataFrame, channels: pd.DataFrame, lang: str, *, metric: str = "roas") -> go.Figure:
    """One bar per channel (its colour) of ``metric`` (``roas``, ``roi`` or ``cpa``) for one model.

    ``roi``: channel, spend, conversions, value, roas, roi, cpa.
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    frame = roi[np.isfinite(roi[metric].astype(float))].sort_values(metric, ascending=metric == "cpa")
    if frame.empty:
        return empty(t("app.fig.no_spend", lang))
    if metric == "cpa":
        text = [money(v, lang) for v in frame[metric]]
    elif metric == "roi":
        text = [percent(v, lang, 0) for v in frame[metric]]
    else:
        text = [f"{v:.2f}" for v in frame[metric]]
    fig = go.Figure(go.Bar(
        x=[_label(c, names) for c in frame["channel"]], y=frame[metric],
        marker_color=[colours.get(c, "#999") for c in frame["channel"]], text=text, textposition="outside",
        hovertemplate="%{x}: %{text}<extra></extra>",
    ))
    if metric == "roas":
        fig.add_hline(y=1.0, line_dash="dot", line_color="#888")
    if metric == "roi":
        fig.add_hline(y=0.0, line_color="#888")
        ticks = nice_ticks(min(0, frame[metric].min()), frame[metric].max())
        fig.update_yaxes(tickvals=ticks, ticktext=[percent(v, lang, 0) for v in ticks])
    if metric == "cpa":
        money_axis(fig, frame[metric], lang)
    return _base_layout(fig, t(f"app.fig.{metric}_title", lang), height=380, legend=False)


def baseline_split(credit: pd.DataFrame, channels: pd.DataFrame, lang: str, *, measure: str = "value") -> go.Figure:
    """Donut of one model's credit: the baseline slice against each channel's incremental slice."""
    colours, names = channel_colours(channels), labels(channels, lang)
    frame = credit[credit[measure] > 0]
    if frame.empty:
        return empty(t("app.fig.no_data", lang))
    fig = go.Figure(go.Pie(
        labels=[_label(c, names) for c in frame["channel"]], values=frame[measure], hole=0.55, sort=False,
        marker={"colors": [colours.get(c, "#999") for c in frame["channel"]]},
        customdata=[money(v, lang) if measure == "value" else number(v, lang) for v in frame[measure]],
        hovertemplate="%{label}: %{percent} (%{customdata})<extra></extra>", textinfo="percent",
    ))
    return _base_layout(fig, t("app.fig.baseline_title", lang), height=380)


# --- response curves -------------------------------------------------------------------------------------


def response_curves(bands: pd.DataFrame, marks: pd.DataFrame, channels: pd.DataFrame, lang: str,
                    *, columns: int = 3) -> go.Figure:
    """Small multiples: each channel's curve (GMV per day against spend per day) with its band.

    ``bands``: channel, spend, value, low, high (yuan per day; low/high may equal value when no
    uncertainty is known). ``marks``: channel, current_spend, current_value, planned_spend,
    planned_value (planned may be NaN).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    order = [c for c in channels["channel"] if c in set(bands["channel"])]
    order += sorted(set(bands["channel"]) - set(order))
    if not order:
        return empty(t("app.fig.no_curves", lang))
    cols = min(columns, len(order))
    rows = math.ceil(len(order) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_label(c, names) for c in order],
                        horizontal_spacing=0.07, vertical_spacing=0.12 if rows > 1 else 0.1)
    current_name, planned_name, band_name = t("app.fig.current", lang), t("app.fig.planned", lang), t("app.fig.band", lang)
    for i, ch in enumerate(order):
        r, c = i // cols + 1, i % cols + 1
        colour = colours.get(ch, "#999")
        part = bands[bands["channel"] == ch].sort_values("spend")
        has_band = bool((part["high"] - part["low"]).abs().max() > 1e-9 * max(part["value"].abs().max(), 1.0))
        if has_band:
            fig.add_scatter(x=part["spend"], y=part["high"], mode="lines", line={"width": 0}, showlegend=False,
                            hoverinfo="skip", row=r, col=c)
            fig.add_scatter(x=part["spend"], y=part["low"], mode="lines", line={"width": 0}, fill="tonexty",
                            fillcolor=_rgba(colour, 0.2), name=band_name, showlegend=i == 0, legendgroup="band",
                            hoverinfo="skip", row=r, col=c)
        fig.add_scatter(
            x=part["spend"], y=part["value"], mode="lines", line={"color": colour, "width": 2.5},
            name=_label(ch, names), showlegend=False,
            customdata=np.column_stack([[money(v, lang) for v in part["spend"]], [money(v, lang) for v in part["value"]]]),
            hovertemplate=t("app.fig.curve_hover", lang, **_CD2) + "<extra></extra>", row=r, col=c,
        )
        mark = marks[marks["channel"] == ch]
        if len(mark):
            m = mark.iloc[0]
            fig.add_scatter(x=[m["current_spend"]], y=[m["current_value"]], mode="markers", name=current_name,
                            marker={"symbol": "circle", "size": 10, "color": "white", "line": {"color": colour, "width": 2.5}},
                            showlegend=i == 0, legendgroup="current",
                            customdata=[[money(m["current_spend"], lang), money(m["current_value"], lang)]],
                            hovertemplate=current_name + ": %{customdata[0]} → %{customdata[1]}<extra></extra>", row=r, col=c)
            if pd.notna(m.get("planned_spend")):
                fig.add_scatter(x=[m["planned_spend"]], y=[m["planned_value"]], mode="markers", name=planned_name,
                                marker={"symbol": "diamond", "size": 12, "color": colour, "line": {"color": "#222", "width": 1}},
                                showlegend=i == 0, legendgroup="planned",
                                customdata=[[money(m["planned_spend"], lang), money(m["planned_value"], lang)]],
                                hovertemplate=planned_name + ": %{customdata[0]} → %{customdata[1]}<extra></extra>",
                                row=r, col=c)
        money_axis(fig, part["spend"], lang, axis="x", row=r, col=c)
        money_axis(fig, part["high"], lang, row=r, col=c)
    fig.update_annotations(font_size=13)
    _base_layout(fig, t("app.fig.curves_title", lang), height=max(320, 260 * rows))
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# --- optimise page ----------------------------------------------------------------------------------------


def allocation(plan: pd.DataFrame, channels: pd.DataFrame, lang: str) -> go.Figure:
    """Current against planned spend per channel (faded bar: current; full bar: planned).

    ``plan``: channel, current_spend, planned_spend (yuan per day).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    order = [c for c in channels["channel"] if c in set(plan["channel"])]
    order += sorted(set(plan["channel"]) - set(order))
    frame = plan.set_index("channel").reindex(order).reset_index()
    x = [_label(c, names) for c in frame["channel"]]
    cols = [colours.get(c, "#999") for c in frame["channel"]]
    fig = go.Figure()
    fig.add_bar(x=x, y=frame["current_spend"], name=t("app.fig.current", lang), marker_color=[_rgba(c, 0.35) for c in cols],
                marker_line={"color": cols, "width": 1.5},
                customdata=[money(v, lang) for v in frame["current_spend"]],
                hovertemplate="%{x} · " + t("app.fig.current", lang) + ": %{customdata}<extra></extra>")
    fig.add_bar(x=x, y=frame["planned_spend"], name=t("app.fig.planned", lang), marker_color=cols,
                customdata=[money(v, lang) for v in frame["planned_spend"]],
                text=[money(v, lang) for v in frame["planned_spend"]], textposition="outside",
                hovertemplate="%{x} · " + t("app.fig.planned", lang) + ": %{customdata}<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.25)
    money_axis(fig, pd.concat([frame["current_spend"], frame["planned_spend"]]) * 1.1, lang)
    return _base_layout(fig, t("app.fig.allocation_title", lang), height=420)


def budget_sweep(sweep: pd.DataFrame, lang: str, *, current_budget: float | None = None,
                 chosen_budget: float | None = None) -> go.Figure:
    """GMV, ROI (GMV ÷ spend) and marginal ROI of the best plan at each budget.

    ``sweep``: budget, gmv, roi, marginal_roi, feasible (yuan per day).
    """
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=(t("app.fig.sweep_gmv", lang), t("app.fig.sweep_roi", lang),
                                        t("app.fig.sweep_mroi", lang)))
    ok = sweep[sweep["feasible"].astype(bool)].sort_values("budget")
    if ok.empty:
        return empty(t("app.fig.sweep_none", lang))
    budget_text = [money(v, lang) for v in ok["budget"]]
    fig.add_scatter(x=ok["budget"], y=ok["gmv"], mode="lines+markers", line={"color": "#FF5000", "width": 2.5},
                    name=t("app.fig.gmv", lang), customdata=np.column_stack([budget_text, [money(v, lang) for v in ok["gmv"]]]),
                    hovertemplate=t("app.fig.sweep_hover_gmv", lang, **_SWEEP) + "<extra></extra>", row=1, col=1)
    fig.add_scatter(x=ok["budget"], y=ok["roi"], mode="lines+markers", line={"color": "#1D2B53", "width": 2.5},
                    name=t("app.fig.roi", lang), customdata=np.column_stack([budget_text, [f"{v:.2f}" for v in ok["roi"]]]),
                    hovertemplate=t("app.fig.sweep_hover_roi", lang, **_SWEEP) + "<extra></extra>", row=2, col=1)
    fig.add_scatter(x=ok["budget"], y=ok["marginal_roi"], mode="lines+markers", line={"color": "#07A85A", "width": 2.5},
                    name=t("app.fig.mroi", lang),
                    customdata=np.column_stack([budget_text, [f"{v:.2f}" for v in ok["marginal_roi"]]]),
                    hovertemplate=t("app.fig.sweep_hover_mroi", lang, **_SWEEP) + "<extra></extra>", row=3, col=1)
    fig.add_hline(y=1.0, line_dash="dot", line_color="#888", row=3, col=1)
    for x, key, dash in ((current_budget, "app.fig.current", "dot"), (chosen_budget, "app.fig.planned", "solid")):
        if x is not None and np.isfinite(x):
            fig.add_vline(x=x, line_dash=dash, line_color="#555")
            fig.add_annotation(x=x, y=1.0, yref="paper", text=t(key, lang), showarrow=False, yanchor="bottom",
                               font={"size": 11})
    money_axis(fig, ok["budget"], lang, axis="x", row=3, col=1, zero=False)
    money_axis(fig, ok["gmv"], lang, row=1, col=1, zero=False)
    return _base_layout(fig, t("app.fig.sweep_title", lang), height=620, legend=False)


# --- campaign page -----------------------------------------------------------------------------------------


def daily_plan(daily: pd.DataFrame, phases: pd.DataFrame, channels: pd.DataFrame, lang: str) -> go.Figure:
    """Planned spend per day stacked by channel, with the campaign's phases shaded and named.

    ``daily``: date, channel, spend (yuan). ``phases``: phase label, start, end (dates).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    if daily.empty:
        return empty(t("app.fig.no_plan", lang))
    fig = go.Figure()
    order = [c for c in channels["channel"] if c in set(daily["channel"])]
    order += sorted(set(daily["channel"]) - set(order))
    for ch in order:
        part = daily[daily["channel"] == ch].sort_values("date")
        fig.add_bar(x=part["date"], y=part["spend"], name=_label(ch, names), marker_color=colours.get(ch, "#999"),
                    customdata=[money(v, lang) for v in part["spend"]],
                    hovertemplate="%{x|%m-%d} · " + _label(ch, names).replace("%", "%%") + ": %{customdata}<extra></extra>")
    shades = ("rgba(255,80,0,0.07)", "rgba(29,43,83,0.06)")
    for i, ph in enumerate(phases.itertuples(index=False)):
        start = pd.Timestamp(ph.start) - pd.Timedelta(hours=12)
        end = pd.Timestamp(ph.end) + pd.Timedelta(hours=12)
        fig.add_vrect(x0=start, x1=end, fillcolor=shades[i % 2], line_width=0, layer="below")
        fig.add_annotation(x=start + (end - start) / 2, y=1.02, yref="paper", text=str(ph.label), showarrow=False,
                           font={"size": 12})
    fig.update_layout(barmode="stack", bargap=0.1)
    money_axis(fig, daily.groupby("date")["spend"].sum(), lang)
    return _base_layout(fig, t("app.fig.daily_plan_title", lang), height=460)


# --- scenarios page ------------------------------------------------------------------------------------------


def scenario_compare(summary: pd.DataFrame, lang: str) -> go.Figure:
    """GMV and spend per day of saved scenarios, side by side. ``summary``: scenario, spend, gmv, roi."""
    if summary.empty:
        return empty(t("app.fig.no_scenarios", lang))
    fig = go.Figure()
    fig.add_bar(x=summary["scenario"], y=summary["spend"], name=t("app.fig.spend", lang), marker_color="#5D6D7E",
                customdata=[money(v, lang) for v in summary["spend"]], hovertemplate="%{x}: %{customdata}<extra></extra>")
    fig.add_bar(x=summary["scenario"], y=summary["gmv"], name=t("app.fig.gmv", lang), marker_color="#FF5000",
                customdata=[money(v, lang) for v in summary["gmv"]], hovertemplate="%{x}: %{customdata}<extra></extra>",
                text=[f"ROI {v:.2f}" if np.isfinite(v) else "" for v in summary["roi"]], textposition="outside")
    fig.update_layout(barmode="group")
    money_axis(fig, pd.concat([summary["spend"], summary["gmv"]]) * 1.1, lang)
    return _base_layout(fig, t("app.fig.compare_title", lang), height=400)
