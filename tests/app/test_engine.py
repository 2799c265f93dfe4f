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


def test_a_cap_move_reuses_the_sweeps_compiled_problem(table):
    planner = engine.SharedPlanner(table)
    engine.sweep(planner, whatif(table), engine.sweep_budgets(1e4))
    engine.sweep(planner, whatif(table, new_product_cap=0.1), engine.sweep_budgets(1e4))
    assert len(planner.programs) == 1


def test_rules_follow_the_what_if(table):
    w = whatif(table, roi_floor=1.2, bounds=(("ztc", 0.5, None, False), ("wxt", 0.0, 2.0, True)))
    rules = {r.name: r for r in engine.channel_rules(w, table)}
    assert rules["bounds:ztc"].lower == 0.5 and rules["bounds:ztc"].upper == engine.UNBOUNDED_X
    assert "lock:wxt" in rules and "bounds:wxt" not in rules
    assert rules["ROI floor"].roi == 1.2
    no_floor = {r.name for r in engine.channel_rules(whatif(table), table)}
    assert "ROI floor" not in no_floor and all(r.startswith("bounds:") for r in no_floor)
