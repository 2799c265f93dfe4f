"""The pacing library (roimix.pacing.core): plan against actuals, per channel and day, alerts as keys.

Properties (hypothesis): actuals equal to the plan give pace 1 everywhere and no alert; the table's planned and
actual spend add up to the inputs' to the fen; one channel 40 % under plan for 3 days gives exactly that alert.
Then the GMV band, the horizon and the keyed errors."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roimix.errors import InputError
from roimix.messages import Message
from roimix.pacing import ALL, MIN_RUN_DAYS, PACE_TOLERANCE, PacingPlan, orders_to_gmv, pace
from worded_errors import raises_worded

CHANNELS = ("ztc", "wxt", "xiaohongshu", "douyin_kol")
START = pd.Timestamp("2027-05-06")

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("50000"), places=2).map(float)
fine_money = st.floats(min_value=0, max_value=50000, allow_nan=False, allow_infinity=False)


@st.composite
def daily_plans(draw):
    channels = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4, unique=True))
    rows = [(c, s, draw(money), draw(money)) for c in channels for s in ("new", "existing")]
    cells = pd.DataFrame(rows, columns=["channel", "segment", "spend", "expected_gmv"]).assign(date=pd.NaT)
    return PacingPlan(cells, None, START, None, "daily")


def as_planned(plan: PacingPlan, days: int) -> pd.DataFrame:
    """Actual spend exactly as a daily plan says, for ``days`` days from its start."""
    frames = [plan.cells.drop(columns=["date", "expected_gmv"]).assign(date=START + pd.Timedelta(days=d))
              for d in range(days)]
    return pd.concat(frames, ignore_index=True)[["date", "channel", "segment", "spend"]]


def fen(values) -> int:
    return int(sum(int(round(v * 100)) for v in values))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=daily_plans(), days=st.integers(1, 12))
def test_actuals_equal_to_the_plan_give_pace_one_and_no_alert(plan, days):
    result = pace(plan, as_planned(plan, days))
    assert result.alerts == ()
    assert (result.channels["pace"] == 1.0).all()
    assert (result.channels["status"] == "on").all()
    assert (result.channels["cum_gap"] == 0).all()
    assert len(result.channels) == days * plan.cells["channel"].nunique()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=daily_plans(), days=st.integers(1, 10), data=st.data())
def test_the_tables_totals_equal_the_inputs_to_the_fen(plan, days, data):
    """Actual rows with sub-fen decimals (platform exports) still add up: per channel and day rounded by largest
    remainder to the paced rows' total."""
    actual = as_planned(plan, days)
    actual["spend"] = data.draw(st.lists(fine_money, min_size=len(actual), max_size=len(actual)))
    result = pace(plan, actual)
    table = result.channels
    assert fen(table["actual_spend"]) == round(float(np.round(actual["spend"].to_numpy() * 100, 6).sum()))
    assert fen(table["planned_spend"]) == days * fen(plan.cells["spend"])
    assert fen(table["actual_spend"]) == round(result.totals["actual_spend"] * 100)
    last = table.groupby("channel").tail(1)  # the running totals end at each channel's sums
    sums = table.groupby("channel", sort=False)[["actual_spend", "planned_spend"]].sum()
    for row in last.itertuples():
        assert round(row.cum_actual_spend * 100) == round(sums.loc[row.channel, "actual_spend"] * 100)
        assert round(row.cum_gap * 100) == round((row.cum_actual_spend - row.cum_planned_spend) * 100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=daily_plans(), before=st.integers(0, 4), after=st.integers(0, 4), data=st.data())
def test_a_channel_40_percent_under_for_3_days_gives_exactly_that_alert(plan, before, after, data):
    channel = data.draw(st.sampled_from(sorted(set(plan.cells["channel"]))))
    cells = plan.cells.copy()
    cells.loc[cells["channel"] == channel, "spend"] = [1000.0, 250.0]  # some spend to be under
    plan = PacingPlan(cells, None, START, None, "daily")
    days = before + 3 + after
    actual = as_planned(plan, days)
    low = (actual["channel"] == channel) & actual["date"].between(START + pd.Timedelta(days=before),
                                                                  START + pd.Timedelta(days=before + 2))
    actual.loc[low, "spend"] = (actual.loc[low, "spend"] * 0.6).round(2)
    result = pace(plan, actual)
    assert len(result.alerts) == 1
    alert = result.alerts[0]
    assert alert.key == "pace.alert.under"
    assert alert.values["channel"] == channel and alert.values["days"] == 3
    assert alert.values["share"] == pytest.approx(0.4, abs=1e-9)
    assert alert.values["gap_cny"] == pytest.approx(3 * 0.4 * 1250.0)
    assert alert.values["first"] == f"{START + pd.Timedelta(days=before):%Y-%m-%d}"


def test_two_days_off_or_a_gap_in_the_run_gives_no_alert():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc"], "segment": ["existing"], "spend": [1000.0],
                                    "expected_gmv": [1500.0]}), None, START, None)
    days = [START + pd.Timedelta(days=d) for d in (0, 1, 3, 4)]  # day 2 is missing: no 3-day run
    actual = pd.DataFrame({"date": days, "channel": "ztc", "segment": "existing", "spend": 500.0})
    result = pace(plan, actual)
    assert result.alerts == ()
    assert [m.key for m in result.notes] == ["pace.note.missing_days"]
    assert result.notes[0].values["dates"] == "2027-05-08"


def test_over_and_unplanned_spend():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc", "wxt"], "segment": "existing",
                                    "spend": [1000.0, 0.0], "expected_gmv": 0.0}), None, START, None)
    days = [START + pd.Timedelta(days=d) for d in range(3)]
    actual = pd.DataFrame({"date": days * 2, "channel": ["ztc"] * 3 + ["wxt"] * 3, "segment": "existing",
                           "spend": [1300.0] * 3 + [10.0] * 3})
    keys = {m.key: m.values for m in pace(plan, actual).alerts}
    assert keys["pace.alert.over"]["share"] == pytest.approx(0.3)
    assert keys["pace.alert.unplanned"] == {"channel": "wxt", "days": 3, "first": "2027-05-06", "last": "2027-05-08",
                                           "spend_cny": 30.0}


def test_the_latest_run_comes_first():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc", "wxt"], "segment": "existing",
                                    "spend": [1000.0, 1000.0], "expected_gmv": 0.0}), None, START, None)
    days = list(pd.date_range(START, periods=8))
    ztc = [500.0] * 3 + [1000.0] * 5  # under on days 1-3
    wxt = [1000.0] * 4 + [1500.0] * 4  # over on days 5-8
    actual = pd.DataFrame({"date": days * 2, "channel": ["ztc"] * 8 + ["wxt"] * 8, "segment": "existing",
                           "spend": ztc + wxt})
    alerts = pace(plan, actual).alerts
    assert [(a.key, a.values["channel"], a.values["days"]) for a in alerts] == [
        ("pace.alert.over", "wxt", 4), ("pace.alert.under", "ztc", 3)]


def test_a_campaign_plan_is_paced_per_date_and_days_outside_it_are_noted():
    dates = pd.date_range(START, periods=4)
    cells = pd.DataFrame({"date": np.repeat(dates, 2), "channel": ["ztc", "wxt"] * 4, "segment": "existing",
                          "spend": [100.0, 50.0, 200.0, 50.0, 400.0, 50.0, 100.0, 50.0], "expected_gmv": 1.0})
    plan = PacingPlan(cells, None, dates[0], dates[-1], "campaign")
    actual = pd.DataFrame({"date": [START - pd.Timedelta(days=1)] + list(dates[:3]), "channel": "ztc",
                           "segment": "existing", "spend": [999.0, 100.0, 200.0, 400.0]})
    result = pace(plan, actual)
    ztc = result.channels[result.channels["channel"] == "ztc"]
    assert list(ztc["planned_spend"]) == [100.0, 200.0, 400.0]
    assert (ztc["pace"] == 1).all()
    notes = {m.key: m.values for m in result.notes}
    assert notes["pace.note.outside_horizon"]["n_days"] == 1
    assert notes["pace.note.days_paced"] == {"n_days": 3, "days": 4}
    assert notes["pace.note.no_rows"]["channels"] == "wxt"  # counted as ¥0, said so
    assert result.totals["actual_spend"] == 700.0  # the day before the horizon is not in it
    assert any(a.key == "pace.alert.under" and a.values["channel"] == "wxt" for a in result.alerts)


# --- GMV and its band ---------------------------------------------------------------------------------------

def _gmv_case(after_values, uplift=(500.0, 1000.0, 1500.0), ref_days=28):
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc"], "segment": ["existing"], "spend": [1000.0],
                                    "expected_gmv": [1500.0]}), uplift, START, None)
    n = len(after_values)
    actual = pd.DataFrame({"date": pd.date_range(START, periods=n), "channel": "ztc", "segment": "existing",
                           "spend": 1000.0})
    ref = 10000.0 + 200.0 * np.tile([-2, -1, 0, 1, 2, 0, 0], 8)[:ref_days]  # mean 10,000 (whole weeks)
    gmv = pd.DataFrame({"date": list(pd.date_range(end=START - pd.Timedelta(days=1), periods=ref_days))
                        + list(pd.date_range(START, periods=n)), "value": list(ref) + list(after_values)})
    return pace(plan, actual, gmv), ref


def test_the_band_is_the_reference_plus_the_plans_uplift_and_the_days_noise():
    result, ref = _gmv_case([11000.0] * 5)
    q10, q90 = np.quantile(ref - ref.mean(), [0.1, 0.9])
    row = result.gmv.iloc[0]
    assert row["segment"] == ALL and row["reference_gmv"] == pytest.approx(10000.0)
    assert row["planned_gmv"] == pytest.approx(11000.0)
    assert row["band_low"] == pytest.approx(10500.0 + q10) and row["band_high"] == pytest.approx(11500.0 + q90)
    assert result.gmv["in_band"].all() and result.alerts == ()


def test_gmv_below_the_band_for_three_days_is_an_alert_and_two_are_not():
    result, _ = _gmv_case([11000.0, 9000.0, 9000.0, 9000.0, 11000.0])
    assert [a.key for a in result.alerts] == ["pace.alert.gmv_below"]
    assert result.alerts[0].values["days"] == 3
    assert list(result.gmv["in_band"]) == [True, False, False, False, True]
    two, _ = _gmv_case([11000.0, 9000.0, 9000.0, 11000.0])
    assert two.alerts == ()


def test_no_band_without_uplift_or_without_a_weeks_reference_and_it_is_said():
    no_uplift, _ = _gmv_case([11000.0] * 3, uplift=None)
    assert no_uplift.gmv["band_low"].isna().all() and no_uplift.gmv["in_band"].isna().all()
    assert "pace.note.no_band_uplift" in [m.key for m in no_uplift.notes]
    short, _ = _gmv_case([11000.0] * 3, ref_days=5)
    assert short.gmv["in_band"].isna().all()
    assert Message("pace.note.no_band_reference", {"file": "outcome", "n_days": 5, "need": 7,
                                                   "start": "2027-05-06"}) in short.notes


def test_segments_get_their_actual_and_reference_and_only_the_shop_total_a_band():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc"], "segment": ["existing"], "spend": [1000.0],
                                    "expected_gmv": [1.0]}), (100.0, 200.0, 300.0), START, None)
    actual = pd.DataFrame({"date": pd.date_range(START, periods=3), "channel": "ztc", "segment": "existing",
                           "spend": 1000.0})
    days = pd.date_range(end=START + pd.Timedelta(days=2), periods=13)
    gmv = pd.concat([pd.DataFrame({"date": days, "segment": "new", "value": 1000.0}),
                     pd.DataFrame({"date": days, "segment": "existing", "value": 9000.0 + 10.0 * np.arange(13)})])
    out = pace(plan, actual, gmv).gmv
    assert list(out["segment"]) == ["existing", "new", ALL] * 3
    total = out[out["segment"] == ALL]
    parts = out[out["segment"] != ALL].groupby("date")["actual_gmv"].sum()
    assert list(total["actual_gmv"]) == list(parts)
    assert out.loc[out["segment"] != ALL, "band_low"].isna().all() and total["band_low"].notna().all()
    assert out.loc[out["segment"] == "existing", "reference_gmv"].iloc[0] == pytest.approx(9045.0)  # 10 days before


def test_orders_are_summed_per_day_and_segment():
    orders = pd.DataFrame({"timestamp": pd.to_datetime(["2027-05-06 10:00", "2027-05-06 23:59", "2027-05-07 00:01"]),
                           "value": [100.0, 50.5, 20.0], "product_segment": ["new", "new", "existing"]})
    out = orders_to_gmv(orders)
    assert out.to_dict("records") == [
        {"date": pd.Timestamp("2027-05-06"), "segment": "new", "value": 150.5},
        {"date": pd.Timestamp("2027-05-07"), "segment": "existing", "value": 20.0}]


# --- errors -------------------------------------------------------------------------------------------------

def test_a_channel_not_in_the_plan_names_file_row_and_column():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc"], "segment": "existing", "spend": [1.0],
                                    "expected_gmv": 0.0}), None, START, None)
    actual = pd.DataFrame({"date": [START] * 3, "channel": ["ztc", "ztc", "小红薯"], "segment": "existing",
                           "spend": 1.0})
    with raises_worded(InputError, r"^spend\.csv: row 4, column channel: channel '小红薯' is not in the plan"):
        pace(plan, actual, spend_file="spend.csv")


def test_no_day_inside_the_horizon_is_an_error_not_an_empty_table():
    plan = PacingPlan(pd.DataFrame({"date": pd.NaT, "channel": ["ztc"], "segment": "existing", "spend": [1.0],
                                    "expected_gmv": 0.0}), None, START, None)
    actual = pd.DataFrame({"date": [START - pd.Timedelta(days=3)], "channel": "ztc", "segment": "existing",
                           "spend": 1.0})
    with raises_worded(InputError, "no day falls inside the plan's horizon"):
        pace(plan, actual)


def test_thresholds_are_the_named_constants():
    assert (PACE_TOLERANCE, MIN_RUN_DAYS) == (0.20, 3)


def test_the_library_imports_only_the_ground_and_raises_keys():
    """The core is pure: no roimix shell import, no file I/O, every raise with message=Message(key, {...})."""
    import ast
    from pathlib import Path

    import roimix.pacing.core as core
    from roimix.text import STRINGS

    tree = ast.parse(Path(core.__file__).read_text(encoding="utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in mods if m and m.startswith("roimix")} <= {"roimix.errors", "roimix.messages"}
    assert not {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)} \
        & {"open", "print"}
    keys = {c.value for c in ast.walk(tree) if isinstance(c, ast.Constant) and isinstance(c.value, str)
            and c.value.startswith("pace.")}
    assert keys and keys <= set(STRINGS), keys - set(STRINGS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            assert not node.exc.args and [k.arg for k in node.exc.keywords] == ["message"], ast.unparse(node)
