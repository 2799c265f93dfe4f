"""Aggregate mode in a real browser (issue 15): a marketer with daily spend and the shop's total GMV, no journeys.

In Chromium, on a fresh server: switch the Data page to 汇总数据, upload the back office's daily GMV as a CSV
through the page's own uploader, and check what the page says (the period, the shop's GMV to the yuan as the
file has it, the evidence of every channel with spend), then that every page runs without a traceback or a
bare ROI, that the attribution page says there is nothing to attribute, that the curves page draws 平台投产 beside
增量投产 for the channel whose spend file carries the platform's GMV, and that the plan states its range.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_browser import (
    ARTIFACTS, PAGES, _metric, _no_traceback, _one_money_language, _open, _parse_money, _settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AGGREGATE = "汇总数据（花费 + 店铺总 GMV）"
ONLY_AGGREGATE = "仅汇总数据（花费波动对总 GMV）"


def _daily_gmv(sample_dir, path) -> pd.DataFrame:
    """The sample shop's GMV per day and product segment, written as its back office would export it."""
    conv = pd.read_parquet(sample_dir / "conversions.parquet")
    conv["date"] = pd.to_datetime(conv["timestamp"]).dt.strftime("%Y-%m-%d")
    out = (conv.groupby(["date", "product_segment"], as_index=False)["value"].sum()
           .rename(columns={"product_segment": "segment"}))
    out.to_csv(path, index=False)
    return out


def test_aggregate_mode_in_chromium(browser_page, server, sample_dir, tmp_path):
    page = browser_page
    page.goto(f"{server}/data", wait_until="domcontentloaded")  # the Data page's own url (it is also the root's)
    page.get_by_role("heading", name="数据", exact=True).first.wait_for()
    _settle(page)
    assert "Page not found" not in page.locator("body").inner_text()  # Streamlit's English dialog for a default page
    page.locator(".st-key-w-data-mode-zh").get_by_text(AGGREGATE, exact=True).click()
    _settle(page)
    assert "汇总数据模式需要店铺总 GMV 表" in page.locator('[data-testid="stMain"]').inner_text()

    outcome = _daily_gmv(sample_dir, tmp_path / "店铺每日GMV.csv")
    page.locator(".st-key-upload-outcome input[type=file]").set_input_files(str(tmp_path / "店铺每日GMV.csv"))
    page.get_by_text("各渠道的证据").first.wait_for()
    _settle(page)
    # the platforms' own report for 直通车 (3 × its spend), as its ads dashboard would claim
    spend = pd.read_csv(sample_dir / "spend.csv")
    spend["platform_gmv"] = (spend["spend"] * 3.0).where(spend["channel"] == "ztc").round(2)
    spend.to_csv(tmp_path / "花费含平台GMV.csv", index=False)
    page.locator(".st-key-upload-spend input[type=file]").set_input_files(str(tmp_path / "花费含平台GMV.csv"))
    page.get_by_text("花费含平台GMV.csv").first.wait_for()
    _settle(page)
    _no_traceback(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "汇总数据 · 按天" in main, main[:2000]
    days = outcome["date"].nunique()
    assert _metric(page, "GMV 周期数") == f"{days} 天"
    assert _parse_money(_metric(page, "店铺总 GMV")) == pytest.approx(outcome["value"].sum(), rel=5e-4)  # ¥x.xx万
    spend_channels = pd.read_csv(sample_dir / "spend.csv")["channel"].nunique()
    cells = page.evaluate("() => [...document.querySelectorAll('[role=grid] [role=gridcell]')].map(e => e.textContent)")
    assert cells.count(ONLY_AGGREGATE) == spend_channels, ("every channel with spend: the totals only", cells)
    page.screenshot(path=str(ARTIFACTS / "aggregate-data.png"), full_page=True)

    for url, title in PAGES[1:]:
        _open(page, title)
        _no_traceback(page)
        _one_money_language(page, f"aggregate {url}")
        shown = page.locator('[data-testid="stMain"]').inner_text()
        if url == "attribution":
            assert "没有可归因的触点" in shown
        if url == "optimise":
            assert "八成可能在" in shown, "the aggregate fit's draws give the plan a stated range"
        if url == "curves":  # 平台投产 beside 增量投产: the section, its drawn chart and 直通车's row
            assert "平台报表只是带标签的弱参考" in shown
            titles = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
                                   ".map(e => e.textContent)")
            assert "平台投产 vs 增量投产" in titles, titles
            grid = page.evaluate("() => [...document.querySelectorAll('[role=grid] [role=gridcell]')]"
                                 ".map(e => e.textContent)")
            assert "直通车" in grid and "3.00" in grid, grid
        page.screenshot(path=str(ARTIFACTS / f"aggregate-{url}.png"), full_page=True)
