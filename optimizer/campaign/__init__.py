"""Campaign planning (618, Double 11, 年货节): calendars as data, daily plans with carry-over, pacing rules.

Public API::

    campaign = template("618", 2027)                              # or calendar_from_frame(table)
    estimates = estimate_multipliers(fit.decomposition, template("618", 2026))   # a past campaign
    campaign = apply_estimates(campaign, estimates)
    planner = CampaignPlanner(curves, Horizon("2027-05-10", "2027-06-25"), campaign)
    setup = CampaignScenario(CampaignBudget(3_000_000, reserve_share=0.05),
                             daily=DailyRules(key_daily_min=0.5, max_daily_change=0.3,
                                              non_key_focus="weekends+peak", non_key_offday_share=0.3,
                                              per_phase=True))
    plan = planner.solve(setup)                 # CampaignResult: daily, by_cell(), by_phase(), result (PlanResult)
    flat = planner.solve(setup, flat=True)      # the same rules, the same spend every day
    # in words (the shell): roimix.report.campaign.summary_lines(plan, "zh", campaign="618", flat=flat)
"""

from .calendar import (
    DEFAULT_MULTIPLIERS, PHASES, REGULAR, SPRING_FESTIVAL, TEMPLATES, CalendarError, Campaign, Phase, calendar_frame,
    calendar_from_frame, template, template_dates,
)
from .daily import DAY_KEYS, DailyCurves, Horizon, daily_curves, day_table
from .multipliers import GIVEN_SD, apply_estimates, estimate_multipliers, incremental_by_day
from .planner import DAILY_COLUMNS, CampaignPlanner, CampaignResult
from .rules import (
    CHANGE, FOCUS, KEY_MINIMUM, NEW_CUSTOMER, NEW_PRODUCT, OFF_DAYS, CampaignBudget, CampaignScenario, DailyRules,
    phase_rule_name,
    scenario_for,
)

__all__ = [
    "CHANGE", "DAILY_COLUMNS", "DAY_KEYS", "DEFAULT_MULTIPLIERS", "FOCUS", "GIVEN_SD", "KEY_MINIMUM", "NEW_CUSTOMER",
    "NEW_PRODUCT", "OFF_DAYS", "PHASES", "REGULAR", "SPRING_FESTIVAL", "TEMPLATES", "CalendarError", "Campaign",
    "CampaignBudget", "CampaignPlanner", "CampaignResult", "CampaignScenario", "DailyCurves", "DailyRules", "Horizon",
    "Phase",
    "apply_estimates", "calendar_frame", "calendar_from_frame", "daily_curves", "day_table",
    "estimate_multipliers", "incremental_by_day", "phase_rule_name",
    "scenario_for", "template", "template_dates",
]
