"""Risk-aware daily campaign plans: CVaR of the campaign's GMV gain across curve draws (optimizer.campaign).

A small campaign (three cells, 12 days, carry-over, a peak phase and the last day's carry-out) with hand-made
draws: one cell's level is uncertain (draws spread about the estimate), the others are certain. Every check
of the objective recomputes each draw's campaign GMV independently: a planner built on that draw's curves
(the estimate's own daily expansion, multipliers, carry-over and carry-out) values the plan, and
:func:`optimizer.draws.cvar` takes the tail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Budget
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon
from optimizer.campaign.calendar import Campaign, Phase
from optimizer.draws import cvar
from optimizer.problem import CVAR_MEAN_WEIGHT
from optimizer.scenario import Objective, Risk

HORIZON = Horizon("2026-06-01", "2026-06-12")
LEVEL = 0.8
N_DRAWS = 30
UNCERTAIN = "xhs"


def _curves() -> pd.DataFrame:
    return pd.DataFrame({
        "channel": ["ztc", UNCERTAIN, "dy"], "segment": ["existing"] * 3, "family": ["exp", "exp", "log"],
        "a": [9000.0, 12000.0, 3000.0], "b": [3000.0, 4000.0, 1500.0], "s": [np.nan] * 3,
        "current_spend": [2000.0, 1500.0, 1000.0], "cpc": [2.0, 1.0, 1.5], "new_customer_share": [0.2, 0.3, 0.2],
        "group": ["paid", "content", "kol"], "key_platform": [False] * 3, "margin": [0.45] * 3,
        "lag_mean_days": [0.5, 2.0, 1.0],
    })


def _campaign() -> Campaign:
    return Campaign("test", (Phase("peak", "2026-06-08", "2026-06-10", 1.8),))


def _draws(curves: pd.DataFrame, n: int = N_DRAWS, spread: float = 0.9, seed: int = 3) -> pd.DataFrame:
    """``n`` draws: the uncertain cell's level × a factor spread evenly over [1 − spread, 1 + spread] (mean 1),
    its scale a little too; the other cells at their estimate in every draw."""
    rng = np.random.default_rng(seed)
    factors = np.linspace(1 - spread, 1 + spread, n)
    rng.shuffle(factors)
    rows = []
    for d in range(n):
        for r in curves.itertuples(index=False):
            a, b = r.a, r.b
            if r.channel == UNCERTAIN:
                a, b = a * factors[d], b * (1.0 + 0.2 * (factors[d] - 1))
            rows.append((d, r.channel, r.segment, r.family, a, b, r.s))
    return pd.DataFrame(rows, columns=["draw", "channel", "segment", "family", "a", "b", "s"])


def _setup(budget: float, risk: str) -> CampaignScenario:
    return CampaignScenario(Budget(budget), Objective("gmv", risk=Risk.parse(risk)), new_product_cap=None,
                            new_customer_cap=None, daily=DailyRules(key_daily_min=None))


_VALUERS: dict = {}


def _valuer(curves: pd.DataFrame, one: pd.DataFrame) -> CampaignPlanner:
    """A planner on one draw's curves (no draws of its own): its ``planned_value`` is that draw's campaign GMV."""
    key = tuple(map(tuple, one[["channel", "family", "a", "b"]].to_numpy()))
    if key not in _VALUERS:
        drawn = curves.drop(columns=["family", "a", "b", "s"]).merge(
            one[["channel", "segment", "family", "a", "b", "s"]], on=["channel", "segment"])
        _VALUERS[key] = CampaignPlanner(drawn, HORIZON, _campaign())
    return _VALUERS[key]


def _per_draw_gain(curves: pd.DataFrame, draws: pd.DataFrame, planner: CampaignPlanner, spend: np.ndarray) -> np.ndarray:
    """Each draw's campaign GMV gain of ``spend`` (daily cells, the planner's order) over today's allocation,
    valued by a planner built on that draw's curves."""
    current = planner.daily.table["current_spend"].to_numpy(dtype=float)
    gains = []
    for _, one in draws.groupby("draw", sort=True):
        other = _valuer(curves, one)
        gains.append(other.planned_value(spend) - other.planned_value(current))
    return np.array(gains)


def _objective(gains: np.ndarray, level: float = LEVEL) -> float:
    return cvar(gains, level) + CVAR_MEAN_WEIGHT * float(gains.mean())


@pytest.fixture(scope="module")
def small():
    curves = _curves()
    draws = _draws(curves)
    planner = CampaignPlanner(curves, HORIZON, _campaign(), draws=draws)
    budget = 1.3 * float(curves["current_spend"].sum()) * planner.daily.n_days
    mean = planner.solve(_setup(budget, "mean"))
    robust = planner.solve(_setup(budget, f"cvar:{LEVEL}"))
    assert mean.solved and robust.solved
    return curves, draws, planner, budget, mean, robust


def _cell_spend(plan, channel: str) -> float:
    return float(plan.daily.loc[plan.daily["channel"] == channel, "spend"].sum())


def test_the_robust_plan_moves_less_money_into_the_uncertain_cell(small):
    curves, _, planner, budget, mean, robust = small
    assert planner.has_draws and not planner.judged_apart  # 30 draws: chosen and judged on all of them
    assert robust.result.risk == f"cvar:{LEVEL}" and mean.result.risk == "mean"
    current = float(curves.set_index("channel").loc[UNCERTAIN, "current_spend"]) * planner.daily.n_days
    mean_extra = _cell_spend(mean, UNCERTAIN) - current
    robust_extra = _cell_spend(robust, UNCERTAIN) - current
    assert mean_extra > 0.1 * current, "on the estimate the uncertain cell is worth more money"
    assert robust_extra < mean_extra - 0.1 * current, (robust_extra, mean_extra)
    assert robust.spend_cny == pytest.approx(budget, rel=1e-6) == mean.spend_cny
    assert mean.gmv_cny > robust.gmv_cny, "the estimate's best plan is the mean plan"


def test_the_robust_objective_is_the_cvar_of_each_draws_campaign_gain(small):
    """The solver's objective (and the plan's stated objective) equals CVaR + weight × mean of the per-draw gains
    recomputed draw by draw, with carry-over, the peak's multiplier and the carry-out."""
    curves, draws, planner, _, _, robust = small
    spend = planner.daily.table[["date", "channel", "segment"]].merge(
        robust.daily[["date", "channel", "segment", "spend"]], how="left")["spend"].to_numpy()
    gains = _per_draw_gain(curves, draws, planner, spend)
    brute = _objective(gains)
    scale = robust.gmv_cny
    ev = robust.result.evidence
    assert ev.objective_cny == pytest.approx(brute, abs=1e-6 * scale)
    assert ev.bound_cny == pytest.approx(brute, abs=1e-5 * scale)  # the solver's own optimum, moved by its gap
    assert cvar(gains, LEVEL) < float(gains.mean()), "the tail is below the mean: the draws matter"


def test_no_feasible_plan_beats_the_robust_plan_on_its_objective(small):
    curves, draws, planner, budget, mean, robust = small
    key = planner.daily.table[["date", "channel", "segment"]]

    def ordered(plan):
        return key.merge(plan.daily[["date", "channel", "segment", "spend"]], how="left")["spend"].to_numpy()

    best = _objective(_per_draw_gain(curves, draws, planner, ordered(robust)))
    tol = 1e-5 * robust.gmv_cny
    x_star, x_mean = ordered(robust), ordered(mean)
    rng = np.random.default_rng(7)
    candidates = [x_mean, 0.5 * (x_star + x_mean)]
    for _ in range(4):  # the budget spent on random days and cells, and small moves from the optimum toward them
        y = rng.dirichlet(np.ones(len(x_star))) * budget
        candidates += [y, 0.9 * x_star + 0.1 * y, 0.99 * x_star + 0.01 * y]
    for x in candidates:
        assert x.sum() == pytest.approx(budget, rel=1e-9) and (x >= 0).all()
        assert _objective(_per_draw_gain(curves, draws, planner, x)) <= best + tol


def test_with_one_draw_equal_to_the_estimate_the_robust_plan_is_the_mean_plan():
    curves = _curves()
    draws = _draws(curves, n=1, spread=0.0)
    planner = CampaignPlanner(curves, HORIZON, _campaign(), draws=draws)
    budget = 1.3 * float(curves["current_spend"].sum()) * planner.daily.n_days
    mean, robust = planner.solve(_setup(budget, "mean")), planner.solve(_setup(budget, "cvar:0.9"))
    assert robust.result.risk == "cvar:0.9"
    assert robust.gmv_cny == pytest.approx(mean.gmv_cny, rel=1e-7)
    np.testing.assert_allclose(robust.daily["spend"], mean.daily["spend"], atol=1e-4 * budget)


def test_the_plan_is_chosen_on_a_few_even_draws_and_judged_on_the_odd_ones():
    """With enough draws the plan sees at most ``choice_draws`` of the even ones; its gain over the even plan is
    stated on the odd ones (widened as a daily plan's range is), which it never saw."""
    from optimizer.planner import MIN_DRAWS_PER_HALF, OUTCOME_SPREAD_SCALE

    curves = _curves()
    n = 2 * MIN_DRAWS_PER_HALF
    draws = _draws(curves, n=n)
    planner = CampaignPlanner(curves, HORIZON, _campaign(), draws=draws, choice_draws=8)
    assert planner.judged_apart and planner.choice_draws.n_draws == 8 and planner.judge_draws.n_draws == n // 2
    budget = 1.3 * float(curves["current_spend"].sum()) * planner.daily.n_days
    setup = _setup(budget, "cvar:0.75")
    plan, even = planner.solve(setup), planner.solve(setup, flat=True)
    chosen = draws[draws["draw"].isin(range(0, 16, 2))]  # the first 8 even draws
    key = planner.daily.table[["date", "channel", "segment"]]
    x = key.merge(plan.daily[["date", "channel", "segment", "spend"]], how="left")["spend"].to_numpy()
    assert plan.result.evidence.objective_cny == pytest.approx(
        _objective(_per_draw_gain(curves, chosen, planner, x), 0.75), abs=1e-6 * plan.gmv_cny)
    out = planner.outcome(plan, even)
    assert out.n_draws == n // 2
    odd = draws[draws["draw"] % 2 == 1]
    y = key.merge(even.daily[["date", "channel", "segment", "spend"]], how="left")["spend"].to_numpy()
    gain = _per_draw_gain(curves, odd, planner, x) - _per_draw_gain(curves, odd, planner, y)
    middle = np.median(gain)
    widened = middle + OUTCOME_SPREAD_SCALE * (gain - middle)
    assert [out.uplift_p10_cny, out.uplift_p50_cny, out.uplift_p90_cny] == pytest.approx(
        np.quantile(widened, [0.1, 0.5, 0.9]).tolist(), rel=1e-6, abs=1e-6 * plan.gmv_cny)


# --- the batch: a scenario file's risk setting, end to end ------------------------------------------------------

SCENARIO = """
name = "risk"
[curves]
source = "file"
file = "{curves}"
[objective]
kind = "gmv"
{risk}
[budget]
times_current = 1.2
[horizon]
start = 2026-06-12
end = 2026-06-21
[calendar]
template = "618"
year = 2026
[rules]
new_product_cap = false
new_customer_cap = false
key_daily_min = false
"""


@pytest.fixture(scope="module")
def kept_curves(tmp_path_factory, sample_dir):
    """The sample's true curves kept with 100 draws beside them (as ``fit --out`` writes them): 小红书's level
    uncertain (× 0.2 … 1.8 across draws), every other cell's level within ±5 %."""
    from roimix.curve_files import write_curves

    curves = pd.read_csv(sample_dir / "truth_curves.csv")
    rng = np.random.default_rng(11)
    rows = []
    for d in range(100):
        wide = rng.uniform(0.2, 1.8)
        for r in curves.itertuples(index=False):
            k = wide if r.channel == "xiaohongshu" else rng.uniform(0.95, 1.05)
            rows.append((d, r.channel, r.segment, r.family, r.a * k, r.b, r.s))
    draws = pd.DataFrame(rows, columns=["draw", "channel", "segment", "family", "a", "b", "s"])
    folder = tmp_path_factory.mktemp("kept")
    write_curves(curves, folder / "curves.csv", draws)
    bare = folder / "bare.csv"
    write_curves(curves, bare)  # no draws beside it
    return folder / "curves.csv", bare


def _scenario(tmp_path, curves, risk: str = ""):
    path = tmp_path / "risk.toml"
    path.write_text(SCENARIO.format(curves=curves.as_posix(), risk=risk), encoding="utf-8")
    return path


def test_a_batch_scenario_plans_robustly_by_default_and_on_the_estimate_with_risk_mean(kept_curves, tmp_path):
    from roimix.scenarios import load_scenario, run_scenario
    from roimix.scenarios.run import _setup

    curves, _ = kept_curves
    assert "xiaohongshu" in set(pd.read_csv(curves)["channel"])
    robust = run_scenario(load_scenario(_scenario(tmp_path, curves)))
    mean = run_scenario(load_scenario(_scenario(tmp_path, curves), ['objective.risk="mean"']))
    assert robust.plan.result.risk == robust.settings.risk == "cvar:0.9"
    assert mean.plan.result.risk == mean.settings.risk == "mean"
    # risk = "mean" is the plan of old: the planner on the curves alone
    setup = _setup(mean.spec, mean.curves, mean.horizon, None, has_draws=True)
    assert setup.objective.risk == Risk("mean")
    alone = CampaignPlanner(mean.curves, mean.horizon, mean.campaign).solve(setup)
    np.testing.assert_allclose(mean.plan.daily["spend"], alone.daily["spend"], rtol=1e-9, atol=1e-6)
    # the robust plan keeps the uncertain channel nearer today's spend than the mean plan does
    current = float(robust.curves.loc[robust.curves["channel"] == "xiaohongshu", "current_spend"].sum()) * 10
    assert abs(_cell_spend(robust.plan, "xiaohongshu") - current) < abs(_cell_spend(mean.plan, "xiaohongshu") - current)
    # the stated range is on the 50 odd draws, never seen by the plan; the assumptions say which risk
    assert robust.outcome.n_draws == mean.outcome.n_draws == 50
    rows = {item: value for item, value, _ in robust.assumptions("en")}
    assert rows["Risk (when the curves have draws)"] == "robust: the mean gain over the worst 10% of curve draws (CVaR 0.9)"
    assert {item: value for item, value, _ in mean.assumptions("en")}["Risk (when the curves have draws)"] == \
        "mean: on the estimate"
    assert robust.finance("en").summary is not None


def test_a_scenario_risk_is_checked_and_cvar_without_draws_is_a_worded_error(kept_curves, tmp_path):
    from roimix.errors import ScenarioError
    from roimix.scenarios import load_scenario, run_scenario
    from worded_errors import raises_worded

    curves, bare = kept_curves
    with raises_worded(ScenarioError, r'objective.risk must be "mean" or "cvar:LEVEL".*got \'cvar:1.5\''):
        load_scenario(_scenario(tmp_path, curves, 'risk = "cvar:1.5"'))
    assert load_scenario(_scenario(tmp_path, curves, 'risk = "cvar:0.8"')).objective.risk == "cvar:0.8"
    with raises_worded(ScenarioError, r"objective.risk = cvar:0.8 needs curve draws"):
        run_scenario(load_scenario(_scenario(tmp_path, bare, 'risk = "cvar:0.8"')))
    plain = run_scenario(load_scenario(_scenario(tmp_path, bare)))  # the default: the mean without draws
    assert plain.plan.result.risk == plain.settings.risk == "mean" and plain.outcome is None


def test_roimix_batch_plans_robustly_by_default_and_risk_mean_plans_on_the_estimate(kept_curves, tmp_path, capsys):
    """``roimix batch`` on curves kept with their draws: the default plan is robust and says so in its assumptions;
    ``--risk mean`` gives the estimate's plan (more GMV on the estimate); a bad ``--risk`` is one line, exit 2."""
    import json

    from roimix.cli import main

    curves, _ = kept_curves
    path = _scenario(tmp_path, curves)

    def run(*flags) -> tuple[dict, pd.DataFrame]:
        out = tmp_path / ("out" + "".join(flags).replace(":", "").replace("-", ""))
        assert main(["batch", str(path), "--out", str(out), "--formats", "json", *flags]) == 0
        doc = json.loads((out / "risk.json").read_text(encoding="utf-8"))
        return {a["item"]: a["value"] for a in doc["assumptions"]}, pd.read_csv(out / "comparison.csv")

    robust, robust_table = run()
    mean, mean_table = run("--risk", "mean")
    key = "Risk (when the curves have draws)"
    assert robust[key].startswith("robust") and "CVaR 0.9" in robust[key] and mean[key] == "mean: on the estimate"
    assert mean_table["expected_gmv"].iloc[0] > robust_table["expected_gmv"].iloc[0]
    assert run("--risk", "cvar:0.8")[0][key].endswith("(CVaR 0.8)")
    capsys.readouterr()
    assert main(["batch", str(path), "--out", str(tmp_path / "bad"), "--risk", "cvar:2"]) == 2
    assert 'objective.risk must be "mean" or "cvar:LEVEL"' in capsys.readouterr().err
