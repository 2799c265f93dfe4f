"""The independent market simulators (benchmarks/markets): contracts, an exact truth, the stated causal features."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.markets import common, harness  # noqa: E402
from benchmarks.markets.common import BURN_DAYS, VALUE_SIGMA, true_value  # noqa: E402
from benchmarks.markets.harness import MARKETS  # noqa: E402
from roimix.pipeline import _current, campaign_windows, cell_traffic  # noqa: E402
from roimix.tables import read_table  # noqa: E402
from roimix.tables.contracts import (  # noqa: E402
    CHANNELS, CONVERSIONS, CURVES, LIFT_TESTS, OUTCOME, SPEND, TOUCHPOINTS,
)

USERS = 20_000
COUNTERFACTUAL_USERS = 150_000
SEED = 2
STEP = 2.0
"""the counterfactual doubles one cell's steady spend"""


@pytest.fixture(scope="module", params=list(MARKETS))
def market(request):
    return MARKETS[request.param].simulate(USERS, SEED)


def _cell(market, channel, segment="existing"):
    t = market.truth
    return t[(t["channel"] == channel) & (t["segment"] == segment)].iloc[0]


def _spend_series(market, channel, segment="existing"):
    s = market.spend
    return s[(s["channel"] == channel) & (s["segment"] == segment)].sort_values("date")["spend"].to_numpy()


def test_files_pass_the_contracts(market, tmp_path):
    files = market.files(tmp_path)
    for key, contract in (("touchpoints", TOUCHPOINTS), ("conversions", CONVERSIONS), ("spend", SPEND),
                          ("channels", CHANNELS), ("outcome", OUTCOME), ("truth", CURVES)):
        table = read_table(files[key], contract, name=files[key].name)
        assert len(table) > 0
    lifts = harness.lift_tests(market, np.random.default_rng(0))
    lifts.to_csv(tmp_path / "lift.csv", index=False)
    assert len(read_table(tmp_path / "lift.csv", LIFT_TESTS)) == harness.LIFT_TESTS
    # 8 paid channels × 2 segments, 150 days; the outcome is the orders' GMV per day and segment
    assert market.spend["channel"].nunique() == 8 and set(market.spend["segment"]) == {"existing", "new"}
    assert market.spend["date"].nunique() == 150 and len(market.truth) == 16
    assert market.outcome["value"].sum() == pytest.approx(market.conversions["value"].sum(), abs=0.01 * 300)
    assert set(market.channels.loc[market.channels["group"] != "organic", "channel"]) == set(market.spend["channel"])


def test_current_spend_and_traffic_are_what_roimix_computes(market):
    """The truth's current spend, cpc and new-customer share come from the spend table as the pipeline reads it."""
    spend = market.spend.assign(date=pd.to_datetime(market.spend["date"]))
    ours = market.truth.set_index(["channel", "segment"])
    theirs = _current(spend, None).set_index(["channel", "segment"]).join(
        cell_traffic(spend).set_index(["channel", "segment"]))
    theirs = theirs.loc[ours.index]
    np.testing.assert_allclose(ours["current_spend"], theirs["current_spend"], rtol=1e-12)
    np.testing.assert_allclose(ours["cpc"], theirs["cpc"], rtol=1e-12)
    np.testing.assert_allclose(ours["new_customer_share"], theirs["new_customer_share"], rtol=1e-12)
    # today's allocation satisfies both default share rules (the scenario starts feasible)
    t = market.truth
    assert t.loc[t["segment"] == "new", "current_spend"].sum() / t["current_spend"].sum() < 0.15
    clicks = t["current_spend"] / t["cpc"]
    assert (clicks * t["new_customer_share"]).sum() / clicks.sum() < 0.30


@pytest.mark.parametrize("name, channels", [
    ("search_funnel", ("xiaohongshu", "brand_search")),
    ("live_commerce", ("douyin_kol", "qianchuan")),
    ("reach_frequency", ("qianchuan", "tencent_ads")),
])
def test_truth_is_the_steady_state_effect(name, channels):
    """Counterfactual: the same seed with every cell at steady current spend, then one cell at 2×.
    The realised GMV difference per day must match f_k(2x) − f_k(x) from the truth table within
    4 standard errors; with common random numbers the difference is the extra orders only, whose
    variance is at most Δλ·E[v²] per day (E[v²] = AOV²·exp(σ²)). A truth 25 % off must fall outside."""
    module = MARKETS[name]
    scale = COUNTERFACTUAL_USERS / 1_000_000
    x = np.round([c.spend_cny * scale for c in module.DESIGN.cells], 2)  # each cell's typical spend
    steady = np.repeat(x[:, None], BURN_DAYS + 150, axis=1)
    base = module.simulate(COUNTERFACTUAL_USERS, SEED, spend=steady)
    truth = base.truth  # the truth table written beside the steady market (its current spend is x)
    np.testing.assert_allclose(truth["current_spend"], x, rtol=1e-9)
    for channel in channels:
        k = int(truth.index[(truth["channel"] == channel) & (truth["segment"] == "existing")][0])
        moved = steady.copy()
        moved[k] *= STEP
        alt = module.simulate(COUNTERFACTUAL_USERS, SEED, spend=moved)
        realised = (alt.outcome["value"].sum() - base.outcome["value"].sum()) / 150
        x1 = x.copy()
        x1[k] *= STEP
        expected = true_value(truth, x1)[k] - true_value(truth, x)[k]
        aov = module.DESIGN.aov_cny[0]
        se = np.sqrt(150 * expected / aov * aov**2 * np.exp(VALUE_SIGMA**2)) / 150
        assert abs(realised - expected) <= 4 * se, (channel, realised, expected, se)
        if channel == channels[0]:  # the large cell; the second (a harvest or idle channel) is small by design
            assert 4 * se < 0.15 * expected, "the check must be able to tell a truth 25 % off"
        # only that cell's orders changed
        others = alt.causes[alt.causes["cause"] != channel]
        assert len(others) == len(base.causes[base.causes["cause"] != channel])


def test_search_funnel_brand_search_harvests_and_content_is_delayed():
    m = MARKETS["search_funnel"].simulate(USERS, SEED)
    touched = m.touched_value()
    true_inc = m.truth.groupby("channel").apply(
        lambda g: true_value(g, g["current_spend"].to_numpy()).sum(), include_groups=False)
    assert touched["brand_search"] > 20 * true_inc["brand_search"]
    assert touched["wxt"] > 5 * true_inc["wxt"]  # retargeting touches would-be buyers
    assert touched["xiaohongshu"] < 2 * true_inc["xiaohongshu"]
    # brand search spend follows demand: it correlates with GMV though it causes little of it
    gmv = m.outcome[m.outcome["segment"] == "existing"].sort_values("date")["value"].to_numpy()
    assert np.corrcoef(_spend_series(m, "brand_search"), gmv)[0, 1] > 0.5
    # content closes days later, mostly through brand search or direct
    orders = m.conversions.merge(m.causes, on="order_id")
    xhs = orders[orders["cause"] == "xiaohongshu"][["user_id", "timestamp"]]
    tp = m.touchpoints[["user_id", "timestamp", "channel"]]
    j = xhs.merge(tp, on="user_id", suffixes=("_o", "_t"))
    j = j[j["timestamp_t"] < j["timestamp_o"]].sort_values("timestamp_t")
    last = j.groupby(["user_id", "timestamp_o"]).tail(1)
    assert (last["channel"] != "xiaohongshu").mean() > 0.6
    gap = (j[j["channel"] == "xiaohongshu"].groupby(["user_id", "timestamp_o"])["timestamp_t"].max()
           .rsub(j[j["channel"] == "xiaohongshu"].groupby(["user_id", "timestamp_o"])["timestamp_o"].first()))
    assert gap.dt.total_seconds().median() > 2 * 86400


def test_live_commerce_bundle_moves_together_with_different_truths():
    m = MARKETS["live_commerce"].simulate(USERS, SEED)
    for seg in ("existing", "new"):
        assert np.corrcoef(_spend_series(m, "douyin_kol", seg), _spend_series(m, "qianchuan", seg))[0, 1] > 0.9
    assert _cell(m, "douyin_kol")["roi_at_current"] > 2 * _cell(m, "qianchuan")["roi_at_current"]
    assert _cell(m, "douyin_kol")["family"] == "hill" and _cell(m, "douyin_kol")["s"] > 1


def test_reach_frequency_pair_flat_spend_and_a_channel_that_does_nothing():
    m = MARKETS["reach_frequency"].simulate(USERS, SEED)
    assert np.corrcoef(_spend_series(m, "ztc"), _spend_series(m, "wxt"))[0, 1] > 0.9
    assert _cell(m, "tencent_ads")["roi_at_current"] < 0.1
    assert m.touched_value()["tencent_ads"] > 50 * _cell(m, "tencent_ads")["roi_at_current"] * _cell(
        m, "tencent_ads")["current_spend"]
    assert (m.touchpoints["interaction"] == "impression").mean() > 0.2
    # always-on channels: within a 21-day budget period spend barely moves
    days = pd.to_datetime(np.sort(m.spend["date"].unique()))
    period = (np.arange(150) + BURN_DAYS) // 21
    quiet = ~common.in_campaign(m.design, days)
    for channel in ("weibo", "xiaohongshu", "douyin_kol"):
        x = _spend_series(m, channel)
        cv = [np.std(x[(period == p) & quiet]) / np.mean(x[(period == p) & quiet])
              for p in np.unique(period) if ((period == p) & quiet).sum() >= 7]
        assert np.median(cv) < 0.08, channel


def test_curves_calendar_and_stories_differ(market):
    """Non-exp truths incl. an S-shaped Hill; a campaign calendar unlike roimix's templates."""
    t = market.truth
    assert ((t["family"] == "hill") & (t["s"] > 1)).any()
    assert len(set(t["family"]) - {"exp"}) >= 3
    assert (t["family"] != "exp").mean() >= 0.75
    days = pd.to_datetime(market.spend["date"])
    windows = campaign_windows(days.min(), days.max())
    covered = set()
    for s, e in zip(windows["start"], windows["end"]):
        covered |= set(pd.date_range(s, e).date)
    phase_days = {d.date() for p in market.design.calendar for d in pd.date_range(p.start, p.end)}
    assert phase_days and len(phase_days - covered) >= 5, "some campaign days fall outside roimix's templates"
    # the truth's marginal ROI is the curve's slope (a finite difference, independent of curve_slope)
    x = t["current_spend"].to_numpy()
    h = 1e-3 * x
    numeric = (true_value(t, x + h) - true_value(t, x - h)) / (2 * h)
    np.testing.assert_allclose(t["marginal_roi_at_current"], numeric, rtol=1e-5)


def test_lift_tests_measure_the_carry_over_ramp():
    m = MARKETS["search_funnel"].simulate(USERS, SEED)
    lifts = harness.lift_tests(m, np.random.default_rng(1))
    assert len(lifts) == 5 and set(zip(lifts["channel"], lifts["segment"])) == set(
        zip(*m.truth.nlargest(5, "current_spend")[["channel", "segment"]].T.to_numpy()))
    design = m.design
    scale = USERS / 1_000_000
    kol = design.cells[design.cell_index("douyin_kol", "existing")]
    a, b, s = kol.params(scale)
    x = 1000.0
    full = float(common.curve_value(kol.family, a, b, s, x))
    ramp = common.lift_test_effect(kol, scale, x, 14)
    assert 0.5 * full < ramp < full  # a 14-day test of a slow channel sees part of its steady effect
    quick = design.cells[design.cell_index("brand_search", "existing")]
    qa, qb, qs = quick.params(scale)
    assert common.lift_test_effect(quick, scale, x, 14) == pytest.approx(
        float(common.curve_value(quick.family, qa, qb, qs, x)), rel=0.02)


def test_the_asked_for_lift_tests_are_the_plans_top_five_measured_as_the_largest_cells_are(tmp_path):
    """``roimix aggregate + the 5 lift tests it asks for``: the 5 best-ranked cells of the aggregate plan's
    ``lift_tests`` (segments as the plan writes them), each measured by the same protocol as the 5 largest."""
    m = MARKETS["search_funnel"].simulate(USERS, SEED)
    t = m.truth
    ranked = [{"rank": i + 1, "channel": c, "segment": "New products" if s == "new" else "existing",
               "value_cny_per_day": 100.0 - i} for i, (c, s) in enumerate(zip(t["channel"], t["segment"]))][::-1]
    (tmp_path / "plan_roimix_aggregate.json").write_text(json.dumps({"lift_tests": ranked}))
    asked = harness._asked_lift_tests(m, tmp_path, [], 7)
    assert list(zip(asked["channel"], asked["segment"])) == list(zip(t["channel"], t["segment"]))[:5]
    largest = harness.lift_tests(m, np.random.default_rng(1))
    again = harness.lift_tests(m, np.random.default_rng(1), cells=list(zip(largest["channel"], largest["segment"])))
    pd.testing.assert_frame_equal(again, largest)
    (tmp_path / "plan_roimix_aggregate.json").write_text(json.dumps({"lift_tests": ranked[:3]}))
    assert "fewer than 5" in harness._asked_lift_tests(m, tmp_path, [], 7)


def test_seed_sets_are_disjoint_and_the_table_uses_eval_seeds():
    assert not set(harness.DEV_SEEDS) & set(harness.EVAL_SEEDS)
    assert harness.seeds("eval") == (101, 102, 103, 104, 105)
    with pytest.raises(ValueError):
        harness.seeds("101")
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "decision_markets.py"), "--seeds", "dev",
                          "--write", "--markets", "search_funnel"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "evaluation seeds only" in out.stderr


def test_plan_json_is_read_per_cell(tmp_path):
    m = MARKETS["live_commerce"].simulate(USERS, SEED)
    t = m.truth
    plan = [{"channel": c, "segment": "New products" if s == "new" else "Existing products",
             "current_spend": round(x, 2), "spend": round(1.1 * x, 2)}
            for c, s, x in zip(t["channel"], t["segment"], t["current_spend"])][::-1]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"summary": {"uplift_per_day": {"p10": 1, "p50": 2, "p90": 3}}, "plan": plan}))
    spend, summary, current = harness.plan_from_json(path, t)
    np.testing.assert_allclose(spend, (1.1 * t["current_spend"]).round(2))
    np.testing.assert_allclose(current, t["current_spend"].round(2))
    assert summary["uplift_per_day"]["p90"] == 3


def test_rule_check_flags_plans_outside_the_scenario():
    """A peer's plan that breaks a share rule or a bound is named, so it cannot pass for a capture above the oracle."""
    m = MARKETS["search_funnel"].simulate(USERS, SEED)
    t = m.truth
    x = t["current_spend"].to_numpy()
    budget = x.sum()
    assert harness.violations(t, x, budget) == []
    new = t["segment"].eq("new").to_numpy()
    moved = x.copy()
    moved[new] *= 1.9  # new products past 15 % of spend (and the budget)
    moved[~new] *= (budget - moved[new].sum()) / moved[~new].sum()  # back on budget
    found = harness.violations(t, moved, budget)
    assert any(v.startswith("new-product share") for v in found) and not any(v.startswith("budget") for v in found)
    wide = x.copy()
    wide[0], wide[2] = 0.4 * x[0], x[2] + 0.6 * x[0]
    assert any("bounds" in v for v in harness.violations(t, wide, budget))
    score = harness._score(t, x, budget)  # today's allocation gains nothing; the oracle gains something
    assert score.uplift_cny_per_day == pytest.approx(0.0, abs=1e-6) and score.oracle_uplift_cny_per_day > 0


def test_platform_reports_claim_every_order_a_click_of_theirs_preceded_within_the_window():
    """Each platform's own report, by brute force on a hand-made log: an order is claimed in full by every paid
    channel its buyer clicked in the 15 days before it (so two platforms claim the same ¥100), not by an
    impression, a click after the order, a click 16 days before, nor by a channel without spend; claims go to
    the order's day and product segment; spend rows keep their order and count."""
    t0 = pd.Timestamp("2026-07-20 12:00")
    day = pd.Timedelta(days=1)
    touches = pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 2, 3, 3],
        "timestamp": [t0 - 2 * day, t0 - 3 * day, t0 - day, t0 - 16 * day, t0 + day, t0 - day, t0 - 12 * day,
                      t0 - day],
        "channel": pd.Categorical(["ztc", "qianchuan", "wxt", "ztc", "qianchuan", "organic_search", "qianchuan",
                                   "wxt"]),
        "interaction": pd.Categorical(["click", "click", "impression", "click", "click", "click", "click",
                                       "click"]),
    })
    orders = pd.DataFrame({
        "user_id": [1, 2, 3], "timestamp": [t0, t0, t0 + 2 * day], "value": [100.0, 40.0, 7.0],
        "order_id": ["a", "b", "c"], "product_segment": ["existing", "existing", "new"],
    })
    spend = pd.DataFrame({
        "date": ["2026-07-20", "2026-07-20", "2026-07-20", "2026-07-22", "2026-07-22", "2026-07-22"],
        "channel": ["ztc", "qianchuan", "wxt", "ztc", "qianchuan", "wxt"],
        "segment": ["existing", "existing", "existing", "new", "new", "new"],
        "spend": [10.0, 20.0, 30.0, 1.0, 2.0, 3.0],
    })
    out = common.platform_gmv(spend, touches, orders)
    pd.testing.assert_frame_equal(out.drop(columns="platform_gmv"), spend)
    # order a (¥100): ztc and qianchuan clicked 2–3 days before, wxt only seen; order b: ztc 16 days before,
    # qianchuan after the order, organic search unpaid; order c (new, 22nd): qianchuan 14 days and wxt 3 days before
    assert out["platform_gmv"].tolist() == [100.0, 100.0, 0.0, 0.0, 7.0, 7.0]


def test_a_lift_tests_readout_after_its_spend_is_the_markets_own_carry_over():
    """A test read over the days after its spend stopped measures what the market's own carry-over
    (``common.carried``, the process that makes its orders) still delivers then; the tests' own days are
    the same numbers with or without that readout."""
    m = MARKETS["search_funnel"].simulate(USERS, SEED)
    design, scale = m.design, USERS / 1_000_000
    k = design.cell_index("xiaohongshu", "existing")
    cell = design.cells[k]
    a, b, s = cell.params(scale)
    spend = np.zeros((len(design.cells), 60))
    spend[k, :14] = 900.0
    value = common.curve_value(cell.family, a, b, s, common.carried(spend, [c.kernel for c in design.cells])[k])
    assert common.lift_test_effect(cell, scale, 900.0, 14, (14, 28)) == pytest.approx(value[14:28].mean(), rel=1e-9)
    assert common.lift_test_effect(cell, scale, 900.0, 14) == pytest.approx(value[:14].mean(), rel=1e-9)
    assert value[14:28].mean() > 0.3 * value[:14].mean()  # a slow channel: much of the effect comes after

    last = pd.Timestamp(m.spend["date"].max())
    plain = harness.lift_tests_of(design, m.truth, USERS, last, np.random.default_rng(3))
    read = harness.lift_tests_of(design, m.truth, USERS, last, np.random.default_rng(3), readout_after_days=14)
    own, after = read[read["readout_start"].isna()], read[read["readout_start"].notna()]
    pd.testing.assert_frame_equal(own.drop(columns=["readout_start", "readout_end"]).reset_index(drop=True), plain)
    assert (after["readout_start"] == (last + pd.Timedelta(days=1)).strftime("%Y-%m-%d")).all()
    assert (after["readout_end"] == (last + pd.Timedelta(days=14)).strftime("%Y-%m-%d")).all()
    assert after["standard_error"].to_numpy() == pytest.approx(plain["standard_error"].to_numpy())


def test_the_tables_interval_of_a_mean_covers_as_it_says():
    """The results table's interval of a mean capture over 15 runs: on normal runs it holds the true mean in 90 %
    of repeats (2,000 repeats: within 3 binomial s.e.), it is scipy's t interval, and it is wider when the runs
    come from markets with different means than for the same runs with those means removed."""
    from benchmarks.decision_markets import mean_interval
    from scipy import stats

    rng = np.random.default_rng(11)
    held = [lo <= 0.6 <= hi for lo, hi in (mean_interval(rng.normal(0.6, 0.15, 15)) for _ in range(2000))]
    assert abs(np.mean(held) - 0.9) < 3 * np.sqrt(0.9 * 0.1 / 2000)
    x = rng.normal(0.6, 0.15, 15)
    assert mean_interval(x) == pytest.approx(stats.t.interval(0.9, 14, loc=x.mean(), scale=stats.sem(x)))
    markets = np.repeat([0.4, 0.6, 0.8], 5) + rng.normal(0, 0.05, 15)
    by_market = [m - m.mean() + markets.mean() for m in np.split(markets, 3)]  # the same runs, markets' means removed
    lo, hi = mean_interval(markets)
    lo0, hi0 = mean_interval(np.concatenate(by_market))
    assert hi - lo > hi0 - lo0
    assert all(np.isnan(mean_interval([0.5])))
