"""``roimix replan`` end to end on the bundled sample's 618 scenario (issue 18 item 4).

The plan made before the campaign is the one ``roimix batch`` writes for ``data/scenarios/618.toml``; the actuals
are its first 7 days with 小红书 40 % under plan. Held to: spent + re-planned + held back = the campaign's budget
to the fen (in the printout and in the workbook); 小红书's underspend comes back to it; the changes compare with
the given plan's remaining days; bad input is one line naming file, row and column, exit 2; a rest that no plan
fits is exit 1 with the conflict worded.

Fast: the scenario runs on the sample's true curves (``--set curves.source="file"``, no fit, no draws, so the
plans weigh the mean), each re-plan is one or two solves of a few seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from roimix.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "scenarios" / "618.toml"
FAST = ["--set", 'curves.source="file"', "--set", f'curves.file="{(ROOT / "data" / "sample" / "truth_curves.csv").as_posix()}"',
        "--set", "calendar.estimate=false"]
FIRST = "2027-05-13"
BUDGET = 520_000.00
SEGMENT = {"Existing products": "existing", "New products": "new"}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(the batch plan JSON, its daily rows, actuals CSV with 小红书 40 % under on the first 7 days)."""
    folder = tmp_path_factory.mktemp("replan")
    assert main(["batch", str(SCENARIO), *FAST, "--out", str(folder), "--formats", "json", "--no-progress"]) == 0
    plan_file = folder / "618-2027.json"
    daily = pd.DataFrame(json.loads(plan_file.read_text(encoding="utf-8"))["daily"])
    daily["segment"] = daily["segment"].map(SEGMENT)
    actual = daily.loc[daily["date"] < FIRST, ["date", "channel", "segment", "spend"]].copy()
    under = actual["channel"] == "xiaohongshu"
    actual.loc[under, "spend"] = (actual.loc[under, "spend"] * 0.6).round(2)
    actuals = folder / "spend.csv"
    actual.to_csv(actuals, index=False)
    return plan_file, daily, actual, actuals


def _replan(*args) -> list[str]:
    return ["replan", str(SCENARIO), *FAST, *args]


def _binding_lines(printed: str, head: str, notes: str) -> list[str]:
    """The printout's binding-rule sentences: the lines under ``head`` until ``notes``."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = next((i for i, line in enumerate(lines) if i > start and line.startswith(notes)), len(lines))
    return lines[start + 1:end]


def _fen(x: float) -> int:
    return int(round(x * 100))


def test_the_rest_is_replanned_the_budget_adds_up_to_the_fen_and_the_underspend_returns(made, tmp_path, capsys):
    plan_file, daily, actual, actuals = made
    out = tmp_path / "replan.xlsx"
    code = main(_replan("--actuals", str(actuals), "--plan", str(plan_file), "--out", str(out)))
    printed = capsys.readouterr().out
    assert code == 0, printed
    spent = round(actual["spend"].sum(), 2)
    assert f"¥{spent:,.2f}" in printed and f"from {FIRST}" in printed  # --from: the day after the last actual
    assert f"= the campaign's budget ¥{BUDGET:,.2f}" in printed
    assert "Compared with: the remaining days of plan file 618-2027.json" in printed

    book = openpyxl.load_workbook(out)
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["spent so far (actual)"] == pytest.approx(spent, abs=1e-9)
    budget_left, spend, held = summary["Budget (yuan)"], summary["Planned spend (yuan)"], summary["Held back (yuan)"]
    unspent = summary["Left unspent by the objective (yuan)"]
    assert _fen(spent) + _fen(spend) + _fen(held) + _fen(unspent) == _fen(BUDGET) == _fen(summary["the campaign's budget (spent + remaining)"])
    assert _fen(spent) + _fen(budget_left) == _fen(BUDGET)
    assert _fen(held) == _fen(0.05 * BUDGET) and unspent == 0  # the scenario's 5 % reserve stays what it was
    daily_rows = list(book["daily"].iter_rows(min_row=2, values_only=True))
    head = [c.value for c in book["daily"][1]]
    new_days = pd.DataFrame(daily_rows[:-1], columns=head)  # the last row is the total
    assert str(new_days["Date"].min())[:10] == FIRST
    assert sum(_fen(v) for v in new_days["Spend (yuan)"]) == _fen(spend)

    changes = pd.DataFrame(list(book["changes"].iter_rows(min_row=2, values_only=True)),
                           columns=[c.value for c in book["changes"][1]])
    assert sum(_fen(v) for v in changes["after"]) == _fen(spend)  # the changes' after is the plan, to the fen
    before = daily[daily["date"] >= FIRST].groupby("channel")["spend"].sum()
    per_channel = changes.groupby("Channel")[["before (remaining days)", "after", "change"]].sum()
    assert per_channel["before (remaining days)"].to_numpy() == pytest.approx(before[per_channel.index].to_numpy(),
                                                                               abs=0.02)
    # 小红书 spent 40 % under plan for a week: the re-plan gives it the most of what the week left over
    underspent = (daily.loc[(daily["date"] < FIRST) & (daily["channel"] == "xiaohongshu"), "spend"].sum()
                  - actual.loc[actual["channel"] == "xiaohongshu", "spend"].sum())
    assert underspent > 1000
    assert per_channel["change"].idxmax() == "xiaohongshu"
    assert per_channel.loc["xiaohongshu", "change"] > 0.5 * underspent
    assert per_channel["change"].sum() == pytest.approx(underspent, abs=0.05)  # all of it: the reserve stays ¥26,000
    binding = [r for r in book["binding rules"].iter_rows(min_row=2, values_only=True)]
    assert binding and all(r[3] is not None and r[5] for r in binding)  # shadow price and the sentence
    assert {"rule", "shadow price (GMV per unit)"} <= {c.value for c in book["binding rules"][1]}
    # the shadow prices' money is over the days re-planned, not the campaign (the workbook and the printout)
    rest = f"over the remaining {new_days['Date'].nunique()} days"
    sentences = [r[5] for r in binding] + _binding_lines(printed, "Rules that bind now", "Notes:")
    assert sentences and all(rest in s and "over the campaign" not in s for s in sentences), sentences


def test_without_a_plan_the_scenarios_own_plan_is_the_original_and_it_says_so(made, tmp_path, capsys):
    plan_file, daily, actual, actuals = made
    out = tmp_path / "replan.json"
    assert main(_replan("--actuals", str(actuals), "--out", str(out), "--lang", "zh")) == 0
    printed = capsys.readouterr().out
    assert "自身的计划（未给 --plan" in printed
    rest = f"剩余 {(pd.Timestamp('2027-06-21') - pd.Timestamp(FIRST)).days + 1} 天"
    bound = _binding_lines(printed, "现在约束方案的规则", "说明：")
    assert bound and all(rest in line and "活动期" not in line for line in bound), bound
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["daily"][0]["date"] == FIRST and {"changes", "binding"} <= doc.keys()
    before = daily[daily["date"] >= FIRST]["spend"].sum()
    assert sum(r["before"] for r in doc["changes"]) == pytest.approx(before, abs=0.05)  # the same plan, solved again


@pytest.mark.parametrize("args, named", [
    (["--from", "2027-13-40"], "--from: '2027-13-40' is not a date"),
    (["--from", "2027-07-01"], "2027-07-01 is not a day after the campaign's first day 2027-05-06"),
])
def test_a_bad_first_remaining_day_is_one_line_and_exit_2(made, capsys, args, named):
    code = main(_replan("--actuals", str(made[3]), *args))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and named in err[0]


def test_a_missing_actuals_file_is_named_exit_2(tmp_path, capsys):
    code = main(_replan("--actuals", str(tmp_path / "nope.csv")))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "nope.csv" in err[0] and "Traceback" not in err[0]


def test_an_actual_for_an_unknown_channel_names_file_row_and_column(made, tmp_path, capsys):
    frame = pd.read_csv(made[3])
    frame.loc[37, "channel"] = "tiktok"  # spreadsheet row 39 (the header is row 1)
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    code = main(_replan("--actuals", str(bad)))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "bad.csv: row 39, column channel: channel 'tiktok'" in err[0]


def test_a_bad_value_in_the_actuals_is_named_by_the_spend_contract(made, tmp_path, capsys):
    frame = pd.read_csv(made[3]).astype({"spend": object})
    frame.loc[4, "spend"] = "lots"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    assert main(_replan("--actuals", str(bad))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.csv" in err[0] and "6" in err[0] and "spend" in err[0]


def test_a_plan_of_other_dates_is_refused_before_solving(made, tmp_path, capsys):
    doc = json.loads(made[0].read_text(encoding="utf-8"))
    doc["daily"] = [r for r in doc["daily"] if r["date"] <= "2027-06-20"]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    assert main(_replan("--actuals", str(made[3]), "--plan", str(other))) == 2
    err = capsys.readouterr().err
    assert "other.json: the plan runs 2027-05-06 to 2027-06-20, the scenario 2027-05-06 to 2027-06-21" in err


def test_a_rest_no_plan_fits_is_exit_1_with_the_conflict_worded(made, capsys):
    code = main(_replan("--actuals", str(made[3]), "--plan", str(made[0]), "--set", "rules.key_daily_min=3.0"))
    err = capsys.readouterr().err
    assert code == 1
    assert "no plan that meets every rule" in err and "key-platform daily minimum" in err


def test_an_internal_failure_is_one_line_and_exit_3(made, monkeypatch, capsys):
    import optimizer.campaign.replan as library

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(library, "replan", broken)
    code = main(_replan("--actuals", str(made[3]), "--plan", str(made[0])))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3 and len(err) == 1 and "RuntimeError: boom" in err[0]


def test_the_rest_names_the_cells_it_puts_beyond_their_history(made, tmp_path, capsys):
    """The re-planned days are checked against the scenario's spend history (``data.spend``) as a batch plan is:
    the cells named are those whose largest re-planned day is above their highest day there (brute force over the
    written daily rows)."""
    import re

    _plan_file, _daily, _actual, actuals = made
    out = tmp_path / "rest.json"
    assert main(_replan("--actuals", str(actuals), "--out", str(out), "--lang", "en")) == 0
    err = capsys.readouterr().err
    rest = pd.DataFrame(json.loads(out.read_text(encoding="utf-8"))["daily"])
    rest["segment"] = rest["segment"].map(SEGMENT)
    history = pd.read_csv(ROOT / "data" / "sample" / "spend.csv")
    highest = history.groupby(["channel", "segment", "date"])["spend"].sum().groupby(["channel", "segment"]).max()
    largest = rest.groupby(["channel", "segment"])["spend"].max()
    words = {v: k for k, v in SEGMENT.items()}
    want = {f"{c}/{words[s]}" for (c, s), v in largest.items() if v > highest[(c, s)] + 0.01}
    lines = [x for x in err.splitlines() if "highest day of spend they had in spend.csv" in x]
    named = set(re.findall(r"([a-z_]+/(?:Existing|New) products) ¥", lines[0])) if lines else set()
    assert want and named == want, (want, named)
    sheet = pd.DataFrame(json.loads(out.read_text(encoding="utf-8"))["beyond_history"])
    assert {f"{c}/{words[s]}" for c, s in zip(sheet["channel"], sheet["segment"])} == want  # the file says it too
