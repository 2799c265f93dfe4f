"""Decision quality on the independent markets: the real ``roimix plan`` CLI, scored by each market's truth.

For one market and seed: the tables are written to a folder, each method makes a plan for the
budget B = today's total spend with cells within 0.5–2× today and both default share rules, and
the plan is scored by the *true* curves (:func:`roimix.evaluation.score`: the share of the oracle's
true uplift it captures). Also recorded: whether the plan's stated P10–P90 uplift contains the true
uplift (when ``summary.uplift_per_day`` is in plan.json) and, per cell, whether the curves' 90 %
marginal-ROI band (``--curves-out``: mroi_low, mroi_high) holds the true marginal ROI at current spend.

Seeds: development 1–5, evaluation 101–105 (:data:`DEV_SEEDS`, :data:`EVAL_SEEDS`); only the
evaluation seeds go in the results table, and nothing is tuned on them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import live_commerce, reach_frequency, search_funnel
from .common import Market, lift_test_effect

ROOT = Path(__file__).resolve().parents[2]
ROIMIX = ROOT / ".venv" / "bin" / "roimix"
PEER_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
PEER_SCRIPT = ROOT / "benchmarks" / "pymc_peer.py"

MARKETS = {m.NAME: m for m in (search_funnel, live_commerce, reach_frequency)}
DEV_SEEDS = (1, 2, 3, 4, 5)
EVAL_SEEDS = (101, 102, 103, 104, 105)
BOUNDS = (0.5, 2.0)
LIFT_TESTS = 5
LIFT_STEP = 1.5
LIFT_DAYS = 14
LIFT_SE = 0.10
ASKED = "roimix aggregate + the 5 lift tests it asks for"
"""Aggregate mode given lift tests of the 5 cells its own plan ranks worth most (``roimix plan --out plan.json``:
``lift_tests``), made as the harness makes the 5 largest cells' tests: a shop that runs the tests roimix asks for."""
PLATFORM = "roimix aggregate + platform reports + the 5 lift tests it asks for"
""":data:`ASKED` with each platform's own report in the spend table (``platform_gmv``,
:func:`~benchmarks.markets.common.platform_gmv`) and ``roimix fit --platform-prior``: the deflation factor
learned on the lift-tested channels turns the others' reports into their prior; then ``roimix plan --curves``."""
PARTIAL = "roimix aggregate + Alibaba journeys"
"""Partial journeys: aggregate mode given the touchpoints a Tmall shop gets from Alibaba's side only
(:data:`PARTIAL_CHANNELS` where the market has them) and every order: ``roimix plan --spend --outcome -t -c``."""
PARTIAL_CHANNELS = ("ztc", "wxt", "brand_search", "direct", "organic_search")
"""直通车, 万相台, 品牌专区 and the on-site visits (direct, organic search) around them."""
METHODS = ("roimix", "roimix --risk mean", "roimix + 5 lift tests", "roimix aggregate",
           "roimix aggregate + 5 lift tests", ASKED, PLATFORM, PARTIAL, "last-touch ROI", "Markov ROI",
           "PyMC-Marketing")
TIMEOUT_S = 1800

assert not set(DEV_SEEDS) & set(EVAL_SEEDS)


def seeds(kind: str) -> tuple[int, ...]:
    """``dev`` or ``eval``."""
    if kind == "dev":
        return DEV_SEEDS
    if kind == "eval":
        return EVAL_SEEDS
    raise ValueError(f"seeds must be 'dev' or 'eval', got {kind!r}")


def check_tuning(kind: str, tuning: dict) -> None:
    """Tuning flags (anything that changes a method's settings) are for development seeds only."""
    used = {k: v for k, v in tuning.items() if v not in (None, False, (), "")}
    if kind == "eval" and used:
        raise ValueError(f"tuning options {sorted(used)} are refused on evaluation seeds (use --seeds dev)")


def scenario(budget_cny: float):
    from optimizer import Bounds, default_scenario

    return default_scenario(budget_cny, rules=(Bounds("bounds", BOUNDS[0], BOUNDS[1], relative=True),))


def lift_tests(market: Market, rng: np.random.Generator, n: int = LIFT_TESTS,
               cells: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Holdout tests of the ``n`` largest cells (or of ``cells``, (channel, segment) in that order): spend
    LIFT_STEP × current for LIFT_DAYS days against none; the measured effect is the truth's expected mean
    incremental GMV per day over those days (carry-over ramp included) with LIFT_SE relative standard error and
    noise of that size."""
    return lift_tests_of(market.design, market.truth, market.users, pd.Timestamp(market.spend["date"].max()), rng,
                         n, cells)


def lift_tests_of(design, truth: pd.DataFrame, users: int, last: pd.Timestamp, rng: np.random.Generator,
                  n: int = LIFT_TESTS, cells: list[tuple[str, str]] | None = None,
                  readout_after_days: int = 0) -> pd.DataFrame:
    """:func:`lift_tests` from a market's design, truth table, users and last day (what a kept folder holds).

    With ``readout_after_days`` each test also reports a second row: the mean increment per day over that many
    days after its spend stopped (``readout_start``, ``readout_end``; the carry-over), with the same standard
    error in yuan as its own days' (the same holdout's daily noise over a window as long), its noise drawn
    after every test's own days' so those are the same as without the readout."""
    if cells is None:
        top = truth.nlargest(n, "current_spend")
    else:
        top = truth.set_index(["channel", "segment"]).loc[list(cells)].reset_index()
    scale = users / 1_000_000
    rows, after = [], []
    for r in top.itertuples():
        cell = design.cells[design.cell_index(r.channel, r.segment)]
        spend = LIFT_STEP * r.current_spend
        effect = lift_test_effect(cell, scale, spend, LIFT_DAYS)
        se = LIFT_SE * effect
        start = (last - pd.Timedelta(days=LIFT_DAYS - 1)).strftime("%Y-%m-%d")
        rows.append({"channel": r.channel, "segment": r.segment, "start": start,
                     "end": last.strftime("%Y-%m-%d"), "spend": round(spend, 2),
                     "incremental_value": round(effect + rng.normal(0, se), 2), "standard_error": round(se, 2)})
        if readout_after_days:
            after.append({**rows[-1], "readout_start": (last + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                          "readout_end": (last + pd.Timedelta(days=readout_after_days)).strftime("%Y-%m-%d"),
                          "incremental_value": lift_test_effect(cell, scale, spend, LIFT_DAYS,
                                                                (LIFT_DAYS, LIFT_DAYS + readout_after_days))})
    for row in after:  # drawn after every test's own days: those stay what they are without the readout
        row["incremental_value"] = round(row["incremental_value"] + rng.normal(0, row["standard_error"]), 2)
    return pd.DataFrame(rows + after)


@lru_cache(maxsize=1)
def plan_options() -> str:
    return subprocess.run([str(ROIMIX), "plan", "--help"], capture_output=True, text=True, check=True).stdout


def has_risk_option() -> bool:
    return "--risk" in plan_options()


def has_peer() -> bool:
    return PEER_SCRIPT.exists() and PEER_PYTHON.exists()


def _segment(label: str) -> str:
    low = str(label).lower()
    if low in ("new", "existing"):
        return low
    if "new" in low or "新" in low:
        return "new"
    return "existing"


def plan_from_json(path: Path, truth: pd.DataFrame) -> tuple[np.ndarray, dict, np.ndarray]:
    """(spend per truth row, summary, current spend per truth row) from a ``roimix plan --out plan.json``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    plan = pd.DataFrame(doc["plan"])
    plan["segment"] = plan["segment"].map(_segment)
    plan = plan.groupby(["channel", "segment"])[["spend", "current_spend"]].sum()
    keys = list(zip(truth["channel"], truth["segment"]))
    return (plan.loc[keys, "spend"].to_numpy(dtype=float), doc.get("summary", {}),
            plan.loc[keys, "current_spend"].to_numpy(dtype=float))


def run(args: list[str], cwd: Path, log: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    log.write_text(" ".join(args) + "\n\n" + out.stdout + "\n" + out.stderr, encoding="utf-8")
    return out


@dataclass
class Outcome:
    market: str
    seed: int
    method: str
    capture: float = float("nan")
    uplift_cny: float = float("nan")
    oracle_uplift_cny: float = float("nan")
    interval: tuple[float, float, float] | None = None
    interval_holds: bool | None = None
    band_cover: list[bool] = field(default_factory=list)
    seconds: float = float("nan")
    note: str = ""
    spend_cny: list[float] = field(default_factory=list)
    """the plan's spend per truth row (yuan per day)"""
    violations: list[str] = field(default_factory=list)
    """rules of the scenario the plan breaks (budget, 0.5–2× bounds, new-product and new-customer shares)"""


def _score(truth: pd.DataFrame, spend: np.ndarray, budget: float):
    from roimix.evaluation import score

    return score(truth[_CURVE_COLUMNS], spend, scenario(budget))


_CURVE_COLUMNS = ["channel", "segment", "family", "a", "b", "s", "current_spend", "cpc", "new_customer_share", "group",
                  "key_platform", "margin"]


def evaluate(name: str, users: int, seed: int, methods: tuple[str, ...], folder: Path,
             say=lambda text: print(text, file=sys.stderr, flush=True)) -> list[Outcome]:
    """Every method's plan for market ``name`` at ``users`` and ``seed``, scored by the truth."""
    market = MARKETS[name].simulate(users, seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = market.files(folder)
    truth = market.truth
    budget = float(truth["current_spend"].sum())
    lifts = lift_tests(market, np.random.default_rng([seed, 5]))
    lifts.to_csv(folder / "lift_tests.csv", index=False)
    common = ["--budget", repr(budget), "--bounds", f"relative:{BOUNDS[0]:g},{BOUNDS[1]:g}", "--lang", "en"]
    logs = ["-t", files["touchpoints"].name, "-c", files["conversions"].name, "-s", files["spend"].name,
            "--channels", files["channels"].name]
    cli = {
        "roimix": logs,
        "roimix --risk mean": logs + ["--risk", "mean"],
        "roimix + 5 lift tests": logs + ["--lift-tests", "lift_tests.csv"],
        "roimix aggregate": ["--spend", files["spend"].name, "--outcome", files["outcome"].name, "--channels",
                             files["channels"].name],
    }
    cli["roimix aggregate + 5 lift tests"] = cli["roimix aggregate"] + ["--lift-tests", "lift_tests.csv"]
    if PARTIAL in methods:
        touch = pd.read_parquet(files["touchpoints"])
        touch[touch["channel"].isin(PARTIAL_CHANNELS)].to_parquet(folder / "touchpoints_alibaba.parquet", index=False)
        cli[PARTIAL] = cli["roimix aggregate"] + ["-t", "touchpoints_alibaba.parquet", "-c", files["conversions"].name]
    out = []
    asked_made = False
    for method in methods:
        row = Outcome(name, seed, method)
        start = time.perf_counter()
        if method == "roimix --risk mean" and not has_risk_option():
            row.note = "roimix plan has no --risk option yet"
            out.append(row)
            continue
        if method == "PyMC-Marketing" and not has_peer():
            row.note = "benchmarks/pymc_peer.py or .venv-peers missing"
            out.append(row)
            continue
        tag = method.replace(" ", "_").replace("+", "").replace("-", "")
        if method in (ASKED, PLATFORM) and not asked_made:  # the tests roimix's own aggregate plan asks for, made by the truth
            asked = _asked_lift_tests(market, folder, cli["roimix aggregate"] + common, seed)
            if isinstance(asked, str):
                row.note = asked
                out.append(row)
                continue
            asked.to_csv(folder / "lift_tests_asked.csv", index=False)
            asked_made = True
        if method == ASKED:
            cli[method] = cli["roimix aggregate"] + ["--lift-tests", "lift_tests_asked.csv"]
        plan_path, curves_path = folder / f"plan_{tag}.json", folder / f"curves_{tag}.csv"
        plan_args = ["--curves-out", curves_path.name]
        if method == PLATFORM:  # the platforms' reports as the untested channels' prior: fit, then plan the curves
            market.platform_spend().to_csv(folder / "spend_platform.csv", index=False)
            fitted = run([str(ROIMIX), "fit", "--spend", "spend_platform.csv", "--outcome", files["outcome"].name,
                          "--channels", files["channels"].name, "--lift-tests", "lift_tests_asked.csv",
                          "--platform-prior", "--lang", "en", "--out", curves_path.name], folder,
                         folder / f"log_fit_{tag}.txt")
            if fitted.returncode != 0:
                row.note = f"fit exit {fitted.returncode}: {(fitted.stderr or fitted.stdout).strip().splitlines()[-1:]}"
                out.append(row)
                continue
            cli[method], plan_args = ["--curves", curves_path.name], []
        if method in cli:
            result = run([str(ROIMIX), "plan", *cli[method], *common, "--out", plan_path.name, *plan_args],
                         folder, folder / f"log_{tag}.txt")
            if result.returncode != 0:
                row.note = f"exit {result.returncode}: {(result.stderr or result.stdout).strip().splitlines()[-1:]}"
                out.append(row)
                continue
            spend, summary, current = plan_from_json(plan_path, truth)
            gap = np.abs(current - truth["current_spend"].round(2).to_numpy()).max()
            if gap > 0.011:
                raise AssertionError(f"{name}/{seed}/{method}: the plan's current spend differs from the truth's "
                                     f"by up to ¥{gap:.2f} a day")
            row.interval, row.interval_holds = None, None
            band = summary.get("uplift_per_day")
            if band is None and "uplift_per_day.p10" in summary:  # a flattened summary
                band = {k: summary[f"uplift_per_day.{k}"] for k in ("p10", "p50", "p90")
                        if f"uplift_per_day.{k}" in summary}
            s = _score(truth, spend, budget)
            if isinstance(band, dict) and all(k in band for k in ("p10", "p50", "p90")):
                row.interval = (float(band["p10"]), float(band["p50"]), float(band["p90"]))
                row.interval_holds = row.interval[0] <= s.uplift_cny_per_day <= row.interval[2]
            if curves_path.exists():
                fitted = pd.read_csv(curves_path, encoding="utf-8-sig")
                _check_rules_inputs(fitted, truth, f"{name}/{seed}/{method}")
                row.band_cover = _band_cover(fitted, truth)
        elif method in ("last-touch ROI", "Markov ROI"):
            spend = _attributed_plan(files, market, "last_touch" if method == "last-touch ROI" else "markov", budget)
            s = _score(truth, spend, budget)
        elif method == "PyMC-Marketing":
            plan_csv = folder / "plan_pymc.csv"
            result = run([str(PEER_PYTHON), str(PEER_SCRIPT), "--spend", files["spend"].name, "--outcome",
                          files["outcome"].name, "--budget", repr(budget), "--bounds", f"{BOUNDS[0]:g},{BOUNDS[1]:g}",
                          "--out", plan_csv.name], folder, folder / "log_pymc.txt")
            if result.returncode != 0:
                row.note = f"exit {result.returncode}"
                out.append(row)
                continue
            plan = pd.read_csv(plan_csv).groupby(["channel", "segment"])["spend"].sum()
            spend = plan.loc[list(zip(truth["channel"], truth["segment"]))].to_numpy(dtype=float)
            s = _score(truth, spend, budget)
        else:
            raise ValueError(f"unknown method {method!r}")
        row.capture, row.uplift_cny = s.capture, s.uplift_cny_per_day
        row.oracle_uplift_cny = s.oracle_uplift_cny_per_day
        row.spend_cny = [round(float(v), 2) for v in spend]
        row.violations = violations(truth, np.asarray(spend, dtype=float), budget)
        row.seconds = time.perf_counter() - start
        say(f"{name} seed {seed} {method}: capture {row.capture:.3f} (uplift ¥{row.uplift_cny:,.0f} of "
            f"¥{row.oracle_uplift_cny:,.0f}/day){'' if row.interval is None else f', interval {row.interval}'} "
            f"[{row.seconds:.0f} s]")
        out.append(row)
    return out


def _asked_lift_tests(market: Market, folder: Path, args: list[str], seed: int) -> pd.DataFrame | str:
    """The lift tests of the 5 cells the aggregate plan (``plan_roimix_aggregate.json``, made here when the
    method was not run before) ranks worth most; a note when that plan failed or named fewer cells."""
    first = folder / "plan_roimix_aggregate.json"
    if not first.exists():
        result = run([str(ROIMIX), "plan", *args, "--out", first.name], folder, folder / "log_asked_first.txt")
        if result.returncode != 0:
            return f"the aggregate plan failed (exit {result.returncode}): no lift tests asked for"
    ranked = json.loads(first.read_text(encoding="utf-8")).get("lift_tests") or []
    if len(ranked) < LIFT_TESTS:
        return f"the aggregate plan ranked {len(ranked)} lift tests, fewer than {LIFT_TESTS}"
    top = sorted(ranked, key=lambda r: r["rank"])[:LIFT_TESTS]
    return lift_tests(market, np.random.default_rng([seed, 6]), cells=[(r["channel"], _segment(r["segment"])) for r in top])


def violations(truth: pd.DataFrame, spend: np.ndarray, budget: float, tol: float = 1e-3) -> list[str]:
    """The scenario's rules ``spend`` breaks (relative tolerance ``tol``): a plan that breaks them is not
    comparable (it could reach past the oracle)."""
    from optimizer.scenario import DEFAULT_NEW_CUSTOMER_CAP, DEFAULT_NEW_PRODUCT_CAP

    out = []
    current = truth["current_spend"].to_numpy(dtype=float)
    if abs(spend.sum() - budget) > tol * budget:
        out.append(f"budget: spends {spend.sum():,.0f} of {budget:,.0f}")
    if (spend < BOUNDS[0] * current * (1 - tol)).any() or (spend > BOUNDS[1] * current * (1 + tol)).any():
        out.append("bounds 0.5–2×")
    new = truth["segment"].eq("new").to_numpy()
    if spend[new].sum() > DEFAULT_NEW_PRODUCT_CAP * spend.sum() * (1 + tol):
        out.append(f"new-product share {spend[new].sum() / spend.sum():.1%}")
    clicks = spend / truth["cpc"].to_numpy(dtype=float)
    share = (clicks * truth["new_customer_share"].to_numpy(dtype=float)).sum() / clicks.sum()
    if share > DEFAULT_NEW_CUSTOMER_CAP * (1 + tol):
        out.append(f"new-customer traffic share {share:.1%}")
    return out


def _check_rules_inputs(curves: pd.DataFrame, truth: pd.DataFrame, label: str) -> None:
    """The share rules the CLI applied read cpc and new_customer_share from its curves: they must be the truth's."""
    c = curves.assign(segment=curves["segment"].map(_segment)).set_index(["channel", "segment"])
    keys = list(zip(truth["channel"], truth["segment"]))
    for col in ("cpc", "new_customer_share"):
        got = c.loc[keys, col].to_numpy(dtype=float)
        if not np.allclose(got, truth[col].to_numpy(dtype=float), rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{label}: the CLI's {col} differs from the truth's: the share rules would differ")


def _band_cover(curves: pd.DataFrame, truth: pd.DataFrame) -> list[bool]:
    """Per truth cell: does [mroi_low, mroi_high] hold the true marginal ROI at current spend?"""
    if not {"mroi_low", "mroi_high"} <= set(curves.columns):
        return []
    c = curves.assign(segment=curves["segment"].map(_segment)).set_index(["channel", "segment"])
    out = []
    for r in truth.itertuples():
        lo, hi = c.loc[(r.channel, r.segment), ["mroi_low", "mroi_high"]]
        out.append(bool(lo <= r.marginal_roi_at_current <= hi))
    return out


def _attributed_plan(files: dict, market: Market, model: str, budget: float) -> np.ndarray:
    """The usual 'move budget by attributed ROI' plan, built as benchmarks/pipeline.py does."""
    from attribution import credit_by_day
    from attribution.engines import build_paths
    from benchmarks.pipeline import attributed_curves
    from roimix.evaluation import plan_spend
    from roimix.pipeline import campaign_windows

    paths = build_paths(str(files["touchpoints"]), str(files["conversions"]), lookback_days=30,
                        by=("date", "product_segment"))
    credit = credit_by_day(paths, model, channels=market.channels)
    dates = pd.to_datetime(market.spend["date"])
    exclude = campaign_windows(dates.min(), dates.max())
    curves = attributed_curves(credit, market.truth[_CURVE_COLUMNS], exclude)
    spend, _status = plan_spend(curves, scenario(budget))
    return spend
