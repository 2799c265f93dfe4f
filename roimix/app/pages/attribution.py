"""Page 2 · Attribution: models side by side, baseline against incremental, attributed 投产比 (ROAS) and CPA, top paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from roimix.app import engine, figures, shared, state
from roimix.app.errors import attempt, guard
from roimix.text import money, number, percent, t

METRICS = ("roas", "cpa")  # 投产比 = GMV ÷ spend on every page (no (GMV − spend) ÷ spend), and CPA


def model_label(name: str, lang: str) -> str:
    return t(f"app.model.{name}", lang)


def pickers(lang: str) -> tuple[list[str], str, float]:
    chosen = st.multiselect(t("app.attr.models", lang), list(engine.MODEL_CHOICES), key=state.ATTR_MODELS.widget(),
                            format_func=lambda m: model_label(m, lang), help=t("app.attr.models_help", lang))
    state.ATTR_MODELS.set(list(chosen))
    c1, c2 = st.columns([1, 1])
    with c1:
        measure = st.segmented_control(t("app.attr.measure", lang), ["value", "conversions"], required=True,
                                       key=state.ATTR_MEASURE.widget(),
                                       format_func=lambda m: t(f"app.attr.measure.{m}", lang))
        state.ATTR_MEASURE.set(measure or "value")
    with c2:
        if "time_decay" in chosen:
            h = st.number_input(t("app.attr.half_life", lang), min_value=0.5, max_value=60.0, step=0.5,
                                key=state.ATTR_HALF_LIFE.widget())
            state.ATTR_HALF_LIFE.set(float(h))
    return list(chosen), state.ATTR_MEASURE.get(), float(state.ATTR_HALF_LIFE.get())


def side_by_side(credit: pd.DataFrame, names: dict[str, str], measure: str, lang: str, order: list[str]) -> pd.DataFrame:
    """Channels down, models across: each model's share of the total (and the amount)."""
    frame = credit.copy()
    frame["share"] = frame[measure] / frame.groupby("model")[measure].transform("sum").replace(0, np.nan)
    channels = [c for c in order if c in set(frame["channel"])]
    channels += sorted(set(frame["channel"]) - set(channels) - {"(baseline)"})
    if "(baseline)" in set(frame["channel"]):
        channels.append("(baseline)")
    models = list(dict.fromkeys(frame["model"]))
    out = pd.DataFrame({t("app.opt.col.channel", lang): [names.get(c, c) for c in channels]})
    fmt = (lambda v: money(v, lang)) if measure == "value" else (lambda v: number(v, lang))
    for m in models:
        part = frame[frame["model"] == m].set_index("channel")
        out[model_label(m, lang)] = [
            f"{percent(part.at[c, 'share'], lang)} · {fmt(part.at[c, measure])}" if c in part.index else "–" for c in channels
        ]
    return out


def roi_view(roi: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("app.opt.col.channel", lang): [names.get(c, c) for c in roi["channel"]],
        t("app.attr.col.spend", lang): [money(v, lang) for v in roi["spend"]],
        t("app.attr.col.orders", lang): [number(v, lang) for v in roi["conversions"]],
        t("app.attr.col.gmv", lang): [money(v, lang) for v in roi["value"]],
        t("app.attr.col.roas", lang): [f"{v:.2f}" if np.isfinite(v) else "–" for v in roi["roas"]],
        t("app.attr.col.cpa", lang): [money(v, lang) if np.isfinite(v) else "–" for v in roi["cpa"]],
    })


def paths_view(top: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    sep = " → "
    return pd.DataFrame({
        t("app.attr.col.path", lang): [sep.join(names.get(s, s) for s in steps) for steps in top["steps"]],
        t("app.attr.col.orders", lang): [number(v, lang) for v in top["conversions"]],
        t("app.attr.col.gmv", lang): [money(v, lang) for v in top["value"]],
        t("app.attr.col.journeys", lang): [number(v, lang) for v in top["journeys"]],
        t("app.attr.col.rate", lang): [percent(v, lang) for v in top["conversion_rate"]],
    })


def render() -> None:
    lang = state.lang()
    st.title(t("app.attr.title", lang))
    st.caption(t("app.attr.intro", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    if not ds.has_journeys:  # aggregate mode without touchpoints: nothing to attribute
        st.info(t("app.attr.no_journeys", lang))
        return
    names = figures.labels(ds.channels, lang)
    order = list(ds.channels["channel"])
    models, measure, half_life = pickers(lang)
    if not models:
        st.info(t("app.attr.pick_one", lang))
        return
    with st.spinner(t("app.attr.computing", lang)):
        credit = attempt(lang, t("app.attr.what", lang), engine.credit, ds.token, ds, models, half_life)
    if credit is None:
        return
    credit = credit.assign(model_name=[model_label(m, lang) for m in credit["model"]])

    with guard(lang, t("app.attr.compare", lang)):
        st.subheader(t("app.attr.compare", lang))
        fig = figures.attribution_shares(credit.drop(columns="model").rename(columns={"model_name": "model"}),
                                         ds.channels, lang, measure=measure)
        st.plotly_chart(fig, key="fig.shares", config={"displaylogo": False})
        st.dataframe(side_by_side(credit.drop(columns="model_name"), names, measure, lang, order), height="content",
                     hide_index=True, width="stretch")

    with guard(lang, t("app.attr.baseline", lang)):
        st.subheader(t("app.attr.baseline", lang))
        if "incremental" in models:
            inc = credit[credit["model"] == "incremental"]
            share = engine.baseline_share(credit, "incremental", measure)
            c1, c2 = st.columns([1, 2])
            c1.metric(t("app.attr.baseline_share", lang), percent(share, lang))
            c1.metric(t("app.attr.incremental_share", lang), percent(1 - share, lang))
            c1.caption(t("app.attr.baseline_help", lang))
            c2.plotly_chart(figures.baseline_split(inc, ds.channels, lang, measure=measure), key="fig.baseline",
                            config={"displaylogo": False})
        else:
            st.info(t("app.attr.add_incremental", lang))

    with guard(lang, t("app.attr.roi", lang)):
        st.subheader(t("app.attr.roi", lang))
        default = state.ATTR_ROI_MODEL.get()
        if default not in models:
            state.ATTR_ROI_MODEL.force(models[-1])
        c1, c2 = st.columns([1, 1])
        with c1:
            roi_model = st.selectbox(t("app.attr.roi_model", lang), models, key=state.ATTR_ROI_MODEL.widget(),
                                     format_func=lambda m: model_label(m, lang))
            state.ATTR_ROI_MODEL.set(roi_model)
        with c2:
            metric = st.segmented_control(t("app.attr.metric", lang), list(METRICS), required=True,
                                          key=state.ATTR_METRIC.widget(),
                                          format_func=lambda m: t(f"app.attr.metric.{m}", lang))
            state.ATTR_METRIC.set(metric or "roas")
        roi = engine.roi_table(credit[credit["model"] == roi_model].drop(columns="model_name"), ds.spend)
        st.plotly_chart(figures.roi_bars(roi, ds.channels, lang, metric=metric or "roas"), key="fig.roi",
                        config={"displaylogo": False})
        st.dataframe(roi_view(roi, names, lang), hide_index=True, width="stretch", height="content")
        st.caption(t("app.attr.roi_help", lang))

    with guard(lang, t("app.attr.paths", lang)):
        st.subheader(t("app.attr.paths", lang))
        top = engine.top_paths(ds.token, ds)
        st.dataframe(paths_view(top, names, lang), hide_index=True, width="stretch", height="content")


if __name__ == "__main__":
    render()
