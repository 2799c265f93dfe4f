"""Issue 12: realistic defects in a shop's export, driven through the real CLI on copies of data/sample.

Each test injects one defect and checks the exit code and the one line a user reads: missing clicks,
a header-only table, an implausible amount, a budget that cannot be planned, --margin in pipeline
mode, and spreadsheet formulas in channel names.
"""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from roimix.cli import main

CURVES = """channel,segment,family,a,b,s,current_spend,cpc,new_customer_share,group
ztc,existing,exp,80000,20000,,10000,2.0,0.2,paid
ztc,new,mm,30000,10000,,3000,2.5,0.3,paid
qianchuan,existing,log,20000,8000,,5000,,,paid
"""


@pytest.fixture(scope="module")
def logs(sample_dir):
    return {"-t": str(sample_dir / "touchpoints.parquet"), "-c": str(sample_dir / "conversions.parquet"),
            "-s": str(sample_dir / "spend.csv"), "--channels": str(sample_dir / "channels.csv")}


def args(logs: dict, **replaced) -> list[str]:
    given = logs | {f"-{k}" if len(k) == 1 else f"--{k}": v for k, v in replaced.items()}
    return [x for pair in given.items() for x in pair]


@pytest.fixture(scope="module")
def no_clicks(logs, tmp_path_factory):
    path = tmp_path_factory.mktemp("noclicks") / "spend.csv"
    pd.read_csv(logs["-s"]).drop(columns=["clicks", "new_customer_clicks"]).to_csv(path, index=False)
    return str(path)


# --- 1. spend without clicks ----------------------------------------------------------------------------


def test_spend_without_clicks_plans_and_says_the_default_new_customer_cap_is_off(logs, no_clicks, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code = main(["plan", *args(logs, s=no_clicks), "--budget", "9000", "--bootstrap", "0", "--lang", "en",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    dropped = [line for line in err.splitlines() if "new-customer cap" in line]
    assert len(dropped) == 1 and "is off" in dropped[0] and no_clicks in dropped[0]
    plan = pd.read_csv(out, encoding="utf-8-sig")
    assert round(plan["spend"].sum(), 2) == 9000.00
    assert plan["clicks"].isna().all()  # unknown, not spend ÷ a placeholder CPC


def test_spend_without_clicks_and_an_explicit_new_customer_cap_exits_2_naming_file_and_column(logs, no_clicks,
                                                                                                  capsys):
    code = main(["plan", *args(logs, s=no_clicks), "--budget", "9000", "--new-customer-cap", "0.3", "--bootstrap", "0",
                 "--lang", "en"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith(f"error: {no_clicks}: --new-customer-cap needs clicks")
    assert "clicks, new_customer_clicks" in err[-1]
    assert "Traceback" not in "\n".join(err)


@pytest.fixture
def curves_without_cpc(tmp_path):
    path = tmp_path / "curves.csv"
    path.write_text(CURVES, encoding="utf-8")
    return str(path)


def test_curves_with_empty_cpc_plan_without_the_default_new_customer_cap(curves_without_cpc, capsys):
    code = main(["plan", "--curves", curves_without_cpc, "--budget", "20000", "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    line, = [x for x in captured.err.splitlines() if "new-customer cap" in x]
    assert "qianchuan/existing" in line and "cpc, new_customer_share" in line
    assert "Plan: optimal" in captured.out


@pytest.mark.parametrize("rule", [["--new-customer-cap", "0.3"], ["--new-customer-floor", "0.1"]])
def test_curves_with_empty_cpc_and_an_explicit_new_customer_rule_exit_2(curves_without_cpc, rule, capsys):
    code = main(["plan", "--curves", curves_without_cpc, "--budget", "20000", "--lang", "en", *rule])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{curves_without_cpc}: {rule[0]} needs clicks" in err and "qianchuan/existing" in err


# --- 2. header-only tables --------------------------------------------------------------------------------


def test_header_only_spend_is_no_rows_in_validate_and_plan(logs, tmp_path, capsys):
    empty = tmp_path / "spend.csv"
    empty.write_text("date,channel,segment,spend,clicks,new_customer_clicks\n", encoding="utf-8")
    assert main(["validate", "-s", str(empty), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == f"{empty}: no rows: expected at least one data row (the file has " \
                                              "only a header)"
    assert main(["plan", *args(logs, s=str(empty)), "--budget", "9000", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"{empty}: no rows" in err and "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("table, header", [("curves", CURVES.splitlines()[0]), ("paths", "path,conversions"),
                                           ("conversions", "user_id,timestamp,value")])
def test_every_header_only_table_is_no_rows(table, header, tmp_path, capsys):
    path = tmp_path / f"{table}.csv"
    path.write_text(header + "\n", encoding="utf-8")
    assert main(["validate", f"--{table}", str(path), "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith(f"{path}: no rows")


# --- 3. implausible amounts ---------------------------------------------------------------------------------


def test_implausible_money_is_reported_with_file_row_and_column(tmp_path, capsys):
    spend = tmp_path / "spend.csv"
    spend.write_text("date,channel,spend\n2026-06-01,ztc,5\n2026-06-02,ztc,1e300\n2026-06-03,ztc,10000000000\n",
                     encoding="utf-8")
    conv = tmp_path / "conv.csv"
    conv.write_text("user_id,timestamp,value\nu1,2026-06-01 10:00:00,268\nu2,2026-06-01 11:00:00,250000000\n",
                    encoding="utf-8")
    paths = tmp_path / "paths.csv"
    paths.write_text("path,conversions,value\na > b,2,300\nc,1,100000001\nd,3,300000000\n", encoding="utf-8")
    assert main(["validate", "-s", str(spend), "-c", str(conv), "--paths", str(paths), "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{spend}, row 3, column spend: expected at most 10,000,000,000 (the stated ceiling; a larger amount is a "
        "unit or export error), got '1e300'",
        f"{conv}, row 3, column value: expected at most 100,000,000 (the stated ceiling; a larger amount is a unit "
        "or export error), got '250000000'",
        f"{paths}, row 3, column value: expected at most 100,000,000 per conversion (the stated ceiling; a larger "
        "amount is a unit or export error), got 'conversions=1, value=100000001.0'",
    ]


def test_implausible_spend_in_pipeline_mode_exits_2(logs, tmp_path, capsys):
    spend = pd.read_csv(logs["-s"])
    spend.loc[10, "spend"] = 1e300
    spend.to_csv(tmp_path / "spend.csv", index=False)
    assert main(["plan", *args(logs, s=str(tmp_path / "spend.csv")), "--budget", "9000", "--lang", "en"]) == 2
    assert "spend.csv, row 12, column spend: expected at most 10,000,000,000" in capsys.readouterr().err


# --- 4. budgets that cannot be planned ------------------------------------------------------------------------


@pytest.mark.parametrize("extra, said", [
    (["--budget", "0"], "--budget must be more than ¥0 a day, got 0.00"),
    (["--budget", "-5"], "--budget must be more than ¥0 a day, got -5.00"),
    (["--budget", "12000", "--lock", "ztc"], "--budget 12,000.00 a day (12,000.00 after the reserve) is below the "
                                             "13,000.00 a day the rules already fix"),
    (["--budget", "20000", "--bounds", "relative:1.5,3"], "below the 27,000.00 a day the rules already fix"),
    (["--budget", "14000", "--reserve", "0.1", "--bounds", "absolute:4500,"],
     "(12,600.00 after the reserve) is below the 13,500.00 a day"),
])
def test_a_budget_that_cannot_be_planned_exits_2_with_one_line(curves_without_cpc, extra, said, capsys):
    code = main(["plan", "--curves", curves_without_cpc, "--lang", "en", *extra])
    captured = capsys.readouterr()
    assert code == 2
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and said in errors[0]
    assert "ROI" not in captured.out


def test_a_budget_at_the_fixed_spend_plans(curves_without_cpc, capsys):
    assert main(["plan", "--curves", curves_without_cpc, "--lang", "en", "--budget", "13000", "--lock", "ztc",
                 "--new-product-cap", "1"]) == 0
    capsys.readouterr()


def test_zero_budget_before_the_pipeline_runs(logs, capsys):
    assert main(["plan", *args(logs), "--budget", "0", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "Checking the input files" not in err and "--budget must be more than ¥0" in err


# --- 5. --margin in pipeline mode -------------------------------------------------------------------------------


def test_margin_is_honoured_in_pipeline_mode(logs, tmp_path, capsys):
    """Profit = margin × GMV − spend is best where every funded cell's marginal ROI is 1 / margin and every
    unfunded one's is at most that: with --margin 0.3 that is 3.33 (the pipeline's own 0.45 gives 2.22)."""
    out, curves = tmp_path / "plan.json", tmp_path / "curves.csv"
    code = main(["plan", *args(logs), "--budget", "100000", "--objective", "profit", "--margin", "0.3",
                 "--bootstrap", "0",  # no draws: the estimate's optimum, where marginal ROI = 1 / margin
                 "--new-product-cap", "1", "--new-customer-cap", "1", "--lang", "en", "--out", str(out),
                 "--curves-out", str(curves)])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(out.read_text(encoding="utf-8"))
    plan = pd.DataFrame(doc["plan"])
    funded = plan["spend"] > 1
    assert funded.any() and not funded.all()
    assert plan.loc[funded, "marginal_roi"].to_numpy() == pytest.approx(1 / 0.3, rel=2e-3)
    assert (plan.loc[~funded, "marginal_roi"] <= 1 / 0.3 + 1e-3).all()
    assert pd.read_csv(curves, encoding="utf-8-sig")["margin"].eq(0.3).all()
    margin, = [a for a in doc["assumptions"] if a["item"].startswith("Margin")]
    assert margin["value"] == "30.0%"


BATCH = """
name = "{name}"
[data]
touchpoints = "{sample}/touchpoints.parquet"
conversions = "{sample}/conversions.parquet"
spend = "{sample}/spend.csv"
channels = "{sample}/channels.csv"
[curves]
margin = {margin}
[objective]
kind = "profit"
[budget]
total = 3000000
[horizon]
start = 2026-07-01
end = 2026-07-07
[rules]
new_product_cap = false
new_customer_cap = false
key_daily_min = false
"""


def test_batch_honours_the_margin_of_each_scenario(sample_dir, tmp_path, capsys):
    """Same fit, two margins: the profit plan funds less at the lower margin, and each plan's profit is
    its margin × GMV − spend."""
    files = []
    for name, margin in (("low", 0.3), ("high", 0.6)):
        path = tmp_path / f"{name}.toml"
        path.write_text(BATCH.format(name=name, sample=sample_dir.as_posix(), margin=margin), encoding="utf-8")
        files.append(str(path))
    code = main(["batch", *files, "--out", str(tmp_path / "out"), "--formats", "json", "--no-progress",
                 "--set", "curves.bootstrap=0"])  # the margin acts on the estimate; no curve draws needed
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(tmp_path / "out" / "comparison.csv", encoding="utf-8-sig").set_index("scenario")
    assert table.loc["low", "spend"] < table.loc["high", "spend"]
    for name, margin in (("low", 0.3), ("high", 0.6)):
        doc = json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8"))
        items = {a["item"]: a["value"] for a in doc["assumptions"]}
        assert items["Margin (share of GMV)"] == f"{margin:.1%}"


@pytest.mark.parametrize("flag", [["--budget", "0"], ["--set", "budget.total=0"]])
def test_batch_rejects_a_zero_budget(sample_dir, tmp_path, flag, capsys):
    path = tmp_path / "s.toml"
    path.write_text(BATCH.format(name="s", sample=sample_dir.as_posix(), margin=0.45), encoding="utf-8")
    code = main(["batch", str(path), "--out", str(tmp_path / "out"), "--no-progress", *flag])
    err = capsys.readouterr().err
    assert code == 2
    assert "budget" in err and "more than 0" in err and "Traceback" not in err


# --- 6. formulas in channel names ---------------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","ztc")'


def test_attribute_outputs_neutralise_formulas(sample_dir, tmp_path, capsys):
    tp = pd.read_parquet(sample_dir / "touchpoints.parquet")
    tp["channel"] = tp["channel"].astype(str).replace({"ztc": EVIL, "wxt": "+wxt", "qianchuan": "@qc"})
    tp.to_parquet(tmp_path / "tp.parquet")
    out, daily, xlsx = tmp_path / "credit.csv", tmp_path / "daily.csv", tmp_path / "credit.xlsx"
    base = ["attribute", "-t", str(tmp_path / "tp.parquet"), "-c", str(sample_dir / "conversions.parquet"),
            "--model", "linear"]
    assert main([*base, "--out", str(out), "--daily", str(daily)]) == 0
    assert main([*base, "--out", str(xlsx)]) == 0
    capsys.readouterr()
    for path in (out, daily):
        credit = pd.read_csv(path)
        names = set(credit["channel"].dropna())
        assert {"'" + EVIL, "'+wxt", "'@qc"} <= names and not names & {EVIL, "+wxt", "@qc"}
        assert pd.api.types.is_float_dtype(credit["conversions"]) and credit["conversions"].sum() > 0
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("channel")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL in cells and EVIL not in cells
    assert all(isinstance(row[header.index("conversions")], (int, float)) for row in sheet.iter_rows(
        min_row=2, values_only=True))


def test_plan_curves_out_neutralises_formulas(logs, sample_dir, tmp_path, capsys):
    tp = pd.read_parquet(logs["-t"])
    tp["channel"] = tp["channel"].astype(str).replace({"ztc": EVIL})
    tp.to_parquet(tmp_path / "tp.parquet")
    spend = pd.read_csv(logs["-s"]).replace({"channel": {"ztc": EVIL}})
    spend.to_csv(tmp_path / "spend.csv", index=False)
    channels = pd.read_csv(logs["--channels"]).replace({"channel": {"ztc": EVIL}})
    channels.to_csv(tmp_path / "channels.csv", index=False)
    csv, xlsx = tmp_path / "curves.csv", tmp_path / "curves.xlsx"
    base = ["plan", *args(logs, t=str(tmp_path / "tp.parquet"), s=str(tmp_path / "spend.csv"),
                          channels=str(tmp_path / "channels.csv")), "--budget", "9000", "--bootstrap", "0"]
    assert main([*base, "--curves-out", str(csv)]) == 0
    capsys.readouterr()
    fitted = pd.read_csv(csv, encoding="utf-8-sig")
    assert ("'" + EVIL) in set(fitted["channel"]) and EVIL not in set(fitted["channel"])
    assert np.issubdtype(fitted["a"].dtype, np.floating) and (fitted["a"] >= 0).all()
    assert main([*base, "--curves-out", str(xlsx)]) == 0
    sheet = openpyxl.load_workbook(xlsx).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL in names and EVIL not in names


LOCKED = """
name = "locked"
[curves]
source = "file"
file = "{sample}/truth_curves.csv"
[budget]
total = {total}
[horizon]
start = 2026-07-01
end = 2026-07-07
[rules]
locks = ["ztc"]
key_daily_min = false
new_product_cap = false
"""


def test_batch_rejects_a_budget_below_the_locked_spend(sample_dir, tmp_path, capsys):
    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    locked = round(float(curves.loc[curves["channel"] == "ztc", "current_spend"].sum()) * 7, 2)  # 7 days
    path = tmp_path / "locked.toml"
    path.write_text(LOCKED.format(sample=sample_dir.as_posix(), total=locked - 1), encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"is below the {locked:,.2f} the locked channels (ztc) spend over the horizon" in err
    path.write_text(LOCKED.format(sample=sample_dir.as_posix(), total=locked * 2), encoding="utf-8")
    assert main(["batch", str(path), "--out", str(tmp_path / "out2"), "--no-progress"]) == 0
    capsys.readouterr()
