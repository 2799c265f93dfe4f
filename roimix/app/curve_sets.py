"""Response curves for the app: fitted by the project's pipeline (cached per dataset, with progress), or given
(the sample's demo curves, an uploaded table), each as a :class:`CurveSet` with the bands the curves page draws."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

from .cells import with_attributes
from .credit_tables import views
from .data import Dataset


def curves_from_frame(table: pd.DataFrame):
    from optimizer import curves_from_frame as build

    return build(table)


CURVE_SOURCES = ("fitted", "demo", "uploaded")


@dataclass(frozen=True, eq=False)
class CurveSet:
    """Curves the optimizer can use, with what the curves page shows about them.

    ``table``: the optimizer's curves table (channel, segment, family, a, b, s, current_spend, cpc,
    new_customer_share, group, key_platform, margin) plus status and warning per cell.
    ``bands``: channel, segment, spend, value, low, high. ``warnings``: sentences from the fit.
    """

    source: str
    table: pd.DataFrame
    bands: pd.DataFrame
    warnings: tuple[str, ...] = ()
    summary: pd.DataFrame | None = None
    token: str = field(default="")
    draws: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """The fit's curve draws (see :class:`response.CurveFit`); None for given curves, which have none."""
    decomposition: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """The fit's daily decomposition (date, outcome, component, value: actual, baseline and each cell's
    incremental GMV); fitted curves only (given curves have no history), for :func:`history_estimates`."""
    platform: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """Aggregate mode with the platforms' own GMV: per channel, 平台投产 beside 增量投产 and the deflation factor
    (:attr:`roimix.aggregate.AggregateResult.platform`); else None."""


CHANNEL_COLUMNS = ["channel", "group", "key_platform", "label_zh", "label_en"]
MIN_FIT_DAYS = 28
"""Days of spend history below which no curve is fitted (the fit needs the baseline's terms and folds)."""


FIT_STAGES = ("validate", "journeys", "attribution", "lags", "curves")
"""The pipeline's stages in the order it reports them (``run_pipeline(progress=…)``)."""
_FITTED: set[str] = set()
"""Dataset tokens whose fitted curves are in the cache (a page then needs no progress display)."""


def fitted_ready(token: str) -> bool:
    return token in _FITTED


@st.cache_resource(show_spinner=False, max_entries=4)  # shared, not copied: a CurveSet is never modified
def fitted_curves(token: str, _ds: Dataset, _fitted: CurveSet | None = None) -> CurveSet:
    """The fitted curves of the dataset ``token`` (``_fitted``: a fit made outside the cache, with progress
    shown — elements updated inside a cached function would be replayed on every later cache hit)."""
    return _fitted if _fitted is not None else fit(token, _ds)


@st.cache_data(show_spinner=False, max_entries=4)
def highest_days(token: str, _ds: Dataset) -> pd.DataFrame:
    """channel, segment, highest_cny: each cell's highest day of spend in the dataset's history (a week counts
    as 7 days), :func:`roimix.report.history_range.highest_daily_spend`."""
    from roimix.report.history_range import highest_daily_spend

    return highest_daily_spend(_ds.spend)


def fit(token: str, ds: Dataset, progress=None) -> CurveSet:
    """Curves fitted by the project's pipeline (:func:`roimix.pipeline.run_pipeline`, the CLI's too):
    journeys → incremental attribution (the prior) → lags → curves against the total GMV per day and
    product segment, campaign periods left out, uploaded lift tests as calibration, bootstrap bands. In aggregate
    mode (:attr:`Dataset.aggregate`) the CLI's aggregate fit (:func:`roimix.aggregate.run_aggregate`): spend against
    the shop's total GMV per day or week, the partial journeys' attribution as the prior of the channels they
    cover; the curves come per day with each cell's ``evidence``."""
    if ds.aggregate:
        return _fit_aggregate(token, ds, progress)
    from roimix.pipeline import run_pipeline

    days = pd.to_datetime(ds.spend["date"]).dt.normalize().nunique()
    if days < MIN_FIT_DAYS:
        from .errors import AppMessage

        raise AppMessage("app.curves.too_short", days=days, need=MIN_FIT_DAYS)
    # every table was checked when it was read or uploaded (roimix.app.data): the pipeline does not check it again,
    # and reads the journeys off the dataset's one build (the attribution page's too)
    result = run_pipeline(ds.touchpoints, ds.conversions, ds.spend, channels=ds.channels[CHANNEL_COLUMNS],
                          lift_tests=ds.lift_tests, progress=progress, checked=True, views=views(token, ds))
    table = with_attributes(result.curves, ds)
    bands = result.fit.bands[["channel", "segment", "spend", "value", "low", "high"]]
    _FITTED.add(token)
    return CurveSet("fitted", table, bands, tuple(result.warnings), result.fit.summary, token=f"fitted:{token}",
                    draws=result.draws, decomposition=result.fit.decomposition)


def _fit_aggregate(token: str, ds: Dataset, progress=None) -> CurveSet:
    from roimix.aggregate import run_aggregate

    result = run_aggregate(ds.spend, ds.outcome, lift_tests=ds.lift_tests, channels=ds.channels[CHANNEL_COLUMNS],
                           touchpoints=ds.touchpoints, conversions=ds.conversions, progress=progress,
                           views=views(token, ds) if ds.touchpoints is not None and ds.conversions is not None
                           else None)
    table = with_attributes(result.curves, ds)
    p = float(result.period_days)  # bands per period → per day: f_week(p·x) = p · f_day(x) for every family
    bands = result.fit.bands[["channel", "segment", "spend", "value", "low", "high"]].copy()
    bands[["spend", "value", "low", "high"]] = bands[["spend", "value", "low", "high"]] / p
    _FITTED.add(token)
    return CurveSet("fitted", table, bands, tuple(result.warnings), result.fit.summary, token=f"fitted:{token}",
                    draws=result.draws, decomposition=result.fit.decomposition if p == 1 else None,
                    platform=result.platform)


def _bands_of(table: pd.DataFrame, *, points: int = 121) -> pd.DataFrame:
    """Curve values on a grid up to 3× current spend (no uncertainty known: low = high = value)."""
    curves = curves_from_frame(table)
    rows = []
    for i in range(curves.n):
        top = max(3.0 * curves.current_spend_cny[i], float(np.nan_to_num(curves.b[i], nan=0.0)) * 2, 1.0)
        grid = np.linspace(0.0, top, points)
        sub = curves.subset(np.arange(curves.n) == i)
        values = np.array([sub.value(np.array([x]))[0] for x in grid])
        rows.append(pd.DataFrame({"channel": curves.keys["channel"].iloc[i], "segment": curves.keys["segment"].iloc[i],
                                  "spend": grid, "value": values, "low": values, "high": values}))
    return pd.concat(rows, ignore_index=True)


@st.cache_resource(show_spinner=False, max_entries=4)  # shared, not copied: a CurveSet is never modified
def given_curves(token: str, source: str, _table: pd.DataFrame, _ds: Dataset) -> CurveSet:
    """Curves given as parameters (the sample's demo curves, or an uploaded curves table)."""
    table = with_attributes(_table.drop(columns=["lag_mean_days"], errors="ignore"), _ds)
    curves_from_frame(table)  # raises CurveError naming a bad curve
    table = table.assign(status=source, warning="")
    return CurveSet(source, table, _bands_of(table), (), None, token=f"{source}:{token}")


def available_curve_sources(ds: Dataset) -> list[str]:
    from .data import demo_curves

    out = ["fitted"]
    if ds.is_sample and demo_curves() is not None:
        out.append("demo")
    if ds.curves is not None:
        out.append("uploaded")
    return out


def with_margin(curves: CurveSet, profit_margin: float) -> CurveSet:
    """``curves`` with every cell's margin set to ``profit_margin`` (margin × (1 − return rate)); the same
    object when nothing changes (the default margin and no returns), so caches keyed by the token still hit."""
    m = float(profit_margin)
    if "margin" in curves.table.columns and np.allclose(curves.table["margin"].to_numpy(dtype=float), m):
        return curves
    return replace(curves, table=curves.table.assign(margin=m), token=f"{curves.token}|margin={m:.6f}")


def curve_set(ds: Dataset, source: str, progress=None) -> CurveSet:
    """The curves of ``source`` for ``ds``; ``progress(stage)`` hears the pipeline's stages of a fit."""
    from .data import demo_curves

    if source == "uploaded" and ds.curves is not None:
        return given_curves(ds.token, "uploaded", ds.curves, ds)
    if source == "demo" and ds.is_sample:
        return given_curves(ds.token, "demo", demo_curves(), ds)
    if progress is not None and not fitted_ready(ds.token):
        return fitted_curves(ds.token, ds, fit(ds.token, ds, progress))
    return fitted_curves(ds.token, ds)


def current_gmv(table: pd.DataFrame) -> float:
    """Expected incremental GMV per day of the curves at current spend."""
    curves = curves_from_frame(table.drop(columns=["status", "warning"], errors="ignore"))
    return float(np.nansum(curves.value(curves.current_spend_cny)))


def thin_channels(ds: Dataset, *, min_days: int = 28, min_cv: float = 0.08) -> pd.DataFrame:
    """channel, days, cv, reason: channels whose spend history cannot identify a curve."""
    daily = ds.spend.groupby(["channel", "date"], as_index=False)["spend"].sum()
    rows = []
    for ch, part in daily.groupby("channel"):
        x = part["spend"].to_numpy(float)
        active = int((x > 0).sum())
        mean = x.mean() if len(x) else 0.0
        cv = float(x.std() / mean) if mean > 0 else 0.0
        if active < min_days:
            rows.append({"channel": ch, "days": active, "cv": cv, "reason": "few_days"})
        elif cv < min_cv:
            rows.append({"channel": ch, "days": active, "cv": cv, "reason": "flat"})
    return pd.DataFrame(rows, columns=["channel", "days", "cv", "reason"])
