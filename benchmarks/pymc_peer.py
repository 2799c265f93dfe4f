"""PyMC-Marketing as a peer planner for the decision benchmarks (runs inside ``.venv-peers`` only).

Fits PyMC-Marketing's MMM with its default media transforms (GeometricAdstock, LogisticSaturation,
default priors) on daily channel totals, then plans a daily budget with PyMC-Marketing's own budget
optimizer under per-channel bounds LOW x .. HIGH x each channel's current (mean daily) spend.

    .venv-peers/bin/python benchmarks/pymc_peer.py --spend spend.csv --outcome outcome.csv \
        --budget 250000 --bounds 0.5,2 --out plan.csv [--draws 500 --tune 500 --chains 2 --seed 1]

Writes ``plan.csv`` (channel, segment, spend: yuan per day; a channel's plan split over its segments
by its current segment shares), ``<stem>_contrib.csv`` (fitted contribution and ROAS per channel at
current spend, with the plan) and ``<stem>_summary.json`` (times, sampler health, the peer's own
predicted uplift per day). Imports only numpy, pandas, xarray and pymc_marketing: never the project.
Bad input exits with status 2 and one line naming the file, row and column.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ADSTOCK_L_MAX_DAYS = 14  # two weeks of carry-over for daily data
ADSTOCK_L_MAX_WEEKS = 8  # as in PyMC-Marketing's weekly examples
YEARLY_FOURIER_MODES = 2  # as in PyMC-Marketing's example; used only with >= 1 year of history
PLAN_HORIZON_DAYS = 28  # window the optimizer allocates over (carry-over tail of l_max periods added)
PLAN_HORIZON_WEEKS = 8
SLSQP_RELATIVE_FTOL = 1e-8  # the optimizer's stopping tolerance, relative to the expected media contribution
NO_SEGMENT = ""


class InputError(Exception):
    """Bad input: the message names the file, row and column."""


@dataclass(frozen=True)
class MarketData:
    """Daily channel totals, the outcome, and how each channel's spend splits over segments."""

    X: pd.DataFrame  # date, one column per channel (yuan per day), control columns
    y: pd.Series  # total outcome per day (yuan)
    channels: tuple[str, ...]
    controls: tuple[str, ...]
    current_spend_cny: pd.Series  # channel -> mean daily spend over the history
    segment_shares: pd.DataFrame  # channel, segment, share (sums to 1 per channel)


def _require_columns(df: pd.DataFrame, path: Path, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (has: {', '.join(map(str, df.columns))})")


def _parse_dates(df: pd.DataFrame, path: Path) -> pd.Series:
    dates = pd.to_datetime(df["date"], errors="coerce")
    bad = dates.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: row {i + 2}, column date: not a date: {df['date'].iloc[i]!r}")
    return dates.dt.normalize()


def _parse_amounts(df: pd.DataFrame, path: Path, column: str, allow_negative: bool) -> pd.Series:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if not allow_negative:
        bad |= values < 0
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        rule = "a finite number" if allow_negative else "a finite number >= 0"
        raise InputError(f"{path}: row {i + 2}, column {column}: {str(df[column].iloc[i])!r} is not {rule}")
    return values.astype(float)


def read_spend(path: Path) -> pd.DataFrame:
    """Long spend table -> date, channel, segment, spend_cny (extra columns ignored)."""
    df = pd.read_csv(path, dtype={"channel": str, "segment": str}, keep_default_na=False)
    _require_columns(df, path, ("date", "channel", "spend"))
    out = pd.DataFrame(
        {
            "date": _parse_dates(df, path),
            "channel": df["channel"].astype(str).str.strip(),
            "segment": df["segment"].astype(str).str.strip() if "segment" in df.columns else NO_SEGMENT,
            "spend_cny": _parse_amounts(df, path, "spend", allow_negative=False),
        }
    )
    empty = out["channel"] == ""
    if empty.any():
        raise InputError(f"{path}: row {int(np.flatnonzero(empty.to_numpy())[0]) + 2}, column channel: empty")
    if out.empty:
        raise InputError(f"{path}: no rows")
    return out


def read_outcome(path: Path, controls: tuple[str, ...] = ()) -> tuple[pd.Series, pd.DataFrame]:
    """Outcome table (date, [segment], value, [controls]) -> total value per period (summed over segments)
    and the named control columns per period (mean over segments)."""
    df = pd.read_csv(path, dtype={"segment": str}, keep_default_na=False)
    _require_columns(df, path, ("date", "value", *controls))
    frame = pd.DataFrame({"date": _parse_dates(df, path), "value": _parse_amounts(df, path, "value", True)})
    for c in controls:
        frame[f"ctl_{c}"] = _parse_amounts(df, path, c, True)
    keys = ["date"]
    if "segment" in df.columns:
        frame["segment"] = df["segment"].astype(str).str.strip()
        keys.append("segment")
    dup = frame.duplicated(keys)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{path}: row {i + 2}: second row for the same {' and '.join(keys)}")
    if frame.empty:
        raise InputError(f"{path}: no rows")
    by_date = frame.groupby("date")
    return by_date["value"].sum().sort_index(), by_date[[f"ctl_{c}" for c in controls]].mean().sort_index()


def build_market(
    spend: pd.DataFrame,
    outcome: pd.Series,
    spend_path: Path,
    outcome_path: Path,
    freq: str = "D",
    extra_controls: pd.DataFrame | None = None,
) -> MarketData:
    """Channel totals per period aligned on the outcome's dates, with a linear trend, day-of-week dummies
    (daily data) and any extra controls."""
    dates = outcome.index
    step = pd.Timedelta(days=1 if freq == "D" else 7)
    full = pd.date_range(dates.min(), dates.max(), freq=step)
    if len(full) != len(dates) or not full.equals(pd.DatetimeIndex(dates)):
        gap = full.difference(dates)
        what = f"no row for date {gap[0].date()}" if len(gap) else "dates are not evenly spaced"
        raise InputError(f"{outcome_path}: {what} (the outcome must have one row per {'day' if freq == 'D' else 'week'})")
    outside = ~spend["date"].isin(dates)
    if outside.any():
        i = int(np.flatnonzero(outside.to_numpy())[0])
        raise InputError(
            f"{spend_path}: row {i + 2}, column date: {spend['date'].iloc[i].date()} is outside the outcome's "
            f"dates {dates.min().date()}..{dates.max().date()}"
        )
    wide = spend.pivot_table(index="date", columns="channel", values="spend_cny", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(dates, fill_value=0.0)
    channels = tuple(str(c) for c in wide.columns)
    n_days = len(dates)
    controls: dict[str, np.ndarray] = {"ctl_trend": np.arange(n_days) / max(n_days - 1, 1)}
    if freq == "D":
        dow = dates.day_of_week.to_numpy()
        for d in range(6):  # Sunday is the reference day
            controls[f"ctl_dow_{d}"] = (dow == d).astype(float)
    if extra_controls is not None:
        for c in extra_controls.columns:
            controls[str(c)] = extra_controls[c].reindex(dates).to_numpy(dtype=float)
    clash = set(channels) & (set(controls) | {"date", "y"})
    if clash:
        raise InputError(f"{spend_path}: column channel: reserved channel name(s) {', '.join(sorted(clash))}")
    X = pd.DataFrame({"date": dates})
    for c in channels:
        X[c] = wide[c].to_numpy(dtype=float)
    for name, values in controls.items():
        X[name] = values
    y = pd.Series(outcome.to_numpy(dtype=float), index=X.index, name="y")
    current = wide.mean(axis=0)
    current.index = current.index.astype(str)
    by_seg = spend.groupby(["channel", "segment"])["spend_cny"].sum().reset_index()
    totals = by_seg.groupby("channel")["spend_cny"].transform("sum")
    counts = by_seg.groupby("channel")["spend_cny"].transform("size")
    by_seg["share"] = np.where(totals > 0, by_seg["spend_cny"] / totals.where(totals > 0, 1.0), 1.0 / counts)
    return MarketData(X, y, channels, tuple(controls), current, by_seg[["channel", "segment", "share"]])


def fit_mmm(market: MarketData, draws: int, tune: int, chains: int, seed: int, l_max: int, sampler: str):
    """PyMC-Marketing's MMM with default GeometricAdstock + LogisticSaturation priors; NUTS."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    span_days = (market.X["date"].max() - market.X["date"].min()).days + 1
    mmm = MMM(
        date_column="date",
        channel_columns=list(market.channels),
        control_columns=list(market.controls),
        adstock=GeometricAdstock(l_max=l_max),
        saturation=LogisticSaturation(),
        yearly_seasonality=YEARLY_FOURIER_MODES if span_days >= 365 else None,
    )
    mmm.build_model(market.X, market.y)
    mmm.add_original_scale_contribution_variable(var=["channel_contribution"])
    mmm.fit(
        market.X,
        market.y,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=min(chains, os.cpu_count() or 1, 2),
        random_seed=seed,
        progressbar=False,
        nuts_sampler=sampler,
    )
    return mmm


def sampler_health(mmm) -> dict:
    """Divergences and the largest R-hat over the free parameters."""
    import arviz as az

    idata = mmm.idata
    divergences = int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else -1
    free = [v.name for v in mmm.model.free_RVs if v.name in idata.posterior]
    rhat = az.rhat(idata.posterior[free]) if idata.posterior.sizes.get("chain", 1) > 1 else None
    rhat_max = float(max(float(rhat[v].max()) for v in rhat.data_vars)) if rhat is not None else float("nan")
    return {"divergences": divergences, "rhat_max": rhat_max}


def contributions(mmm, market: MarketData) -> pd.DataFrame:
    """Per channel: mean daily fitted contribution (yuan) and ROAS at current spend, with 5-95 % bands."""
    da = mmm.idata.posterior["channel_contribution_original_scale"]  # chain, draw, date, channel
    per_day = da.mean("date")  # chain, draw, channel
    spend = market.current_spend_cny.reindex([str(c) for c in per_day["channel"].values]).to_numpy()
    total = per_day.sum("channel")
    rows = []
    for k, ch in enumerate(per_day["channel"].values):
        contrib = per_day.sel(channel=ch).values.ravel()
        share = (per_day.sel(channel=ch) / total).values.ravel()
        s = spend[k]
        roas = contrib / s if s > 0 else np.full_like(contrib, np.nan)
        rows.append(
            {
                "channel": str(ch),
                "current_spend_cny_per_day": s,
                "contribution_cny_per_day": float(np.mean(contrib)),
                "contribution_p05": float(np.quantile(contrib, 0.05)),
                "contribution_p95": float(np.quantile(contrib, 0.95)),
                "media_share": float(np.mean(share)),
                "roas": float(np.mean(roas)),
                "roas_p05": float(np.quantile(roas, 0.05)),
                "roas_p95": float(np.quantile(roas, 0.95)),
            }
        )
    out = pd.DataFrame(rows)
    out["outcome_share"] = out["contribution_cny_per_day"] / float(market.y.mean())
    return out


def check_budget(market: MarketData, budget_cny: float, low_mult: float, high_mult: float) -> None:
    """The budget must lie between the sums of the channels' lower and upper bounds."""
    total = float(market.current_spend_cny.sum())
    low, high = low_mult * total, high_mult * total
    if not low * (1 - 1e-9) <= budget_cny <= high * (1 + 1e-9):
        raise InputError(
            f"--budget {budget_cny:g}: outside what --bounds allow ({low:.2f}..{high:.2f} yuan per day "
            f"with {low_mult:g}..{high_mult:g} x current spend {total:.2f})"
        )


def feasible_start(current: np.ndarray, low: np.ndarray, high: np.ndarray, budget: float) -> np.ndarray:
    """clip(t * current, low, high) summing to ``budget`` (bisection on t): a start inside the bounds."""
    lo_t, hi_t = 0.0, 1.0
    while np.clip(hi_t * current, low, high).sum() < budget and hi_t < 1e12:
        hi_t *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo_t + hi_t)
        if np.clip(mid * current, low, high).sum() < budget:
            lo_t = mid
        else:
            hi_t = mid
    return np.clip(hi_t * current, low, high)


def optimize(
    mmm, market: MarketData, budget_cny: float, low_mult: float, high_mult: float, horizon: int, freq: str = "D"
):
    """PyMC-Marketing's optimizer: spend per period and channel maximising expected media contribution over
    ``horizon`` periods after the history (plus the carry-over tail); also the peer's predicted uplift per
    period over the current allocation, one value per posterior draw."""
    import xarray as xr
    from pymc_marketing.mmm.multidimensional import MultiDimensionalBudgetOptimizerWrapper

    channels = list(market.channels)
    current = market.current_spend_cny.reindex(channels).to_numpy(dtype=float)
    low, high = low_mult * current, high_mult * current
    last = pd.Timestamp(market.X["date"].max())
    step = pd.Timedelta(days=1 if freq == "D" else 7)
    wrapper = MultiDimensionalBudgetOptimizerWrapper(
        model=mmm,
        start_date=last + step,
        end_date=last + horizon * step,
    )
    bounds = xr.DataArray(
        np.stack([low, high], axis=1), dims=["channel", "bound"], coords={"channel": channels, "bound": ["lower", "upper"]}
    )
    # Channels with zero current spend have bounds 0..0; the optimizer also leaves out any channel the
    # posterior gives exactly zero contribution, so the start holds only the optimised channels.
    mask = mmm.idata.posterior["channel_contribution"].mean(("chain", "draw", "date")).astype(bool)
    optimised = np.asarray(mask.sel(channel=channels).values, dtype=bool)
    x_start = feasible_start(current, low, high, budget_cny)
    if not optimised.all():
        budget_cny = budget_cny - float(x_start[~optimised].sum())
    var = "total_media_contribution_original_scale"
    current_da = xr.DataArray(current, dims=["channel"], coords={"channel": channels})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        now = wrapper.sample_response_distribution(allocation_strategy=current_da)
        # SLSQP's default ftol (1e-9) is absolute; on an objective of millions of yuan it ran 5,000
        # evaluations (8 min) on a 150-day, 8-channel market. Relative to the objective it takes ~40.
        ftol = SLSQP_RELATIVE_FTOL * max(abs(float(now[var].mean())), 1.0)
        allocation, result = wrapper.optimize_budget(
            budget=budget_cny,
            budget_bounds=bounds,
            x0=feasible_start(current[optimised], low[optimised], high[optimised], budget_cny),
            minimize_kwargs={"method": "SLSQP", "options": {"ftol": ftol, "maxiter": 1_000}},
        )
    plan = np.asarray(allocation.sel(channel=channels).values, dtype=float)
    plan[~optimised] = x_start[~optimised]
    plan_da = xr.DataArray(plan, dims=["channel"], coords={"channel": channels})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = wrapper.sample_response_distribution(allocation_strategy=plan_da)
    uplift = (new[var] - now[var]).values.ravel() / horizon
    return pd.Series(plan, index=channels), result, uplift


def write_plan(plan: pd.Series, market: MarketData, out: Path) -> pd.DataFrame:
    """Split each channel's daily plan over its segments by the channel's current segment shares."""
    shares = market.segment_shares.copy()
    shares["spend"] = shares["share"] * shares["channel"].map(plan)
    table = shares[["channel", "segment", "spend"]].sort_values(["channel", "segment"]).reset_index(drop=True)
    table.to_csv(out, index=False)
    return table


def parse_bounds(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--bounds {text!r}: expected LOW,HIGH such as 0.5,2") from None
    if not (0 <= low <= 1 <= high) or not np.isfinite(high):
        raise InputError(f"--bounds {text!r}: need 0 <= LOW <= 1 <= HIGH (multiples of current spend)")
    return low, high


def default_sampler() -> str:
    """nutpie when installed (about 5x faster here than PyMC's own NUTS), else PyMC's NUTS."""
    import importlib.util

    return "nutpie" if importlib.util.find_spec("nutpie") is not None else "pymc"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spend", type=Path, required=True, help="date, channel, [segment], spend (yuan per period)")
    ap.add_argument("--outcome", type=Path, required=True, help="date, [segment], value (GMV per period)")
    ap.add_argument("--budget", type=float, required=True, help="total budget, yuan per period (day)")
    ap.add_argument("--bounds", default="0.5,2", help="LOW,HIGH multiples of each channel's current spend")
    ap.add_argument("--out", type=Path, required=True, help="plan.csv to write")
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sampler", choices=("nutpie", "pymc", "numpyro", "blackjax"), default=None,
                    help="NUTS implementation (default: nutpie when installed)")
    ap.add_argument("--freq", choices=("D", "W"), default="D", help="D: daily rows (default); W: weekly rows")
    ap.add_argument("--l-max", type=int, default=None,
                    help=f"adstock window in periods (default {ADSTOCK_L_MAX_DAYS} days, {ADSTOCK_L_MAX_WEEKS} weeks)")
    ap.add_argument("--horizon", type=int, default=None,
                    help=f"optimizer window in periods (default {PLAN_HORIZON_DAYS} days, {PLAN_HORIZON_WEEKS} weeks)")
    ap.add_argument("--controls", default="", help="comma-separated extra control columns of --outcome")
    args = ap.parse_args(argv)
    weekly = args.freq == "W"
    l_max = args.l_max or (ADSTOCK_L_MAX_WEEKS if weekly else ADSTOCK_L_MAX_DAYS)
    horizon = args.horizon or (PLAN_HORIZON_WEEKS if weekly else PLAN_HORIZON_DAYS)
    sampler = args.sampler or default_sampler()
    t0 = time.perf_counter()
    try:
        low, high = parse_bounds(args.bounds)
        if not np.isfinite(args.budget) or args.budget <= 0:
            raise InputError(f"--budget {args.budget:g}: must be a positive number of yuan per period")
        controls = tuple(c.strip() for c in args.controls.split(",") if c.strip())
        outcome, extra = read_outcome(args.outcome, controls)
        market = build_market(read_spend(args.spend), outcome, args.spend, args.outcome, args.freq, extra)
        check_budget(market, args.budget, low, high)
    except (InputError, OSError, pd.errors.ParserError) as exc:
        print(f"pymc_peer: {exc}", file=sys.stderr)
        return 2

    import pymc_marketing

    logger_quiet()
    t_fit = time.perf_counter()
    mmm = fit_mmm(market, args.draws, args.tune, args.chains, args.seed, l_max, sampler)
    fit_s = time.perf_counter() - t_fit
    health = sampler_health(mmm)
    contrib = contributions(mmm, market)
    t_opt = time.perf_counter()
    plan, result, uplift = optimize(mmm, market, args.budget, low, high, horizon, args.freq)
    opt_s = time.perf_counter() - t_opt
    table = write_plan(plan, market, args.out)
    contrib["planned_spend_cny_per_day"] = contrib["channel"].map(plan)
    stem = args.out.with_suffix("")
    contrib.to_csv(f"{stem}_contrib.csv", index=False)
    wall_s = time.perf_counter() - t0
    summary = {
        "pymc_marketing_version": pymc_marketing.__version__,
        "sampler": sampler,
        "freq": args.freq,
        "periods": len(market.X),
        "channels": len(market.channels),
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "l_max_periods": l_max,
        "horizon_periods": horizon,
        "fit_seconds": round(fit_s, 2),
        "optimize_seconds": round(opt_s, 2),
        "wall_seconds": round(wall_s, 2),
        "optimizer_success": bool(result.success),
        "optimizer_message": str(result.message),
        "budget_cny_per_period": args.budget,
        "planned_total_cny_per_period": float(table["spend"].sum()),
        "predicted_uplift_per_period": {
            "p10": float(np.quantile(uplift, 0.1)),
            "p50": float(np.quantile(uplift, 0.5)),
            "p90": float(np.quantile(uplift, 0.9)),
        },
        "predicted_prob_better_than_current": float(np.mean(uplift > 0)),
        **health,
    }
    Path(f"{stem}_summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(
        f"pymc_peer: PyMC-Marketing {pymc_marketing.__version__}, {len(market.X)} periods ({args.freq}) x "
        f"{len(market.channels)} channels, {sampler} {args.chains}x({args.tune}+{args.draws}): fit {fit_s:.1f} s, "
        f"optimise {opt_s:.1f} s, wall {wall_s:.1f} s; divergences {health['divergences']}, "
        f"max R-hat {health['rhat_max']:.3f}; plan {table['spend'].sum():.2f} of {args.budget:.2f} per period "
        f"-> {args.out}"
    )
    return 0


def logger_quiet() -> None:
    """PyMC's and PyMC-Marketing's INFO logs and warnings off: the benchmark reads the files."""
    import logging

    for name in ("pymc", "pymc_marketing", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


if __name__ == "__main__":
    sys.exit(main())
