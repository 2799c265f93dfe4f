"""``roimix plan --platform-out DIR [--platform-limits L] [--platform-history S] --out x.xlsx`` end to end, in zh
and en: the 投放设置 sheet totals the plan to the fen, one CSV per platform in its own zh column names, the
suggested targets from the history's platform GMV, formula-safe cells; a bad limits file is exit 2 naming
file, row and column."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from roimix.cli import main
from roimix.export.finance import header

CURVES = """channel,segment,family,a,b,s,current_spend,cpc,new_customer_share,group
ztc,existing,exp,80000,20000,,10000,2.0,0.2,paid
wxt,existing,mm,30000,10000,,3000,2.5,0.3,paid
qianchuan,existing,log,20000,8000,,5000,1.5,0.25,paid
qianchuan,new,exp,600,4000,,40,1.5,0.25,paid
xiaohongshu,existing,exp,25000,9000,,2000,1.2,0.4,content
=evil,existing,exp,9000,5000,,1000,1.0,0.1,KOL
"""
K = {"qianchuan": 2.5, "ztc": 1.8}  # platform GMV = k × the curve's GMV in the history


def _curve(row, x):
    if row.family == "exp":
        return row.a * (1 - np.exp(-x / row.b))
    if row.family == "mm":
        return row.a * x / (x + row.b)
    return row.a * np.log1p(x / row.b)


@pytest.fixture
def inputs(tmp_path):
    curves = tmp_path / "curves.csv"
    curves.write_text(CURVES, encoding="utf-8")
    frame = pd.read_csv(curves)
    rng = np.random.default_rng(5)
    rows = []
    for row in frame.itertuples():
        x = rng.uniform(0.5, 1.5, 30) * max(row.current_spend, 100)
        gmv = K.get(row.channel, np.nan) * _curve(row, x)
        rows.append(pd.DataFrame({"date": pd.date_range("2026-05-01", periods=30), "channel": row.channel,
                                  "segment": row.segment, "spend": x.round(2), "platform_gmv": gmv.round(2)}))
    history = tmp_path / "spend.csv"
    pd.concat(rows).to_csv(history, index=False)
    limits = tmp_path / "limits.csv"
    limits.write_text("platform,channels,label_zh,label_en,budget_column_zh,roi_column_zh\n"
                      "kol,=evil,达人,KOL,=日预算,目标ROI\n", encoding="utf-8")
    return curves, history, limits


@pytest.mark.parametrize("lang,sheet,total", [("zh", "投放设置", "合计"), ("en", "Platform settings", "Total")])
def test_plan_writes_the_sheet_and_one_csv_per_platform(inputs, tmp_path, capsys, lang, sheet, total):
    curves, history, limits = inputs
    out, folder = tmp_path / "plan.xlsx", tmp_path / "platforms"
    code = main(["plan", "--curves", str(curves), "--budget", "23456.78", "--new-product-cap", "0.05",
                 "--platform-history", str(history), "--platform-limits", str(limits), "--platform-out", str(folder),
                 "--out", str(out), "--lang", lang, "--no-rank-tests"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert ("投放设置" if lang == "zh" else "Platform settings") in printed
    book = openpyxl.load_workbook(out)
    assert sheet in book.sheetnames
    rows = list(book[sheet].iter_rows(values_only=True))
    head, body, last = rows[0], rows[1:-1], rows[-1]
    assert last[0] == total
    budget = head.index("日预算（元）" if lang == "zh" else "Daily budget (¥)")
    fen = [round(r[budget] * 100) for r in body]
    assert sum(fen) == round(last[budget] * 100) == 2_345_678  # the plan's total, to the fen
    plan_sheet = list(book["计划" if lang == "zh" else "plan"].iter_rows(values_only=True))
    spend_col = plan_sheet[0].index(header("spend", lang, per_day=True))
    assert round(plan_sheet[-1][spend_col] * 100) == 2_345_678

    qc = pd.read_csv(folder / "qianchuan.csv", encoding="utf-8-sig", dtype=str)
    assert (folder / "qianchuan.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert {"日预算", "支付ROI目标"} <= set(qc.columns)
    assert "日限额" in pd.read_csv(folder / "alimama.csv", encoding="utf-8-sig").columns
    # every CSV together with the channels on no platform makes the plan, to the fen
    csv_fen = sum(round(float(v) * 100) for f in folder.glob("*.csv")
                  for v in pd.read_csv(f, encoding="utf-8-sig", dtype=str).iloc[:, 3])  # 日预算 (no --channels: no names)
    assert csv_fen == 2_345_678  # every channel here is on a platform (=evil on the file's own "kol")
    # the suggested target: incremental ROAS at the planned spend × the learned k
    existing = qc.iloc[0]
    spend = float(existing["日预算"])
    expected = K["qianchuan"] * 20000 * np.log1p(spend / 8000) / spend
    assert float(existing["支付ROI目标"]) == pytest.approx(expected, abs=0.006)
    # formula-injection safe: a channel id and a column name starting with '=' are text
    kol = (folder / "kol.csv").read_text(encoding="utf-8-sig")
    assert "'=evil" in kol and "'=日预算" in kol
    assert "=evil" not in kol.replace("'=evil", "")


def test_no_history_says_the_target_cannot_be_suggested(inputs, tmp_path, capsys):
    curves, _, _ = inputs
    folder = tmp_path / "p"
    assert main(["plan", "--curves", str(curves), "--budget", "20000", "--platform-out", str(folder),
                 "--lang", "en", "--no-rank-tests"]) == 0
    qc = pd.read_csv(folder / "qianchuan.csv", encoding="utf-8-sig")
    assert qc["支付ROI目标"].isna().all()
    spent = qc[qc["日预算"] > 0]
    assert len(spent) and spent["Notes"].str.contains("ROI target cannot be suggested: no spend history").all()
    assert "without a suggested ROI target" in capsys.readouterr().out


def test_a_bad_limits_file_is_exit_2_naming_file_row_and_column(inputs, tmp_path, capsys):
    curves, _, _ = inputs
    bad = tmp_path / "bad_limits.csv"
    bad.write_text("platform,min_daily_budget\nqianchuan,50\nalimama,-5\n", encoding="utf-8")
    code = main(["plan", "--curves", str(curves), "--budget", "20000", "--platform-limits", str(bad),
                 "--platform-out", str(tmp_path / "p"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad_limits.csv" in err and "min_daily_budget" in err and "3" in err
    assert not (tmp_path / "p").exists()  # checked before any planning


def test_plan_json_carries_the_settings_with_their_total(inputs, tmp_path, capsys):
    import json

    curves, history, _ = inputs
    out = tmp_path / "plan.json"
    assert main(["plan", "--curves", str(curves), "--budget", "20000.05", "--platform-history", str(history),
                 "--out", str(out), "--lang", "en", "--no-rank-tests"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = doc["platform_settings"]
    assert rows[-1]["date"] == "Total"
    assert sum(round(r["daily_budget"] * 100) for r in rows[:-1]) == round(rows[-1]["daily_budget"] * 100) == 2_000_005
    assert round(doc["totals"]["spend"] * 100) == 2_000_005
    qianchuan = [r for r in rows if r["channel"] == "qianchuan" and r["daily_budget"] > 0]
    assert qianchuan and all(r["platform_ratio"] == pytest.approx(K["qianchuan"], rel=1e-3) for r in qianchuan)
