"""Plan downloads built directly: the project's finance files (CSV, Excel opened with openpyxl, JSON),
money to the fen with totals that add up, the what-if's settings as assumptions, formulas neutralised."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from optimizer import Planner
from roimix.app import engine, exports
from roimix.export.finance import HEADERS, header
from roimix.export.workbook import sheet_title
from roimix.text import t

SOURCES = {"touchpoints": "sample", "conversions": "sample", "spend": "my=spend.csv", "channels": "sample"}
LABELS = {"ztc": "直通车"}


@pytest.fixture(scope="module")
def solved(sample_dir):
    table = pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days"])
    table.loc[table["channel"] == "wechat_group", "channel"] = "=HYPERLINK(\"http://evil\")"  # a hostile channel name
    w = engine.WhatIf(budget=float(table["current_spend"].sum()),
                      bounds=tuple((c, 0.0, 3.0, c == "ztc") for c in table["channel"].unique()))
    result = Planner(table).solve(engine.scenario_of(w, table))
    assert result.solved
    return result, w


def build(kind: str, solved, lang: str = "zh") -> bytes:
    result, w = solved
    return exports.plan_file(kind, result, w, "demo", SOURCES, LABELS, lang, "今天")


def test_csv_is_the_plan_per_cell_with_a_total_row(solved):
    data = build("csv", solved)
    assert data.startswith(b"\xef\xbb\xbf"), "Excel opens UTF-8 CSV with a BOM"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    spend = header("spend", "zh", per_day=True)
    assert spend == "花费（元/天）" and header("expected_gmv", "zh", per_day=True) in frame.columns
    rows, total = frame.iloc[:-1], frame.iloc[-1]
    assert len(rows) == len(solved[0].plan)
    assert round(rows[spend].sum(), 2) == total[spend], "the total is the sum of its rows, to the fen"
    assert total[spend] == pytest.approx(solved[1].budget, abs=0.005), "the whole budget is planned"
    channel = t(HEADERS["channel"], "zh")
    assert not [c for c in frame[channel].astype(str) if c.startswith(("=", "+", "@"))], "formulas neutralised"
    share = t(HEADERS["spend_share"], "zh")
    assert all(len(f"{v}".split(".")[-1]) <= 4 for v in rows[share]), "shares to 0.01 %, not 17 digits"
    assert total[share] == 1.0


def test_excel_has_the_finance_sheets_and_the_what_if_as_assumptions(solved):
    book = openpyxl.load_workbook(io.BytesIO(build("xlsx", solved)))
    assert book.sheetnames == ["汇总", "计划", "规则", "假设"]
    assert [sheet_title(n, "en") for n in ("summary", "plan", "rules", "assumptions")] == ["summary", "plan", "rules",
                                                                                         "assumptions"]
    cells = [c for ws in book.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    formulas = [c for c in cells if c.value.startswith(("=", "+", "@"))]
    assert formulas and all(c.data_type == "s" and c.quotePrefix for c in formulas), "text, quote-prefixed"
    assert not [c.value for c in cells if c.value.startswith("'=")], "no visible apostrophe"
    rules = [[c.value for c in r] for r in book["规则"].iter_rows()]
    shown = " ".join(str(v) for r in rules for v in r if v is not None)
    assert "bounds:" not in shown and "lock:" not in shown and "直通车锁定" in shown, shown[:300]
    assert not {"budget", "share", "total", "lock", "upper", "lower"} & {str(v) for r in rules[1:] for v in r[1:3]}
    plan_head = [c.value for c in book["计划"][1]]
    assert "花费（元/天）" in plan_head and "当前花费（元/天）" in plan_head
    summary_items = [r[0] for r in book["汇总"].iter_rows(min_row=2, values_only=True)]
    assert "预算（元/天）" in summary_items and "计划花费（元/天）" in summary_items
    items = {r[0]: r[1] for r in book["假设"].iter_rows(min_row=2, values_only=True)}
    assert items[t("app.export.curves", "zh")] == t("app.cur.source.demo", "zh")
    assert items[t("optimizer.assume.new_product_cap", "zh")] == "15.0%"
    assert items[f"{t('app.opt.bounds', 'zh')}: 直通车"] == t("app.opt.col.locked", "zh")
    assert items["毛利率（占 GMV）"] == "45.0%" and items["保本投产比 = 1 ÷ (毛利率 × (1 − 退货率))"] == "2.22"
    summary = [r for r in book["汇总"].iter_rows(values_only=True)]
    assert any(r[1] == "my=spend.csv" for r in summary), "the uploaded file is named as an input"


def test_json_carries_totals_and_every_table(solved):
    doc = json.loads(build("json", solved, "en"))
    result, w = solved
    assert doc["totals"]["spend"] == pytest.approx(w.budget, abs=0.005)
    assert len(doc["plan"]) == len(result.plan) and len(doc["rules"]) == len(result.rules)
    assert {a["item"] for a in doc["assumptions"]} >= {"response curves", "Objective"}


def test_the_campaign_download_states_the_gain_range_as_the_batch_does(sample_dir):
    """With curve draws the campaign page's download carries the gain over the even plan, P10 / P50 / P90 and the
    chance it beats it (the batch's workbook does; the app's left it out)."""
    from optimizer.campaign import CampaignBudget, CampaignPlanner, CampaignScenario, Horizon, template
    from optimizer.draws import Outcome

    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    planner = CampaignPlanner(curves, Horizon("2027-06-01", "2027-06-10"), template("618", 2027))
    setup = CampaignScenario(CampaignBudget(float(curves["current_spend"].sum()) * 10))
    plan, flat = planner.solve(setup), planner.solve(setup, flat=True)
    outcome = Outcome(1200.0, 3400.0, 5600.0, 3300.0, 0.93, 0.4, 2.2, 200)
    data = json.loads(exports.campaign_file("json", plan, flat, engine.WhatIf(budget=1000.0), "demo", {}, {}, "en",
                                            "618 2027", "618", (), outcome))
    summary = data["summary"]
    assert (summary["gain_vs_flat_p10"], summary["gain_vs_flat_p50"], summary["gain_vs_flat_p90"]) == (1200.0, 3400.0, 5600.0)
    assert summary["prob_better_than_flat"] == 0.93


def _fen(values) -> pd.Series:
    return (pd.Series(values, dtype=float) * 100).round().astype("int64")


def test_the_plan_download_carries_the_platform_settings_to_the_fen(solved, sample_dir):
    """Given the plan's curves and spend history, the app's plan download has the 投放设置 sheet ``roimix plan`` writes:
    one row per cell whose 日预算 are the plan's spend to the fen, a total row equal to their sum; without them it
    has none (the CSV is the plan alone)."""
    result, w = solved
    curves = result.plan  # the solved cells: channel, segment and the curve's parameters
    history = pd.read_csv(sample_dir / "spend.csv")
    platform = (curves, history)
    doc = json.loads(exports.plan_file("json", result, w, "demo", SOURCES, LABELS, "en", "today", platform))
    settings = pd.DataFrame(doc["platform_settings"])
    rows, total = settings.iloc[:-1], settings.iloc[-1]
    plan = pd.DataFrame(doc["plan"]).iloc[:len(result.plan)]
    assert len(rows) == len(result.plan)
    assert _fen(rows["daily_budget"]).sum() == _fen([total["daily_budget"]])[0] == _fen(plan["spend"]).sum()
    book = openpyxl.load_workbook(io.BytesIO(exports.plan_file("xlsx", result, w, "demo", SOURCES, LABELS, "zh", "今天",
                                                               platform)))
    assert book.sheetnames == ["汇总", "计划", "投放设置", "规则", "假设"]
    cells = [c for r in book["投放设置"].iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    formulas = [c for c in cells if c.value.startswith(("=", "+", "@"))]
    assert formulas and all(c.data_type == "s" and c.quotePrefix for c in formulas), "the hostile name stays text"
    assert "投放设置" not in openpyxl.load_workbook(io.BytesIO(build("xlsx", solved))).sheetnames


def test_the_campaign_download_carries_the_platform_settings_per_day_to_the_fen(sample_dir):
    from optimizer.campaign import CampaignBudget, CampaignPlanner, CampaignScenario, Horizon, template

    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    planner = CampaignPlanner(curves, Horizon("2027-06-01", "2027-06-05"), template("618", 2027))
    plan = planner.solve(CampaignScenario(CampaignBudget(float(curves["current_spend"].sum()) * 5)))
    doc = json.loads(exports.campaign_file("json", plan, None, engine.WhatIf(budget=1000.0), "demo", {}, {}, "en",
                                           "618 2027", "618", (), None, (curves, pd.read_csv(sample_dir / "spend.csv"))))
    settings = pd.DataFrame(doc["platform_settings"])
    rows = settings.iloc[:-1]
    daily = pd.DataFrame(doc["daily"])
    daily = daily[daily["date"].astype(str).str.match(r"\d{4}-")]  # the day rows, not the total
    assert len(rows) == len(plan.daily) == len(daily)
    assert _fen(rows["daily_budget"]).sum() == _fen(daily["spend"]).sum() == _fen([settings["daily_budget"].iloc[-1]])[0]
    per_day = rows.assign(f=_fen(rows["daily_budget"]).to_numpy()).groupby("date")["f"].sum()
    assert per_day.to_dict() == daily.assign(f=_fen(daily["spend"]).to_numpy()).groupby("date")["f"].sum().to_dict()
