"""Errors become messages: every engine call on a page runs inside :func:`guard` or :func:`attempt`.

* :class:`roimix.tables.TableError` → a table of problems (file, rows, column, expected, got);
* a named roimix error (one root, :class:`roimix.errors.RoimixError`: bad scenario, bad curve, bad setting …) →
  its message, in the reader's language when it carries one as a key (``RoimixError.message``);
* anything else (a bug, or a library's words that were never meant for a marketer) → one line naming what
  failed; the traceback goes to the server log only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd
import streamlit as st

from roimix.errors import RoimixError
from roimix.messages import Message
from roimix.tables import Problem, TableError
from roimix.text import t

log = logging.getLogger("roimix.app")
T = TypeVar("T")


# What the table contracts expect, as the tables engine says it (English), and the app's key for it.
_EXACT = {
    "a number": "number", "a number > 0": "positive", "an amount in yuan ≥ 0": "money",
    "a share between 0 and 1": "share", "a whole number ≥ 0": "count", "a value (the cell is empty)": "value",
    "a date like 2026-06-18": "date", "a timestamp like 2026-06-18 20:00:00": "timestamp", "true or false": "bool",
    "an id": "id", "text": "text", "no more than clicks": "le_clicks", "an end date on or after start": "end_after_start",
    "a UTF-8 or GB18030/GBK text file (in Excel: Save As → 'CSV UTF-8')": "utf8",
    "a .csv, .parquet or .xlsx file": "file_type", "a file with a header row and data (the file is empty)": "empty_file",
    "at least one data row (the file has only a header)": "no_rows",
    "channels separated by ' > ' with no empty step": "path_steps", "no value on a path without conversions": "path_value",
    "b > 0 for families exp, mm, log, hill": "curve_b", "0 < s < 1 for family power": "curve_s_power",
    "s > 0 for family hill": "curve_s_hill",
}
_PATTERNS = (
    (re.compile(r"^one of (?P<values>.+)$"), "one_of"),
    (re.compile(r"^a column named '(?P<name>.+)'$"), "column"),
    (re.compile(r"^one row per (?P<columns>.+?) \(duplicate keys: (?P<groups>\d+) repeated in (?P<rows>\d+) rows\)$"), "unique"),
    (re.compile(r"^a readable CSV .*the reader said: (?P<detail>.*)$", re.S), "readable"),
    (re.compile(r"^a readable Excel workbook \(the reader said: (?P<detail>.*)\)$", re.S), "excel"),
    (re.compile(r"^an existing file \((?P<path>.*)\)$"), "exists"),
    (re.compile(r"^(?P<n>\d+) fields separated by (?P<sep>.+?) as in the header \((?P<header>.*)\), got (?P<got>\d+)$"),
     "fields"),
    (re.compile(r'^a quoted value closed by its quote'), "quoted"),
    (re.compile(r"^a row shorter than 2 MB$"), "short_row"),
    (re.compile(r"^a well-formed CSV row; the reader said: (?P<detail>.*)$", re.S), "well_formed"),
    (re.compile(r"^well-formed rows \(counting stopped at (?P<n>[\d,]+) malformed rows"), "rejects_limit"),
    (re.compile(r"^a number with (?P<marks>.+?) as the decimal mark and no thousands separator$"), "decimal_mark"),
    (re.compile(r"^part files of one kind: all Parquet or all CSV$"), "part_kinds"),
    (re.compile(r"^a folder with Parquet or CSV part files \((?P<path>.*) has none\)$"), "parts_folder"),
    (re.compile(r"^files matching (?P<pattern>.*) \(none found\)$"), "glob"),
    (re.compile(r"^at most (?P<ceiling>[\d,.]+) \(the stated ceiling; a larger amount is a unit or export error\)$"),
     "ceiling"),
    (re.compile(r"^at most (?P<ceiling>[\d,.]+) per conversion \(the stated ceiling; a larger amount is a unit or "
                r"export error\)$"), "ceiling_per_conversion"),
    (re.compile(r"^a file or folder on this machine \((?P<path>.*) is remote"), "remote"),
    (re.compile(r"^a channel the touchpoints name \((?P<names>.*)\) or a label_zh/label_en of it in the channels table$"),
     "spelling_touch"),
    (re.compile(r"^a channel the spend file (?P<file>.+?) names \((?P<names>.*)\) or a label_zh/label_en of it in the "
                r"channels table$"), "spelling_spend"),
    (re.compile(r"^a time between (?P<first_date>\S+) and (?P<last_date>\S+) \(the spend table's dates ± the "
                r"(?P<lookback_days>\d+)-day lookback\)$"), "dates_window"),  # roimix.pipeline (H1)
    (re.compile(r"^a channel \(and segment\) of the spend table: (?P<known>.*)$", re.S), "lift_cell"),
    # roimix.aggregate: the outcome table and spend against it
    (re.compile(r"^the same period as (?P<file>.+) or days \(spend is weekly, the outcome daily"), "agg_period"),
    (re.compile(r"^week starts on the outcome's weekday \((?P<weekday>\w+)\)$"), "agg_weekday"),
    (re.compile(r"^at least (?P<n>\d+) days of GMV \(got (?P<got>\d+)\)$"), "agg_min_days"),
    (re.compile(r"^at least (?P<n>\d+) weeks of GMV \(got (?P<got>\d+)\)$"), "agg_min_weeks"),
    (re.compile(r"^a segment the outcome has GMV for \((?P<segments>.*)\)$"), "agg_segment"),
    (re.compile(r"^dates within the outcome's \((?P<first>\S+) to (?P<last>\S+)\)$"), "agg_overlap"),
    (re.compile(r"^at least two different dates$"), "agg_two_dates"),
    (re.compile(r"^dates one day or one week apart \(found dates (?P<days>\d+) days apart\)$"), "agg_grid"),
    (re.compile(r"^a value for every day from (?P<first>\S+) to (?P<last>\S+); (?P<n>\d+) missing \((?P<shown>[^)]*)\)"),
     "agg_missing_days"),
    (re.compile(r"^a value for every week from (?P<first>\S+) to (?P<last>\S+); (?P<n>\d+) missing \((?P<shown>[^)]*)\)"),
     "agg_missing_weeks"),
    (re.compile(r"^both touchpoints and conversions for the channels that have journeys$"), "agg_partial"),
)


def expected_text(expected: str, lang: str) -> str:
    """A contract's expectation in the reader's language (as the engine says it when there is no translation)."""
    if expected in _EXACT:
        return t(f"app.expected.{_EXACT[expected]}", lang)
    for pattern, key in _PATTERNS:
        m = pattern.match(expected)
        if m:
            return t(f"app.expected.{key}", lang, **m.groupdict())
    return expected


def problems_frame(problems: list[Problem] | tuple[Problem, ...], lang: str) -> pd.DataFrame:
    """One row per problem, with localised column names: file, rows, column, expected, got."""
    rows = []
    for p in problems:
        shown = ", ".join(str(r) for r in p.rows)
        if p.n_rows > len(p.rows):
            shown += t("app.problems.more_rows", lang, n=p.n_rows)
        rows.append({
            t("app.problems.file", lang): p.file,
            t("app.problems.rows", lang): shown or "–",
            t("app.problems.column", lang): p.column or "–",
            t("app.problems.expected", lang): expected_text(p.expected, lang),
            t("app.problems.got", lang): ", ".join(str(g) for g in p.got) or "–",
        })
    columns = [t(f"app.problems.{c}", lang) for c in ("file", "rows", "column", "expected", "got")]
    return pd.DataFrame(rows, columns=columns)


def show_problems(problems, lang: str, *, title_key: str = "app.problems.title") -> None:
    st.error(t(title_key, lang, n=len(problems)))
    st.dataframe(problems_frame(problems, lang), hide_index=True, width="stretch", height="content")


class AppMessage(RoimixError):
    """A condition the app explains itself, in the reader's language: a text key and its values."""

    def __init__(self, key: str, **values):
        super().__init__(t(key, "en", **values), message=Message(key, values))


def report(err: BaseException, lang: str, what: str) -> None:
    """Show ``err`` as a message (never a traceback). Only the project's named errors (:class:`RoimixError`, one
    root) are written for a reader; anything else is one line naming what failed, its details in the server log."""
    if isinstance(err, TableError):
        show_problems(err.problems, lang)
    elif isinstance(err, RoimixError):
        text = t(err.message.key, lang, **err.message.values) if err.message is not None else str(err)
        st.error(t("app.error.named", lang, what=what, message=text))
    else:
        log.error("%s failed", what, exc_info=err)
        st.error(t("app.error.unexpected", lang, what=what, kind=type(err).__name__))


@contextmanager
def guard(lang: str, what: str) -> Iterator[None]:
    """Run a block; an exception in it is shown as a message and the page goes on below the block."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 - turned into a message for the user
        report(err, lang, what)


def attempt(lang: str, what: str, fn: Callable[..., T], *args, **kwargs) -> T | None:
    """``fn(*args, **kwargs)``, or ``None`` after showing the error as a message."""
    try:
        return fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - turned into a message for the user
        report(err, lang, what)
        return None
