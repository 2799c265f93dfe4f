"""A table's problems (:class:`roimix.tables.Problem`) worded in the reader's language: what a cell, row or
file should have been, and one line per problem naming file, row(s) and column. The English lines are the
ones ``str(TableError)`` gives (:func:`roimix.tables.problems.format_problems`)."""

from __future__ import annotations

from roimix.expected import EXPECTED
from roimix.text import t


def expected_text(problem, lang: str) -> str:
    """What the cell, row or file should have been, in ``lang``: the problem's own key and values
    (:attr:`Problem.message`, see :mod:`roimix.expected`), never translated back from English."""
    m = problem.message
    return t(f"app.expected.{m.key}", lang, **m.values) if m is not None else problem.expected


def _show(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def problem_line(problem, lang: str) -> str:
    """One problem as one line: file, row(s), column, what was expected and what was found."""
    expected = expected_text(problem, lang)
    no_rows = problem.message.key == "no_rows" if problem.message is not None else (
        problem.expected == EXPECTED["no_rows"])
    if no_rows and not problem.rows:
        return t("data.problem.no_rows", lang, file=problem.file, expected=_spaced(expected, lang))
    sep = t("data.problem.sep", lang)
    where = problem.file
    if problem.rows:
        shown = t("data.problem.list_sep", lang).join(str(r) for r in problem.rows)
        more = t("data.problem.more_rows", lang, n=problem.n_rows) if problem.n_rows > len(problem.rows) else ""
        where += sep + t("data.problem.rows" if problem.n_rows > 1 else "data.problem.row", lang, rows=shown,
                         more=more)
    if problem.column:
        where += sep + t("data.problem.column", lang, column=problem.column)
    got = t("data.problem.got", lang, values=t("data.problem.list_sep", lang).join(_show(g) for g in problem.got)) if problem.got else ""
    return t("data.problem.line", lang, where=where, expected=_spaced(expected, lang), got=got)


def _spaced(expected: str, lang: str) -> str:
    """In Chinese a Latin word or a number after 应为 is set off by a space (应为 true 或 false), as elsewhere."""
    return " " + expected if lang == "zh" and expected[:1].isascii() and expected[:1].isalnum() else expected


def problems_text(problems, lang: str) -> str:
    """Every problem, one a line: the first ``MAX_REPORTED`` and a count of the rest (as ``str(TableError)``)."""
    from roimix.tables.problems import MAX_REPORTED

    lines = [problem_line(p, lang) for p in problems[:MAX_REPORTED]]
    if len(problems) > MAX_REPORTED:
        lines.append(t("data.problem.rest", lang, rest=len(problems) - MAX_REPORTED, n=len(problems)))
    return "\n".join(lines)
