"""Write a simulated market to a folder, in the project's table formats, with its truth beside it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .market import Market

FILES = {
    "touchpoints": "touchpoints.parquet",
    "conversions": "conversions.parquet",
    "spend": "spend.csv",
    "channels": "channels.csv",
    "truth_channels": "truth_channels.csv",
    "truth_curves": "truth_curves.csv",
    "truth_daily": "truth_daily.csv",
    "truth_causes": "truth_causes.parquet",
    "calendar": "calendar.csv",
    "spec": "truth.json",
}


def write_market(market: Market, folder: str | Path, *, csv: bool = False) -> dict[str, Path]:
    """Write every table (Parquet for the large logs, or CSV when ``csv``); return the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files = dict(FILES)
    if csv:
        files |= {"touchpoints": "touchpoints.csv", "conversions": "conversions.csv"}
    tables = {
        "touchpoints": market.touchpoints,
        "conversions": market.conversions,
        "spend": market.spend,
        "channels": market.channels,
        "truth_channels": market.truth.channels,
        "truth_curves": market.truth.curves,
        "truth_daily": market.truth.daily.merge(market.truth.expected_baseline, on="date", how="left"),
        "truth_causes": market.truth.causes,
        "calendar": market.truth.calendar,
    }
    written = {}
    for key, frame in tables.items():
        path = out / files[key]
        if path.suffix == ".parquet":
            frame.to_parquet(path, index=False, compression="zstd")
        else:
            frame.to_csv(path, index=False, encoding="utf-8")
        written[key] = path
    spec = asdict(market.spec)
    summary = {
        "spec": spec,
        "baseline_conversions": market.truth.baseline_conversions,
        "baseline_value": round(market.truth.baseline_value, 2),
        "total_conversions": int(len(market.conversions)),
        "total_value": round(float(market.conversions["value"].sum()), 2),
        "notes": "True response per (channel, segment): GMV/day = a*(1-exp(-spend/b)) on a regular day (see "
                 "truth_curves.csv), times the phase and weekend response multipliers, realised after an "
                 "exponential conversion lag (lag_mean_days). Baseline orders would have happened without ads.",
    }
    written["spec"] = out / files["spec"]
    written["spec"].write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return written


def read_truth_channels(folder: str | Path) -> pd.DataFrame:
    return pd.read_csv(Path(folder) / FILES["truth_channels"])
