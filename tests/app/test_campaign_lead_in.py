"""The 大促 page plans the days before the campaign too (活动前规划天数, the lead-in; AppTest).

With 14 days asked for, the plan starts 14 days before 618's first phase and those days are regular days (日常, 1×);
the budget's base is today's daily budget × every day planned, the page says over how many days and which ones (zh
and en), and the plan, the finance workbook and its 投放设置 sheet all spend that budget to the fen. 0 days (the
default) is the plan the page made before the control existed. The 投放执行 page takes the 大促 page's plan over the
same days and re-plans over them. The cached planners are kept per horizon: 0, 14, 0 days give 33, 47, 33 days.
The sample's true curves (``demo``): no fit, no draws, on the estimate; a few seconds a test.
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from app_harness import assert_clean, frame_with, goto, new_app, on_the_estimate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LEAD = "w.campaign.lead_days"
CAMPAIGN_DAYS = 33  # 618: 05-20 … 06-21
EXACT_ZH = re.compile(r"活动总预算 ¥([\d,]+\.\d\d) = 优化页日预算 ¥([\d,]+\.\d\d) × (\d+) 天 × (\d+)%")
EXACT_EN = re.compile(r"Campaign budget ¥([\d,]+\.\d\d) = the optimise page's daily budget ¥([\d,]+\.\d\d) "
                      r"× (\d+) days")
SEGMENT = {"老品": "existing", "新品": "new", "Existing products": "existing", "New products": "new"}


@pytest.fixture(scope="module")
def page():
    """The app on the 大促 page (618, demo curves, on the estimate); each test sets the lead-in it needs."""
    at = new_app()
    at.session_state["curves.source"] = "demo"
    at = goto(on_the_estimate(at), "campaign")
    assert_clean(at)
    return at


@pytest.fixture()
def solves(monkeypatch) -> list:
    """(planner, setup, plan) of every solve of the shared campaign planner from now on (it still solves)."""
    from roimix.app.campaign_plans import SharedCampaignPlanner

    found = []
    made = SharedCampaignPlanner.solve

    def keep(self, setup, *, flat=False):
        plan = made(self, setup, flat=flat)
        if not flat:
            found.append((self, setup, plan))
        return plan

    monkeypatch.setattr(SharedCampaignPlanner, "solve", keep)
    return found


@pytest.fixture()
def files(monkeypatch) -> list:
    """(kind, bytes) of every download the 大促 page builds from now on."""
    from roimix.app import exports

    made, out = exports.campaign_file, []
    monkeypatch.setattr(exports, "campaign_file",
                        lambda kind, *a, **k: out.append((kind, made(kind, *a, **k))) or out[-1][1])
    return out


def _lead(at, days: int, lang: str = "zh"):
    at.session_state["lang"] = lang
    at.session_state["w.lang"] = lang
    at = goto(at, "campaign")
    at.number_input(key=LEAD).set_value(days).run()
    assert_clean(at)
    return at


def _stated(at, pattern: re.Pattern) -> tuple[float, int]:
    """(budget in yuan, days) the page's budget caption states."""
    found = [pattern.search(c.value) for c in at.caption]
    found = [m for m in found if m]
    assert len(found) == 1, [c.value for c in at.caption]
    return float(found[0].group(1).replace(",", "")), int(found[0].group(3))


def _fen(x) -> int:
    return int(round(float(x) * 100))


def _campaign(at):
    from roimix.app import engine

    return engine.campaign_of("618", at.session_state["campaign.phases"]["618"])


def test_fourteen_days_before_618_are_planned_as_regular_days_within_the_stated_budget(page, solves, files):
    at = _lead(page, 14)
    planner, setup, plan = solves[-1]
    campaign = _campaign(at)
    first = pd.Timestamp(campaign.start) - pd.Timedelta(days=14)
    dates = pd.DatetimeIndex(sorted(plan.daily["date"].unique()))
    assert len(dates) == CAMPAIGN_DAYS + 14
    assert list(dates) == list(pd.date_range(first, campaign.end, freq="D"))
    lead_in = plan.daily[plan.daily["date"] < pd.Timestamp(campaign.start)]
    assert lead_in["date"].nunique() == 14 and set(lead_in["phase"]) == {"regular"}
    assert set(plan.daily.loc[plan.daily["date"] >= pd.Timestamp(campaign.start), "phase"]) == \
        {"preheat", "presale", "peak", "return"}
    assert lead_in["spend"].sum() > 0, "the lead-in gets money"

    # the budget the page states runs over every day planned, and the plan spends it to the fen
    total, days = _stated(at, EXACT_ZH)
    assert days == CAMPAIGN_DAYS + 14
    assert _fen(total) == _fen(at.session_state["whatif.budget"] * days), "today's daily budget × every day planned"
    assert _fen(total) == _fen(setup.budget.total_cny)
    assert _fen(plan.spend_cny) == _fen(total)
    span = f"预算覆盖 47 天：{first:%Y-%m-%d} 至 {pd.Timestamp(campaign.end):%Y-%m-%d}，即活动前 14 天"
    assert any(span in c.value for c in at.caption), [c.value for c in at.caption]
    assert any(f"活动 33 天（{pd.Timestamp(campaign.start):%Y-%m-%d} 至" in c.value for c in at.caption)
    assert any("金额为规划的全部 47 天合计（含活动前 14 天）" in c.value for c in at.caption), "the money's days"
    spent = {m.label: m.value for m in at.metric}
    assert "计划期总花费（47 天）" in spent and "活动总花费" not in spent, "the total is named by its days"
    assert "计划期增量 GMV（47 天）" in spent

    # the phase table names the lead-in as 日常 days at 1×
    table = frame_with(at, "阶段花费").set_index("阶段")
    assert table.loc["日常", "天数"] == 14 and table.loc["日常", "响应系数"] == "1.00×"
    assert table["天数"].sum() == CAMPAIGN_DAYS + 14

    # the finance workbook and its 投放设置 sheet: the same days, the same money to the fen
    book = openpyxl.load_workbook(io.BytesIO([d for k, d in files if k == "xlsx"][-1]))
    sheets = book.sheetnames
    daily = list(book[sheets[sheets.index("投放设置") - 1]].iter_rows(values_only=True))
    head = list(daily[0])
    spend_col = head.index([h for h in head if str(h).startswith("花费")][0])
    assert _fen(daily[-1][spend_col]) == _fen(total)
    platform = list(book["投放设置"].iter_rows(values_only=True))
    budget_col = list(platform[0]).index("日预算（元）")
    assert _fen(platform[-1][budget_col]) == _fen(total)
    platform_days = {r[list(platform[0]).index("日期")] for r in platform[1:-1]} - {None, ""}
    assert len(platform_days) == CAMPAIGN_DAYS + 14
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert str(summary["计划期"]).startswith(f"{first:%Y-%m-%d}") and "(47)" in str(summary["计划期"])


def test_the_day_count_and_dates_are_worded_in_english(page):
    at = _lead(page, 14, "en")
    campaign = _campaign(at)
    first = pd.Timestamp(campaign.start) - pd.Timedelta(days=14)
    assert at.number_input(key=LEAD).label == "Days before the campaign to plan (lead-in)"
    assert _stated(at, EXACT_EN)[1] == CAMPAIGN_DAYS + 14
    said = (f"The budget runs over 47 days: {first:%Y-%m-%d} to {pd.Timestamp(campaign.end):%Y-%m-%d}, i.e. 14 days "
            f"before the campaign ({first:%Y-%m-%d} to {pd.Timestamp(campaign.start) - pd.Timedelta(days=1):%Y-%m-%d}, "
            f"planned as regular days) + the campaign's 33 days ({pd.Timestamp(campaign.start):%Y-%m-%d} to")
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    assert "Regular days" in list(frame_with(at, "Phase spend")["Phase"])
    assert {"Spend over the 47 days planned", "Incremental GMV over the 47 days planned"} <= {m.label for m in at.metric}
    assert not [c.value for c in at.caption if re.search(r"[\u4e00-\u9fff]", c.value)]


def test_no_days_before_is_the_plan_over_the_campaigns_days_as_before(page, solves):
    """0 (the default) plans the phases' days only, exactly as the page did before: the planner the page used then
    (its horizon the campaign's first … last day), with the budget over the campaign's days, gives the same plan."""
    from optimizer.campaign import CampaignPlanner, Horizon

    at = _lead(page, 0)
    assert at.number_input(key=LEAD).value == 0
    planner, setup, plan = solves[-1]
    campaign = _campaign(at)
    total, days = _stated(at, EXACT_ZH)
    assert days == CAMPAIGN_DAYS
    daily_budget = at.session_state["whatif.budget"]
    assert _fen(total) == _fen(daily_budget * CAMPAIGN_DAYS) == _fen(setup.budget.total_cny)
    assert any(c.value == f"预算覆盖 33 天：{pd.Timestamp(campaign.start):%Y-%m-%d} 至 {pd.Timestamp(campaign.end):%Y-%m-%d}"
               for c in at.caption)
    before = CampaignPlanner(planner.curves, Horizon(campaign.start, campaign.end), campaign).solve(setup)
    pd.testing.assert_frame_equal(plan.daily, before.daily)
    assert "日常" not in list(frame_with(at, "阶段花费")["阶段"])
    assert {"活动总花费", "活动增量 GMV"} <= {m.label for m in at.metric}


def test_the_cached_plans_are_kept_per_horizon(page, solves):
    """0, then 14, then 0 days before: each plan has its own days (a plan over one horizon is never served for
    another, by the cached planner or its kept solves)."""
    counts = []
    for lead in (0, 14, 0, 14):
        at = _lead(page, lead)
        plan = solves[-1][2]
        counts.append((plan.daily["date"].nunique(), _stated(at, EXACT_ZH)[1],
                       int(frame_with(at, "阶段花费")["天数"].sum())))
    assert counts == [(33, 33, 33), (47, 47, 47), (33, 33, 33), (47, 47, 47)]


def test_the_pacing_page_takes_the_campaign_plan_over_the_same_days_and_replans_over_them(page, solves, monkeypatch):
    from roimix.app.campaign_plans import SharedCampaignPlanner

    replans = []
    made = SharedCampaignPlanner.replan
    monkeypatch.setattr(SharedCampaignPlanner, "replan", lambda *a, **k: replans.append(made(*a, **k)) or replans[-1])
    at = _lead(page, 14)
    plan = solves[-1][2]
    campaign = _campaign(at)
    at = goto(at, "pacing")
    at.button(key="pacing.campaign_plan").click().run()
    assert_clean(at)
    doc = json.loads(at.session_state["pacing.plan"][1])
    daily = pd.DataFrame([r for r in doc["daily"] if r.get("date")])
    assert sorted(daily["date"].unique()) == [f"{d:%Y-%m-%d}" for d in sorted(plan.daily["date"].unique())]
    assert daily["date"].nunique() == CAMPAIGN_DAYS + 14
    assert _fen(daily["spend"].sum()) == _fen(plan.spend_cny)

    # a week of the lead-in spent as planned: the rest is re-planned over the page's days, not as a plan of its own
    daily["segment"] = daily["segment"].map(SEGMENT)
    week = sorted(daily["date"].unique())[:7]
    actual = daily.loc[daily["date"].isin(week), ["date", "channel", "segment", "spend"]]
    at.session_state["pacing.spend"] = ("spend.csv", actual.to_csv(index=False).encode())
    at.run()
    assert_clean(at)
    assert not [c.value for c in at.caption if "按所上传计划的日期" in c.value], "the page's own days, not a plan's"
    first = pd.Timestamp(campaign.start) - pd.Timedelta(days=7)
    assert [d.value for d in at.date_input if d.key.startswith("w.pacing.replan.first")] == [first.date()]
    at.button(key="pacing.replan.run").click().run()
    assert_clean(at)
    again = replans[-1]
    assert again.plan.solved
    assert pd.Timestamp(again.planner.horizon.start) == first
    assert pd.Timestamp(again.planner.horizon.end) == pd.Timestamp(campaign.end)
    assert _fen(again.spent_cny + again.plan.spend_cny) == _fen(plan.spend_cny)


def _daily_chart(at) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [c for c in charts if c["layout"].get("title", {}).get("text") in ("每日花费计划", "Daily spend plan")]
    assert len(found) == 1, [c["layout"].get("title") for c in charts]
    return found[0]


@pytest.mark.parametrize("lang, label", [("zh", "蓄水期（活动前 14 天）"), ("en", "Lead-in (14 days before)")])
def test_the_daily_chart_shades_and_names_the_lead_in_days(page, lang, label):
    """With 14 days before, the daily chart marks them as the lead-in: a band from the first day planned to the day
    before the first phase, named with its day count; with 0 days there is no such band."""
    at = _lead(page, 14, lang)
    campaign = _campaign(at)
    chart = _daily_chart(at)
    named = [a for a in chart["layout"]["annotations"] if a["text"] == label]
    assert len(named) == 1, [a["text"] for a in chart["layout"]["annotations"]]
    bands = [s for s in chart["layout"]["shapes"] if s["line"].get("dash") == "dot"]
    assert len(bands) == 1
    first = pd.Timestamp(campaign.start) - pd.Timedelta(days=14)
    assert pd.Timestamp(bands[0]["x0"]) == first - pd.Timedelta(hours=12)
    assert pd.Timestamp(bands[0]["x1"]) == pd.Timestamp(campaign.start) - pd.Timedelta(hours=12)
    phase_bands = [s for s in chart["layout"]["shapes"] if s["line"].get("dash") != "dot"]
    assert min(pd.Timestamp(s["x0"]) for s in phase_bands) == pd.Timestamp(bands[0]["x1"]), "the bands meet"

    at = _lead(page, 0, lang)
    chart = _daily_chart(at)
    assert not [a for a in chart["layout"]["annotations"] if a["text"] == label]
    assert not [s for s in chart["layout"]["shapes"] if s["line"].get("dash") == "dot"]
