"""``roimix plan`` in pipeline mode: raw logs → fitted curves → plan, in one command."""

from __future__ import annotations

import pandas as pd
import pytest

from roimix.cli import main
from roimix.tables import CURVES, check_table


@pytest.fixture(scope="module")
def logs(sample_dir):
    return [
        "-t", str(sample_dir / "touchpoints.parquet"), "-c", str(sample_dir / "conversions.parquet"),
        "-s", str(sample_dir / "spend.csv"), "--channels", str(sample_dir / "channels.csv"),
    ]


def test_pipeline_mode_plans_and_keeps_the_curves(logs, tmp_path, capsys):
    curves = tmp_path / "fitted.csv"
    plan = tmp_path / "plan.csv"
    code = main(["plan", *logs, "--budget", "9000", "--curves-out", str(curves), "--out", str(plan), "--lang", "en",
                 "--risk", "mean", "--no-rank-tests"])  # a curves file has no draws: the reload plans on the estimate
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # progress on stderr, step by step, in the pipeline's order
    steps = ["Checking the input files", "Building journeys", "Attributing", "conversion lag", "Fitting"]
    positions = [captured.err.index(s) for s in steps]
    assert positions == sorted(positions)
    fitted = pd.read_csv(curves, encoding="utf-8-sig")
    assert check_table(fitted[[c.name for c in CURVES.columns]], CURVES) == []
    assert {"status", "marginal_roi", "mroi_low", "mroi_high"} <= set(fitted.columns)
    written = pd.read_csv(plan, encoding="utf-8-sig")
    assert round(written["spend"].sum(), 2) == 9000.00  # to the fen
    # the kept curves give the same plan through --curves
    again = tmp_path / "again.csv"
    assert main(["plan", "--curves", str(curves), "--budget", "9000", "--out", str(again)]) == 0
    pd.testing.assert_series_equal(pd.read_csv(again, encoding="utf-8-sig")["spend"], written["spend"], rtol=1e-3)


def test_current_window_changes_current_spend(logs, tmp_path, capsys):
    whole, last = tmp_path / "whole.csv", tmp_path / "last.csv"
    assert main(["plan", *logs, "--budget", "9000", "--curves-out", str(whole)]) == 0
    assert main(["plan", *logs, "--budget", "9000", "--current-window", "14", "--curves-out", str(last)]) == 0
    spend = pd.read_csv(logs[5]).assign(date=lambda f: pd.to_datetime(f.date))
    recent = spend[spend.date > spend.date.max() - pd.Timedelta(days=14)]
    want = recent.groupby(["channel", "segment"]).spend.sum() / 14
    got = pd.read_csv(last, encoding="utf-8-sig").set_index(["channel", "segment"]).current_spend
    assert got.sort_index().to_numpy() == pytest.approx(want.sort_index().to_numpy(), abs=0.01)
    capsys.readouterr()


def test_curves_and_logs_together_or_half_the_logs_are_usage_errors(logs, capsys):
    assert main(["plan", "--curves", logs[1], *logs, "--budget", "1"]) == 2
    assert main(["plan", logs[0], logs[1], "--budget", "1"]) == 2
    assert "missing --conversions, --spend" in capsys.readouterr().err


def test_bad_spend_file_names_row_and_column(logs, tmp_path, capsys):
    bad = tmp_path / "spend.csv"
    frame = pd.read_csv(logs[5])
    frame.loc[3, "spend"] = -1
    frame.to_csv(bad, index=False)
    args = list(logs)
    args[5] = str(bad)
    assert main(["plan", *args, "--budget", "9000"]) == 2
    assert "spend.csv, row 5, column spend" in capsys.readouterr().err


def test_problems_of_every_input_file_at_once(logs, tmp_path, capsys):
    """A bad touchpoints file and a bad spend file: one run names both, so nothing is fixed twice."""
    spend = pd.read_csv(logs[5])
    spend.loc[3, "spend"] = -1
    spend.to_csv(tmp_path / "spend.csv", index=False)
    tp = pd.read_parquet(logs[1]).head(50).astype({"timestamp": str})
    tp.loc[7, "timestamp"] = "yesterday"
    tp.to_csv(tmp_path / "touchpoints.csv", index=False)
    args = list(logs)
    args[1], args[5] = str(tmp_path / "touchpoints.csv"), str(tmp_path / "spend.csv")
    assert main(["plan", *args, "--budget", "9000"]) == 2
    err = capsys.readouterr().err
    assert "touchpoints.csv, row 9, column timestamp" in err
    assert "spend.csv, row 5, column spend" in err
