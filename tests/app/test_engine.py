"""The app's engine adapter, directly: the lean budget sweep agrees with full plans; rules follow the what-if."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roimix.app import engine


@pytest.fixture(scope="module")
def table(sample_dir):
    return pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days"])


def whatif(table, **changes):
    base = engine.WhatIf(budget=float(table["current_spend"].sum()),
                         bounds=tuple((c, 0.0, 3.0, False) for c in table["channel"].unique()))
    return engine.WhatIf(**{**base.__dict__, **changes})


@pytest.mark.parametrize("s_shaped", [False, True])
@pytest.mark.parametrize("objective", ["gmv", "profit"])
def test_the_sweep_agrees_with_a_full_plan_at_every_budget(table, s_shaped, objective):
    frame = table.copy()
    if s_shaped:  # an S-shaped cell sends the sweep through the planner's rounding pass
        frame.loc[0, ["family", "s"]] = ["hill", 2.5]
    planner = engine.SharedPlanner(frame)
    w = whatif(frame, objective=objective, new_customer_cap=0.33)
    budgets = engine.sweep_budgets(w.budget)
    sweep = engine.sweep(planner, w, budgets)
    assert sweep["feasible"].all()
    for row in sweep.itertuples():
        plan = engine.solve(planner, engine.WhatIf(**{**w.__dict__, "budget": row.budget}))
        assert row.gmv == pytest.approx(plan.totals.gmv_cny, rel=1e-5)
        assert row.spend == pytest.approx(plan.totals.spend_cny, rel=1e-5)
    if objective == "gmv":  # (profit stops spending where a yuan no longer pays for itself)
        assert np.all(np.diff(sweep["gmv"]) > 0), "more budget, more GMV"
        if not s_shaped:
            assert np.all(np.diff(sweep["marginal_roi"]) < 0), "diminishing returns"


@pytest.mark.parametrize("s_shaped", [False, True])
def test_with_draws_the_sweep_states_each_budgets_gmv_band_on_the_draws_that_did_not_choose(table, s_shaped):
    """Each point's P10–P90 is that of its plan's GMV over the odd (held-out) draws, widened about the median as
    the headline's range is (OUTCOME_SPREAD_SCALE), recomputed here by brute force from the draws table; without
    draws the band is absent (NaN)."""
    frame = table.copy()
    if s_shaped:
        frame.loc[0, ["family", "s"]] = ["hill", 2.5]
    rng = np.random.default_rng(5)
    draws = pd.concat([frame[["channel", "segment", "family", "a", "b", "s"]].assign(
        draw=d, a=frame["a"] * rng.lognormal(0.0, 0.25, len(frame))) for d in range(120)], ignore_index=True)
    planner = engine.SharedPlanner(frame, draws)
    w = whatif(frame, risk="mean")
    sweep = engine.sweep(planner, w, engine.sweep_budgets(w.budget))
    from optimizer import curves_from_frame
    from optimizer.planner import OUTCOME_SPREAD_SCALE

    for row in sweep.itertuples():
        plan = engine.solve(planner, engine.WhatIf(**{**w.__dict__, "budget": row.budget}))
        x = dict(zip(zip(plan.plan["channel"], plan.plan["segment"]), plan.plan["spend"]))
        totals = []
        for _, g in draws[draws["draw"] % 2 == 1].groupby("draw"):
            cells = curves_from_frame(g.assign(current_spend=1.0, cpc=1.0, new_customer_share=0.0, margin=0.45))
            totals.append(cells.value(np.array([x[(c, s)] for c, s in zip(g["channel"], g["segment"])])).sum())
        totals = np.median(totals) + OUTCOME_SPREAD_SCALE * (np.array(totals) - np.median(totals))
        p10, p90 = np.quantile(totals, [0.1, 0.9])
        assert (row.gmv_p10, row.gmv_p90) == pytest.approx((p10, p90), rel=1e-4)
        assert row.gmv_p10 < row.gmv_p90
    assert engine.sweep(engine.SharedPlanner(frame), w, [w.budget])[["gmv_p10", "gmv_p90"]].isna().all(axis=None)


def test_a_cap_move_reuses_the_sweeps_compiled_problem(table):
    planner = engine.SharedPlanner(table)
    engine.sweep(planner, whatif(table), engine.sweep_budgets(1e4))
    engine.sweep(planner, whatif(table, new_product_cap=0.1), engine.sweep_budgets(1e4))
    assert len(planner.planner._sweeps) == 1


def test_rules_follow_the_what_if(table):
    w = whatif(table, roi_floor=1.2, bounds=(("ztc", 0.5, None, False), ("wxt", 0.0, 2.0, True)))
    rules = {r.name: r for r in engine.channel_rules(w, table)}
    assert rules["bounds:ztc"].lower == 0.5 and rules["bounds:ztc"].upper == engine.UNBOUNDED_X
    assert "lock:wxt" in rules and "bounds:wxt" not in rules
    assert rules["ROI floor"].roi == 1.2
    no_floor = {r.name for r in engine.channel_rules(whatif(table), table)}
    assert "ROI floor" not in no_floor and all(r.startswith("bounds:") for r in no_floor)


def test_a_cold_fit_shows_its_stages_with_progress_and_ends_complete(monkeypatch):
    """Issue 17.8: the first fit shows 读取数据 → 归因 → 拟合曲线 → 求解 with a bar from the start (a status box,
    not an open-ended spinner); the stages are the ones the real pipeline reports, in its order."""
    from app_harness import assert_clean, goto, new_app

    import roimix.pipeline
    from roimix.app import shared

    heard: list[str] = []
    real = roimix.pipeline.run_pipeline

    def listening(*args, progress=None, **kwargs):
        def hear(stage):
            heard.append(stage)
            if progress is not None:
                progress(stage)
        return real(*args, progress=hear, **kwargs)

    monkeypatch.setattr(roimix.pipeline, "run_pipeline", listening)
    engine.fitted_curves.clear()
    engine._FITTED.clear()
    at = goto(new_app(), "optimise")
    assert_clean(at)
    assert heard == list(engine.FIT_STAGES), "the pipeline's stages, each heard once, in order"
    steps = [shared.progress_step(s) for s in heard]
    assert [k for k, _ in steps] == ["app.progress.read", "app.progress.read", "app.progress.attribution",
                                     "app.progress.curves", "app.progress.curves"]
    shares = [v for _, v in steps]
    assert shares == sorted(shares) and shares[0] > 0 and shares[-1] < 0.9
    boxes = at.get("status")
    assert len(boxes) == 1 and boxes[0].label == "响应曲线已拟合（应用运行期间不再重复）"
    assert boxes[0].state == "complete"
    bar = at.get("progress")
    assert len(bar) == 1 and bar[0].text == "4/4 求解"
    # the next pages needing the curves find them fitted (a cache hit replays no progress element): no
    # second status box, no error
    at = goto(at, "curves")
    assert_clean(at)
    assert not at.get("status")
    at = goto(at, "optimise")
    assert_clean(at)
    assert not at.get("status") and at.metric


def test_the_app_engine_imports_without_the_optimizer_and_keeps_its_margin():
    """The optimizer (cvxpy) loads only when a page plans: a page's title shows before that import on a
    cold start (issue 17.8). Checked in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import sys; import roimix.app.engine as e; "
            "print(any(m == 'cvxpy' or m.startswith('optimizer') for m in sys.modules)); print(e.DEFAULT_MARGIN)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    loaded, margin = out.stdout.split()
    assert loaded == "False"
    from optimizer.curves import DEFAULT_MARGIN

    assert float(margin) == DEFAULT_MARGIN
