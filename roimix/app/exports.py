"""Plan downloads: the same files as ``roimix plan --out`` (CSV, Excel, JSON), as bytes for a download button.

The frames are the CLI's (:func:`roimix.commands.plan.output_frames`: plan, rules, summary, the
summary's sentences) plus the what-if's assumptions; they are written by the project's exporters
(:func:`roimix.export.write_tables`, which neutralise cells a spreadsheet would run as formulas).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def assumptions(whatif, source: str, dataset: str) -> pd.DataFrame:
    """item, value: what the plan was computed on (curve source, data, every setting of the what-if)."""
    items = {"curves": source, "data": dataset, **{k: v for k, v in asdict(whatif).items() if k != "bounds"}}
    for channel, lower, upper, locked in whatif.bounds:
        items[f"bounds.{channel}"] = "locked" if locked else f"{lower:g}–{'' if upper is None else f'{upper:g}'}× current"
    return pd.DataFrame({"item": list(items), "value": [str(v) for v in items.values()]})


def frames(result, whatif, source: str, dataset: str, lang: str) -> dict[str, pd.DataFrame]:
    from roimix.commands.plan import output_frames

    out = dict(output_frames(result, lang))
    out["assumptions"] = assumptions(whatif, source, dataset)
    return out


def build(kind: str, result, whatif, source: str, dataset: str, lang: str = "en") -> bytes:
    """The plan as ``kind`` (``csv``: the plan table; ``xlsx``: a sheet per table; ``json``: all tables + meta)."""
    from optimizer import render
    from roimix.export import write_tables

    meta = {"status": result.status, "objective": result.objective, "lang": lang, "curves": source, "data": dataset,
            "messages": [render(m, lang) for m in result.messages]}
    with tempfile.TemporaryDirectory(prefix="roimix-export-") as folder:
        path = write_tables(frames(result, whatif, source, dataset, lang), Path(folder) / f"plan.{kind}", meta=meta)
        return path.read_bytes()
