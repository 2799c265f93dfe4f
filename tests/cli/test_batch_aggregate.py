"""``roimix batch`` on the data most shops have (issue 15): a scenario whose ``[data]`` names the shop's total GMV
(``outcome``) is fitted in aggregate mode, the same curves as ``roimix fit``; a wrong combination is one line and
exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roimix.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

SCENARIO = """
name = "{name}"
[data]
spend = "{sample}/spend.csv"
outcome = "outcome.csv"
channels = "{sample}/channels.csv"
{extra_data}
[curves]
source = "fit"
{extra_curves}
[budget]
total = 300000
[horizon]
start = 2026-10-10
end = 2026-11-13
[calendar]
template = "double11"
year = 2026
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch_aggregate")
    conv = pd.read_parquet(SAMPLE / "conversions.parquet")
    conv["date"] = pd.to_datetime(conv["timestamp"]).dt.strftime("%Y-%m-%d")
    conv.groupby("date", as_index=False)["value"].sum().to_csv(path / "outcome.csv", index=False)
    return path


def _scenario(folder: Path, name: str, extra_data: str = "", extra_curves: str = "") -> str:
    path = folder / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, sample=SAMPLE.as_posix(), extra_data=extra_data,
                                    extra_curves=extra_curves), encoding="utf-8")
    return str(path)


def test_an_outcome_table_fits_aggregate_mode_with_the_curves_of_roimix_fit(folder, tmp_path, capsys):
    from roimix.scenarios import load_scenario
    from roimix.scenarios.run import prepare_scenario

    path = _scenario(folder, "agg")
    assert main(["batch", path, "--out", str(tmp_path / "out"), "--formats", "json", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "pooled toward the shop's pooled ROAS" in err  # aggregate mode's own notes reach the batch's reader
    doc = json.loads((tmp_path / "out" / "agg.json").read_text(encoding="utf-8"))
    curves_row = next(r for r in doc["assumptions"] if r["item"] == "Curves")
    assert curves_row["value"] == "fitted on spend and the shop's total GMV (outcome.csv, daily data; aggregate mode)"
    assert doc["summary"]["status"] == "optimal"

    assert main(["fit", "-s", str(SAMPLE / "spend.csv"), "-o", str(folder / "outcome.csv"), "--channels",
                 str(SAMPLE / "channels.csv"), "--out", str(tmp_path / "fit.csv"), "--lang", "en"]) == 0
    capsys.readouterr()
    fitted = pd.read_csv(tmp_path / "fit.csv", encoding="utf-8-sig").set_index(["channel", "segment"]).sort_index()
    planned = prepare_scenario(load_scenario(path)).curves.set_index(["channel", "segment"]).sort_index()
    assert list(planned.index) == list(fitted.index)
    for column in ("a", "b", "current_spend"):
        pd.testing.assert_series_equal(planned[column].astype(float), fitted[column].astype(float), rtol=1e-6,
                                       check_names=False)
    assert list(planned["evidence"]) == list(fitted["evidence"])


@pytest.mark.parametrize("extra_data, extra_curves, key", [
    ('touchpoints = "{sample}/touchpoints.parquet"', "", "data.conversions"),
    ("", "bootstrap = 100", "curves.bootstrap"),
    ('lift_tests = "no_such_tests.csv"', "", "data.lift_tests"),
    ('[attribution]\nmodel = "last_touch"', "", "attribution.model"),
])
def test_a_wrong_aggregate_scenario_is_one_line_and_exit_2(folder, tmp_path, capsys, extra_data, extra_curves, key):
    path = _scenario(folder, "wrong", extra_data.format(sample=SAMPLE.as_posix()), extra_curves)
    assert main(["batch", path, "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    lines = [x for x in capsys.readouterr().err.splitlines() if "wrong" in x and key in x]
    assert len(lines) == 1, lines
