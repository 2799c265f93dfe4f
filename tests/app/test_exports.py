"""Plan downloads built directly: CSV, Excel (opened with openpyxl) and JSON agree, and formulas are neutralised."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from optimizer import Planner
from roimix.app import engine, exports

SAMPLE_CURVES = "data/sample/truth_curves.csv"


@pytest.fixture(scope="module")
def solved(sample_dir):
    table = pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days"])
    table.loc[0, "channel"] = "=HYPERLINK(\"http://evil\")"  # a hostile channel name
    w = engine.WhatIf(budget=float(table["current_spend"].sum()),
                      bounds=tuple((c, 0.0, 3.0, False) for c in table["channel"].unique()))
    result = Planner(table).solve(engine.scenario_of(w, table))
    assert result.solved
    return result, w


def test_csv_is_the_plan_per_cell_in_utf8_with_bom(solved):
    result, w = solved
    data = exports.build("csv", result, w, "demo", "sample")
    assert data.startswith(b"\xef\xbb\xbf"), "Excel opens UTF-8 CSV with a BOM"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(frame) == len(result.plan)
    assert frame["spend"].sum() == pytest.approx(result.totals.spend_cny, rel=1e-9)
    assert frame["channel"].iloc[0].startswith("'="), "formula neutralised"


def test_excel_has_summary_plan_rules_and_assumptions(solved):
    result, w = solved
    daily = pd.DataFrame({"date": ["2026-06-18"], "phase": ["peak"], "channel": ["@SUM(A1)"], "segment": ["new"],
                          "spend": [1.0], "expected_value": [2.0]})
    book = openpyxl.load_workbook(io.BytesIO(exports.build("xlsx", result, w, "demo", "sample", daily)))
    assert book.sheetnames == ["summary", "plan", "daily plan", "rules", "assumptions"]
    plan = book["plan"]
    header = [c.value for c in plan[1]]
    spend_col = header.index("spend")
    total = sum(row[spend_col] for row in plan.iter_rows(min_row=2, values_only=True))
    assert total == pytest.approx(result.totals.spend_cny, rel=1e-9)
    cells = [c.value for row in book.worksheets for r in row.iter_rows() for c in r if isinstance(c.value, str)]
    assert not [v for v in cells if v.startswith(("=", "+", "@"))], "no cell a spreadsheet would run"
    assert book["daily plan"]["C2"].value == "'@SUM(A1)"


def test_json_carries_totals_plan_and_rules(solved):
    result, w = solved
    doc = json.loads(exports.build("json", result, w, "demo", "sample"))
    assert doc["status"] == "optimal"
    assert doc["totals"]["gmv_cny"] == pytest.approx(result.totals.gmv_cny)
    assert len(doc["plan"]) == len(result.plan) and len(doc["rules"]) == len(result.rules)
    assert doc["assumptions"]["curves"] == "demo"
