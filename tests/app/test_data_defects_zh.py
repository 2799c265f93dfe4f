"""Issue 12's input defects through the Data page in Chinese: every one is either accepted or explained, and
nothing the page shows is an English sentence (the tables engine's words are translated, not passed on)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from app_harness import assert_clean, goto, page_strings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FUNCTION_WORDS = {"a", "an", "the", "of", "to", "is", "are", "and", "or", "not", "no", "in", "per", "with", "for",
                  "at", "be", "has", "have", "than", "from", "on"}


def english_sentences(text: str) -> list[str]:
    """Runs of four or more English words separated by single spaces with at least one function word (a sentence,
    not an identifier list like ``user_id, timestamp``)."""
    runs = re.findall(r"[A-Za-z][A-Za-z'’-]*(?: [A-Za-z][A-Za-z'’-]*){3,}", text)
    return [r for r in runs if FUNCTION_WORDS & {w.lower() for w in r.split()}]


def test_the_sentence_rule():
    assert english_sentences("应为：at most 10 (the stated ceiling; a larger amount is a unit or export error)")
    assert english_sentences("What was loaded before is kept. Fix the file and upload it again.")
    assert not english_sentences("列：date, channel, [segment], spend, [clicks]")
    assert not english_sentences("不超过 10,000,000,000（规定的上限）") and not english_sentences("roimix 示例 CSV UTF-8")


def _csv(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False).encode(encoding)


@pytest.fixture(scope="module")
def sample(sample_dir):
    spend = pd.read_csv(sample_dir / "spend.csv")
    conversions = pd.read_parquet(sample_dir / "conversions.parquet").head(400)
    return spend, conversions


def _defects(sample, sample_dir):
    spend, conv = sample
    ztc = spend[spend["channel"] == "ztc"].assign(channel="ztc_copy")
    late = conv.copy()
    late.loc[late.index[0], "timestamp"] = pd.Timestamp("2099-01-01 10:00")
    doubled = pd.concat([conv.drop(columns=["order_id"]), conv.drop(columns=["order_id"]).head(5)])
    big = spend.astype({"spend": object}).copy()
    big.loc[big.index[3], "spend"] = "1e300"
    labelled = spend.replace({"channel": {"ztc": "直通车", "wxt": "万相台"}})
    lift = b"channel,segment,start,end,spend,incremental_value,standard_error\nnot_a_channel,existing,2026-04-01,2026-04-14,1200,6000,500\n"
    return [
        ("spend", "无点击.csv", _csv(spend.drop(columns=["clicks", "new_customer_clicks"])), False),
        ("spend", "复制渠道.csv", _csv(pd.concat([spend, ztc])), False),
        ("conversions", "2099.csv", _csv(late), None),
        ("spend", "只有表头.csv", b"date,channel,segment,spend\n", True),
        ("spend", "1e300.csv", _csv(big), True),
        ("conversions", "重复订单.csv", _csv(doubled), None),
        ("lift_tests", "未知渠道.csv", lift, None),
        ("spend", "中文渠道名_gbk.csv", _csv(labelled, "gb18030"), False),
        ("spend", "坏编码.csv", b"date,channel,spend\n2026-06-01,\xff\xfe,1\n", True),
        ("spend", "负数.csv", _csv(spend.assign(spend=-spend["spend"])), True),
    ]


def test_every_defect_is_accepted_or_explained_in_chinese(app, sample, sample_dir):
    at = goto(app, "data")
    found = {}
    for table, name, payload, rejected in _defects(sample, sample_dir):
        at.file_uploader(key=f"upload.{table}").set_value((name, payload, "text/csv")).run()
        if rejected is False:
            assert_clean(at)
        assert not at.exception, (name, [e.value for e in at.exception])
        problems = [d.value for d in at.dataframe if "应为" in d.value.columns]
        shown_problem = any(name in set(p["文件"]) for p in problems)
        if rejected is not None:
            assert shown_problem is rejected, (name, problems)
        sentences = [s for text in page_strings(at) for s in english_sentences(text)]
        if sentences:
            found[name] = sorted(set(sentences))[:5]
    assert not found, found


def test_spend_written_with_the_channel_labels_is_mapped_and_an_unknown_spelling_is_named(app, sample, sample_dir):
    spend, _ = sample
    at = goto(app, "data")
    touch = (sample_dir / "touchpoints.parquet").read_bytes()
    at.file_uploader(key="upload.touchpoints").set_value(("触点.parquet", touch, "application/octet-stream")).run()
    assert_clean(at)
    labelled = spend.replace({"channel": {"ztc": "直通车", "wxt": "万相台"}})
    at.file_uploader(key="upload.spend").set_value(("花费.csv", _csv(labelled), "text/csv")).run()
    assert_clean(at)
    assert any("直通车 → ztc" in i.value and "万相台 → wxt" in i.value for i in at.info), [i.value for i in at.info]
    groups = next(d.value for d in at.dataframe if "分组" in d.value.columns)
    assert "直通车 ★" in " ".join(groups.iloc[:, 1]) and "直通车" not in set(groups.iloc[:, 0])
    # a spelling neither file nor the channels table knows: rejected, naming both spellings and the rows
    odd = spend.replace({"channel": {"ztc": "zhitongche"}})
    at.file_uploader(key="upload.spend").set_value(("花费2.csv", _csv(odd), "text/csv")).run()
    problems = next(d.value for d in at.dataframe if "应为" in d.value.columns)
    row = problems[problems["文件"] == "花费2.csv"].iloc[0]
    assert row["实际值"] == "zhitongche" and "ztc" in row["应为"] and row["列"] == "channel"
    first = int(row["行"].split(",")[0].split(" ")[0])
    assert odd.iloc[first - 2]["channel"] == "zhitongche", "the row numbers are the spreadsheet's"
    assert any("花费.csv" in s.value for s in at.success), "the accepted spend file is kept"
