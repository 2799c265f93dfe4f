"""Page 3 · Response curves: each channel's curve with its band, current and planned spend, marginal ROI, warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from response.report import level_band_cny
from roimix.app import data, engine, figures, shared, state
from roimix.app.errors import attempt, guard
from roimix.text import STRINGS, money, percent, t
from roimix.report.evidence import evidence_marks

REL_SD_WARN = 0.75


def source_picker(ds, lang: str) -> None:
    options = engine.available_curve_sources(ds)
    if state.CURVES_SOURCE.get() not in options:
        state.CURVES_SOURCE.force(options[0])
    chosen = st.segmented_control(t("app.cur.source", lang), options, key=state.CURVES_SOURCE.widget(), required=True,
                                  format_func=lambda s: t(f"app.cur.source.{s}", lang))
    state.CURVES_SOURCE.set(chosen or options[0])


def marks(curves: engine.CurveSet, result, segment: str) -> pd.DataFrame:
    """channel, current_spend, current_value, planned_spend, planned_value for one segment."""
    table = curves.table[curves.table["segment"] == segment]
    out = pd.DataFrame({"channel": table["channel"].to_numpy()})
    plan = result.plan if result is not None and result.solved else None
    cur = plan[plan["segment"] == segment].set_index("channel") if plan is not None else None
    from optimizer import curves_from_frame

    c = curves_from_frame(table.drop(columns=["status", "warning"], errors="ignore"))
    out["current_spend"] = c.current_spend_cny
    out["current_value"] = c.value(c.current_spend_cny)
    if cur is not None:
        out["planned_spend"] = out["channel"].map(cur["spend"]).to_numpy(dtype=float)
        out["planned_value"] = out["channel"].map(cur["expected_value"]).to_numpy(dtype=float)
    else:
        out["planned_spend"] = np.nan
        out["planned_value"] = np.nan
    return out


def reach_the_plan(bands: pd.DataFrame, table: pd.DataFrame, shown: pd.DataFrame, *, points: int = 24) -> pd.DataFrame:
    """``bands`` with each channel's curve drawn on past the end of its grid to 5 % beyond its planned spend, so the
    planned marker sits on the line (no band out there: low = high = the curve)."""
    from optimizer import curves_from_frame

    extra = []
    for r in shown.itertuples(index=False):
        part = bands[bands["channel"] == r.channel]
        if not len(part) or not np.isfinite(r.planned_spend) or r.planned_spend <= part["spend"].max():
            continue
        cell = table[table["channel"] == r.channel].drop(columns=["status", "warning"], errors="ignore")
        curve = curves_from_frame(cell.head(1))
        grid = np.linspace(float(part["spend"].max()), 1.05 * float(r.planned_spend), points + 1)[1:]
        values = np.array([float(curve.value(np.array([x]))[0]) for x in grid])
        extra.append(pd.DataFrame({"channel": r.channel, "segment": part["segment"].iloc[0], "spend": grid,
                                   "value": values, "low": values, "high": values}))
    return pd.concat([bands, *extra], ignore_index=True) if extra else bands


def cell_warnings(curves: engine.CurveSet, ds, lang: str, names: dict[str, str]) -> list[str]:
    """Bilingual warnings from the fit's per-cell columns and the spend history."""
    table = curves.table
    out = []

    def cell(r) -> str:
        return f"{names.get(r.channel, r.channel)} · {t(f'segment.{r.segment}', lang)}"

    for r in table.itertuples(index=False):
        status = getattr(r, "status", "")
        if status == "unfit":
            out.append(t("app.cur.warn.unfit", lang, cell=cell(r)))
        elif status == "prior":
            out.append(t("app.cur.warn.prior", lang, cell=cell(r)))
        if bool(getattr(r, "s_shaped", False)):
            out.append(t("app.cur.warn.s_shaped", lang, cell=cell(r)))
        rel = getattr(r, "a_rel_sd", np.nan)
        if rel is not None and np.isfinite(rel) and rel > REL_SD_WARN:
            value = float(getattr(r, "value_at_current", np.nan))
            band = level_band_cny(value, float(r.a), float(getattr(r, "a_low", r.a)), float(getattr(r, "a_high", r.a)))
            out.append(t("app.cur.warn.uncertain", lang, cell=cell(r), value=money(value, lang),
                         period=t("pipeline.period.1", lang),  # the app's curves are per day
                         low=money(band["low_cny"], lang), high=money(band["high_cny"], lang)))
    thin = engine.thin_channels(ds)
    for r in thin.itertuples(index=False):
        key = "app.cur.warn.few_days" if r.reason == "few_days" else "app.cur.warn.flat"
        out.append(t(key, lang, channel=names.get(r.channel, r.channel), days=r.days, cv=percent(r.cv, lang, 0)))
    from roimix.text.pipeline import render_warning  # the pipeline's input, lag and lift-test warnings (Messages)
    out += [render_warning(m, lang) for m in curves.warnings
            if getattr(m, "key", "").startswith(("pipeline.input.", "pipeline.lag.", "pipeline.fit.lift", "aggregate."))
            and getattr(m, "key", "") != "aggregate.period"]  # aggregate mode's notes (the period is on the Data page)
    return out


def roi_table(curves: engine.CurveSet, result, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Per cell: current spend, value and marginal ROI (with its band when fitted), planned spend and marginal ROI."""
    from optimizer import curves_from_frame

    table = curves.table
    c = curves_from_frame(table.drop(columns=["status", "warning"], errors="ignore"))
    mroi_now = c.marginal(c.current_spend_cny)
    plan = result.plan if result is not None and result.solved else None
    rows = []
    for i, r in enumerate(table.itertuples(index=False)):
        lo, hi = getattr(r, "mroi_low", np.nan), getattr(r, "mroi_high", np.nan)
        band = f"{lo:.2f} – {hi:.2f}" if np.isfinite(lo) and np.isfinite(hi) else "–"
        planned = mroi_planned = np.nan
        if plan is not None:
            match = plan[(plan["channel"] == r.channel) & (plan["segment"] == r.segment)]
            if len(match):
                planned, mroi_planned = float(match["spend"].iloc[0]), float(match["marginal_roi"].iloc[0])
        rows.append({
            t("app.opt.col.channel", lang): names.get(r.channel, r.channel),
            t("app.cur.col.segment", lang): t(f"segment.{r.segment}", lang),
            t("app.cur.col.family", lang): t(f"app.cur.family.{r.family}", lang),
            t("app.opt.col.current", lang): money(c.current_spend_cny[i], lang, 2),
            t("app.cur.col.value", lang): money(float(c.value(c.current_spend_cny)[i]), lang, 2),
            t("app.cur.col.mroi_now", lang): f"{mroi_now[i]:.2f}" if np.isfinite(mroi_now[i]) else "–",
            t("app.cur.col.mroi_band", lang): band,
            t("app.opt.col.planned", lang): money(planned, lang, 2) if np.isfinite(planned) else "–",
            t("app.cur.col.mroi_planned", lang): f"{mroi_planned:.2f}" if np.isfinite(mroi_planned) else "–",
            t("app.cur.col.status", lang): t(f"app.cur.status.{getattr(r, 'status', curves.source)}", lang),
        })
        evidence = getattr(r, "evidence", None)  # aggregate mode: what the cell's curve rests on
        if isinstance(evidence, str) and f"aggregate.evidence.{evidence}" in STRINGS:
            rows[-1][t("app.data.evidence", lang)] = t(f"aggregate.evidence.{evidence}", lang) + evidence_marks(r, lang)
    return pd.DataFrame(rows)


def platform_view(platform: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Per channel with platform reports: spend and the platform's GMV over the days it reported, 平台投产, 增量投产
    and the deflation factor (incremental ÷ platform) with their 90 % bands, and what the factor was learned from."""

    def banded(v, lo, hi) -> str:
        return f"{v:.2f}（{lo:.2f}–{hi:.2f}）" if lang == "zh" else f"{v:.2f} ({lo:.2f}–{hi:.2f})"

    return pd.DataFrame([{
        t("app.opt.col.channel", lang): names.get(r.channel, r.channel),
        t("app.cur.col.platform_spend", lang): money(r.spend_cny, lang, 2),
        t("app.cur.col.platform_gmv", lang): money(r.platform_gmv_cny, lang, 2),
        t("app.cur.col.platform_roas", lang): f"{r.platform_roas:.2f}" if np.isfinite(r.platform_roas) else "–",
        t("app.cur.col.incremental_roas", lang): banded(r.incremental_roas, r.incremental_roas_low,
                                                        r.incremental_roas_high) if np.isfinite(r.incremental_roas) else "–",
        t("app.cur.col.deflation", lang): banded(r.deflation, r.deflation_low, r.deflation_high)
        if np.isfinite(r.deflation) else "–",
        t("app.cur.col.deflation_source", lang): t(f"aggregate.platform.source.{r.factor_source}", lang),
    } for r in platform.itertuples(index=False)])


def plausibility(curves: engine.CurveSet, ds, lang: str) -> None:
    """Warn when the curves claim more incremental GMV than all GMV observed."""
    if ds.aggregate:  # the shop's own GMV: per day over the days the outcome covers (a week counts 7)
        facts = data.load_facts(ds.token, ds)
        observed = facts["gmv_total"] / max(facts["n_periods"] * facts["period_days"], 1)
    else:
        days = max(pd.to_datetime(ds.conversions["timestamp"]).dt.normalize().nunique(), 1)
        observed = float(ds.conversions["value"].sum()) / days
    claimed = engine.current_gmv(curves.table)
    st.caption(t("app.cur.share_of_gmv", lang, claimed=money(claimed, lang, 2), observed=money(observed, lang, 2),
                 share=percent(claimed / observed if observed else np.nan, lang, 0)))
    if claimed > observed:
        st.warning(t("app.cur.warn.implausible", lang, claimed=money(claimed, lang, 2), observed=money(observed, lang, 2)))


def render() -> None:
    lang = state.lang()
    st.title(t("app.cur.title", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    with guard(lang, t("app.cur.source", lang)):
        source_picker(ds, lang)
    curves, planner = shared.planner_ready(ds, lang)
    if curves is None:
        return
    st.caption(t(f"app.curves.source_note.{curves.source}", lang))
    names = figures.labels(ds.channels, lang)
    result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, shared.whatif(curves.table)) if planner else None

    segments = [s for s in ("existing", "new") if s in set(curves.table["segment"])]
    if state.CURVES_SEGMENT.get() not in segments:
        state.CURVES_SEGMENT.force(segments[0])
    segment = st.segmented_control(t("app.cur.segment", lang), segments, key=state.CURVES_SEGMENT.widget(),
                                   required=True, format_func=lambda s: t(f"segment.{s}", lang))
    state.CURVES_SEGMENT.set(segment or segments[0])
    segment = state.CURVES_SEGMENT.get()

    with guard(lang, t("app.cur.chart", lang)):
        bands = curves.bands[curves.bands["segment"] == segment]
        shown = marks(curves, result, segment)
        bands = reach_the_plan(bands, curves.table[curves.table["segment"] == segment], shown)
        fig = figures.response_curves(bands, shown, ds.channels, lang)
        st.plotly_chart(fig, key="fig.curves", config={"displaylogo": False})
        if curves.source == "fitted":
            st.caption(t("app.cur.band_note", lang))
        else:
            st.caption(t("app.cur.no_band_note", lang))
    with guard(lang, t("app.cur.mroi_title", lang)):
        st.subheader(t("app.cur.mroi_title", lang))
        st.dataframe(roi_table(curves, result, names, lang), hide_index=True, width="stretch", height="content")
        plausibility(curves, ds, lang)
    if curves.platform is not None and len(curves.platform):
        with guard(lang, t("app.cur.platform_title", lang)):
            st.subheader(t("app.cur.platform_title", lang))
            st.caption(t("app.cur.platform_note", lang))
            st.plotly_chart(figures.platform_vs_incremental(curves.platform, ds.channels, lang), key="fig.platform",
                            config={"displaylogo": False})
            st.dataframe(platform_view(curves.platform, names, lang), hide_index=True, width="stretch",
                         height="content")
    with guard(lang, t("app.cur.warnings", lang)):
        warnings = cell_warnings(curves, ds, lang, names)
        if warnings:
            st.subheader(t("app.cur.warnings", lang))
            for w in warnings:
                st.warning(w)
    if curves.summary is not None:
        with guard(lang, t("app.cur.fit_quality", lang)):
            s = curves.summary
            parts = [t("app.cur.fit_line", lang, outcome=t(f"segment.{r.outcome}", lang),
                       r2=percent(r.r2, lang, 0), days=int(r.n_fitted_periods), total=int(r.n_periods))
                     for r in s.itertuples(index=False)]
            st.caption(" · ".join(parts))


if __name__ == "__main__":
    render()
