"""Problems found in an input table, and the one error type that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from roimix.errors import InputError
from roimix.messages import Message

from roimix.expected import english, expect

MAX_REPORTED = 20
"""How many problems an error message lists before it only gives the count."""
NO_ROWS_EXPECTED = english(expect("no_rows"))
"""A table with a header and no data rows."""


@dataclass(frozen=True)
class Problem:
    """One kind of problem in one column of one file, with the (first) rows where it occurs.

    ``rows`` are numbered as a spreadsheet shows them: the header is row 1, the first data row is
    row 2 (for CSV, Parquet and DataFrames alike). ``n_rows`` counts every affected row, ``rows``
    holds the first few.
    """

    file: str
    column: str
    expected: str
    """what the cell, row or file should have been, in English (see ``message``)"""
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    got: tuple[str, ...] = ()
    message: Message | None = None
    """the same expectation as a key of :data:`roimix.expected.EXPECTED` and its values, for a shell
    that words it in the reader's language"""

    @classmethod
    def of(cls, file: str, column: str, expected: Message, rows: tuple[int, ...] = (), n_rows: int = 0,
           got: tuple[str, ...] = ()) -> Problem:
        """A problem whose expectation is ``expected`` (:func:`roimix.expected.expect`)."""
        return cls(file, column, english(expected), tuple(rows), int(n_rows), tuple(got), expected)

    def describe(self) -> str:
        if self.expected == NO_ROWS_EXPECTED and not self.rows:
            return f"{self.file}: no rows: expected {self.expected}"
        where = self.file
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows)
            more = f" … ({self.n_rows} rows)" if self.n_rows > len(self.rows) else ""
            where += f", row{'s' if self.n_rows > 1 else ''} {shown}{more}"
        where += f", column {self.column}" if self.column else ""
        got = ""
        if self.got:
            got = ", got " + ", ".join(_show(g) for g in self.got)
        return f"{where}: expected {self.expected}{got}"


def _show(value: str) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class TableError(InputError):
    """An input table broke its contract. ``problems`` lists everything found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: tuple[Problem, ...] | list[Problem]) -> str:
    """All problems, one per line: the first ``MAX_REPORTED`` and a count of the rest."""
    lines = [p.describe() for p in problems[:MAX_REPORTED]]
    if len(problems) > MAX_REPORTED:
        lines.append(f"… and {len(problems) - MAX_REPORTED} more problems ({len(problems)} in all)")
    return "\n".join(lines)
