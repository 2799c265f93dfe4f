"""Scenario files (TOML): what to plan, on which data, under which rules; checked, overridable, runnable.

Public API::

    spec = load_scenario("data/scenarios/618.toml", overrides=["budget.total=500000"])
    run = run_scenario(spec, FitCache())          # plan, flat comparison, provenance
    tables = run.finance("zh", made_at="2026-11-22T10:00:00+00:00")
    write_finance(tables, "out/618.xlsx")         # roimix.export
"""

from .load import apply_overrides, load_scenario, parse_override
from .run import FitCache, PreparedScenario, ScenarioRun, prepare_scenario, run_scenario
from .spec import SECTIONS, ScenarioSpec

__all__ = ["SECTIONS", "FitCache", "PreparedScenario", "ScenarioRun", "ScenarioSpec", "prepare_scenario", "apply_overrides", "load_scenario",
           "parse_override", "run_scenario"]
