"""The loop of issue 18 in a real browser: a campaign plan made by ``roimix batch data/scenarios/618.toml`` (without
curve draws, to stay fast), two weeks of actuals simulated on the sample's truth (``roimix generate actuals``:
巨量千川 40 % under plan on days 5–7), uploaded to the 投放执行 page in Chromium. The page must name the deviation as
an alert and show its charts; the screenshots are the README's (``docs/img/loop-pacing-zh.png`` and ``-en.png``,
committed). They are kept in ``test-artifacts/`` on every run and copied to ``docs/img`` only when
``ROIMIX_UPDATE_DOCS_IMAGES=1`` (a test run does not change the work tree)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_browser import ARTIFACTS, ROOT, SLOW, _no_traceback, _settle

from roimix.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DOCS_IMG = ROOT / "docs" / "img"


def _screenshot(page, name: str) -> None:
    """The full page as ``test-artifacts/name``, also as ``docs/img/name`` when ROIMIX_UPDATE_DOCS_IMAGES=1."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    if os.environ.get("ROIMIX_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        (DOCS_IMG / name).write_bytes(shot.read_bytes())
CAMPAIGN_START = "2027-05-20"
"""The app's 大促 page plans 618 of 2027 from its pre-heat (05-20 – 06-21); the shipped scenario adds two regular weeks
before it. The loop here starts where the page's campaign does, so the page can re-plan the uploaded plan's rest."""


@pytest.fixture(scope="module")
def loop_files(tmp_path_factory):
    """(plan.json, spend.csv, gmv.csv) of the loop on the sample, as docs/loop.md runs it."""
    folder = tmp_path_factory.mktemp("loop")
    out = folder / "plans"
    code = main(["batch", str(ROOT / "data" / "scenarios" / "618.toml"), "--out", str(out), "--formats", "json",
                 "--set", "curves.bootstrap=0", "--set", f"horizon.start={CAMPAIGN_START}", "--lang", "zh",
                 "--no-progress"])
    assert code == 0
    plan = out / "618-2027.json"
    assert json.loads(plan.read_text(encoding="utf-8"))["platform_settings"]  # the 投放设置 rows ride along
    actuals = folder / "actuals"
    code = main(["generate", "actuals", "--plan", str(plan), "--truth", str(ROOT / "data" / "sample"),
                 "--days", "14", "--seed", "1", "--out", str(actuals)])
    assert code == 0
    return plan, actuals / "spend.csv", actuals / "gmv.csv"


def _upload(page, key: str, path: Path) -> None:
    page.locator(f".st-key-{key} input[type=file]").set_input_files(str(path))
    page.locator(f".st-key-{key}").get_by_text(path.name).first.wait_for()
    _settle(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pacing_page_with_a_618_plan_and_simulated_actuals(browser_page, server, loop_files, lang):
    plan, spend, gmv = loop_files
    page = browser_page
    page.goto(f"{server}/pacing", wait_until="domcontentloaded")
    if lang == "en":
        page.get_by_role("heading", name="投放执行：计划 vs 实际", exact=True).first.wait_for()
        _settle(page)
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    title = "投放执行：计划 vs 实际" if lang == "zh" else "Pacing: plan vs actuals"
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    _settle(page)
    _upload(page, "pacing-upload-plan", plan)
    _upload(page, "pacing-upload-spend", spend)
    _upload(page, "pacing-upload-gmv", gmv)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=SLOW)
    _settle(page)
    _no_traceback(page)
    alerts = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    said = ("巨量千川 连续 3 天（2027-05-24 至 2027-05-26）花费比计划少" if lang == "zh"
            else "Qianchuan (Douyin ads) spent")
    assert any(said in a for a in alerts), alerts
    if lang == "en":
        assert any(re.search(r"under plan for 3 days \(2027-05-24 to 2027-05-26", a) for a in alerts), alerts
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 2  # spend by channel, GMV by day
    _screenshot(page, f"loop-pacing-{lang}.png")
    if lang == "zh":  # the loop's last step: re-plan the rest on the same page
        _replan(page)
    if lang == "en":  # back to the app's default language for any test after this one
        page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
        _settle(page)


def _replan(page) -> None:
    """重新规划剩余预算: the 大促 page's 618 campaign (the app's fitted curves, phases and rules) re-planned from the day
    after the actuals' last, against the uploaded plan's remaining days; screenshot ``docs/img/loop-replan-zh.png``."""
    page.get_by_role("heading", name="重新规划剩余预算", exact=True).first.wait_for(timeout=SLOW)
    _settle(page)
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert not any("所上传计划的日期" in w for w in warnings), warnings  # the plan's dates are the 大促 page's
    page.locator(".st-key-pacing-replan-run button").click()
    page.locator('[data-testid="stMetricLabel"]').get_by_text("已花费", exact=True).wait_for(timeout=SLOW)
    _settle(page)
    _no_traceback(page)
    assert page.locator(".st-key-pacing-replan-chart").count() == 1
    page.get_by_role("heading", name="重新规划剩余预算", exact=True).first.evaluate(
        "e => e.scrollIntoView({block: 'start'})")  # the app scrolls inside its own frame: bring the section up
    _settle(page)
    _screenshot(page, "loop-replan-zh.png")
