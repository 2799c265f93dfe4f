"""Curve files that keep their uncertainty: the curves table, and beside it its draws.

``roimix plan --curves-out curves.csv`` and ``roimix fit --out curves.csv`` write the fitted curves and, next
to them, ``curves.draws.parquet``: the fit's curve draws (:data:`optimizer.draws.DRAW_COLUMNS`), stamped with
the SHA-256 of the curves file they belong to. ``roimix plan --curves curves.csv`` and a batch scenario's
``curves.file`` read the draws back, so a reused fit plans with the same risk (CVaR) and states the same
P10–P90 range as the run that fitted it. Draws whose stamp does not match the curves file (the curves were
edited or refitted since) are not used, and the reader says so: stale draws would state a range around
curves that are no longer the ones planned on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from roimix.export.safe import safe_frame

DRAWS_SUFFIX = ".draws.parquet"
_STAMP_KEY = b"roimix.curves_sha256"


def draws_path(curves_path: str | Path) -> Path:
    """Where the draws of ``curves_path`` live: ``curves.csv`` → ``curves.draws.parquet`` (same folder)."""
    path = Path(curves_path)
    return path.with_name(path.stem + DRAWS_SUFFIX)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_curves(frame: pd.DataFrame, path: str | Path, draws: pd.DataFrame | None = None) -> Path | None:
    """Write ``frame`` to ``path`` (Parquet as it is, ``.xlsx`` as a workbook, else CSV with text cells
    neutralised against formula injection) and, when ``draws`` has rows, the draws beside it stamped with
    the written file's SHA-256. Returns the draws' path (None without draws; a stale draws file of an
    earlier fit at that place is removed, so it can never be read against these curves)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # as the plan exports do: a new folder is not an error
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):  # typed columns, no spreadsheet: written as they are
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        from roimix.export.tables import write_tables

        write_tables({"curves": frame}, path)
    else:  # a channel named =HYPERLINK(…) must not run when the CSV is opened in Excel or WPS
        safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    target = draws_path(path)
    if draws is None or not len(draws):
        target.unlink(missing_ok=True)
        return None
    table = pa.Table.from_pandas(draws.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _STAMP_KEY: _sha256(path).encode()})
    pq.write_table(table, target)
    return target


@dataclass(frozen=True)
class StoredDraws:
    """What was found beside a curves file: ``draws`` (None when absent or not usable) and ``state``:
    ``read``, ``absent`` or ``stale`` (written for other contents of the curves file)."""

    draws: pd.DataFrame | None
    state: str
    path: Path


def read_draws(curves_path: str | Path) -> StoredDraws:
    """The draws stored beside ``curves_path`` (:func:`write_curves`), if they belong to its contents."""
    import pyarrow.parquet as pq

    curves_path = Path(curves_path)
    target = draws_path(curves_path)
    if not target.is_file():
        return StoredDraws(None, "absent", target)
    table = pq.read_table(target)
    stamp = (table.schema.metadata or {}).get(_STAMP_KEY, b"").decode()
    if stamp != _sha256(curves_path):
        return StoredDraws(None, "stale", target)
    return StoredDraws(table.to_pandas(), "read", target)
