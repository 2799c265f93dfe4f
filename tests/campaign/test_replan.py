"""Re-planning the rest of a campaign (issue 18, item 4), held to what no formula here restates:

* the remaining days' effective spend (carry-over included) equals the full horizon's on the same spend;
* Bellman's principle: when the spent days went exactly as planned and no rule spans the horizon, the re-plan
  of the rest is the original plan's rest (to the fen) — the carry-in from the spent days is what makes it so;
* the budget adds up: spent + re-planned = the campaign's total, whatever was overspent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer import RuleError
from optimizer.campaign import CampaignBudget, CampaignPlanner, CampaignScenario, Horizon, template
from optimizer.campaign.replan import replan
from worded_errors import raises_worded

CURVES = Path(__file__).resolve().parents[2] / "data" / "sample" / "truth_curves.csv"
HORIZON = Horizon("2027-05-20", "2027-06-25")
FIRST = pd.Timestamp("2027-06-03")


@pytest.fixture(scope="module")
def curves():
    return pd.read_csv(CURVES)


@pytest.fixture(scope="module")
def full(curves):
    return CampaignPlanner(curves, HORIZON, template("618", 2027))


def _setup(curves, caps: bool = False) -> CampaignScenario:
    budget = CampaignBudget(float(curves["current_spend"].sum()) * HORIZON.n_days * 1.2)
    return CampaignScenario(budget) if caps else CampaignScenario(budget, new_product_cap=None, new_customer_cap=None)


def test_the_rest_sees_the_same_effective_spend_as_the_whole_horizon(curves, full):
    rng = np.random.default_rng(3)
    x = full.daily.table["current_spend"].to_numpy() * rng.uniform(0.0, 3.0, full.daily.n)
    days = full.daily.table["date"]
    k = int((days.iloc[: full.daily.n_days] < FIRST).sum())
    spent = x.reshape(-1, full.daily.n_days)[:, :k]
    rest = CampaignPlanner(curves, Horizon(FIRST, HORIZON.end), template("618", 2027), spent=spent)
    later = (days >= FIRST).to_numpy()
    assert np.allclose(rest.daily.effective(x[later]), full.daily.effective(x)[later], rtol=1e-12, atol=1e-9)
    without = CampaignPlanner(curves, Horizon(FIRST, HORIZON.end), template("618", 2027))  # steady state before
    assert not np.allclose(without.daily.effective(x[later]), full.daily.effective(x)[later], rtol=1e-3)


def test_a_rest_that_went_as_planned_is_planned_again_the_same(curves, full):
    setup = _setup(curves)
    plan = full.solve(setup)
    actual = plan.daily[plan.daily["date"] < FIRST][["date", "channel", "segment", "spend"]]
    again = replan(curves, HORIZON, template("618", 2027), setup, actual, FIRST.date(), original=plan)
    assert again.plan.solved
    rest = plan.daily[plan.daily["date"] >= FIRST].sort_values(["date", "channel", "segment"])
    moved = again.plan.daily["spend"].to_numpy() - rest["spend"].to_numpy()
    # each cell's spend over the rest to five fen; a day by at most 1e-4 of its spend (+ five fen): carry-over makes
    # adjacent days near-substitutes, so the solver may shift a few fen between them (measured: +¥0.060 / −¥0.058
    # on two douyin_kol days of ¥1,926)
    per_cell = pd.Series(moved).groupby([rest["channel"].to_numpy(), rest["segment"].to_numpy()]).sum()
    assert per_cell.abs().max() < 0.05
    assert np.all(np.abs(moved) < 1e-4 * rest["spend"].to_numpy() + 0.05)
    assert again.plan.gmv_cny == pytest.approx(rest["expected_value"].sum(), rel=1e-6)
    assert again.changes["change"].abs().max() < 0.5


def test_an_overspent_start_leaves_less_and_the_total_still_adds_up(curves, full):
    setup = _setup(curves, caps=True)
    plan = full.solve(setup)
    actual = plan.daily[plan.daily["date"] < FIRST][["date", "channel", "segment", "spend"]].copy()
    actual.loc[actual["channel"] == "xiaohongshu", "spend"] *= 1.4  # 小红书 ran 40 % over for two weeks
    again = replan(curves, HORIZON, template("618", 2027), setup, actual, FIRST.date(), original=plan)
    assert again.plan.solved
    assert again.spent_cny == pytest.approx(actual["spend"].sum(), rel=1e-12)
    assert again.spent_cny + again.plan.spend_cny == pytest.approx(setup.budget.total_cny, abs=0.01)
    moved = again.changes.set_index(["channel", "segment"])["change"]
    assert moved.sum() == pytest.approx(-(actual["spend"].sum() - plan.daily.loc[plan.daily["date"] < FIRST,
                                                                                  "spend"].sum()), rel=1e-6)
    assert len(again.binding) and {"rule", "gain_per_unit"} <= set(again.binding.columns)
    assert [m.key for m in again.notes][:2] == ["plan.note.replan.caps_rest", "plan.note.replan.change_restarts"]


def test_missing_rows_are_counted_and_bad_days_or_a_spent_budget_are_named(curves, full):
    setup = _setup(curves)
    plan = full.solve(setup)
    actual = plan.daily[plan.daily["date"] < FIRST][["date", "channel", "segment", "spend"]]
    dropped = actual.iloc[3:]
    again = replan(curves, HORIZON, template("618", 2027), setup, dropped, FIRST.date())
    assert [m.values for m in again.notes if m.key == "plan.note.replan.missing_days"] == [{"cell_days": 3}]
    with raises_worded(RuleError, "is not a day after the campaign's first day"):
        replan(curves, HORIZON, template("618", 2027), setup, actual, HORIZON.start)
    lavish = actual.assign(spend=actual["spend"] * 100)
    with raises_worded(RuleError, "nothing is left for the remaining days"):
        replan(curves, HORIZON, template("618", 2027), setup, lavish, FIRST.date())
