"""The 投放执行 page's 重新规划剩余预算 (issue 18 item 4, AppTest): the 大促 page's plan taken from the session,
a week of actuals with 小红书 40 % under, the re-plan from the day after the last actual shows spend so far, the
changes per channel (小红书 gets its underspend back), the before/after chart, the binding rules and a download
whose sheets add up; in zh and in en. The sample's true curves (``demo``): no fit, no draws, a few seconds."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
from app_harness import assert_clean, bare_money_words, frame_with, goto, new_app, page_strings, texts

SEGMENT = {"老品": "existing", "新品": "new", "Existing products": "existing", "New products": "new"}


@pytest.fixture(scope="module")
def with_plan():
    """The app on the 投放执行 page with the 大促 page's plan taken in, and that plan's daily rows."""
    at = new_app()
    at.session_state["curves.source"] = "demo"
    at = goto(at, "pacing")
    at.button(key="pacing.campaign_plan").click().run()
    assert_clean(at)
    name, raw = at.session_state["pacing.plan"]
    daily = pd.DataFrame(json.loads(raw)["daily"])
    daily["segment"] = daily["segment"].map(SEGMENT)
    return at, name, daily


def _replans(monkeypatch) -> list:
    """Every re-plan the page's shared planner makes from now on, in order (the planner still makes them)."""
    from roimix.app.campaign_plans import SharedCampaignPlanner

    found = []
    made = SharedCampaignPlanner.replan
    monkeypatch.setattr(SharedCampaignPlanner, "replan", lambda *a, **k: found.append(made(*a, **k)) or found[-1])
    return found


def _open_zh(at, plan_name: str, doc: dict, spend_raw: bytes):
    """The 投放执行 page in zh with the plan ``doc`` uploaded as ``plan_name`` and the actual spend ``spend_raw``."""
    at.session_state["lang"] = "zh"
    at.session_state["w.lang"] = "zh"
    at.session_state["pacing.plan"] = (plan_name, json.dumps(doc, ensure_ascii=False).encode())
    at.session_state["pacing.spend"] = ("spend.csv", spend_raw)
    return goto(at, "pacing")


def _actuals(daily: pd.DataFrame, days: int = 7) -> tuple[pd.DataFrame, bytes]:
    first_days = sorted(daily["date"].unique())[:days]
    actual = daily.loc[daily["date"].isin(first_days), ["date", "channel", "segment", "spend"]].copy()
    under = actual["channel"] == "xiaohongshu"
    actual.loc[under, "spend"] = (actual.loc[under, "spend"] * 0.6).round(2)
    return actual, actual.to_csv(index=False).encode()


def test_the_rest_is_replanned_and_the_underspend_goes_back_to_xiaohongshu(with_plan, monkeypatch):
    from roimix.app import exports

    files = []
    made = exports.replan_file
    monkeypatch.setattr(exports, "replan_file", lambda *a, **k: files.append(made(*a, **k)) or files[-1])
    at, name, daily = with_plan
    actual, raw = _actuals(daily)
    at.session_state["pacing.spend"] = ("spend.csv", raw)
    at.run()
    assert_clean(at)
    assert "重新规划剩余预算" in texts(at)
    first = pd.Timestamp(max(actual["date"])) + pd.Timedelta(days=1)
    assert [d.value for d in at.date_input if d.key.startswith("w.pacing.replan.first")] == [first.date()]
    assert not files, "nothing is re-planned before the button"
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已花费"] == f"¥{actual['spend'].sum() / 1e4:.2f}万"
    table = frame_with(at, "变化")
    assert table.set_index("渠道名称").loc["小红书", "变化"].startswith("+")
    underspent = (daily.loc[daily["date"].isin(actual["date"]) & (daily["channel"] == "xiaohongshu"), "spend"].sum()
                  - actual.loc[actual["channel"] == "xiaohongshu", "spend"].sum())
    assert underspent > 500
    assert len(at.get("plotly_chart")) == 2  # the pacing chart and before vs after
    assert any("影子价格" in x or "每" in x for x in texts(at))  # the binding rules, worded
    rest = f"剩余 {(pd.Timestamp(max(daily['date'])) - first).days + 1} 天"  # their money: the days re-planned
    bound = [x for x in texts(at) if "增加" in x or "带来" in x]
    assert bound and all(rest in x and "活动期" not in x for x in bound), bound
    assert not [x for x in texts(at) if "bounds:" in x or "lock:" in x], "rules named as a reader knows them"
    assert not [h for x in page_strings(at) for h in bare_money_words(x)]

    assert [b.label for b in at.get("download_button")][-1] == "下载重新规划（Excel）"
    book = openpyxl.load_workbook(io.BytesIO(files[-1]))  # the bytes the page's download button holds
    assert {"调整", "约束规则"} <= set(book.sheetnames)
    said = [r[-1] for r in book["约束规则"].iter_rows(min_row=2, values_only=True)]
    assert said and all(rest in x for x in said), said
    changes = pd.DataFrame(list(book["调整"].iter_rows(min_row=2, values_only=True)),
                           columns=[c.value for c in book["调整"][1]])
    assert changes.loc[changes["渠道"] == "xiaohongshu", "变化"].sum() > 0  # some of its week's underspend back
    assert changes["变化"].sum() == pytest.approx(underspent, abs=0.05)  # the whole underspend is planned again
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    spent, left = summary["已花费（实际）"], summary["预算（元）"]
    assert round((spent + left) * 100) == round(summary["活动总预算（已花 + 剩余）"] * 100)


def test_en_words_the_section(with_plan):
    at, name, daily = with_plan
    at.session_state["pacing.spend"] = ("spend.csv", _actuals(daily, 5)[1])
    at.session_state["lang"] = "en"
    at.session_state["w.lang"] = "en"
    at = goto(at, "pacing")
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    assert "Re-plan the rest" in texts(at)
    assert "before (remaining days)" in frame_with(at, "change").columns
    assert not any("剩余" in x or "计划" in x for x in texts(at))


def test_an_actual_for_an_unknown_channel_is_named_with_row_and_column(with_plan):
    at, name, daily = with_plan
    actual, _ = _actuals(daily)
    actual.iloc[3, actual.columns.get_loc("channel")] = "tiktok"
    at.session_state["lang"] = "zh"
    at.session_state["w.lang"] = "zh"
    at.session_state["pacing.spend"] = ("spend.csv", actual.to_csv(index=False).encode())
    at = goto(at, "pacing")
    assert not at.exception
    assert any("spend.csv" in e.value and "第 5 行" in e.value and "channel" in e.value and "tiktok" in e.value
               for e in at.error)


def test_the_rest_is_planned_with_the_uploaded_plans_budget_not_the_campaign_pages(with_plan, monkeypatch):
    """A plan made elsewhere (e.g. ``roimix batch`` with its own budget) over the 大促 page's dates: the re-plan moves
    that plan's money. Here the uploaded plan spends 1.5× the page's budget: spent + re-planned = its total, to the
    fen, and the page says where the budget came from."""
    from roimix.text import money

    found = _replans(monkeypatch)
    at, name, daily = with_plan
    doc = json.loads(at.session_state["pacing.plan"][1])
    for row in doc["daily"]:
        if isinstance(row.get("spend"), (int, float)):
            row["spend"] = round(row["spend"] * 1.5, 2)
    bigger = daily.assign(spend=(daily["spend"] * 1.5).round(2))
    actual, raw = _actuals(bigger)
    at = _open_zh(at, "bigger.json", doc, raw)
    assert_clean(at)
    from roimix.pacing.files import plan_from_bytes

    planned = round(float(plan_from_bytes(at.session_state["pacing.plan"][1], "bigger.json")[0].cells["spend"].sum()), 2)
    assert planned == pytest.approx(1.5 * float(daily.loc[daily["segment"].notna(), "spend"].sum()), rel=1e-3)
    said = f"预算取自所上传的计划：可花 {money(planned, 'zh', 2)}"
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    again = found[-1]
    assert again.plan.solved
    assert round((again.spent_cny + again.plan.spend_cny) * 100) == round(planned * 100)


def _shifted_days(doc: dict, before: int) -> dict:
    """``doc`` (a campaign plan JSON) with ``before`` days more ahead of its first: each a copy of its first day's
    rows (a plan made elsewhere, e.g. ``roimix batch`` of a scenario whose horizon starts before the phases)."""
    first = min(row["date"] for row in doc["daily"] if row.get("date"))
    head = [row for row in doc["daily"] if row.get("date") == first]
    extra = [dict(row, date=f"{pd.Timestamp(first) - pd.Timedelta(days=k):%Y-%m-%d}")
             for k in range(before, 0, -1) for row in head]
    return dict(doc, daily=extra + doc["daily"])


def test_a_plan_whose_days_hold_the_campaign_is_replanned_over_its_own_days(with_plan, monkeypatch):
    """An uploaded plan that starts 7 days before the 大促 page's campaign (regular days) and ends with it: the page
    re-plans over the plan's own days, says so, fixes its first week as actually spent (小红书 40 % under) and
    gives the whole underspend back over the remaining days, worded over them."""
    found = _replans(monkeypatch)
    at, name, daily = with_plan
    doc = _shifted_days(json.loads(at.session_state["pacing.plan"][1]), 7)
    longer = pd.DataFrame(doc["daily"]).assign(segment=lambda f: f["segment"].map(SEGMENT))
    actual, raw = _actuals(longer)
    at = _open_zh(at, "longer.json", doc, raw)
    assert_clean(at)
    start, end = min(longer["date"]), max(longer["date"])
    assert any(f"按所上传计划的日期（{start} 至 {end}）重新规划" in c.value for c in at.caption), \
        [c.value for c in at.caption]
    first = pd.Timestamp(start) + pd.Timedelta(days=7)
    assert [d.value for d in at.date_input if d.key.startswith("w.pacing.replan.first")] == [first.date()]
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    again = found[-1]
    assert again.plan.solved and str(again.planner.horizon.start) == f"{first:%Y-%m-%d}"
    assert str(again.planner.horizon.end) == end
    assert round(again.spent_cny * 100) == round(actual["spend"].sum() * 100)
    underspent = (longer.loc[longer["date"].isin(actual["date"]) & (longer["channel"] == "xiaohongshu"), "spend"].sum()
                  - actual.loc[actual["channel"] == "xiaohongshu", "spend"].sum())
    assert underspent > 500
    assert float(again.changes["change"].sum()) == pytest.approx(underspent, abs=0.05)  # all of it, planned again
    rest = f"剩余 {(pd.Timestamp(end) - first).days + 1} 天"
    bound = [x for x in texts(at) if "增加" in x or "带来" in x]
    assert bound and all(rest in x for x in bound), bound


def test_a_plan_whose_days_do_not_hold_the_campaign_is_refused_in_words(with_plan):
    at, name, daily = with_plan
    doc = json.loads(at.session_state["pacing.plan"][1])
    last = max(row["date"] for row in doc["daily"] if row.get("date"))
    doc["daily"] = [row for row in doc["daily"] if row.get("date") != last]  # ends a day before the campaign
    at = _open_zh(at, "shorter.json", doc, _actuals(daily)[1])
    assert not at.exception
    assert any("没有包含大促页的活动" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not [b for b in at.button if b.key == "pacing.replan.run"]


def test_the_rest_names_the_cells_it_puts_beyond_their_history(with_plan, monkeypatch, sample_dir):
    """The re-planned days are checked against the data's spend history as the 大促 page's plan is: the warning
    names exactly the cells whose largest re-planned day is above their highest day in the sample's spend.csv."""
    import re

    found = _replans(monkeypatch)
    _, name, daily = with_plan
    at = new_app()  # a fresh session: the module's one has been moved to other plans and languages by now
    at.session_state["curves.source"] = "demo"
    at = goto(at, "pacing")
    at.button(key="pacing.campaign_plan").click().run()
    actual, raw = _actuals(daily)
    at.session_state["pacing.spend"] = ("spend.csv", raw)
    at.run()
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    rest = found[-1].plan.daily
    history = pd.read_csv(sample_dir / "spend.csv")
    highest = history.groupby(["channel", "segment", "date"])["spend"].sum().groupby(["channel", "segment"]).max()
    largest = rest.groupby(["channel", "segment"])["spend"].max()
    want = {cell for cell, v in largest.items() if v > highest[cell] + 0.01}
    labels = pd.read_csv(sample_dir / "channels.csv").set_index("label_zh")["channel"]
    warnings = [w.value for w in at.warning if "历史上花费最高的一天" in w.value]
    named = {(labels[c], {"老品": "existing", "新品": "new"}[s])
             for c, s in re.findall(r"([^：；]+)·(老品|新品) ¥", warnings[0])} if warnings else set()
    assert want and named == want, (want, named)
    from roimix.app import exports

    files = []
    made = exports.replan_file
    monkeypatch.setattr(exports, "replan_file", lambda *a, **k: files.append(made(*a, **k)) or files[-1])
    at.run()
    rows = list(openpyxl.load_workbook(io.BytesIO(files[-1]))["超出历史花费"].iter_rows(values_only=True))[1:]
    assert {(c, {"老品": "existing", "新品": "new"}.get(s, s)) for c, s, *_ in rows} == want  # the download too
