"""Platform limits as data (issue 18, item 1): roimix's defaults say where they come from, and a limits file
overrides them through its contract, a bad cell named by file, row and column."""

from __future__ import annotations

import pytest

from roimix.errors import UsageError
from roimix.platforms.limits import DEFAULT_LIMITS, UNVERIFIED, platform_of, read_limits
from roimix.tables.problems import TableError
from roimix.text import STRINGS, error_text


def test_defaults_cover_the_sample_platforms_and_say_they_are_unverified():
    where = platform_of(DEFAULT_LIMITS)
    assert {c: where[c].platform for c in where} == {"ztc": "alimama", "wxt": "alimama", "qianchuan": "qianchuan",
                                                     "xiaohongshu": "xiaohongshu"}
    assert where["qianchuan"].min_daily_budget_cny == 50.0  # the 巨量千川 minimum
    assert (where["qianchuan"].budget_column_zh, where["qianchuan"].roi_column_zh) == ("日预算", "支付ROI目标")
    assert where["ztc"].budget_column_zh == "日限额"
    for p in DEFAULT_LIMITS:
        assert p.source == UNVERIFIED and "not verified" in p.source
        assert p.label_key in STRINGS


def test_a_limits_file_overrides_and_adds(tmp_path):
    path = tmp_path / "limits.csv"
    path.write_text("platform,channels,min_daily_budget,max_target_edits_per_day,budget_column_zh,label_zh,source\n"
                    "qianchuan,,100,,,,checked 2026-12-01\n"
                    "jd_jingzhuntong,jd_ads;jd_search,20,2,日预算上限,京准通,\n", encoding="utf-8")
    limits = {p.platform: p for p in read_limits(path)}
    assert limits["qianchuan"].min_daily_budget_cny == 100.0
    assert limits["qianchuan"].max_target_edits_per_day == DEFAULT_LIMITS[1].max_target_edits_per_day  # empty: kept
    assert limits["qianchuan"].source == "checked 2026-12-01"
    jd = limits["jd_jingzhuntong"]
    assert jd.channels == ("jd_ads", "jd_search") and jd.budget_column_zh == "日预算上限"
    assert jd.labels == ("京准通", "京准通") and jd.source == "limits.csv, row 3"


def test_a_bad_cell_names_file_row_and_column(tmp_path):
    path = tmp_path / "limits.csv"
    path.write_text("platform,min_daily_budget,max_target_edits_per_day\n"
                    "qianchuan,50,3\nalimama,thirty,2\nxiaohongshu,50,1.5\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        read_limits(path)
    found = {(p.file, p.column, p.rows) for p in caught.value.problems}
    assert ("limits.csv", "min_daily_budget", (3,)) in found
    assert ("limits.csv", "max_target_edits_per_day", (4,)) in found
    text = error_text(caught.value, "zh")
    assert "limits.csv" in text and "min_daily_budget" in text and "3" in text


def test_a_new_platform_needs_channels_and_a_channel_one_platform(tmp_path):
    path = tmp_path / "limits.csv"
    path.write_text("platform,channels\nqianchuan,\njd,\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_limits(path)
    assert caught.value.message.key == "platforms.err.new_without_channels"
    assert "第 3 行" in error_text(caught.value, "zh") and "row 3" in error_text(caught.value, "en")
    path.write_text("platform,channels\nxiaohongshu,xiaohongshu;qianchuan\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_limits(path)
    assert caught.value.message.key == "platforms.err.channel_twice"
