"""App benchmark: the server time of a slider move on the optimise page, against the 300 ms limit.

A slider move re-solves the compiled optimizer through its cvxpy Parameters (no rebuild) and
redraws the page's figures. Measured with the app's own functions (``roimix.app.engine``,
``roimix.app.figures``) on the bundled sample, for each curve source:

* **budget move**: re-solve + per-channel plan + allocation chart + plan table + sweep chart (the
  sweep itself is cached per setting other than the budget, so it is only looked up);
* **cap move** (new-product / new-customer / ROI floor): re-solve + a new budget sweep (one
  Parameter re-solve of the sweep's compiled problem per point, totals only) + every figure;
* **whole page run**: the optimise page script run by ``streamlit.testing.v1.AppTest`` after a
  budget move and after a cap move (Streamlit's own widget and element handling included).

The first solve (build + canonicalisation) is shown for scale. Times are wall-clock medians and
90th percentiles over repeated moves on this machine; the ratio is to the 300 ms limit. The
process CPU time of the same moves is shown beside it: on a shared machine wall time also counts
the time other processes held the cores (the load average is printed with the table).

    .venv/bin/python benchmarks/app.py --moves 30 --out benchmarks/results/app.md
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this file is named like the app package's entry: keep the benchmarks folder off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
LIMIT_MS = 300.0


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)  # Streamlit's "no runtime" notes in bare mode


class Clock:
    """Wall-clock and process CPU time of one measured move (CPU counts every thread of this process)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def _stats(samples: list[float]) -> tuple[float, float, float]:
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    return statistics.median(ms), p90, ms[-1]


def measure_functions(source: str, moves: int) -> list[dict]:
    from roimix.app import data, engine, figures, shared
    from roimix.app.pages import optimise

    ds = data.current_dataset()
    t0 = time.perf_counter()
    curves = engine.curve_set(ds, source)
    fit_s = time.perf_counter() - t0
    table = curves.table
    total = shared.current_total(table)
    bounds = tuple((c, 0.0, 3.0, False) for c in shared.ordered_channels(table, ds.channels))
    base = engine.WhatIf(budget=total, bounds=bounds)
    planner = engine.SharedPlanner(table)  # a fresh compiled problem: the first solve is measured too
    t0 = time.perf_counter()
    first = engine.solve(planner, base)
    first_s = time.perf_counter() - t0
    assert first.solved, first.status
    names = figures.labels(ds.channels, "zh")
    budgets = tuple(float(b) for b in engine.sweep_budgets(total))
    sweep = engine.sweep(planner, base, budgets)
    grid = shared.budget_options(total)

    def redraw(result, sweep_frame, w):
        plan = engine.channel_plan(result)
        figures.allocation(plan, ds.channels, "zh").to_plotly_json()
        optimise.plan_table(plan, names, "zh")
        figures.budget_sweep(sweep_frame, "zh", current_budget=total, chosen_budget=w.budget).to_plotly_json()

    budget_times, cap_times, budget_cpu, cap_cpu = [], [], [], []
    for i in range(moves):
        w = engine.WhatIf(**{**base.__dict__, "budget": grid[(70 + 7 * (i + 1)) % len(grid)]})
        with Clock() as c:
            result = engine.solve(planner, w)
            redraw(result, sweep, w)
        budget_times.append(c.wall)
        budget_cpu.append(c.cpu)
        assert result.solved and result.timings.resolve_s is not None, "a budget move must re-use the compiled problem"
    caps = [(0.15, 0.30), (0.10, 0.30), (0.15, 0.35), (0.12, 0.32), (0.15, 0.28)]
    for i in range(max(moves // 3, 5)):
        npc, ncc = caps[i % len(caps)]
        w = engine.WhatIf(**{**base.__dict__, "new_product_cap": npc, "new_customer_cap": ncc + 0.001 * i})
        with Clock() as c:
            result = engine.solve(planner, w)
            new_sweep = engine.sweep(planner, w, budgets)
            redraw(result, new_sweep, w)
        cap_times.append(c.wall)
        cap_cpu.append(c.cpu)
    rows = [{"source": source, "task": "first solve (build + compile)", "samples": [first_s], "note": ""}]
    rows.append({"source": source, "task": "budget move: re-solve + figures", "samples": budget_times,
                 "cpu": budget_cpu, "note": f"solver {first.timings.solver_s * 1000:.1f} ms"})
    rows.append({"source": source, "task": f"cap move: re-solve + {len(budgets)}-point sweep + figures",
                 "samples": cap_times, "cpu": cap_cpu, "note": ""})
    rows[0]["note"] = f"curves ready in {fit_s:.1f} s (cached afterwards)"
    return rows


def measure_page(source: str, moves: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from roimix.app import shared

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.session_state["curves.source"] = source
    at.switch_page("roimix/app/pages/optimise.py").run()
    slider = at.select_slider(key="w.whatif.budget.zh")
    today = float(slider.value)
    times, cpu = [], []
    for i in range(moves):
        value = shared.budget_at(today, 100 + (7 * (i + 1)) % 60)
        at.select_slider(key="w.whatif.budget.zh").set_value(value)
        with Clock() as c:
            at.run()
        times.append(c.wall)
        cpu.append(c.cpu)
        assert not at.exception and not at.error, [e.value for e in at.error]
    cap_times, cap_cpu = [], []
    for i in range(max(moves // 2, 3)):
        at.slider(key="w.whatif.new_customer_cap_pct").set_value(28 + i % 5)
        with Clock() as c:
            at.run()
        cap_times.append(c.wall)
        cap_cpu.append(c.cpu)
        assert not at.exception and not at.error, [e.value for e in at.error]
    return [{"source": source, "task": "budget move: whole page run (AppTest)", "samples": times, "cpu": cpu,
             "note": ""},
            {"source": source, "task": "cap move: whole page run (AppTest)", "samples": cap_times, "cpu": cap_cpu,
             "note": "sweep recomputed"}]


def table(rows: list[dict]) -> str:
    out = ["| curves | task | moves | median ms | p90 ms | max ms | median ÷ 300 ms | p90 ÷ 300 ms | CPU median ms | note |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        med, p90, mx = _stats(r["samples"])
        ratio = (f"{med / LIMIT_MS:.2f}", f"{p90 / LIMIT_MS:.2f}") if "first solve" not in r["task"] else ("–", "–")
        cpu = f"{_stats(r['cpu'])[0]:.0f}" if r.get("cpu") else "–"
        out.append(f"| {r['source']} | {r['task']} | {len(r['samples'])} | {med:.0f} | {p90:.0f} | {mx:.0f} | "
                   f"{ratio[0]} | {ratio[1]} | {cpu} | {r['note']} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--sources", nargs="+", default=["fitted", "demo"])
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest whole-page runs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    _quiet()
    os.chdir(ROOT)
    rows = []
    for source in args.sources:
        rows += measure_functions(source, args.moves)
        if not args.no_page:
            rows += measure_page(source, max(args.moves // 3, 5))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header = (
        "# App: server time of a slider move (limit 300 ms)\n\n"
        f"Sample market (`data/sample`), optimise page. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {load:.1f} at the end of the run. "
        "Command: `.venv/bin/python benchmarks/app.py"
        + (f" --moves {args.moves}" if args.moves != 30 else "") + "`.\n\n"
        "A budget move re-solves the compiled problem through its Parameters (checked: every move re-used it); "
        "a cap move also recomputes the budget sweep (one Parameter re-solve of the sweep's own compiled problem per point, totals only). "
        "`fitted` curves are the pipeline's (`roimix.pipeline`), `demo` the sample's true curves. "
        "Wall times include time other processes held the 2 cores; CPU is this process's own time.\n\n"
    )
    text = header + table(rows) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
