"""``roimix plan``: exit 0 with a plan and a money summary, 1 with the conflict explained, 2 on bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from roimix.cli import main

CURVES = """channel,segment,family,a,b,s,current_spend,cpc,new_customer_share,group
ztc,existing,exp,80000,20000,,10000,2.0,0.2,paid
ztc,new,mm,30000,10000,,3000,2.5,0.3,paid
qianchuan,existing,log,20000,8000,,5000,1.5,0.25,paid
xiaohongshu,new,power,300,,0.6,2000,1.2,0.4,content
douyin_kol,existing,hill,50000,15000,0.7,8000,0.8,0.3,KOL
wechat_group,existing,hill,40000,10000,2.5,5000,1.0,0.1,social
"""


@pytest.fixture
def curves(tmp_path):
    path = tmp_path / "curves.csv"
    path.write_text(CURVES, encoding="utf-8")
    return path


def test_plan_writes_csv_and_prints_uplift_and_binding_rules(curves, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code = main(["plan", "--curves", str(curves), "--budget", "40000", "--out", str(out), "--lang", "en"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Plan: optimal" in printed
    assert "GMV ¥" in printed and "→" in printed
    assert "Binding rules:" in printed and "¥1 more budget a day returns ¥" in printed
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    plan = pd.read_csv(out, encoding="utf-8-sig")
    for col in ("channel", "segment", "current_spend", "spend", "expected_value", "roi", "marginal_roi"):
        assert col in plan.columns
    assert int(np.round(plan["spend"].to_numpy() * 100).astype(np.int64).sum()) == 4_000_000  # to the fen
    new = plan["segment"] == "new"
    assert plan.loc[new, "spend"].sum() <= 0.15 * 40_000 + 0.05


def test_options_change_the_plan(curves, tmp_path, capsys):
    out = tmp_path / "plan.json"
    code = main(["plan", "--curves", str(curves), "--budget", "40000", "--bounds", "relative:0.5,2",
                 "--new-customer-cap", "0.35", "--new-product-cap", "0.2", "--out", str(out)])
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    plan = pd.DataFrame(doc["plan"])
    cur = plan["current_spend"].to_numpy()
    assert np.all(plan["spend"] >= 0.5 * cur - 0.01) and np.all(plan["spend"] <= 2 * cur + 0.01)
    assert doc["meta"]["status"] == "optimal" and doc["meta"]["messages"]
    assert {"rule", "binding", "gain_per_step"} <= set(doc["rules"][0])
    assert {"totals", "summary", "assumptions"} <= set(doc)  # the finance JSON, as the app downloads it


def test_profit_and_min_spend_objectives(curves, tmp_path, capsys):
    assert main(["plan", "--curves", str(curves), "--objective", "profit", "--budget", "60000", "--lang", "en"]) == 0
    assert "Profit ¥" in capsys.readouterr().out
    out = tmp_path / "plan.xlsx"
    assert main(["plan", "--curves", str(curves), "--objective", "min-spend", "--target-gmv", "120000",
                 "--out", str(out), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    assert "达成 GMV 目标的最小花费" in printed and "GMV 目标" in printed
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "计划", "投放设置", "规则", "假设"]  # the finance workbook, sheets named in Chinese


def test_infeasible_exits_1_with_the_conflict(curves, capsys):
    """The budget covers the minimums (0.9 × 33,000 = 29,700; a budget below them is exit 2, see
    test_input_defects) but not under the new-product cap: the minimums put 4,500 on new products."""
    code = main(["plan", "--curves", str(curves), "--budget", "29800", "--bounds", "relative:0.9,", "--lang", "en"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "Plan: infeasible" in printed
    assert "Rules in conflict: new-product cap, channel bounds, budget" in printed
    assert "raise budget from ¥29.8K to ¥30.0K a day" in printed  # 4,500 / 15 %
    assert "raise new-product cap from 15.0% to 15.1%" in printed  # 4,500 / 29,800
    assert "lower the minimum of channel bounds from 0.90× to 0.89× current spend" in printed  # 4,470 / 5,000


@pytest.mark.parametrize("args,fragment", [
    (["--budget", "40000", "--bounds", "relative:2"], "--bounds"),
    (["--budget", "40000", "--bounds", "sideways:1,2"], "--bounds"),
    (["--objective", "gmv"], "needs --budget"),
    (["--objective", "min-spend"], "needs --target-gmv"),
    (["--budget", "40000", "--lock", "tiktok"], "no channel tiktok"),
    (["--budget", "40000", "--new-product-cap", "1.5"], "new-product-cap"),
    (["--budget", "40000", "--out", "plan.txt"], "--out"),
    (["--budget", "40000", "--roi-floor", "lots"], "--roi-floor: expected an incremental ROAS ≥ 0 or break-even"),
    (["--budget", "40000", "--roi-floor", "-1"], "--roi-floor: expected"),
    (["--budget", "40000", "--roi-floor", "2", "--roi-floor-per", "segment"], "--roi-floor-per"),
])
def test_bad_options_exit_2(curves, capsys, args, fragment):
    assert main(["plan", "--curves", str(curves), *args, "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert fragment in captured.err + captured.out
    assert "Traceback" not in captured.err


def test_bad_curves_exit_2_naming_row_and_column(tmp_path, capsys):
    path = tmp_path / "curves.csv"
    path.write_text(CURVES.replace("ztc,new,mm,30000,10000", "ztc,new,mm,30000,-10"), encoding="utf-8")
    assert main(["plan", "--curves", str(path), "--budget", "40000", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "curves.csv, row 3, column b" in err
    assert main(["plan", "--budget", "40000"]) == 2


def test_formula_like_channel_names_are_neutralised(tmp_path, capsys):
    path = tmp_path / "curves.csv"
    path.write_text(CURVES.replace("qianchuan", "=HYPERLINK(\"\"http://evil\"\")"), encoding="utf-8")
    out = tmp_path / "plan.csv"
    assert main(["plan", "--curves", str(path), "--budget", "40000", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_lang_defaults_as_in_attribute(curves, capsys):
    from roimix.commands import attribute, plan

    def lang(command):
        return next(p for p in command.command.params if p.name == "lang")

    from roimix.text import t

    default = lang(attribute).default
    assert lang(plan).default == default and lang(plan).show_default == lang(attribute).show_default
    assert list(lang(plan).type.choices) == list(lang(attribute).type.choices)
    assert main(["plan", "--curves", str(curves), "--budget", "40000"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == t("optimizer.summary.status", default, status=t("optimizer.status.optimal", default),
                      objective=t("optimizer.objective.gmv", default))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_break_even_floor_per_channel_and_each_channels_distance(curves, tmp_path, capsys, lang):
    """``--roi-floor 保本 --roi-floor-per channel``: every channel that spends pays for itself at margin × (1 − return
    rate); the summary prints each channel's ROAS against break-even and the plan table holds the same columns."""
    out = tmp_path / "plan.json"
    code = main(["plan", "--curves", str(curves), "--budget", "60000", "--budget-mode", "le", "--roi-floor", "保本",
                 "--roi-floor-per", "channel", "--margin", "0.5", "--return-rate", "0.2", "--no-rank-tests",
                 "--out", str(out), "--lang", lang])
    printed = capsys.readouterr().out
    assert code == 0, printed
    head = "各渠道增量投产比" if lang == "zh" else "Incremental ROAS per channel"
    lines = printed[printed.index(head):].splitlines()[1:6]
    sep = "：" if lang == "zh" else ":"
    assert [line.split(sep)[0].strip() for line in lines] == ["ztc", "qianchuan", "xiaohongshu", "douyin_kol",
                                                                "wechat_group"]
    assert all(("保本 2.50" if lang == "zh" else "break-even 2.50") in line for line in lines)
    plan = pd.DataFrame(json.loads(out.read_text(encoding="utf-8"))["plan"])
    plan = plan[plan["channel"].isin(["ztc", "qianchuan", "xiaohongshu", "douyin_kol", "wechat_group"])]
    assert np.allclose(plan["break_even_roi"], 1 / (0.5 * 0.8))  # 保本投产比 = 1 ÷ (margin × (1 − return rate))
    spent = plan[plan["spend"] >= 1.0]
    assert len(spent) >= 2
    per_channel = spent.groupby("channel")["expected_gmv"].sum() / spent.groupby("channel")["spend"].sum()
    assert (per_channel >= 2.5 * (1 - 1e-4)).all(), per_channel  # each channel pays for itself
    assert np.allclose(spent["roi_minus_break_even"], spent["roi"] - spent["break_even_roi"], atol=1e-3)
    assert ("保本投产比下限" if lang == "zh" else "break-even floor") in printed  # the rule binds, in words


@pytest.mark.parametrize("lang, head", [("en", "The next ¥2.00K a day goes here"), ("zh", "下一笔 ¥2,000/天 投到这里")])
def test_next_money_prints_where_it_goes(curves, capsys, lang, head):
    """``--next 2000``: the headline and one line per cell that moves; the moves add up to the ¥2,000."""
    code = main(["plan", "--curves", str(curves), "--budget", "40000", "--next", "2000", "--no-rank-tests",
                 "--lang", lang])
    printed = capsys.readouterr().out
    assert code == 0, printed
    lines = printed[printed.index(head):].splitlines()
    moves = [line for line in lines[1:] if line.startswith("  ")]
    assert moves
    sep = "：" if lang == "zh" else ": "
    amounts = [_yuan(line.split(sep, 1)[1].split("，" if lang == "zh" else ", GMV")[0]) for line in moves]
    assert sum(amounts) == pytest.approx(2000.0, abs=0.5 * len(amounts) + 1.0)  # each printed to the yuan or fen


def test_next_money_beyond_every_bound_says_which_rules_conflict(curves, capsys):
    """``--next`` more than the cells' upper bounds can take: no plan, and the same explanation as an infeasible
    plan's (the rules in conflict and the smallest change of each), not only the status."""
    code = main(["plan", "--curves", str(curves), "--budget", "40000", "--bounds", "relative:0.5,2", "--next",
                 "1000000", "--no-rank-tests", "--lang", "en"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    lines = printed[printed.index("With the budget moved by ¥1.00M there is no plan (infeasible)"):].splitlines()
    assert lines[1] == "  No plan satisfies every rule. Rules in conflict: channel bounds, budget. Any one of these " \
                       "changes is enough:", lines
    assert lines[2].startswith("  raise the maximum of channel bounds from 2.00× to ") and \
        lines[3].startswith("  lower budget from ¥1.04M to "), lines


def test_next_money_below_zero_budget_exits_2(curves, capsys):
    assert main(["plan", "--curves", str(curves), "--budget", "40000", "--next", "-50000", "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert "next budget: the budget ¥40,000.00 moved by ¥-50,000.00 is below 0" in captured.err


def _yuan(text: str) -> float:
    """'+¥1.70K' / '-¥300' / '+¥1,234' / '+¥1.2万' → signed yuan."""
    sign = -1.0 if text.strip().startswith("-") else 1.0
    body = text.strip().lstrip("+-").replace("¥", "").replace(",", "")
    unit = {"K": 1e3, "万": 1e4, "M": 1e6}.get(body[-1], 1.0)
    return sign * float(body.rstrip("K万M")) * unit
