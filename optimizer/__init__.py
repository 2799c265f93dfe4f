"""Convex budget optimisation over response curves (cvxpy, Clarabel), with rules, evidence and explanations.

Public API::

    curves = curves_from_frame(frame)                 # or pass the frame to Planner directly
    scenario = default_scenario(100_000)              # budget = ¥100K/day, 15% new-product, 30% new-customer caps
    planner = Planner(curves)                         # keeps compiled problems (DPP) for what-ifs
    result = planner.solve(scenario)                  # PlanResult: status, plan, rules, totals, evidence, timings
    # in words (the shell): roimix.report.plan.summary_lines(result, "zh")

Modules: ``curves`` (families, values, slopes, cvxpy forms, S-curve envelope), ``scenario`` (rules
as frozen dataclasses), ``rules`` (rules as arrays; checking a plan), ``problem`` (the cvxpy
problem, its phase one, solving), ``explain`` (shadow prices in money, infeasibility diagnosis),
``result`` (the result object; its messages are keys and values, worded by ``roimix.report``),
``planner`` (the orchestration),
``synthetic`` (random realistic markets).
"""

from .curves import (
    FAMILIES, CurveError, Curves, curves_from_frame, envelope_value, shape_slope, shape_value, tangent_point,
    traffic_unknown,
)
from .draws import CurveDraws, Outcome
from .explain import Message, Relaxation, diagnose
from .planner import Planner, plan
from .problem import STATUSES, Program
from .result import Evidence, PlanResult, Timings, Totals
from .rules import ResolvedRule, resolve, violations
from .scenario import (
    ALL, DEFAULT_NEW_CUSTOMER_CAP, DEFAULT_NEW_PRODUCT_CAP, OBJECTIVES, Bounds, Budget, LinearRule, Lock, Objective,
    Risk, RoiFloor, RuleError, Scenario, Select, ShareRule, default_scenario, new_customer_cap, new_customer_floor,
    new_product_cap,
)

__all__ = [
    "ALL", "DEFAULT_NEW_CUSTOMER_CAP", "DEFAULT_NEW_PRODUCT_CAP", "FAMILIES", "OBJECTIVES", "STATUSES", "Bounds",
    "Budget", "CurveDraws", "CurveError", "Curves", "Evidence", "Outcome", "Risk", "LinearRule", "Lock", "Message", "Objective", "PlanResult",
    "Planner", "Program", "Relaxation", "ResolvedRule", "RoiFloor", "RuleError", "Scenario", "Select", "ShareRule",
    "Timings", "Totals", "curves_from_frame", "default_scenario", "diagnose", "envelope_value", "new_customer_cap",
    "new_customer_floor", "new_product_cap", "plan", "resolve",
    "shape_slope", "shape_value", "tangent_point", "traffic_unknown", "violations",
]
