"""The campaign page's engine calls: daily plans over a campaign (:mod:`optimizer.campaign`), shared by
sessions, and phase multipliers estimated from a past occurrence of the campaign in the fit's history."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from roimix.settings import campaign_scenario

from .whatif import WhatIf, settings_of


MAX_LEAD_DAYS = 60
"""The most days before a campaign's first phase the 大促 page plans too (its lead-in, 蓄水期)."""


@dataclass(frozen=True)
class CampaignSettings:
    """The campaign page's settings: the total budget over the days planned, the pacing rules and how many days
    before the campaign's first phase are planned too (``lead_days``, the lead-in: regular days; 0: the phases'
    days only)."""

    budget_total: float
    key_daily_min: float | None = 0.5
    focus: str = "none"
    offday_share: float = 0.3
    lead_days: int = 0

    def horizon(self, campaign):
        """The days these settings plan for ``campaign`` (:func:`lead_horizon`)."""
        return lead_horizon(campaign, self.lead_days)


def lead_horizon(campaign, lead_days: int = 0):
    """The days planned for ``campaign``: from ``lead_days`` days before its first phase (the lead-in, regular days
    as in a scenario whose horizon starts before the phases) to its last phase's last day."""
    from datetime import timedelta

    from optimizer.campaign import Horizon

    return Horizon(campaign.start - timedelta(days=int(lead_days)), campaign.end)


SOLVED_KEPT = 8
"""Plans a shared campaign planner keeps by their scenario: a rerun of the page with the same settings (a
language switch, a download) shows them again instead of solving again (a robust plan takes seconds)."""


class SharedCampaignPlanner:
    """An :class:`optimizer.campaign.CampaignPlanner` shared by sessions; solves one at a time.

    ``horizon``: the days planned (default: the campaign's phases' first … last day; one that starts earlier plans
    the days before the phases as regular days, :func:`lead_horizon`).

    With the fit's curve draws (unfit cells at level 0, as the 优化 page weighs them) a plan can weigh risk
    (the what-if's 平均 ↔ 稳健) and :meth:`outcome` states its gain over the even plan on held-out draws."""

    def __init__(self, table: pd.DataFrame, campaign, draws: pd.DataFrame | None = None, horizon=None):
        from optimizer.campaign import CampaignPlanner
        from optimizer.draws import unfit_levels_zeroed

        self.table, self.campaign = table, campaign
        self.draws = unfit_levels_zeroed(draws, table) if draws is not None and len(draws) else None
        self.curves = table.drop(columns=["status", "warning"], errors="ignore")
        self.horizon = horizon or lead_horizon(campaign)
        self.planner = CampaignPlanner(self.curves, self.horizon, campaign, draws=self.draws)
        self.lock = threading.Lock()
        self._solved: OrderedDict[tuple, object] = OrderedDict()

    @property
    def n_days(self) -> int:
        """Days planned (the horizon's, a lead-in's included)."""
        return self.horizon.n_days

    @property
    def has_draws(self) -> bool:
        return self.planner.has_draws

    def solve(self, setup, *, flat: bool = False):
        key = (repr(setup), flat)
        with self.lock:
            if key in self._solved:
                self._solved.move_to_end(key)
                return self._solved[key]
            result = self.planner.solve(setup, flat=flat)
            self._solved[key] = result
            while len(self._solved) > SOLVED_KEPT:
                self._solved.popitem(last=False)
            return result

    def replan(self, setup, actual: pd.DataFrame, first_remaining, original: pd.DataFrame | None = None,
               horizon=None):
        """The rest of this campaign re-planned from ``first_remaining`` with the days before it spent as
        ``actual`` (:func:`optimizer.campaign.replan.replan`, the same curves and draws as :meth:`solve`), compared
        with ``original`` (daily rows); ``horizon``: the days of the plan re-planned when they are not the
        campaign's (an uploaded plan's own, around the campaign: days outside its phases are regular days); kept
        as solved plans are, by everything it depends on."""
        from optimizer.campaign.replan import replan

        horizon = horizon or self.horizon
        key = ("replan", repr(setup), str(first_remaining), _digest(actual), _digest(original), repr(horizon))
        with self.lock:
            if key in self._solved:
                self._solved.move_to_end(key)
                return self._solved[key]
            result = replan(self.curves, horizon, self.campaign, setup, actual, first_remaining,
                            original=original, draws=self.draws)
            self._solved[key] = result
            while len(self._solved) > SOLVED_KEPT:
                self._solved.popitem(last=False)
            return result

    def outcome(self, plan, flat):
        """The plan's gain over the even plan across the draws it was not chosen on (None without draws)."""
        return self.planner.outcome(plan, flat)


def _digest(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return ""
    import hashlib

    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def campaign_of(name: str, phases: pd.DataFrame):
    """The campaign engine's calendar from the page's phases table (phase, label_zh, label_en, start, end, multiplier)."""
    from optimizer.campaign import calendar_from_frame

    frame = phases.assign(campaign=name, channel="")
    return calendar_from_frame(frame, name)


def campaign_key(name: str, phases: pd.DataFrame) -> str:
    cols = ["phase", "start", "end", "multiplier"]
    return name + "|" + "|".join(map(str, phases[cols].astype(str).to_numpy().ravel()))


@st.cache_resource(show_spinner=False, max_entries=8)
def campaign_planner(curves_token: str, key: str, _table: pd.DataFrame, _campaign,
                     _draws: pd.DataFrame | None = None, lead_days: int = 0) -> SharedCampaignPlanner:
    """The shared planner of a campaign over a curve set (its token names the curves and their draws), over the
    campaign's days and the ``lead_days`` before them (:func:`lead_horizon`): kept by all three, so a plan over
    one horizon is never served for another."""
    return SharedCampaignPlanner(_table, _campaign, _draws, lead_horizon(_campaign, lead_days))


def campaign_setup(w: WhatIf, table: pd.DataFrame, settings: CampaignSettings, n_days: int,
                   has_draws: bool = False):
    """The campaign scenario: the what-if's caps, channel rules and risk (平均 ↔ 稳健, weighed only ``has_draws``)
    over every day, the budget over the ``n_days`` planned (the horizon's)."""
    from optimizer.campaign import DailyRules

    daily = DailyRules(key_daily_min=settings.key_daily_min, non_key_focus=settings.focus,
                       non_key_offday_share=settings.offday_share if settings.focus != "none" else 0.0)
    return campaign_scenario(settings_of(w, table, budget=settings.budget_total, days=n_days), daily,
                             has_draws=has_draws)


# --- phase multipliers from a past campaign (optimizer.campaign.estimate_multipliers) ---------------------


@dataclass(frozen=True)
class HistoryEstimate:
    """The phase multipliers a past occurrence of a campaign gives (or why there is none).

    ``estimates``: :func:`optimizer.campaign.estimate_multipliers`'s table for the ``year`` occurrence (the
    template's dates and default multipliers as the given ones, as the CLI's ``calendar.estimate``), or
    ``None`` with ``reason``: ``not_fitted`` (the curves carry no history) or ``no_history`` (the history,
    ``first`` – ``last``, holds no complete occurrence before ``before``).
    """

    estimates: pd.DataFrame | None
    year: int | None = None
    reason: str = ""
    first: str = ""
    last: str = ""
    before: int | None = None


def past_campaign(name: str, decomposition: pd.DataFrame, before: int):
    """(year, template) of campaign ``name`` in the latest year before ``before`` whose phases all lie in the
    history of ``decomposition`` (as the CLI's scenario runner finds it), or ``None``."""
    from optimizer.campaign import CalendarError, template, template_dates

    dates = pd.to_datetime(decomposition["date"])
    first, last = dates.min().date(), dates.max().date()
    for year in range(before - 1, first.year - 1, -1):
        try:
            phases = template_dates(name, year)
        except CalendarError:  # 年货节 outside the known Spring Festival dates
            continue
        if phases[0][1] >= first and phases[-1][2] <= last:
            return year, template(name, year)
    return None


@st.cache_data(show_spinner=False, max_entries=16)
def history_estimates(curves_token: str, name: str, before: int, _decomposition: pd.DataFrame | None) -> HistoryEstimate:
    """Phase multipliers of campaign ``name`` from its latest complete occurrence before ``before`` in the fit's
    history (cached by the curves' token: the decomposition is the fit's, which the token names)."""
    if _decomposition is None or not len(_decomposition):
        return HistoryEstimate(None, reason="not_fitted")
    from optimizer.campaign import estimate_multipliers

    found = past_campaign(name, _decomposition, before)
    if found is None:
        dates = pd.to_datetime(_decomposition["date"])
        return HistoryEstimate(None, reason="no_history", first=f"{dates.min():%Y-%m-%d}", last=f"{dates.max():%Y-%m-%d}",
                               before=before)
    year, past = found
    return HistoryEstimate(estimate_multipliers(_decomposition, past), year=year)
