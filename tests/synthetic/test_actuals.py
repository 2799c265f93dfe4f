"""Simulated actuals of a plan on the sample market (issue 18, item 6): without noise the shop's GMV is the
truth's own numbers (``truth_daily.csv``: the true incremental response at the spend plus the expected
baseline), the stated deviation is where it says and nowhere else, and ``roimix generate actuals`` writes the
files ``roimix pace`` reads while ``roimix generate --out`` still simulates a market."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roimix.cli import main
from roimix.synthetic.actuals import Deviation, read_truth, simulate_actuals

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def truth():
    return read_truth(SAMPLE)


@pytest.fixture(scope="module")
def truth_daily():
    return pd.read_csv(SAMPLE / "truth_daily.csv", parse_dates=["date"])


def test_without_noise_the_gmv_is_the_truth_files_own(truth, truth_daily):
    """618 of 2026 (pre-heat to return, weekends in it): the truth's spend as the plan, no noise, no lag → each
    day's GMV is Σ expected_value + expected_baseline_value of truth_daily.csv, to the fen of its segments."""
    window = truth_daily[(truth_daily["date"] >= "2026-05-28") & (truth_daily["date"] <= "2026-06-21")]
    sim = simulate_actuals(window, truth, days=25, noise=False, deviation=None, lag=False, reference_days=7)
    days = sim.spend["date"].drop_duplicates()
    assert len(days) == 25 and sim.outcome["date"].nunique() == 32  # 7 reference days before the plan
    got = sim.outcome[sim.outcome["date"].isin(days)].groupby("date")["value"].sum()
    want = window.groupby("date").agg(inc=("expected_value", "sum"), base=("expected_baseline_value", "first"))
    want = want["inc"] + want["base"]
    assert np.allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=0, atol=0.011 * 2)
    cells = sim.response.merge(window, on=["date", "channel", "segment"], suffixes=("", "_truth"))
    assert len(cells) == len(window)
    assert np.allclose(cells["spend"], cells["spend_truth"], rtol=0, atol=0)
    assert np.allclose(cells["expected_value"], cells["expected_value_truth"], rtol=1e-12, atol=1e-9)
    peak = got.loc["2026-06-16":"2026-06-18"].mean()
    assert peak > 1.5 * got.loc["2026-06-01":"2026-06-05"].mean()  # the truth's peak, not a flat line


def test_the_deviation_is_where_it_says(truth, truth_daily):
    window = truth_daily[(truth_daily["date"] >= "2026-03-02") & (truth_daily["date"] <= "2026-03-15")]
    off = Deviation("xiaohongshu", first=4, days=3, factor=0.6)
    sim = simulate_actuals(window, truth, days=14, noise=False, deviation=off, lag=False, reference_days=0)
    joined = sim.spend.merge(window, on=["date", "channel", "segment"], suffixes=("", "_plan"))
    assert len(joined) == len(window) == 14 * 14
    hit = (joined["channel"] == "xiaohongshu") & joined["date"].between("2026-03-06", "2026-03-08")
    assert hit.sum() == 3 * 2  # three days, both segments
    assert np.allclose(joined.loc[hit, "spend"], (joined.loc[hit, "spend_plan"] * 0.6).round(2), rtol=0, atol=0)
    assert np.allclose(joined.loc[~hit, "spend"], joined.loc[~hit, "spend_plan"], rtol=0, atol=0)
    # the response there is the truth's curve (truth_curves.csv) at the lower spend, times truth_daily's multiplier
    curves = pd.read_csv(SAMPLE / "truth_curves.csv").set_index(["channel", "segment"])
    resp = sim.response.merge(window[["date", "channel", "segment", "response_multiplier"]],
                              on=["date", "channel", "segment"], suffixes=("", "_truth"))
    resp = resp[(resp["channel"] == "xiaohongshu") & resp["date"].between("2026-03-06", "2026-03-08")]
    a = curves.loc[list(zip(resp["channel"], resp["segment"])), "a"].to_numpy()
    b = curves.loc[list(zip(resp["channel"], resp["segment"])), "b"].to_numpy()
    truth_value = a * (1 - np.exp(-resp["spend"].to_numpy() / b)) * resp["response_multiplier_truth"].to_numpy()
    assert np.allclose(resp["expected_value"], truth_value, rtol=1e-12)


def test_noise_is_small_seeded_and_the_lag_moves_gmv_without_losing_it(truth, truth_daily):
    window = truth_daily[(truth_daily["date"] >= "2026-03-02") & (truth_daily["date"] <= "2026-03-29")]
    a = simulate_actuals(window, truth, days=28, seed=3, deviation=None)
    b = simulate_actuals(window, truth, days=28, seed=3, deviation=None)
    c = simulate_actuals(window, truth, days=28, seed=4, deviation=None)
    assert a.spend.equals(b.spend) and a.outcome.equals(b.outcome) and not a.outcome.equals(c.outcome)
    ratio = a.spend.merge(window, on=["date", "channel", "segment"], suffixes=("", "_plan"))
    ratio = ratio["spend"] / ratio["spend_plan"]
    assert 0.03 < ratio.std() < 0.07 and abs(ratio.mean() - 1) < 0.01  # spend_noise 5 %
    exact = simulate_actuals(window, truth, days=28, noise=False, deviation=None)
    days = a.spend["date"].drop_duplicates()
    noisy = a.outcome[a.outcome["date"].isin(days)]["value"].sum()
    expected = exact.outcome[exact.outcome["date"].isin(days)]["value"].sum()
    assert abs(noisy / expected - 1) < 0.03
    # lagged and unlagged GMV: the same orders over four weeks (carry-in from before the plan), on other days
    unlagged = simulate_actuals(window, truth, days=28, noise=False, deviation=None, lag=False)
    lagged_days = exact.outcome.groupby("date")["value"].sum()
    plain_days = unlagged.outcome.groupby("date")["value"].sum()
    assert abs(lagged_days.loc[days].sum() / plain_days.loc[days].sum() - 1) < 0.01
    assert (lagged_days.loc[days] - plain_days.loc[days]).abs().max() > 100


def _plan_json(path: Path) -> Path:
    """A campaign plan as roimix batch writes it (segments in the plan's language, rows by date)."""
    rows = [{"date": f"{d:%Y-%m-%d}", "channel": c, "channel_label": label, "segment": seg, "spend": spend}
            for d in pd.date_range("2027-05-06", periods=10)
            for c, label, seg, spend in (("qianchuan", "巨量千川", "老品", 1500.0), ("qianchuan", "巨量千川", "新品", 200.0),
                                          ("ztc", "直通车", "老品", 1800.0))]
    path.write_text(json.dumps({"lang": "zh", "summary": {}, "daily": rows}, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_cli_writes_what_pace_reads(tmp_path, capsys):
    plan = _plan_json(tmp_path / "plan.json")
    out = tmp_path / "actuals"
    code = main(["generate", "actuals", "--plan", str(plan), "--truth", str(SAMPLE), "--days", "7", "--seed", "1",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "巨量千川 第 5–7 天（2027-05-10 至 2027-05-12）花费为计划的 60" in printed
    spend = pd.read_csv(out / "spend.csv")
    assert len(spend) == 7 * 3 and spend["date"].min() == "2027-05-06"
    qc = spend[(spend["channel"] == "qianchuan") & (spend["segment"] == "existing")].set_index("date")["spend"]
    assert (qc.loc["2027-05-10":"2027-05-12"] < 1500 * 0.75).all() and (qc.drop(qc.loc["2027-05-10":].index) > 1200).all()
    gmv = pd.read_csv(out / "gmv.csv")
    assert gmv["date"].nunique() == 28 + 7 and set(gmv["segment"]) == {"existing", "new"}
    code = main(["pace", "--plan", str(plan), "--actuals", str(out / "spend.csv"), "--outcome", str(out / "gmv.csv")])
    paced = capsys.readouterr().out
    assert code == 0 and "巨量千川 连续 3 天（2027-05-10 至 2027-05-12）花费比计划少" in paced


@pytest.mark.parametrize("args,said", [
    (["--days", "11"], "the plan has only 10 days"),
    (["--deviation", "wechat_group:2:3:0.5"], "the plan has no channel wechat_group"),
    (["--deviation", "qianchuan:0:3"], "--deviation 'qianchuan:0:3'"),
])
def test_cli_usage_errors_exit_2(tmp_path, capsys, args, said):
    plan = _plan_json(tmp_path / "plan.json")
    code = main(["generate", "actuals", "--plan", str(plan), "--truth", str(SAMPLE), "--out", str(tmp_path / "o"),
                 "--lang", "en", *args])
    assert code == 2
    assert said in capsys.readouterr().err


def test_generate_without_a_sub_command_still_simulates_a_market(tmp_path, capsys):
    assert main(["generate"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["generate", "--users", "1000", "--days", "28", "--seed", "3", "--out", str(tmp_path), "--csv"]) == 0
    assert (tmp_path / "spend.csv").exists() and (tmp_path / "truth_daily.csv").exists()


def test_a_later_year_keeps_the_truths_campaign_days_and_trend(truth, truth_daily):
    """A plan in 2027 meets the truth's 618 on the same calendar days (the multiplier truth_daily.csv gives 2026's
    days of the same phase and kind of day) and the baseline's trend carried on from the truth's first day."""
    from roimix.synthetic.actuals import baseline_value, response_multiplier

    days_2027 = pd.DatetimeIndex(["2027-05-25", "2027-06-16", "2027-06-17", "2027-07-01"])  # Tue, Wed, Thu, Thu
    same_2026 = pd.DatetimeIndex(["2026-05-26", "2026-06-16", "2026-06-17", "2026-04-02"])  # Tue, Tue, Wed, Thu
    want = truth_daily.drop_duplicates("date").set_index("date")
    got = response_multiplier(truth.spec, days_2027)
    assert np.allclose(got, want.loc[same_2026, "response_multiplier"].to_numpy(), rtol=1e-12)
    base_2027 = baseline_value(truth.spec, days_2027).groupby("date")["value"].sum().to_numpy()
    base_2026 = want.loc[same_2026, "expected_baseline_value"].to_numpy()
    trend = truth.spec["baseline_trend_per_day"]
    start = pd.Timestamp(truth.spec["start"])
    scale = (1 + trend * (days_2027 - start).days.to_numpy()) / (1 + trend * (same_2026 - start).days.to_numpy())
    assert np.allclose(base_2027, base_2026 * scale, rtol=1e-12)
