"""The 大促 page's budget: what the slider shows, what is planned and what is downloaded agree after campaign switches.

Issue 17.1: switching 618 → 双11 → 年货节 → 618 without touching the slider left the browser's slider at
¥26.98万 (100 %) while the plan and its CSV used ¥13.49万. The browser keeps a select slider's value as
its formatted label; when the labels change under the same widget, the browser falls back to the first
option while the server keeps the old value. The page now draws one widget per campaign and base budget,
seeded from the model value.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from app_harness import assert_clean, goto, metric
from test_browser import ARTIFACTS, SLOW, _metric, _no_traceback, _parse_money, _settle

SEQUENCE = ("618", "double11", "nianhuo", "618")
LABEL_ZH = {"618": "618", "double11": "双11", "nianhuo": "年货节"}
EXACT = re.compile(r"活动总预算 ¥([\d,]+\.\d\d) = 优化页日预算 ¥([\d,]+\.\d\d) × (\d+) 天 × (\d+)%")


def _exact(captions: list[str]) -> tuple[float, float, int, int]:
    """(total, daily, days, percent) of the page's exact budget caption."""
    found = [EXACT.search(c) for c in captions]
    found = [m for m in found if m]
    assert len(found) == 1, captions
    total, daily, days, pct = found[0].groups()
    return float(total.replace(",", "")), float(daily.replace(",", "")), int(days), int(pct)


def _label_percent(label: str) -> int:
    m = re.search(r"（(\d+)%）", label)
    assert m, label
    return int(m.group(1))


# --- AppTest: the logic, with the browser's rule for a select slider modelled -------------------------------


def test_campaign_switches_keep_the_budget_slider_and_the_plan_together(demo_app):
    """After every switch the slider the browser shows (modelled: a kept widget keeps the label it holds; a
    label that is no longer an option falls back to the first option, as Chromium showed) is the model's
    percent, the exact budget caption is daily budget × days × percent, and the plan spends it."""
    at = goto(demo_app, "campaign")
    assert_clean(at)
    held: dict[str, str] = {}  # element id -> the label the browser holds
    for name in SEQUENCE:
        if at.session_state["campaign.name"] != name:
            at.segmented_control(key="w.campaign.name.zh").set_value(name).run()
            assert_clean(at)
        slider = next(s for s in at.select_slider if s.key.startswith("w.campaign.budget_pct.zh"))
        options = list(slider.proto.options)
        if slider.proto.set_value:
            held[slider.id] = slider.proto.raw_value[0]
        shown = held.get(slider.id, options[int(slider.proto.default[0])])
        if shown not in options:
            shown = options[int(slider.proto.default[0])]
        held[slider.id] = shown
        pct = at.session_state["campaign.budget_pct"]
        assert pct == 100, "the slider was never touched"
        assert _label_percent(shown) == pct, (name, shown)
        total, daily, days, cap_pct = _exact([c.value for c in at.caption])
        phases = at.session_state["campaign.phases"][name]
        assert days == (pd.Timestamp(phases["end"].max()) - pd.Timestamp(phases["start"].min())).days + 1
        assert daily == pytest.approx(at.session_state["whatif.budget"], abs=0.005)
        assert cap_pct == pct
        assert total == pytest.approx(round(daily * days * pct / 100, 2), abs=0.011)
        assert _parse_money(shown) == pytest.approx(total, abs=50), "the slider's label is the budget (to ¥0.01万)"
        assert _parse_money(metric(at, "活动总花费")) == pytest.approx(total, abs=50), "the plan spends it"


# --- Chromium: screen, plan and the downloaded CSV --------------------------------------------------------------


def _csv_total_spend(data: bytes) -> tuple[float, float]:
    """(the CSV's total row, the sum of its day rows to the fen) of the spend column."""
    from roimix.export.finance import HEADERS
    from roimix.text import t

    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    col = t(HEADERS["spend"], "zh")
    values = pd.to_numeric(frame[col], errors="raise")
    fen = int(sum(round(v * 100) for v in values.iloc[:-1]))
    return float(values.iloc[-1]), fen / 100


@pytest.mark.browser
@pytest.mark.xdist_group("browser")  # the shared Streamlit server (tests/app/conftest.py)
def test_campaign_switches_in_chromium_keep_screen_plan_and_csv_together(browser_page, server):
    page = browser_page
    page.goto(f"{server}/campaign", wait_until="domcontentloaded")
    page.get_by_role("heading", name="大促计划", exact=True).first.wait_for()
    _settle(page)
    # on the estimate (平均): this is about the budget, the plan and the CSV agreeing across switches, not risk; a
    # robust plan solves two CVaR programs per campaign (the robust default: test_campaign_risk_page.py)
    page.locator(".st-key-w-whatif-risk-campaign").get_by_text("平均", exact=True).click()
    _settle(page)
    for step, name in enumerate(SEQUENCE):
        if step:
            page.locator(".st-key-w-campaign-name-zh").get_by_text(LABEL_ZH[name], exact=True).click()
            _settle(page)
        _no_traceback(page)
        shown = page.locator('[class*="st-key-w-campaign-budget_pct-zh"] input[type=range]').get_attribute("aria-valuetext")
        captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
        total, daily, days, pct = _exact(captions)
        assert pct == 100 and _label_percent(shown) == 100, (name, shown, pct)
        assert _parse_money(shown) == pytest.approx(total, abs=50), (name, shown, total)
        assert _parse_money(_metric(page, "活动总花费")) == pytest.approx(total, abs=50), name
        with page.expect_download(timeout=SLOW) as info:
            page.get_by_role("button", name=re.compile("下载每日计划 CSV")).click()
        target = ARTIFACTS / f"campaign-{step}-{name}.csv"
        info.value.save_as(str(target))
        csv_total, day_sum = _csv_total_spend(target.read_bytes())
        assert csv_total == day_sum, "the CSV's total row is its days' sum to the fen"
        assert csv_total == pytest.approx(total, abs=0.005), (name, csv_total, total)
    page.screenshot(path=str(ARTIFACTS / "page-campaign-after-switches.png"), full_page=True)
