"""A plan file and the actuals as :func:`roimix.pacing.pace` takes them (the shell's side: files and labels).

Plan files are the JSON the finance exports write (:func:`roimix.export.write_finance`):

* ``roimix plan --out plan.json`` — ``plan``: one row per channel × segment, money per day; ``summary``
  ``uplift_per_day`` ``{p10, p50, p90}`` when the plan was made with curve draws;
* ``roimix batch … --formats json`` (the default writes it) — ``daily``: one row per date × channel × segment of
  the campaign, with ``summary.horizon``.

Segments are written there in the plan's language (新品 / New products), so they are read back through the
text package's labels (and the table contract's synonyms). Channel labels (``channel_label``, when the plan has
them) name channels in alerts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from roimix.errors import InputError, UsageError
from roimix.messages import Message
from roimix.tables import CONVERSIONS, SPEND, read_table
from roimix.tables.contracts import OUTCOME
from roimix.text import STRINGS

from .core import PacingPlan, orders_to_gmv

SEGMENT_IDS = {"new": "new", "existing": "existing", "新品": "new", "老品": "existing", "old": "existing",
               **{STRINGS["segment.new"][i]: "new" for i in (0, 1)},
               **{STRINGS["segment.existing"][i]: "existing" for i in (0, 1)}}
"""A segment as a plan file writes it (in either language) → its id."""


def parse_day(text: str | None, option: str) -> pd.Timestamp | None:
    """``--start`` as a day (YYYY-MM-DD), or a keyed usage error naming the option."""
    if text is None:
        return None
    try:
        return pd.Timestamp(str(text)).normalize()
    except (ValueError, TypeError):
        raise UsageError(message=Message("pace.err.day", {"option": option, "got": str(text)})) from None


def plan_from_document(doc, file: str, *, start: pd.Timestamp | None = None) -> tuple[PacingPlan, dict[str, str]]:
    """(the plan, channel → label) from a parsed plan JSON. A campaign plan (``daily`` rows) is paced per date
    and its horizon is its own (``start`` is then an error); a plan per channel × segment applies to every day
    from ``start`` (default: the first day of the actuals)."""
    if not isinstance(doc, dict) or not any(isinstance(doc.get(k), list) for k in ("plan", "daily")):
        raise InputError(message=Message("pace.err.plan_file", {"file": file}))
    campaign = isinstance(doc.get("daily"), list) and len(doc["daily"]) > 0
    rows = doc["daily"] if campaign else doc.get("plan") or []
    if not rows:
        raise InputError(message=Message("pace.err.plan_empty", {"file": file}))
    frame = pd.DataFrame(rows)
    need = ["channel", "segment", "spend"] + (["date"] if campaign else [])
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(message=Message("pace.err.plan_columns", {"file": file, "columns": ", ".join(missing)}))
    frame["segment"] = [SEGMENT_IDS.get(str(s), str(s)) for s in frame["segment"]]
    frame["spend"] = pd.to_numeric(frame["spend"], errors="coerce")
    frame["expected_gmv"] = pd.to_numeric(frame.get("expected_gmv", pd.Series(0.0, index=frame.index)), errors="coerce")
    bad = frame["spend"].isna() | (frame["spend"] < 0)
    if bad.any():
        raise InputError(message=Message("pace.err.plan_spend", {"file": file, "row": int(bad.to_numpy().argmax()) + 1}))
    labels = {}
    if "channel_label" in frame.columns:
        labels = {str(c): str(lab) for c, lab in zip(frame["channel"], frame["channel_label"]) if lab}
    if campaign:
        if start is not None:
            raise UsageError(message=Message("pace.err.start_campaign", {"file": file}))
        frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
        if frame["date"].isna().any():
            raise InputError(message=Message("pace.err.plan_columns", {"file": file, "columns": "date"}))
        cells = frame[["date", "channel", "segment", "spend", "expected_gmv"]]
        return PacingPlan(cells, None, cells["date"].min(), cells["date"].max(), "campaign"), labels
    uplift = (doc.get("summary") or {}).get("uplift_per_day")
    band = None
    if isinstance(uplift, dict) and all(isinstance(uplift.get(q), (int, float)) for q in ("p10", "p50", "p90")):
        band = (float(uplift["p10"]), float(uplift["p50"]), float(uplift["p90"]))
    cells = frame.assign(date=pd.NaT)[["date", "channel", "segment", "spend", "expected_gmv"]]
    return PacingPlan(cells, band, start, None, "daily"), labels


def plan_from_bytes(data: bytes, file: str, *, start: pd.Timestamp | None = None) -> tuple[PacingPlan, dict[str, str]]:
    """A plan JSON's bytes (an upload, or a file's) → :func:`plan_from_document`."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(message=Message("pace.err.plan_json", {"file": file, "line": getattr(err, "lineno", 0)})) from None
    return plan_from_document(doc, file, start=start)


def read_plan(path: str | Path, *, start: pd.Timestamp | None = None) -> tuple[PacingPlan, dict[str, str]]:
    path = Path(path)
    if path.suffix.lower() != ".json":
        raise UsageError(message=Message("pace.err.plan_suffix", {"file": path.name}))
    if not path.is_file():
        raise InputError(message=Message("pace.err.plan_missing", {"file": str(path)}))
    return plan_from_bytes(path.read_bytes(), path.name, start=start)


def read_spend(path: str | Path) -> pd.DataFrame:
    """Actual spend, checked against the spend contract (problems name file, row and column)."""
    return read_table(path, SPEND, name=Path(path).name)


def read_gmv(outcome: str | Path | None = None, orders: str | Path | None = None) -> pd.DataFrame | None:
    """GMV per day [and segment]: the outcome table as it is, or the orders log summed per day."""
    if outcome is not None and orders is not None:
        raise UsageError(message=Message("pace.err.gmv_both", {}))
    if outcome is not None:
        return read_table(outcome, OUTCOME, name=Path(outcome).name)
    if orders is not None:
        return orders_to_gmv(read_table(orders, CONVERSIONS, name=Path(orders).name))
    return None


def channel_labels(path: str | Path | None, lang: str) -> dict[str, str]:
    """channel → label from a channels table's ``label_zh`` / ``label_en`` (the sample's channels.csv)."""
    if path is None:
        return {}
    from roimix.tables import CHANNELS

    frame = read_table(path, CHANNELS, name=Path(path).name)
    col = f"label_{lang}"
    if col not in frame.columns:
        return {}
    return {str(c): str(lab) for c, lab in zip(frame["channel"], frame[col]) if isinstance(lab, str) and lab}
