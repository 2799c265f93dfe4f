"""What several pages share: the current dataset, its curves, the what-if the user set, the plan."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from roimix.text import t

from . import data, engine, state
from .errors import attempt


def dataset(lang: str) -> data.Dataset | None:
    return attempt(lang, t("app.data.loading", lang), data.current_dataset)


def curve_source(ds: data.Dataset) -> str:
    """The curve source the user chose, if still available for this dataset (else the first available)."""
    options = engine.available_curve_sources(ds)
    chosen = state.CURVES_SOURCE.get()
    return chosen if chosen in options else options[0]


PROGRESS = {"validate": ("app.progress.read", 0.05), "journeys": ("app.progress.read", 0.15),
            "attribution": ("app.progress.attribution", 0.35), "lags": ("app.progress.curves", 0.55),
            "curves": ("app.progress.curves", 0.65)}
"""The pipeline's stages as the four the reader sees (读取数据 → 归因 → 拟合曲线 → 求解) and the share done."""


def progress_step(stage: str) -> tuple[str, float]:
    """(text key, share done) of a pipeline stage; an unknown stage keeps the bar where it is (share −1)."""
    return PROGRESS.get(stage, ("app.progress.curves", -1.0))


def curves(ds: data.Dataset, lang: str) -> engine.CurveSet | None:
    source = curve_source(ds)
    if source != "fitted" or engine.fitted_ready(ds.token):
        with st.spinner(t("app.curves.loading", lang)):
            found = attempt(lang, t("app.curves.what", lang), engine.curve_set, ds, source)
        return None if found is None else engine.with_margin(found, profit_margin())
    # a fit (once per dataset): the stages with a bar from the first second, not an open-ended spinner
    with st.status(t("app.progress.title", lang), expanded=True) as box:
        bar = st.progress(0.0, text=t("app.progress.read", lang))
        done = [0.0]

        def hear(stage: str) -> None:
            key, share = progress_step(stage)
            done[0] = max(done[0], share)
            bar.progress(done[0], text=t(key, lang))

        found = attempt(lang, t("app.curves.what", lang), engine.curve_set, ds, source, hear)
        if found is None:
            box.update(label=t("app.progress.failed", lang), state="error")
            return None
        bar.progress(0.9, text=t("app.progress.solve", lang))
        box.update(label=t("app.progress.done", lang), state="complete", expanded=False)
    return engine.with_margin(found, profit_margin())


def curves_ready(ds: data.Dataset, lang: str) -> engine.CurveSet | None:
    """The dataset's curves with the what-if fitted to them (:func:`curves`, then :func:`ensure_whatif`): what every
    planning page does first."""
    found = curves(ds, lang)
    if found is not None:
        ensure_whatif(found.table, ds.channels)
    return found


def planner_ready(ds: data.Dataset, lang: str) -> tuple[engine.CurveSet | None, object]:
    """(curves, the shared daily planner on them) — :func:`curves_ready`, then :func:`engine.planner_for`; either is
    None (its reason shown) when its step fails."""
    found = curves_ready(ds, lang)
    if found is None:
        return None, None
    return found, attempt(lang, t("app.opt.building", lang), engine.planner_for, found)


def profit_margin() -> float:
    """margin × (1 − return rate) as set on the optimise page (every page plans with the same)."""
    return float(state.MARGIN_PCT.get() or 0.0) / 100.0 * (1.0 - float(state.RETURN_PCT.get() or 0.0) / 100.0)


def channel_current(table: pd.DataFrame) -> pd.DataFrame:
    """channel, current_spend (yuan per day, summed over segments), in the curves table's order."""
    return table.groupby("channel", as_index=False, sort=False)["current_spend"].sum()


# --- the budget slider's grid ----------------------------------------------------------------------------

BUDGET_PERCENTS = range(30, 301)
"""The budget slider moves in steps of 1% of today's spend, from 30% to 300%."""


@functools.lru_cache(maxsize=64)
def _budget_options(current: float) -> tuple[float, ...]:
    base = current if current > 0 else 1000.0
    return tuple(budget_at(base, p) for p in BUDGET_PERCENTS)


def budget_options(current: float) -> list[float]:
    return list(_budget_options(float(current)))


def budget_at(current: float, percent: int) -> float:
    return float(round(current * percent / 100.0, 2))


def snap(value: float, options: list[float]) -> float:
    return min(options, key=lambda o: abs(o - value))


# --- the what-if -----------------------------------------------------------------------------------------

BOUNDS_COLUMNS = ["channel", "lower", "upper", "locked"]


def ordered_channels(table: pd.DataFrame, channels: pd.DataFrame | None = None) -> list[str]:
    """The curves' channels in the channels table's order (the order of every chart)."""
    present = list(dict.fromkeys(table["channel"]))
    if channels is None:
        return present
    known = [c for c in channels["channel"] if c in set(present)]
    return known + [c for c in present if c not in set(known)]


def default_bounds(table: pd.DataFrame, channels: pd.DataFrame | None = None) -> pd.DataFrame:
    chans = ordered_channels(table, channels)
    return pd.DataFrame({"channel": chans, "lower": 0.0, "upper": 3.0, "locked": False})[BOUNDS_COLUMNS]


def reconcile_bounds(current: pd.DataFrame | None, table: pd.DataFrame, channels: pd.DataFrame | None = None) -> pd.DataFrame:
    """The user's bounds for the channels that still exist, defaults for new ones, in the channels' order."""
    fresh = default_bounds(table, channels)
    if current is None or not len(current):
        return fresh
    kept = current.set_index("channel")
    rows = []
    for ch in fresh["channel"]:
        if ch in kept.index:
            r = kept.loc[ch]
            rows.append({"channel": ch, "lower": r["lower"], "upper": r["upper"], "locked": bool(r["locked"])})
        else:
            rows.append({"channel": ch, "lower": 0.0, "upper": 3.0, "locked": False})
    return pd.DataFrame(rows, columns=BOUNDS_COLUMNS)


def current_total(table: pd.DataFrame) -> float:
    return float(table["current_spend"].sum())


def ensure_whatif(table: pd.DataFrame, channels: pd.DataFrame | None = None) -> None:
    """Give the what-if slots values that fit the current curves (first visit, or after new data)."""
    total = current_total(table)
    options = budget_options(total)
    budget = state.BUDGET.get()
    if budget is None:
        state.BUDGET.set(snap(total, options))
    elif budget not in options:
        state.BUDGET.force(snap(budget, options))
    if state.TARGET_GMV.get() is None:
        state.TARGET_GMV.set(float(round(engine.current_gmv(table), -2)))
    bounds = state.BOUNDS.get()
    fresh = reconcile_bounds(bounds, table, channels)
    if bounds is None or list(fresh["channel"]) != list(bounds["channel"]):
        state.BOUNDS.set(fresh)
        state.BOUNDS.reset_widget()


def sync_bounds() -> None:
    """Take the bounds editor's pending edits into the model before anything is solved (the editor is drawn
    below the results, so its return value would come one run late)."""
    bounds = state.BOUNDS.get()
    edits = state.editor_edits(state.BOUNDS.widget_key)
    if bounds is not None and edits:
        state.BOUNDS.set(clean_bounds(state.apply_edits(bounds, edits, ["lower", "upper", "locked"])))


def clean_bounds(frame: pd.DataFrame) -> pd.DataFrame:
    clean = frame[BOUNDS_COLUMNS].copy()
    clean["lower"] = pd.to_numeric(clean["lower"], errors="coerce").fillna(0.0).clip(lower=0.0)
    clean["upper"] = pd.to_numeric(clean["upper"], errors="coerce")
    clean["locked"] = clean["locked"].fillna(False).astype(bool)
    return clean.reset_index(drop=True)


def whatif(table: pd.DataFrame) -> engine.WhatIf:
    """The engine's view of what the user set, for the curves ``table``: without clicks for some cell the
    new-customer cap cannot be checked and is off (:func:`engine.traffic_unknown_cells`; the page says so)."""
    sync_bounds()
    bounds = state.BOUNDS.get()
    rows = ()
    if bounds is not None:
        rows = tuple(
            (str(r.channel), float(r.lower) if pd.notna(r.lower) else 0.0,
             float(r.upper) if pd.notna(r.upper) else None, bool(r.locked))
            for r in bounds.itertuples(index=False)
        )
    objective = state.OBJECTIVE.get()
    return engine.WhatIf(
        budget=float(state.BUDGET.get() or 0.0),
        new_product_cap=state.NEW_PRODUCT_CAP.get() / 100.0,
        new_customer_cap=None if engine.traffic_unknown_cells(table) else state.NEW_CUSTOMER_CAP.get() / 100.0,
        objective=objective,
        target_gmv=state.TARGET_GMV.get() if objective == "min_spend" else None,
        roi_floor=float(state.ROI_FLOOR.get() or 0.0),
        roi_break_even=bool(state.ROI_BREAK_EVEN.get()),
        roi_per_channel=bool(state.ROI_PER_CHANNEL.get()),
        bounds=rows,
        margin=float(state.MARGIN_PCT.get() or 0.0) / 100.0,
        return_rate=float(state.RETURN_PCT.get() or 0.0) / 100.0,
        risk=state.RISK.get() if state.RISK.get() in engine.RISKS else "cvar",
    )


# --- the campaign the 大促 page set, for other pages --------------------------------------------------------


@dataclass(frozen=True)
class SessionCampaign:
    """The campaign plan's inputs as the 大促 page sets them: the dataset and curves, the what-if, the campaign
    (its phases as edited there, else the template of its next occurrence), the settings its controls hold, the
    shared planner and the campaign scenario, and the days planned (``horizon``: the campaign's, from the lead-in's
    first day when the page plans days before the phases too)."""

    ds: data.Dataset
    curves: engine.CurveSet
    whatif: engine.WhatIf
    name: str
    phases: pd.DataFrame
    campaign: object
    settings: object
    planner: object
    setup: object
    horizon: object


def campaign_lead_days() -> int:
    """Days before the campaign's first phase the 大促 page plans too (0 … :data:`engine.MAX_LEAD_DAYS`)."""
    try:
        days = int(state.CAMPAIGN_LEAD_DAYS.get() or 0)
    except (TypeError, ValueError):
        days = 0
    return min(max(days, 0), engine.MAX_LEAD_DAYS)


def campaign_horizon(campaign):
    """The days the 大促 page plans for ``campaign``: its phases' and the lead-in's before them
    (:func:`engine.lead_horizon`)."""
    return engine.lead_horizon(campaign, campaign_lead_days())


def campaign_settings(base_total: float) -> engine.CampaignSettings:
    """The 大促 page's settings as its controls hold them: the budget (its percent of ``base_total``, today's
    budget over the days planned: :func:`campaign_horizon`'s), the key platforms' daily minimum, the focus days and
    the lead-in's days; the rest :class:`~roimix.app.campaign_plans.CampaignSettings`' defaults."""
    return engine.CampaignSettings(budget_total=base_total * state.CAMPAIGN_BUDGET_PCT.get() / 100,
                                   key_daily_min=state.CAMPAIGN_KEY_MIN.get() / 100 or None,
                                   focus=state.CAMPAIGN_FOCUS.get(), lead_days=campaign_lead_days())


def session_campaign(lang: str) -> SessionCampaign | None:
    """:class:`SessionCampaign` without drawing the 大促 page's controls (None, with the reason shown, when a step
    fails)."""
    import datetime as dt

    from . import campaigns

    ds = dataset(lang)
    found = curves_ready(ds, lang) if ds is not None else None
    if found is None:
        return None
    name = state.CAMPAIGN.get() if state.CAMPAIGN.get() in campaigns.CAMPAIGNS else "618"
    phases = state.CAMPAIGN_PHASES.get().get(name)
    if phases is None:
        phases = campaigns.template(name, campaigns.next_year(name, dt.date.today()))
    campaign = attempt(lang, t("app.camp.phases", lang), engine.campaign_of, name, phases)
    if campaign is None:
        return None
    w = whatif(found.table)
    horizon = campaign_horizon(campaign)
    settings = campaign_settings(w.budget * horizon.n_days)
    planner = attempt(lang, t("app.camp.planning", lang), engine.campaign_planner, found.token,
                      engine.campaign_key(name, phases), found.table, campaign, found.draws, settings.lead_days)
    setup = attempt(lang, t("app.camp.planning", lang), engine.campaign_setup, w, found.table, settings,
                    horizon.n_days, planner.has_draws) if planner is not None else None
    if setup is None:
        return None
    return SessionCampaign(ds, found, w, name, phases, campaign, settings, planner, setup, horizon)


def beyond_history_warning(plan: pd.DataFrame, highest: pd.DataFrame, names: dict[str, str], lang: str, *,
                           campaign: bool = False) -> None:
    """A warning naming the cells a plan (rows of channel, segment, spend a day; a campaign's several days per
    cell) puts above their highest day of spend in the history (``highest``: :func:`engine.highest_days`)."""
    from roimix.report.history_range import beyond_history
    from roimix.text import money

    beyond = beyond_history(plan, highest)
    if not len(beyond):
        return
    cells = [t("app.opt.beyond_history_cell", lang, cell=f"{names.get(r.channel, r.channel)}·{t(f'segment.{r.segment}', lang)}",
               planned=money(r.planned_cny, lang, 2), highest=money(r.highest_cny, lang, 2))
             for r in beyond.itertuples(index=False)]
    st.warning(t("app.camp.beyond_history" if campaign else "app.opt.beyond_history", lang, n=len(beyond),
                 cells=("；" if lang == "zh" else "; ").join(cells)), icon=":material/trending_up:")
