"""Known-truth check of the PyMC-Marketing peer (benchmarks/pymc_peer.py), run in its own venv.

    bash benchmarks/setup_peers.sh
    .venv-peers/bin/python benchmarks/check_pymc_peer.py [--cases example,roas,daily] [--draws 500 ...]

Cases (truth verified here to 1e-6 against the data's own truth columns before it is used):
- ``example``: PyMC-Marketing's mmm_example.csv (weekly, x1 x2; y = ... + 3000 logistic(adstock(x1; 0.4), 4)
  + 2000 logistic(adstock(x2; 0.2), 3)), controls event_1, event_2;
- ``roas``: mmm_roas_data.csv (weekly, with an unobserved confounder of x1; 200 logistic(adstock4(x1; 0.3), 1),
  150 logistic(adstock4(x2; 0.5), 2.5));
- ``daily``: a 150-day, 8-channel, 2-segment market drawn here with PyMC-Marketing's own functional form
  (normalised geometric adstock, logistic saturation), day-of-week pattern and trend (the model family the peer assumes).

For each: the peer's contribution share of the outcome and ROAS against the truth, the plan's budget and
bounds (exit 1 if broken), and the share of the true achievable uplift its plan captures
((F(plan) - F(current)) / (F(best) - F(current)) with F the true steady-state response; best by water-filling
on the true concave curves). Uses numpy and pandas only; the peer runs as a subprocess.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "pymc-marketing"
BOUNDS = (0.5, 2.0)


def logistic(x: np.ndarray, lam: float) -> np.ndarray:
    """PyMC-Marketing's logistic saturation (1 - e^-lam x) / (1 + e^-lam x)."""
    return np.tanh(lam * np.asarray(x, dtype=float) / 2.0)


def geometric_adstock(x: np.ndarray, alpha: float, l_max: int) -> np.ndarray:
    """Normalised geometric adstock over ``l_max`` periods (weights alpha^l / sum alpha^l)."""
    w = alpha ** np.arange(l_max)
    w = w / w.sum()
    return np.convolve(np.asarray(x, dtype=float), w)[: len(x)]


@dataclass(frozen=True)
class Curve:
    """True steady-state response per period of channel spend s: beta * logistic(s / scale, lam)."""

    beta: float
    lam: float
    scale: float

    def value(self, s: np.ndarray) -> np.ndarray:
        return self.beta * logistic(np.asarray(s) / self.scale, self.lam)

    def slope(self, s: np.ndarray) -> np.ndarray:
        u = self.lam * np.asarray(s) / (2 * self.scale)
        return self.beta * self.lam / (2 * self.scale) / np.cosh(u) ** 2


@dataclass(frozen=True)
class Case:
    name: str
    spend: pd.DataFrame  # date, channel, [segment], spend
    outcome: pd.DataFrame  # date, value, [controls]
    freq: str
    controls: tuple[str, ...]
    curves: dict[str, Curve]
    true_contribution: dict[str, float]  # channel -> total over the history
    note: str


def best_allocation(curves: list[Curve], low: np.ndarray, high: np.ndarray, budget: float) -> np.ndarray:
    """argmax sum f_k(s_k), sum s_k = budget, low <= s <= high for concave f_k: bisection on the multiplier."""

    def at(mu: float) -> np.ndarray:
        out = np.empty(len(curves))
        for k, c in enumerate(curves):
            lo, hi = low[k], high[k]
            if c.slope(hi) >= mu:
                out[k] = hi
            elif c.slope(lo) <= mu:
                out[k] = lo
            else:
                for _ in range(100):
                    mid = 0.5 * (lo + hi)
                    lo, hi = (mid, hi) if c.slope(mid) > mu else (lo, mid)
                out[k] = 0.5 * (lo + hi)
        return out

    mu_lo, mu_hi = 0.0, max(float(c.slope(0.0)) for c in curves) * 2 + 1.0
    for _ in range(200):
        mu = 0.5 * (mu_lo + mu_hi)
        mu_lo, mu_hi = (mu, mu_hi) if at(mu).sum() > budget else (mu_lo, mu)
    return at(0.5 * (mu_lo + mu_hi))


def _weekly_spend(df: pd.DataFrame, date_col: str, channels: list[str]) -> pd.DataFrame:
    long = df.melt(id_vars=[date_col], value_vars=channels, var_name="channel", value_name="spend")
    return long.rename(columns={date_col: "date"})


def case_example() -> Case:
    df = pd.read_csv(DATA / "mmm_example.csv")
    truth = pd.read_csv(DATA / "mmm_example_true_contributions.csv")
    params = {"x1": (3000.0, 0.4, 4.0), "x2": (2000.0, 0.2, 3.0)}
    for ch, (beta, alpha, lam) in params.items():
        rebuilt = beta * logistic(geometric_adstock(df[ch].to_numpy(), alpha, 8), lam)
        err = np.abs(rebuilt - truth[f"{ch}_true_contribution"].to_numpy()).max()
        assert err < 1e-3, f"mmm_example truth for {ch} not reproduced (max error {err})"
    return Case(
        name="example",
        spend=_weekly_spend(df, "date_week", ["x1", "x2"]),
        outcome=df.rename(columns={"date_week": "date", "y": "value"})[["date", "value", "event_1", "event_2"]],
        freq="W",
        controls=("event_1", "event_2"),
        curves={ch: Curve(beta, lam, 1.0) for ch, (beta, _, lam) in params.items()},
        true_contribution={ch: float(truth[f"{ch}_true_contribution"].sum()) for ch in params},
        note="mmm_example.csv, 179 weeks, controls event_1, event_2 (+ the peer's trend and yearly seasonality)",
    )


def case_roas() -> Case:
    df = pd.read_csv(DATA / "mmm_roas_data.csv")
    params = {"x1": (200.0, 0.3, 1.0, "y01"), "x2": (150.0, 0.5, 2.5, "y02")}
    contrib = {}
    for ch, (beta, alpha, lam, counterfactual) in params.items():
        rebuilt = beta * logistic(geometric_adstock(df[ch].to_numpy(), alpha, 4), lam)
        effect = (df["y"] - df[counterfactual]).to_numpy()
        err = np.abs(rebuilt - effect).max()
        assert err < 1e-6 * max(1.0, np.abs(effect).max()), f"mmm_roas_data truth for {ch} not reproduced ({err})"
        contrib[ch] = float(effect.sum())
    return Case(
        name="roas",
        spend=_weekly_spend(df, "date", ["x1", "x2"]),
        outcome=df.rename(columns={"y": "value"})[["date", "value"]],
        freq="W",
        controls=(),
        curves={ch: Curve(beta, lam, 1.0) for ch, (beta, _, lam, _) in params.items()},
        true_contribution=contrib,
        note="mmm_roas_data.csv, 131 weeks, x1 confounded by an unobserved z (as upstream's ROAS notebook)",
    )


def case_daily(seed: int = 20260618) -> Case:
    rng = np.random.default_rng(seed)
    n_days = 150
    dates = pd.date_range("2026-01-15", periods=n_days, freq="D")
    channels = ["直通车", "引力魔方", "万相台", "小红书", "抖音达人", "巨量千川", "品牌搜索", "京准通"]
    mean_spend = np.array([32e3, 20e3, 16e3, 10e3, 12e3, 19e3, 8e3, 27e3])
    alpha = np.array([0.2, 0.3, 0.4, 0.6, 0.5, 0.3, 0.1, 0.2])
    lam = np.array([1.5, 2.0, 2.5, 1.0, 1.2, 2.0, 3.0, 1.8])
    beta = np.array([60e3, 30e3, 25e3, 30e3, 25e3, 30e3, 10e3, 40e3])
    seg_share = {"天猫": 0.6, "京东": 0.4}
    rows, contrib, curves = [], {}, {}
    media = np.zeros(n_days)
    for k, ch in enumerate(channels):
        x = mean_spend[k] * np.exp(rng.normal(0.0, 0.35, n_days) - 0.35**2 / 2)
        effect = beta[k] * logistic(geometric_adstock(x, alpha[k], 14) / mean_spend[k], lam[k])
        media += effect
        contrib[ch] = float(effect.sum())
        curves[ch] = Curve(float(beta[k]), float(lam[k]), float(mean_spend[k]))
        for seg, share in seg_share.items():
            rows += [{"date": d.date(), "channel": ch, "segment": seg, "spend": v * share} for d, v in zip(dates, x)]
    dow_effect = np.array([0.0, -5e3, -5e3, 0.0, 10e3, 25e3, 20e3])[dates.day_of_week]
    base = 300e3 + 40e3 * np.arange(n_days) / n_days + dow_effect
    y = base + media + rng.normal(0.0, 10e3, n_days)
    outcome = pd.DataFrame(
        [{"date": d.date(), "segment": seg, "value": v * share} for d, v in zip(dates, y) for seg, share in seg_share.items()]
    )
    return Case(
        name="daily",
        spend=pd.DataFrame(rows),
        outcome=outcome,
        freq="D",
        controls=(),
        curves=curves,
        true_contribution=contrib,
        note="150 days x 8 channels x 2 segments drawn here in PyMC-Marketing's own model family (same model family)",
    )


CASES = {"example": case_example, "roas": case_roas, "daily": case_daily}


def run_case(case: Case, args: argparse.Namespace, work: Path) -> dict:
    spend_path, outcome_path, plan_path = work / "spend.csv", work / "outcome.csv", work / "plan.csv"
    case.spend.to_csv(spend_path, index=False)
    case.outcome.to_csv(outcome_path, index=False)
    wide = case.spend.groupby(["date", "channel"])["spend"].sum().unstack(fill_value=0.0)
    channels = list(wide.columns)
    current = wide.mean(axis=0).to_numpy()
    budget = float(current.sum())
    cmd = [
        args.peer_python, str(ROOT / "benchmarks" / "pymc_peer.py"),
        "--spend", str(spend_path), "--outcome", str(outcome_path),
        "--budget", repr(budget), "--bounds", f"{BOUNDS[0]},{BOUNDS[1]}", "--out", str(plan_path),
        "--draws", str(args.draws), "--tune", str(args.tune), "--chains", str(args.chains), "--seed", str(args.seed),
        "--freq", case.freq,
    ]  # fmt: skip
    if case.controls:
        cmd += ["--controls", ",".join(case.controls)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{case.name}: the peer failed ({done.returncode}):\n{done.stderr[-3000:]}")
    print(done.stdout.strip().splitlines()[-1])
    plan = pd.read_csv(plan_path, keep_default_na=False)
    contrib = pd.read_csv(work / "plan_contrib.csv").set_index("channel")
    summary = json.loads((work / "plan_summary.json").read_text())

    # budget, bounds and the segment split
    by_channel = plan.groupby("channel")["spend"].sum().reindex(channels).to_numpy()
    low, high = BOUNDS[0] * current, BOUNDS[1] * current
    tol = 1e-6 * budget
    problems = []
    if abs(plan["spend"].sum() - budget) > tol:
        problems.append(f"plan total {plan['spend'].sum():.4f} != budget {budget:.4f}")
    for ch, s, lo, hi in zip(channels, by_channel, low, high):
        if not lo - tol <= s <= hi + tol:
            problems.append(f"{ch}: {s:.4f} outside [{lo:.4f}, {hi:.4f}]")
    if "segment" in case.spend.columns:
        seg_now = case.spend.groupby(["channel", "segment"])["spend"].sum()
        seg_now = seg_now / seg_now.groupby(level=0).transform("sum")
        seg_plan = plan.set_index(["channel", "segment"])["spend"]
        seg_plan = seg_plan / seg_plan.groupby(level=0).transform("sum")
        worst = float((seg_plan - seg_now.reindex(seg_plan.index)).abs().max())
        if worst > 1e-9:
            problems.append(f"segment shares differ from current by up to {worst:.2e}")

    # recovery against the truth
    total_y = float(case.outcome["value"].sum())
    spend_total = wide.sum(axis=0)
    n_periods = len(wide)
    rows = []
    for ch in channels:
        true_c = case.true_contribution[ch]
        fit_c = float(contrib.loc[ch, "contribution_cny_per_day"]) * n_periods
        rows.append(
            {
                "channel": ch,
                "true_share": true_c / total_y,
                "peer_share": fit_c / total_y,
                "true_roas": true_c / float(spend_total[ch]),
                "peer_roas": float(contrib.loc[ch, "roas"]),
                "peer_roas_p05": float(contrib.loc[ch, "roas_p05"]),
                "peer_roas_p95": float(contrib.loc[ch, "roas_p95"]),
                "current": current[channels.index(ch)],
                "plan": by_channel[channels.index(ch)],
            }
        )
    table = pd.DataFrame(rows)
    table["roas_in_band"] = (table["true_roas"] >= table["peer_roas_p05"]) & (table["true_roas"] <= table["peer_roas_p95"])

    curves = [case.curves[ch] for ch in channels]

    def true_value(s: np.ndarray) -> float:
        return float(sum(c.value(v) for c, v in zip(curves, s)))

    best = best_allocation(curves, low, high, budget)
    gain_best = true_value(best) - true_value(current)
    gain_plan = true_value(by_channel) - true_value(current)
    table["true_best"] = best
    return {
        "case": case.name,
        "note": case.note,
        "table": table,
        "problems": problems,
        "true_gain_best_per_period": gain_best,
        "true_gain_plan_per_period": gain_plan,
        "capture": gain_plan / gain_best if gain_best > 0 else float("nan"),
        "peer_predicted_uplift": summary["predicted_uplift_per_period"],
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer-python", default=str(ROOT / ".venv-peers" / "bin" / "python"))
    ap.add_argument("--cases", default="example,roas,daily")
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if not Path(args.peer_python).exists():
        print(f"check_pymc_peer: {args.peer_python} not found: run bash benchmarks/setup_peers.sh", file=sys.stderr)
        return 2
    if not DATA.is_dir():
        print(f"check_pymc_peer: datasets not found at {DATA}", file=sys.stderr)
        return 2
    failed = False
    pd.set_option("display.width", 200)
    for name in [c.strip() for c in args.cases.split(",") if c.strip()]:
        case = CASES[name]()
        with tempfile.TemporaryDirectory(prefix=f"pymc_peer_{name}_") as tmp:
            res = run_case(case, args, Path(tmp))
        print(f"\n== {name}: {res['note']}")
        print(res["table"].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        up = res["peer_predicted_uplift"]
        print(
            f"true uplift per period: best {res['true_gain_best_per_period']:.4g}, peer's plan "
            f"{res['true_gain_plan_per_period']:.4g} -> capture {res['capture']:.3f}; peer's own prediction "
            f"P10/P50/P90 {up['p10']:.4g}/{up['p50']:.4g}/{up['p90']:.4g}"
        )
        if res["problems"]:
            failed = True
            print("BUDGET/BOUNDS PROBLEMS: " + "; ".join(res["problems"]))
        else:
            print("plan respects the budget, the 0.5-2x bounds and the current segment shares")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
