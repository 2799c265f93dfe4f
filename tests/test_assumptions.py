"""One assumptions table: the CLI's plan file, a scenario file's batch run and the app's export state the same
settings in the same rows and words (roimix.report.assumptions), each adding only what is its own."""

from __future__ import annotations

import json

import pytest

from roimix.app import engine, exports
from roimix.cli import main
from roimix.report.assumptions import settings_rows
from roimix.scenarios import load_scenario, run_scenario
from roimix.settings import PlanSettings

SHARED = ("新品花费上限（占花费）", "增量投产比下限", "毛利率（占 GMV）", "退货率（占 GMV）",
          "保本投产比 = 1 ÷ (毛利率 × (1 − 退货率))", "目标")
"""Rows every face states for these settings, worded once."""

BATCH = """
name = "same"
[curves]
source = "file"
file = "{curves}"
margin = 0.3
[objective]
kind = "profit"
[budget]
total = 70000
[horizon]
start = 2026-07-01
end = 2026-07-07
[rules]
new_product_cap = 0.2
new_customer_cap = false
key_daily_min = false
roi_floor = 1.5
"""


def _rows(rows) -> dict[str, str]:
    return {item: value for item, value, _ in rows}


def test_the_cli_a_scenario_file_and_the_app_state_the_same_settings_alike(sample_dir, tmp_path, capsys):
    curves = sample_dir / "truth_curves.csv"
    want = _rows(settings_rows(PlanSettings(objective="profit", budget_cny=10_000.0, new_product_cap=0.2,
                                            new_customer_cap=None, roi_floor=1.5, margin=0.3), "zh", lambda _: ""))
    out = tmp_path / "plan.json"
    code = main(["plan", "--curves", str(curves), "--objective", "profit", "--budget", "10000", "--budget-mode", "le",
                 "--new-product-cap", "0.2", "--roi-floor", "1.5", "--margin", "0.3",
                 "--out", str(out), "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    cli = {a["item"]: a["value"] for a in json.loads(out.read_text(encoding="utf-8"))["assumptions"]}
    path = tmp_path / "same.toml"
    path.write_text(BATCH.format(curves=curves.as_posix()), encoding="utf-8")
    batch = _rows(run_scenario(load_scenario(path)).assumptions("zh"))
    app = _rows(exports.assumptions(engine.WhatIf(budget=10_000.0, objective="profit", new_product_cap=0.2,
                                                  new_customer_cap=None, roi_floor=1.5, margin=0.3), "demo", "zh"))
    for face, rows in (("cli", cli), ("batch", batch), ("app", app)):
        for item in SHARED:
            assert rows.get(item) == want[item], (face, item, rows.get(item), want[item])
    assert batch["风险（有曲线抽样时）"] == "平均：按估计值"  # campaign plans are made on the estimate: said so


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_scenario_files_assumptions_are_in_the_reports_language(sample_dir, tmp_path, lang):
    """No English item in a Chinese workbook (the batch wrote 'carry-over lag, ztc (days)', 'weekend multiplier'…)."""
    import re

    path = tmp_path / "same.toml"
    path.write_text(BATCH.format(curves=(sample_dir / "truth_curves.csv").as_posix()), encoding="utf-8")
    items = [item for item, _, _ in run_scenario(load_scenario(path)).assumptions(lang)]
    han = re.compile(r"[\u4e00-\u9fff]")
    assert all(bool(han.search(i)) == (lang == "zh") for i in items), items
