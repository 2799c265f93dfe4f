"""The app's one door to the engines: attribution, response curves and the optimizer.

Pages call these functions and get tidy DataFrames back; nothing else in the app imports an
engine. Heavy work is cached by the dataset's token (``st.cache_data`` for tables,
``st.cache_resource`` for the compiled optimizer, which a slider move re-solves through its
cvxpy Parameters without rebuilding). The optimizer (and cvxpy under it) is imported where it is
used, not at the top of a module: a page's title then shows before the seconds that import takes on a cold
start. Each concern lives in its own module, named here:

* :mod:`.credit_tables` — journeys, paths, credit per model, ROI, top paths;
* :mod:`.cells` — the curves table's traffic, group, key platform and margin per cell;
* :mod:`.curve_sets` — fitted or given curves as a :class:`CurveSet`;
* :mod:`.whatif` — the optimise page's settings and the scenario they make;
* :mod:`.solving` — the shared planner, solves, the per-channel plan, lift tests, the budget sweep;
* :mod:`.wording` — optimizer messages and rule names as sentences;
* :mod:`.campaign_plans` — campaign daily plans and phase multipliers from a past campaign.
"""

from __future__ import annotations

from .campaign_plans import (
    MAX_LEAD_DAYS, CampaignSettings, HistoryEstimate, SharedCampaignPlanner, campaign_key, campaign_of,
    campaign_planner, campaign_setup, history_estimates, lead_horizon, past_campaign,
)
from .cells import traffic_unknown_cells, with_attributes
from .credit_tables import (
    MODEL_CHOICES, TOP_PATHS, baseline_share, credit, credit_table, journeys, paths, roi_table, top_paths,
)
from .curve_sets import (
    _FITTED, CHANNEL_COLUMNS, CURVE_SOURCES, FIT_STAGES, MIN_FIT_DAYS, CurveSet, available_curve_sources,
    current_gmv, curve_set, curves_from_frame, fit, fitted_curves, fitted_ready, given_curves, highest_days,
    thin_channels, with_margin,
)
from .solving import (
    SWEEP_MULTIPLES, SharedPlanner, channel_plan, lift_tests_to_run, next_money, planner_for, shared_planner, solve,
    sweep, sweep_budgets,
)
from .whatif import (
    CVAR_LEVEL, DEFAULT_MARGIN, RISKS, UNBOUNDED_X, WhatIf, bounds_rule_name, channel_rules, lock_rule_name,
    scenario_of,
)
from .wording import message_text, rule_display

__all__ = [
    "CHANNEL_COLUMNS", "CURVE_SOURCES", "CVAR_LEVEL", "DEFAULT_MARGIN", "FIT_STAGES", "MAX_LEAD_DAYS", "MIN_FIT_DAYS",
    "MODEL_CHOICES", "RISKS", "SWEEP_MULTIPLES", "TOP_PATHS", "UNBOUNDED_X", "_FITTED", "CampaignSettings", "CurveSet",
    "HistoryEstimate", "SharedCampaignPlanner", "SharedPlanner", "WhatIf", "with_attributes",
    "available_curve_sources", "baseline_share", "bounds_rule_name", "campaign_key", "campaign_of",
    "campaign_planner", "campaign_setup", "channel_plan", "channel_rules", "credit", "credit_table", "current_gmv",
    "curve_set", "curves_from_frame", "fit", "fitted_curves", "fitted_ready", "given_curves", "history_estimates",
    "journeys", "lead_horizon", "lift_tests_to_run", "lock_rule_name", "message_text", "next_money", "past_campaign",
    "paths", "planner_for", "roi_table", "rule_display", "scenario_of", "shared_planner", "solve", "sweep",
    "sweep_budgets", "thin_channels", "top_paths", "traffic_unknown_cells", "with_margin",
]
