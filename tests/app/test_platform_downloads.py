"""The app's downloads carry the 投放设置 sheet as ``roimix plan`` and ``roimix batch`` write it (issue 18, item 1): the
scenarios page's plan and the 大促 page's daily plan, built from the page's own curves and spend history."""

from __future__ import annotations

import io

import openpyxl
from app_harness import assert_clean, goto, on_the_estimate

from roimix.app.data import SAMPLE


def _captured(monkeypatch, name: str) -> list:
    from roimix.app import exports

    made, files = getattr(exports, name), []

    def keep(kind, *args, **kwargs):
        data = made(kind, *args, **kwargs)
        files.append((kind, data))
        return data

    monkeypatch.setattr(exports, name, keep)
    return files


def _last_xlsx(files: list) -> bytes:
    xlsx = [d for kind, d in files if kind == "xlsx"]
    assert xlsx, "the page offered an Excel download"
    return xlsx[-1]


def _platform_total(data: bytes) -> tuple[list[str], float]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["投放设置"].iter_rows(values_only=True))
    head = list(rows[0])
    return book.sheetnames, rows[-1][head.index("日预算（元）")]


def test_the_scenarios_page_plan_download_has_the_platform_sheet(demo_app, monkeypatch):
    files = _captured(monkeypatch, "plan_file")
    at = goto(demo_app, "scenarios")
    assert_clean(at)
    data = _last_xlsx(files)
    sheets, total = _platform_total(data)
    assert "投放设置" in sheets
    book = openpyxl.load_workbook(io.BytesIO(data))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert round(total, 2) == round(summary["计划花费（元/天）"], 2), "the 日预算 add up to the plan's spend"


def test_the_scenarios_page_plan_download_names_the_cells_beyond_the_history(app, monkeypatch, sample_dir):
    """Twice today's budget puts cells above their highest day of spend: the download's 超出历史花费 sheet names the
    same cells as the optimise page's warning, each with the sample spend.csv's highest day (brute force)."""
    import pandas as pd

    from roimix.app import shared

    files = _captured(monkeypatch, "plan_file")
    at = goto(app, "optimise")
    today = float(at.select_slider(key="w.whatif.budget.zh").value)
    at.select_slider(key="w.whatif.budget.zh").set_value(shared.budget_at(today, 200)).run()
    (warning,) = [w.value for w in at.warning if "历史上花费最高的一天" in w.value]
    at = goto(at, "scenarios")
    assert_clean(at)
    rows = list(openpyxl.load_workbook(io.BytesIO(_last_xlsx(files)))["超出历史花费"].iter_rows(values_only=True))
    spend = pd.read_csv(sample_dir / "spend.csv")
    highest = spend.groupby(["channel", "segment", "date"])["spend"].sum().groupby(["channel", "segment"]).max()
    assert rows[0][:2] == ("渠道", "商品") and warning.startswith(f"{len(rows) - 1} 个格子")
    for channel, segment, planned, top, ratio in rows[1:]:
        cell = (channel, {"老品": "existing", "新品": "new"}.get(segment, segment))
        assert top == round(highest[cell], 2) and planned > top and round(planned / top, 2) == round(ratio, 2)


def test_the_campaign_page_download_names_the_days_beyond_the_history(demo_app, monkeypatch):
    """The 大促 page's warning and its download's 超出历史花费 sheet name the same cells."""
    import re

    import pandas as pd

    files = _captured(monkeypatch, "campaign_file")
    at = goto(on_the_estimate(demo_app), "campaign")
    assert_clean(at)
    (warning,) = [w.value for w in at.warning if "历史上花费最高的一天" in w.value]
    labels = dict(pd.read_csv(SAMPLE / "channels.csv")[["label_zh", "channel"]].itertuples(index=False))
    named = {(labels[c], s) for c, s in re.findall(r"([^：；]+)·(老品|新品) ¥", warning)}
    rows = list(openpyxl.load_workbook(io.BytesIO(_last_xlsx(files)))["超出历史花费"].iter_rows(values_only=True))[1:]
    assert named and {(c, {"existing": "老品", "new": "新品"}.get(s, s)) for c, s, *_ in rows} == named


def test_the_campaign_page_download_has_the_platform_sheet_per_day(demo_app, monkeypatch):
    files = _captured(monkeypatch, "campaign_file")
    at = goto(on_the_estimate(demo_app), "campaign")
    assert_clean(at)
    data = _last_xlsx(files)
    sheets, total = _platform_total(data)
    assert "投放设置" in sheets
    book = openpyxl.load_workbook(io.BytesIO(data))
    daily = list(book[sheets[sheets.index("投放设置") - 1]].iter_rows(values_only=True))
    head = list(daily[0])
    spend = [h for h in head if str(h).startswith("花费")][0]
    assert round(total, 2) == round(daily[-1][head.index(spend)], 2), "the 日预算 add up to the daily plan's total"
