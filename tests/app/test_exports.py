"""Plan downloads built directly: the CLI's files (CSV, Excel opened with openpyxl, JSON), formulas neutralised."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from optimizer import Planner
from roimix.app import engine, exports


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
    data = exports.build("csv", result, w, "demo", "sample", "zh")
    assert data.startswith(b"\xef\xbb\xbf"), "Excel opens UTF-8 CSV with a BOM"
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(frame) == len(result.plan)
    assert frame["spend"].sum() == pytest.approx(result.totals.spend_cny, abs=0.01 * len(frame))
    assert not frame["channel"].iloc[0].startswith("="), "formula neutralised"


def test_excel_has_the_cli_sheets_and_the_assumptions(solved):
    result, w = solved
    book = openpyxl.load_workbook(io.BytesIO(exports.build("xlsx", result, w, "demo", "sample", "zh")))
    assert book.sheetnames == ["plan", "rules", "summary", "messages", "assumptions"]
    plan = book["plan"]
    header = [c.value for c in plan[1]]
    total = sum(row[header.index("spend")] for row in plan.iter_rows(min_row=2, values_only=True))
    assert total == pytest.approx(result.totals.spend_cny, abs=0.01 * (plan.max_row - 1))
    cells = [c.value for ws in book.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert not [v for v in cells if v.startswith(("=", "+", "@"))], "no cell a spreadsheet would run"
    assert any("新品" in v or "预算" in v for v in cells), "the summary sentences in the reader's language"
    items = {r[0]: r[1] for r in book["assumptions"].iter_rows(min_row=2, values_only=True)}
    assert items["curves"] == "demo" and items["new_product_cap"] == "0.15"


def test_json_carries_meta_and_every_table(solved):
    result, w = solved
    doc = json.loads(exports.build("json", result, w, "demo", "sample", "en"))
    assert doc["meta"]["status"] == "optimal" and doc["meta"]["curves"] == "demo"
    assert len(doc["plan"]) == len(result.plan) and len(doc["rules"]) == len(result.rules)
    assert {r["item"] for r in doc["summary"]} >= {"status", "gmv_cny"}
