"""A :class:`roimix.pacing.Pacing` in words and files, for the CLI and the app (the shell's side).

The CSV is the tidy per channel × day table with machine column ids (UTF-8 with BOM, formula-like text
neutralised), as ``roimix plan --out plan.csv`` is; the workbook has three sheets — spend pacing, GMV, alerts
and notes — with headers in the reader's language.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from roimix.export.safe import safe_frame
from roimix.text import t
from roimix.text.pacing import say

from .core import ALL, Pacing, PacingPlan

OUT_FORMATS = (".csv", ".xlsx")


def alert_lines(result: Pacing, lang: str, labels: dict | None = None) -> list[str]:
    return [say(m, lang, labels) for m in result.alerts]


def note_lines(result: Pacing, lang: str, labels: dict | None = None) -> list[str]:
    return [say(m, lang, labels) for m in result.notes]


def in_band_days(result: Pacing) -> tuple[int, int]:
    """(days with total GMV inside the band, days with a band)."""
    rows = result.gmv[(result.gmv["segment"] == ALL) & result.gmv["in_band"].notna()]
    return int(rows["in_band"].astype(bool).sum()), len(rows)


def summary_lines(result: Pacing, plan: PacingPlan, lang: str, labels: dict | None = None) -> list[str]:
    """The CLI's summary: days, spend planned vs actual, GMV (and days inside the band), the alert rule, the
    alerts (or that there are none) and the notes."""
    from roimix.text import money, percent

    table, tot = result.channels, result.totals
    lines = [t("pace.summary.head", lang, days=tot["days"], first=f"{table['date'].min():%Y-%m-%d}",
               last=f"{table['date'].max():%Y-%m-%d}", kind=t(f"pace.kind.{plan.kind}", lang))]
    planned, actual = tot["planned_spend"], tot["actual_spend"]
    share = t("pace.summary.pace", lang, share=percent(actual / planned, lang)) if planned > 0 else "–"
    lines.append(t("pace.summary.spend", lang, planned_cny=money(planned, lang), actual_cny=money(actual, lang),
                   pace=share))
    if "actual_gmv" in tot:
        days = int(result.gmv.loc[result.gmv["segment"] == ALL, "date"].nunique()) or 1
        per_day = tot["actual_gmv"] / days
        if np.isfinite(tot.get("reference_gmv", np.nan)):
            lines.append(t("pace.summary.gmv", lang, actual_cny=money(tot["actual_gmv"], lang),
                           per_day_cny=money(per_day, lang), reference_cny=money(tot["reference_gmv"], lang)))
        else:
            lines.append(t("pace.summary.gmv_plain", lang, actual_cny=money(tot["actual_gmv"], lang),
                           per_day_cny=money(per_day, lang)))
        inside, banded = in_band_days(result)
        if banded:
            lines.append(t("pace.summary.band", lang, inside=inside, days=banded))
    lines.append(t("pace.summary.rule", lang, days=result.min_run_days, share=percent(result.tolerance, lang, 0)))
    alerts = alert_lines(result, lang, labels)
    if alerts:
        lines.append(t("pace.summary.alerts", lang))
        lines += [f"  - {a}" for a in alerts]
    else:
        lines.append(t("pace.summary.no_alerts", lang))
    notes = note_lines(result, lang, labels)
    if notes:
        lines.append(t("pace.summary.notes", lang))
        lines += [f"  - {n}" for n in notes]
    return lines


def channel_view(result: Pacing, lang: str, labels: dict | None = None) -> pd.DataFrame:
    """The per channel × day table with the reader's headers, channel labels and status words."""
    out = result.channels.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    if labels:
        out["channel"] = [labels.get(c, c) for c in out["channel"]]
    out["status"] = [t(f"pace.status.{s}", lang) for s in out["status"]]
    for col in ("pace", "cum_pace"):
        out[col] = out[col].replace([np.inf], np.nan).round(4)
    return out.rename(columns={c: t(f"pace.col.{c}", lang) for c in out.columns})


def gmv_view(result: Pacing, lang: str) -> pd.DataFrame:
    out = result.gmv.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    out["segment"] = [t("pace.segment.all", lang) if s == ALL else t(f"segment.{s}", lang)
                      if s in ("new", "existing") else s for s in out["segment"]]
    for col in ("actual_gmv", "reference_gmv", "planned_gmv", "band_low", "band_high"):
        out[col] = out[col].astype(float).round(2)
    out["in_band"] = out["in_band"].astype(object).where(out["in_band"].notna(), None)
    banded = ["planned_gmv", "band_low", "band_high", "in_band"]
    if out[banded].isna().all().all():  # a plan with no band (a campaign plan): no columns of empty cells
        out = out.drop(columns=banded)
    return out.rename(columns={c: t(f"pace.col.{c}", lang) for c in out.columns})


def messages_view(result: Pacing, lang: str, labels: dict | None = None) -> pd.DataFrame:
    rows = [(t("pace.col.alert", lang), line) for line in alert_lines(result, lang, labels)]
    rows += [(t("pace.col.note", lang), line) for line in note_lines(result, lang, labels)]
    return pd.DataFrame(rows, columns=[t("pace.col.kind", lang), t("pace.col.text", lang)])


def tidy_csv(result: Pacing) -> pd.DataFrame:
    """The per channel × day table with machine ids and values (dates as YYYY-MM-DD, pace ``inf`` when only the
    plan is ¥0)."""
    out = result.channels.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def write(result: Pacing, path: str | Path, lang: str, labels: dict | None = None) -> tuple[Path, int]:
    """``.csv``: the tidy table (and, with GMV, ``<name>_gmv.csv`` beside it); ``.xlsx``: the workbook.
    (path written, rows of the per channel × day table)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        safe_frame(tidy_csv(result)).to_csv(path, index=False, encoding="utf-8-sig")
        if len(result.gmv):
            gmv = result.gmv.assign(date=pd.to_datetime(result.gmv["date"]).dt.strftime("%Y-%m-%d"))
            safe_frame(gmv).to_csv(path.with_name(f"{path.stem}_gmv.csv"), index=False, encoding="utf-8-sig")
    else:
        path.write_bytes(workbook_bytes(result, lang, labels))
    return path, len(result.channels)


def workbook_bytes(result: Pacing, lang: str, labels: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as book:
        sheets = [("channels", channel_view(result, lang, labels))]
        if len(result.gmv):
            sheets.append(("gmv", gmv_view(result, lang)))
        sheets.append(("alerts", messages_view(result, lang, labels)))
        for name, frame in sheets:
            safe_frame(frame).to_excel(book, sheet_name=t(f"pace.sheet.{name}", lang), index=False)
            book.sheets[t(f"pace.sheet.{name}", lang)].freeze_panes(1, 0)
    return buffer.getvalue()
