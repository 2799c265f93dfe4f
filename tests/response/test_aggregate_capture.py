"""Aggregate mode pools a cell toward the same channel's better-known cell in another segment
(:func:`roimix.aggregate.channel_pool`), not only toward the shop's ROI.

The world: four channels, each with an existing-product cell and a new-product cell that spends a tenth
as much on the same weekly plan (own daily jitter), exp curves, one outcome per segment with AR(1) noise.
Channel c0 returns 2.5 in both segments, the others 0.5: the new-product cells' own data say little (a
tenth of the spend against a GMV as large, noise 3 %), the existing ones (noise 1 %) set c0 apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Bounds, Budget, Objective, Planner, Scenario
from optimizer.scenario import Risk
from response import FitSettings
from roimix.aggregate import AggregateSettings, run_aggregate

NO_CAMPAIGNS = pd.DataFrame(columns=["start", "end"])
QUICK = FitSettings(n_bootstrap=60, families=("exp",), lag_candidates_periods=(0.0,))
ROIS = (2.5, 0.5, 0.5, 0.5)
SPEND = {"existing": 4000.0, "new": 400.0}
BASE = {"existing": 40_000.0, "new": 40_000.0}


def _world(seed: int, days: int = 140, noise: dict = {"existing": 0.01, "new": 0.03}):
    """(spend, outcome, truth): a, b of exp curves per cell with average ROI ``ROIS`` at mean spend = b."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2026-03-02", periods=days, freq="D")
    weeks = np.arange(days) // 7
    rows, truth, outcome = [], [], []
    plans = [np.exp(rng.normal(0, 0.3, weeks.max() + 1))[weeks] for _ in ROIS]  # one weekly plan per channel
    for segment, mean in SPEND.items():
        effect = np.zeros(days)
        for k, roi in enumerate(ROIS):
            x = mean * plans[k] * np.exp(rng.normal(0, 0.1, days))
            a = roi * mean / (1 - np.exp(-1.0))
            effect += a * -np.expm1(-x / mean)
            rows.append(pd.DataFrame({"date": dates, "channel": f"c{k}", "segment": segment, "spend": x.round(2)}))
            truth.append({"channel": f"c{k}", "segment": segment, "a": a, "b": mean})
        shocks = rng.normal(0, noise[segment] * BASE[segment], days)
        ar = np.zeros(days)
        for t in range(days):
            ar[t] = 0.4 * (ar[t - 1] if t else 0.0) + shocks[t]
        outcome.append(pd.DataFrame({"date": dates, "segment": segment,
                                     "value": (BASE[segment] * (1 + 0.1 * (dates.day_of_week >= 5)) + effect + ar)
                                     .round(2)}))
    return pd.concat(rows, ignore_index=True), pd.concat(outcome, ignore_index=True), pd.DataFrame(truth)


def _fit(seed: int, **options):
    spend, outcome, truth = _world(seed)
    result = run_aggregate(spend, outcome, settings=AggregateSettings(exclude=NO_CAMPAIGNS, fit=QUICK,
                                                                      shop_events=None, **options))
    return result, truth


def _roi(curves: pd.DataFrame, cell: tuple[str, str]) -> float:
    row = curves.set_index(["channel", "segment"]).loc[cell]
    return float(row["value_at_current"] / row["current_spend"])


def _uplift(result, truth) -> float:
    """True uplift per day of the CLI's default plan (CVaR 0.9 over the draws, today's budget, 0.5–2× today)."""
    curves = result.curves.assign(cpc=1.0, new_customer_share=0.0)
    plan = Planner(curves, draws=result.draws).solve(Scenario(
        Objective("gmv", risk=Risk.parse("cvar:0.9")), Budget(float(curves["current_spend"].sum()), "eq", 0.0),
        (Bounds("0.5–2× today", 0.5, 2.0, relative=True),)))
    assert plan.solved
    t = truth.set_index(["channel", "segment"])
    rows = plan.plan.set_index(["channel", "segment"]).loc[t.index]

    def value(x):
        return float((t["a"] * -np.expm1(-np.asarray(x, dtype=float) / t["b"])).sum())

    return value(rows["spend"]) - value(rows["current_spend"])


@pytest.mark.parametrize("seed", [2, 3])
def test_a_new_product_cell_is_pooled_toward_its_channel_not_the_shop(seed):
    """c0/new (true ROI 2.5; its own data's standard error 1.7 and 1.5 × the pool's level) is fitted near its
    channel's existing-product cell (2.50, 2.39): measured 2.21 and 2.51, against 1.43 and 0.73 with the shop's
    pool alone (main), and its 90 % marginal-ROI band holds the truth (at b: 2.5 / (e − 1) = 1.45)."""
    result, _truth = _fit(seed)
    new, existing = _roi(result.curves, ("c0", "new")), _roi(result.curves, ("c0", "existing"))
    assert new >= 1.8
    assert new == pytest.approx(existing, rel=0.3)
    row = result.curves.set_index(["channel", "segment"]).loc[("c0", "new")]
    assert row["mroi_low"] <= 2.5 / (np.e - 1) <= row["mroi_high"]
    shop_only, _ = _fit(seed, pool_channels=False)
    assert _roi(shop_only.curves, ("c0", "new")) < 1.5  # the shop's pool alone holds it near the shop's ROI
    assert any(m.key == "aggregate.pool.channel" for m in result.warnings)


def test_the_channel_pool_gains_more_than_the_shop_pool_alone():
    """The plan moves new-product budget toward c0 too: measured true uplift ¥2,495 a day against ¥2,406
    with the shop's pool alone (seed 2)."""
    result, truth = _fit(2)
    shop_only, _ = _fit(2, pool_channels=False)
    assert _uplift(result, truth) > _uplift(shop_only, truth) + 50


def test_a_straight_averaged_curve_projects_onto_a_finite_scale():
    """A model-averaged curve that is straight over the spend grid (here exactly linear) is projected onto a
    log curve with b at most 100 × the grid's largest spend and the same slope, not onto b → ∞ with a in step
    (live_commerce seed 1 with the channel pool: a 6e15, b 3e15, and the plan's conic solver stalled and
    called the budget infeasible). Fails without ``SCALE_CAP`` (b ≈ 1e9 or more)."""
    from response.candidates import Candidate
    from response.report import project_onto_family

    grid = np.linspace(0.0, 15_000.0, 41)
    top = Candidate("log", 5_000.0, np.nan, np.array([1.0]), "adstock", 1.0, np.zeros(3))
    family, a, b, _s, err = project_onto_family(top, 2.0 * grid, grid, 5_000.0)
    assert family == "log" and np.isfinite(a) and b <= 100 * 15_000.0 * (1 + 1e-9)
    assert a / b == pytest.approx(2.0, rel=0.01)
    assert err < 0.02


def test_roimix_fit_says_which_cells_follow_their_channel_and_no_channel_pool_turns_it_off(tmp_path, capsys):
    """``roimix fit`` names each cell pooled toward its channel's other segment and its source (in the reader's
    language) and writes each cell's own standard error; ``--no-channel-pool`` pools every cell toward the
    shop's ROI (no such note)."""
    from roimix.cli import main

    spend, outcome, _truth = _world(2)
    spend.to_csv(tmp_path / "spend.csv", index=False)
    outcome.to_csv(tmp_path / "outcome.csv", index=False)
    base = ["fit", "-s", str(tmp_path / "spend.csv"), "-o", str(tmp_path / "outcome.csv"), "--keep-campaigns",
            "--no-shop-events"]
    assert main([*base, "--out", str(tmp_path / "channel.csv"), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "instead of the shop's" in err and "c0/new ← c0/existing" in err
    fitted = pd.read_csv(tmp_path / "channel.csv", encoding="utf-8-sig")
    assert fitted["pool_own_relative_se"].gt(0).all()
    assert main([*base, "--out", str(tmp_path / "zh.csv"), "--lang", "zh"]) == 0
    assert "改为向该格子拟合出的投产收缩" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "shop.csv"), "--no-channel-pool", "--lang", "zh"]) == 0
    assert "改为向该格子拟合出的投产收缩" not in capsys.readouterr().err
