"""Score attribution methods on a world against its truth.

**Score** (one definition for every method): a method's credited conversions per channel, negative
credit clipped to 0, ``(baseline)`` and ``(none)`` (conversions without touches) set apart as
baseline; ``share_c`` = credit of ``c`` / credit of all channels. Share error
``Σ_c |share_c − true share_c|`` over the world's credited channels and every channel the method
credits (an organic channel's true share is 0), between 0 (perfect) and 2 (1 when the method credits
no channel at all); undefined in a world without incremental conversions. Baseline share = baseline credit / all credit (0 for methods
without a baseline), against the world's true baseline share.

**Inputs** (as a user would give them): roimix's ``incremental`` gets the whole paths and the
channels table (and is run once more without it); every other method, roimix's heuristics and
Markov included, gets the paths with organic channels removed (paths left empty become
``(none)``, which ChannelAttribution and ``mta`` cannot take and so do not get). ``mta`` runs on a
binomial thinning of the paths to at most ``MTA_MAX_JOURNEYS`` journeys (its models loop in Python).
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..peers import run_mta_model
from .common import NO_TOUCH, SEPARATOR, World

BASELINE = "(baseline)"
MTA_MAX_JOURNEYS = 100_000
ROIMIX_OTHERS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based",
                 "markov_1", "markov_2", "markov_3")
CA_MARKOV_ORDERS = (1, 2, 3)
MTA_MODELS = ("first_touch", "last_touch", "linear", "position_based", "markov", "shapley", "shao",
              "logistic_regression", "additive_hazard")
MTA_SLOW = ("logistic_regression", "additive_hazard")
"""per-conversion Python loops: minutes on 10⁵ journeys"""
_MTA_KEYS = {"position_based": "pos_based", "logistic_regression": "linreg", "additive_hazard": "add_haz"}
"""mta stores these models' results under other names"""


@dataclass(frozen=True)
class Score:
    method: str
    share_error: float
    """Σ |share − true share| over channels (nan in a world without incremental conversions)"""
    baseline_share: float
    shares: dict[str, float]
    seconds: float
    note: str = ""


def shares_of(credit: dict[str, float]) -> tuple[dict[str, float], float]:
    """(share per channel, baseline share) of a method's credited conversions."""
    base = sum(max(float(credit.get(k, 0.0)), 0.0) for k in (BASELINE, NO_TOUCH))
    chan = {c: max(float(v), 0.0) for c, v in credit.items() if c not in (BASELINE, NO_TOUCH)}
    total = sum(chan.values())
    shares = {c: v / total for c, v in chan.items()} if total > 0 else {}
    return shares, base / (base + total) if base + total > 0 else float("nan")


def share_error(shares: dict[str, float], truth: dict[str, float]) -> float:
    """Σ |share − true share| over the union of channels (1 if no channel is credited); nan without a truth."""
    if not truth:
        return float("nan")
    return sum(abs(shares.get(c, 0.0) - truth.get(c, 0.0)) for c in set(shares) | set(truth))


def score(method: str, credit: dict[str, float], world: World, seconds: float = 0.0, note: str = "",
          truth: dict[str, float] | None = None) -> Score:
    shares, base = shares_of(credit)
    return Score(method, share_error(shares, world.truth_share if truth is None else truth), base, shares,
                 seconds, note)


# --- inputs ------------------------------------------------------------------------------------------


def without_organic(paths: pd.DataFrame, organic: tuple[str, ...]) -> pd.DataFrame:
    """The paths with organic channels' touches removed (re-aggregated; emptied paths become ``(none)``)."""
    if not organic:
        return paths
    drop = set(organic)
    kept = [SEPARATOR.join(s for s in p.split(SEPARATOR) if s not in drop) or NO_TOUCH for p in paths["path"]]
    out = paths.drop(columns="path").assign(path=kept)
    cols = ["total_conversions", "total_conversion_value", "total_null"]
    return out.groupby("path", sort=True)[cols].sum().reset_index()


def thinned(paths: pd.DataFrame, max_journeys: int, seed: int) -> tuple[pd.DataFrame, int]:
    """Binomial thinning of the paths to about ``max_journeys`` journeys (a random subsample of users)."""
    n = float(paths["total_conversions"].sum() + paths["total_null"].sum())
    if n <= max_journeys:
        return paths, int(n)
    f = max_journeys / n
    rng = np.random.default_rng(seed)
    conv = rng.binomial(paths["total_conversions"].to_numpy(np.int64), f)
    nulls = rng.binomial(paths["total_null"].to_numpy(np.int64), f)
    mean_value = np.divide(paths["total_conversion_value"].to_numpy(float), paths["total_conversions"].to_numpy(float),
                           out=np.zeros(len(paths)), where=paths["total_conversions"].to_numpy() > 0)
    out = pd.DataFrame({"path": paths["path"].to_numpy(), "total_conversions": conv,
                        "total_conversion_value": conv * mean_value, "total_null": nulls})
    out = out[(out["total_conversions"] + out["total_null"]) > 0].reset_index(drop=True)
    return out, int(conv.sum() + nulls.sum())


def _touched(paths: pd.DataFrame) -> pd.DataFrame:
    return paths[paths["path"] != NO_TOUCH].reset_index(drop=True)


# --- methods -----------------------------------------------------------------------------------------


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def roimix_credit(paths: pd.DataFrame, model: str, channels: pd.DataFrame | None) -> dict[str, float]:
    import attribution as A

    tidy = A.attribute(paths, model, channels=channels)
    return dict(zip(tidy["channel"], tidy["conversions"].astype(float)))


def default_model(world: World, *, with_table: bool = True) -> Score:
    """roimix's default model (``incremental``) on the world's whole paths."""
    credit, secs = _timed(lambda: roimix_credit(world.paths, "incremental", world.channels if with_table else None))
    return score("roimix incremental" + ("" if with_table else " (no channels table)"), credit, world, secs)


def ca_credit(paths: pd.DataFrame, what: str) -> dict[str, dict[str, float]]:
    with contextlib.redirect_stdout(io.StringIO()):
        import ChannelAttribution as ca

        p = _touched(paths)
        if what == "heuristics":
            res = ca.heuristic_models(p, "path", "total_conversions", var_value="total_conversion_value",
                                      flg_pro=False)
            return {f"CA {m}": dict(zip(res["channel_name"], res[f"{m}_conversions"].astype(float)))
                    for m in ("first_touch", "last_touch", "linear_touch")}
        order = int(what)
        res = ca.markov_model(p, "path", "total_conversions", var_value="total_conversion_value",
                              var_null="total_null", order=order, verbose=False, flg_pro=False)
        return {f"CA markov_model order {order}": dict(zip(res["channel_name"], res["total_conversions"].astype(float)))}


def mta_credit(paths: pd.DataFrame, models: tuple[str, ...] = MTA_MODELS) -> dict[str, tuple[dict[str, float], float]]:
    from mta import MTA

    out = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        data = _touched(paths).astype({"total_conversions": "int64", "total_null": "int64"})
        m = MTA(data=data, allow_loops=False, add_timepoints="additive_hazard" in models)
        for name in models:
            started = time.perf_counter()
            run_mta_model(m, name)
            key = _MTA_KEYS.get(name, name)
            out[f"mta {name}"] = (dict(m.attribution[key]), time.perf_counter() - started)
    return out


def evaluate(world: World, *, peers: bool = True, mta: bool = True, seed: int = 0,
             mta_slow_journeys: int = MTA_MAX_JOURNEYS) -> list[Score]:
    """Every method's score on ``world`` (see the module docstring for who gets which input);
    ``mta``'s logistic regression and additive hazard on at most ``mta_slow_journeys`` journeys."""
    rows = [default_model(world), default_model(world, with_table=False)]
    peer_paths = without_organic(world.paths, world.organic)
    for name in ROIMIX_OTHERS:
        credit, secs = _timed(lambda: roimix_credit(peer_paths, name, None))
        rows.append(score(f"roimix {name}", credit, world, secs))
    if peers:
        for what in ("heuristics",) + tuple(str(o) for o in CA_MARKOV_ORDERS):
            got, secs = _timed(lambda: ca_credit(peer_paths, what))
            rows.extend(score(k, v, world, secs / len(got)) for k, v in got.items())
    if mta:
        fast = tuple(m for m in MTA_MODELS if m not in MTA_SLOW)
        for models, most in ((fast, MTA_MAX_JOURNEYS), (MTA_SLOW, min(mta_slow_journeys, MTA_MAX_JOURNEYS))):
            small, n = thinned(peer_paths, most, seed)
            for k, (v, secs) in mta_credit(small, models).items():
                rows.append(score(k, v, world, secs, note=f"{n:,} journeys"))
    return rows


def frame(scores: list[Score]) -> pd.DataFrame:
    return pd.DataFrame([{"method": s.method, "share_error": s.share_error, "baseline_share": s.baseline_share,
                          "seconds": s.seconds, "note": s.note} for s in scores])


def is_nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)
