"""Attribution for the attribution page: journeys, paths, each model's credit per channel, ROI and the top
paths, cached by the dataset's token (the models' own code is :mod:`attribution`). The journeys are built once
per dataset (:func:`views`): the attribution page reads its paths, journeys and top paths off that build, and
the curve fit (:mod:`.curve_sets`) hands the same build to the pipeline, so neither builds them again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .data import Dataset

MODEL_CHOICES = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
                 "markov_1", "markov_2", "incremental")
TOP_PATHS = 15
LOOKBACK_DAYS = 30
"""The app's attribution window, the pipeline's and aggregate mode's default (their views are shared)."""


@st.cache_resource(show_spinner=False, max_entries=4)  # shared, not copied: never modified
def views(token: str, _ds: Dataset):
    """The dataset's journeys built once (:func:`attribution.journeys.build_views`): paths per date and product
    segment (with integer units, to roll up exactly), touch-to-order gaps, orders per day and the journeys
    themselves — what this page, the pipeline (``run_pipeline(views=…)``) and aggregate mode's partial journeys
    (``run_aggregate(views=…)``) read."""
    from attribution.journeys import build_views

    return build_views(_ds.touchpoints, _ds.conversions, lookback_days=LOOKBACK_DAYS,
                       by=("date", "product_segment"), views=("paths", "path_units", "gaps", "orders", "journeys"))


@st.cache_data(show_spinner=False, max_entries=8)
def carried_channels(token: str, _ds: Dataset, period_days: int) -> frozenset[str]:
    """The paid channels whose carry-over aggregate mode's fit takes from the partial journeys (those with
    enough orders, :func:`roimix.aggregate.journey_carryover`), off the dataset's one build."""
    from roimix.aggregate import journey_carryover

    paid = sorted(pd.unique(_ds.spend["channel"].astype(str)))
    _, lags = journey_carryover(views(token, _ds), paid, LOOKBACK_DAYS, period_days)
    return frozenset(lags["channel"].astype(str))


def journeys(token: str, _ds: Dataset):
    """The journeys and their touches (for time decay), off the dataset's one build."""
    return views(token, _ds).journeys


@st.cache_data(show_spinner=False, max_entries=8)
def paths(token: str, _ds: Dataset, by_segment: bool = False) -> pd.DataFrame:
    """Paths over all days (per product segment if ``by_segment``), rolled up exactly from the one build."""
    from attribution.journeys import rollup_paths

    return rollup_paths(views(token, _ds).path_units, ("product_segment",) if by_segment else ())


def _channel_groups(ds: Dataset) -> pd.DataFrame:
    return ds.channels[["channel", "group"]]


@st.cache_data(show_spinner=False, max_entries=64)
def credit_table(token: str, _ds: Dataset, model: str, half_life: float = 7.0) -> pd.DataFrame:
    """model, channel, group, conversions, value for one model (cached per model: adding one computes only it)."""
    import attribution

    if model == "time_decay":
        return attribution.attribute_journeys(journeys(token, _ds), attribution.TimeDecay(half_life_days=half_life),
                                              channels=_channel_groups(_ds))
    return attribution.attribute(paths(token, _ds), model, channels=_channel_groups(_ds))


def credit(token: str, ds: Dataset, models: list[str] | tuple[str, ...], half_life: float = 7.0) -> pd.DataFrame:
    """Side by side: model, channel, group, conversions, value for every chosen model (conserves each model's total)."""
    parts = [credit_table(token, ds, m, half_life) for m in models]
    if not parts:
        return pd.DataFrame(columns=["model", "channel", "group", "conversions", "value"])
    return pd.concat(parts, ignore_index=True)


def roi_table(credit_frame: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Channels with spend: spend, conversions, value, ROAS (GMV ÷ spend), net return ((GMV − spend) ÷ spend),
    CPA (spend ÷ orders), as :func:`attribution.with_spend` defines them."""
    import attribution

    out = attribution.with_spend(credit_frame, spend)
    out = out[out["spend"].fillna(0) > 0]
    return out[["model", "channel", "spend", "conversions", "value", "roas", "net_return", "cpa"]].reset_index(drop=True)


def baseline_share(credit_frame: pd.DataFrame, model: str = "incremental", measure: str = "value") -> float:
    part = credit_frame[credit_frame["model"] == model]
    total = part[measure].sum()
    return float(part.loc[part["channel"] == "(baseline)", measure].sum() / total) if total > 0 else float("nan")


@st.cache_data(show_spinner=False, max_entries=8)
def top_paths(token: str, _ds: Dataset, n: int = TOP_PATHS) -> pd.DataFrame:
    """path, steps (list of channel ids), conversions, value, journeys, conversion_rate: the n paths with most orders."""
    frame = paths(token, _ds)
    top = frame.sort_values(["conversions", "value"], ascending=False).head(n).copy()
    top["journeys"] = top["conversions"] + top["nulls"]
    top["conversion_rate"] = top["conversions"] / top["journeys"].replace(0, np.nan)
    top["steps"] = top["path"].str.split(" > ")
    return top[["path", "steps", "conversions", "value", "journeys", "conversion_rate"]].reset_index(drop=True)
