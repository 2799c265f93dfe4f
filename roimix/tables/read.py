"""Read an input table (CSV, Parquet or a DataFrame) and check it against its contract in DuckDB.

Every check runs as SQL over the raw text, so the same code validates a 20-row upload and a
Parquet file larger than memory. Conversion comes first, range checks second: a cell that does
not parse is reported as such and never hides a bad cell elsewhere in the row.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .contracts import Column, TableContract
from .problems import Problem, TableError

Source = str | Path | pd.DataFrame
_EXAMPLE_ROWS = 5
_counter = itertools.count()


def read_table(source: Source, contract: TableContract, *, name: str | None = None) -> pd.DataFrame:
    """Read ``source`` and return it typed as ``contract`` says; raise :class:`TableError` listing every problem."""
    con = _private_connection()
    try:
        view = load_table(con, source, contract, name=name)
        return con.execute(f"SELECT * EXCLUDE (__row) FROM {view} ORDER BY __row").df()
    finally:
        con.close()


def check_table(source: Source, contract: TableContract, *, name: str | None = None) -> list[Problem]:
    """Every problem in ``source`` (empty when it meets the contract)."""
    con = _private_connection()
    try:
        load_table(con, source, contract, name=name)
    except TableError as err:
        return list(err.problems)
    finally:
        con.close()
    return []


def load_table(
    con: duckdb.DuckDBPyConnection, source: Source, contract: TableContract, *, name: str | None = None
) -> str:
    """Check ``source`` inside ``con`` and return the name of a view with the typed, valid table
    (plus ``__row``, the spreadsheet row number; the view is unordered).

    Files are scanned by DuckDB itself (out of core); the view is lazy, so a Parquet file with
    native types is read once for the checks and again only by whoever queries the view.
    """
    label = name or _label(source)
    raw = f"__raw_{contract.name}_{next(_counter)}"
    columns = _register_raw(con, source, raw, label)
    found = {_normalise(c): c for c in columns if c != "__row"}
    problems, selected = _match_columns(contract, found, label)
    if problems:
        raise TableError(problems)

    raw_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {raw})").fetchall())
    typed = f"__typed_{contract.name}_{next(_counter)}"
    exprs = ["__row"]
    for col in contract.columns:
        if col.name in selected:
            src = _quote(selected[col.name])
            exprs.append(f"{_convert(col, src, raw_types[selected[col.name]])} AS {_quote(col.name)}")
            exprs.append(f"{src} AS {_quote('__raw_' + col.name)}")
        elif col.default is not None:
            exprs.append(f"CAST({col.default} AS {col.kind.sql_type}) AS {_quote(col.name)}")
    con.sql(f"CREATE OR REPLACE TEMP VIEW {typed} AS SELECT {', '.join(exprs)} FROM {raw}")

    native = {c.name for c in contract.columns if c.name in selected
              and raw_types[selected[c.name]].split("(")[0].upper() in c.kind.native}
    checks = _checks(contract, selected, native)
    problems = _run_checks(con, typed, checks, label)
    problems += _duplicate_keys(con, typed, contract, selected, label)
    if problems:
        raise TableError(problems)

    out = [c.name for c in contract.columns if c.name in selected or c.default is not None]
    view = f"{contract.name}_{next(_counter)}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT __row, {', '.join(_quote(c) for c in out)} FROM {typed}")
    return view


# --- reading ---------------------------------------------------------------------------------------


def _private_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _label(source: Source) -> str:
    if isinstance(source, pd.DataFrame):
        return "<table>"
    return Path(source).name


def _register_raw(con: duckdb.DuckDBPyConnection, source: Source, raw: str, label: str) -> list[str]:
    """Create ``raw`` with the source's columns as they are plus ``__row``, numbered as a spreadsheet shows it."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame.columns = [str(c) for c in frame.columns]
        frame["__row"] = range(2, len(frame) + 2)
        con.register(raw + "_df", frame)
        con.sql(f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * FROM {raw}_df")
        return list(frame.columns)
    path = Path(source)
    if not path.exists():
        raise TableError([Problem(label, "", f"an existing file ({path})")])
    suffixes = "".join(path.suffixes).lower()
    literal = "'" + str(path).replace("'", "''") + "'"
    try:
        if suffixes.endswith((".parquet", ".pq")):
            con.sql(
                f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 2 AS __row FROM read_parquet({literal}, file_row_number = true)"
            )
        else:
            con.sql(
                f"CREATE OR REPLACE TEMP TABLE {raw}_t AS SELECT * FROM read_csv({literal}, all_varchar = true, "
                f"header = true, auto_detect = true, strict_mode = true)"
            )
            con.sql(f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT *, rowid + 2 AS __row FROM {raw}_t")
    except duckdb.Error as err:
        raise TableError([Problem(label, "", _file_expectation(err))]) from None
    return [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]


def _file_expectation(err: duckdb.Error) -> str:
    text = str(err)
    if "unicode" in text.lower() or "utf-8" in text.lower() or "encoding" in text.lower():
        return "a UTF-8 text file (in Excel: Save As → 'CSV UTF-8')"
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    return f"a readable CSV (comma or semicolon separated) or Parquet file; the reader said: {first[:300]}"


def _normalise(header: str) -> str:
    return str(header).replace("\ufeff", "").strip().lower()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _match_columns(contract: TableContract, found: dict[str, str], label: str):
    selected: dict[str, str] = {}
    problems = []
    for col in contract.columns:
        names = [col.name.lower(), *[a.lower() for a in col.aliases]]
        hit = next((found[n] for n in names if n in found), None)
        if hit is not None:
            selected[col.name] = hit
        elif col.required:
            shown = tuple(sorted(found.values()))[:12]
            problems.append(Problem(label, col.name, f"a column named {col.name!r}", got=shown))
    return problems, selected


def _convert(col: Column, src: str, raw_type: str) -> str:
    base = raw_type.split("(")[0].upper()
    if col.kind.keep_native and base in col.kind.native:
        return src
    if base in col.kind.native:
        return f"CAST({src} AS {col.kind.sql_type})"
    return col.kind.convert.format(x=f"CAST({src} AS VARCHAR)")


# --- checks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    column: str
    violated: str  # SQL over the typed view
    expected: str
    show: str  # SQL expression shown as "got"


def _checks(contract: TableContract, selected: dict[str, str], native: set[str]) -> list[_Check]:
    """SQL checks per column; a column already stored in its target type (Parquet) needs no parsing."""
    checks: list[_Check] = []
    for col in contract.columns:
        if col.name not in selected:
            continue
        v, x = _quote(col.name), _quote("__raw_" + col.name)
        typed = col.name in native and col.kind.sql_type != "VARCHAR"
        empty = f"{x} IS NULL" if typed else f"{x} IS NULL OR trim(CAST({x} AS VARCHAR)) = ''"
        if not col.nullable:
            checks.append(_Check(col.name, empty, "a value (the cell is empty)", "NULL"))
        if not typed:
            checks.append(_Check(col.name, f"NOT ({empty}) AND {v} IS NULL", col.kind.expected, f"CAST({x} AS VARCHAR)"))
        if col.kind.valid:
            checks.append(
                _Check(col.name, f"{v} IS NOT NULL AND NOT ({col.kind.valid.format(v=v)})",
                       col.kind.expected, f"CAST({x} AS VARCHAR)")
            )
    available = {c.name for c in contract.columns if c.name in selected or c.default is not None}
    for rule in contract.rules:
        names = {c.name for c in contract.columns}
        needed = {n for n in names if "{" + n + "}" in rule.violated}
        if not needed <= available:
            continue
        cond = rule.violated.format(**{n: _quote(n) for n in names})
        show = " || ', ' || ".join(f"'{n}=' || coalesce(CAST({_quote(n)} AS VARCHAR), '')" for n in sorted(needed))
        checks.append(_Check(rule.column, f"coalesce({cond}, false)", rule.expected, show))
    return checks


def _run_checks(con: duckdb.DuckDBPyConnection, typed: str, checks: list[_Check], label: str) -> list[Problem]:
    """One scan counts every check; only failing checks are queried again for their first rows."""
    if not checks:
        return []
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.violated})" for c in checks) + f" FROM {typed}"
    ).fetchone()
    problems = []
    for check, n in zip(checks, counts):
        if not n:
            continue
        rows = con.execute(
            f"SELECT __row, {check.show} FROM {typed} WHERE {check.violated} ORDER BY __row LIMIT {_EXAMPLE_ROWS}"
        ).fetchall()
        got = tuple(dict.fromkeys(str(r[1]) for r in rows if r[1] is not None))[:3]
        problems.append(Problem(label, check.column, check.expected, tuple(r[0] for r in rows), int(n), got))
    problems.sort(key=lambda p: p.rows[0] if p.rows else 0)
    return problems


def _duplicate_keys(con, typed: str, contract: TableContract, selected: dict[str, str], label: str) -> list[Problem]:
    key = [k for k in contract.key if k in selected or contract.column(k).default is not None]
    if not key or not all(k in selected for k in key[:1]):
        return []
    cols = ", ".join(_quote(k) for k in key)
    not_null = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in key)
    groups = (
        f"SELECT list(__row ORDER BY __row) AS rows, concat_ws(' / ', {cols}) AS k FROM {typed} "
        f"WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1"
    )
    n_groups, n_rows = con.execute(f"SELECT count(*), coalesce(sum(len(rows)), 0) FROM ({groups})").fetchone()
    if not n_groups:
        return []
    first = con.execute(f"SELECT rows[1:{_EXAMPLE_ROWS}], k FROM ({groups}) ORDER BY rows[1] LIMIT 3").fetchall()
    return [
        Problem(label, ", ".join(key), f"one row per {', '.join(key)} (duplicate keys: {n_groups} repeated in {n_rows} rows)",
                tuple(rows), n_rows, tuple(k for _, k in first))
        for rows in [sorted({r for rows, _ in first for r in rows})[:_EXAMPLE_ROWS]]
    ]
