"""``roimix pace`` end to end: a plan made by ``roimix plan`` on the sample's true curves (and a campaign plan
written as ``roimix batch`` writes it), synthetic actuals, the summary and alerts in zh and en, the files it
writes, and bad input as one line naming file, row and column (exit 2)."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from roimix.cli import main

START = pd.Timestamp("2026-07-01")
DAYS = 10
UNDER = ("2026-07-03", "2026-07-05")  # xiaohongshu at 60 % of plan on these 3 days
UPLIFT = {"p10": 2000.0, "p50": 4000.0, "p90": 6000.0}  # the shape roimix plan writes with curve draws


@pytest.fixture(scope="module")
def plans(sample_dir, tmp_path_factory):
    """plan.json from ``roimix plan --curves truth_curves.csv`` (no draws: no uplift band) and a copy stating
    ``summary.uplift_per_day`` as a plan with curve draws does (tests/cli/test_plan_pipeline_cli.py holds that
    format; the fit that makes draws takes a minute, so it is not rerun here)."""
    folder = tmp_path_factory.mktemp("pace")
    plan = folder / "plan.json"
    assert main(["plan", "--curves", str(sample_dir / "truth_curves.csv"), "--budget", "12000", "--out", str(plan),
                 "--lang", "zh"]) == 0
    doc = json.loads(plan.read_text(encoding="utf-8"))
    doc["summary"]["uplift_per_day"] = UPLIFT
    banded = folder / "plan_band.json"
    banded.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return plan, banded


@pytest.fixture(scope="module")
def actuals(plans, tmp_path_factory):
    """10 days of spend exactly as planned but for xiaohongshu 40 % under on 3 days; GMV: 28 days before the
    plan around ¥40,000 a day, then ¥44,000 (inside the band) but for 3 days at ¥30,000 (below it)."""
    folder = tmp_path_factory.mktemp("actuals")
    doc = json.loads(plans[0].read_text(encoding="utf-8"))
    seg = {"老品": "existing", "新品": "new"}
    rows = []
    for day in pd.date_range(START, periods=DAYS):
        for r in doc["plan"]:
            low = r["channel"] == "xiaohongshu" and UNDER[0] <= f"{day:%Y-%m-%d}" <= UNDER[1]
            rows.append((f"{day:%Y-%m-%d}", r["channel"], seg[r["segment"]], round(r["spend"] * (0.6 if low else 1), 2)))
    spend = folder / "actual.csv"
    pd.DataFrame(rows, columns=["date", "channel", "segment", "spend"]).to_csv(spend, index=False)
    before = pd.date_range(end=START - pd.Timedelta(days=1), periods=28)
    wiggle = np.tile([-600.0, -300.0, 0.0, 300.0, 600.0, 0.0, 0.0], 4)
    after = [44000.0] * 6 + [30000.0] * 3 + [44000.0]
    gmv = pd.DataFrame({"date": [f"{d:%Y-%m-%d}" for d in before.append(pd.date_range(START, periods=DAYS))],
                        "value": list(40000.0 + wiggle) + after})
    outcome = folder / "gmv.csv"
    gmv.to_csv(outcome, index=False)
    return spend, outcome


def run(capsys, *args):
    code = main(["pace", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_en_summary_names_the_channel_40_percent_under_for_3_days(plans, actuals, sample_dir, capsys):
    code, out, err = run(capsys, "--plan", plans[0], "--actuals", actuals[0], "--channels",
                         sample_dir / "channels.csv", "--lang", "en")
    assert code == 0, err
    assert "Pacing: 10 days (2026-07-01 to 2026-07-10), a daily plan" in out
    alerts = [ln.strip("- ").strip() for ln in out.splitlines() if ln.startswith("  - ") and "plan for" in ln]
    assert len(alerts) == 1
    assert alerts[0].startswith("Xiaohongshu (RED) spent 40% under plan for 3 days (2026-07-03 to 2026-07-05")


def test_zh_is_the_default_and_words_the_same_alert(plans, actuals, sample_dir, capsys):
    code, out, _ = run(capsys, "--plan", plans[0], "--actuals", actuals[0], "--channels", sample_dir / "channels.csv")
    assert code == 0
    assert "执行对比：10 天" in out
    assert "小红书 连续 3 天（2026-07-03 至 2026-07-05）花费比计划少 40%" in out
    assert "Pacing" not in out and "under" not in out


def test_gmv_against_the_band_and_its_alert(plans, actuals, capsys):
    code, out, _ = run(capsys, "--plan", plans[1], "--actuals", actuals[0], "--outcome", actuals[1], "--lang", "en")
    assert code == 0
    assert "Days with GMV inside the plan's band: 7 of 10" in out
    assert "GMV below the plan's band for 3 days (2026-07-07 to 2026-07-09)" in out
    # the plan without draws states no uplift band: said, not made up
    code, out, _ = run(capsys, "--plan", plans[0], "--actuals", actuals[0], "--outcome", actuals[1], "--lang", "en")
    assert code == 0 and "no GMV band is given" in out and "inside the plan's band" not in out


def test_orders_log_as_gmv(plans, actuals, tmp_path, capsys):
    orders = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "timestamp": ["2026-07-01 10:00:00", "2026-07-01 20:00:00",
                                                                        "2026-07-02 09:00:00"],
                           "value": [100.0, 200.5, 50.0]})
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    code, out, _ = run(capsys, "--plan", plans[0], "--actuals", actuals[0], "-c", path, "--lang", "en")
    assert code == 0
    assert "GMV: actual ¥350, ¥175 a day" in out  # ¥350.50 over the 2 days with orders
    assert "8 paced days have no GMV" in out


def test_csv_is_tidy_and_adds_up_to_the_fen(plans, actuals, tmp_path, capsys):
    out_path = tmp_path / "pacing.csv"
    code, out, _ = run(capsys, "--plan", plans[1], "--actuals", actuals[0], "--outcome", actuals[1],
                       "--out", out_path, "--lang", "en")
    assert code == 0 and f"Wrote {out_path} (70 rows)" in out
    assert out_path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out_path, encoding="utf-8-sig")
    given = pd.read_csv(actuals[0])
    fen = lambda s: sum(int(Decimal(str(v)).scaleb(2)) for v in s)  # noqa: E731
    assert fen(table["actual_spend"]) == fen(given["spend"])
    plan = json.loads(plans[1].read_text(encoding="utf-8"))
    assert fen(table["planned_spend"]) == DAYS * fen(r["spend"] for r in plan["plan"])
    xhs = table[table["channel"] == "xiaohongshu"]
    assert list(xhs["status"]) == ["on", "on", "under", "under", "under", "on", "on", "on", "on", "on"]
    gmv = pd.read_csv(tmp_path / "pacing_gmv.csv", encoding="utf-8-sig")
    assert list(gmv["in_band"]) == [True] * 6 + [False] * 3 + [True]


def test_xlsx_has_the_three_sheets_in_the_readers_language(plans, actuals, tmp_path, capsys):
    out_path = tmp_path / "pacing.xlsx"
    code, _, _ = run(capsys, "--plan", plans[1], "--actuals", actuals[0], "--outcome", actuals[1], "--out", out_path)
    assert code == 0
    book = openpyxl.load_workbook(out_path)
    assert book.sheetnames == ["渠道执行", "GMV", "提醒与说明"]
    head = [c.value for c in book["渠道执行"][1]]
    assert head[:4] == ["日期", "渠道", "计划花费", "实际花费"]
    texts = [r[1] for r in book["提醒与说明"].iter_rows(min_row=2, values_only=True)]
    assert any("花费比计划少 40%" in x for x in texts)


def test_a_campaign_plan_as_batch_writes_it_is_paced_per_date(sample_dir, tmp_path, capsys):
    from optimizer import Budget
    from optimizer.campaign import CampaignPlanner, CampaignScenario, Horizon, template
    from roimix.export import Context, campaign_tables, write_finance

    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    planner = CampaignPlanner(curves, Horizon("2026-06-12", "2026-06-18"), template("618", 2026))
    budget = float(curves["current_spend"].sum()) * 7
    result = planner.solve(CampaignScenario(Budget(budget)))
    assert result.solved
    plan = write_finance(campaign_tables(result, Context("618 test", lang="zh")), tmp_path / "618.json")
    daily = pd.DataFrame(json.loads(plan.read_text(encoding="utf-8"))["daily"])
    seg = {"老品": "existing", "新品": "new"}
    actual = daily.assign(segment=daily["segment"].map(seg))[["date", "channel", "segment", "spend"]]
    actual = actual[actual["date"] <= "2026-06-15"]  # four of its seven days so far
    actual.to_csv(tmp_path / "actual.csv", index=False)
    code, out, err = run(capsys, "--plan", plan, "--actuals", tmp_path / "actual.csv", "--lang", "en")
    assert code == 0, err
    assert "a campaign plan (by day)" in out and "No alerts" in out and "4 of the plan's 7 days paced" in out
    code, _, err = run(capsys, "--plan", plan, "--actuals", tmp_path / "actual.csv", "--start", "2026-06-12",
                       "--lang", "en")
    assert code == 2 and "a campaign plan has its own dates" in err


# --- bad input: exit 2, one line naming what is wrong ---------------------------------------------------------

def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_channel_not_in_the_plan_names_file_row_and_column(plans, actuals, tmp_path, capsys):
    frame = pd.read_csv(actuals[0])
    frame.loc[5, "channel"] = "xiaohongshu_typo"
    bad = tmp_path / "spend.csv"
    frame.to_csv(bad, index=False)
    code, _, err = run(capsys, "--plan", plans[0], "--actuals", bad, "--lang", "en")
    assert code == 2
    assert one_line(err).startswith("error: spend.csv: row 7, column channel: channel 'xiaohongshu_typo' is not in "
                                    "the plan (1 rows)")
    code, _, err = run(capsys, "--plan", plans[0], "--actuals", bad)
    assert code == 2 and "spend.csv：第 7 行，列 channel：渠道 'xiaohongshu_typo' 不在计划中" in one_line(err)


def test_a_bad_spend_cell_is_the_tables_problem_with_row_and_column(plans, actuals, tmp_path, capsys):
    frame = pd.read_csv(actuals[0]).astype({"spend": object})
    frame.loc[2, "spend"] = "abc"
    bad = tmp_path / "spend.csv"
    frame.to_csv(bad, index=False)
    code, _, err = run(capsys, "--plan", plans[0], "--actuals", bad, "--lang", "en")
    assert code == 2
    line = one_line(err)
    assert "spend.csv" in line and "spend" in line and "row 4" in line, line


@pytest.mark.parametrize(("make", "said"), [
    (lambda p: p.write_text("{not json", encoding="utf-8"), "plan.json: not readable JSON (near line 1)"),
    (lambda p: p.write_text('{"rules": []}', encoding="utf-8"), "plan.json: not a roimix plan file"),
    (lambda p: p.write_text('{"plan": []}', encoding="utf-8"), "plan.json: the plan is empty"),
    (lambda p: None, "plan file"),
])
def test_a_bad_plan_file_is_one_line(actuals, tmp_path, capsys, make, said):
    plan = tmp_path / "plan.json"
    make(plan)
    code, _, err = run(capsys, "--plan", plan, "--actuals", actuals[0], "--lang", "en")
    assert code == 2 and said in one_line(err)


@pytest.mark.parametrize(("extra", "said"), [
    (("--out", "pacing.txt"), "--out: expected a file ending in .csv, .xlsx"),
    (("--start", "next monday"), "--start: 'next monday' is not a date"),
    (("--outcome", "gmv.csv", "-c", "orders.csv"), "give --outcome or -c/--conversions, not both"),
])
def test_bad_options_are_one_line(plans, actuals, capsys, extra, said):
    code, _, err = run(capsys, "--plan", plans[0], "--actuals", actuals[0], *extra, "--lang", "en")
    assert code == 2 and said in one_line(err)


def test_actuals_outside_a_daily_plans_start_are_noted_not_dropped_silently(plans, actuals, capsys):
    code, out, _ = run(capsys, "--plan", plans[0], "--actuals", actuals[0], "--start", "2026-07-04", "--lang", "en")
    assert code == 0
    assert "actual.csv: 3 days (2026-07-01 to 2026-07-03) come before the plan's first day (2026-07-04); they are " \
        "not paced" in out
    assert "Pacing: 7 days (2026-07-04 to 2026-07-10)" in out
