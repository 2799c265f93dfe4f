"""Daily campaign plans: time to build, first solve and re-solve a plan per (channel, segment, day).

    python benchmarks/campaign.py [--repeats 3] [--out benchmarks/results/campaign.md]

A Double 11 horizon of 20 channels × 2 segments × 90 days (3,600 cells; every curve family, carry-over
lags of 0.3–5 days) under every daily rule: budget with a reserve, new-product and new-customer caps
over the horizon and per phase, key-platform daily minimum, day-to-day change limit, non-key spend on
weekends and peak days. Shorter and longer horizons show how time grows with the number of days.

* **expand**: daily cells and the carry-over matrix from the (channel, segment) curves;
* **first solve**: cvxpy problem built, compiled and solved (Clarabel) the first time;
* **re-solve**: the same structure with other levels (budget, change limit, off-day share): cvxpy
  Parameters skip the rebuild; the ratio re-solve / first solve is the saving, measured in the same run.

Times are the median of ``--repeats`` runs (each on a fresh planner).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package, not benchmarks/optimizer.py

from optimizer import Budget  # noqa: E402
from optimizer.campaign import CampaignPlanner, CampaignScenario, DailyRules, Horizon, template  # noqa: E402
from optimizer.synthetic import random_market  # noqa: E402

SIZES = ((20, 30), (20, 90), (20, 180))
"""(channels, days); each channel has two segments."""


def market(n_channels: int, seed: int = 1) -> pd.DataFrame:
    """``n_channels`` × 2 segments of the synthetic market (channels repeated with a suffix beyond 10)."""
    base = random_market(n_channels=10, n_products=2 * ((n_channels + 9) // 10), seed=seed)
    rows = []
    for rep in range((n_channels + 9) // 10):
        for k, segment in enumerate(("existing", "new")):
            part = base[base["product"] == f"p{2 * rep + k:03d}"].copy()
            part["segment"], part["channel"] = segment, part["channel"] + f"_{rep}"
            rows.append(part)
    frame = pd.concat(rows).drop(columns=["product", "day"]).reset_index(drop=True)
    keep = frame["channel"].isin(pd.unique(frame["channel"])[:n_channels])
    frame = frame[keep].reset_index(drop=True)
    frame["lag_mean_days"] = np.random.default_rng(seed).uniform(0.3, 5.0, len(frame))
    return frame


def setup_for(curves: pd.DataFrame, n_days: int) -> CampaignScenario:
    budget = float(curves["current_spend"].sum()) * n_days * 1.1
    return CampaignScenario(Budget(budget, reserve_share=0.05), daily=DailyRules(
        key_daily_min=0.5, max_daily_change=0.5, non_key_focus="weekends+peak", non_key_offday_share=0.5,
        per_phase=True))


def run(n_channels: int, n_days: int) -> dict:
    curves = market(n_channels)
    start = pd.Timestamp("2026-11-13") - pd.Timedelta(days=n_days - 1)
    t0 = time.perf_counter()
    planner = CampaignPlanner(curves, Horizon(start.date(), "2026-11-13"), template("double11", 2026))
    expand = time.perf_counter() - t0
    setup = setup_for(curves, n_days)
    first = planner.solve(setup)
    assert first.solved, first.status
    resolves, gaps = [], [first.result.evidence.relative_gap]
    for budget_x, change, offday in ((1.05, 0.4, 0.45), (0.95, 0.6, 0.55), (1.1, 0.3, 0.4)):
        what_if = replace(setup, budget=replace(setup.budget, total_cny=setup.budget.total_cny * budget_x),
                          daily=replace(setup.daily, max_daily_change=change, non_key_offday_share=offday))
        again = planner.solve(what_if)
        assert again.solved and again.result.timings.resolve_s is not None
        resolves.append(again.result.timings.total_s)
        gaps.append(again.result.evidence.relative_gap)
    t = first.result.timings
    return {"cells": planner.daily.n, "expand_s": expand, "build_s": t.build_s, "first_s": t.first_solve_s,
            "solver_s": t.solver_s, "resolve_s": statistics.median(resolves), "iterations": first.result.evidence.iterations,
            "gap": max(gaps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "campaign.md")
    args = parser.parse_args()
    lines = ["## Daily campaign plans (Double 11 horizon, every daily rule; median of "
             f"{args.repeats} runs)", "",
             "| channels × segments × days | cells | expand (s) | first solve (s) | of which solver (s) | "
             "re-solve (s) | re-solve / first | largest relative gap |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for n_channels, n_days in SIZES:
        runs = [run(n_channels, n_days) for _ in range(args.repeats)]
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        gap = max(r["gap"] for r in runs)
        lines.append(f"| {n_channels} × 2 × {n_days} | {int(m['cells']):,} | {m['expand_s']:.3f} | {m['first_s']:.2f} | "
                     f"{m['solver_s']:.2f} | {m['resolve_s']:.2f} | {m['resolve_s'] / m['first_s']:.2f} | {gap:.0e} |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
