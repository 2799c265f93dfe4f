"""The 投放执行 / Pacing page (AppTest): a plan and actuals given to the page (as its uploaders keep them in the
session) show the metrics, the alert in words, both charts and the tables, in zh and in en; a broken actuals
file shows its problems with file, row and column, never a traceback."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from app_harness import assert_clean, bare_money_words, goto, new_app, page_strings, texts

START = pd.Timestamp("2026-07-01")
PLAN = {"lang": "zh", "summary": {"uplift_per_day": {"p10": 2000.0, "p50": 4000.0, "p90": 6000.0}},
        "plan": [{"channel": c, "segment": s, "spend": v, "expected_gmv": 1.5 * v}
                 for c, s, v in (("ztc", "老品", 2000.0), ("ztc", "新品", 300.0), ("xiaohongshu", "老品", 1200.0),
                                 ("xiaohongshu", "新品", 100.0), ("wxt", "老品", 900.0))]}
"""A plan as roimix plan --out plan.json writes it (segments in the plan's language, uplift per day)."""


def spend_csv(bad: bool = False) -> bytes:
    rows = []
    for day in pd.date_range(START, periods=8):
        for r in PLAN["plan"]:
            low = r["channel"] == "xiaohongshu" and 2 <= (day - START).days <= 4
            rows.append((f"{day:%Y-%m-%d}", r["channel"], {"老品": "existing", "新品": "new"}[r["segment"]],
                         round(r["spend"] * (0.6 if low else 1.0), 2)))
    frame = pd.DataFrame(rows, columns=["date", "channel", "segment", "spend"])
    if bad:
        frame = frame.astype({"spend": object})
        frame.loc[3, "spend"] = "n/a"
    return frame.to_csv(index=False).encode()


def gmv_csv() -> bytes:
    days = pd.date_range(end=START + pd.Timedelta(days=7), periods=36)
    value = 40000.0 + np.tile([-500.0, 0.0, 500.0, 0.0], 9) + np.where(days >= START, 4000.0, 0.0)
    return pd.DataFrame({"date": [f"{d:%Y-%m-%d}" for d in days], "value": value}).to_csv(index=False).encode()


@pytest.fixture()
def page():
    at = new_app()
    at.session_state["pacing.plan"] = ("plan.json", json.dumps(PLAN, ensure_ascii=False).encode())
    at.session_state["pacing.spend"] = ("spend.csv", spend_csv())
    at.session_state["pacing.gmv"] = ("gmv.csv", gmv_csv())
    return at


def test_zh_shows_the_alert_the_charts_and_the_tables(page):
    at = goto(page, "pacing")
    assert_clean(at)
    said = texts(at)
    assert "投放执行：计划 vs 实际" in said
    assert [w.value for w in at.warning] == ["小红书 连续 3 天（2026-07-03 至 2026-07-05）花费比计划少 40%（少花 ¥1,560）"]
    assert len(at.get("plotly_chart")) == 2
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["计划花费"] == "¥3.60万" and metrics["GMV 在区间内"] == "8 / 8"
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["日期", "渠道", "计划花费", "实际花费"]
    assert set(table["渠道"]) == {"直通车", "万相台", "小红书"}
    assert not [h for x in page_strings(at) for h in bare_money_words(x)]  # one money language


def test_en_words_the_same(page):
    at = page
    at.session_state["lang"] = "en"
    at = goto(at, "pacing")
    assert_clean(at)
    assert [w.value for w in at.warning] == [
        "Xiaohongshu (RED) spent 40% under plan for 3 days (2026-07-03 to 2026-07-05; ¥1.56K short)"]
    assert "Pacing: plan vs actuals" in texts(at)
    assert list(at.dataframe[0].value.columns[:4]) == ["date", "channel", "planned spend", "actual spend"]
    assert not any("计划" in x for x in texts(at))
    assert not [h for x in page_strings(at) for h in bare_money_words(x)]


def test_without_files_it_asks_for_them():
    at = goto(new_app(), "pacing")
    assert_clean(at)
    assert [i.value for i in at.info] == ["请上传计划文件和实际花费。"]


def test_a_broken_actuals_file_shows_its_problem_with_row_and_column(page):
    page.session_state["pacing.spend"] = ("spend.csv", spend_csv(bad=True))
    at = goto(page, "pacing")
    assert not at.exception
    assert at.error, "the problem is shown"
    problems = at.dataframe[0].value
    assert list(problems.iloc[0][["文件", "行", "列"]]) == ["spend.csv", "5", "spend"]


def test_the_optimise_pages_plan_can_be_taken_from_the_session():
    """The button takes the what-if's plan as the JSON the scenarios page downloads; spend exactly as planned then
    paces at 100 % with no alert."""
    at = new_app()
    at.session_state["curves.source"] = "demo"  # the sample's true curves: no fit
    at = goto(at, "pacing")
    at.button(key="pacing.session_plan").click().run()
    assert_clean(at)
    name, raw = at.session_state["pacing.plan"]
    doc = json.loads(raw)
    assert name == "当前计划.json" and doc["plan"]
    seg = {"老品": "existing", "新品": "new"}
    rows = [(f"{d:%Y-%m-%d}", r["channel"], seg[r["segment"]], r["spend"]) for d in pd.date_range(START, periods=5)
            for r in doc["plan"]]
    at.session_state["pacing.spend"] = ("spend.csv", pd.DataFrame(rows, columns=["date", "channel", "segment", "spend"])
                                        .to_csv(index=False).encode())
    at.run()
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["执行率"] == "100.0%"
    assert [s.value for s in at.success] == ["没有提醒：各渠道都在计划范围内。"]
