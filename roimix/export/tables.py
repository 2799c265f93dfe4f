"""Write tidy frames to CSV (UTF-8 with BOM, for Excel), JSON or a simple Excel workbook.

Every writer takes ``{name: DataFrame}``; CSV writes the first frame only (the main table).
Text cells are neutralised against formula injection in CSV and Excel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .safe import safe_frame

FORMATS = (".csv", ".json", ".xlsx")


def write_tables(frames: dict[str, pd.DataFrame], path: str | Path, *, meta: dict | None = None) -> Path:
    """Write by extension: ``.csv`` (first frame), ``.json`` (all frames + ``meta``), ``.xlsx`` (a sheet each)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"output {path.name}: expected one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        first = next(iter(frames.values()))
        safe_frame(first).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".json":
        doc = {"meta": _jsonable(meta or {})} | {name: _records(frame) for name, frame in frames.items()}
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        write_workbook(frames, path)
    return path


def write_workbook(frames: dict[str, pd.DataFrame], path: str | Path) -> None:
    """One sheet per frame: bold header, frozen first row, thousands separators, sensible widths."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "nan_inf_to_errors": True})
    try:
        head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        ratio = book.add_format({"num_format": "0.0000"})
        for name, frame in frames.items():
            sheet = book.add_worksheet(name[:31])
            safe = safe_frame(frame)
            for j, col in enumerate(safe.columns):
                sheet.write_string(0, j, str(col), head)
                values = safe[col].tolist()
                numeric = pd.api.types.is_numeric_dtype(frame[frame.columns[j]]) and not pd.api.types.is_bool_dtype(
                    frame[frame.columns[j]])
                fmt = ratio if numeric and "roi" in str(col) else money if numeric else None
                for i, value in enumerate(values, start=1):
                    _write(sheet, i, j, value, fmt)
                width = max([len(str(col))] + [len(_text(v)) for v in values[:200]]) + 2
                sheet.set_column(j, j, min(max(width, 8), 40))
            sheet.freeze_panes(1, 0)
    finally:
        book.close()


def _write(sheet, row: int, col: int, value, fmt) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None)
    elif isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        if math.isinf(float(value)):
            sheet.write_string(row, col, "inf" if value > 0 else "-inf")
        else:
            sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, str(value))


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_jsonable(r) for r in frame.to_dict(orient="records")]


def _jsonable(value):
    """Plain JSON: numpy scalars to Python, NaN and ±inf to null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):  # a day in a column of mixed cells (the 投放设置 sheet's dates and total)
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    return value
