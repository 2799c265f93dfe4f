"""A daily campaign plan's platform settings (issue 18, item 1): its rows from the campaign finance tables' fen,
so the settings total the daily sheet to the fen; a platform that allows no target edit a day is flagged on
every day the plan moves a cell's target."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template
from roimix.export import Context, campaign_tables
from roimix.platforms.limits import DEFAULT_LIMITS
from roimix.platforms.settings import daily_rows, platform_settings


@pytest.fixture(scope="module", params=[345_678.915, 123_456.789, 500_000.0])
def campaign(sample_dir, request):
    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    planner = CampaignPlanner(curves, Horizon("2026-06-10", "2026-06-20"), template("618", 2026))
    plan = planner.solve(CampaignScenario(Budget(request.param, reserve_share=0.05), daily=DailyRules(per_phase=True)))
    assert plan.solved
    return plan


def test_campaign_settings_total_the_daily_sheet_to_the_fen(campaign):
    rows = daily_rows(campaign)
    daily = campaign_tables(campaign, Context("t")).daily
    assert np.array_equal(np.round(rows["spend"].to_numpy() * 100), np.round(daily["spend"].to_numpy() * 100))
    ratios = pd.DataFrame({"channel": ["qianchuan"], "ratio": [2.0], "reason": [""]})
    out = platform_settings(rows, ratios, DEFAULT_LIMITS)
    total = int(np.round(out["spend"].to_numpy() * 100).astype(np.int64).sum())
    assert total == int(np.round(daily["spend"].to_numpy() * 100).astype(np.int64).sum())
    assert total == int(np.floor(campaign.budget_cny * 0.95 * 100 + 0.5))  # the spendable budget, to the fen
    assert out["date"].nunique() == 11


def test_no_edit_allowed_flags_each_day_a_target_moves(campaign):
    rows = daily_rows(campaign)
    ratios = pd.DataFrame({"channel": ["qianchuan"], "ratio": [2.0], "reason": [""]})
    none = tuple(replace(p, max_target_edits_per_day=0) for p in DEFAULT_LIMITS)
    out = platform_settings(rows, ratios, none)
    mine = out[(out["channel"] == "qianchuan") & (out["segment"] == "existing")].sort_values("date")
    moved = mine["target_roi"].diff().fillna(0).abs().to_numpy() > 0
    assert moved.any()  # the campaign's phases move the target
    assert np.array_equal(mine["edits_over_limit"].to_numpy(), moved)
    assert not platform_settings(rows, ratios, DEFAULT_LIMITS)["edits_over_limit"].any()  # one a day, 3 allowed
