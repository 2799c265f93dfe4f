"""The platform settings of a plan: per channel × segment (× day) the 日预算 to enter, a suggested 目标ROI and
what the platform's limits say about them.

* 日预算 is the plan's spend of the row **to the fen as the finance tables round it**: the rows come from
  :attr:`roimix.export.FinanceTables.cells` (a plan per cell, "every day") or a daily plan's rows, so the
  settings total the plan to the fen. Nothing is changed to meet a limit: a budget under the platform's
  minimum is flagged (raise it to the minimum or pause the plan), not moved.
* 目标ROI (suggested) = the row's incremental ROAS (expected incremental GMV ÷ spend, on the curve at that
  spend) × the channel's ratio of platform-reported to incremental GMV (:mod:`.ratios`): the average ROI
  the platform's own report should show at that spend. Without a ratio it is empty, with the reason.
* With dates, a cell's target that changes more often in a day than the platform allows is flagged; a
  budget edit carries the platform's cool-down as a note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roimix.messages import Message

from .limits import PlatformLimits, platform_of

TARGET_DECIMALS = 2
"""Platforms take an ROI target with two decimals."""
COLUMNS = ["date", "platform", "channel", "segment", "spend", "expected_gmv", "incremental_roi", "platform_ratio",
           "target_roi", "min_daily_budget", "below_minimum", "target_edits", "max_target_edits", "edits_over_limit",
           "cooldown_minutes", "notes"]


def platform_settings(rows: pd.DataFrame, ratios: pd.DataFrame, limits: tuple[PlatformLimits, ...]) -> pd.DataFrame:
    """The settings table of a plan's ``rows`` (channel, segment, spend, expected_gmv in yuan to the fen, and
    ``date`` for a daily plan) with ``ratios`` (:func:`.ratios.learn_ratios`) under ``limits``.

    Columns (:data:`COLUMNS`): ``date`` (NaT for a plan per cell), ``platform`` (id, "" for a channel on no
    platform), ``spend`` (日预算, exactly the row's fen), ``incremental_roi``, ``platform_ratio``, ``target_roi``
    (NaN when it cannot be suggested), ``min_daily_budget``, ``below_minimum``, ``target_edits`` (changes of the
    row's target since the cell's previous row on the same day, or on the previous day's last row),
    ``max_target_edits``, ``edits_over_limit``, ``cooldown_minutes`` and ``notes`` (a tuple of
    :class:`Message` per row, worded by the writers)."""
    where = platform_of(limits)
    out = rows.reset_index(drop=True).copy()
    if "date" not in out.columns:
        out["date"] = pd.NaT
    out["channel"] = out["channel"].astype(str)
    fen = np.round(out["spend"].to_numpy(dtype=float) * 100).astype(np.int64)
    out["spend"] = fen / 100
    gmv = out["expected_gmv"].to_numpy(dtype=float)
    out["incremental_roi"] = np.divide(gmv, out["spend"].to_numpy(), out=np.full(len(out), np.nan), where=fen > 0)
    ratio = ratios.set_index("channel")
    out["platform_ratio"] = out["channel"].map(ratio["ratio"]).astype(float)
    reason = out["channel"].map(ratio["reason"]).fillna("platforms.reason.no_platform_gmv")
    out["target_roi"] = (out["incremental_roi"] * out["platform_ratio"]).round(TARGET_DECIMALS)
    platform = [where.get(c) for c in out["channel"]]
    out["platform"] = [p.platform if p else "" for p in platform]
    out["min_daily_budget"] = [p.min_daily_budget_cny if p else np.nan for p in platform]
    out["max_target_edits"] = pd.array([p.max_target_edits_per_day if p else pd.NA for p in platform], dtype="Int64")
    out["cooldown_minutes"] = pd.array([p.budget_cooldown_minutes if p else pd.NA for p in platform], dtype="Int64")
    minimum = out["min_daily_budget"].to_numpy(dtype=float)
    out["below_minimum"] = (fen > 0) & (fen < np.round(np.nan_to_num(minimum, nan=0.0) * 100))
    edits, budget_edited = _edits(out)
    out["target_edits"] = edits
    out["edits_over_limit"] = (out["max_target_edits"].fillna(np.iinfo(np.int64).max).to_numpy() < edits)
    notes = []
    for i, r in enumerate(out.itertuples()):
        said = []
        if fen[i] == 0:
            said.append(Message("platforms.note.paused", {}))
        elif r.platform and not np.isfinite(r.target_roi):  # a channel on no platform takes no target
            said.append(Message("platforms.note.no_target", {"reason": Message(reason.iloc[i], {})}))
        if r.below_minimum:
            said.append(Message("platforms.note.below_minimum", {"spend": r.spend, "minimum": r.min_daily_budget}))
        if r.edits_over_limit:
            said.append(Message("platforms.note.edits_over", {"edits": int(r.target_edits),
                                                              "limit": int(r.max_target_edits)}))
        if r.platform and budget_edited[i] and int(r.cooldown_minutes) > 0:
            said.append(Message("platforms.note.cooldown", {"minutes": int(r.cooldown_minutes)}))
        notes.append(tuple(said))
    out["notes"] = notes
    return out[COLUMNS + [c for c in out.columns if c not in COLUMNS]]


def _edits(out: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: target edits on its day so far (changes from the cell's previous row, counted on the day of
    the change, the first row not an edit) and whether its budget differs from the cell's previous row (a plan
    without dates: every row is one budget entered, so every row is an edit)."""
    n = len(out)
    edits, budget_edited = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    if out["date"].isna().all():
        return edits, budget_edited
    order = out.assign(_row=np.arange(n)).sort_values(["channel", "segment", "date", "_row"], kind="stable")
    for _, cell in order.groupby(["channel", "segment"], sort=False):
        idx = cell["_row"].to_numpy()
        target = cell["target_roi"].to_numpy(dtype=float)
        spend = cell["spend"].to_numpy(dtype=float)
        days = cell["date"].to_numpy()
        changed = np.r_[False, ~((target[1:] == target[:-1]) | (np.isnan(target[1:]) & np.isnan(target[:-1])))]
        budget_edited[idx] = np.r_[True, spend[1:] != spend[:-1]]
        count = 0
        for j in range(len(idx)):
            if j and days[j] != days[j - 1]:
                count = 0
            count += int(changed[j])
            edits[idx[j]] = count
    return edits, budget_edited


def plan_rows(tables) -> pd.DataFrame:
    """The finest rows of a plan's finance tables, money from their fen: a plan per cell's
    :attr:`~roimix.export.FinanceTables.cells` (channel, segment, spend, expected_gmv)."""
    cells = tables.cells
    if cells is None:
        raise ValueError("only a plan per channel × segment (plan_tables) has per-cell rows")
    return cells[["channel", "segment", "spend", "expected_value"]].rename(columns={"expected_value": "expected_gmv"})


def daily_rows(plan) -> pd.DataFrame:
    """The rows of a daily campaign plan (:class:`optimizer.campaign.CampaignResult`): date, channel, segment,
    spend and expected_gmv in yuan from the same fen as :func:`roimix.export.campaign_tables` rounds them (its
    budget rule and largest remainder), so the settings total its daily sheet to the fen."""
    from roimix.export.finance import _budget_rule, _spend_fen
    from roimix.export.rounding import to_fen

    daily = plan.daily
    if not plan.result.solved or not len(daily):
        return pd.DataFrame(columns=["date", "channel", "segment", "spend", "expected_gmv"])
    spend_fen = _spend_fen(daily["spend"].to_numpy(), *_budget_rule(plan.result))
    gmv_fen = to_fen(daily["expected_value"].to_numpy())
    return pd.DataFrame({"date": pd.to_datetime(daily["date"]).to_numpy(), "channel": daily["channel"].to_numpy(),
                         "segment": daily["segment"].to_numpy(), "spend": spend_fen / 100,
                         "expected_gmv": gmv_fen / 100})
