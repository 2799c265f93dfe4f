"""What daily spend and GMV tables can tell a plan, when a fit is handed parts of the truth (issue 15 item 5).

On each independent market (``benchmarks/markets``) every cell's true curve is ``k_c · f_c``, with
``f_c`` the truth's curve (family, b, s) applied to the spend carried over by a kernel, and ``k_c = 1``.
Here a fit is *handed* the curves' shapes and only fits the 16 levels ``k_c`` from what aggregate mode
reads — each segment's daily GMV and each cell's daily spend — by least squares with ``k ≥ 0``:

    GMV_{s,t} = Σ_{c ∈ s} k_c · f_c(carried spend_{c,t}) + baseline_{s,t} + noise,

the baseline being an intercept, a linear trend, a weekend dummy and the shop's campaign calendar (its
phases' dates, which a shop knows; either one dummy per phase or the phases and 14 days after them left
out, as aggregate mode does). The plan maximises the fitted curves ``k̂_c · f_c`` under the harness's
scenario (budget = today's, cells 0.5–2× today, both share rules) and is scored by the truth like every
method of ``decision_markets.py``. Risk-neutral and without bands: an upper reference for what a fit
of the levels can do, not a method a shop could run (no shop knows its curves' shapes).

Three hand-outs:

* ``true kernel``: f_c at the spend carried by the market's own kernel (gamma, delayed, geometric);
* ``true mean lag``: f_c at the spend carried by a geometric kernel with the kernel's true mean lag (the
  family of aggregate mode's carry-over candidates, :func:`roimix.shapes.adstock_weights`);
* ``no carry-over``: f_c at the day's own spend.

With ``--tests-from dev=DIR eval=DIR`` (folders kept by ``decision_markets.py --keep``) the fit is also handed the lift
tests each run of the harness had: the 5 largest cells' (``lift_tests.csv``) and the 5 aggregate mode asked
for (``lift_tests_asked.csv``), the same measurements with the same noise. A tested cell's level is its
measured effect ÷ the effect the hand-out's curve predicts for that test (1.5× today's spend for 14 days from
a standing start, carried over by the hand-out's kernel), with the test's standard error; the other cells'
levels are fitted as above on GMV net of the tested cells' curves. Draws take the tested levels from their
standard errors. This bounds item 5's aim with 5 lift tests as the rows without tests bound the aim without.
The same folders' aggregate-mode curves (fitted with the asked-for tests) give three mixes, each fitted and
planned the same way with those tests: roimix's own shapes (family, a, b, s) and kernels (geometric, its mean
lag), the true shapes with roimix's kernels, and roimix's shapes with a geometric kernel of the true mean lag.

Nothing is tuned here: the fit has no settings to tune, so it is run on development and evaluation seeds.

    python benchmarks/aggregate_information.py [--seeds dev eval] [--users 1000000]
        [--tests-from dev=DIR eval=DIR] [--parts hand-outs mixes] [--write]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.markets.common import carried, curve_value  # noqa: E402
from benchmarks.markets.harness import _CURVE_COLUMNS, LIFT_DAYS, MARKETS, scenario, seeds  # noqa: E402
from response.draws import newey_west_meat  # noqa: E402
from roimix.shapes import adstock_weights  # noqa: E402

KERNELS = ("true kernel", "true mean lag", "no carry-over")
CALENDARS = ("dummies", "left out")
PLANS = ("estimate", "CVaR")
"""the plan on the fitted levels (risk-neutral) or roimix's default risk (CVaR 0.9 over draws of the levels)"""
AFTER_DAYS = 14
"""Days after a campaign phase also left out (``left out``): aggregate mode leaves out twice its longest lag."""
WARM_DAYS = 60
"""Days of the first fortnight's mean spend put before the history when carrying spend over (``true mean lag``)."""
NW_LAGS = 7
"""Newey–West lag window of the levels' covariance (aggregate mode's default for daily data)."""
N_DRAWS = 200
TESTS = {"none": None, "5 largest": "lift_tests.csv", "5 asked for": "lift_tests_asked.csv"}
"""the lift tests handed to the fit: none, or a kept harness folder's file of them"""
RESULTS = ROOT / "benchmarks" / "results" / "aggregate_information.md"


def features(daily: pd.DataFrame, truth: pd.DataFrame, kernel: str) -> pd.DataFrame:
    """date × cell (truth's row index): f_c at the carried spend the hand-out gives."""
    cols = {}
    for c, r in truth.iterrows():
        d = daily[(daily["channel"] == r["channel"]) & (daily["segment"] == r["segment"])].set_index("date").sort_index()
        if kernel == "true kernel":
            cols[c] = d["expected_value"]
            continue
        spend = d["spend"].to_numpy(dtype=float)
        if kernel == "true mean lag":
            padded = np.concatenate([np.full(WARM_DAYS, spend[:14].mean()), spend])
            x = carried(padded[None, :], [tuple(kernel_weights(None, r, kernel))])[0][WARM_DAYS:]
        elif kernel == "no carry-over":
            x = spend
        else:
            raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
        cols[c] = pd.Series(curve_value(r["family"], r["a"], r["b"], r["s"], x), index=d.index)
    return pd.DataFrame(cols)


def kernel_weights(cell, row: pd.Series, kernel: str) -> np.ndarray:
    """The carry-over weights the hand-out gives the cell (the market's own, a geometric one of its mean lag, none)."""
    if kernel == "true kernel":
        return np.asarray(cell.kernel, dtype=float)
    if kernel == "true mean lag":
        return np.asarray(adstock_weights(float(row["carry_mean_days"]), tail=1e-6), dtype=float)
    return np.ones(1)


def tested_levels(tests: pd.DataFrame, truth: pd.DataFrame, design, kernel: str) -> tuple[np.ndarray, np.ndarray]:
    """(k̂, se) per truth row, NaN where untested: each test's measured effect ÷ the effect the hand-out's curve
    predicts for it at k = 1 (its spend from a standing start over LIFT_DAYS days, carried by the hand-out's
    kernel, as :func:`benchmarks.markets.common.lift_test_effect` measures the truth's)."""
    k, se = np.full(len(truth), np.nan), np.full(len(truth), np.nan)
    for t in tests.itertuples():
        row = truth.index[(truth["channel"] == t.channel) & (truth["segment"] == t.segment)][0]
        r = truth.loc[row]
        w = kernel_weights(design.cells[design.cell_index(t.channel, t.segment)], r, kernel)
        reached = np.cumsum(np.pad(w, (0, max(LIFT_DAYS - len(w), 0))))[:LIFT_DAYS] * float(t.spend)
        predicted = float(np.mean(curve_value(r["family"], r["a"], r["b"], r["s"], reached)))
        k[row], se[row] = t.incremental_value / predicted, t.standard_error / predicted
    return k, se


def baseline_columns(design, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """intercept, trend, weekend and one dummy per campaign phase with days in the history."""
    cols = {"intercept": np.ones(len(dates)), "trend": np.arange(len(dates)) / max(len(dates) - 1, 1),
            "weekend": (dates.day_of_week >= 5).astype(float)}
    day = dates.date
    for i, phase in enumerate(design.calendar):
        on = ((day >= phase.start) & (day <= phase.end)).astype(float)
        if on.any():
            cols[f"phase{i}"] = on
    return pd.DataFrame(cols, index=dates)


def newey_west(a: np.ndarray, residual: np.ndarray, lags: int = NW_LAGS) -> np.ndarray:
    """(A'A)⁻¹ S (A'A)⁻¹ with S the fit's own Newey–West sum (:func:`response.draws.newey_west_meat`)."""
    bread = np.linalg.pinv(a.T @ a)
    return bread @ newey_west_meat(a * residual[:, None], lags) @ bread


def fit_levels(outcome: pd.DataFrame, feats: pd.DataFrame, truth: pd.DataFrame, design, calendar: str,
               *, with_covariance: bool = False, tested: tuple[np.ndarray, np.ndarray] | None = None):
    """k_c ≥ 0 per truth row: least squares of each segment's GMV on its cells' features and the baseline.
    ``with_covariance``: also the levels' Newey–West covariance (block-diagonal over segments).
    ``tested``: (k̂, se) of lift-tested cells (NaN elsewhere), held at k̂ (variance se²) while the rest are fitted
    on the GMV net of their curves."""
    k = np.ones(len(truth))
    cov = np.zeros((len(truth), len(truth)))
    fixed = np.zeros(len(truth), dtype=bool) if tested is None else np.isfinite(tested[0])
    if tested is not None:
        k[fixed] = np.maximum(tested[0][fixed], 0.0)
        cov[fixed, fixed] = tested[1][fixed] ** 2
    for segment in truth["segment"].unique():
        y = outcome[outcome["segment"] == segment].set_index("date")["value"].sort_index()
        seg = (truth["segment"] == segment).to_numpy()
        if fixed[seg].any():
            y = y - feats.loc[y.index, truth.index[seg & fixed]].to_numpy(dtype=float) @ k[seg & fixed]
        cells = truth.index[seg & ~fixed].to_numpy()
        if not len(cells):
            continue
        x = feats.loc[y.index, cells].to_numpy(dtype=float)
        z = baseline_columns(design, pd.DatetimeIndex(y.index))
        if calendar == "left out":
            phases = z.filter(like="phase").to_numpy().sum(axis=1) > 0
            out = np.zeros(len(z), dtype=bool)
            for i in np.flatnonzero(phases):
                out[i:i + AFTER_DAYS + 1] = True
            x, y, z = x[~out], y[~out], z.loc[~out, ["intercept", "trend", "weekend"]]
        elif calendar != "dummies":
            raise ValueError(f"calendar must be one of {CALENDARS}, got {calendar!r}")
        scale = float(y.mean())
        a = np.column_stack([x, z.to_numpy(dtype=float) * scale])
        lower = np.r_[np.zeros(len(cells)), np.full(z.shape[1], -np.inf)]
        fit = lsq_linear(a, y.to_numpy(dtype=float), bounds=(lower, np.full(a.shape[1], np.inf)), method="bvls")
        k[cells] = np.maximum(fit.x[: len(cells)], 0.0)  # BVLS can end a hair below its bound (-7e-13)
        if with_covariance:
            cov[np.ix_(cells, cells)] = newey_west(a, y.to_numpy(dtype=float) - a @ fit.x)[: len(cells), : len(cells)]
    return (k, cov) if with_covariance else k


def capture_of_levels(truth: pd.DataFrame, k: np.ndarray, cov: np.ndarray | None = None,
                      seed: int = 0, shapes: pd.DataFrame | None = None) -> tuple[float, str]:
    """(capture by the truth, the planner's status) of the plan on the curves k_c · f_c: risk-neutral, or with
    ``cov`` the default plan's CVaR over ``N_DRAWS`` draws of k ~ N(k̂, cov) cut at 0 (chosen on half the draws,
    as ``roimix plan`` does). A plan the solver could not make keeps today's spend (capture 0), and its status
    says so. ``shapes``: the curves f_c the levels scale (default: the truth's)."""
    from optimizer import Objective, Planner, Risk, Scenario, curves_from_frame
    from roimix.evaluation import score

    budget = float(truth["current_spend"].sum())
    fitted = (truth if shapes is None else shapes)[_CURVE_COLUMNS].copy()
    fitted["a"] = fitted["a"].to_numpy() * np.asarray(k, dtype=float)
    plan_scenario, draws = scenario(budget), None
    if cov is not None:
        rng = np.random.default_rng(seed)
        ks = np.maximum(rng.multivariate_normal(np.asarray(k, dtype=float), cov, N_DRAWS, method="eigh"), 0.0)
        draws = pd.concat([truth[["channel", "segment", "family", "b", "s"]].assign(draw=d, a=truth["a"].to_numpy() * ks[d])
                           for d in range(N_DRAWS)], ignore_index=True)
        plan_scenario = Scenario(Objective("gmv", None, Risk("cvar")), plan_scenario.budget, plan_scenario.rules)
    result = Planner(curves_from_frame(fitted), draws=draws).solve(plan_scenario)
    spend = result.plan["spend"].to_numpy() if result.solved else truth["current_spend"].to_numpy(dtype=float)
    return score(truth[_CURVE_COLUMNS], spend, scenario(budget)).capture, result.status


MIXES = ("roimix's shapes and kernels", "true shapes, roimix's kernels", "roimix's shapes, true mean lag")
"""With the asked-for tests: hand-outs that mix the truth with aggregate mode's own fit of that run (its curves
file beside the tests: family, a, b, s and its geometric kernel's mean lag), to tell which part of the curves
the decisions lose by."""
ROIMIX_CURVES = "curves_roimix_aggregate__the_5_lift_tests_it_asks_for.csv"


def mixed_shapes(truth: pd.DataFrame, fitted: pd.DataFrame, mix: str) -> pd.DataFrame:
    """The truth's table with roimix's shapes (family, a, b, s) and/or its kernels' mean lag (as
    ``carry_mean_days``, carried by a geometric kernel like ``true mean lag``), per ``mix``."""
    own = fitted.set_index(["channel", "segment"]).loc[list(zip(truth["channel"], truth["segment"]))]
    out = truth.copy()
    if mix != "true shapes, roimix's kernels":
        for col in ("family", "a", "b", "s"):
            out[col] = own[col].to_numpy()
    if mix != "roimix's shapes, true mean lag":
        out["carry_mean_days"] = np.nan_to_num(own["lag_mean_periods"].to_numpy(dtype=float))
    return out


def run_market(name: str, users: int, seed: int, tests_from: Path | None = None,
               parts: tuple[str, ...] = ("hand-outs", "mixes")) -> list[dict]:
    market = MARKETS[name].simulate(users, seed)
    daily = market.daily.assign(date=pd.to_datetime(market.daily["date"]))
    outcome = market.outcome.assign(date=pd.to_datetime(market.outcome["date"]))
    truth = market.truth.reset_index(drop=True)
    tests = {"none": None}
    if tests_from is not None:
        folder = tests_from / f"{name}_{seed}"
        for label, file in TESTS.items():
            if file is not None:
                tests[label] = pd.read_csv(folder / file)
    rows = []
    for kernel in KERNELS if "hand-outs" in parts else ():
        feats = features(daily, truth, kernel)
        for label, given in tests.items():
            tested = None if given is None else tested_levels(given, truth, market.design, kernel)
            for calendar in CALENDARS:
                k, cov = fit_levels(outcome, feats, truth, market.design, calendar, with_covariance=True,
                                    tested=tested)
                for plan in PLANS:
                    capture, status = capture_of_levels(truth, k, cov if plan == "CVaR" else None, seed)
                    rows.append({"market": name, "seed": seed, "tests": label, "kernel": kernel,
                                 "calendar": calendar, "plan": plan, "capture": capture, "status": status,
                                 "median_abs_ln_k": float(np.median(np.abs(np.log(np.maximum(k, 1e-3))))),
                                 "levels_at_zero": int((k < 1e-6).sum())})
    if "mixes" in parts and tests_from is not None and (tests_from / f"{name}_{seed}" / ROIMIX_CURVES).exists():
        fitted = pd.read_csv(tests_from / f"{name}_{seed}" / ROIMIX_CURVES, encoding="utf-8-sig")
        for mix in MIXES:
            shapes = mixed_shapes(truth, fitted, mix)
            feats = features(daily, shapes, "true mean lag")
            tested = tested_levels(tests["5 asked for"], shapes, market.design, "true mean lag")
            for calendar in CALENDARS:
                k = fit_levels(outcome, feats, shapes, market.design, calendar, tested=tested)
                capture, status = capture_of_levels(truth, k, seed=seed, shapes=shapes)
                rows.append({"market": name, "seed": seed, "tests": "5 asked for", "kernel": mix,
                             "calendar": calendar, "plan": "estimate", "capture": capture, "status": status,
                             "median_abs_ln_k": float("nan"), "levels_at_zero": int((k < 1e-6).sum())})
    return rows


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (tests, kernel, calendar, plan), g in frame.groupby(["tests", "kernel", "calendar", "plan"], sort=False):
        per = "; ".join(f"{m}: " + ", ".join(f"{v:.2f}" for v in gm.sort_values("seed")["capture"])
                        for m, gm in g.groupby("market", sort=False))
        rows.append({"lift tests": tests, "hand-out": kernel, "campaign days": calendar, "plan": plan, "runs": len(g),
                     "mean capture": round(g["capture"].mean(), 2), "worst": round(g["capture"].min(), 2),
                     "runs < 0": f"{int((g['capture'] < 0).sum())} of {len(g)}",
                     "not solved (kept today's spend)": int((~g["status"].isin(["optimal", "optimal_inaccurate"])).sum()),
                     "median abs ln k": round(g["median_abs_ln_k"].median(), 2), "per market and seed": per})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", choices=["dev", "eval"], default=["dev", "eval"])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--markets", nargs="*", default=list(MARKETS), choices=list(MARKETS))
    parser.add_argument("--tests-from", nargs="+", default=[], metavar="KIND=DIR",
                        help="dev=DIR and/or eval=DIR, folders kept by decision_markets.py --keep on those seeds: "
                             "also hand the fit each run's lift tests")
    parser.add_argument("--parts", nargs="+", choices=["hand-outs", "mixes"], default=["hand-outs", "mixes"],
                        help="the truth's hand-outs, and/or (with --tests-from) the mixes of the truth and roimix's fit")
    parser.add_argument("--write", action="store_true", help=f"write the tables to {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    tests_from = dict(item.split("=", 1) for item in args.tests_from)
    parts = []
    for kind in args.seeds:
        rows = []
        start = time.perf_counter()
        for seed in seeds(kind):
            for name in args.markets:
                new = run_market(name, args.users, seed, Path(tests_from[kind]) if kind in tests_from else None,
                                 tuple(args.parts))
                rows += new
                print(f"{kind} {name} {seed}: " + ", ".join(
                    f"{r['tests']}/{r['kernel']}/{r['calendar']}/{r['plan']} {r['capture']:.2f}"
                    + ("" if r["status"].startswith("optimal") else f" ({r['status']})") for r in new),
                    file=sys.stderr, flush=True)
        frame = pd.DataFrame(rows)
        table = summary(frame).to_markdown(index=False)
        parts.append(f"### {kind} seeds {', '.join(map(str, seeds(kind)))} ({args.users:,} users, "
                     f"{time.perf_counter() - start:.0f} s)\n\n{table}\n")
        print(parts[-1])
    if args.write:
        RESULTS.write_text(RESULTS.read_text(encoding="utf-8").split("<!-- tables -->")[0] + "<!-- tables -->\n\n"
                           + "\n".join(parts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
