"""``roimix batch`` campaign plans get their platform settings (issue 18, item 1) as ``roimix plan`` makes them: the
投放设置 sheet of each scenario's xlsx and json totals its daily plan to the fen, ``--platform-out`` writes one CSV
per platform per scenario, a daily budget under a platform's minimum is flagged in the plan's own words, and the
limits come from ``--platform-limits``, else the scenario's ``platforms.limits``, else roimix's defaults."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from roimix.cli import main
from roimix.messages import Message
from roimix.text import word

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
start = 2026-10-20
end = 2026-11-13
[calendar]
template = "double11"
year = 2026
[rules]
key_daily_min = 0.5
per_phase = true
{platforms}
"""


def scenario(folder: Path, name: str, budget: float, platforms: str = "") -> str:
    path = folder / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, sample=SAMPLE.as_posix(), budget=budget, platforms=platforms),
                    encoding="utf-8")
    return str(path)


def limits(folder: Path, minimum: float) -> Path:
    path = folder / f"limits-{minimum:g}.csv"
    path.write_text(f"platform,min_daily_budget\nqianchuan,{minimum}\n", encoding="utf-8")
    return path


def fen(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 100).astype(np.int64)


def sheet(path: Path, name: str) -> tuple[tuple, list[tuple], tuple]:
    rows = list(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    return rows[0], rows[1:-1], rows[-1]


def test_each_scenario_gets_a_sheet_csvs_and_flags_totalling_its_plan_to_the_fen(tmp_path, capsys):
    """Two scenarios, one with ``platforms.limits`` of its own (qianchuan ≥ ¥0): ``--platform-limits`` (qianchuan ≥
    ¥1,000) wins for both, and every qianchuan day under ¥1,000 is flagged with roimix plan's note."""
    floor0 = limits(tmp_path, 0)
    files = [scenario(tmp_path, "a", 333_333.33),
             scenario(tmp_path, "b", 271_828.18, f'[platforms]\nlimits = "{floor0.as_posix()}"')]
    out, folder = tmp_path / "out", tmp_path / "platforms"
    code = main(["batch", *files, "--out", str(out), "--platform-out", str(folder),
                 "--platform-limits", str(limits(tmp_path, 1000)), "--lang", "zh", "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert printed.count("投放设置（日预算与建议目标ROI）") == 2
    for name, budget in (("a", 333_333.33), ("b", 271_828.18)):
        spendable = int(np.floor(budget * 0.95 * 100 + 0.5))
        doc = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        daily = pd.DataFrame(doc["daily"])
        assert fen(daily["spend"]).sum() == round(doc["totals"]["spend"] * 100) == spendable
        # the xlsx sheet: its rows are the plan's days, its total row their sum, to the fen
        head, body, total = sheet(out / f"{name}.xlsx", "投放设置")
        col = head.index("日预算（元）")
        assert total[0] == "合计"
        assert fen([r[col] for r in body]).sum() == round(total[col] * 100) == spendable
        assert len(body) == len(daily)
        # the json's platform_settings: the same rows and total
        settings = pd.DataFrame(doc["platform_settings"])
        assert fen(settings["daily_budget"].iloc[:-1]).sum() == round(settings["daily_budget"].iloc[-1] * 100)
        assert fen(settings["daily_budget"].iloc[:-1]).sum() == spendable
        rows = settings.iloc[:-1]
        per_cell = rows.assign(date=pd.to_datetime(rows["date"]), f=fen(rows["daily_budget"]))
        planned = daily.assign(date=pd.to_datetime(daily["date"]), f=fen(daily["spend"]))
        joined = per_cell.merge(planned, on=["date", "channel", "segment"], suffixes=("", "_plan"))
        assert len(joined) == len(daily) and (joined["f"] == joined["f_plan"]).all()  # each day's budget, to the fen
        # flags: every qianchuan day under ¥1,000 (the CLI's limits, not the scenario's ¥0), with plan's words
        qc = rows[rows["channel"] == "qianchuan"]
        under = (fen(qc["daily_budget"]) > 0) & (fen(qc["daily_budget"]) < 100_000)
        assert under.any() and (~under).any()
        assert (qc["below_minimum"].to_numpy(dtype=bool) == under).all()
        flagged = qc[under].iloc[0]
        note = word(Message("platforms.note.below_minimum", {"spend": flagged["daily_budget"], "minimum": 1000.0}),
                    "zh")
        assert note in flagged["notes"]
        assert not rows.loc[rows["channel"] != "qianchuan", "below_minimum"].any()
        # one CSV per platform per scenario; with the rows on no platform they make the plan
        csvs = {p.stem: pd.read_csv(p, encoding="utf-8-sig", dtype=str) for p in (folder / name).glob("*.csv")}
        assert set(csvs) == {"alimama", "qianchuan", "xiaohongshu"}
        assert {"日预算", "支付ROI目标"} <= set(csvs["qianchuan"].columns)
        assert "日限额" in csvs["alimama"].columns
        column = {"alimama": "日限额", "qianchuan": "日预算", "xiaohongshu": "日预算"}
        on_platforms = sum(fen(f[column[k]].astype(float)).sum() for k, f in csvs.items())
        off = fen(rows.loc[rows["platform"] == "（无投放平台）", "daily_budget"]).sum()
        assert on_platforms + off == spendable
        assert csvs["qianchuan"]["低于最低日预算"].eq("True").sum() == under.sum()


def history(folder: Path, k: float) -> Path:
    """The sample's spend history with 巨量千川's platform GMV = k × the true curve's GMV at each day's spend."""
    spend = pd.read_csv(SAMPLE / "spend.csv")
    curves = pd.read_csv(SAMPLE / "truth_curves.csv").set_index(["channel", "segment"])
    qc = spend["channel"] == "qianchuan"
    a = curves.loc[list(zip(spend.loc[qc, "channel"], spend.loc[qc, "segment"])), "a"].to_numpy()
    b = curves.loc[list(zip(spend.loc[qc, "channel"], spend.loc[qc, "segment"])), "b"].to_numpy()
    spend.loc[qc, "platform_gmv"] = k * a * (1 - np.exp(-spend.loc[qc, "spend"].to_numpy() / b))
    path = folder / "history.csv"
    spend.to_csv(path, index=False)
    return path


def test_the_scenario_limits_key_is_read_and_the_default_is_the_platforms(tmp_path, capsys):
    """Without ``--platform-limits`` a scenario's ``platforms.limits`` applies to it alone; the other keeps
    巨量千川's ¥50 default. ``--platform-history`` gives 巨量千川 its suggested ROI target (incremental ROAS × the
    platform's 2.5× claim). The csv format is the daily sheet only (no second table in it)."""
    high = limits(tmp_path, 100_000)
    files = [scenario(tmp_path, "own", 300_000, f'[platforms]\nlimits = "{high.name}"'),
             scenario(tmp_path, "default", 300_000)]
    out = tmp_path / "out"
    code = main(["batch", *files, "--out", str(out), "--lang", "en", "--formats", "json,csv", "--no-progress",
                 "--platform-history", str(history(tmp_path, 2.5))])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "1 below the minimum daily budget" not in printed  # counts are over all days
    own = pd.DataFrame(json.loads((out / "own.json").read_text(encoding="utf-8"))["platform_settings"]).iloc[:-1]
    default = pd.DataFrame(json.loads((out / "default.json").read_text(encoding="utf-8"))["platform_settings"]).iloc[:-1]
    qc_own, qc_default = own[own["channel"] == "qianchuan"], default[default["channel"] == "qianchuan"]
    assert qc_own["below_minimum"].all() and (qc_own["min_daily_budget"] == 100_000).all()
    assert (qc_default["min_daily_budget"] == 50).all()
    assert (qc_default["below_minimum"] == ((qc_default["daily_budget"] > 0) & (qc_default["daily_budget"] < 50))).all()
    for rows in (own, default):
        spent = rows[rows["daily_budget"] > 0]
        qc = spent[spent["channel"] == "qianchuan"]
        assert np.allclose(qc["platform_ratio"].astype(float), 2.5, rtol=1e-9)
        assert np.allclose(qc["target_roi"].astype(float), (qc["incremental_roi"].astype(float) * 2.5).round(2),
                           atol=0.0101)  # the sheet rounds incremental_roi to 4 decimals
        assert spent.loc[spent["channel"] == "ztc", "target_roi"].isna().all()  # no platform GMV in its history
    csv = pd.read_csv(out / "own.csv", encoding="utf-8-sig")
    assert "Daily budget (¥)" not in csv.columns  # the daily sheet, not the platform sheet


def test_a_broken_limits_option_is_exit_2_before_any_plan(tmp_path, capsys):
    bad = tmp_path / "limits.csv"
    bad.write_text("platform,min_daily_budget\nqianchuan,lots\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["batch", scenario(tmp_path, "a", 300_000), "--out", str(out), "--platform-limits", str(bad)])
    captured = capsys.readouterr()
    assert code == 2
    assert "limits.csv" in captured.err and "min_daily_budget" in captured.err
    assert not (out / "a.json").exists()
