"""The app on the data most shops have (issue 15): spend and the shop's total GMV per day, no journeys, or journeys
for some channels only. Every page works, the Data page says which evidence each channel has, the curves are the
CLI's aggregate fit (the same numbers), and the plan states its range."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from app_harness import assert_clean, frame_with, goto, texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _outcome(sample_dir) -> pd.DataFrame:
    """The sample shop's total GMV per day and product segment: what its back office would export."""
    conv = pd.read_parquet(sample_dir / "conversions.parquet")
    conv["date"] = pd.to_datetime(conv["timestamp"]).dt.strftime("%Y-%m-%d")
    return (conv.groupby(["date", "product_segment"], as_index=False)["value"].sum()
            .rename(columns={"product_segment": "segment"}))


def _upload(at, key: str, name: str, frame: pd.DataFrame):
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return at.file_uploader(key=key).set_value((name, buffer.getvalue().encode(), "text/csv")).run()


def test_aggregate_mode_from_spend_and_total_gmv_runs_every_page(app, sample_dir):
    at = goto(app, "data")
    at.segmented_control(key="w.data.mode.zh").set_value("aggregate").run()
    assert any("汇总数据模式需要店铺总 GMV 表" in e.value for e in at.error)  # said, before the table is there
    at = _upload(at, "upload.outcome", "店铺GMV.csv", _outcome(sample_dir))
    assert_clean(at)
    evidence = frame_with(at, "各渠道的证据")
    spend_channels = set(pd.read_csv(sample_dir / "spend.csv")["channel"])
    assert len(evidence) == len(spend_channels)
    assert set(evidence["各渠道的证据"]) == {"仅汇总数据（花费波动对总 GMV）"}  # no journeys uploaded
    assert any("汇总数据 · 按天" in s for s in texts(at))

    at = goto(at, "attribution")
    assert_clean(at)
    assert any("没有可归因的触点" in i.value for i in at.info)

    at = goto(at, "curves")
    assert_clean(at)
    table = frame_with(at, "各渠道的证据")
    assert set(table["各渠道的证据"]) <= {"仅汇总数据（花费波动对总 GMV）", "仅先验（花费变化不足）", "增量实验校准"}

    at = goto(at, "optimise")
    assert_clean(at)
    assert any("八成可能在" in i.value for i in at.info)  # the fit's draws give the plan a range

    for page in ("campaign", "scenarios"):
        at = goto(at, page)
        assert_clean(at)


def test_the_apps_aggregate_curves_are_the_clis_fit(sample_dir, tmp_path):
    """The app fits aggregate data with run_aggregate, as `roimix fit` does: the same cells, levels and evidence."""
    from types import SimpleNamespace

    from roimix.aggregate import run_aggregate
    from roimix.app import engine

    outcome = _outcome(sample_dir)
    spend = pd.read_csv(sample_dir / "spend.csv")
    channels = pd.read_csv(sample_dir / "channels.csv")
    ds = SimpleNamespace(aggregate=True, spend=spend, outcome=outcome, lift_tests=None, touchpoints=None,
                         conversions=None, channels=channels.assign(label_zh=channels.get("label_zh"),
                                                                    label_en=channels.get("label_en")))
    curves = engine.fit("t", ds)
    cli = run_aggregate(spend, outcome, channels=channels)
    key = ["channel", "segment"]
    a = curves.table.sort_values(key).reset_index(drop=True)
    b = cli.curves.sort_values(key).reset_index(drop=True)
    assert list(a["channel"]) == list(b["channel"]) and list(a["evidence"]) == list(b["evidence"])
    assert a["a"].to_numpy() == pytest.approx(b["a"].to_numpy(), rel=1e-9)
    assert curves.draws is not None and curves.draws["draw"].nunique() == cli.draws["draw"].nunique()


def test_partial_journeys_and_platform_reports_are_named_per_channel(app, sample_dir):
    """Touchpoints for two channels (as Alibaba's own ad products would give), a third with a few buyers' touches
    only, and the platform's own GMV for one: the Data page names each channel's evidence as the fit will use it
    (the third's journeys have too few orders to tell its carry-over), and the fit and plan run on them."""
    touch = pd.read_parquet(sample_dir / "touchpoints.parquet")
    conv = pd.read_parquet(sample_dir / "conversions.parquet")
    few_buyers = touch.loc[(touch["channel"] == "xiaohongshu") & touch["user_id"].isin(conv["user_id"]),
                           "user_id"].unique()[:20]
    touch = touch[touch["channel"].isin(["ztc", "wxt"])
                  | ((touch["channel"] == "xiaohongshu") & touch["user_id"].isin(few_buyers))]
    spend = pd.read_csv(sample_dir / "spend.csv")
    spend["platform_gmv"] = (spend["spend"] * 3.0).where(spend["channel"] == "ztc").round(2)
    at = goto(app, "data")
    at.segmented_control(key="w.data.mode.zh").set_value("aggregate").run()
    at = _upload(at, "upload.outcome", "店铺GMV.csv", _outcome(sample_dir))
    at = _upload(at, "upload.spend", "花费.csv", spend)
    for key, frame in (("upload.touchpoints", touch), ("upload.conversions", conv)):
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        at = at.file_uploader(key=key).set_value((f"{key}.parquet", buffer.getvalue(), "application/octet-stream")).run()
    assert_clean(at)
    view = frame_with(at, "各渠道的证据").set_index("渠道")
    labels = pd.read_csv(sample_dir / "channels.csv").set_index("channel")["label_zh"]
    journeys = {labels[c] for c in ("ztc", "wxt")}
    few = labels["xiaohongshu"]
    for name, row in view.iterrows():
        want = ("汇总数据 + 用户路径给出的延迟效应" if name in journeys
                else "仅汇总数据（用户路径里该渠道的成交不足 50 笔，估不出延迟效应）" if name == few
                else "仅汇总数据（花费波动对总 GMV）")
        assert row["各渠道的证据"] == want, (name, row.to_dict())
        assert row["平台 GMV（对照）"] == ("有" if name == labels["ztc"] else "无")
    at = goto(at, "curves")
    assert_clean(at)
    fitted = frame_with(at, "各渠道的证据")  # the aggregate fit's own evidence per cell
    by_channel = fitted.groupby("渠道")["各渠道的证据"].agg(set)
    lagged = "仅汇总数据（花费波动对总 GMV）  ↻ 延迟效应来自用户路径"  # the level from the aggregate data
    for name in journeys:
        assert by_channel[name] == {lagged}, by_channel
    assert lagged not in set().union(*(by_channel.drop(list(journeys), errors="ignore")))
    assert by_channel[few] == {"仅汇总数据（花费波动对总 GMV）"}, by_channel  # no carry-over from its few journeys
    # 平台投产 beside 增量投产 for the one channel with platform reports: the platform's own GMV ÷ spend, the
    # deflation factor = incremental ÷ platform, each with its band, and the chart of the two
    comparison = frame_with(at, "平台投产").set_index("渠道")
    assert list(comparison.index) == [labels["ztc"]]
    row = comparison.loc[labels["ztc"]]
    assert row["平台投产"] == "3.00"  # platform_gmv was 3 × spend, to the fen
    number = r"(-?\d+\.\d\d)"
    inc, inc_lo, inc_hi = map(float, re.fullmatch(f"{number}（{number}–{number}）", row["增量投产（90% 区间）"]).groups())
    f, f_lo, f_hi = map(float, re.fullmatch(f"{number}（{number}–{number}）", row["折算系数（90% 区间）"]).groups())
    assert inc_lo <= inc <= inc_hi and f_lo <= f <= f_hi
    assert f == pytest.approx(inc / 3.0, abs=0.006) and f_hi == pytest.approx(inc_hi / 3.0, abs=0.006)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    platform_chart = [c for c in charts if c["layout"]["title"]["text"] == "平台投产 vs 增量投产"]
    assert len(platform_chart) == 1 and [tr["x"] for tr in platform_chart[0]["data"]][0] == [3.0]
    at.sidebar.segmented_control(key="w.lang").set_value("en").run()
    assert_clean(at)
    english = frame_with(at, "Platform ROAS").set_index("Channel")
    assert english.iloc[0]["Platform ROAS"] == "3.00" and english.iloc[0]["Factor from"] == "learned from the fit's own level, band from the curve draws"
    at.sidebar.segmented_control(key="w.lang").set_value("zh").run()
    at = goto(at, "optimise")
    assert_clean(at)


def test_an_untested_channel_the_tests_would_raise_is_shown_held_on_the_curves_page(app):
    """Aggregate mode with a lift test of one of two demand-following channels (the world of
    ``tests/response/test_untested_cap.py``): the curves page says the other one is held at its no-test level."""
    import importlib.util
    from pathlib import Path

    where = Path(__file__).resolve().parents[1] / "response" / "test_untested_cap.py"
    spec = importlib.util.spec_from_file_location("untested_cap_world", where)
    world = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(world)
    spend, gmv, test, _ = world._confounded_world(1)
    at = goto(app, "data")
    at.segmented_control(key="w.data.mode.zh").set_value("aggregate").run()
    at = _upload(at, "upload.spend", "spend.csv", spend.assign(segment="existing"))
    at = _upload(at, "upload.outcome", "gmv.csv", gmv)
    at = _upload(at, "upload.lift_tests", "lift.csv", test.assign(start=test["start"].dt.strftime("%Y-%m-%d"),
                                                                   end=test["end"].dt.strftime("%Y-%m-%d")))
    assert_clean(at)
    at = goto(at, "curves")
    assert_clean(at)
    evidence = frame_with(at, "各渠道的证据").set_index("渠道")["各渠道的证据"]
    assert "保持没有实验时的水平（×0." in evidence["B"], evidence.to_dict()
    assert evidence["A"] == "增量实验校准"
