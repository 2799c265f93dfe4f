"""A campaign plan's gain over the even plan across curve draws (optimizer.campaign.outcome).

Checked against re-planning: under a draw that scales each cell's level, the campaign GMV of a
fixed daily plan is the planner's own valuation on the scaled curves (carry-over and carry-out
included), so each draw's gain must equal the difference of two such valuations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, Horizon, template
from optimizer.campaign.outcome import campaign_outcome
from roimix.scenarios.spec import CurvesSection


def _scaled_draws(curves: pd.DataFrame, factors: np.ndarray) -> pd.DataFrame:
    """One draw per row of ``factors`` (draws × cells): each cell's level times its factor."""
    rows = []
    for d, f in enumerate(factors):
        for (c, s, fam, a, b, sh), k in zip(curves[["channel", "segment", "family", "a", "b", "s"]].itertuples(
                index=False), f):
            rows.append((d, c, s, fam, a * k, b, sh))
    return pd.DataFrame(rows, columns=["draw", "channel", "segment", "family", "a", "b", "s"])


def test_each_draws_gain_is_the_planners_own_valuation_on_that_draws_curves(truth_curves):
    curves = truth_curves.drop(columns=["lag_mean_days"])
    horizon, campaign = Horizon("2026-05-20", "2026-06-20"), template("618", 2026)
    planner = CampaignPlanner(truth_curves, horizon, campaign)
    budget = float(truth_curves.current_spend.sum()) * planner.daily.n_days
    setup = CampaignScenario(Budget(budget))
    plan, even = planner.solve(setup), planner.solve(setup, flat=True)
    factors = np.random.default_rng(0).uniform(0.3, 2.0, size=(4, len(curves)))
    out = campaign_outcome(curves, _scaled_draws(curves, factors), plan, even)
    gains = []
    key = ["date", "channel", "segment"]
    for f in factors:
        scaled = truth_curves.assign(a=truth_curves.a * f)
        other = CampaignPlanner(scaled, horizon, campaign)
        order = other.daily.table[key].merge(plan.daily[key + ["spend"]], on=key, how="left")["spend"].to_numpy()
        flat = other.daily.table[key].merge(even.daily[key + ["spend"]], on=key, how="left")["spend"].to_numpy()
        gains.append(other.planned_value(order) - other.planned_value(flat))
    assert [out.uplift_p10_cny, out.uplift_p50_cny, out.uplift_p90_cny] == pytest.approx(
        np.quantile(gains, [0.1, 0.5, 0.9]).tolist(), rel=1e-9)
    assert out.prob_better_than_current == np.mean(np.array(gains) > 0)
    assert out.uplift_p50_cny != pytest.approx(plan.gmv_cny - even.gmv_cny, rel=1e-3)  # the draws matter
    same = campaign_outcome(curves, _scaled_draws(curves, np.ones((3, len(curves)))), plan, even)
    assert same.uplift_p10_cny == pytest.approx(plan.gmv_cny - even.gmv_cny, rel=1e-9) == same.uplift_p90_cny


def test_a_fitted_scenario_states_its_gain_over_the_even_plan_as_a_range(run_618):
    """The shipped 618 scenario fits its curves (with draws by default): its finance summary carries the
    gain over the even plan as P10 / P50 / P90 and the chance it beats it, stated on the half of the draws the
    plan was not chosen on, and the point estimate's gain lies inside the P10–P90 range."""
    out = run_618.outcome
    assert out is not None and out.n_draws == CurvesSection().bootstrap // 2 == 200
    assert run_618.plan.result.risk == "cvar:0.9"  # the default, as for daily plans
    assert out.uplift_p10_cny <= out.uplift_p50_cny <= out.uplift_p90_cny
    point = run_618.plan.gmv_cny - run_618.flat.gmv_cny
    assert out.uplift_p10_cny <= point <= out.uplift_p90_cny
    summary = run_618.finance("zh").summary.set_index("key")
    assert summary.loc["gain_vs_flat_p50", "value"] == round(out.uplift_p50_cny, 2)
    assert summary.loc["prob_better_than_flat", "format"] == "share"


def test_a_scenario_on_a_kept_curves_file_reads_its_draws_and_states_the_same_range(run_618, fit_cache, tmp_path):
    """Curves kept with their draws (:func:`roimix.curve_files.write_curves`, what ``plan --curves-out`` and
    ``fit --out`` write) and planned from the file in a batch scenario give the fitted scenario's plan and its
    range; without the draws file the scenario states no range."""
    import dataclasses

    from roimix.curve_files import draws_path, write_curves
    from roimix.scenarios import run_scenario

    fitted = next(iter(fit_cache.fits.values()))
    kept = tmp_path / "kept.csv"
    assert write_curves(fitted.curves, kept, fitted.draws) == draws_path(kept)
    spec = run_618.spec  # with the template's multipliers: estimating them needs the fit's history
    spec = dataclasses.replace(spec, calendar=dataclasses.replace(spec.calendar, estimate=False))
    on_fit = run_scenario(spec, fit_cache)
    on_file = dataclasses.replace(spec, curves=dataclasses.replace(spec.curves, source="file", file=kept))
    again = run_scenario(on_file)
    assert again.plan.gmv_cny == pytest.approx(on_fit.plan.gmv_cny, rel=1e-6)
    assert again.outcome is not None and again.outcome.n_draws == on_fit.outcome.n_draws == 200
    assert [again.outcome.uplift_p10_cny, again.outcome.uplift_p90_cny] == pytest.approx(
        [on_fit.outcome.uplift_p10_cny, on_fit.outcome.uplift_p90_cny], abs=0.5)  # to the yuan (solver tolerance)
    draws_path(kept).unlink()
    assert run_scenario(on_file).outcome is None
