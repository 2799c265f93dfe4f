"""End-to-end pipeline benchmark: time per stage, and the quality of the decisions it leads to.

    python benchmarks/pipeline.py --users 1000000 --seeds 4 [--timing-users 1000000 10000000]
    python benchmarks/pipeline.py --journey-floor [--timing-users 1000000] [--repeat 3] [--text-ids]

Decision quality: on markets from the generator (known truth), each method makes a plan for the
same budget and rules (roimix.evaluation.evaluation_scenario); the plan is scored by the *true*
curves as the share of the achievable uplift it captures (1 = the oracle plan on the true curves,
0 = today's allocation, < 0 loses money). Methods:

* last-touch / linear / Markov ROI: each cell's curve is exp with b = its current spend and the
  level the model credits to it (the usual "move budget by attributed ROI");
* pipeline: curves fitted against total GMV (lag kernels from the journeys, campaign left out),
  with the incremental model's credit as prior, and without it;
* pipeline + lift tests: the three largest cells get a lift test (true effect at 1.5× spend, 10 % s.e.);
* noise ceiling: the same fit told the true curve shapes and kernels, estimating only levels.

``--journey-floor``: building the journeys against the physical floor of that work, DuckDB's own sort of the
same columns by user and time (both logs, materialised), on one connection with the pipeline's DuckDB settings,
alternating, fastest of ``--repeat`` each (:func:`journey_floor`); ``--text-ids`` adds the same on the market
with text user ids (:func:`text_id_market`) against the sort of those text-id logs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the packages, not benchmarks/attribution.py
from attribution import credit_by_day  # noqa: E402
from response import FitSettings, fit_curves  # noqa: E402
from roimix.evaluation import evaluation_scenario, plan_spend, score  # noqa: E402
from roimix.pipeline import PipelineSettings, campaign_windows, run_pipeline  # noqa: E402
from roimix.synthetic import MarketSpec, generate_market, true_kernels  # noqa: E402

FAST = FitSettings(n_bootstrap=0)


def attributed_curves(credit: pd.DataFrame, truth: pd.DataFrame, exclude: pd.DataFrame) -> pd.DataFrame:
    """exp curves with b = current spend and f(current) = the model's mean credited value per day."""
    days = pd.to_datetime(credit["date"])
    keep = pd.Series(True, index=credit.index)
    for s, e in zip(pd.to_datetime(exclude["start"]), pd.to_datetime(exclude["end"])):
        keep &= ~days.between(s, e)
    n_days = days[keep].nunique()
    level = credit[keep].groupby(["channel", "product_segment"])["value"].sum() / max(n_days, 1)
    out = truth.copy()
    lv = np.array([level.get((c, s), 0.0) for c, s in zip(out.channel, out.segment)])
    out["b"] = out["current_spend"].clip(lower=1.0)
    out["a"] = lv / (1 - np.exp(-1.0))
    return out


def lift_tests_for(truth: pd.DataFrame, rng: np.random.Generator, kernels: pd.DataFrame, n: int = 3,
                   days: int = 14) -> pd.DataFrame:
    """A lift test on each of the ``n`` largest cells: spend at 1.5× today from the test's first day (none
    before), measured as the mean incremental GMV per day over its ``days`` days — the true curve's
    value at that spend times the share of the true click-to-order kernel that has arrived by each day
    (a two-week test of a slow channel sees only part of the steady state), with a 10 % standard error."""
    top = truth.nlargest(n, "current_spend")
    spend = 1.5 * top.current_spend
    steady = top.a * (1 - np.exp(-spend / top.b))
    arrived = []
    for channel in top.channel:
        k = kernels[kernels.channel == channel].sort_values("offset")["weight"].to_numpy()
        arrived.append(float(np.mean(np.cumsum(np.pad(k / k.sum(), (0, max(days - len(k), 0))))[:days])))
    effect = steady * np.array(arrived)
    se = 0.10 * effect
    end = (pd.Timestamp("2026-04-01") + pd.Timedelta(days=days - 1)).strftime("%Y-%m-%d")
    return pd.DataFrame({"channel": top.channel, "segment": top.segment, "start": "2026-04-01", "end": end,
                         "spend": spend, "incremental_value": effect + rng.normal(0, se), "standard_error": se})


def decision_quality(users: int, seeds: int) -> pd.DataFrame:
    rows = []
    for seed in range(seeds):
        spec = MarketSpec(n_users=users, seed=seed)
        market = generate_market(spec)
        truth = market.truth.curves
        scenario = evaluation_scenario(truth.current_spend.sum())

        def capture(curves: pd.DataFrame) -> float:
            aligned = curves.set_index(["channel", "segment"]).loc[list(zip(truth.channel, truth.segment))].reset_index()
            aligned["current_spend"] = truth.current_spend.to_numpy()
            for col in ("cpc", "new_customer_share", "group", "key_platform", "margin"):
                aligned[col] = truth[col].to_numpy()
            spend, _ = plan_spend(aligned, scenario)
            return score(truth, spend, scenario).capture

        result = run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                              settings=PipelineSettings(fit=FAST))
        exclude = campaign_windows(pd.Timestamp(spec.start), pd.Timestamp(spec.start) + pd.Timedelta(days=spec.n_days))
        row = {"seed": seed}
        for model in ("last_touch", "linear", "markov"):
            credit = credit_by_day(result.paths, model, channels=market.channels)
            row[f"{model} ROI"] = capture(attributed_curves(credit, truth, exclude))
        row["pipeline (incremental prior)"] = capture(result.curves)
        no_prior = run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                                settings=PipelineSettings(use_prior=False, fit=FAST))
        row["pipeline (no prior)"] = capture(no_prior.curves)
        lifts = lift_tests_for(truth, np.random.default_rng(seed), true_kernels(spec))
        with_lift = run_pipeline(market.touchpoints, market.conversions, market.spend, channels=market.channels,
                                 lift_tests=lifts, settings=PipelineSettings(fit=FAST))
        row["pipeline + 3 lift tests"] = capture(with_lift.curves)
        ceiling = fit_curves(result.spend, result.outcome[["date", "segment", "value"]], kernels=true_kernels(spec),
                             exclude=exclude, shapes=truth.drop(columns="lag_mean_days"), settings=FAST)
        row["noise ceiling (true shapes)"] = capture(ceiling.curves)
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False), file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def stage_timing(users: int, memory_limit: str, workdir: Path) -> dict:
    """Generate a market into Parquet (one child process), then run the pipeline on those files in
    another, so its time and peak memory are the pipeline's alone (DuckDB under ``memory_limit``)."""
    import json

    folder = workdir / f"u{users}"
    if not (folder / "touchpoints.parquet").exists():
        subprocess.run([sys.executable, "-c",
                        "from roimix.synthetic import MarketSpec, generate_market; from roimix.synthetic.io import write_market;"
                        f"write_market(generate_market(MarketSpec(n_users={users}, seed=0)), {str(folder)!r})"],
                       check=True)
    code = (
        "import resource, json, time; import duckdb; from pathlib import Path;"
        "from roimix.pipeline import run_pipeline, PipelineSettings; from response import FitSettings;"
        "from attribution import DuckDBEngine;"
        f"f = Path({str(folder)!r}); t = time.perf_counter();"
        "r = run_pipeline(f / 'touchpoints.parquet', f / 'conversions.parquet', f / 'spend.csv',"
        " channels=f / 'channels.csv', settings=PipelineSettings(fit=FitSettings(n_bootstrap=200),"
        f" engine=DuckDBEngine(memory_limit={memory_limit!r}, temp_directory=str(f / 'tmp'))));"
        "n = duckdb.sql(f\"SELECT count(*) FROM '{f / 'touchpoints.parquet'}'\").fetchone()[0];"
        "print(json.dumps({'touchpoints': n, 'total_s': time.perf_counter() - t,"
        " **{s: round(v, 2) for s, v in zip(r.timings.stage, r.timings.seconds)},"
        " 'peak_rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {"users": f"{users:,}", **json.loads(out.stdout.strip().splitlines()[-1])}


TEXT_ID_SQL = "'u_' || left(md5(CAST(user_id AS VARCHAR)), 16)"
"""The text user id of the benchmark's market with text ids: an opaque hash of 18 bytes, such as shops export
('u_8f3a…', hashed phone numbers). Opaque, so the ids' order has nothing to do with the generator's numbering or
with time; longer than the 12 bytes DuckDB keeps inline in a string, as real ids are."""


def text_id_market(folder: Path) -> Path:
    """The market's two logs with user ids as text (:data:`TEXT_ID_SQL`), written once as Parquet under
    ``folder / "text_ids"`` (hashing at view time would cost in every task, the floor too); the folder."""
    import duckdb

    out = folder / "text_ids"
    if not (out / "conversions.parquet").exists():
        out.mkdir(exist_ok=True)
        con = duckdb.connect()
        try:
            for name in ("touchpoints", "conversions"):
                con.execute(f"COPY (SELECT * REPLACE ({TEXT_ID_SQL} AS user_id) FROM "
                            f"read_parquet('{folder / (name + '.parquet')}')) TO '{out / (name + '.parquet')}' "
                            "(FORMAT parquet)")
            ids, texts = con.execute(
                f"SELECT count(DISTINCT user_id), count(DISTINCT {TEXT_ID_SQL}) FROM (SELECT user_id FROM "
                f"read_parquet('{folder / 'touchpoints.parquet'}') UNION ALL SELECT user_id FROM "
                f"read_parquet('{folder / 'conversions.parquet'}'))").fetchone()
            assert ids == texts, "two users got one text id"
        finally:
            con.close()
    return out


CPU_SHOWN = ("sort", "journeys", "journeys_duckdb_sort", "text_sort", "text_journeys", "text_journeys_duckdb_sort")
"""The tasks whose CPU seconds :func:`journey_floor` reports."""


def journey_floor(users: int, memory_limit: str, workdir: Path, repeat: int, text_ids: bool = False) -> dict:
    """Seconds, fastest of ``repeat`` (the tasks alternate), in this process on one DuckDB connection with the
    pipeline's settings, over typed views of the market's Parquet files:

    * ``sort``: both logs sorted by user and time and materialised — touchpoints (user_id, timestamp, channel)
      and conversions (user_id, timestamp, value, order_id, is_new_customer, product_segment): the floor;
    * ``journeys``: the one build of the journeys the pipeline makes (:func:`attribution.journeys.build`: one sort of
      both logs' events — here integer user ids, so numpy's sort of one int64 number per event after DuckDB reads
      the logs — then one ordered pass over its arrays: every journey's end, touches and path);
    * ``journeys_duckdb_sort``: the same build with DuckDB sorting the events
      (:func:`attribution.journeys._sorted_events`, what it does for user ids that are not integers or whose events
      do not fit one int64 number);
    * ``views``: that build and what the pipeline reads off it — paths, touch-to-order gaps, daily orders
      (:func:`attribution.journeys.build_views`, the pipeline's journeys stage);
    * ``sql_journeys``: the build as the SQL definition makes it in DuckDB (:func:`attribution.journeys.journey_touches_sql`
      materialised: one row per journey with its touches; what DuckDB ran before, and what Spark runs);
    * ``before``: the three views as the pipeline got them before issue 16 — paths, then the gaps from a second
      SQL build of the journeys, then the orders (three queries of the SQL definition).

    ``text_ids``: also, on the same market with text user ids (:func:`text_id_market`), whose ratios are to
    ``text_sort``, the same sort of those logs (text ids by text, then time):

    * ``text_sort``: the floor for text ids;
    * ``text_journeys``: the one build (:func:`attribution.journeys._ranked_events`: each user numbered by the rank of
      its id among the distinct ids, then numpy's sort of one int64 number per event);
    * ``text_journeys_duckdb_sort``: the same build with DuckDB sorting the events by the text ids
      (:func:`attribution.journeys._sorted_events`, what text ids got before).

    ``*_cpu_s``: the CPU seconds of this process (all its threads) for a sort and the builds, least of the runs,
    which other work on a shared machine changes less than the wall-clock seconds. ``load``: the 1-minute load
    average at the start and at the end."""
    import time

    from attribution import journeys as J
    from attribution.engines import DuckDBEngine

    folder = workdir / f"u{users}"
    if not (folder / "touchpoints.parquet").exists():
        stage_timing(users, memory_limit, workdir)  # generates the market
    import tempfile

    with tempfile.TemporaryDirectory(prefix="roimix-floor-") as spill:
        con = DuckDBEngine(memory_limit=memory_limit, temp_directory=spill).connect()
        try:
            for name in ("touchpoints", "conversions"):
                con.execute(f"CREATE VIEW {name}_raw AS SELECT * FROM read_parquet('{folder / (name + '.parquet')}')")
            columns = [r[0] for r in con.execute("DESCRIBE conversions_raw").fetchall()]
            con.execute(f"CREATE VIEW tp AS {J.touchpoints_sql('touchpoints_raw')}")
            con.execute(f"CREATE VIEW cv AS {J.conversions_sql('conversions_raw', columns)}")
            if text_ids:
                text = text_id_market(folder)
                for name, raw in (("ttp", "touchpoints"), ("tcv", "conversions")):
                    con.execute(f"CREATE VIEW {name}_raw AS SELECT * FROM read_parquet('{text / (raw + '.parquet')}')")
                con.execute(f"CREATE VIEW ttp AS {J.touchpoints_sql('ttp_raw')}")
                con.execute(f"CREATE VIEW tcv AS {J.conversions_sql('tcv_raw', columns)}")
            n_touch, n_orders = con.execute("SELECT (SELECT count(*) FROM tp), (SELECT count(*) FROM cv)").fetchone()
            by = ("date", "product_segment")
            between = con.execute("SELECT min(\"timestamp\"), max(\"timestamp\") FROM cv").fetchone()

            def sort(tp="tp", cv="cv"):
                con.execute(f'CREATE OR REPLACE TEMP TABLE s_tp AS SELECT user_id, "timestamp", channel FROM {tp} '
                            'ORDER BY user_id, "timestamp"')
                con.execute(f'CREATE OR REPLACE TEMP TABLE s_cv AS SELECT user_id, "timestamp", value, order_id, '
                            f'is_new_customer, product_segment FROM {cv} ORDER BY user_id, "timestamp"')
                n = con.execute("SELECT (SELECT count(*) FROM s_tp) + (SELECT count(*) FROM s_cv)").fetchone()[0]
                con.execute("DROP TABLE s_tp; DROP TABLE s_cv")
                return n

            def journeys(tp="tp", cv="cv"):
                return len(J.build(con, tp, cv, 30).order)

            def journeys_duckdb_sort(tp="tp", cv="cv"):
                packable, rankable = J._packable, J._rankable
                J._packable = J._rankable = lambda *args: False
                try:
                    return len(J.build(con, tp, cv, 30).order)
                finally:
                    J._packable, J._rankable = packable, rankable

            def views():
                return len(J.build_views("tp", "cv", by=by, orders_between=between, con=con).paths)

            def sql_journeys():
                con.execute(f"CREATE OR REPLACE TEMP TABLE built AS {J.journey_touches_sql('tp', 'cv', 30)}")
                n = con.execute("SELECT count(*) FROM built").fetchone()[0]
                con.execute("DROP TABLE built")
                return n

            def before():
                paths = J.query("tp", "cv", lambda t, c: J.paths_sql(t, c, 30, by), con=con)
                J.query("tp", "cv", lambda t, c: J.gaps_from_logs_sql(t, c, 30), con=con)
                J.query("tp", "cv", lambda _t, c: J.orders_from_logs_sql(c, between), con=con)
                return len(paths)

            tasks = {"sort": sort, "journeys": journeys, "journeys_duckdb_sort": journeys_duckdb_sort, "views": views,
                     "sql_journeys": sql_journeys, "before": before}
            if text_ids:
                tasks.update({"text_sort": lambda: sort("ttp", "tcv"), "text_journeys": lambda: journeys("ttp", "tcv"),
                              "text_journeys_duckdb_sort": lambda: journeys_duckdb_sort("ttp", "tcv")})
                same = [len(J.build(con, t, c, 30).order) for t, c in (("tp", "cv"), ("ttp", "tcv"))]
                assert same[0] == same[1], same  # the same journeys, whatever the ids
            load_start = os.getloadavg()[0]
            best = {name: float("inf") for name in tasks}
            cpu = dict(best)
            for _ in range(repeat):
                for name, task in tasks.items():
                    started, cpu_started = time.perf_counter(), time.process_time()
                    task()
                    best[name] = min(best[name], time.perf_counter() - started)
                    cpu[name] = min(cpu[name], time.process_time() - cpu_started)
            threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        finally:
            con.close()
    floor = {name: "text_sort" if name.startswith("text_") else "sort" for name in tasks}
    return {"users": f"{users:,}", "touchpoints": f"{n_touch:,}", "orders": f"{n_orders:,}", "threads": threads,
            **{f"{name}_s": seconds for name, seconds in best.items()},
            **{f"{name}_cpu_s": seconds for name, seconds in cpu.items() if name in CPU_SHOWN},
            **{f"{name} ÷ {floor[name]}": best[name] / best[floor[name]] for name in tasks if floor[name] != name},
            "load start → end": f"{load_start:.2f} → {os.getloadavg()[0]:.2f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--timing-users", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB's memory limit in the timed pipeline runs")
    parser.add_argument("--workdir", default=str(Path(__file__).resolve().parent / "out" / "pipeline"))
    parser.add_argument("--timing-only", action="store_true", help="skip the decision-quality runs")
    parser.add_argument("--journey-floor", action="store_true",
                        help="only journey building against DuckDB's sort of the same columns (see journey_floor)")
    parser.add_argument("--repeat", type=int, default=3, help="--journey-floor: runs per task, the fastest kept")
    parser.add_argument("--text-ids", action="store_true",
                        help="--journey-floor: also on the market with text user ids, against their sort")
    args = parser.parse_args()

    if args.journey_floor:
        print(f"## Journey building against DuckDB's sort by user and time (DuckDB limit {args.memory_limit})\n")
        floor = pd.DataFrame([journey_floor(u, args.memory_limit, Path(args.workdir), args.repeat,
                                             args.text_ids)
                              for u in args.timing_users])
        print(floor.to_markdown(index=False, floatfmt=".2f"))
        return

    if not args.timing_only:
        print_decision_quality(args.users, args.seeds)
    if not args.timing_users:
        return
    print(f"\n## Time per stage (seconds) and peak memory (DuckDB limit {args.memory_limit})\n")
    timing = pd.DataFrame([stage_timing(u, args.memory_limit, Path(args.workdir)) for u in args.timing_users])
    timing["touchpoints"] = timing["touchpoints"].map("{:,}".format)
    print(timing.to_markdown(index=False, floatfmt=".2f"))


def print_decision_quality(users: int, seeds: int) -> None:
    print(f"## Decision quality ({users:,} users, 150 days of history incl. 618, {seeds} seeds)\n")
    table = decision_quality(users, seeds)
    methods = [c for c in table.columns if c != "seed"]
    summary = pd.DataFrame({
        "method": methods,
        "mean capture": [table[m].mean() for m in methods],
        "worst seed": [table[m].min() for m in methods],
        "per seed": [", ".join(f"{v:.2f}" for v in table[m]) for m in methods],
    })
    ceiling = table["noise ceiling (true shapes)"].mean()
    summary["÷ ceiling"] = summary["mean capture"] / ceiling
    print(summary.to_markdown(index=False, floatfmt=".2f"))


if __name__ == "__main__":
    main()
