"""Downloads of a plan: CSV, Excel and JSON, through the project's exporters (``roimix.export``).

Until ``roimix.export`` exists this module writes the same three formats itself (plan per cell,
summary, rules, assumptions; formula-looking cells neutralised), so the page works either way.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _engine():
    try:
        from roimix import export  # noqa: F401 - the CLI's exporters, when they have landed
    except ImportError:
        return None
    return export


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def assumptions(whatif, source: str, dataset: str) -> pd.DataFrame:
    items = {"curves": source, "data": dataset, **{k: v for k, v in asdict(whatif).items() if k != "bounds"}}
    for channel, lower, upper, locked in whatif.bounds:
        items[f"bounds.{channel}"] = "locked" if locked else f"{lower:g}–{'' if upper is None else f'{upper:g}'}× current"
    return pd.DataFrame({"item": list(items), "value": [str(v) for v in items.values()]})


def _plan(result) -> pd.DataFrame:
    cols = [c for c in result.plan.columns if c not in ("family", "s_shaped")]
    return result.plan[cols]


def to_csv(result, whatif, source: str, dataset: str, daily: pd.DataFrame | None = None) -> bytes:
    frame = daily if daily is not None and len(daily) else _plan(result)
    return _safe(frame).to_csv(index=False).encode("utf-8-sig")


def to_excel(result, whatif, source: str, dataset: str, daily: pd.DataFrame | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        _safe(result.summary().astype({"value": str})).to_excel(writer, sheet_name="summary", index=False)
        _safe(_plan(result)).to_excel(writer, sheet_name="plan", index=False)
        if daily is not None and len(daily):
            _safe(daily).to_excel(writer, sheet_name="daily plan", index=False)
        _safe(result.rules).to_excel(writer, sheet_name="rules", index=False)
        _safe(assumptions(whatif, source, dataset)).to_excel(writer, sheet_name="assumptions", index=False)
    return buffer.getvalue()


def _jsonable(value):
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def to_json(result, whatif, source: str, dataset: str, daily: pd.DataFrame | None = None) -> bytes:
    doc = {
        "status": result.status,
        "objective": result.objective,
        "totals": {k: _jsonable(v) for k, v in (result.totals.as_dict() if result.totals else {}).items()},
        "evidence": {k: _jsonable(v) for k, v in result.evidence.as_dict().items()},
        "assumptions": dict(zip(*assumptions(whatif, source, dataset).to_dict(orient="list").values())),
        "plan": _records(_plan(result)),
        "rules": _records(result.rules),
    }
    if daily is not None and len(daily):
        doc["daily_plan"] = _records(daily.assign(date=pd.to_datetime(daily["date"]).dt.strftime("%Y-%m-%d")))
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


BUILDERS = {"csv": to_csv, "xlsx": to_excel, "json": to_json}


def build(kind: str, result, whatif, source: str, dataset: str, daily: pd.DataFrame | None = None) -> bytes:
    return BUILDERS[kind](result, whatif, source, dataset, daily)
