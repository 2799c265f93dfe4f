"""Re-planning the rest of a campaign mid-way: 36,000 remaining (channel, segment, day) cells on 2 cores, aim ≤ 5 s.

    python benchmarks/replan.py [--repeats 3] [--out benchmarks/results/replan.md]

A 100-channel × 2-segment market (the synthetic market of ``benchmarks/campaign.py``: every curve family,
carry-over lags of 0.3–5 days) over a horizon of 194 days under every daily rule of that benchmark; the plan is
made before the campaign, the first 14 days are spent as planned ×0.8–1.2 at random, and the remaining 180 days
(36,000 cells) are re-planned (:func:`optimizer.campaign.replan.replan`: the carry-in of the spent days, the
remaining budget, the same rules).

* **re-plan**: everything :func:`replan` does — expanding the remaining days' cells and their carry-in from the
  actual spend, building, compiling and solving the problem (Clarabel) — the time a marketer waits;
* **plan before the campaign**: the same for the whole horizon (38,800 cells), measured in the same run: the
  re-plan's ratio to it shows what fixing the spent days costs or saves.

Times are the median of ``--repeats`` runs (each on a fresh planner); the machine's load is printed with them.
BLAS runs on one thread, as in ``roimix replan`` and the app (:mod:`roimix.threads`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package
sys.path.insert(0, str(Path(__file__).resolve().parent))

from roimix.threads import one_blas_thread  # noqa: E402

one_blas_thread()  # as `roimix replan` and the app do when they start (before numpy loads OpenBLAS)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from campaign import market, setup_for  # noqa: E402
from optimizer.campaign import CampaignPlanner, Horizon, template  # noqa: E402
from optimizer.campaign.replan import replan  # noqa: E402

CHANNELS, DAYS, SPENT_DAYS = 100, 194, 14
AIM_S = 5.0


def run() -> dict:
    curves = market(CHANNELS)
    horizon = Horizon(pd.Timestamp("2027-09-01").date(), (pd.Timestamp("2027-09-01") + pd.Timedelta(days=DAYS - 1)).date())
    campaign = template("double11", 2027)
    setup = setup_for(curves, DAYS)
    started = time.perf_counter()
    full = CampaignPlanner(curves, horizon, campaign)
    plan = full.solve(setup)
    plan_s = time.perf_counter() - started
    first = pd.Timestamp(horizon.start) + pd.Timedelta(days=SPENT_DAYS)
    spent = plan.daily[plan.daily["date"] < first][["date", "channel", "segment", "spend"]].copy()
    spent["spend"] *= np.random.default_rng(7).uniform(0.8, 1.2, len(spent))
    started = time.perf_counter()
    again = replan(curves, horizon, campaign, setup, spent, first.date(), original=plan)
    replan_s = time.perf_counter() - started
    t = again.plan.result.timings
    return {"plan_status": plan.status, "plan_cells": full.daily.n, "plan_s": plan_s,
            "plan_iterations": int(plan.result.evidence.iterations),
            "replan_status": again.plan.status, "replan_cells": again.planner.daily.n, "replan_s": replan_s,
            "iterations": int(again.plan.result.evidence.iterations), "build_s": t.build_s, "compile_s": t.compile_s,
            "solver_s": t.solver_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "replan.md")
    args = parser.parse_args()
    runs = [run() for _ in range(args.repeats)]
    med = {k: statistics.median(r[k] for r in runs)
           for k in ("plan_s", "replan_s", "iterations", "plan_iterations", "build_s", "compile_s", "solver_s")}
    r0 = runs[0]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [
        "# Re-planning the rest of a campaign", "",
        f"Command: `python benchmarks/replan.py --repeats {args.repeats}`. Machine: {os.cpu_count()} cores; "
        f"load average at the end (1, 5, 15 min): {load}. Median of {args.repeats} runs.", "",
        "| task | cells | status | seconds | ÷ aim (5 s) | ÷ plan before the campaign |",
        "|---|---:|---|---:|---:|---:|",
        f"| plan before the campaign ({DAYS} days) | {r0['plan_cells']:,} | {r0['plan_status']} | {med['plan_s']:.2f} | "
        f"{med['plan_s'] / AIM_S:.2f} | 1.00 |",
        f"| re-plan the last {DAYS - SPENT_DAYS} days after {SPENT_DAYS} spent | {r0['replan_cells']:,} | "
        f"{r0['replan_status']} | {med['replan_s']:.2f} | {med['replan_s'] / AIM_S:.2f} | "
        f"{med['replan_s'] / med['plan_s']:.2f} |", "",
        f"Re-plan: {med['iterations']:.0f} Clarabel iterations (median; every attempt counted), of its seconds "
        f"{med['build_s']:.2f} building the cvxpy problem, {med['compile_s']:.2f} compiling it and {med['solver_s']:.2f} "
        f"in Clarabel (the rest: the days' cells, carry-in and tables). Plan before the campaign: "
        f"{med['plan_iterations']:.0f} iterations. Aim ≤ 5 s: {'met' if med['replan_s'] <= AIM_S else 'not met'}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
