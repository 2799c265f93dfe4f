"""``roimix batch``: one plan per scenario plus a comparison; a failing scenario is named in one line and the
others still run; exit 0 all solved, 1 one infeasible, 2 one broken."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from roimix.cli import main
from roimix.text import t

SOLVED = ("optimal", "optimal_inaccurate")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

SCENARIO = """
name = "{name}"
[data]
channels = "{sample}/channels.csv"
[curves]
source = "file"
file = "{sample}/truth_curves.csv"
[budget]
total = {budget}
reserve = 0.05
[horizon]
start = 2026-10-10
end = 2026-11-13
[calendar]
template = "double11"
year = 2026
[rules]
key_daily_min = {key_min}
max_daily_change = 0.5
per_phase = true
"""


def scenario(folder: Path, name: str, *, budget: float = 400_000, key_min: float = 0.5, edit=None) -> str:
    text = SCENARIO.format(name=name, sample=SAMPLE.as_posix(), budget=budget, key_min=key_min)
    if edit:
        text = text.replace(*edit)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_one_infeasible_scenario_still_writes_the_others_and_exits_1(tmp_path, capsys):
    files = [scenario(tmp_path, "base"), scenario(tmp_path, "tight", budget=50_000, key_min=1.0),
             scenario(tmp_path, "more", budget=480_000)]
    out = tmp_path / "out"
    code = main(["batch", *files, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    failing = [line for line in captured.err.splitlines() if "tight" in line]
    assert len(failing) == 1 and "infeasible" in failing[0] and "key-platform daily minimum" in failing[0]
    for name in ("base", "more"):
        for ext in ("xlsx", "csv", "json"):
            assert (out / f"{name}.{ext}").is_file()
    assert not list(out.glob("tight.*"))
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    assert list(table["scenario"]) == ["base", "tight", "more"]
    assert [s in SOLVED for s in table["status"]] == [True, False, True] and table["status"][1] == "infeasible"
    solved = table[table["status"].isin(SOLVED)].set_index("scenario")
    assert solved.loc["more", "expected_gmv"] > solved.loc["base", "expected_gmv"]
    assert (solved["spend"] == solved["budget"] * 0.95).all()  # to the fen
    assert (solved["roi"] - solved["expected_gmv"] / solved["spend"]).abs().max() < 1e-4
    assert solved["binding_rules"].str.contains("budget").all()
    assert "Rules in conflict" in table.set_index("scenario").loc["tight", "reason"]
    assert openpyxl.load_workbook(out / "comparison.xlsx").sheetnames == ["comparison"]


def test_a_broken_scenario_gives_one_line_and_exit_2_and_the_rest_runs(tmp_path, capsys):
    files = [scenario(tmp_path, "broken", edit=("total =", "totl =")), scenario(tmp_path, "fine")]
    code = main(["batch", *files, "--out", str(tmp_path / "out"), "--lang", "zh"])
    captured = capsys.readouterr()
    assert code == 2
    lines = [line for line in captured.err.splitlines() if "broken" in line]
    assert len(lines) == 1
    assert "未知的键 'budget.totl'（是不是想写 'budget.total'？）" in lines[0]  # in the run's language
    assert (tmp_path / "out" / "fine.xlsx").is_file()
    assert "fine" in captured.out and "花费" in captured.out


def test_flags_override_every_scenario(tmp_path, capsys):
    files = [scenario(tmp_path, "a"), scenario(tmp_path, "b", budget=300_000)]
    out = tmp_path / "out"
    code = main(["batch", *files, "--out", str(out), "--budget", "350000", "--set", "budget.reserve=0.1",
                 "--formats", "json"])
    assert code == 0
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    assert (table["budget"] == 350_000).all() and (table["reserve"] == 35_000).all()
    # objective gmv spends every yuan not held back: 350,000 − 10 % = 315,000.00, nothing unspent, and the
    # comparison's spend is what the plan files' daily rows add up to, to the fen
    assert (table["spend"] == 315_000).all() and (table["unspent"] == 0).all()
    for name in ("a", "b"):
        daily = pd.DataFrame(json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["daily"])
        assert round(daily["spend"].sum() * 100) == 315_000 * 100
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "comparison.csv", "comparison.xlsx"]
    assert main(["batch", files[0], "--out", str(out), "--set", "budget.totl=1"]) == 2
    assert "unknown key 'budget.totl'" in capsys.readouterr().err


def test_the_shipped_618_and_double11_scenarios_run_on_the_sample(tmp_path, capsys):
    examples = ROOT / "data" / "scenarios"
    out = tmp_path / "out"
    code = main(["batch", str(examples / "618.toml"), str(examples / "double11.toml"), "--out", str(out),
                 "--risk", "mean"])  # their robust default: tests/campaign/test_campaign_risk.py
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig").set_index("scenario")
    assert list(table.index) == ["618-2027", "double11-2026"]
    assert table["status"].isin(SOLVED).all()
    assert (table["expected_gmv"] > table["flat_gmv"]).all()  # the campaign-aware plan beats spending evenly
    book = openpyxl.load_workbook(out / "618-2027.xlsx")
    warned = [x for x in capsys.readouterr().err.splitlines()
              if x.startswith("618-2027:") and "highest day of spend" in x]  # its peak days beyond the sample's
    assert book.sheetnames == ["summary", "plan", "daily", "Platform settings"] + (["beyond the history"] if warned
                                                                                  else []) + ["rules", "assumptions"]
    sources = [r[2].value for r in book["assumptions"].iter_rows(min_row=2)]
    assert any(str(s).startswith("estimated from 2026") for s in sources)  # multipliers from the sample's 618


@pytest.mark.parametrize("args", [["batch", "--out", "x"], ["batch", "a.toml", "--out", "x", "--formats", "pdf"]])
def test_usage_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2


def _curves_without_cpc(folder: Path, cell: tuple[str, str] = ("qianchuan", "existing")) -> Path:
    curves = pd.read_csv(SAMPLE / "truth_curves.csv")
    gone = (curves["channel"] == cell[0]) & (curves["segment"] == cell[1])
    assert gone.sum() == 1
    curves.loc[gone, "cpc"] = None
    path = folder / "curves_no_cpc.csv"
    curves.to_csv(path, index=False)
    return path


def test_a_curves_file_without_cpc_plans_without_the_default_new_customer_cap(tmp_path, capsys):
    curves = _curves_without_cpc(tmp_path)
    path = scenario(tmp_path, "no_cpc", edit=(f"{SAMPLE.as_posix()}/truth_curves.csv", curves.as_posix()))
    code = main(["batch", path, "--out", str(tmp_path / "out"), "--formats", "xlsx"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    line, = [x for x in captured.err.splitlines() if "new-customer cap" in x]
    assert line.startswith("no_cpc: warning:") and "qianchuan/Existing products" in line and "30%" in line
    assumptions = pd.read_excel(tmp_path / "out" / "no_cpc.xlsx", sheet_name=None)
    said = pd.concat(assumptions.values(), ignore_index=True).astype(str)
    cap = t("optimizer.assume.new_customer_cap", "en")
    row = said[said.apply(lambda col: col.eq(cap)).any(axis=1)]
    assert len(row) == 1, "the assumptions name the new-customer cap"
    assert row.apply(lambda col: col.eq(t("optimizer.assume.off", "en"))).to_numpy().any()  # and say it was not applied


def test_a_curves_file_without_cpc_and_a_new_customer_cap_in_the_file_exits_2(tmp_path, capsys):
    curves = _curves_without_cpc(tmp_path)
    path = scenario(tmp_path, "no_cpc_cap", edit=(f"{SAMPLE.as_posix()}/truth_curves.csv", curves.as_posix()))
    Path(path).write_text(Path(path).read_text(encoding="utf-8") + "new_customer_cap = 0.3\n", encoding="utf-8")
    code = main(["batch", path, "--out", str(tmp_path / "out"), "--formats", "csv"])
    err = capsys.readouterr().err
    assert code == 2
    assert "rules.new_customer_cap needs clicks" in err and "qianchuan/existing" in err and "Traceback" not in err
