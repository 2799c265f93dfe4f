"""A plan that spends a cell beyond its highest day of history says so (``roimix plan``): past the spend a curve
was fitted on, the GMV it promises is its shape's extrapolation, which no band covers."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import openpyxl
from hypothesis import given, settings, strategies as st

from roimix.cli import main
from roimix.report.history_range import beyond_history, highest_daily_spend
from roimix.text import t


def _history(seed: int = 1, days: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-03-01", periods=days, freq="D")
    rows = [pd.DataFrame({"date": dates, "channel": ch, "segment": seg,
                          "spend": (base * rng.lognormal(0, 0.3, days)).round(2)})
            for ch, seg, base in (("ztc", "existing", 5000), ("ztc", "new", 800), ("xhs", "existing", 3000))]
    return pd.concat(rows, ignore_index=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b"]), st.sampled_from(["existing", "new"]),
                          st.floats(0, 1e5, allow_nan=False)), min_size=1, max_size=40),
       st.sampled_from([1, 7]))
def test_highest_day_is_the_largest_period_sum_per_day(rows, period_days):
    """Brute force: per cell, the largest sum over one date's rows, ÷ the period's days."""
    history = pd.DataFrame(rows, columns=["day", "channel", "segment", "spend"])
    history["date"] = pd.Timestamp("2026-01-05") + pd.to_timedelta(history["day"] * period_days, unit="D")
    got = highest_daily_spend(history.drop(columns="day"), period_days).set_index(["channel", "segment"])["highest_cny"]
    want = {}
    for (ch, seg, day), spend in history.groupby(["channel", "segment", "day"])["spend"].sum().items():
        want[(ch, seg)] = max(want.get((ch, seg), -1.0), spend / period_days)
    assert set(got.index) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-9)


def test_only_cells_above_their_highest_day_are_named_most_beyond_first():
    history = _history()
    highest = highest_daily_spend(history)
    top = highest.set_index(["channel", "segment"])["highest_cny"]
    plan = pd.DataFrame({"channel": ["ztc", "ztc", "xhs", "kol"], "segment": ["existing", "new", "existing", "existing"],
                         "spend": [top[("ztc", "existing")] + 0.005,  # within a fen: not beyond
                                   top[("ztc", "new")] * 3, top[("xhs", "existing")] * 1.5, 1e6]})  # kol: no history
    beyond = beyond_history(plan, highest)
    assert list(zip(beyond["channel"], beyond["segment"])) == [("ztc", "new"), ("xhs", "existing")]
    np.testing.assert_allclose(beyond["ratio"], [3.0, 1.5])
    # a missing segment is `existing`, as the spend contract reads it
    no_segment = history[history["segment"] == "existing"].drop(columns="segment")
    pd.testing.assert_frame_equal(highest_daily_spend(no_segment), highest[highest["segment"] == "existing"]
                                  .reset_index(drop=True))


def _curves(history: pd.DataFrame) -> pd.DataFrame:
    current = history.groupby(["channel", "segment"], as_index=False)["spend"].mean()
    return current.assign(family="exp", a=current["spend"] * 6, b=current["spend"] * 2, s=np.nan,
                          current_spend=current["spend"].round(2), cpc=2.0, new_customer_share=0.4)


@pytest.mark.parametrize("lang, words", [("en", "above the highest day of spend they had in history.csv"),
                                         ("zh", "里它们花费最高的一天")])
def test_roimix_plan_names_the_cells_it_puts_beyond_their_history(tmp_path, capsys, lang, words):
    history = _history()
    history.to_csv(tmp_path / "history.csv", index=False)
    curves = _curves(history)
    curves.to_csv(tmp_path / "curves.csv", index=False)
    today = float(curves["current_spend"].sum())
    args = ["plan", "--curves", str(tmp_path / "curves.csv"), "--platform-history", str(tmp_path / "history.csv"),
            "--lang", lang, "--new-customer-cap", "1"]
    assert main([*args, "--budget", repr(round(today, 2)), "--bounds", "relative:0.9,1.1",
                 "--out", str(tmp_path / "within.json")]) == 0
    assert words not in capsys.readouterr().err  # at today's spend, within its history
    assert "beyond_history" not in json.loads((tmp_path / "within.json").read_text(encoding="utf-8"))
    assert main([*args, "--budget", repr(round(4 * today, 2)), "--out", str(tmp_path / "plan.json")]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if words in x)
    assert line.count("×") == 3 and ("3 cell(s)" in line or "3 个格子" in line), line
    # the same cells as data: the JSON's beyond_history (machine ids), brute force against the plan's own cells
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    plan = pd.DataFrame(doc["plan"])
    plan["segment"] = plan["segment"].map({t(f"segment.{k}", lang): k for k in ("existing", "new")})
    plan = plan.set_index(["channel", "segment"])["spend"]
    highest = history.groupby(["channel", "segment"])["spend"].max()
    beyond = pd.DataFrame(doc["beyond_history"])
    assert list(beyond.columns) == ["channel", "segment", "planned_cny", "highest_cny", "ratio"]
    assert set(zip(beyond["channel"], beyond["segment"])) == {c for c in plan.index if plan[c] > highest[c] + 0.01}
    for r in beyond.itertuples():
        assert r.planned_cny == pytest.approx(plan[(r.channel, r.segment)], abs=0.01)
        assert r.highest_cny == pytest.approx(highest[(r.channel, r.segment)], abs=1e-6)
    assert main([*args, "--budget", repr(round(4 * today, 2)), "--out", str(tmp_path / "plan.xlsx")]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    rows = [list(r) for r in book[t("export.sheet.beyond_history", lang)].iter_rows(values_only=True)]
    assert rows[0][2] == t("export.col.planned_daily", lang) and len(rows) == 4
    assert main(["plan", "--curves", str(tmp_path / "curves.csv"), "--budget", repr(round(4 * today, 2)),
                 "--lang", lang, "--new-customer-cap", "1"]) == 0
    assert words not in capsys.readouterr().err  # no history given: nothing to compare with


def test_weekly_history_counts_a_week_as_seven_days(tmp_path, capsys):
    """Curves fitted on weeks are per day; their history's weeks (read off its dates) are 7 days of spend each: a plan at 1.4–1.5 × the
    highest week's daily spend is beyond it (against the week's whole sum it would not be), one at 0.9–0.95 × not."""
    daily = _history(days=84)
    week = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    weekly = daily.assign(date=week).groupby(["date", "channel", "segment"], as_index=False)["spend"].sum()
    weekly.to_csv(tmp_path / "weekly.csv", index=False)
    curves = _curves(daily)
    highest_week_per_day = weekly.groupby(["channel", "segment"])["spend"].max() / 7
    curves["current_spend"] = [round(highest_week_per_day[(c, s)] * 0.9, 2)
                               for c, s in zip(curves["channel"], curves["segment"])]
    curves.to_csv(tmp_path / "curves.csv", index=False)
    today = float(curves["current_spend"].sum())
    args = ["plan", "--curves", str(tmp_path / "curves.csv"), "--platform-history", str(tmp_path / "weekly.csv"),
            "--lang", "en", "--new-customer-cap", "1"]
    assert main([*args, "--budget", repr(round(today, 2)), "--bounds", "relative:1,1.05"]) == 0
    assert "highest day of spend" not in capsys.readouterr().err
    assert main([*args, "--budget", repr(round(1.6 * today, 2)), "--bounds", "relative:1.55,1.65"]) == 0
    assert "The plan puts 3 cell(s) above the highest day of spend they had in weekly.csv" in capsys.readouterr().err


def test_roimix_batch_names_the_campaign_days_beyond_each_cells_history(tmp_path, capsys):
    """Double 11 scenarios on the sample's curves: each cell's largest planned day is checked against its highest
    day of spend in the history; the cells named are those of a brute force over the written daily plan."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_batch_cli import SAMPLE, scenario

    files = [scenario(tmp_path, "small", budget=150_000), scenario(tmp_path, "big", budget=1_500_000)]
    assert main(["batch", *files, "--out", str(tmp_path / "out"), "--platform-history",
                 str(SAMPLE / "spend.csv"), "--lang", "en", "--formats", "csv,json"]) == 0
    err = capsys.readouterr().err
    history = pd.read_csv(SAMPLE / "spend.csv")
    highest = history.groupby(["channel", "segment", "date"])["spend"].sum().groupby(["channel", "segment"]).max()
    words = {"existing": "Existing products", "new": "New products"}
    for name, at_least in (("small", 1), ("big", 10)):
        (line,) = [x for x in err.splitlines() if x.startswith(f"{name}:") and "highest day of spend" in x]
        daily = pd.read_csv(tmp_path / "out" / f"{name}.csv", encoding="utf-8-sig")
        daily["segment"] = daily["Products"].map({v: k for k, v in words.items()})
        largest = daily.groupby(["Channel", "segment"])["Spend (yuan)"].max()
        want = {f"{c}/{words[s]}" for (c, s), v in largest.items() if v > highest[(c, s)] + 0.01}
        named = set(re.findall(r"([a-z_]+/(?:Existing|New) products) ¥", line))
        assert len(want) >= at_least and named == want, (name, want, named)
        sheet = pd.DataFrame(json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8"))["beyond_history"])
        assert {f"{c}/{words[s]}" for c, s in zip(sheet["channel"], sheet["segment"])} == want  # the file says it too
        assert f"The plan puts {len(want)} cell(s), on some days," in line


@pytest.mark.parametrize("weekly", [False, True])
def test_fitted_curves_carry_their_highest_day_and_a_plan_on_them_is_checked(tmp_path, capsys, weekly):
    """``roimix fit`` writes each cell's highest day of spend (``highest_spend``; a week's spend counts as 7 days);
    ``roimix plan --curves`` with no history given checks the plan against it."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_aggregate_cli import DAILY, WEEKLY

    spend, outcome = WEEKLY if weekly else DAILY
    spend.to_csv(tmp_path / "spend.csv", index=False)
    outcome.to_csv(tmp_path / "outcome.csv", index=False)
    assert main(["fit", "-s", str(tmp_path / "spend.csv"), "-o", str(tmp_path / "outcome.csv"), "--keep-campaigns",
                 "--out", str(tmp_path / "curves.csv"), "--lang", "en"]) == 0
    curves = pd.read_csv(tmp_path / "curves.csv", encoding="utf-8-sig").set_index("channel")
    per_day = spend.groupby("channel")["spend"].max() / (7 if weekly else 1)
    for channel, value in per_day.items():
        assert curves.loc[channel, "highest_spend"] == pytest.approx(value, rel=1e-9)
    capsys.readouterr()
    budget = round(3 * float(curves["current_spend"].sum()), 2)
    assert main(["plan", "--curves", str(tmp_path / "curves.csv"), "--budget", repr(budget), "--lang", "en",
                 "--out", str(tmp_path / "plan.json")]) == 0
    line = next(x for x in capsys.readouterr().err.splitlines() if "highest day of spend" in x)
    assert "the history curves.csv was fitted on (its highest_spend column)" in line
    plan = pd.DataFrame(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["plan"]).set_index("channel")
    want = {c for c in per_day.index if plan.loc[c, "spend"] > per_day[c] + 0.01}
    sheet = pd.DataFrame(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["beyond_history"])
    assert want and set(sheet["channel"]) == want
