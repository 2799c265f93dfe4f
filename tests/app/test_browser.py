"""End to end in a real browser: ``streamlit run app.py`` on 127.0.0.1, driven by headless Chromium.

Debian's ``chromium`` (``/usr/bin/chromium``) with Playwright's ``executable_path`` and CJK fonts
from ``fonts-noto-cjk`` (both installed by ``scripts/system-deps.sh``, which ``./run-tests`` runs).
A screenshot of every page is kept in ``test-artifacts/`` with the downloaded Excel plan.
"""

from __future__ import annotations

import re

import pytest
from browser_harness import ARTIFACTS, ROOT, SLOW  # noqa: F401  (the other browser modules import them from here)

PAGES = [("data", "数据"), ("attribution", "归因对比"), ("curves", "响应曲线"), ("optimise", "预算优化 · 模拟"),
         ("campaign", "大促计划"), ("scenarios", "方案与导出")]
PAGES_EN = [("data", "Data"), ("attribution", "Attribution"), ("curves", "Response curves"),
            ("optimise", "Optimise · what-if"), ("campaign", "Campaign plan"), ("scenarios", "Scenarios & export")]

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one Streamlit server for them all


def _open(page, title: str) -> None:
    """Click the page in the sidebar (the session and what was typed stay) and wait until it has rendered."""
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    _settle(page)


def _settle(page) -> None:
    """Wait until the script run has finished: the app says it is not running, no spinner, nothing stale,
    and it stays so for half a second (a widget change may start a new run right after the last one)."""
    idle = """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        const state = app && app.getAttribute('data-test-script-state');
        return state && state !== 'running' && state !== 'initial'
            && !document.querySelector('[data-testid="stSpinner"]')
            && !document.querySelector('[data-stale="true"]');
    }"""
    for _ in range(2):
        page.wait_for_function(idle, timeout=SLOW)
        page.wait_for_timeout(500)
    page.wait_for_function(idle, timeout=SLOW)


def _no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "File \"" not in body


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_the_app_in_chromium(browser_page):
    page = browser_page
    page.get_by_role("heading", name="数据", exact=True).first.wait_for()
    page.locator('[data-testid="stMetric"]').first.wait_for()
    _settle(page)

    for url, title in PAGES:
        _open(page, title)
        _no_traceback(page)
        _one_money_language(page, url)
        page.screenshot(path=str(ARTIFACTS / f"page-{url}.png"), full_page=True)

    # move the budget with the keyboard, as a user would, and see the planned GMV change
    _open(page, "预算优化 · 模拟")
    before = _metric(page, "计划增量 GMV/天")
    thumb = page.locator(".st-key-w-whatif-budget-zh input[type=range]")
    thumb.focus()
    for _ in range(25):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """([label, before]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
             .some(m => m.innerText.includes(label)
                        && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() !== before)""",
        arg=["计划增量 GMV/天", before], timeout=SLOW,
    )
    _settle(page)
    after = _metric(page, "计划增量 GMV/天")
    assert after != before
    budget_text = page.locator(".st-key-w-whatif-budget-zh input[type=range]").get_attribute("aria-valuetext")
    page.screenshot(path=str(ARTIFACTS / "page-optimise-budget-moved.png"), full_page=True)
    # 下一笔预算 is folded (a move solves once); a click on its title opens it and plans the next ¥1,000
    assert page.get_by_text("下一笔 ¥1,000/天 投到这里").count() == 0
    page.locator('[data-testid="stExpander"] summary').filter(has_text="下一笔预算投到哪里").click()
    page.get_by_text(re.compile("下一笔 ¥1,000/天 投到这里")).first.wait_for(timeout=SLOW)
    _settle(page)
    _no_traceback(page)
    page.screenshot(path=str(ARTIFACTS / "page-optimise-next-money.png"), full_page=True)

    # the language switch on this very page keeps the moved budget (shown in K now) and the plan
    page.locator(".st-key-w-lang").get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Optimise · what-if", exact=True).first.wait_for()
    _settle(page)
    moved = page.locator(".st-key-w-whatif-budget-en input[type=range]").get_attribute("aria-valuetext")
    assert re.fullmatch(r"¥[\d.,]+K?", moved), moved
    assert _parse_money(moved) == pytest.approx(_parse_money(budget_text), rel=0.01)
    assert _parse_money(_metric(page, "Planned spend")) == pytest.approx(_parse_money(budget_text), rel=0.01)
    page.get_by_text(re.compile(r"The next ¥1\.00K a day goes here")).first.wait_for(timeout=SLOW)  # still open
    page.screenshot(path=str(ARTIFACTS / "page-optimise-en.png"), full_page=True)
    # … and a page switch keeps it too
    _open(page, "Scenarios & export")
    page.screenshot(path=str(ARTIFACTS / "page-scenarios-en.png"), full_page=True)
    page.locator(".st-key-w-lang").get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name="方案与导出", exact=True).first.wait_for()
    _settle(page)
    _open(page, "预算优化 · 模拟")
    again = page.locator(".st-key-w-whatif-budget-zh input[type=range]").get_attribute("aria-valuetext")
    assert _parse_money(again) == pytest.approx(_parse_money(budget_text), rel=0.01)

    # download the Excel plan of the current settings and open it
    _open(page, "方案与导出")
    with page.expect_download(timeout=SLOW) as info:
        page.get_by_role("button", name=re.compile("下载 Excel")).click()
    target = ARTIFACTS / "plan.xlsx"
    info.value.save_as(str(target))
    import openpyxl

    book = openpyxl.load_workbook(target)
    assert {"汇总", "计划", "规则", "假设"} <= set(book.sheetnames)
    from roimix.export.finance import header as column_header

    plan = book["计划"]
    header = [c.value for c in plan[1]]
    rows = list(plan.iter_rows(min_row=2, values_only=True))
    col = header.index(column_header("spend", "zh", per_day=True))
    total = rows[-1][col]
    assert round(sum(r[col] for r in rows[:-1]), 2) == total, "the total row adds up to the fen"
    assert total == pytest.approx(_parse_money(budget_text), rel=0.01), "the plan spends the moved budget"
    _no_traceback(page)

    # every page in English: a screenshot each, and no Chinese left in titles, labels and messages
    page.locator(".st-key-w-lang").get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Scenarios & export", exact=True).first.wait_for()
    _settle(page)
    for url, title in PAGES_EN:
        _open(page, title)
        _no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / f"page-{url}-en.png"), full_page=True)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text() if main.count() else page.locator("body").inner_text()
        _one_money_language(page, f"{url}-en")
        han = [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line)]
        # channel labels are data (the channels table's label_en); the sample's are all English
        assert not han, han[:5]


def _one_money_language(page, where: str) -> None:
    """No bare ROI / unqualified 投产比 or ROAS anywhere on the page as the browser shows it: the text, the
    charts' SVG text (titles, axes, legends, labels) and the tables (glide grids draw on a canvas, so their
    headers and cells are read from the accessible grid), by :func:`app_harness.bare_money_words`."""
    from app_harness import bare_money_words

    shown = page.locator('[data-testid="stMain"]').inner_text()
    svg = page.evaluate("() => [...document.querySelectorAll('svg text')].map(e => e.textContent).join('\\n')")
    grids = page.evaluate("() => [...document.querySelectorAll('[role=grid] [role=columnheader], "
                          "[role=grid] [role=gridcell]')].map(e => e.textContent).join('\\n')")
    hits = bare_money_words("\n".join([shown, svg, grids]))
    assert not hits, (where, hits[:8])


def _parse_money(text: str) -> float:
    m = re.search(r"([\d,]+(?:\.\d+)?)\s*(万|亿|K|M)?", text)
    return float(m.group(1).replace(",", "")) * {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, None: 1}[m.group(2)]
