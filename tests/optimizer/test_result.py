"""The result object: tidy plan and rules frames whose totals add up, money-valued messages in both
languages, statuses from the fixed vocabulary, and exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from optimizer import STATUSES, Planner, Scenario, Objective, default_scenario
from roimix.report.plan import render, summary_lines
from optimizer.result import PLAN_COLUMNS
from optimizer_cases import random_curves, value
from roimix.export import neutralise, safe_frame, write_tables
from roimix.text import STRINGS


@pytest.fixture(scope="module")
def solved():
    df = random_curves(8, 4)
    return df, Planner(df).solve(default_scenario(float(df["current_spend"].sum()) * 1.2, new_product_share=0.2,
                                                  new_customer_share=0.35))


def test_plan_frame_is_tidy_and_adds_up(solved):
    df, result = solved
    plan = result.plan
    assert result.status in STATUSES and result.solved
    for col in ("channel", "segment", "current_spend", "spend", "expected_value", "roi", "marginal_roi",
                "current_marginal_roi", "change"):
        assert col in plan.columns
    assert list(plan.columns) == ["channel", "segment", *PLAN_COLUMNS]  # the documented columns, in order
    assert len(plan) == len(df) and plan[["channel", "segment"]].duplicated().sum() == 0
    np.testing.assert_allclose(plan["expected_value"], value(df, plan["spend"]), rtol=1e-9)
    np.testing.assert_allclose(plan["change"], plan["spend"] - plan["current_spend"])
    tot = result.totals
    assert tot.gmv_cny == pytest.approx(plan["expected_value"].sum())
    assert tot.current_gmv_cny == pytest.approx(value(df, df["current_spend"]).sum())
    assert tot.gmv_uplift_cny == pytest.approx(tot.gmv_cny - tot.current_gmv_cny)
    assert tot.roi == pytest.approx(tot.gmv_cny / tot.spend_cny)
    assert tot.roi_uplift == pytest.approx(tot.roi - tot.current_roi)
    assert result.timings.first_solve_s > 0 and result.timings.solver_s > 0
    assert 0 < result.evidence.relative_duality_gap < 1e-7  # Clarabel's own gap, converged (~1e-8)


def test_binding_rules_are_explained_in_money(solved):
    _, result = solved
    binding = result.binding()
    assert "budget" in set(binding["rule"])
    en = summary_lines(result, "en")
    zh = summary_lines(result, "zh")
    assert any("¥1 more budget a day returns ¥" in line for line in en)
    assert any("每天多投 ¥1 预算" in line for line in zh)
    assert any(line.startswith("GMV ¥") and "→" in line for line in en)
    for m in result.messages:
        assert m.key in STRINGS
        assert render(m, "en") and render(m, "zh")


def test_every_message_key_has_both_languages():
    keys = [k for k in STRINGS if k.startswith("optimizer.")]
    assert len(keys) > 40
    for k in keys:
        zh, en = STRINGS[k]
        assert zh and en and zh != en or k.startswith("optimizer.what.gmv")


def test_solver_trouble_is_said_not_hidden():
    df = random_curves(5, 1)
    planner = Planner(df, solver_options={"max_iter": 2})
    result = planner.solve(Scenario(Objective("profit")))
    assert result.status == "solver_error"
    assert not result.solved and result.totals is None
    line = "\n".join(summary_lines(result, "en"))
    assert "numerical trouble" in line
    zh = "\n".join(summary_lines(result, "zh"))
    assert "求解器遇到数值问题（CLARABEL: MaxIterations）" in zh  # no English sentence inside the Chinese
    ev = result.evidence
    assert ev.solver_status == "MaxIterations" and ev.duality_gap_cny > 0
    assert f"Solver CLARABEL (MaxIterations, {ev.iterations} iterations): duality gap ¥{ev.duality_gap_cny:.1e}" in line


def test_formula_injection_is_neutralised(tmp_path):
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("+1") == "'+1" and neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("-2+3") == "'-2+3"
    assert neutralise("ztc") == "ztc" and neutralise(-5.0) == -5.0
    frame = pd.DataFrame({"channel": ["=cmd|' /C calc'!A0", "ztc"], "spend": [-1.5, 2.0]})
    safe = safe_frame(frame)
    assert safe["channel"].tolist() == ["'=cmd|' /C calc'!A0", "ztc"] and safe["spend"].tolist() == [-1.5, 2.0]
    path = write_tables({"plan": frame}, tmp_path / "plan.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel reads Chinese correctly
    assert "'=cmd" in raw.decode("utf-8-sig")
    import openpyxl

    write_tables({"plan": frame, "rules": frame}, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["plan", "rules"]
    cell = book["plan"]["A2"]
    assert cell.value == "'=cmd|' /C calc'!A0" and cell.data_type == "s"
    assert book["plan"]["B2"].value == -1.5
    doc = json.loads(write_tables({"plan": frame.assign(x=[np.inf, np.nan])}, tmp_path / "p.json",
                                  meta={"n": np.int64(2)}).read_text(encoding="utf-8"))
    assert doc["meta"] == {"n": 2} and doc["plan"][0]["x"] is None
