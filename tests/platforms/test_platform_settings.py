"""The settings table of a plan (issue 18, item 1): 日预算 to the fen of the finance tables, the suggested
目标ROI = incremental ROAS × the learned ratio, and the platforms' limits flagged, never applied silently."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roimix.export.finance import _spend_fen
from roimix.messages import Message
from roimix.platforms.limits import DEFAULT_LIMITS
from roimix.platforms.ratios import NO_HISTORY, NO_PLATFORM_GMV
from roimix.platforms.settings import platform_settings, plan_rows

CHANNELS = ["ztc", "wxt", "qianchuan", "xiaohongshu", "douyin_kol", "wechat_group"]


def ratios(values: dict, reason: str = NO_PLATFORM_GMV) -> pd.DataFrame:
    return pd.DataFrame({"channel": CHANNELS, "ratio": [values.get(c, np.nan) for c in CHANNELS],
                         "reason": ["" if c in values else reason for c in CHANNELS]})


def keys(note_tuple) -> list[str]:
    return [m.key for m in note_tuple]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spend=st.lists(st.floats(0, 2e5, allow_nan=False), min_size=1, max_size=40),
       sense=st.sampled_from(["eq", "le"]), slack=st.floats(0, 1))
def test_daily_budgets_total_the_plan_to_the_fen(spend, sense, slack):
    """The finance tables' fen (:func:`_spend_fen`, what every export writes) go through unchanged: the settings'
    日预算 add up to the plan's total in whole fen, row by row equal."""
    spend = np.array(spend)
    level = float(spend.sum()) + (0.0 if sense == "eq" else slack * 10)
    fen = _spend_fen(spend, level, sense)
    n = len(spend)
    rows = pd.DataFrame({"channel": [CHANNELS[i % len(CHANNELS)] for i in range(n)],
                         "segment": [("existing", "new")[(i // len(CHANNELS)) % 2] for i in range(n)],
                         "date": pd.Timestamp("2026-06-01") + pd.to_timedelta(np.arange(n) // 12, unit="D"),
                         "spend": fen / 100, "expected_gmv": fen / 100 * 1.7})
    out = platform_settings(rows, ratios({"qianchuan": 2.0}), DEFAULT_LIMITS)
    got = np.round(out["spend"].to_numpy() * 100).astype(np.int64)
    assert np.array_equal(got, fen)
    assert int(got.sum()) == int(fen.sum())
    if sense == "eq":
        assert int(got.sum()) == math.floor(level * 100 + 0.5)  # the budget, half up as to_fen rounds it


def test_settings_of_a_solved_plan_total_its_finance_tables(tmp_path):
    """A real plan through plan_tables: the settings total equals the finance tables' spend total and budget."""
    from optimizer import Planner
    from roimix.export import Context, plan_tables
    from roimix.settings import PlanSettings, plan_scenario

    curves = pd.DataFrame({
        "channel": CHANNELS, "segment": "existing", "family": "exp",
        "a": [30000.0, 12000, 25000, 18000, 20000, 9000], "b": [9000.0, 6000, 8000, 7000, 9000, 5000],
        "current_spend": [5000.0, 2000, 4000, 3000, 3000, 1000], "cpc": 2.0, "new_customer_share": 0.2})
    for budget in (12345.67, 20000.01, 31999.99):
        result = Planner(curves).solve(plan_scenario(PlanSettings(objective="gmv", budget_cny=budget,
                                                                  new_customer_cap=None, new_product_cap=None)))
        tables = plan_tables(result, Context("t"))
        out = platform_settings(plan_rows(tables), ratios({}), DEFAULT_LIMITS)
        total_fen = int(np.round(out["spend"].to_numpy() * 100).astype(np.int64).sum())
        assert total_fen == int(round(tables.totals["spend"] * 100)) == int(round(budget * 100))


def test_target_is_incremental_roas_times_the_ratio():
    rows = pd.DataFrame({"channel": ["qianchuan", "ztc"], "segment": "existing", "spend": [2000.0, 1000.0],
                         "expected_gmv": [3000.0, 2500.0]})
    out = platform_settings(rows, ratios({"qianchuan": 2.2, "ztc": 1.25}), DEFAULT_LIMITS).set_index("channel")
    assert out.loc["qianchuan", "target_roi"] == pytest.approx(1.5 * 2.2)
    assert out.loc["ztc", "target_roi"] == pytest.approx(round(2.5 * 1.25, 2))
    assert out.loc["qianchuan", "platform"] == "qianchuan" and out.loc["ztc", "platform"] == "alimama"


def test_qianchuan_under_its_50_yuan_minimum_is_flagged_not_changed():
    rows = pd.DataFrame({"channel": ["qianchuan", "qianchuan", "ztc", "douyin_kol"],
                         "segment": ["existing", "new", "existing", "existing"],
                         "spend": [49.99, 50.0, 40.0, 10.0], "expected_gmv": [80.0, 90.0, 60.0, 20.0]})
    out = platform_settings(rows, ratios({"qianchuan": 2.0}), DEFAULT_LIMITS)
    assert out["below_minimum"].tolist() == [True, False, False, False]  # ztc ≥ 阿里妈妈's 30; douyin_kol: no platform
    assert out["spend"].tolist() == [49.99, 50.0, 40.0, 10.0]  # the amounts stay the plan's
    assert out.loc[0, "min_daily_budget"] == 50.0
    note = [m for m in out.loc[0, "notes"] if m.key == "platforms.note.below_minimum"][0]
    assert note.values == {"spend": 49.99, "minimum": 50.0}
    assert "platforms.note.below_minimum" not in keys(out.loc[1, "notes"])


def test_without_platform_gmv_the_target_is_empty_with_its_reason():
    rows = pd.DataFrame({"channel": ["qianchuan", "ztc", "wxt"], "segment": "existing",
                         "spend": [2000.0, 1000.0, 0.0], "expected_gmv": [3000.0, 2500.0, 0.0]})
    out = platform_settings(rows, ratios({"ztc": 1.3}), DEFAULT_LIMITS)
    assert np.isnan(out.loc[0, "target_roi"])
    assert Message("platforms.note.no_target", {"reason": Message(NO_PLATFORM_GMV, {})}) in out.loc[0, "notes"]
    assert np.isfinite(out.loc[1, "target_roi"]) and "platforms.note.no_target" not in keys(out.loc[1, "notes"])
    assert keys(out.loc[2, "notes"])[0] == "platforms.note.paused"  # ¥0: pause, no target to suggest
    nothing = platform_settings(rows, ratios({}, NO_HISTORY), DEFAULT_LIMITS)
    assert nothing["target_roi"].isna().all()
    assert nothing.loc[0, "notes"][0].values["reason"].key == NO_HISTORY


def test_target_edits_over_the_platforms_limit_are_flagged_on_daily_rows():
    days = pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-02", "2026-06-02", "2026-06-03"])
    rows = pd.DataFrame({"date": days, "channel": "qianchuan", "segment": "existing",
                         "spend": [1000.0, 1000.0, 1500.0, 2000.0, 2000.0],
                         "expected_gmv": [2000.0, 2100.0, 2700.0, 3200.0, 3200.0]})
    one = tuple(replace(p, max_target_edits_per_day=1) if p.platform == "qianchuan" else p for p in DEFAULT_LIMITS)
    out = platform_settings(rows, ratios({"qianchuan": 1.5}), one)
    assert out["target_edits"].tolist() == [0, 1, 2, 3, 0]
    assert out["edits_over_limit"].tolist() == [False, False, True, True, False]
    assert "platforms.note.edits_over" in keys(out.loc[2, "notes"])
    # the cool-down is said where the budget is edited, not on a day that keeps it
    assert "platforms.note.cooldown" in keys(out.loc[2, "notes"])
    assert "platforms.note.cooldown" not in keys(out.loc[1, "notes"])
    assert "platforms.note.cooldown" not in keys(out.loc[4, "notes"])
