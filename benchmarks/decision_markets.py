"""Decision quality on independent market simulators (benchmarks/markets): roimix and its peers, scored by the truth.

    .venv/bin/python benchmarks/decision_markets.py --users 1000000 --seeds eval [--markets …] [--methods …]

Each market (search_funnel, live_commerce, reach_frequency; see their module docstrings) is
written from its own causal story, not roimix's generator. Per market × seed, every method plans
the budget B = today's total spend with each cell within 0.5–2× today and the default new-product
(≤ 15 % of spend) and new-customer (≤ 30 % of traffic) rules, through the real ``roimix plan`` CLI
where it is roimix; the plan is scored as the share of the oracle's true uplift it captures
(1 = the best plan on the true curves, 0 = today's allocation, < 0 loses money).

Development seeds 1–5, evaluation seeds 101–105: the results table uses the evaluation seeds only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.markets.harness import (  # noqa: E402
    MARKETS, METHODS, Outcome, evaluate, has_peer, has_risk_option, seeds,
)

RESULTS = Path(__file__).resolve().parent / "results" / "decision_markets.md"


def mean_interval(captures, level: float = 0.9) -> tuple[float, float]:
    """Student's t interval of the mean capture over the runs: ``x̄ ± t_{(1+level)/2, n−1} · s / √n``. The runs are
    markets × seeds, and ``s`` counts the differences between the markets' means as noise too (an interval by
    market would leave them out), so it errs wide. NaN for fewer than 2 runs."""
    x = np.asarray(captures, dtype=float)
    if len(x) < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def table(rows) -> tuple[str, pd.DataFrame]:
    frame = pd.DataFrame([{
        "market": r.market, "seed": r.seed, "method": r.method, "capture": r.capture,
        "true uplift ¥/day": r.uplift_cny, "oracle ¥/day": r.oracle_uplift_cny,
        "stated P10": r.interval[0] if r.interval else None, "stated P90": r.interval[2] if r.interval else None,
        "interval_holds": r.interval_holds, "band_cells": len(r.band_cover), "band_hits": sum(r.band_cover),
        "seconds": r.seconds, "note": r.note, "breaks": "; ".join(r.violations),
    } for r in rows])
    lines = []
    summary = []
    for method in [m for m in METHODS if m in set(frame["method"])]:
        part = frame[frame["method"] == method]
        done = part.dropna(subset=["capture"])
        if done.empty:
            summary.append({"method": method, "runs": 0, "mean capture": "–", "mean's 90 % interval": "–",
                            "worst seed": "–", "seeds < 0": "–",
                            "per market and seed": part["note"].iloc[0] or "not run", "P10–P90 holds truth": "–",
                            "90 % mROI band covers": "–", "plans breaking a rule": "–"})
            continue
        per = "; ".join(f"{m}: " + ", ".join(f"{v:.2f}" for v in g["capture"])
                        for m, g in done.groupby("market", sort=False))
        held = done["interval_holds"].dropna()
        cells = done["band_cells"].sum()
        summary.append({
            "method": method, "runs": len(done), "mean capture": f"{done['capture'].mean():.2f}",
            "mean's 90 % interval": "{:.2f} – {:.2f}".format(*mean_interval(done["capture"])),
            "worst seed": f"{done['capture'].min():.2f}",
            "seeds < 0": f"{int((done['capture'] < 0).sum())} of {len(done)}", "per market and seed": per,
            "P10–P90 holds truth": f"{held.astype(bool).mean():.0%} of {len(held)}" if len(held) else "not reported",
            "90 % mROI band covers": f"{done['band_hits'].sum() / cells:.0%} of {cells} cells" if cells else "–",
            "plans breaking a rule": f"{int(done['breaks'].astype(bool).sum())}",
        })
    lines.append(pd.DataFrame(summary).to_markdown(index=False))
    return "\n".join(lines), frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--seeds", choices=["dev", "eval"], default="dev")
    parser.add_argument("--markets", nargs="*", default=list(MARKETS), choices=list(MARKETS))
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--n-seeds", type=int, help="use only the first N seeds of the set (a quicker look)")
    parser.add_argument("--only", type=int, nargs="*", help="run only these seeds of the set (e.g. to finish a run)")
    parser.add_argument("--keep", help="keep the markets' files and plans in this folder")
    parser.add_argument("--log", help="append each result as a JSON line to this file (kept if the run stops)")
    parser.add_argument("--from-log", nargs="*", help="build the table from these result logs instead of running")
    parser.add_argument("--note", action="append", default=[], help="a line added to the notes under the table")
    parser.add_argument("--write", action="store_true",
                        help=f"write the table to {RESULTS.relative_to(RESULTS.parents[2])}")
    args = parser.parse_args()
    chosen = seeds(args.seeds)[: args.n_seeds]
    if args.only:
        if not set(args.only) <= set(chosen):
            parser.error(f"--only {args.only}: not all in the {args.seeds} seeds {chosen}")
        chosen = tuple(args.only)
    if args.write and args.seeds != "eval":
        parser.error("--write records evaluation seeds only (--seeds eval)")

    rows = []
    if args.from_log:
        for path in args.from_log:
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                r = Outcome(**json.loads(line))
                if r.seed in chosen and r.market in args.markets and r.method in args.methods:
                    rows.append(r)
    for name in [] if args.from_log else args.markets:
        for seed in chosen:
            with tempfile.TemporaryDirectory() as tmp:  # one market's files at a time (~0.3 GB at 10⁶ users)
                folder = Path(args.keep) / f"{name}_{seed}" if args.keep else Path(tmp)
                got = evaluate(name, args.users, seed, tuple(args.methods), folder)
                rows += got
                if args.log:
                    with open(args.log, "a", encoding="utf-8") as handle:
                        for r in got:
                            handle.write(json.dumps(dataclasses.asdict(r), default=float) + "\n")
    text, frame = table(rows)
    notes = []
    if "roimix --risk mean" in args.methods and not has_risk_option():
        notes.append("`roimix --risk mean`: not run, `roimix plan` has no `--risk` option yet.")
    if "PyMC-Marketing" in args.methods and not has_peer():
        notes.append("PyMC-Marketing: not run, `benchmarks/pymc_peer.py` or `.venv-peers` is missing.")
    notes += args.note
    if frame["interval_holds"].isna().all():
        notes.append("P10–P90: `plan.json` has no `summary.uplift_per_day` yet, so interval coverage is not "
                     "reported.")
    load = os.getloadavg()
    header = (f"## Decision quality on independent markets ({args.users:,} users, 150 days, {args.seeds} seeds "
              f"{', '.join(map(str, chosen))}; markets {', '.join(args.markets)})\n\n"
              f"Budget = today's total, cells 0.5–2× today, new-product ≤ 15 % and new-customer ≤ 30 % rules; "
              f"capture = share of the oracle's true uplift (1 best, 0 = today, < 0 loses money). "
              + ("" if args.from_log else f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
                                          f"on {os.cpu_count()} cores.") + "\n")
    out = header + "\n" + text + "\n" + "".join(f"\n- {n}" for n in notes) + "\n"
    shown = frame.drop(columns=["note"]).copy()
    shown["capture"] = shown["capture"].map(lambda v: f"{v:.3f}")
    for col in ("true uplift ¥/day", "oracle ¥/day", "stated P10", "stated P90"):
        shown[col] = shown[col].map(lambda v: "" if v is None or v != v else f"{v:,.0f}")
    shown["seconds"] = shown["seconds"].map(lambda v: f"{v:.0f}")
    detail = shown.to_markdown(index=False)
    print(out)
    print(detail)
    if args.write:
        RESULTS.write_text(out + "\n### Per market, seed and method\n\n" + detail + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
