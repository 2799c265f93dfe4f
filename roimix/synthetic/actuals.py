"""Simulated actuals of a plan on a market whose truth is known (issue 18, item 6: the loop plan → platform
settings → actuals → pacing → re-plan, on the bundled sample).

:func:`simulate_actuals` is pure: a plan's daily rows (date, channel, segment, spend), the market's truth
(:class:`MarketTruth`, read from a folder ``roimix generate`` wrote by :func:`read_truth`: ``truth_curves.csv``
and ``truth.json``), a number of days and a seed in; the spend the platforms really delivered and the shop's GMV
per day out.

* **Spend** = the plan's spend × (1 + ``spend_noise`` · z), z standard normal, clipped at 0, to the fen; and one
  stated :class:`Deviation` (default: 巨量千川 40 % under plan on the plan's 5th to 7th day, both segments) —
  the kind of gap pacing must catch.
* **GMV** per day and segment = the truth's baseline (would-have-bought-anyway GMV: orders per day per million
  users × users × trend × weekend × campaign-phase multipliers × the segment's order value) + the true incremental
  response of the actual spend: per cell ``a·(1 − exp(−spend/b))`` (``truth_curves.csv``) × the day's response
  multiplier (campaign phase × weekend ÷ the week's mean, as the generator makes it), landed after the channel's
  conversion lag (the generator's own day kernel) when ``lag`` is on. Campaign phases recur on the same calendar
  days every year (the truth's 618 of 2026 is also 2027's); the baseline trend runs on from the truth's first day.
  With ``noise`` each day's orders are Poisson and their values lognormal (the generator's ``value_sigma``), so a
  day's GMV scatters as a shop's does; without it the GMV is the expectation.
* **Reference days**: ``reference_days`` before the plan's first day are simulated at the truth's current spend
  (today's allocation), so the pacing has the GMV before the plan to compare with (``outcome`` holds them; the
  spend table holds the plan's days only). Spend before those days (60 more days, at current spend) only feeds
  the conversion lag's carry-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

SEGMENTS = ("existing", "new")
PER_USERS = 1_000_000
CARRY_IN_DAYS = 60
"""Days before the first simulated day whose spend (at current spend) can still land orders (the lag kernel's
length)."""


@dataclass(frozen=True)
class Deviation:
    """``channel``'s actual spend is ``factor`` × plan (noise aside) on the plan's days ``first``…``first + days − 1``
    (0 = the plan's first day), all its segments."""

    channel: str
    first: int = 4
    days: int = 3
    factor: float = 0.6

    def __post_init__(self):
        if self.first < 0 or self.days < 1 or self.factor < 0:
            raise ValueError("a deviation needs first ≥ 0, days ≥ 1 and factor ≥ 0")  # a programming mistake


DEFAULT_DEVIATION = Deviation("qianchuan", first=4, days=3, factor=0.6)
"""巨量千川 40 % under plan on the 5th, 6th and 7th day of the plan (a platform that did not deliver)."""


@dataclass(frozen=True)
class MarketTruth:
    """What a simulated market's truth says about response and baseline."""

    curves: pd.DataFrame
    """channel, segment, a, b, current_spend, lag_mean_days (``truth_curves.csv``; family exp)"""
    spec: dict
    """the market's spec (``truth.json``'s ``spec``): users, start, campaign phases, baseline and weekend terms,
    order values"""


@dataclass(frozen=True)
class SimulatedActuals:
    spend: pd.DataFrame
    """date, channel, segment, spend: what was really spent on the plan's first days (the spend contract)"""
    outcome: pd.DataFrame
    """date, segment, value: the shop's GMV per day and segment, the reference days and the plan's days (the
    outcome contract)"""
    response: pd.DataFrame
    """date, channel, segment, planned_spend (NaN on reference days), spend, response_multiplier, expected_value
    (the true incremental GMV of the day's spend, before the lag: ``truth_daily.csv``'s columns)"""
    baseline: pd.DataFrame
    """date, expected_baseline_value (the truth's baseline GMV of the day, all segments)"""
    deviation: Deviation | None


def read_truth(folder: str | Path) -> MarketTruth:
    """The truth a market folder holds (``truth_curves.csv``, ``truth.json``; ``roimix generate`` writes both)."""
    folder = Path(folder)
    curves = pd.read_csv(folder / "truth_curves.csv")
    spec = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["spec"]
    return MarketTruth(curves, spec)


def _phases(spec: dict, days: pd.DatetimeIndex, attr: str) -> np.ndarray:
    """Each day's campaign multiplier ``attr`` (1 outside the campaign), the phases moved to the day's year."""
    out = np.ones(len(days))
    for phase in spec.get("campaign", ()):
        start, end = date.fromisoformat(str(phase["start"])), date.fromisoformat(str(phase["end"]))
        for year in sorted(set(days.year)):
            try:
                lo, hi = pd.Timestamp(start.replace(year=year)), pd.Timestamp(end.replace(year=year))
            except ValueError:  # 29 February
                continue
            out[(days >= lo) & (days <= hi)] = float(phase[attr])
    return out


def response_multiplier(spec: dict, days: pd.DatetimeIndex) -> np.ndarray:
    """The truth's response multiplier of each day: campaign phase × weekend, over the week's mean."""
    w = float(spec["weekend_response_multiplier"])
    weekend = np.where(days.day_of_week >= 5, w, 1.0)
    return _phases(spec, days, "response_multiplier") * weekend / ((5 + 2 * w) / 7)


def baseline_value(spec: dict, days: pd.DatetimeIndex) -> pd.DataFrame:
    """date, segment, value: the truth's expected baseline GMV per day and segment (trend from the truth's first
    day, weekend and campaign-phase multipliers, the segments' order values)."""
    scale = float(spec["n_users"]) / PER_USERS
    trend = 1 + float(spec["baseline_trend_per_day"]) * (days - pd.Timestamp(spec["start"])).days.to_numpy()
    weekend = np.where(days.day_of_week >= 5, float(spec["weekend_baseline_multiplier"]), 1.0)
    orders = float(spec["baseline_conversions_per_day"]) * scale * trend * weekend * \
        _phases(spec, days, "baseline_multiplier")
    aov = dict((str(s), float(v)) for s, v in spec["aov_cny"])
    new = float(spec["baseline_new_product_share"])
    share = {"existing": 1 - new, "new": new}
    return pd.concat([pd.DataFrame({"date": days, "segment": s, "value": orders * share[s] * aov[s],
                                    "orders": orders * share[s]}) for s in SEGMENTS], ignore_index=True)


@lru_cache(maxsize=64)
def _kernel(lag_mean_days: float, n: int) -> np.ndarray:
    """The generator's day kernel of a conversion lag (its own draws, seeded: the same every call); read-only."""
    from .daily import lag_kernel

    out = lag_kernel(float(lag_mean_days), n, np.random.default_rng(0))
    out.flags.writeable = False
    return out


def simulate_actuals(plan: pd.DataFrame, truth: MarketTruth, *, days: int = 14, seed: int = 1,
                     noise: bool = True, spend_noise: float = 0.05, deviation: Deviation | None = DEFAULT_DEVIATION,
                     lag: bool = True, reference_days: int = 28) -> SimulatedActuals:
    """The actuals of the first ``days`` days of ``plan`` (date, channel, segment, spend; one row per day and
    cell) on the market ``truth`` describes; see the module. ``noise`` off: spend is the plan's (but for the
    deviation) and GMV its expectation. A plan cell the truth has no curve for brings no GMV."""
    frame = plan[["date", "channel", "segment", "spend"]].copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    plan_days = pd.DatetimeIndex(sorted(frame["date"].unique()))[:days]
    frame = frame[frame["date"].isin(plan_days)].groupby(["date", "channel", "segment"], as_index=False)["spend"].sum()
    rng = np.random.default_rng(seed)
    first = plan_days[0]
    ref = pd.date_range(end=first - pd.Timedelta(days=1), periods=reference_days) if reference_days else \
        pd.DatetimeIndex([])
    carry = pd.date_range(end=(ref[0] if len(ref) else first) - pd.Timedelta(days=1), periods=CARRY_IN_DAYS)
    every = carry.append(ref).append(plan_days)
    curves = truth.curves.assign(channel=truth.curves["channel"].astype(str)).drop_duplicates(["channel", "segment"])
    cells = pd.concat([curves[["channel", "segment"]], frame[["channel", "segment"]]]).drop_duplicates()
    mult = response_multiplier(truth.spec, every)
    n_before = len(carry) + len(ref)
    rows, landed = [], {s: np.zeros(len(every)) for s in SEGMENTS}
    for cell in cells.itertuples(index=False):
        mine = frame[(frame["channel"] == cell.channel) & (frame["segment"] == cell.segment)].set_index("date")["spend"]
        planned = mine.reindex(plan_days).fillna(0.0).to_numpy(dtype=float)
        curve = curves[(curves["channel"] == cell.channel) & (curves["segment"] == cell.segment)]
        current = float(curve["current_spend"].iloc[0]) if len(curve) else 0.0
        intended = np.r_[np.full(n_before, current), planned]
        factor = np.ones(len(every))
        if deviation is not None and cell.channel == deviation.channel:
            at = n_before + deviation.first
            factor[at:at + deviation.days] = deviation.factor
        jitter = np.maximum(0.0, 1 + spend_noise * rng.standard_normal(len(every))) if noise else np.ones(len(every))
        spend = np.round(intended * factor * jitter, 2)
        if len(curve):
            a, b = float(curve["a"].iloc[0]), float(curve["b"].iloc[0])
            value = a * (1 - np.exp(-spend / b)) * mult
            lag_days = float(curve["lag_mean_days"].iloc[0]) if "lag_mean_days" in curve.columns else 0.0
            if lag and lag_days > 0:
                value_landed = np.convolve(value, _kernel(lag_days, len(every)))[:len(every)]
            else:
                value_landed = value
            landed.setdefault(str(cell.segment), np.zeros(len(every)))
            landed[str(cell.segment)] += value_landed
        else:
            value = np.zeros(len(every))
        keep = slice(len(carry), None)
        rows.append(pd.DataFrame({
            "date": every[keep], "channel": cell.channel, "segment": cell.segment,
            "planned_spend": np.r_[np.full(len(ref), np.nan), planned], "spend": spend[keep],
            "response_multiplier": mult[keep], "expected_value": value[keep]}))
    response = pd.concat(rows, ignore_index=True).sort_values(["date", "channel", "segment"], ignore_index=True)
    shown = every[len(carry):]
    base = baseline_value(truth.spec, shown)
    aov = dict((str(s), float(v)) for s, v in truth.spec["aov_cny"])
    sigma = float(truth.spec.get("value_sigma", 0.0))
    out = []
    for s in SEGMENTS:
        mine = base[base["segment"] == s]
        expected = mine["value"].to_numpy() + landed[s][len(carry):]
        if noise:  # orders Poisson, their values lognormal with mean aov (a normal approximation to their sum)
            orders = rng.poisson(expected / aov[s])
            sd = aov[s] * np.sqrt(np.expm1(sigma ** 2))
            expected = np.maximum(0.0, orders * aov[s] + np.sqrt(orders) * sd * rng.standard_normal(len(orders)))
        out.append(pd.DataFrame({"date": shown, "segment": s, "value": np.round(expected, 2)}))
    outcome = pd.concat(out, ignore_index=True).sort_values(["date", "segment"], ignore_index=True)
    spend_table = response[response["date"] >= first][["date", "channel", "segment", "spend"]]
    spend_table = spend_table.merge(frame[["date", "channel", "segment"]], on=["date", "channel", "segment"])
    baseline = base.groupby("date", as_index=False)["value"].sum().rename(columns={"value": "expected_baseline_value"})
    return SimulatedActuals(spend_table.reset_index(drop=True), outcome, response, baseline, deviation)
