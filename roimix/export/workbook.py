"""Write finance tables (:mod:`roimix.export.finance`): an Excel workbook, a CSV for Excel, or JSON.

The workbook has the sheets ``summary``, ``plan`` (channel × segment), ``daily`` (when the plan has
days), ``rules`` (with shadow prices) and ``assumptions``: headers in the report's language,
frozen and filterable; money as ``#,##0.00`` yuan, ROI ``0.00``, shares ``0.0%``, dates
``yyyy-mm-dd``; plan and daily end with a total row that equals the sum of the rows above it to
the fen. CSV (UTF-8 with BOM, so Excel shows Chinese) holds the daily plan (or the plan) with its
total row; JSON holds every table with machine column ids, the totals and the summary.
:func:`write_cells_csv` writes a plan's per-cell data table instead (machine column ids, the same
fen, no total row: the rows themselves add up to the totals). Every text
cell is neutralised against formula injection (a leading ``=``, ``+``, ``-`` or ``@`` is prefixed
with ``'``) and written as text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from roimix.text import t

from .finance import MONEY, FinanceTables, header
from .safe import FORMULA_PREFIXES, neutralise, safe_frame
from .tables import _jsonable

SHEETS = ("summary", "plan", "daily", "rules", "assumptions")
"""Sheet ids (the English workbook's names); :func:`sheet_title` gives each language's."""


def sheet_title(sheet: str, lang: str) -> str:
    """The sheet's name in a workbook in ``lang`` (汇总, 计划, 每日, 规则, 假设 in Chinese)."""
    return t(f"export.sheet.{sheet}", lang)
FORMATS = (".xlsx", ".csv", ".json")
NUMBER_FORMATS = {
    "money": "#,##0.00", "ratio": "0.00", "share": "0.0%", "multiplier": '0.00"×"', "date": "yyyy-mm-dd",
    "seconds": "0.000", "scientific": "0.0E+00", "int": "0", "level": "#,##0.####",
}
COLUMN_FORMATS = {"roi": "ratio", "marginal_roi": "ratio", "break_even_roi": "ratio", "roi_minus_break_even": "ratio",
                  "spend_share": "share", "multiplier": "multiplier",
                  "date": "date", "day": "int", "step": "level", "level": "level"} | {c: "money" for c in MONEY}


def write_finance(tables: FinanceTables, path: str | Path, *, meta: dict | None = None) -> Path:
    """Write by extension: ``.xlsx`` (the workbook), ``.csv`` (main table + total row) or ``.json``
    (with ``meta``, when given, under the key ``meta``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"output {path.name}: expected one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        write_finance_json(tables, path, meta=meta)
    else:
        {".xlsx": write_finance_workbook, ".csv": write_finance_csv}[suffix](tables, path)
    return path


def write_cells_csv(tables: FinanceTables, path: str | Path) -> Path:
    """A plan's per-cell data (:attr:`FinanceTables.cells`) as CSV for Excel: UTF-8 with BOM, machine column
    ids, text neutralised; money from the same fen as the workbook, so each money column sums to its total."""
    if tables.cells is None:
        raise ValueError("only a plan per channel × segment (plan_tables) has per-cell data")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(tables.cells).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def finance_bytes(tables: FinanceTables, kind: str) -> bytes:
    """The file :func:`write_finance` would write, as bytes (``kind``: xlsx, csv or json), for downloads."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return write_finance(tables, Path(folder) / f"plan.{kind.lstrip('.')}").read_bytes()


def headed(frame: pd.DataFrame, lang: str, *, per_day: bool = False) -> pd.DataFrame:
    """``frame`` with each column id replaced by its header in ``lang`` (money per day when ``per_day``)."""
    return frame.rename(columns={c: header(c, lang, per_day=per_day) for c in frame.columns})


def with_total(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` plus a total row: money columns summed in whole fen, ROI of the totals, shares summed."""
    total: dict = {c: None for c in frame.columns}
    total[frame.columns[0]] = t("campaign.total", lang)
    for col in ("current_spend", "spend", "expected_gmv"):
        if col in frame.columns:
            total[col] = int(np.round(frame[col].to_numpy(dtype=float) * 100).astype(np.int64).sum()) / 100
    if "roi" in frame.columns and total.get("spend"):
        total["roi"] = round(total["expected_gmv"] / total["spend"], 4)
    if "spend_share" in frame.columns:  # the rows' shares are rounded; the total is the whole
        total["spend_share"] = 1.0 if total.get("spend") else None
    out = pd.concat([frame.astype({frame.columns[0]: object}), pd.DataFrame([total])], ignore_index=True)
    whole = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])]
    return out.astype({c: "Int64" for c in whole})


def write_finance_csv(tables: FinanceTables, path: Path) -> None:
    main = tables.daily if tables.daily is not None else tables.plan
    frame = with_total(main, tables.lang)
    if "date" in frame.columns:
        frame["date"] = [d.strftime("%Y-%m-%d") if isinstance(d, pd.Timestamp) else d for d in frame["date"]]
    safe_frame(headed(frame, tables.lang, per_day=tables.per_day)).to_csv(path, index=False, encoding="utf-8-sig")


def write_finance_json(tables: FinanceTables, path: Path, *, meta: dict | None = None) -> None:
    def records(frame):
        if frame is None:
            return None
        out = frame.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        return [_jsonable(r) for r in out.to_dict(orient="records")]

    summary = {k: v for k, v in zip(tables.summary["key"], tables.summary["value"]) if not k.startswith("note.")}
    if "uplift_p50" in summary:  # the plan's uplift over the curve draws, yuan per day
        summary["uplift_per_day"] = {q: summary.pop(f"uplift_{q}") for q in ("p10", "p50", "p90")}
    doc = {"lang": tables.lang, "summary": _jsonable(summary), "totals": _jsonable(tables.totals),
           "messages": list(tables.messages), "plan": records(tables.plan), "daily": records(tables.daily),
           "rules": records(tables.rules), "assumptions": records(tables.assumptions)}
    if tables.platform is not None:  # 投放设置: notes worded, the last record the total
        doc["platform_settings"] = records(tables.platform)
    for name, frame, _titles, _formats in tables.sheets:
        doc[name] = records(frame)
    if meta is not None:
        doc["meta"] = _jsonable(meta)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def write_finance_workbook(tables: FinanceTables, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    try:
        fmt = {name: book.add_format({"num_format": spec}) for name, spec in NUMBER_FORMATS.items()}
        fmt["text"] = None
        fmt["quoted"] = book.add_format({"quote_prefix": True})
        head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True, "valign": "top"})
        bold = {name: book.add_format({"num_format": spec, "bold": True, "top": 1}) for name, spec in
                NUMBER_FORMATS.items()} | {"text": book.add_format({"bold": True, "top": 1}),
                                           "quoted": book.add_format({"bold": True, "top": 1, "quote_prefix": True})}
        quoted_head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True,
                                       "valign": "top", "quote_prefix": True})
        heads = (head, quoted_head)
        lang, per_day = tables.lang, tables.per_day
        summary = tables.summary[["item", "value"]]
        _sheet(book, "summary", summary, lang, heads, fmt, bold, row_formats=list(tables.summary["format"]))
        _sheet(book, "plan", with_total(tables.plan, lang), lang, heads, fmt, bold, total=True, per_day=per_day)
        if tables.daily is not None:
            _sheet(book, "daily", with_total(tables.daily, lang), lang, heads, fmt, bold, total=True)
        if tables.platform is not None:  # 投放设置: headers and formats of its own, ends with its total row
            from roimix.platforms.write import FORMATS as PLATFORM_FORMATS
            from roimix.platforms.write import title

            _sheet(book, "platform", tables.platform, lang, heads, fmt, bold, total=len(tables.platform) > 0,
                   titles=[title(c, lang) for c in tables.platform.columns], formats=PLATFORM_FORMATS)
        for name, frame, titles, formats in tables.sheets:
            _sheet(book, name, frame, lang, heads, fmt, bold, titles=list(titles), formats=formats)
        _sheet(book, "rules", tables.rules, lang, heads, fmt, bold)
        _sheet(book, "assumptions", tables.assumptions, lang, heads, fmt, bold)
    finally:
        book.close()


def _sheet(book, name: str, frame: pd.DataFrame, lang: str, heads: tuple, fmt: dict, bold: dict, *,
           total: bool = False, row_formats: list[str] | None = None, per_day: bool = False,
           titles: list[str] | None = None, formats: dict | None = None) -> None:
    sheet = book.add_worksheet(sheet_title(name, lang))
    columns = list(frame.columns)
    titles = titles if titles is not None else [header(col, lang, per_day=per_day) for col in columns]
    formats = formats if formats is not None else COLUMN_FORMATS
    for j, title in enumerate(titles):
        sheet.write_string(0, j, title, heads[1] if title.startswith(FORMULA_PREFIXES) else heads[0])
    last = len(frame)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        styles = bold if total and i == last else fmt
        for j, (col, value) in enumerate(zip(columns, row)):
            kind = row_formats[i - 1] if row_formats is not None and col == "value" else formats.get(col, "text")
            _write(sheet, i, j, value, styles.get(kind) if kind != "text" else styles["text"], kind, styles["quoted"])
    for j, col in enumerate(columns):
        sample = [_width(v) for v in frame[col].head(300)]
        sheet.set_column(j, j, min(max([_width(titles[j])] + sample) + 2, 60))
    sheet.freeze_panes(1, 0)
    if last:
        sheet.autofilter(0, 0, last - (1 if total else 0), len(columns) - 1)


def _write(sheet, row: int, col: int, value, style, kind: str, quoted=None) -> None:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)) \
            or (isinstance(value, str) and not value):
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(row, col, bool(value), style)
    elif isinstance(value, pd.Timestamp):
        sheet.write_datetime(row, col, value.to_pydatetime(), style)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        if math.isinf(float(value)):
            sheet.write_string(row, col, "inf" if value > 0 else "-inf", style if value > 0 or quoted is None else quoted)
        else:
            sheet.write_number(row, col, float(value), style)
    else:
        text = str(value)
        if text.startswith(FORMULA_PREFIXES) and quoted is not None:
            sheet.write_string(row, col, text, quoted)  # a string cell, quote-prefixed: inert, shown as typed
        else:
            sheet.write_string(row, col, neutralise(text), style)


def _width(value) -> int:
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, pd.Timestamp):
        return 10
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)  # CJK characters are twice as wide
