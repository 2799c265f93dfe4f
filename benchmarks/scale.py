"""Scale benchmark: touchpoints → aggregated paths (per date and product segment) at 10⁶, 10⁷
and 10⁸ touchpoints, on DuckDB within an 8 GB memory limit (out of core) and on Spark in local
mode, each against a plain DuckDB scan of the same Parquet files.

Every task runs in its own process: wall time is the whole process (start-up, imports, Spark's
JVM, reading the files); peak memory is its maximum resident set (``wait4``), plus the JVM's own
peak (``VmHWM``) for Spark. The ratio divides a task's wall time by the plain scan's, measured in
the same run on the same machine (which may be shared: the load average is printed).

    .venv/bin/python benchmarks/scale.py --touchpoints 1e6 1e7 1e8 --out benchmarks/results/scale.md

Data: ``roimix generate``'s market (~8.3 touchpoints per user over 150 days). Sizes above
``--part-users`` users are generated as several independent markets (seeds 1, 2, …; user ids
offset so they never collide; order ids prefixed by the seed), each in its own process so
generation fits in memory, then DuckDB merges the parts into one Parquet file per table. Inputs
are kept under ``--workdir`` (default ``/tmp/roimix-scale``) and reused; delete it afterwards.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOUCHPOINTS_PER_USER = 7.3  # measured on the default MarketSpec: 7.5–7.7 touchpoints per user (so sizes land just above target)
BY = ("date", "product_segment")
ROWS_PER_SHUFFLE_PARTITION = 1_000_000
"""Spark's shuffle partitions follow the input (its default of 200 is 3× slower at 10⁶ touchpoints)."""


# --- workers (one process each) ----------------------------------------------------------------------


def worker(task: str, args: argparse.Namespace) -> dict:
    folder = Path(args.folder)
    if task == "generate":
        from roimix.synthetic import MarketSpec, generate_market

        m = generate_market(MarketSpec(n_users=args.users, seed=args.seed))
        offset = args.offset
        tp = m.touchpoints.assign(user_id=m.touchpoints.user_id + offset)
        cv = m.conversions.assign(user_id=m.conversions.user_id + offset,
                                  order_id=f"s{args.seed}-" + m.conversions.order_id.astype(str))
        tp.to_parquet(folder / f"touchpoints-part{args.seed}.parquet", index=False)
        cv.to_parquet(folder / f"conversions-part{args.seed}.parquet", index=False)
        return {"touchpoints": len(tp), "conversions": len(cv)}
    if task == "merge":
        import duckdb

        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = false")
        out = {}
        for table in ("touchpoints", "conversions"):
            parts = str(folder / f"{table}-part*.parquet")
            con.execute(f"COPY (SELECT * FROM read_parquet('{parts}')) TO '{folder / table}.parquet' "
                        "(FORMAT parquet, COMPRESSION zstd)")
            out[table] = con.execute(f"SELECT count(*) FROM '{folder / table}.parquet'").fetchone()[0]
        for part in folder.glob("*-part*.parquet"):
            part.unlink()
        return out
    tp, cv = folder / "touchpoints.parquet", folder / "conversions.parquet"
    started = time.perf_counter()
    if task == "scan":
        import duckdb

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        row = con.execute(f"""
            SELECT (SELECT count(*) FROM '{tp}'),
                   (SELECT sum(hash(user_id, "timestamp", channel, campaign, interaction)) FROM '{tp}'),
                   (SELECT sum(hash(user_id, "timestamp", value, order_id, is_new_customer, product_segment))
                    FROM '{cv}')""").fetchone()
        return {"compute": time.perf_counter() - started, "rows": row[0]}
    if task in ("duckdb", "duckdb_trusted"):
        from attribution.engines import DuckDBEngine, build_paths

        engine = DuckDBEngine(memory_limit=args.memory_limit, temp_directory=str(folder / "duckdb-tmp"),
                              validate=task == "duckdb")
        paths = build_paths(tp, cv, by=BY, engine=engine)
        computed = time.perf_counter() - started
        paths.to_parquet(Path(args.result).with_suffix(".parquet"), index=False)
        return {"compute": computed, "paths": len(paths), "journeys": int(paths.conversions.sum() + paths.nulls.sum())}
    if task == "spark":
        import duckdb

        from attribution.spark import session_conf, spark_paths, spark_session

        rows = duckdb.sql(f"SELECT count(*) FROM '{tp}'").fetchone()[0]
        conf = session_conf(local_dir=str(folder / "spark-tmp"), driver_memory=args.spark_memory,
                            shuffle_partitions=max(4, math.ceil(rows / ROWS_PER_SHUFFLE_PARTITION)))
        with spark_session(args.spark_master, conf) as spark:
            session_started = time.perf_counter()
            paths = spark_paths(spark, tp, cv, by=BY)
            computed = time.perf_counter() - session_started
            jvm_peak = _jvm_peak_mb(spark)
        paths.to_parquet(Path(args.result).with_suffix(".parquet"), index=False)
        return {"compute": computed, "jvm_peak_mb": jvm_peak, "paths": len(paths),
                "journeys": int(paths.conversions.sum() + paths.nulls.sum())}
    raise SystemExit(f"unknown task {task}")


def _jvm_peak_mb(spark) -> float:
    """Peak resident memory of the driver JVM (local mode: driver and executors), from /proc."""
    pid = getattr(getattr(spark.sparkContext._gateway, "proc", None), "pid", None)
    status = Path(f"/proc/{pid}/status")
    if pid is None or not status.exists():
        return float("nan")
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the driver --------------------------------------------------------------------------------------


def run(task: str, folder: Path, args: argparse.Namespace, timeout: float | None = None, **extra) -> dict:
    """Run one worker process; wall time and peak RSS from ``wait4``; killed after ``timeout`` s."""
    result = folder / f"result-{task}-{extra.get('seed', 0)}.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--worker", task, "--folder", str(folder), "--result", str(result),
           "--memory-limit", args.memory_limit, "--spark-memory", args.spark_memory,
           "--spark-master", args.spark_master, *[x for k, v in extra.items() for x in (f"--{k}", str(v))]]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            print(f"  {task:16s} stopped after {wall:,.0f} s", flush=True)
            return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "failed": f"stopped after {timeout / 60:.0f} min"}
        time.sleep(0.5)
    wall = time.perf_counter() - started
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0 or not result.exists():
        reason = (err.strip().splitlines() or ["exit " + str(os.waitstatus_to_exitcode(status))])[-1]
        print(f"  {task:16s} FAILED after {wall:,.0f} s: {reason}", flush=True)
        return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "failed": reason[:200]}
    out = json.loads(result.read_text())
    out.update(wall=wall, peak_mb=usage.ru_maxrss / 1024 + (out.get("jvm_peak_mb") or 0))
    print(f"  {task:16s} {wall:8.1f} s {out['peak_mb']:8.0f} MB  load {os.getloadavg()[0]:.1f}", flush=True)
    return out


def prepare(n_touchpoints: float, workdir: Path, args: argparse.Namespace) -> Path:
    users = round(n_touchpoints / TOUCHPOINTS_PER_USER)
    folder = workdir / f"tp{n_touchpoints:.0e}".replace("+", "")
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "touchpoints.parquet").exists() and (folder / "conversions.parquet").exists():
        return folder
    parts = max(1, math.ceil(users / args.part_users))
    print(f"generating {users:,} users in {parts} part(s) → {folder}", flush=True)
    for seed in range(1, parts + 1):
        share = users // parts + (1 if seed <= users % parts else 0)
        done = run("generate", folder, args, users=share, seed=seed, offset=(seed - 1) * args.part_users)
        if "failed" in done:
            raise SystemExit(f"generation failed: {done['failed']}")
    done = run("merge", folder, args)
    if "failed" in done:
        raise SystemExit(f"merge failed: {done['failed']}")
    return folder


def bench(n_touchpoints: float, workdir: Path, args: argparse.Namespace) -> dict:
    import pandas as pd

    folder = prepare(n_touchpoints, workdir, args)
    print(f"{n_touchpoints:.0e} touchpoints in {folder}", flush=True)
    rows = {"scan": run("scan", folder, args)}
    rows["duckdb"] = run("duckdb", folder, args)
    rows["duckdb_trusted"] = run("duckdb_trusted", folder, args)
    if n_touchpoints <= args.spark_up_to:
        rows["spark"] = run("spark", folder, args, timeout=args.spark_timeout * 60)
    identical = None
    if all("failed" not in rows.get(k, {"failed": 1}) for k in ("duckdb", "spark")):
        a = pd.read_parquet(folder / "result-duckdb-0.parquet")
        b = pd.read_parquet(folder / "result-spark-0.parquet")
        identical = a.equals(b)
    return {"touchpoints": rows["scan"].get("rows", int(n_touchpoints)), "rows": rows, "identical": identical,
            "load": os.getloadavg()}


TASKS = {
    "scan": "plain DuckDB scan of the same Parquet (every column hashed)",
    "duckdb": "DuckDB, 8 GB limit: validate + journeys → paths",
    "duckdb_trusted": "DuckDB, 8 GB limit: journeys → paths (no validation)",
    "spark": "Spark local[2] (8 GB driver, a shuffle partition per 10⁶ touchpoints): journeys → paths (no validation)",
}


def report(results: list[dict], args: argparse.Namespace) -> str:
    sizes = " ".join(f"{n:.0e}".replace("+0", "") for n in sorted(args.touchpoints))
    lines = [
        "# Scale benchmark: touchpoints → paths", "",
        (f"Command: `python benchmarks/scale.py --touchpoints {sizes} --memory-limit {args.memory_limit} "
         f"--out {args.out}`"), "",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, Python {platform.python_version()}. "
        "Each task is its own process: wall time includes start-up, imports (and Spark's JVM) and reading the "
        "files; peak memory is the process's maximum RSS (for Spark plus the JVM's). Paths are per date and "
        "product segment. The machine is shared with other work: the load average at the end of each size "
        "is given, and only ratios within one size are comparable."), "",
        "| touchpoints | task | wall s | compute s | peak MB | × plain scan | paths |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        scan = res["rows"]["scan"]["wall"]
        for key, row in res["rows"].items():
            if "failed" in row:
                lines.append(f"| {res['touchpoints']:,} | {TASKS[key]} | — | — | {row['peak_mb']:,.0f} | — | "
                             f"{row['failed']} |")
                continue
            ratio = "1.0" if key == "scan" else f"{row['wall'] / scan:.1f}"
            paths = f"{row['paths']:,}" if "paths" in row else ""
            lines.append(f"| {res['touchpoints']:,} | {TASKS[key]} | {row['wall']:.1f} | {row['compute']:.1f} | "
                         f"{row['peak_mb']:,.0f} | {ratio} | {paths} |")
    lines += ["", "Spark and DuckDB paths identical (every row and value): " + ", ".join(
        f"{r['touchpoints']:,}: {'yes' if r['identical'] else 'no' if r['identical'] is False else 'not compared'}"
        for r in results) + ".",
        "Load average (1, 5, 15 min) after each size: " + "; ".join(
        f"{r['touchpoints']:,}: {', '.join(f'{x:.1f}' for x in r['load'])}" for r in results) + ".", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--touchpoints", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--workdir", default="/tmp/roimix-scale")
    parser.add_argument("--out", default="benchmarks/results/scale.md")
    parser.add_argument("--memory-limit", default="8GB")
    parser.add_argument("--spark-memory", default="8g", help="Spark driver heap (local mode)")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-up-to", type=float, default=1e8, help="largest size run on Spark")
    parser.add_argument("--spark-timeout", type=float, default=40, help="minutes before a Spark run is stopped")
    parser.add_argument("--part-users", type=int, default=3_000_000, help="users per generated part")
    parser.add_argument("--worker")
    parser.add_argument("--folder")
    parser.add_argument("--result")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args()
    if args.worker:
        out = worker(args.worker, args)
        Path(args.result).write_text(json.dumps(out))
        return
    workdir = Path(args.workdir)
    results = [bench(n, workdir, args) for n in sorted(args.touchpoints)]
    text = report(results, args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
