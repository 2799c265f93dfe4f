"""Break-even as a rule (issue 18, item 2): ``RoiFloor(measure="profit")`` keeps margin × GMV ≥ spend, each cell
at its own margin; checked from the plan with the formulas of ``optimizer_cases`` and by brute force."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import Budget, Objective, Planner, RoiFloor, Scenario
from optimizer_cases import random_curves, value
from roimix.report.plan import render


@pytest.fixture(scope="module")
def market():
    df = random_curves(8, 7, families=("exp", "mm", "log"))
    df["channel"] = ["ztc", "ztc", "xhs", "xhs", "dy", "dy", "wx", "wx"]
    df["segment"] = ["existing", "new"] * 4
    return df


def solved(df, rules, budget):
    result = Planner(df).solve(Scenario(Objective("gmv"), Budget(budget, "le"), rules))
    assert result.status in ("optimal", "optimal_inaccurate"), result.messages
    return result, result.plan["spend"].to_numpy()


def test_uniform_margin_is_the_roas_floor_one_over_margin(market):
    """With one margin m everywhere, break-even is the ROAS floor 1/m: two formulations, one plan."""
    df = market.assign(margin=0.4)
    budget = 3.0 * float(df["current_spend"].sum())  # more than break-even allows
    _, x_even = solved(df, (RoiFloor("break-even", 1.0, per="channel", measure="profit"),), budget)
    _, x_roas = solved(df, (RoiFloor("ROI floor", 1 / 0.4, per="channel"),), budget)
    assert np.allclose(x_even, x_roas, rtol=1e-5, atol=0.05 * df["current_spend"].mean() * 1e-3)


def test_each_channel_pays_for_itself_at_its_own_margins(market):
    budget = 3.0 * float(market["current_spend"].sum())
    free, x_free = solved(market, (), budget)
    result, x = solved(market, (RoiFloor("break-even", 1.0, per="channel", measure="profit"),), budget)
    ch, m = market["channel"].to_numpy(), market["margin"].to_numpy()
    v = value(market, x)
    for c in np.unique(ch):
        sel = ch == c
        if x[sel].sum() > 1.0:
            assert (m[sel] * v[sel]).sum() >= x[sel].sum() * (1 - 1e-6), c
    v_free = value(market, x_free)
    assert any((m[ch == c] * v_free[ch == c]).sum() < x_free[ch == c].sum() for c in np.unique(ch))  # it binds
    assert bool(result.rules.set_index("rule").loc["break-even", "binding"])
    assert result.totals.gmv_cny <= free.totals.gmv_cny * (1 + 1e-9)
    by = result.by_channel().set_index("channel")
    for c in np.unique(ch):  # the table's distance is the same fact in ROAS points
        if x[ch == c].sum() > 1.0:
            margin_gmv = (m[ch == c] * v[ch == c]).sum()
            assert by.loc[c, "break_even_roi"] == pytest.approx(v[ch == c].sum() / margin_gmv, rel=1e-9)
            assert by.loc[c, "distance"] >= -1e-6 * by.loc[c, "break_even_roi"]


def test_total_break_even_matches_brute_force():
    """Two cells, budget ≤ B, Σ margin·GMV ≥ Σ spend: the best GMV on a fine grid is the planner's."""
    df = random_curves(2, 11, families=("exp", "mm"))
    df["channel"], df["segment"] = ["a", "b"], ["existing", "existing"]
    df["margin"] = [0.5, 0.3]
    budget = 4.0 * float(df["current_spend"].sum())
    result, x = solved(df, (RoiFloor("break-even", 1.0, measure="profit"),), budget)
    grid = np.linspace(0, budget, 801)
    v0, v1 = (value(df.iloc[[i] * len(grid)], grid) for i in (0, 1))  # each cell's GMV along the grid
    gmv = v0[:, None] + v1[None, :]
    ok = (grid[:, None] + grid[None, :] <= budget) & (0.5 * v0[:, None] + 0.3 * v1[None, :] >= grid[:, None] + grid[None, :])
    best = float(gmv[ok].max())
    got = value(df, x).sum()
    assert 0.5 * value(df, x)[0] + 0.3 * value(df, x)[1] >= x.sum() * (1 - 1e-6)
    step = budget / 800  # the grid's best lies within one step of spend (slope ≤ 6) below the optimum
    assert best - 1e-6 <= got <= best + 6 * 2 * step


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_binding_and_a_conflicting_break_even_are_worded(market, lang):
    budget = 3.0 * float(market["current_spend"].sum())
    result, _ = solved(market, (RoiFloor("break-even", 1.0, measure="profit"),), budget)
    words = [render(m, lang) for m in result.messages if m.key == "optimizer.binding.break_even"]
    assert words and ("保本" in words[0] if lang == "zh" else "break-even" in words[0])
    forced = Planner(market).solve(Scenario(Objective("gmv"), Budget(budget, "eq"),
                                            (RoiFloor("break-even", 1.0, measure="profit"),)))
    assert forced.status == "infeasible"
    relax = [m for m in forced.messages if m.key == "optimizer.relax.break_even"]
    assert relax and 0 < relax[0].values["to_x"] < 1.0
    assert render(relax[0], lang)
