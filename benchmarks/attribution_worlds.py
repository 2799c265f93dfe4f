"""Per-world attribution benchmark: every method's share error on the zoo of independent worlds
(:mod:`benchmarks.worlds`), the default model's against every heuristic and peer.

    .venv/bin/python benchmarks/attribution_worlds.py --users 1e6 --seeds 101 --out benchmarks/results/attribution_worlds.md

Development seeds (``--dev``: 1–5) are for choosing a model; evaluation seeds (101–105) only for the
final table. Share error and inputs are defined in :mod:`benchmarks.worlds.harness`.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/attribution.py would shadow the attribution package: import from the repository root
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from benchmarks.worlds import DEV_SEEDS, EVAL_SEEDS, SPECS, WORLDS, generate, harness  # noqa: E402

DEFAULT = "roimix incremental"
NO_TABLE = "roimix incremental (no channels table)"


def _fmt(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def run_world(name: str, users: int, seed: int, *, peers: bool, mta: bool, mta_slow: int) -> dict:
    started = time.perf_counter()
    world = generate(name, users, seed)
    gen = time.perf_counter() - started
    scores = harness.evaluate(world, peers=peers, mta=mta, seed=seed, mta_slow_journeys=mta_slow)
    alt = {}
    for label, truth in world.alt_truth.items():
        alt[label] = {s.method: harness.share_error(s.shares, truth) for s in scores}
    return {"world": name, "seed": seed, "users": users, "generate_seconds": gen,
            "conversions": world.n_conversions, "paths": len(world.paths),
            "true_baseline_share": world.baseline_share, "truth_share": world.truth_share,
            "truth_note": world.truth_note, "alt_truth": alt,
            "scores": [{"method": s.method, "share_error": s.share_error, "baseline_share": s.baseline_share,
                        "seconds": s.seconds, "note": s.note} for s in scores]}


def _best(scores: list[dict], prefix: tuple[str, ...], exclude: tuple[str, ...] = ()) -> dict | None:
    got = [s for s in scores if s["method"].startswith(prefix) and s["method"] not in exclude
           and not math.isnan(s["share_error"])]
    return min(got, key=lambda s: s["share_error"]) if got else None


def report(results: list[dict], command: str) -> str:
    users = sorted({r["users"] for r in results})
    seeds = sorted({r["seed"] for r in results})
    heur = ("roimix first_touch", "roimix last_touch", "roimix last_non_direct", "roimix linear",
            "roimix position_based", "CA first_touch", "CA last_touch", "CA linear_touch", "mta first_touch",
            "mta last_touch", "mta linear", "mta position_based")
    lines = [
        "# Attribution on independent worlds",
        "",
        f"Command: `{command}`  ",
        f"Users per world: {', '.join(f'{u:,}' for u in users)}; seeds: {', '.join(map(str, seeds))} "
        f"({'evaluation' if set(seeds) <= set(EVAL_SEEDS) else 'development'}); "
        f"Python {platform.python_version()}, {platform.machine()}.  ",
        "Share error = Σ|share − true share| over channels (0 perfect, 2 worst; organic channels' true share 0); "
        "truth = Shapley shares of the true incremental conversion probability (see benchmarks/worlds). "
        "The default model gets the whole paths and the channels table; every other method gets the paths "
        f"with organic channels removed; mta runs on ≤ {harness.MTA_MAX_JOURNEYS:,} journeys (binomial thinning; "
        "its logistic regression and additive hazard on the journeys in their note).",
        "",
        "| world | seed | conversions | true baseline | default: share error | default: baseline | "
        "default, no table | best heuristic | best Markov | best mta | default beats all? |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        sc = r["scores"]
        by = {s["method"]: s for s in sc}
        d, nt = by[DEFAULT], by[NO_TABLE]
        h = _best(sc, heur)
        mk = _best(sc, ("roimix markov", "CA markov", "mta markov"))
        mt = _best(sc, ("mta",))
        others = [s for s in sc if s["method"] not in (DEFAULT, NO_TABLE) and not math.isnan(s["share_error"])]
        if math.isnan(d["share_error"]):
            beats = "baseline ≥ 95 %: " + ("yes" if d["baseline_share"] >= 0.95 else "**no**")
        else:
            losers = [s["method"] for s in others if s["share_error"] <= d["share_error"]]
            beats = "yes" if not losers else f"**no** ({len(losers)} better, e.g. {min(others, key=lambda s: s['share_error'])['method']})"

        def cell(s):
            return f"{_fmt(s['share_error'])} ({s['method']})" if s else "–"

        lines.append(f"| {r['world']} | {r['seed']} | {r['conversions']:,.0f} | {_fmt(r['true_baseline_share'])} | "
                     f"{_fmt(d['share_error'])} | {_fmt(d['baseline_share'])} | {_fmt(nt['share_error'])} | "
                     f"{cell(h)} | {cell(mk)} | {cell(mt)} | {beats} |")
    finite = [next(s for s in r["scores"] if s["method"] == DEFAULT)["share_error"] for r in results]
    finite = [x for x in finite if not math.isnan(x)]
    if finite:
        lines += ["", f"Default model's mean share error over the worlds with incremental conversions: "
                      f"{sum(finite) / len(finite):.3f} (aim ≤ 0.10)."]
    lines += ["", "## Every method per world", ""]
    for r in results:
        lines += [f"### {r['world']} (seed {r['seed']}, {r['users']:,} users)", "",
                  f"{SPECS[r['world']]}. Truth: {r['truth_note']}; true baseline share "
                  f"{_fmt(r['true_baseline_share'])}; true shares "
                  + ", ".join(f"{c} {v:.3f}" for c, v in r["truth_share"].items()) + ". "
                  f"{r['paths']:,} distinct paths, generated in {r['generate_seconds']:.1f} s.", ""]
        alt_labels = list(r["alt_truth"])
        lines.append("| method | share error | baseline share | seconds | " +
                     "".join(f"vs {a} | " for a in alt_labels) + "note |")
        lines.append("|---|---:|---:|---:|" + "---:|" * len(alt_labels) + "---|")
        for s in sorted(r["scores"], key=lambda s: (math.isnan(s["share_error"]), s["share_error"])):
            alts = "".join(f"{_fmt(r['alt_truth'][a][s['method']])} | " for a in alt_labels)
            lines.append(f"| {s['method']} | {_fmt(s['share_error'])} | {_fmt(s['baseline_share'])} | "
                         f"{s['seconds']:.1f} | {alts}{s['note']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=float, default=1e6)
    parser.add_argument("--seeds", type=int, nargs="+", default=[EVAL_SEEDS[0]])
    parser.add_argument("--dev", action="store_true", help="use the development seeds' first one instead (1)")
    parser.add_argument("--worlds", nargs="+", default=list(WORLDS), choices=list(WORLDS))
    parser.add_argument("--no-peers", action="store_true", help="skip ChannelAttribution")
    parser.add_argument("--no-mta", action="store_true", help="skip mta")
    parser.add_argument("--mta-slow-max", type=float, default=harness.MTA_MAX_JOURNEYS,
                        help="journeys for mta's logistic regression and additive hazard (slow)")
    parser.add_argument("--out", type=Path, help="write the markdown report here")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    if not 1000 <= args.users <= 1e8:
        parser.error(f"--users must be between 1000 and 1e8, got {args.users:g}")
    seeds = [DEV_SEEDS[0]] if args.dev else args.seeds
    clash = set(seeds) & set(DEV_SEEDS) if not args.dev and args.out else set()
    if clash:
        print(f"note: seeds {sorted(clash)} are development seeds", file=sys.stderr)
    results = []
    for seed in seeds:
        for name in args.worlds:
            r = run_world(name, int(args.users), seed, peers=not args.no_peers, mta=not args.no_mta,
                          mta_slow=int(args.mta_slow_max))
            d = next(s for s in r["scores"] if s["method"] == DEFAULT)
            print(f"{name} seed {seed}: default share error {_fmt(d['share_error'])}, baseline "
                  f"{_fmt(d['baseline_share'])} (true {_fmt(r['true_baseline_share'])})", flush=True)
            results.append(r)
            write(results, args)  # after every world, so a long run leaves its finished worlds
    print(write(results, args))


def write(results: list[dict], args: argparse.Namespace) -> str:
    text = report(results, "python benchmarks/attribution_worlds.py " + " ".join(sys.argv[1:]))
    if args.out:
        args.out.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    return text


if __name__ == "__main__":
    main()
