"""Errors become messages: every engine call on a page runs inside :func:`guard` or :func:`attempt`.

* :class:`roimix.tables.TableError` → a table of problems (file, rows, column, expected, got);
* a named roimix error (one root, :class:`roimix.errors.RoimixError`: bad scenario, bad curve, bad setting …) →
  its message, in the reader's language when it carries one as a key (``RoimixError.message``);
* anything else (a bug, or a library's words that were never meant for a marketer) → one line naming what
  failed; the traceback goes to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd
import streamlit as st

from roimix.errors import RoimixError
from roimix.messages import Message
from roimix.tables import Problem, TableError
from roimix.text import error_text, t
from roimix.text.problems import expected_text

log = logging.getLogger("roimix.app")
T = TypeVar("T")


def problems_frame(problems: list[Problem] | tuple[Problem, ...], lang: str) -> pd.DataFrame:
    """One row per problem, with localised column names: file, rows, column, expected, got."""
    from roimix.text.problems import expected_text  # the text package words a problem for every shell

    rows = []
    for p in problems:
        shown = ", ".join(str(r) for r in p.rows)
        if p.n_rows > len(p.rows):
            shown += t("app.problems.more_rows", lang, n=p.n_rows)
        rows.append({
            t("app.problems.file", lang): p.file,
            t("app.problems.rows", lang): shown or "–",
            t("app.problems.column", lang): p.column or "–",
            t("app.problems.expected", lang): expected_text(p, lang),
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
        text = error_text(err, lang)  # a keyed error worded, reasons inside reasons too
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
