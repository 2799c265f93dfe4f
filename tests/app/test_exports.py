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
from roimix.export.finance import HEADERS
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
    spend = t(HEADERS["spend"], "zh")
    rows, total = frame.iloc[:-1], frame.iloc[-1]
    assert len(rows) == len(solved[0].plan)
    assert round(rows[spend].sum(), 2) == total[spend], "the total is the sum of its rows, to the fen"
    assert total[spend] == pytest.approx(solved[1].budget, abs=0.005), "the whole budget is planned"
    channel = t(HEADERS["channel"], "zh")
    assert not [c for c in frame[channel].astype(str) if c.startswith(("=", "+", "@"))], "formulas neutralised"


def test_excel_has_the_finance_sheets_and_the_what_if_as_assumptions(solved):
    book = openpyxl.load_workbook(io.BytesIO(build("xlsx", solved)))
    assert book.sheetnames == ["summary", "plan", "rules", "assumptions"]
    cells = [c.value for ws in book.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert not [v for v in cells if v.startswith(("=", "+", "@"))], "no cell a spreadsheet would run"
    items = {r[0]: r[1] for r in book["assumptions"].iter_rows(min_row=2, values_only=True)}
    assert items[t("app.export.curves", "zh")] == t("app.cur.source.demo", "zh")
    assert items[t("app.opt.new_product_cap", "zh")] == "15.0%"
    assert items[f"{t('app.opt.bounds', 'zh')}: ztc"] == t("app.opt.col.locked", "zh")
    summary = [r for r in book["summary"].iter_rows(values_only=True)]
    assert any(r[1] == "my=spend.csv" for r in summary), "the uploaded file is named as an input"


def test_json_carries_totals_and_every_table(solved):
    doc = json.loads(build("json", solved, "en"))
    result, w = solved
    assert doc["totals"]["spend"] == pytest.approx(w.budget, abs=0.005)
    assert len(doc["plan"]) == len(result.plan) and len(doc["rules"]) == len(result.rules)
    assert {a["item"] for a in doc["assumptions"]} >= {"response curves", "Objective"}
