"""``roimix plan`` in pipeline mode: raw logs → fitted curves → plan, in one command."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from roimix.cli import main
from roimix.curve_files import draws_path
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
                 "--risk", "mean", "--no-rank-tests"])
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
    assert main(["plan", "--curves", str(curves), "--budget", "9000", "--out", str(again), "--risk", "mean"]) == 0
    pd.testing.assert_series_equal(pd.read_csv(again, encoding="utf-8-sig")["spend"], written["spend"], rtol=1e-3)


def test_current_window_changes_current_spend(logs, tmp_path, capsys):
    whole, last = tmp_path / "whole.csv", tmp_path / "last.csv"
    fast = ["--bootstrap", "0"]  # current spend does not depend on the curve draws
    assert main(["plan", *logs, "--budget", "9000", *fast, "--curves-out", str(whole), "--lang", "en",
                 "--out", str(tmp_path / "plan.json")]) == 0
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    draws, = [a for a in doc["assumptions"] if a["item"] == "Curve draws (--bootstrap)"]
    assert (draws["value"], draws["source"]) == ("0", "command line")
    assert not draws_path(whole).exists()  # no draws were made, none kept
    assert main(["plan", *logs, "--budget", "9000", *fast, "--current-window", "14", "--curves-out", str(last)]) == 0
    spend = pd.read_csv(logs[5]).assign(date=lambda f: pd.to_datetime(f.date))
    recent = spend[spend.date > spend.date.max() - pd.Timedelta(days=14)]
    want = recent.groupby(["channel", "segment"]).spend.sum() / 14
    got = pd.read_csv(last, encoding="utf-8-sig").set_index(["channel", "segment"]).current_spend
    assert got.sort_index().to_numpy() == pytest.approx(want.sort_index().to_numpy(), abs=0.01)
    capsys.readouterr()


def test_bootstrap_is_refused_where_it_would_be_ignored(logs, tmp_path, capsys):
    """--bootstrap sets the draws of a fit made here: with --curves (their draws are kept beside them) or in
    aggregate mode it is an error in one line, never silently ignored."""
    curves = tmp_path / "c.csv"
    curves.write_text("channel,segment,a,b\n", encoding="utf-8")
    assert main(["plan", "--curves", str(curves), "--budget", "1", "--bootstrap", "0", "--lang", "en"]) == 2
    assert "--bootstrap applies to curves fitted here" in capsys.readouterr().err
    assert main(["plan", "-s", logs[5], "--outcome", logs[5], "--budget", "1", "--bootstrap", "10", "--lang", "en"]) == 2
    assert "--bootstrap is not available in aggregate mode" in capsys.readouterr().err


def test_curves_and_logs_together_or_half_the_logs_are_usage_errors(logs, capsys):
    assert main(["plan", "--curves", logs[1], *logs, "--budget", "1"]) == 2
    assert main(["plan", logs[0], logs[1], "--budget", "1", "--lang", "en"]) == 2
    assert "missing --conversions, --spend" in capsys.readouterr().err


def test_bad_spend_file_names_row_and_column(logs, tmp_path, capsys):
    bad = tmp_path / "spend.csv"
    frame = pd.read_csv(logs[5])
    frame.loc[3, "spend"] = -1
    frame.to_csv(bad, index=False)
    args = list(logs)
    args[5] = str(bad)
    assert main(["plan", *args, "--budget", "9000", "--lang", "en"]) == 2
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
    assert main(["plan", *args, "--budget", "9000", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "touchpoints.csv, row 9, column timestamp" in err
    assert "spend.csv, row 5, column spend" in err


def test_kept_curves_keep_their_draws_and_a_reload_plans_and_states_the_same(logs, tmp_path, capsys):
    """--curves-out writes the fit's draws beside the curves; plan --curves reads them back, so the reused fit
    plans with the same default risk (CVaR) and states the same P10 / P50 / P90 to the yuan. Curves edited
    after the fit no longer match their draws: the draws are refused, said so, and the plan is on the estimate."""
    import json

    from roimix.curve_files import draws_path

    curves, first, again = tmp_path / "fitted.csv", tmp_path / "first.json", tmp_path / "again.json"
    assert main(["plan", *logs, "--budget", "9000", "--curves-out", str(curves), "--out", str(first), "--lang", "en",
                 "--no-rank-tests"]) == 0
    err = capsys.readouterr().err
    sidecar = draws_path(curves)
    assert sidecar.name == "fitted.draws.parquet" and sidecar.is_file() and "Wrote the curve draws" in err
    draws = pd.read_parquet(sidecar)
    assert draws["draw"].nunique() == 400
    assert set(zip(draws["channel"], draws["segment"])) == set(zip(*pd.read_csv(curves).pipe(
        lambda f: (f["channel"], f["segment"]))))
    assert main(["plan", "--curves", str(curves), "--budget", "9000", "--out", str(again), "--lang", "en",
                 "--no-rank-tests"]) == 0
    err = capsys.readouterr().err
    assert "Read the curve draws" in err and "400 draws" in err
    a, b = (json.loads(p.read_text()) for p in (first, again))
    assert a["summary"]["uplift_per_day"] == pytest.approx(b["summary"]["uplift_per_day"], abs=0.5)
    assert [r["spend"] for r in a["plan"]] == pytest.approx([r["spend"] for r in b["plan"]], abs=0.05)

    edited = pd.read_csv(curves, encoding="utf-8-sig")
    edited.loc[0, "a"] *= 1.5  # a hand edit after the fit
    edited.to_csv(curves, index=False, encoding="utf-8-sig")
    assert main(["plan", "--curves", str(curves), "--budget", "9000", "--out", str(again), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "does not belong to the present contents" in err and "Read the curve draws" not in err
    assert json.loads(again.read_text())["summary"].get("uplift_per_day") is None  # no draws: no range
