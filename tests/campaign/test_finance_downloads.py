"""The bytes a download gets (``finance_bytes``), read back with pandas / openpyxl / json, carry the plan's
numbers to the fen: every day row is the plan's spend, the totals are the plan's totals, and budget, spend and
reserve agree with the budget and reserve share the test set (not with numbers the exporter computed)."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template
from roimix.export import Context, campaign_tables, finance_bytes

BUDGET = 765_432.109
RESERVE_SHARE = 0.0617


@pytest.fixture(scope="module")
def plan(truth_curves):
    planner = CampaignPlanner(truth_curves, Horizon("2026-06-08", "2026-06-21"), template("618", 2026))
    result = planner.solve(CampaignScenario(Budget(BUDGET, reserve_share=RESERVE_SHARE), daily=DailyRules()))
    assert result.solved
    return result


def fen(value) -> int:
    return int(round(float(value) * 100))


@pytest.fixture(scope="module", params=["csv", "xlsx", "json"])
def downloaded(request, plan):
    """(kind, the day rows' spend and GMV in the file's order, the file's total spend and GMV, json doc or None)."""
    kind = request.param
    tables = campaign_tables(plan, Context("download", "618 2026", lang="zh"))
    data = finance_bytes(tables, kind)
    cols = list(tables.daily.columns)
    s, g = cols.index("spend"), cols.index("expected_gmv")
    doc = None
    if kind == "csv":
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        rows = frame.iloc[:-1, [s, g]].to_numpy(dtype=float)
        total = frame.iloc[-1, [s, g]].to_numpy(dtype=float)
    elif kind == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book.worksheets[2]  # summary, plan, daily, …
        values = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
        rows = np.array([[r[s], r[g]] for r in values[:-1]], dtype=float)
        total = np.array([values[-1][s], values[-1][g]], dtype=float)
    else:
        doc = json.loads(data.decode("utf-8"))
        rows = np.array([[r["spend"], r["expected_gmv"]] for r in doc["daily"]], dtype=float)
        total = np.array([doc["totals"]["spend"], doc["totals"]["expected_gmv"]], dtype=float)
    return kind, rows, total, doc


def test_every_day_row_is_the_plans_spend_to_half_a_fen(downloaded, plan):
    kind, rows, _, _ = downloaded
    expected = plan.daily.sort_values(["date", "channel", "segment"])[["spend", "expected_value"]].to_numpy()
    assert rows.shape == expected.shape, kind
    # rounding to the fen with totals that add up moves a row by less than a fen
    assert np.abs(rows - expected).max() < 0.01, kind


def test_totals_are_the_plans_totals_to_the_fen(downloaded, plan):
    kind, rows, total, _ = downloaded
    assert sum(fen(v) for v in rows[:, 0]) == fen(total[0]), kind
    assert sum(fen(v) for v in rows[:, 1]) == fen(total[1]), kind
    assert abs(fen(total[0]) - plan.daily["spend"].sum() * 100) <= 1, kind
    assert abs(fen(total[1]) - plan.gmv_cny * 100) <= 1, kind
    # the spendable budget is spent: B·(1 − reserve share), computed here, to the fen
    assert fen(total[0]) == fen(round(BUDGET * (1 - RESERVE_SHARE), 2)), kind


def test_budget_spend_and_reserve_agree_with_what_was_set(plan):
    doc = json.loads(finance_bytes(campaign_tables(plan, Context("download", "618 2026", lang="en")), "json"))
    assert fen(doc["totals"]["budget"]) == fen(round(BUDGET, 2))
    assert abs(fen(doc["totals"]["reserve"]) - BUDGET * RESERVE_SHARE * 100) <= 1.5
    assert fen(doc["totals"]["spend"]) == fen(round(BUDGET * (1 - RESERVE_SHARE), 2))
