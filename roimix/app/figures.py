"""Plotly figures: each takes tidy DataFrames and a language and returns a Figure.

Every channel has one fixed colour everywhere (:func:`channel_colours`); money axes and hover
texts use the reader's units (万/亿 in Chinese, K/M in English) via :mod:`roimix.text`.
Figures never read session state or call an engine, so they are tested directly on small tables.

Figures are assembled as plain trace and layout dicts and validated once by ``go.Figure``: plotly's
incremental API (``make_subplots``, ``add_vline`` …) costs tens of milliseconds per call, which a
slider move cannot afford (see ``benchmarks/app.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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


def money_ticks(values, lang: str, *, zero: bool = True, ticks: int = 5) -> dict:
    """``tickvals``/``ticktext`` of a money axis in the reader's units (¥x万 / ¥xK)."""
    v = np.asarray(pd.Series(values, dtype=float).dropna())
    v = v[np.isfinite(v)]
    if not len(v):
        return {}
    lo = min(0.0, v.min()) if zero else v.min()
    at = nice_ticks(lo, v.max(), ticks)
    return {"tickvals": at.tolist(), "ticktext": _tick_text(at, lambda x, d: money(x, lang, d))}


def _layout(title: str, *, height: int = 420, legend: bool = True, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "font": {"family": FONT, "size": 13},
        "showlegend": legend,
        "hoverlabel": {"font": {"family": FONT}},
        # no template: validating one costs ~20 ms per figure; in the app Streamlit's theme styles the chart
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
    }
    if legend:
        layout["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "traceorder": "normal"}
    layout.update(extra)
    return layout


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=data, layout=layout)


def _axis(n: int, letter: str) -> str:
    """Layout key of axis ``n`` (1-based): ``xaxis``, ``xaxis2`` …"""
    return f"{letter}axis" + ("" if n == 1 else str(n))


def _ref(n: int, letter: str) -> str:
    """Trace reference of axis ``n``: ``x``, ``x2`` …"""
    return letter + ("" if n == 1 else str(n))


def _grid(rows: int, cols: int, titles: list[str], *, hspace: float = 0.07, vspace: float = 0.1,
          shared_x: bool = False) -> tuple[dict, list[tuple[str, str]]]:
    """Axes for a rows × cols grid (row 1 on top): layout entries and each cell's (x, y) references."""
    layout, refs, annotations = {}, [], []
    w = (1 - hspace * (cols - 1)) / cols
    h = (1 - vspace * (rows - 1)) / rows
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        n = i + 1
        x0 = c * (w + hspace)
        y1 = 1 - r * (h + vspace)
        layout[_axis(n, "x")] = {"domain": _domain(x0, x0 + w), "anchor": _ref(n, "y")}
        layout[_axis(n, "y")] = {"domain": _domain(y1 - h, y1), "anchor": _ref(n, "x")}
        if shared_x and n > 1:
            layout[_axis(n, "x")]["matches"] = "x"
        if shared_x and r < rows - 1:
            layout[_axis(n, "x")]["showticklabels"] = False
        refs.append((_ref(n, "x"), _ref(n, "y")))
        if i < len(titles):
            annotations.append({"text": titles[i], "x": x0 + (0 if shared_x else w / 2), "y": y1,
                                "xref": "paper", "yref": "paper", "xanchor": "left" if shared_x else "center",
                                "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    layout["annotations"] = annotations
    return layout, refs


def _domain(lo: float, hi: float) -> list[float]:
    return [round(min(max(lo, 0.0), 1.0), 6), round(min(max(hi, 0.0), 1.0), 6)]


def empty(message: str, *, height: int = 240) -> go.Figure:
    return _figure([], _layout("", height=height, legend=False,
                               annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                                             "yref": "paper", "font": {"size": 15}}],
                               xaxis={"visible": False}, yaxis={"visible": False}))


def _order(channels: pd.DataFrame, present) -> list[str]:
    """Channels of ``present`` in the channels table's order, others after, ``(baseline)`` last."""
    present = set(present)
    out = [c for c in channels["channel"] if c in present]
    out += sorted(present - set(out) - {"(baseline)", "(none)"})
    out += [c for c in ("(none)", "(baseline)") if c in present]
    return out


def _wrap(label: str, width: int = 12) -> str:
    """A long axis label on two lines (at its parenthesis or last space before ``width``)."""
    if len(label) <= width:
        return label
    for sep in (" (", "（", " "):
        i = label.find(sep) if sep != " " else label.rfind(" ", 0, width + 1)
        if i > 0:
            return label[:i] + "<br>" + label[i:].lstrip()
    return label


def _hover(name: str) -> str:
    return name.replace("%", "%%")


# --- data page ------------------------------------------------------------------------------------------


def daily_overview(daily: pd.DataFrame, channels: pd.DataFrame, lang: str) -> go.Figure:
    """Spend by day stacked by channel (top) and GMV by day (bottom).

    ``daily``: date, channel, measure (``spend`` or ``gmv``), amount (yuan).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    layout, refs = _grid(2, 1, [t("app.fig.spend_by_day", lang), t("app.fig.gmv_by_day", lang)], vspace=0.1,
                         shared_x=True)
    spend = daily[daily["measure"] == "spend"]
    data = []
    (x1, y1), (x2, y2) = refs
    for ch in _order(channels, spend["channel"]):
        part = spend[spend["channel"] == ch].sort_values("date")
        data.append({"type": "bar", "x": part["date"], "y": part["amount"], "name": _label(ch, names),
                     "marker": {"color": colours.get(ch)}, "xaxis": x1, "yaxis": y1,
                     "customdata": [money(v, lang) for v in part["amount"]],
                     "hovertemplate": "%{x|%Y-%m-%d} · " + _hover(_label(ch, names)) + ": %{customdata}<extra></extra>"})
    gmv = daily[daily["measure"] == "gmv"].sort_values("date")
    data.append({"type": "scatter", "x": gmv["date"], "y": gmv["amount"], "mode": "lines", "name": t("app.fig.gmv", lang),
                 "line": {"color": "#222", "width": 2}, "xaxis": x2, "yaxis": y2,
                 "customdata": [money(v, lang) for v in gmv["amount"]],
                 "hovertemplate": "%{x|%Y-%m-%d} · GMV: %{customdata}<extra></extra>"})
    layout["yaxis"].update(money_ticks(spend.groupby("date")["amount"].sum(), lang))
    layout["yaxis2"].update(money_ticks(gmv["amount"], lang))
    for key in ("xaxis", "xaxis2"):
        layout[key]["tickformat"] = "%Y-%m-%d"  # numeric dates read the same in both languages
    return _figure(data, _layout(t("app.fig.daily_title", lang), height=560, barmode="stack", bargap=0.05, **layout))


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
    data = []
    for ch in _order(channels, frame["channel"]):
        part = frame[frame["channel"] == ch].set_index("model").reindex(models)
        share = part["share"].fillna(0.0).to_numpy()
        amount = part[measure].fillna(0.0).to_numpy()
        shown = [money(v, lang) if measure == "value" else number(v, lang) for v in amount]
        data.append({
            "type": "bar", "orientation": "h", "y": models, "x": share, "name": _label(ch, names),
            "marker": {"color": colours.get(ch, "#999"), "pattern": {"shape": "/" if ch == "(baseline)" else ""}},
            "customdata": np.column_stack([[percent(v, lang) for v in share], shown]),
            "hovertemplate": "%{y} · " + _hover(_label(ch, names)) + ": %{customdata[0]} (%{customdata[1]})<extra></extra>",
            "text": [percent(v, lang, 0) if v >= 0.06 else "" for v in share], "textposition": "inside",
        })
    ticks = np.linspace(0, 1, 6)
    title = t("app.fig.shares_value" if measure == "value" else "app.fig.shares_conversions", lang)
    return _figure(data, _layout(title, height=140 + 48 * len(models), barmode="stack",
                                 xaxis={"range": [0, 1], "tickvals": ticks.tolist(),
                                        "ticktext": [percent(v, lang, 0) for v in ticks]},
                                 yaxis={"autorange": "reversed"}))


def roi_bars(roi: pd.DataFrame, channels: pd.DataFrame, lang: str, *, metric: str = "roas") -> go.Figure:
    """One bar per channel (its colour) of ``metric`` (``roas``: attributed 投产比, GMV ÷ spend; or ``cpa``) for one model.

    ``roi``: channel, spend, conversions, value, roas, cpa.
    """
    if metric not in ("roas", "cpa"):
        raise ValueError(f"metric {metric!r}: expected roas or cpa (投产比 is GMV ÷ spend on every page)")
    colours, names = channel_colours(channels), labels(channels, lang)
    frame = roi[np.isfinite(roi[metric].astype(float))].sort_values(metric, ascending=metric == "cpa")
    if frame.empty:
        return empty(t("app.fig.no_spend", lang))
    text = [money(v, lang) for v in frame[metric]] if metric == "cpa" else [f"{v:.2f}" for v in frame[metric]]
    data = [{"type": "bar", "x": [_wrap(_label(c, names)) for c in frame["channel"]], "y": frame[metric],
             "marker": {"color": [colours.get(c, "#999") for c in frame["channel"]]}, "text": text,
             "textposition": "outside", "hovertemplate": "%{x}: %{text}<extra></extra>"}]
    shapes, yaxis = [], {}
    if metric == "roas":
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1.0, "y1": 1.0,
                       "line": {"color": "#888", "dash": "dot"}})
    if metric == "cpa":
        yaxis = money_ticks(frame[metric], lang)
    return _figure(data, _layout(t(f"app.fig.{metric}_title", lang), height=380, legend=False, shapes=shapes,
                                 yaxis=yaxis))


def platform_vs_incremental(platform: pd.DataFrame, channels: pd.DataFrame, lang: str) -> go.Figure:
    """Per channel (one row each): the platform's own ROAS (its attributed GMV ÷ spend, hollow) beside the incremental
    ROAS of the fitted curves with its 90 % band (filled, the channel's colour), a dotted line at break-even.

    ``platform``: channel, platform_roas, incremental_roas, incremental_roas_low, incremental_roas_high."""
    colours, names = channel_colours(channels), labels(channels, lang)
    frame = platform[np.isfinite(platform["platform_roas"].astype(float))
                     & np.isfinite(platform["incremental_roas"].astype(float))].sort_values("platform_roas")
    if frame.empty:
        return empty(t("app.fig.no_spend", lang))
    rows = [_label(c, names) for c in frame["channel"]]
    inc, lo, hi = (frame[c].to_numpy(dtype=float) for c in
                   ("incremental_roas", "incremental_roas_low", "incremental_roas_high"))
    data = [
        {"type": "scatter", "mode": "markers", "name": t("app.fig.platform_roas", lang), "y": rows,
         "x": frame["platform_roas"].astype(float).tolist(), "marker": {"symbol": "circle-open", "size": 13, "color": "#555",
                                                 "line": {"width": 2}},
         "hovertemplate": "%{y}: " + t("app.fig.platform_roas", lang) + " %{x:.2f}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": t("app.fig.incremental_roas", lang), "y": rows, "x": inc.tolist(),
         "marker": {"size": 12, "color": [colours.get(c, "#999") for c in frame["channel"]]},
         "error_x": {"type": "data", "symmetric": False, "array": np.maximum(hi - inc, 0),
                     "arrayminus": np.maximum(inc - lo, 0), "color": "#777", "thickness": 1.5},
         "customdata": np.column_stack([lo, hi]),
         "hovertemplate": "%{y}: " + t("app.fig.incremental_roas", lang)
                          + " %{x:.2f} (90%: %{customdata[0]:.2f}–%{customdata[1]:.2f})<extra></extra>"},
    ]
    shapes = [{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": 1.0, "x1": 1.0,
               "line": {"color": "#888", "dash": "dot"}}]
    layout = _layout(t("app.fig.platform_title", lang), height=190 + 48 * len(frame), shapes=shapes,
                     xaxis={"title": {"text": t("app.fig.roas_axis", lang)}, "rangemode": "tozero",
                            "showgrid": True, "gridcolor": "#EEE"},
                     margin={"l": 10, "r": 10, "t": 90, "b": 10})
    layout["legend"].update(y=1.0, yanchor="bottom")  # above the rows: below, it would sit on the axis title
    return _figure(data, layout)


def baseline_split(credit: pd.DataFrame, channels: pd.DataFrame, lang: str, *, measure: str = "value") -> go.Figure:
    """Donut of one model's credit: the baseline slice against each channel's incremental slice."""
    colours, names = channel_colours(channels), labels(channels, lang)
    frame = credit[credit[measure] > 0]
    if frame.empty:
        return empty(t("app.fig.no_data", lang))
    data = [{"type": "pie", "labels": [_label(c, names) for c in frame["channel"]], "values": frame[measure],
             "hole": 0.55, "sort": False, "marker": {"colors": [colours.get(c, "#999") for c in frame["channel"]]},
             "customdata": [money(v, lang) if measure == "value" else number(v, lang) for v in frame[measure]],
             "hovertemplate": "%{label}: %{percent} (%{customdata})<extra></extra>", "textinfo": "percent"}]
    return _figure(data, _layout(t("app.fig.baseline_title", lang), height=380))


# --- response curves -------------------------------------------------------------------------------------


def response_curves(bands: pd.DataFrame, marks: pd.DataFrame, channels: pd.DataFrame, lang: str,
                    *, columns: int = 3) -> go.Figure:
    """Small multiples: each channel's curve (GMV per day against spend per day) with its band.

    ``bands``: channel, spend, value, low, high (yuan per day; low/high may equal value when no
    uncertainty is known). ``marks``: channel, current_spend, current_value, planned_spend,
    planned_value (planned may be NaN).
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    order = _order(channels, bands["channel"])
    if not order:
        return empty(t("app.fig.no_curves", lang))
    cols = min(columns, len(order))
    rows = math.ceil(len(order) / cols)
    layout, refs = _grid(rows, cols, [_label(c, names) for c in order], hspace=0.07,
                         vspace=0.14 if rows > 1 else 0.1)
    current_name, planned_name, band_name = t("app.fig.current", lang), t("app.fig.planned", lang), t("app.fig.band", lang)
    hover = t("app.fig.curve_hover", lang, **_CD2) + "<extra></extra>"
    data = []
    for i, ch in enumerate(order):
        xr, yr = refs[i]
        colour = colours.get(ch, "#999")
        part = bands[bands["channel"] == ch].sort_values("spend")
        span = (part["high"] - part["low"]).abs().max()
        has_band = bool(np.isfinite(span) and span > 1e-9 * max(part["value"].abs().max(), 1.0))
        if has_band:
            data.append({"type": "scatter", "x": part["spend"], "y": part["high"], "mode": "lines", "line": {"width": 0},
                         "showlegend": False, "hoverinfo": "skip", "xaxis": xr, "yaxis": yr})
            data.append({"type": "scatter", "x": part["spend"], "y": part["low"], "mode": "lines", "line": {"width": 0},
                         "fill": "tonexty", "fillcolor": _rgba(colour, 0.2), "name": band_name, "showlegend": i == 0,
                         "legendgroup": "band", "hoverinfo": "skip", "xaxis": xr, "yaxis": yr})
        data.append({"type": "scatter", "x": part["spend"], "y": part["value"], "mode": "lines",
                     "line": {"color": colour, "width": 2.5}, "name": _label(ch, names), "showlegend": False,
                     "customdata": np.column_stack([[money(v, lang) for v in part["spend"]],
                                                    [money(v, lang) for v in part["value"]]]),
                     "hovertemplate": hover, "xaxis": xr, "yaxis": yr})
        mark = marks[marks["channel"] == ch]
        if len(mark):
            m = mark.iloc[0]
            data.append({"type": "scatter", "x": [m["current_spend"]], "y": [m["current_value"]], "mode": "markers",
                         "name": current_name, "showlegend": i == 0, "legendgroup": "current",
                         "marker": {"symbol": "circle", "size": 10, "color": "white", "line": {"color": colour, "width": 2.5}},
                         "customdata": [[money(m["current_spend"], lang), money(m["current_value"], lang)]],
                         "hovertemplate": current_name + ": %{customdata[0]} → %{customdata[1]}<extra></extra>",
                         "xaxis": xr, "yaxis": yr})
            if pd.notna(m.get("planned_spend")):
                data.append({"type": "scatter", "x": [m["planned_spend"]], "y": [m["planned_value"]], "mode": "markers",
                             "name": planned_name, "showlegend": i == 0, "legendgroup": "planned",
                             "marker": {"symbol": "diamond", "size": 12, "color": colour, "line": {"color": "#222", "width": 1}},
                             "customdata": [[money(m["planned_spend"], lang), money(m["planned_value"], lang)]],
                             "hovertemplate": planned_name + ": %{customdata[0]} → %{customdata[1]}<extra></extra>",
                             "xaxis": xr, "yaxis": yr})
        layout[_axis(i + 1, "x")].update(money_ticks(part["spend"], lang, ticks=4))
        layout[_axis(i + 1, "y")].update(money_ticks(part["high"].fillna(part["value"]), lang, ticks=4))
    return _figure(data, _layout(t("app.fig.curves_title", lang), height=max(320, 260 * rows), **layout))


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
    frame = plan.set_index("channel").reindex(_order(channels, plan["channel"])).reset_index()
    x = [_wrap(_label(c, names)) for c in frame["channel"]]
    cols = [colours.get(c, "#999") for c in frame["channel"]]
    current, planned = t("app.fig.current", lang), t("app.fig.planned", lang)
    data = [
        {"type": "bar", "x": x, "y": frame["current_spend"], "name": current,
         "marker": {"color": [_rgba(c, 0.35) for c in cols], "line": {"color": cols, "width": 1.5}},
         "customdata": [money(v, lang) for v in frame["current_spend"]],
         "hovertemplate": "%{x} · " + current + ": %{customdata}<extra></extra>"},
        {"type": "bar", "x": x, "y": frame["planned_spend"], "name": planned, "marker": {"color": cols},
         "customdata": [money(v, lang) for v in frame["planned_spend"]],
         "text": [money(v, lang) for v in frame["planned_spend"]], "textposition": "outside",
         "hovertemplate": "%{x} · " + planned + ": %{customdata}<extra></extra>"},
    ]
    top = pd.concat([frame["current_spend"], frame["planned_spend"]]) * 1.1
    layout = _layout(t("app.fig.allocation_title", lang), height=460, barmode="group", bargap=0.25,
                     yaxis=money_ticks(top, lang), xaxis={"tickangle": 0})
    layout["legend"]["y"] = -0.22  # below the two-line channel names
    return _figure(data, layout)


def budget_sweep(sweep: pd.DataFrame, lang: str, *, current_budget: float | None = None,
                 chosen_budget: float | None = None) -> go.Figure:
    """GMV, ROI (GMV ÷ spend) and marginal ROI of the best plan at each budget.

    ``sweep``: budget, gmv, roi, marginal_roi, feasible (yuan per day).
    """
    ok = sweep[sweep["feasible"].astype(bool)].sort_values("budget")
    if ok.empty:
        return empty(t("app.fig.sweep_none", lang))
    titles = [t("app.fig.sweep_gmv", lang), t("app.fig.sweep_roi", lang), t("app.fig.sweep_mroi", lang)]
    layout, refs = _grid(3, 1, titles, vspace=0.09, shared_x=True)
    budget_text = [money(v, lang) for v in ok["budget"]]
    series = (
        ("gmv", "#FF5000", t("app.fig.gmv", lang), "app.fig.sweep_hover_gmv", [money(v, lang) for v in ok["gmv"]]),
        ("roi", "#1D2B53", t("app.fig.roi", lang), "app.fig.sweep_hover_roi", [f"{v:.2f}" for v in ok["roi"]]),
        ("marginal_roi", "#07A85A", t("app.fig.mroi", lang), "app.fig.sweep_hover_mroi",
         [f"{v:.2f}" for v in ok["marginal_roi"]]),
    )
    data = []
    if {"gmv_p10", "gmv_p90"} <= set(ok.columns) and np.isfinite(ok[["gmv_p10", "gmv_p90"]].to_numpy(float)).all():
        # the P10–P90 of each budget's plan across the curve draws: a filled band under the GMV line
        x_band = np.concatenate([ok["budget"].to_numpy(), ok["budget"].to_numpy()[::-1]])
        y_band = np.concatenate([ok["gmv_p90"].to_numpy(), ok["gmv_p10"].to_numpy()[::-1]])
        data.append({"type": "scatter", "x": x_band, "y": y_band, "fill": "toself", "mode": "lines",
                     "line": {"width": 0}, "fillcolor": "rgba(255,80,0,0.15)", "hoverinfo": "skip",
                     "name": t("app.fig.sweep_band", lang), "xaxis": refs[0][0], "yaxis": refs[0][1]})
    for (col, colour, name, hover, shown), (xr, yr) in zip(series, refs):
        data.append({"type": "scatter", "x": ok["budget"], "y": ok[col], "mode": "lines+markers",
                     "line": {"color": colour, "width": 2.5, "shape": "spline"}, "name": name, "xaxis": xr, "yaxis": yr,
                     "customdata": np.column_stack([budget_text, shown]),
                     "hovertemplate": t(hover, lang, **_SWEEP) + "<extra></extra>"})
    shapes = [{"type": "line", "xref": "x3 domain", "x0": 0, "x1": 1, "yref": "y3", "y0": 1.0, "y1": 1.0,
               "line": {"color": "#888", "dash": "dot"}}]
    for x, key, dash, y, anchor in sweep_marks(current_budget, chosen_budget, ok, lang):
        shapes.append({"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": "#555", "dash": dash}})
        layout["annotations"].append({"text": key, "x": x, "y": y, "xref": "x", "yref": "y domain", "xanchor": "left",
                                      "yanchor": anchor, "xshift": 4, "showarrow": False,
                                      "font": {"size": 11, "color": "#555"}})
    layout["xaxis3"].update(money_ticks(ok["budget"], lang, zero=False))
    gmv_span = pd.concat([ok["gmv"]] + [ok[c] for c in ("gmv_p10", "gmv_p90") if c in ok.columns]).dropna()
    layout["yaxis"].update(money_ticks(gmv_span, lang, zero=False))
    return _figure(data, _layout(t("app.fig.sweep_title", lang), height=620, legend=False, shapes=shapes, **layout))


def sweep_marks(current_budget, chosen_budget, ok: pd.DataFrame, lang: str) -> list[tuple]:
    """(x, text, dash, y in the top panel's height 0–1, y anchor) of the 当前 and 计划 budget lines: 当前 at the
    bottom, 计划 at the top, so their labels never overlap; one label 当前 = 计划 when they coincide."""
    marks = []
    have_now = current_budget is not None and np.isfinite(current_budget)
    have_plan = chosen_budget is not None and np.isfinite(chosen_budget)
    span = float(ok["budget"].max() - ok["budget"].min()) if len(ok) else 0.0
    if have_now and have_plan and abs(chosen_budget - current_budget) <= 0.01 * max(span, 1.0):
        return [(float(chosen_budget), f"{t('app.fig.current', lang)} = {t('app.fig.planned', lang)}", "solid", 0.02,
                 "bottom")]
    if have_now:
        marks.append((float(current_budget), t("app.fig.current", lang), "dot", 0.02, "bottom"))
    if have_plan:
        marks.append((float(chosen_budget), t("app.fig.planned", lang), "solid", 0.98, "top"))
    return marks


# --- campaign page -----------------------------------------------------------------------------------------


def daily_plan(daily: pd.DataFrame, phases: pd.DataFrame, channels: pd.DataFrame, lang: str,
               lead_in: tuple[object, object] | None = None) -> go.Figure:
    """Planned spend per day stacked by channel, with the campaign's phases shaded and named.

    ``daily``: date, channel, spend (yuan). ``phases``: phase label, start, end (dates). ``lead_in``: the first
    and last day planned before the campaign (蓄水期), shaded grey with a dashed edge and named with its day count.
    """
    colours, names = channel_colours(channels), labels(channels, lang)
    if daily.empty:
        return empty(t("app.fig.no_plan", lang))
    data = []
    for ch in _order(channels, daily["channel"]):
        part = daily[daily["channel"] == ch].sort_values("date")
        data.append({"type": "bar", "x": part["date"], "y": part["spend"], "name": _label(ch, names),
                     "marker": {"color": colours.get(ch, "#999")}, "customdata": [money(v, lang) for v in part["spend"]],
                     "hovertemplate": "%{x|%m-%d} · " + _hover(_label(ch, names)) + ": %{customdata}<extra></extra>"})
    shades = ("rgba(255,80,0,0.07)", "rgba(29,43,83,0.06)")
    shapes, annotations = [], []
    for i, ph in enumerate(phases.itertuples(index=False)):
        start = pd.Timestamp(ph.start) - pd.Timedelta(hours=12)
        end = pd.Timestamp(ph.end) + pd.Timedelta(hours=12)
        shapes.append({"type": "rect", "xref": "x", "x0": start, "x1": end, "yref": "paper", "y0": 0, "y1": 1,
                       "fillcolor": shades[i % 2], "line": {"width": 0}, "layer": "below"})
        annotations.append({"text": str(ph.label), "x": start + (end - start) / 2, "y": 1.02, "xref": "x",
                            "yref": "paper", "showarrow": False, "font": {"size": 12}})
    if lead_in is not None:
        first, last = pd.Timestamp(lead_in[0]), pd.Timestamp(lead_in[1])
        start, end = first - pd.Timedelta(hours=12), last + pd.Timedelta(hours=12)
        shapes.append({"type": "rect", "xref": "x", "x0": start, "x1": end, "yref": "paper", "y0": 0, "y1": 1,
                       "fillcolor": "rgba(120,120,120,0.06)", "line": {"width": 1, "dash": "dot", "color": "#999"},
                       "layer": "below"})
        annotations.append({"text": t("app.fig.lead_in", lang, days=(last - first).days + 1),
                            "x": start + (end - start) / 2, "y": 1.02, "xref": "x", "yref": "paper",
                            "showarrow": False, "font": {"size": 12, "color": "#666"}})
    return _figure(data, _layout(t("app.fig.daily_plan_title", lang), height=460, barmode="stack", bargap=0.1,
                                 shapes=shapes, annotations=annotations, xaxis={"tickformat": "%m-%d"},
                                 yaxis=money_ticks(daily.groupby("date")["spend"].sum(), lang)))


# --- scenarios page ------------------------------------------------------------------------------------------


def scenario_compare(summary: pd.DataFrame, lang: str) -> go.Figure:
    """GMV and spend per day of saved scenarios, side by side. ``summary``: scenario, spend, gmv, roi."""
    if summary.empty:
        return empty(t("app.fig.no_scenarios", lang))
    data = [
        {"type": "bar", "x": summary["scenario"], "y": summary["spend"], "name": t("app.fig.spend", lang),
         "marker": {"color": "#5D6D7E"}, "customdata": [money(v, lang) for v in summary["spend"]],
         "hovertemplate": "%{x}: %{customdata}<extra></extra>"},
        {"type": "bar", "x": summary["scenario"], "y": summary["gmv"], "name": t("app.fig.gmv", lang),
         "marker": {"color": "#FF5000"}, "customdata": [money(v, lang) for v in summary["gmv"]],
         "hovertemplate": "%{x}: %{customdata}<extra></extra>",
         "text": [f"{t('app.fig.roi', lang)} {v:.2f}" if np.isfinite(v) else "" for v in summary["roi"]], "textposition": "outside"},
    ]
    top = pd.concat([summary["spend"], summary["gmv"]]) * 1.1
    return _figure(data, _layout(t("app.fig.compare_title", lang), height=400, barmode="group",
                                 yaxis=money_ticks(top, lang)))
