"""Run the models and shape their credit as tidy tables: per channel, per day and product segment,
with spend (ROI, ROAS, CPA), and side by side.

Every table conserves the totals it splits: summed over channels (and the incremental model's
``(baseline)`` row) credit equals the observed conversions and value.

Per day and segment: a conversion's value is split among its path's channels by the model's
weights for that path (heuristics, incremental) or journey (time decay). Markov credit is global
(removal effects of the whole chain), so each path is first split among its own channels in
proportion to their removal effects, then the (day, segment) × channel table is raked (iterative
proportional fitting, Deming & Stephan 1940) until its channel totals equal the global Markov
credit while every (day, segment) keeps its observed conversions and value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from . import heuristics, markov
from .incremental import IncrementalModel
from .journeys import Journeys, aggregate_paths
from .models import (
    BASELINE, Incremental, Markov, Model, TimeDecay, default_models, model_from_name,
)
from .journeys import NULL_WINDOW
from .paths import NO_TOUCH, EncodedPaths, canonical_paths, encode_paths, null_window_of

CREDIT_COLUMNS = ("model", "channel", "group", "conversions", "value")
DAILY_COLUMNS = ("model", "date", "product_segment", "channel", "group", "conversions", "value")
BASELINE_GROUP = "baseline"


@dataclass(frozen=True)
class ModelCredit:
    """One model's credit on one paths table."""

    model: str
    channels: tuple[str, ...]
    """the credited columns (the incremental model adds :data:`BASELINE` last)"""
    conversions: np.ndarray
    value: np.ndarray
    weights: sparse.csr_matrix | None
    """(paths × channels): each path's split of one conversion (None for Markov: see :meth:`path_weights`)"""
    value_weights: sparse.csr_matrix | None
    """(paths × channels): each path's split of its value (equal to ``weights`` except for Markov)"""
    encoded: EncodedPaths
    global_split: bool = False
    """True when the totals are not the sum of the per-path weights (Markov: rake per-day tables)"""
    standard_error: np.ndarray | None = None
    """of ``conversions`` (sampled Shapley values of the incremental model), else None"""
    detail: object = None
    """the fitted :class:`IncrementalModel` or the :class:`attribution.markov.MarkovResult`"""
    n_sampled_paths: int = 0
    """paths whose Shapley values were sampled (more credited channels than ``exact_max``)"""

    def path_weights(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(conversion weights, value weights) per path; for Markov each path's split among its own
        channels by removal effect (computed here, as only per-day tables need it)."""
        if self.weights is None:
            return markov.path_weights(self.encoded, self.detail)
        return self.weights, self.value_weights


def as_model(model: Model | str, *, order: int = 1) -> Model:
    """Model settings from a name or settings object."""
    return model_from_name(model, order=order) if isinstance(model, str) else model


def fit_credit(paths: pd.DataFrame | EncodedPaths, model: Model | str = "incremental", *,
               channels: pd.DataFrame | None = None) -> ModelCredit:
    """Run a path model on aggregated paths (path, conversions, value, nulls)."""
    model = as_model(model)
    encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
    if isinstance(model, TimeDecay):
        raise ValueError("time_decay needs touch timestamps: use attribute_journeys / credit_by_day with journeys")
    if isinstance(model, Markov):
        result = markov.removal_effects(encoded, model.order)
        return ModelCredit(model.name, encoded.channels, result.conversions, result.value, None, None, encoded,
                           global_split=True, detail=result)
    if isinstance(model, Incremental):
        fitted = IncrementalModel.from_settings(model).fit(encoded, channels)
        c = fitted.credit(encoded)
        return ModelCredit(model.name, c.columns, c.conversions, c.value, c.weights, c.weights, encoded,
                           standard_error=c.standard_error, detail=fitted, n_sampled_paths=c.n_sampled_paths)
    w = heuristics.path_weights(encoded, model, channels)
    return ModelCredit(model.name, encoded.channels, w.T @ encoded.conversions, w.T @ encoded.value, w, w, encoded)


# --- per channel -------------------------------------------------------------------------------------


def tidy(credit: ModelCredit, channels: pd.DataFrame | None = None) -> pd.DataFrame:
    """model, channel, group, conversions, value: every channel of the paths and of ``channels``
    (zero where uncredited), the channels table's order first, ``(none)`` and ``(baseline)`` last;
    plus ``conversions_std_error`` when some paths' Shapley values were sampled."""
    got = pd.DataFrame({"channel": list(credit.channels), "conversions": credit.conversions, "value": credit.value})
    names = _channel_order(list(credit.encoded.channels) + list(credit.channels), channels)
    frame = pd.DataFrame({"channel": names}).merge(got, on="channel", how="left").fillna(
        {"conversions": 0.0, "value": 0.0})
    frame.insert(0, "model", credit.model)
    frame.insert(2, "group", _groups(frame["channel"], channels))
    columns = list(CREDIT_COLUMNS)
    if credit.n_sampled_paths and credit.standard_error is not None:  # sampled Shapley values: say how sure
        se = dict(zip(credit.channels, credit.standard_error))
        frame["conversions_std_error"] = frame["channel"].map(se).fillna(0.0)
        columns.append("conversions_std_error")
    return frame[columns].reset_index(drop=True)


def attribute(paths: pd.DataFrame, model: Model | str = "incremental", *, channels: pd.DataFrame | None = None,
              order: int = 1) -> pd.DataFrame:
    """Credit per channel of one model on an aggregated paths table (ChannelAttribution's column
    names work): model, channel, group, conversions, value."""
    return tidy(fit_credit(paths, as_model(model, order=order), channels=channels), channels)


def attribute_journeys(journeys: Journeys, model: Model | str = "incremental", *,
                       channels: pd.DataFrame | None = None, order: int = 1) -> pd.DataFrame:
    """As :func:`attribute`, from journeys (so ``time_decay`` is available)."""
    model = as_model(model, order=order)
    if isinstance(model, TimeDecay):
        daily = _time_decay_daily(journeys, model, channels)
        return _daily_to_tidy(daily, channels, extra=_path_channels(journeys.journeys))
    return attribute(aggregate_paths(journeys.journeys), model, channels=channels)


def attribute_all(source: pd.DataFrame | Journeys, models: tuple[Model | str, ...] | None = None, *,
                  channels: pd.DataFrame | None = None, order: int = 1) -> pd.DataFrame:
    """Every model (default: all that the input allows) stacked in one tidy table."""
    is_journeys = isinstance(source, Journeys)
    chosen = [as_model(m, order=order) for m in (models or default_models(order=order, with_time=is_journeys))]
    if not is_journeys and any(isinstance(m, TimeDecay) for m in chosen):
        raise ValueError("time_decay needs journeys with timestamps, not a paths table")
    encoded = encode_paths(aggregate_paths(source.journeys) if is_journeys else source)
    frames = []
    for m in chosen:
        if isinstance(m, TimeDecay):
            frames.append(attribute_journeys(source, m, channels=channels))
        else:
            frames.append(tidy(fit_credit(encoded, m, channels=channels), channels))
    return pd.concat(frames, ignore_index=True)


# --- per day and product segment -----------------------------------------------------------------------


def credit_by_day(source: pd.DataFrame | Journeys, model: Model | str = "incremental", *,
                  channels: pd.DataFrame | None = None, order: int = 1, fitted: ModelCredit | None = None,
                  rake_tol: float = 1e-10, rake_max_iter: int = 5000) -> pd.DataFrame:
    """Credit per (date, product_segment, channel) of the converting journeys: model, date,
    product_segment, channel, group, conversions, value.

    ``source``: journeys, or paths per day (``build_paths(..., by=("date", "product_segment"))``:
    date, product_segment, path, conversions, value, nulls). The model is fitted on the paths summed
    over days (or ``fitted``: the same model already run on those paths); see the module docstring for
    how each conversion is split.
    """
    model = as_model(model, order=order)
    if isinstance(model, TimeDecay):
        if not isinstance(source, Journeys):
            raise ValueError("time_decay needs journeys with timestamps, not a paths table")
        return _time_decay_daily(source, model, channels)
    daily_paths = aggregate_paths(source.journeys, by=("date", "product_segment")) \
        if isinstance(source, Journeys) else source
    missing = {"date", "product_segment", "path", "conversions"} - set(daily_paths.columns)
    if missing:
        raise ValueError(f"credit_by_day needs columns date, product_segment, path, conversions; missing {sorted(missing)}")
    summed = daily_paths.groupby("path", sort=False)[["conversions", "value", "nulls"]].sum().reset_index() \
        if {"value", "nulls"} <= set(daily_paths.columns) else daily_paths
    if NULL_WINDOW in daily_paths.columns and summed is not daily_paths:  # how the windows were cut stays known
        summed[NULL_WINDOW] = null_window_of(daily_paths)
    credit = fitted if fitted is not None else fit_credit(summed, model, channels=channels)
    conv_rows = daily_paths[daily_paths["conversions"] > 0]
    cells = conv_rows.groupby(["date", "product_segment", canonical_paths(conv_rows["path"])], sort=True,
                              dropna=False)[["conversions", "value"]].sum()
    cell_keys = cells.index.to_frame(index=False)
    cell_keys.columns = ["date", "product_segment", "path"]
    rows = pd.Index(credit.encoded.paths).get_indexer(cell_keys["path"])
    day_seg = cell_keys[["date", "product_segment"]]
    day_codes, days = pd.MultiIndex.from_frame(day_seg).factorize(sort=True)
    n_days = len(days)
    agg = sparse.csr_matrix((np.ones(len(rows)), (day_codes, np.arange(len(rows)))), shape=(n_days, len(rows)))
    weights, value_weights = credit.path_weights()
    conv = agg @ sparse.diags(cells["conversions"].to_numpy(float)) @ weights[rows]
    value = agg @ sparse.diags(cells["value"].to_numpy(float)) @ value_weights[rows]
    conv, value = conv.toarray(), value.toarray()
    if credit.global_split:
        conv = rake(conv, conv.sum(axis=1), credit.conversions, tol=rake_tol, max_iter=rake_max_iter)
        value = rake(value, value.sum(axis=1), credit.value, tol=rake_tol, max_iter=rake_max_iter)
    day_frame = days.to_frame(index=False)
    day_frame.columns = ["date", "product_segment"]
    out = []
    for j, ch in enumerate(credit.channels):
        keep = (conv[:, j] != 0) | (value[:, j] != 0)
        part = day_frame[keep].copy()
        part["channel"] = ch
        part["conversions"] = conv[keep, j]
        part["value"] = value[keep, j]
        out.append(part)
    frame = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=DAILY_COLUMNS)
    frame.insert(0, "model", credit.model)
    frame["group"] = _groups(frame["channel"], channels)
    return frame.sort_values(["date", "product_segment", "channel"], ignore_index=True)[list(DAILY_COLUMNS)]


def rake(table: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, *, tol: float = 1e-10,
         max_iter: int = 5000) -> np.ndarray:
    """Iterative proportional fitting of a non-negative ``table`` to row and column totals (which
    must have the same sum). Rows end exact; columns within ``tol`` (relative) when the zero pattern
    allows it, else as close as the iterations got."""
    a = np.array(table, dtype=float)
    r, c = np.asarray(row_totals, float), np.asarray(col_totals, float)
    for _ in range(max_iter):
        cs = a.sum(axis=0)
        a *= np.divide(c, cs, out=np.ones_like(c), where=cs > 0)[None, :]
        rs = a.sum(axis=1)
        a *= np.divide(r, rs, out=np.ones_like(r), where=rs > 0)[:, None]
        if np.abs(a.sum(axis=0) - c).max() <= tol * max(c.sum(), 1.0):
            break
    return a


def _time_decay_daily(journeys: Journeys, model: TimeDecay, channels: pd.DataFrame | None) -> pd.DataFrame:
    j = journeys.journeys
    conv = j.loc[j["converted"].astype(bool), ["journey_id", "date", "product_segment", "value", "path"]]
    w = heuristics.time_decay_weights(journeys.touches, journeys.journeys, model)
    w = w.merge(conv, on="journey_id", how="inner")
    untouched = conv[~conv["journey_id"].isin(w["journey_id"])]
    w = pd.concat([w, untouched.assign(channel=NO_TOUCH, weight=1.0)], ignore_index=True)
    w["conversions"] = w["weight"]
    w["value"] = w["weight"] * w["value"].astype(float)
    frame = w.groupby(["date", "product_segment", "channel"], sort=True, dropna=False)[
        ["conversions", "value"]].sum().reset_index()
    return _as_daily(frame, model, channels)


def _as_daily(frame: pd.DataFrame, model: Model, channels: pd.DataFrame | None) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "model", model.name)
    frame["group"] = _groups(frame["channel"], channels)
    return frame[list(DAILY_COLUMNS)]


def time_decay_tables(by_day: pd.DataFrame, paths: pd.DataFrame, model: TimeDecay | None = None, *,
                      channels: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tidy credit, credit per day) of time decay from an engine's per-day table
    (:func:`attribution.engines.time_decay_by_day`: date, product_segment, channel, conversions,
    value); ``paths``, the same inputs' aggregated paths, lists every channel seen (those never in a
    converting journey get a zero row)."""
    model = model or TimeDecay()
    daily = _as_daily(by_day.assign(date=pd.to_datetime(by_day["date"]).dt.date), model, channels)
    return _daily_to_tidy(daily, channels, extra=list(encode_paths(paths).channels)), daily


def _daily_to_tidy(daily: pd.DataFrame, channels: pd.DataFrame | None, extra: list[str]) -> pd.DataFrame:
    model = daily["model"].iloc[0] if len(daily) else ""
    got = daily.groupby("channel", sort=False)[["conversions", "value"]].sum().reset_index()
    names = _channel_order(extra + list(got["channel"]), channels)
    frame = pd.DataFrame({"channel": names}).merge(got, on="channel", how="left").fillna(
        {"conversions": 0.0, "value": 0.0})
    frame.insert(0, "model", model)
    frame.insert(2, "group", _groups(frame["channel"], channels))
    return frame[list(CREDIT_COLUMNS)]


def _path_channels(journeys: pd.DataFrame) -> list[str]:
    return list(encode_paths(aggregate_paths(journeys)).channels)


# --- spend and comparison ------------------------------------------------------------------------------


def with_spend(credit: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Add spend, ROAS = value / spend (GMV per yuan, what Chinese platforms call 投产比/ROI),
    net_return = (value − spend) / spend (named apart: every plan output's ``roi`` is GMV ÷ spend) and
    CPA = spend / conversions.

    A per-channel table gets each channel's total spend; a per-day table (with date and
    product_segment) is joined on date, channel and segment (spend's ``segment``). Rows without
    spend (organic channels, the baseline) get NaN ratios."""
    s = spend.copy()
    if "segment" in s.columns and "product_segment" not in s.columns:
        s = s.rename(columns={"segment": "product_segment"})
    if "date" in credit.columns:
        keys = ["date", "channel", "product_segment"] if "product_segment" in credit.columns else ["date", "channel"]
        s["date"] = pd.to_datetime(s["date"]).dt.date
        left = credit.assign(date=pd.to_datetime(credit["date"]).dt.date)
        totals = s.groupby(keys, dropna=False)["spend"].sum().reset_index()
        out = left.merge(totals, on=keys, how="left")
    else:
        totals = s.groupby("channel")["spend"].sum().rename("spend").reset_index()
        out = credit.merge(totals, on="channel", how="left")
    spent = out["spend"].where(out["spend"] > 0)
    out["roas"] = out["value"] / spent
    out["net_return"] = (out["value"] - out["spend"]) / spent
    out["cpa"] = out["spend"] / out["conversions"].where(out["conversions"] > 0)
    return out


def side_by_side(credit: pd.DataFrame, measure: str = "conversions") -> pd.DataFrame:
    """One row per channel, one column per model. ``measure``: ``conversions``, ``value`` or
    ``share`` (of the model's conversions, baseline included)."""
    if measure not in ("conversions", "value", "share"):
        raise ValueError(f"measure must be conversions, value or share, got {measure!r}")
    frame = credit.copy()
    if measure == "share":
        total = frame.groupby("model")["conversions"].transform("sum")
        frame["share"] = frame["conversions"] / total.where(total > 0)
    models = list(dict.fromkeys(frame["model"]))
    channels = list(dict.fromkeys(frame["channel"]))
    wide = frame.pivot_table(index="channel", columns="model", values=measure, aggfunc="sum", sort=False)
    wide = wide.reindex(index=channels, columns=models).fillna(0.0)
    groups = frame.drop_duplicates("channel").set_index("channel")["group"]
    wide.insert(0, "group", groups.reindex(wide.index))
    wide.columns.name = None
    return wide.reset_index()


# --- helpers -------------------------------------------------------------------------------------------


def _channel_order(names: list[str], channels: pd.DataFrame | None) -> list[str]:
    known = list(dict.fromkeys(channels["channel"].astype(str))) if channels is not None else []
    seen = set(known)
    rest = sorted({n for n in names if n not in seen and n not in (NO_TOUCH, BASELINE)})
    tail = [n for n in (NO_TOUCH, BASELINE) if n in set(names)]
    return known + rest + tail


def _groups(names: pd.Series, channels: pd.DataFrame | None) -> pd.Series:
    mapping = {}
    if channels is not None and "group" in channels.columns:
        mapping = dict(zip(channels["channel"].astype(str), channels["group"]))
    mapping[BASELINE] = BASELINE_GROUP
    return pd.Series([mapping.get(n) for n in names], index=names.index, dtype=object)


__all__ = ["CREDIT_COLUMNS", "DAILY_COLUMNS", "ModelCredit", "as_model", "attribute", "attribute_all",
           "attribute_journeys", "credit_by_day", "fit_credit", "rake", "side_by_side", "tidy", "time_decay_tables",
           "with_spend"]
