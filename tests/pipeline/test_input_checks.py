"""Input defects a shop's export really has, met as a user meets them (``roimix plan -t -c -s`` on a
copy of data/sample with the defect injected): nothing is silent, nothing crashes."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from response import FitSettings
from roimix.cli import main
from roimix.messages import Message
from roimix.pipeline import PipelineSettings, _spend_warnings, cell_traffic, run_pipeline
from roimix.tables import TableError
from roimix.text import STRINGS
from roimix.text.pipeline import render_warning

FAST = PipelineSettings(fit=FitSettings(n_bootstrap=0))
FILES = ("touchpoints.parquet", "conversions.parquet", "spend.csv", "channels.csv")


@pytest.fixture
def shop(tmp_path, sample_dir):
    """A fresh copy of the sample's files, to break."""
    for name in FILES:
        shutil.copy(sample_dir / name, tmp_path / name)
    return tmp_path


def plan(folder, *extra) -> list[str]:
    return ["plan", "-t", str(folder / "touchpoints.parquet"), "-c", str(folder / "conversions.parquet"),
            "-s", str(folder / "spend.csv"), "--channels", str(folder / "channels.csv"), "--budget", "9000",
            "--lang", "en", *extra]


def pipeline(folder, **kw):
    return run_pipeline(folder / "touchpoints.parquet", folder / "conversions.parquet", folder / "spend.csv",
                        channels=folder / "channels.csv", settings=FAST, **kw)


def keys(messages) -> list[str]:
    return [m.key for m in messages]


def assert_worded(messages) -> None:
    """Every message is a key with zh and en text that formats with its values."""
    for m in messages:
        assert isinstance(m, Message) and m.key in STRINGS, m
        zh, en = render_warning(m, "zh"), render_warning(m, "en")
        assert zh != en and "{" not in zh + en


# --- 1. spend without clicks ------------------------------------------------------------------------


def test_spend_without_click_columns_fits_and_says_cpc_is_unknown(shop):
    spend = pd.read_csv(shop / "spend.csv")
    spend.drop(columns=["clicks", "new_customer_clicks"]).to_csv(shop / "spend.csv", index=False)
    result = pipeline(shop)  # was: KeyError 'clicks'
    assert result.curves["cpc"].isna().all() and result.curves["new_customer_share"].isna().all()
    assert not result.curves["clicks_known"].any()
    assert Message("pipeline.input.no_clicks", {"columns": ["clicks", "new_customer_clicks"]}) in result.warnings
    assert_worded(result.warnings)


def test_cpc_comes_from_the_days_with_clicks_and_is_never_assumed():
    spend = pd.DataFrame({
        "date": ["2026-03-01", "2026-03-02", "2026-03-01", "2026-03-02", "2026-03-01", "2026-03-02"],
        "channel": ["ztc", "ztc", "wxt", "wxt", "kol", "kol"], "segment": "existing",
        "spend": [100.0, 300.0, 50.0, 70.0, 80.0, 90.0],
        "clicks": [50, np.nan, 0, 0, 40, 30], "new_customer_clicks": [10, np.nan, 0, 0, np.nan, np.nan],
    })
    got = cell_traffic(spend).set_index("channel")
    # ztc: the day without clicks is left out of both sums (100 / 50), not counted as free clicks
    assert got.loc["ztc", "cpc"] == pytest.approx(2.0) and got.loc["ztc", "new_customer_share"] == pytest.approx(0.2)
    assert bool(got.loc["ztc", "clicks_known"])
    # wxt: spend with zero clicks — unknown, not the old silent cpc 1.0
    assert np.isnan(got.loc["wxt", "cpc"]) and not got.loc["wxt", "clicks_known"]
    # kol: clicks known, new-customer clicks not: its cpc stands, the new-customer rule cannot use it
    assert got.loc["kol", "cpc"] == pytest.approx(170 / 70)
    assert np.isnan(got.loc["kol", "new_customer_share"]) and not got.loc["kol", "clicks_known"]


# --- 2. a channel with spend but no touchpoints; duplicated spend series ------------------------------------


def test_copied_channel_is_named_and_its_duplicate_series_flagged(shop, capsys):
    spend = pd.read_csv(shop / "spend.csv")
    copy = spend[spend.channel == "ztc"].assign(channel="ztc_copy")
    pd.concat([spend, copy]).to_csv(shop / "spend.csv", index=False)
    assert main(plan(shop)) == 0
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "ztc_copy" in line]
    assert "Analysis period: 2026-02-01 to 2026-06-30 (the spend table's first and last date, 150 days)" in err
    assert render_warning(Message("pipeline.input.no_touchpoints", {"channel": "ztc_copy"}), "en") in err
    for segment in ("existing", "new"):
        assert render_warning(Message("pipeline.input.duplicate_spend", {
            "cell": f"ztc/{segment}", "other": f"ztc_copy/{segment}", "correlation": 1.0, "how": "identical"}), "en") in err
    assert len([line for line in said if "daily spend" in line]) == 2  # and no other pair


def test_nearly_proportional_spend_is_flagged_with_its_correlation_and_the_sample_is_not(sample_dir):
    spend = pd.read_csv(sample_dir / "spend.csv")
    facts = pd.DataFrame({"kind": "touches", "channel": spend.channel.unique(), "n": 1, "outside": 0})
    assert _spend_warnings(spend, facts) == []  # seven real channels: none duplicates another
    rng = np.random.default_rng(0)
    twin = spend[spend.channel == "qianchuan"].assign(channel="twin")
    twin["spend"] = 1.7 * twin["spend"] * (1 + 0.01 * rng.standard_normal(len(twin)))
    found = _spend_warnings(pd.concat([spend, twin]), pd.concat([facts, facts.iloc[:1].assign(channel="twin")]))
    want = {}
    for segment in ("existing", "new"):
        a = spend[(spend.channel == "qianchuan") & (spend.segment == segment)].sort_values("date").spend
        b = twin[twin.segment == segment].sort_values("date").spend
        want[f"qianchuan/{segment}"] = np.corrcoef(a, b)[0, 1]
    got = {m.values["cell"]: m.values["correlation"] for m in found}
    assert set(got) == set(want) and all(m.values["how"] == "correlated" for m in found)
    assert all(0.99 < got[k] == pytest.approx(want[k], abs=1e-12) for k in want)


# --- 3. dates -------------------------------------------------------------------------------------------


def test_orders_and_touches_far_outside_the_spend_dates_are_named_by_file_row_and_column(shop, capsys):
    orders = pd.read_parquet(shop / "conversions.parquet")
    orders.loc[100, "timestamp"] = pd.Timestamp("2099-01-01 10:00")
    orders.to_parquet(shop / "conversions.parquet", index=False)
    touches = pd.read_parquet(shop / "touchpoints.parquet")
    touches.loc[[7, 9], "timestamp"] = pd.Timestamp("1970-01-01 00:00:01")
    touches.to_parquet(shop / "touchpoints.parquet", index=False)
    assert main(plan(shop)) == 2  # was: a plan, with trend and season terms over 73 years
    err = capsys.readouterr().err
    assert "conversions.parquet, row 102, column timestamp" in err and "2099-01-01 10:00:00" in err
    assert "touchpoints.parquet, rows 9, 11, column timestamp" in err and "1970-01-01" in err
    assert "between 2026-01-02 and 2026-07-30" in err  # 2026-02-01 – 2026-06-30 ± 30 days
    with pytest.raises(TableError) as caught:
        pipeline(shop)
    assert {(p.file, p.column, p.rows, p.n_rows) for p in caught.value.problems} == {
        ("conversions.parquet", "timestamp", (102,), 1), ("touchpoints.parquet", "timestamp", (9, 11), 2)}
    from roimix.text.problems import expected_text  # the app's problems table says it in Chinese

    assert {expected_text(p, "zh") for p in caught.value.problems} == {
        "2026-01-02 至 2026-07-30 之间的时间（花费表区间前后各 30 天）"}


def test_orders_just_after_the_spend_dates_are_left_out_of_the_fit_and_counted(shop):
    orders = pd.read_parquet(shop / "conversions.parquet")
    orders.loc[[5, 6, 7], "timestamp"] = pd.Timestamp("2026-07-05 10:00")
    orders.to_parquet(shop / "conversions.parquet", index=False)
    result = pipeline(shop)
    assert Message("pipeline.input.outside_spend_dates", {"file": "conversions.parquet", "n_rows": 3,
                                                           "first_date": "2026-02-01",
                                                           "last_date": "2026-06-30"}) in result.warnings
    assert result.date_range == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-06-30"))
    assert keys(result.notes) == ["pipeline.date_range"] and result.notes[0].values["n_days"] == 150
    # the fit's history is the spend table's 150 days (was: stretched to 2026-07-05, five days of zero spend)
    assert int(result.fit.summary["n_periods"].iloc[0]) == 150
    assert pd.to_datetime(result.outcome["date"]).max() == pd.Timestamp("2026-06-30")
    assert pd.to_datetime(result.credit["date"]).max() <= pd.Timestamp("2026-06-30")
    assert_worded(result.warnings + result.notes)


# --- 4. exact duplicate orders ---------------------------------------------------------------------------


def test_exact_duplicate_orders_without_order_id_are_counted_and_kept(shop, capsys):
    orders = pd.read_parquet(shop / "conversions.parquet").drop(columns=["order_id"])
    doubled = pd.concat([orders, orders.iloc[:40], orders.iloc[:3]], ignore_index=True)  # 3 rows thrice
    doubled.to_parquet(shop / "conversions.parquet", index=False)
    assert main(plan(shop)) == 0
    assert "43" in capsys.readouterr().err
    result = pipeline(shop)
    assert Message("pipeline.input.duplicate_orders", {"file": "conversions.parquet", "n_rows": 43}) in result.warnings
    # kept: the outcome holds every row's GMV
    assert result.outcome["value"].sum() == pytest.approx(doubled["value"].sum(), rel=1e-12)
    assert result.outcome["conversions"].sum() == len(doubled)


def test_the_sample_as_it_is_has_no_input_warnings(sample_dir):
    result = run_pipeline(sample_dir / "touchpoints.parquet", sample_dir / "conversions.parquet",
                          sample_dir / "spend.csv", channels=sample_dir / "channels.csv", settings=FAST)
    assert [m for m in result.warnings if m.key.startswith("pipeline.input.")] == []
    assert_worded(result.warnings + result.notes)


# --- 5. lift tests ---------------------------------------------------------------------------------------


def test_lift_test_for_a_channel_or_segment_without_spend_is_named_by_row(shop, capsys):
    spend = pd.read_csv(shop / "spend.csv")
    spend[~((spend.channel == "ztc") & (spend.segment == "new"))].to_csv(shop / "spend.csv", index=False)
    pd.DataFrame({"channel": ["ztc", "tmall_live", "ztc"], "segment": ["existing", "existing", "new"],
                  "start": "2026-04-01", "end": "2026-04-14", "spend": 500.0, "incremental_value": 900.0,
                  "standard_error": 100.0}).to_csv(shop / "lifts.csv", index=False)
    code = main(plan(shop, "--lift-tests", str(shop / "lifts.csv")))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "lifts.csv, row 3, column channel" in err and "tmall_live" in err
    assert "lifts.csv, row 4, column segment" in err and "ztc/new" in err
    with pytest.raises(TableError) as caught:
        pipeline(shop, lift_tests=shop / "lifts.csv")
    from roimix.text.problems import expected_text  # the app's problems table says it in Chinese

    assert [p.column for p in caught.value.problems] == ["channel", "segment"]
    for problem in caught.value.problems:
        said = expected_text(problem, "zh")
        assert said.startswith("花费表中存在的渠道（及商品类型）：") and "ztc/existing" in said and "ztc/new" not in said


def test_lift_test_on_a_flat_spend_cell_is_named_not_silently_dropped(shop):
    spend = pd.read_csv(shop / "spend.csv")
    spend.loc[(spend.channel == "wechat_group") & (spend.segment == "existing"), "spend"] = 300.0
    spend.to_csv(shop / "spend.csv", index=False)
    lifts = pd.DataFrame({"channel": ["ztc", "wechat_group"], "segment": ["existing", "existing"],
                          "start": "2026-04-01", "end": "2026-04-14", "spend": [600.0, 300.0],
                          "incremental_value": [1000.0, 500.0], "standard_error": [100.0, 50.0]})
    result = pipeline(shop, lift_tests=lifts)
    assert Message("pipeline.fit.lift_not_identified", {"test": 2, "cell": "wechat_group/existing"}) in result.warnings
    # the cell keeps its attribution prior (or none: unfit); the test does not pretend to calibrate it
    assert result.curves.set_index(["channel", "segment"]).loc[("wechat_group", "existing"), "status"] != "fitted"
    assert_worded(result.warnings)


# --- the checks run where the logs are: DuckDB and Spark give the same facts ------------------------


@pytest.mark.spark
def test_log_checks_are_the_same_sql_on_spark():
    """The facts behind the date, duplicate and touchpoint checks come from one SQL text that Spark
    runs translated (a cluster's logs never come to this machine): both engines agree."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install roimix[spark])")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (Spark needs a JVM; CI has Java 17)")
    from attribution.engines import DuckDBEngine, SparkEngine, query
    from roimix.pipeline import _log_facts_sql

    t = pd.Timestamp
    touches = pd.DataFrame({"user_id": [1, 1, 2, 3, 4], "channel": ["ztc", "ztc", "wxt", "kol", "ztc"],
                            "timestamp": [t("2026-03-01 10:00"), t("1970-01-01"), t("2026-02-20 08:00"),
                                          t("2026-03-31 23:00"), t("2026-05-01")]})
    orders = pd.DataFrame({"user_id": [1, 1, 1, 2, 3, 3], "value": [99.0, 99.0, 99.0, 50.0, 10.0, 12.0],
                           "timestamp": [t("2026-03-02 09:00")] * 3 + [t("2026-02-25"), t("2099-01-01"),
                                                                       t("2026-04-03")]})
    first, last = t("2026-03-01"), t("2026-03-31")

    def facts(engine):
        got = query(touches, orders, lambda tp, cv: _log_facts_sql(tp, cv, first, last, 30), engine=engine)
        return got.sort_values(["kind", "channel"]).reset_index(drop=True).astype({"n": int, "outside": int})

    duck = facts(DuckDBEngine(validate=False))
    expected = pd.DataFrame({"kind": ["duplicate_orders", "orders", "orders_off_spend", "touches", "touches",
                                      "touches"],
                             "channel": [None, None, None, "kol", "wxt", "ztc"],
                             "n": [2, 6, 2, 1, 1, 3], "outside": [0, 1, 0, 0, 0, 2]})  # 2026-05-01 is past 04-30
    pd.testing.assert_frame_equal(duck, expected, check_dtype=False)
    spark = facts(SparkEngine(master="local[1]", validate=False, shuffle_partitions=2))
    pd.testing.assert_frame_equal(spark, duck, check_dtype=False)


def test_the_apps_curves_page_words_the_pipelines_input_warnings_in_the_users_language(sample_dir):
    """The app keeps the fit's Messages and shows the input, lag and lift-test ones on the curves page
    in zh or en (the per-cell ones it words from the curves table itself, so they are not doubled)."""
    from types import SimpleNamespace

    from roimix.app import engine
    from roimix.app.pages.curves import cell_warnings

    no_touch = Message("pipeline.input.no_touchpoints", {"channel": "ztc_copy"})
    uncertain = Message("pipeline.fit.uncertain", {"cell": "ztc/new", "value_cny": 1200.0,
                                                   "low_cny": 0.0, "high_cny": 3900.0})
    table = pd.DataFrame({"channel": ["ztc"], "segment": ["new"], "status": ["fitted"]})
    curves = engine.CurveSet("fitted", table, pd.DataFrame(), (no_touch, uncertain))
    ds = SimpleNamespace(spend=pd.read_csv(sample_dir / "spend.csv"))
    for lang in ("zh", "en"):
        shown = cell_warnings(curves, ds, lang, {})
        assert shown == [render_warning(no_touch, lang)]
    assert "ztc_copy：有花费但触点日志中没有任何触点" in cell_warnings(curves, ds, "zh", {})[0]


def test_the_apps_curves_page_states_an_uncertain_level_in_yuan_a_day(sample_dir):
    """A fitted cell whose level's draws spread widely (a_rel_sd above 0.75) is named with what it brings a day at
    today's spend and the 90 % band of that, from the table's level band (a_low/a, a_high/a of the value)."""
    from types import SimpleNamespace

    from roimix.app import engine
    from roimix.app.pages.curves import cell_warnings

    table = pd.DataFrame({"channel": ["ztc"], "segment": ["new"], "status": ["fitted"], "a": [2000.0],
                          "a_low": [0.0], "a_high": [6000.0], "a_rel_sd": [1.4], "value_at_current": [1200.0]})
    curves = engine.CurveSet("fitted", table, pd.DataFrame(), ())
    ds = SimpleNamespace(spend=pd.read_csv(sample_dir / "spend.csv").query("channel != 'ztc'"))
    en = [w for w in cell_warnings(curves, ds, "en", {}) if "uncertain" in w]
    zh = [w for w in cell_warnings(curves, ds, "zh", {}) if "不确定" in w]
    assert en == ["ztc · New products: its level is uncertain (it brings ¥1.20K a day at today's spend, 90% band "
                  "¥0–¥3.60K across the curve draws); a lift test would narrow it."], en
    assert len(zh) == 1 and "当前花费下每天带来 ¥1,200，曲线抽样的 90% 区间 ¥0–¥3,600" in zh[0], zh


def test_the_apps_curves_page_shows_aggregate_modes_notes(sample_dir):
    """Aggregate mode's own notes (shop events, pools, spend outside the GMV's dates) reach the marketer on the
    curves page, not only the CLI; the data period is on the Data page and not repeated here."""
    from types import SimpleNamespace

    from roimix.app import engine
    from roimix.app.pages.curves import cell_warnings

    outside = Message("aggregate.spend_outside", {"file": "花费.csv", "outcome_first": "2026-02-01",
                                                  "outcome_last": "2026-04-30", "n_rows": 854,
                                                  "spans": ["2026-05-01–2026-06-30"]})
    period = Message("aggregate.period", {"period_days": 1})
    table = pd.DataFrame({"channel": ["ztc"], "segment": ["new"], "status": ["fitted"]})
    curves = engine.CurveSet("fitted", table, pd.DataFrame(), (period, outside))
    ds = SimpleNamespace(spend=pd.read_csv(sample_dir / "spend.csv"))
    assert cell_warnings(curves, ds, "zh", {}) == [
        "花费.csv：854 行花费（2026-05-01–2026-06-30）不在 GMV 表的日期 2026-02-01–2026-04-30 之内，没有 GMV 可拟合，"
        "不参与拟合（更早的花费仍计入其后的延迟效应；“当前花费”仍取自最近的花费）。若漏导了这些日期的 GMV，请补上"]
    assert cell_warnings(curves, ds, "en", {})[0].startswith("花费.csv: 854 rows of spend (2026-05-01–2026-06-30) "
                                                              "fall outside the GMV table's dates")


def test_fit_warnings_print_money_and_ratios_as_people_read_them():
    """``*_cny`` values print as money and ``*_roi`` values as ratios without an exponent (a shop's pooled ROAS
    of 3,600 printed as "3.6e+03"), as :mod:`roimix.messages` says value names print."""
    pool = {"held": ["ztc/new"], "apart": ["wxt/existing"]}
    assert "pooled ROAS of 3,600, each" in render_warning(Message("aggregate.pool", {"pooled_roi": 3600.4, **pool}),
                                                           "en")
    assert "全店合并投产 3.81 收缩：ztc/新品 与它" in render_warning(Message("aggregate.pool",
                                                                 {"pooled_roi": 3.812, **pool}), "zh")
    uncertain = Message("pipeline.fit.uncertain", {"cell": "ztc/new", "value_cny": 1234.5,
                                                   "low_cny": 0.0, "high_cny": 56_000.0, "period": 1})
    assert "it brings ¥1.23K a day at today's spend, 90% band ¥0–¥56.0K" in render_warning(uncertain, "en")
