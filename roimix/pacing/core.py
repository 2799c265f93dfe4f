"""Pacing: a plan against what was really spent and sold, per channel and day, with alerts as keys.

Pure: tables in, tables and :class:`roimix.messages.Message` out; no files, no clock, no wording. It imports
only the ground (``roimix.messages``, ``roimix.errors``), numpy and pandas, so the CLI (``roimix pace``) and
the app (投放执行) word the same result (``roimix/text/pacing.py``).

**Spend.** The plan gives spend per cell (channel, segment), either per day (a campaign plan: one row per
date and cell) or once for every day (a plan per channel × segment: its spend applies to each day from its
first day on). Actual spend comes per date × channel × segment (the spend contract). Both are compared per
channel and day — segments summed, as a platform's daily budget is set per channel — on the days the actuals
hold (:func:`pace`): planned and actual spend, the pace ratio ``actual ÷ planned`` (1 when both are ¥0, ``inf``
when only the plan is ¥0), and the running totals since the first paced day. Money is whole fen: the plan's
cells are rounded to the fen (plan files are), the actual rows summed per channel and day and rounded by
largest remainder to the total of the paced rows, so every total equals the sum of its rows to the fen.

**GMV and its band.** A plan file states the *incremental* GMV of its curves (``expected_gmv``), not the shop's
total GMV: the baseline (what the shop sells without ads) is not in it. What a plan per channel × segment does
state with its uncertainty is its **uplift per day over today's allocation** — ``summary.uplift_per_day``
``{p10, p50, p90}``, across the fit's curve draws. So the shop's total GMV under the plan is expected at

    reference + uplift_p50, with the band  [reference + uplift_p10 + q10(noise), reference + uplift_p90 + q90(noise)]

where *reference* is the mean actual GMV per day on the days before the plan's first day (the last
:data:`REFERENCE_DAYS` of them, at least :data:`MIN_REFERENCE_DAYS`: spent under today's allocation) and
*noise* is those reference days' deviation from their mean (day of week, weather, chance: one day's GMV is not
the plan's mean). Adding the two spreads' quantiles gives a band wider than the exact P10–P90 of their sum
(conservative): a day outside it is a signal, not a coin toss. Per segment (when the outcome has segments) the
actual and its reference are shown, without a band: the plan states its uplift for the total only.
Without a reference, or for a plan that states no uplift band (curves without draws), or for a campaign plan
(its P10–P90 is the gain over the even plan and its campaign days raise the baseline by an amount the plan file
does not state), the band is left empty and a note says why — never a band made up.

**Alerts** (``pace.alert.*``, values named as :mod:`roimix.messages` says): a channel whose pace is off by more
than :data:`PACE_TOLERANCE` on at least :data:`MIN_RUN_DAYS` consecutive days (``under`` / ``over``, with the
share off over those days), spend on a channel the plan gives ¥0 (``unplanned``), and total GMV below or above
its band on :data:`MIN_RUN_DAYS` consecutive days (``gmv_below`` / ``gmv_above``); every run is an alert, the
latest first. **Notes** (``pace.note.*``)
state everything left out or assumed: actual days outside the plan's horizon, days with no actuals at all,
plan channels with no rows on a paced day (counted as ¥0), days without GMV, why there is no band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roimix.errors import InputError
from roimix.messages import Message

PACE_TOLERANCE = 0.20
"""A day is off pace when actual spend is more than 20 % under or over plan. Platforms deliver a daily budget
through an auction that paces itself over the day, and spend reports for the last day are often revised, so a
gap of a few to ~15 % on one day is ordinary; 20 % is a gap a marketer would act on (one in five yuan of the
plan not reaching, or beyond, the channel). A parameter of :func:`pace`."""
MIN_RUN_DAYS = 3
"""…on at least 3 consecutive days: one or two days off is a late report, a stock-out or a weekend; three in a
row is a pattern worth a change in the platform's budget within the week (daily monitoring, weekly 复盘).
A parameter of :func:`pace`."""
REFERENCE_DAYS = 28
"""GMV on at most the last 28 days before the plan is its reference (four whole weeks: every weekday four
times), as ``roimix plan --current-window`` takes today's spend."""
MIN_REFERENCE_DAYS = 7
"""Fewer than a week of GMV before the plan is no reference (the day of week alone moves GMV by more)."""
ALL = "all"
"""The segment value of the shop's total GMV rows."""

CHANNEL_COLUMNS = ["date", "channel", "planned_spend", "actual_spend", "pace", "status", "cum_planned_spend",
                   "cum_actual_spend", "cum_gap", "cum_pace", "planned_incremental_gmv"]
GMV_COLUMNS = ["date", "segment", "actual_gmv", "reference_gmv", "planned_gmv", "band_low", "band_high", "in_band"]


@dataclass(frozen=True)
class PacingPlan:
    """What a plan says, as :func:`pace` reads it.

    ``cells``: ``date`` (NaT in every row for a plan per channel × segment, whose spend applies to every day),
    ``channel``, ``segment``, ``spend`` and ``expected_gmv`` (yuan per day; incremental GMV of the curves).
    ``uplift``: (P10, P50, P90) of the plan's GMV uplift per day over today's allocation, or None when the plan
    states none. ``start`` / ``end``: the plan's first and last day (a plan per cell: ``start`` is when it went
    live, ``end`` None)."""

    cells: pd.DataFrame
    uplift: tuple[float, float, float] | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    kind: str = "daily"
    """``daily`` (a plan per channel × segment, the same every day) or ``campaign`` (spend per date)."""

    @property
    def by_date(self) -> bool:
        return self.kind == "campaign"


@dataclass(frozen=True)
class Pacing:
    """The result of :func:`pace`: tidy tables, alerts and notes as keys with values, totals in yuan (exact fen).

    ``channels``: one row per paced day and plan channel (:data:`CHANNEL_COLUMNS`; ``status`` is ``under``,
    ``over`` or ``on``; ``planned_incremental_gmv`` is the plan's curves' GMV for the channel — a channel's actual
    incremental GMV cannot be observed, only the shop's total). ``gmv``: one row per day and segment with GMV (:data:`GMV_COLUMNS`; ``segment`` is
    :data:`ALL` for the shop's total, the only rows with a band), empty without GMV actuals."""

    channels: pd.DataFrame
    gmv: pd.DataFrame
    alerts: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    totals: dict = field(default_factory=dict)
    """planned_spend, actual_spend (yuan, sums of the table's fen), days (paced), and when GMV is given
    actual_gmv (the total rows'), reference_gmv (per day)."""
    tolerance: float = PACE_TOLERANCE
    min_run_days: int = MIN_RUN_DAYS


def _row(frame: pd.DataFrame, position: int) -> int:
    """The spreadsheet row of the ``position``-th data row (header is row 1), as the table reader numbers rows."""
    return int(position) + 2


def _day(value) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _fen_of_groups(amounts: pd.Series, keys: list[pd.Series]) -> pd.Series:
    """Amounts (yuan) summed per group and rounded by largest remainder to whole fen, the groups adding up to the
    rows' total rounded to the fen."""
    sums = amounts.groupby(keys, sort=True).sum()
    if not len(sums):
        return sums.astype(np.int64)
    cents = np.round(sums.to_numpy(dtype=float) * 100.0, 6)
    base = np.floor(cents)
    target = math.floor(float(np.round(amounts.to_numpy(dtype=float) * 100.0, 6).sum()) + 0.5)
    missing = int(target - base.sum())
    order = np.argsort(-(cents - base), kind="stable")
    fen = base.astype(np.int64)
    fen[order[:max(0, min(missing, len(fen)))]] += 1
    return pd.Series(fen, index=sums.index)


def orders_to_gmv(orders: pd.DataFrame) -> pd.DataFrame:
    """The daily outcome (date, segment, value) from an orders log (``timestamp``, ``value`` and, if present,
    ``product_segment``): GMV summed per day [and product segment]."""
    day = pd.to_datetime(orders["timestamp"]).dt.normalize()
    keys = {"date": day}
    if "product_segment" in orders.columns:
        keys["segment"] = orders["product_segment"].astype(str)
    frame = pd.DataFrame({**keys, "value": pd.to_numeric(orders["value"])})
    return frame.groupby(list(keys), as_index=False, sort=True)["value"].sum()


def pace(plan: PacingPlan, spend: pd.DataFrame, gmv: pd.DataFrame | None = None, *, spend_file: str = "spend",
         gmv_file: str = "outcome", tolerance: float = PACE_TOLERANCE, min_run_days: int = MIN_RUN_DAYS) -> Pacing:
    """Plan against actuals (see the module's text).

    ``spend``: date, channel, [segment], spend, rows in file order (errors name ``spend_file`` and the row as a
    spreadsheet shows it). ``gmv``: date, [segment], value (the outcome contract; :func:`orders_to_gmv` from an
    orders log), or None. A channel in the actuals that the plan does not have is an :class:`InputError`
    (``pace.err.unknown_channel``); so is an empty set of paced days (``pace.err.no_days``)."""
    if not 0 < tolerance < 1 or min_run_days < 1:
        raise InputError(message=Message("pace.err.thresholds", {"tolerance_share": tolerance, "days": min_run_days}))
    cells = plan.cells.copy()
    cells["channel"] = cells["channel"].astype(str)
    channels = list(dict.fromkeys(cells["channel"]))
    actual = spend.reset_index(drop=True).copy()
    actual["channel"] = actual["channel"].astype(str)
    actual["date"] = pd.to_datetime(actual["date"]).dt.normalize()
    unknown = ~actual["channel"].isin(channels)
    if unknown.any():
        first = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(message=Message("pace.err.unknown_channel", {
            "file": spend_file, "row": _row(actual, first), "column": "channel",
            "channel": actual["channel"].iloc[first], "n_rows": int(unknown.sum()), "channels": ", ".join(channels)}))
    notes: list[Message] = []
    start = plan.start if plan.start is not None else (actual["date"].min() if len(actual) else None)
    start = None if start is None else pd.Timestamp(start).normalize()
    end = None if plan.end is None else pd.Timestamp(plan.end).normalize()
    outside = pd.Series(False, index=actual.index)
    if start is not None:
        outside |= actual["date"] < start
    if end is not None:
        outside |= actual["date"] > end
    if outside.any():
        days = actual.loc[outside, "date"]
        span = {"file": spend_file, "n_days": int(days.nunique()), "first": _day(days.min()), "last": _day(days.max()),
                "start": _day(start)}
        notes.append(Message("pace.note.before_start", span) if end is None else
                     Message("pace.note.outside_horizon", {**span, "end": _day(end)}))
    actual = actual.loc[~outside]
    if not len(actual):
        raise InputError(message=Message("pace.err.no_days", {
            "file": spend_file, "start": _day(start) if start is not None else "",
            "end": _day(end) if end is not None else ""}))
    dates = pd.DatetimeIndex(sorted(actual["date"].unique()))
    gaps = pd.date_range(dates.min(), dates.max(), freq="D").difference(dates)
    if len(gaps):
        notes.append(Message("pace.note.missing_days", {
            "file": spend_file, "n_days": len(gaps), "dates": ", ".join(_day(d) for d in gaps[:5])
            + (" …" if len(gaps) > 5 else "")}))
    if plan.by_date:
        planned_days = pd.DatetimeIndex(sorted(pd.to_datetime(cells["date"]).dt.normalize().unique()))
        if len(planned_days) > len(dates):
            notes.append(Message("pace.note.days_paced", {"n_days": len(dates), "days": len(planned_days)}))

    channel_table = _spend_table(cells, actual, dates, channels, plan.by_date, notes, spend_file)
    channel_table["status"] = _status(channel_table["pace"].to_numpy(), tolerance)
    alerts = _spend_alerts(channel_table, min_run_days)
    gmv_table, gmv_totals = _gmv_table(plan, gmv, dates, start, notes, gmv_file)
    alerts += _gmv_alerts(gmv_table, min_run_days)
    alerts.sort(key=lambda m: m.values["last"], reverse=True)  # what is happening now first (stable within a day)
    totals = {"planned_spend": int(channel_table["planned_fen"].sum()) / 100,
              "actual_spend": int(channel_table["actual_fen"].sum()) / 100, "days": len(dates), **gmv_totals}
    return Pacing(channel_table[CHANNEL_COLUMNS], gmv_table, tuple(alerts), tuple(notes), totals, tolerance,
                  min_run_days)


def _spend_table(cells: pd.DataFrame, actual: pd.DataFrame, dates: pd.DatetimeIndex, channels: list[str],
                 by_date: bool, notes: list[Message], spend_file: str) -> pd.DataFrame:
    cells = cells.assign(spend_fen=np.round(pd.to_numeric(cells["spend"]).to_numpy(dtype=float) * 100).astype(np.int64),
                         gmv_fen=np.round(pd.to_numeric(cells["expected_gmv"]).fillna(0).to_numpy(dtype=float) * 100)
                         .astype(np.int64))
    grid = pd.MultiIndex.from_product([dates, channels], names=["date", "channel"])
    if by_date:
        cells["date"] = pd.to_datetime(cells["date"]).dt.normalize()
        planned = cells.groupby(["date", "channel"])[["spend_fen", "gmv_fen"]].sum()
        planned = planned.reindex(grid, fill_value=0)
    else:
        per_channel = cells.groupby("channel")[["spend_fen", "gmv_fen"]].sum()
        planned = pd.DataFrame({c: np.tile(per_channel.loc[channels, c].to_numpy(), len(dates)) for c in
                                ("spend_fen", "gmv_fen")}, index=grid)
    actual_fen = _fen_of_groups(pd.to_numeric(actual["spend"]), [actual["date"], actual["channel"]])
    actual_fen.index.names = ["date", "channel"]
    present = actual_fen.reindex(grid)
    absent = present.isna()
    if absent.any():
        missing = present[absent].reset_index()
        notes.append(Message("pace.note.no_rows", {
            "file": spend_file, "n_rows": int(absent.sum()),
            "channels": ", ".join(dict.fromkeys(missing["channel"]))}))
    table = pd.DataFrame({"planned_fen": planned["spend_fen"].to_numpy(),
                          "actual_fen": present.fillna(0).to_numpy(dtype=np.int64),
                          "gmv_fen": planned["gmv_fen"].to_numpy()}, index=grid).reset_index()
    table = table.sort_values(["channel", "date"], key=lambda s: s.map({c: i for i, c in enumerate(channels)})
                              if s.name == "channel" else s, kind="stable").reset_index(drop=True)
    p, a = table["planned_fen"].to_numpy(dtype=float), table["actual_fen"].to_numpy(dtype=float)
    table["planned_spend"] = p / 100
    table["actual_spend"] = a / 100
    table["pace"] = _pace(a, p)
    table["cum_planned_fen"] = table.groupby("channel", sort=False)["planned_fen"].cumsum()
    table["cum_actual_fen"] = table.groupby("channel", sort=False)["actual_fen"].cumsum()
    cp, ca = table["cum_planned_fen"].to_numpy(dtype=float), table["cum_actual_fen"].to_numpy(dtype=float)
    table["cum_planned_spend"] = cp / 100
    table["cum_actual_spend"] = ca / 100
    table["cum_gap"] = (ca - cp) / 100
    table["cum_pace"] = _pace(ca, cp)
    table["planned_incremental_gmv"] = table["gmv_fen"].to_numpy(dtype=float) / 100
    return table


def _pace(actual: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """actual ÷ planned; 1 when both are ¥0 (on plan), inf when only the plan is ¥0."""
    out = np.where(actual > 0, np.inf, 1.0)
    return np.divide(actual, planned, out=out, where=planned > 0)


def _status(pace_: np.ndarray, tolerance: float) -> np.ndarray:
    return np.where(pace_ < 1 - tolerance, "under", np.where(pace_ > 1 + tolerance, "over", "on"))


def _runs(dates: pd.Series, flags: np.ndarray) -> list[tuple[int, int, str]]:
    """(first position, last position, flag) of runs of equal, non-``on`` flags on consecutive calendar days."""
    out, begin = [], 0
    days = pd.to_datetime(dates).to_numpy()
    for i in range(1, len(flags) + 1):
        ends = i == len(flags) or flags[i] != flags[begin] or (days[i] - days[i - 1]) != np.timedelta64(1, "D")
        if ends:
            if flags[begin] not in ("on", ""):
                out.append((begin, i - 1, str(flags[begin])))
            begin = i
    return out


def _spend_alerts(table: pd.DataFrame, min_run_days: int) -> list[Message]:
    alerts = []
    for channel, part in table.groupby("channel", sort=False):
        for first, last, flag in _runs(part["date"], part["status"].to_numpy()):
            days = last - first + 1
            if days < min_run_days:
                continue
            run = part.iloc[first:last + 1]
            planned, spent = int(run["planned_fen"].sum()), int(run["actual_fen"].sum())
            span = {"channel": channel, "days": days, "first": _day(run["date"].iloc[0]),
                    "last": _day(run["date"].iloc[-1])}
            if planned == 0:
                alerts.append(Message("pace.alert.unplanned", {**span, "spend_cny": spent / 100}))
            elif flag == "under":
                alerts.append(Message("pace.alert.under", {**span, "share": 1 - spent / planned,
                                                           "gap_cny": (planned - spent) / 100}))
            else:
                alerts.append(Message("pace.alert.over", {**span, "share": spent / planned - 1,
                                                          "gap_cny": (spent - planned) / 100}))
    return alerts


def _gmv_table(plan: PacingPlan, gmv: pd.DataFrame | None, dates: pd.DatetimeIndex, start, notes: list[Message],
               gmv_file: str) -> tuple[pd.DataFrame, dict]:
    if gmv is None:
        return pd.DataFrame(columns=GMV_COLUMNS), {}
    frame = gmv.reset_index(drop=True).copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    frame["value"] = pd.to_numeric(frame["value"])
    segmented = "segment" in frame.columns and frame["segment"].notna().any()
    keys = ["date", "segment"] if segmented else ["date"]
    if segmented:
        frame["segment"] = frame["segment"].astype(str)
    rows = frame.groupby(keys, as_index=False, sort=True)["value"].sum()
    total = rows.groupby("date", as_index=False, sort=True)["value"].sum().assign(segment=ALL)
    long = pd.concat([rows, total], ignore_index=True) if segmented else total
    before = long[long["date"] < dates.min()] if start is None else long[long["date"] < start]
    ref_days = pd.DatetimeIndex(sorted(before["date"].unique()))[-REFERENCE_DAYS:]
    before = before[before["date"].isin(ref_days)]
    later = long[long["date"] > dates.max()]
    if len(later):
        notes.append(Message("pace.note.gmv_after", {"file": gmv_file, "n_days": int(later["date"].nunique()),
                                                      "last": _day(dates.max())}))
    paced = long[long["date"].isin(dates)]
    lacking = dates.difference(pd.DatetimeIndex(paced["date"].unique()))
    if len(lacking):
        notes.append(Message("pace.note.gmv_missing", {"file": gmv_file, "n_days": len(lacking),
                                                        "dates": ", ".join(_day(d) for d in lacking[:5])
                                                        + (" …" if len(lacking) > 5 else "")}))
    out = paced.rename(columns={"value": "actual_gmv"}).sort_values(["date", "segment"],
                                                                      key=lambda s: s.eq(ALL) if s.name == "segment"
                                                                      else s, kind="stable")
    ref_mean = before.groupby("segment")["value"].mean()
    out["reference_gmv"] = out["segment"].map(ref_mean).astype(float)
    out["planned_gmv"] = np.nan
    out["band_low"] = np.nan
    out["band_high"] = np.nan
    enough = len(ref_days) >= MIN_REFERENCE_DAYS
    if plan.by_date:
        notes.append(Message("pace.note.no_band_campaign", {}))
    elif plan.uplift is None:
        notes.append(Message("pace.note.no_band_uplift", {}))
    elif not enough:
        notes.append(Message("pace.note.no_band_reference", {"file": gmv_file, "n_days": len(ref_days),
                                                              "need": MIN_REFERENCE_DAYS, "start": _day(dates.min())}))
    else:
        ref_total = before.loc[before["segment"] == ALL, "value"].to_numpy(dtype=float)
        mean = float(ref_total.mean())
        q10, q90 = np.quantile(ref_total - mean, [0.1, 0.9])
        p10, p50, p90 = plan.uplift
        is_all = out["segment"].eq(ALL)
        out.loc[is_all, "planned_gmv"] = mean + p50
        out.loc[is_all, "band_low"] = mean + p10 + q10
        out.loc[is_all, "band_high"] = mean + p90 + q90
    inside = (out["actual_gmv"] >= out["band_low"]) & (out["actual_gmv"] <= out["band_high"])
    out["in_band"] = pd.array(np.where(out["band_low"].notna(), inside, pd.NA), dtype="boolean")
    out = out[GMV_COLUMNS].reset_index(drop=True)
    totals_rows = out[out["segment"] == ALL]
    totals = {"actual_gmv": float(totals_rows["actual_gmv"].sum())}
    if len(ref_days):
        totals["reference_gmv"] = float(ref_mean.get(ALL, np.nan))
    return out, totals


def _gmv_alerts(gmv: pd.DataFrame, min_run_days: int) -> list[Message]:
    total = gmv[(gmv["segment"] == ALL) & gmv["in_band"].notna()].reset_index(drop=True)
    if not len(total):
        return []
    flags = np.where(total["actual_gmv"] < total["band_low"], "below",
                     np.where(total["actual_gmv"] > total["band_high"], "above", "on"))
    alerts = []
    for first, last, flag in _runs(total["date"], flags):
        days = last - first + 1
        if days < min_run_days:
            continue
        run = total.iloc[first:last + 1]
        edge = run["band_low"] if flag == "below" else run["band_high"]
        alerts.append(Message("pace.alert.gmv_below" if flag == "below" else "pace.alert.gmv_above", {
            "days": days, "first": _day(run["date"].iloc[0]), "last": _day(run["date"].iloc[-1]),
            "gap_cny": float(abs(run["actual_gmv"] - edge).mean())}))
    return alerts
