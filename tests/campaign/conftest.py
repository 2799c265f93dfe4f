"""Fixtures of the campaign tests: the sample's true curves (fast) and its fitted pipeline (once per session)."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template


@pytest.fixture(scope="session")
def truth_curves(sample_dir) -> pd.DataFrame:
    """The sample's true curves (curves-table format with ``lag_mean_days``)."""
    return pd.read_csv(sample_dir / "truth_curves.csv")


@pytest.fixture(scope="session")
def scenarios_dir(sample_dir):
    return sample_dir.parent / "scenarios"


@pytest.fixture(scope="session")
def fit_cache():
    """One pipeline fit of the sample per session, shared by every scenario run on it."""
    from roimix.scenarios import FitCache

    return FitCache()


@pytest.fixture(scope="session")
def run_618(scenarios_dir, fit_cache):
    """The shipped 618 scenario (618 of 2027, curves fitted on the sample, multipliers from its 618)."""
    from roimix.scenarios import load_scenario, run_scenario

    return run_scenario(load_scenario(scenarios_dir / "618.toml"), fit_cache)


@pytest.fixture(scope="session")
def planner_618(truth_curves) -> CampaignPlanner:
    """618 2026 on the true curves, from two weeks before pre-heat to the last return day."""
    return CampaignPlanner(truth_curves, Horizon("2026-05-06", "2026-06-21"), template("618", 2026),
                           weekend_multiplier=1.08)


@pytest.fixture(scope="session")
def budget_618(planner_618) -> float:
    """1.2 × current daily spend × days, rounded to the yuan."""
    return round(float(planner_618.daily.cells["current_spend"].sum()) * planner_618.daily.n_days * 1.2)


@pytest.fixture(scope="session")
def strict_setup(budget_618) -> CampaignScenario:
    """Every daily rule on: pacing, change limit on key platforms, weekends+peak focus, per-phase caps, reserve."""
    return CampaignScenario(
        Budget(budget_618, reserve_share=0.05),
        daily=DailyRules(key_daily_min=0.6, max_daily_change=0.25, change_applies_to="key",
                         non_key_focus="weekends+peak", non_key_offday_share=0.35, per_phase=True))
