"""``roimix plan --out`` names the lift tests worth most as a table: the JSON's ``lift_tests`` (rank, channel,
segment as machine ids, expected gain a day) and a workbook sheet, the same tests and values as the summary's
``lift_test.N`` rows (which carry only a value in the JSON, so a script could not tell which cell to test)."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd

from roimix.cli import main
from roimix.curve_files import write_curves
from roimix.text import t


def test_the_lift_tests_to_run_are_a_table_in_the_json_and_the_workbook(sample_dir, tmp_path, capsys):
    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    rng = np.random.default_rng(3)
    draws = pd.concat([curves[["channel", "segment", "family", "a", "b", "s"]].assign(
        a=curves["a"] * rng.lognormal(0.0, 0.4, len(curves)), draw=d) for d in range(24)], ignore_index=True)
    path = tmp_path / "curves.csv"
    write_curves(curves, path, draws)
    budget = str(round(float(curves["current_spend"].sum()), 2))
    for out, lang in ((tmp_path / "plan.json", "en"), (tmp_path / "plan.xlsx", "zh")):
        assert main(["plan", "--curves", str(path), "--budget", budget, "--out", str(out), "--lang", lang]) == 0
    capsys.readouterr()

    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    tests = pd.DataFrame(doc["lift_tests"])
    assert list(tests.columns) == ["rank", "channel", "segment", "value_cny_per_day"]
    assert len(tests) >= 5 and tests["rank"].tolist() == list(range(1, len(tests) + 1))
    cells = set(zip(curves["channel"], curves["segment"]))
    assert set(zip(tests["channel"], tests["segment"])) <= cells
    assert tests["value_cny_per_day"].is_monotonic_decreasing and (tests["value_cny_per_day"] >= 0).all()
    assert tests["value_cny_per_day"].tolist() == [doc["summary"][f"lift_test.{r}"] for r in tests["rank"]]

    book = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    rows = [list(r) for r in book[t("export.sheet.lift_tests", "zh")].iter_rows(values_only=True)]
    assert rows[0] == [t(k, "zh") for k in ("export.col.lift_rank", "campaign.col.channel", "campaign.col.segment",
                                             "export.col.lift_value")]
    assert [(r[1], r[2]) for r in rows[1:]] == list(zip(tests["channel"], tests["segment"]))
