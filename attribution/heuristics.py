"""Rule-based models: each gives every touch of a path a weight, and the weights of a path sum to 1.

A path with ``y`` conversions and value ``v`` credits ``y·w`` conversions and ``v·w`` value to the
channel of a touch of weight ``w`` (ChannelAttribution's ``heuristic_models`` for first, last and
linear touch; Google Analytics' definitions for last non-direct and position based).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .incremental import resolve_organic
from .models import FirstTouch, LastNonDirect, LastTouch, Linear, PositionBased, TimeDecay
from .paths import EncodedPaths, credited_steps

PathHeuristic = FirstTouch | LastTouch | LastNonDirect | Linear | PositionBased


def direct_channels(model: LastNonDirect, channels: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The channels last non-direct skips: ``model.direct`` if given, else the channels table's group
    ``organic``, else (no table, or no ``group`` column) the channel named ``direct``."""
    if model.direct is not None:
        return tuple(model.direct)
    if channels is None or "group" not in channels.columns:
        return ("direct",)
    return resolve_organic(None, channels)


def step_weights(encoded: EncodedPaths, model: PathHeuristic, channels: pd.DataFrame | None = None) -> np.ndarray:
    """Weight of every step (aligned with ``encoded.steps``); each path's weights sum to 1.

    ``channels``: the channels table, whose group ``organic`` last non-direct skips (see :func:`direct_channels`)."""
    n_steps = len(encoded.steps)
    starts, ends = encoded.offsets[:-1], encoded.offsets[1:] - 1
    w = np.zeros(n_steps)
    if isinstance(model, FirstTouch):
        w[starts] = 1.0
    elif isinstance(model, LastTouch):
        w[ends] = 1.0
    elif isinstance(model, LastNonDirect):
        eligible = credited_steps(encoded, frozenset(direct_channels(model, channels)))
        idx = np.where(eligible, np.arange(n_steps), -1)
        last = np.maximum.reduceat(idx, starts) if n_steps else np.array([], dtype=np.int64)
        w[np.where(last >= 0, last, ends)] = 1.0
    elif isinstance(model, Linear):
        w = 1.0 / np.repeat(encoded.lengths, encoded.lengths).astype(float)
    elif isinstance(model, PositionBased):
        length = np.repeat(encoded.lengths, encoded.lengths)
        pos = encoded.position
        f, last = model.first, model.last
        middle = (1.0 - f - last) / np.maximum(length - 2, 1)
        w = np.where(pos == 0, f, np.where(pos == length - 1, last, middle))
        two = length == 2
        w[two] = np.where(pos[two] == 0, f, last) / (f + last)
        w[length == 1] = 1.0
    else:
        raise TypeError(f"not a path heuristic: {model!r}")
    return w


def path_weights(encoded: EncodedPaths, model: PathHeuristic, channels: pd.DataFrame | None = None
                 ) -> sparse.csr_matrix:
    """Weights as a (paths × channels) sparse matrix; repeated touches of a channel are added."""
    w = step_weights(encoded, model, channels)
    return sparse.csr_matrix((w, (encoded.row, encoded.steps)), shape=(encoded.n_paths, encoded.n_channels))


def time_decay_weights(touches: pd.DataFrame, journeys: pd.DataFrame, model: TimeDecay) -> pd.DataFrame:
    """Per converting journey and channel: the sum of ``2^(−Δ/h)`` over its touches, ``Δ`` the days from the
    touch to the conversion, normalised so each journey's weights sum to 1.

    ``touches``: journey_id, channel, timestamp; ``journeys``: journey_id, converted, conversion_ts.
    Returns journey_id, channel, weight (journeys without touches are absent).
    """
    conv = journeys.loc[journeys["converted"].astype(bool), ["journey_id", "conversion_ts"]]
    t = touches[["journey_id", "channel", "timestamp"]].merge(conv, on="journey_id", how="inner")
    if t.empty:
        return pd.DataFrame({"journey_id": t["journey_id"], "channel": t["channel"], "weight": np.zeros(0)})
    days = (pd.to_datetime(t["conversion_ts"]) - pd.to_datetime(t["timestamp"])).dt.total_seconds().to_numpy() / 86400.0
    days = np.maximum(days, 0.0)
    # shift by each journey's most recent touch: the normalised weights are unchanged and nothing underflows
    jid = t["journey_id"].to_numpy()
    nearest = pd.Series(days).groupby(jid).transform("min").to_numpy()
    raw = np.exp2(-(days - nearest) / model.half_life_days)
    out = pd.DataFrame({"journey_id": jid, "channel": t["channel"].astype(str).to_numpy(), "weight": raw})
    out = out.groupby(["journey_id", "channel"], sort=True, as_index=False)["weight"].sum()
    out["weight"] /= out.groupby("journey_id")["weight"].transform("sum")
    return out


__all__ = ["PathHeuristic", "direct_channels", "path_weights", "step_weights", "time_decay_weights"]
