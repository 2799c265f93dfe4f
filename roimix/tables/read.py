"""Read an input table (CSV, Parquet or a DataFrame) and check it against its contract in DuckDB.

Every check runs as SQL over the raw text, so the same code validates a 20-row upload and a
Parquet file larger than memory. Conversion comes first, range checks second: a cell that does
not parse is reported as such and never hides a bad cell elsewhere in the row.

A file source is one file, a folder of part files (Spark/Hive style: hidden and ``_``-prefixed
files such as ``_SUCCESS`` are skipped) or a glob pattern (``tpdir/*.parquet``, ``logs/**/*.csv``);
problems in a part name that part. CSV rows with too many or too few fields are reported with
every other problem of the file instead of stopping the read.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .clean_paths import PARQUET_SUFFIXES, clean_paths_arrow
from .contracts import ORDER_CEILING_CNY, Column, TableContract
from roimix.messages import Message

from roimix.expected import expect
from .problems import Problem, TableError

Source = str | Path | pd.DataFrame
_EXAMPLE_ROWS = 5
_counter = itertools.count()
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
_GLOB_CHARS = "*?["
_REJECTS_LIMIT = 100_000
"""Malformed CSV rows recorded per file; beyond it they are counted as 'at least' and cells are not checked."""


def read_table(source: Source, contract: TableContract, *, name: str | None = None) -> pd.DataFrame:
    """Read ``source`` and return it typed as ``contract`` says; raise :class:`TableError` listing every problem.
    Rows come in file order (part files in the order of their paths)."""
    if contract.name == "paths":
        clean = _clean_paths_parquet(source, contract)
        if clean is not None:
            return clean
    con = _private_connection()
    try:
        typed, out = _load(con, source, contract, name=name)
        columns = ", ".join(_quote(c) for c in out)
        return frame_of(con.execute(f"SELECT {columns} FROM {typed} ORDER BY __file, __row"))
    finally:
        con.close()


def frame_of(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A query result as DuckDB's ``.df()`` gives it (same columns and dtypes), with text columns taken
    through Arrow: ``.df()`` builds a Python string per cell, which pandas then copies into its Arrow-backed
    ``str`` dtype (~0.4 s for the sample's 582k touchpoints; this way ~0.1 s)."""
    import pyarrow as pa

    table = result.arrow().read_all()
    text = {f.name for f in table.schema  # .df() gives an object column when no cell has text: so do we
            if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
            and table.column(f.name).null_count < table.num_rows}
    rest = [n for n in table.column_names if n not in text]
    other = result.from_arrow(table.select(rest)).df() if rest else None  # on the same connection: thread-safe
    return pd.DataFrame({n: table.column(n).to_pandas() if n in text else other[n] for n in table.column_names},
                        index=pd.RangeIndex(table.num_rows))


def _clean_paths_parquet(source: Source, contract: TableContract) -> pd.DataFrame | None:
    """:func:`roimix.tables.clean_paths.clean_paths_arrow` as the frame :func:`_load` would return."""
    if isinstance(source, pd.DataFrame):
        return None
    table = clean_paths_arrow(source, contract)
    if table is None:
        return None
    frame = table.to_pandas()
    for n in ("conversions", "nulls"):
        frame[n] = frame[n].astype("int64")
    return frame


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
    (plus ``__row``, the spreadsheet row number within its file; the view is unordered).

    Files are scanned by DuckDB itself (out of core); the view is lazy, so a Parquet file with
    native types is read once for the checks and again only by whoever queries the view.
    """
    typed, out = _load(con, source, contract, name=name)
    view = f"{contract.name}_{next(_counter)}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT __row, {', '.join(_quote(c) for c in out)} FROM {typed}")
    return view


def _load(con: duckdb.DuckDBPyConnection, source: Source, contract: TableContract, *, name: str | None):
    """``(typed view, output columns)``; the typed view also holds ``__row``, ``__file`` and the raw cells."""
    label = name or _label(source)
    raw = f"__raw_{contract.name}_{next(_counter)}"
    found_raw = _register_raw(con, source, raw, label)
    found = {_normalise(c): c for c in found_raw.columns if c not in ("__row", "__file")}
    problems, selected = _match_columns(contract, found, label)
    problems += found_raw.problems
    problems += _parts_without(contract, found_raw, selected)

    raw_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {raw})").fetchall())
    typed = f"__typed_{contract.name}_{next(_counter)}"
    exprs = ["__row", "__file"]
    for col in contract.columns:
        if col.name in selected:
            src = _quote(selected[col.name])
            exprs.append(f"{_convert(col, src, raw_types[selected[col.name]], found_raw.decimal_comma)} "
                         f"AS {_quote(col.name)}")
            exprs.append(f"{src} AS {_quote('__raw_' + col.name)}")
        elif col.default is not None:
            exprs.append(f"CAST({col.default} AS {col.kind.sql_type}) AS {_quote(col.name)}")
    con.sql(f"CREATE OR REPLACE TEMP VIEW {typed} AS SELECT {', '.join(exprs)} FROM {raw}")

    if not found_raw.problems and con.execute(f"SELECT 1 FROM {raw} LIMIT 1").fetchone() is None:
        problems.append(Problem.of(label, "", expect("no_rows")))
    if not found_raw.rows_unknown:
        native = {c.name for c in contract.columns if c.name in selected
                  and raw_types[selected[c.name]].split("(")[0].upper() in c.kind.native}
        checks = _checks(contract, selected, native, found_raw.decimal_comma)
        problems += _run_checks(con, typed, checks, found_raw.labels)
        problems += _duplicate_keys(con, typed, contract, selected, found_raw.labels, label)
    if problems:
        raise TableError(_in_file_order(problems, found_raw.labels))

    out = [c.name for c in contract.columns if c.name in selected or c.default is not None]
    return typed, out


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """What :func:`_register_raw` found: the columns (the union over part files), each part's label
    by its ``__file`` value, problems found while reading, and how the cells are written."""

    columns: list[str]
    labels: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    part_columns: dict[str, list[str]] = field(default_factory=dict)
    """Columns of each part file, when parts may differ."""
    decimal_comma: bool = False
    """Numbers may use ',' as the decimal mark (every part is a ';'-separated CSV)."""
    rows_unknown: bool = False
    """Too many malformed CSV rows to number the others reliably: cells are not checked."""


def _private_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _label(source: Source) -> str:
    if isinstance(source, pd.DataFrame):
        return "<table>"
    return Path(source).name


def duckdb_source(frame: pd.DataFrame):
    """``frame`` as DuckDB should scan it: an Arrow table when every column converts (zero-copy for
    Arrow-backed columns, which DuckDB's pandas scan would copy to Python objects cell by cell, ~1 s per
    10⁶ string cells), else the frame itself (e.g. an object column holding numbers and text)."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        return frame


def _register_raw(con: duckdb.DuckDBPyConnection, source: Source, raw: str, label: str) -> _Raw:
    """Create ``raw`` with the source's columns as they are plus ``__row`` (numbered as a spreadsheet
    shows it, per file) and ``__file`` (which part file)."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame.columns = [str(c) for c in frame.columns]
        frame["__row"] = range(2, len(frame) + 2)
        frame["__file"] = label
        con.register(raw + "_df", duckdb_source(frame))
        con.sql(f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * FROM {raw}_df")
        return _Raw(list(frame.columns), {label: label})
    parts = _parts(source, label)
    csv_parts = [p for p, _ in parts if _is_csv(p)]
    if csv_parts and len(csv_parts) < len(parts):
        raise TableError([Problem.of(label, "", expect("part_kinds"), got=tuple(sorted({_kind(p) for p, _ in parts})))])
    try:
        if csv_parts:
            return _register_csv(con, parts, raw)
        return _register_parquet(con, parts, raw)
    except duckdb.Error as err:
        raise TableError([Problem.of(_failed_part(err, parts, label), "", _file_expectation(err))]) from None


def _parts(source: str | Path, label: str) -> list[tuple[Path, str]]:
    """The files of ``source`` with the label each is reported under: the file itself, the files in a
    folder (recursively, skipping hidden and ``_``-prefixed ones), or the files a glob matches."""
    text = str(source)
    path = Path(source)
    if path.is_file():
        return [(path, label)]
    if path.is_dir():
        parts = [(p, f"{label.rstrip('/')}/{p.relative_to(path).as_posix()}") for p in _folder_files(path)]
        if not parts:
            raise TableError([Problem.of(label, "", expect("parts_folder", path=text))])
        return parts
    if any(ch in text for ch in _GLOB_CHARS):
        parts = []
        for match in sorted(glob.glob(text, recursive=True)):
            m = Path(match)
            if m.is_dir():
                parts += [(p, f"{match.rstrip('/')}/{p.relative_to(m).as_posix()}") for p in _folder_files(m)]
            elif m.is_file() and not _hidden(m.name):
                parts.append((m, match))
        if not parts:
            raise TableError([Problem.of(label, "", expect("glob", pattern=text))])
        return parts
    if "://" in text:
        raise TableError([Problem.of(label, "", expect("remote", path=text))])
    raise TableError([Problem.of(label, "", expect("exists", path=str(path)))])


def _folder_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(_hidden(part) for part in p.relative_to(folder).parts))
    for suffixes in (PARQUET_SUFFIXES, _CSV_SUFFIXES):
        chosen = [p for p in files if p.name.lower().endswith(suffixes)]
        if chosen:
            return chosen
    return [p for p in files if not p.name.lower().endswith(".crc")]  # Hive parts have no suffix


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _is_csv(path: Path) -> bool:
    """By the name (.parquet/.pq or .csv/.tsv/.txt), else by the content: Parquet starts with PAR1."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return False
    if name.endswith(_CSV_SUFFIXES):
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(4) != b"PAR1"
    except OSError:
        return True


def _kind(path: Path) -> str:
    return "CSV" if _is_csv(path) else "Parquet"


def _sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _register_parquet(con: duckdb.DuckDBPyConnection, parts: list[tuple[Path, str]], raw: str) -> _Raw:
    files = [str(p) for p, _ in parts]
    listed = "[" + ", ".join(_sql_string(f) for f in files) + "]"
    union = ", union_by_name = true" if len(files) > 1 else ""
    con.sql(
        f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * EXCLUDE (file_row_number, __file), "
        f"file_row_number + 2 AS __row, __file FROM read_parquet({listed}, file_row_number = true, "
        f"filename = '__file'{union})"
    )
    columns = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    found = _Raw(columns, {f: label for f, (_, label) in zip(files, parts)})
    if len(files) > 1:
        found.part_columns = _parquet_columns(con, files)
    return found


def _parquet_columns(con: duckdb.DuckDBPyConnection, files: list[str]) -> dict[str, list[str]]:
    """Top-level column names of each Parquet file, from its footer (the schema is a flattened tree)."""
    rows = con.execute(
        "SELECT file_name, name, coalesce(num_children, 0) FROM parquet_schema(?) ORDER BY file_name, column_id",
        [files],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for file, entries in itertools.groupby(rows, key=lambda r: r[0]):
        entries = list(entries)[1:]  # the root
        names, i = [], 0

        def skip(i: int) -> int:
            n = entries[i][2]
            i += 1
            for _ in range(n):
                i = skip(i)
            return i

        while i < len(entries):
            names.append(entries[i][1])
            i = skip(i)
        out[file] = names
    return out


def _register_csv(con: duckdb.DuckDBPyConnection, parts: list[tuple[Path, str]], raw: str) -> _Raw:
    """Each part read on its own: header and separator from its first line, every field as text,
    malformed rows set aside (and reported) instead of stopping the read."""
    found = _Raw([], {})
    tables, separators = [], set()
    for i, (path, label) in enumerate(parts):
        table = f"{raw}_{i}"
        try:
            separator, names, problems, rows_unknown = _read_csv_part(con, path, label, table)
        except duckdb.Error as err:
            raise TableError([Problem.of(label, "", _file_expectation(err))]) from None
        found.labels[str(path)] = label
        found.part_columns[str(path)] = names
        found.problems += problems
        found.rows_unknown |= rows_unknown
        separators.add(separator)
        tables.append(table)
    found.decimal_comma = separators == {";"}
    con.sql(f"CREATE OR REPLACE TEMP VIEW {raw} AS " + " UNION ALL BY NAME ".join(f"SELECT * FROM {t}" for t in tables))
    found.columns = [r[0] for r in con.execute(f"DESCRIBE {raw}").fetchall()]
    if len(parts) == 1:
        found.part_columns = {}
    return found


def _read_csv_part(con: duckdb.DuckDBPyConnection, path: Path, label: str, table: str):
    """Read one CSV file into ``table`` (plus ``__row``, ``__file``); ``(separator, header names,
    problems with malformed rows, whether too many rows were malformed to number the others)``.
    A GB18030/GBK file (Chinese Excel's and 生意参谋 / 万相台 / 千川 exports' default) is read through a
    UTF-8 copy (:func:`_utf8_copy`); rows keep their numbers and problems name the file as uploaded."""
    with tempfile.TemporaryDirectory(prefix="roimix-utf8-") as folder:
        readable = _utf8_copy(path, Path(folder))
        return _read_csv_text(con, path, readable, label, table)


def _utf8_copy(path: Path, folder: Path) -> Path:
    """``path`` itself when it is UTF-8 (with or without BOM), else a UTF-8 copy in ``folder`` when the whole
    file decodes as GB18030 (a superset of GBK and GB2312); else ``path`` (DuckDB then names the bad rows).

    The installed DuckDB has no ``encoding`` option without its ``encodings`` extension, which needs a
    download, so the conversion is done here, streamed in 1 MB blocks. UTF-8 is tried first and must hold for
    the whole file: a GB18030 byte sequence is rarely valid UTF-8, so the order decides the rare tie for UTF-8.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    if _decodes(path, opener, "utf-8") or not _decodes(path, opener, "gb18030"):
        return path
    target = folder / (path.name.removesuffix(".gz").removesuffix(".GZ") or "part.csv")
    decoder = codecs.getincrementaldecoder("gb18030")()
    with opener(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while block := src.read(1 << 20):
            out.write(decoder.decode(block))
        out.write(decoder.decode(b"", final=True))
    return target


def _decodes(path: Path, opener, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with opener(path, "rb") as src:
            while block := src.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except (OSError, EOFError):
        return True  # unreadable: the reader reports it
    return True


def _read_csv_text(con: duckdb.DuckDBPyConnection, path: Path, readable: Path, label: str, table: str):
    separator, names = _csv_header(readable, label)
    columns = "{" + ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n in names) + "}"
    rejects = f"{table}_rejects"
    con.sql(
        f"CREATE OR REPLACE TEMP TABLE {table}_t AS SELECT * FROM read_csv({_sql_string(readable)}, auto_detect = false, "
        f"header = true, columns = {columns}, delim = {_sql_string(separator)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{table}_scans', "
        f"rejects_limit = {_REJECTS_LIMIT})"
    )
    # a rejected record keeps its number: the kept row with rowid k sits after every rejected
    # row r_i (i-th, 1-based) with r_i - 1 - i <= k
    con.sql(f"CREATE OR REPLACE TEMP TABLE {table}_shift AS SELECT r - 1 - i AS k, max(i) AS n FROM "
            f"(SELECT line AS r, row_number() OVER (ORDER BY line) AS i FROM (SELECT DISTINCT line FROM {rejects})) "
            f"GROUP BY ALL")
    n_rejected = con.execute(f"SELECT count(DISTINCT line), count(*) FROM {rejects}").fetchone()
    file_sql = _sql_string(str(path))
    if n_rejected[0]:
        con.sql(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT t.* EXCLUDE (__k), t.__k + 2 + coalesce(s.n, 0) "
                f"AS __row, {file_sql} AS __file FROM (SELECT *, rowid AS __k FROM {table}_t) t "
                f"ASOF LEFT JOIN {table}_shift s ON t.__k >= s.k")
    else:
        con.sql(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT *, rowid + 2 AS __row, {file_sql} AS __file "
                f"FROM {table}_t")
    problems = _rejected_rows(con, rejects, label, separator, names)
    rows_unknown = n_rejected[1] >= _REJECTS_LIMIT
    if rows_unknown:
        problems.append(Problem.of(label, "", expect("rejects_limit", n=f"{_REJECTS_LIMIT:,}")))
    return separator, names, problems, rows_unknown


def _csv_header(path: Path, label: str) -> tuple[str, list[str]]:
    """The separator (the most frequent of , ; tab | in the header) and the column names of the header row."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            first = handle.readline(4 << 20)
    except (OSError, EOFError) as err:
        raise TableError([Problem.of(label, "", expect("readable", detail=str(err)))]) from None
    first = first.removeprefix(b"\xef\xbb\xbf")
    try:
        line = first.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise TableError([Problem.of(label, "", expect("utf8"))]) from None
    if not line.strip():
        raise TableError([Problem.of(label, "", expect("empty_file"))])
    separator = max((",", ";", "\t", "|"), key=lambda s: (_count_outside_quotes(line, s), s == ","))
    names = next(csv.reader([line], delimiter=separator, quotechar='"'))
    out, seen = [], set()
    for i, n in enumerate(names):
        n = n or f"column{i}"
        base, k = n, 1
        while n.lower() in seen:
            n, k = f"{base}_{k}", k + 1
        seen.add(n.lower())
        out.append(n)
    return separator, out


def _count_outside_quotes(line: str, char: str) -> int:
    return sum(part.count(char) for part in line.split('"')[::2])


def _rejected_rows(con, rejects: str, label: str, separator: str, names: list[str]) -> list[Problem]:
    """Problems for the rows DuckDB set aside: one per kind of fault (and field count), first rows first."""
    shown_sep = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}[separator]
    header = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
    rows = con.execute(
        f"""
        WITH per_line AS (
            SELECT line, any_value(error_type ORDER BY column_idx) AS kind,
                   max(TRY_CAST(regexp_extract(error_message, 'Found: (\\d+)', 1) AS BIGINT)) AS fields,
                   CASE WHEN any_value(error_type) IN ('TOO MANY COLUMNS', 'MISSING COLUMNS') THEN NULL
                        ELSE any_value(column_name ORDER BY column_idx) END AS col,
                   any_value(error_message ORDER BY column_idx) AS message
            FROM {rejects} GROUP BY line
        )
        SELECT CAST(kind AS VARCHAR), fields, col, count(*), min(line, {_EXAMPLE_ROWS}), any_value(message)
        FROM per_line GROUP BY ALL ORDER BY min(line)
        """
    ).fetchall()
    problems = []
    for kind, fields, col, n, lines, message in rows:
        if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            expected = expect("fields", n=len(names), sep=shown_sep, header=header, got=fields)
        elif kind == "INVALID ENCODING":
            expected = expect("utf8")
        elif kind == "UNQUOTED VALUE":
            expected = expect("quoted")
        elif kind == "LINE SIZE OVER MAXIMUM":
            expected = expect("short_row")
        else:
            expected = expect("well_formed", detail=(message or kind).strip().splitlines()[0][:200])
        problems.append(Problem.of(label, col or "", expected, tuple(int(r) for r in lines), int(n)))
    return problems


def _failed_part(err: duckdb.Error, parts: list[tuple[Path, str]], label: str) -> str:
    """The label of the part file an error names (DuckDB quotes the path), else the source's."""
    text = str(err)
    return next((lab for p, lab in parts if f'"{p}"' in text), label)


def _file_expectation(err: duckdb.Error) -> Message:
    text = str(err)
    if "unicode" in text.lower() or "utf-8" in text.lower() or "encoding" in text.lower():
        return expect("utf8")
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    return expect("readable", detail=first[:300])


def _normalise(header: str) -> str:
    return str(header).replace("\ufeff", "").strip().lower()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _match_columns(contract: TableContract, found: dict[str, str], label: str):
    """Contract columns → source columns; a missing required column is a problem, and the columns
    that are there are still checked."""
    selected: dict[str, str] = {}
    problems = []
    for col in contract.columns:
        names = [col.name.lower(), *[a.lower() for a in col.aliases]]
        hit = next((found[n] for n in names if n in found), None)
        if hit is not None:
            selected[col.name] = hit
        elif col.required:
            shown = tuple(sorted(found.values()))[:12]
            problems.append(Problem.of(label, col.name, expect("column", name=col.name), got=shown))
    return problems, selected


def _parts_without(contract: TableContract, found: _Raw, selected: dict[str, str]) -> list[Problem]:
    """Part files that lack a required column the others have: the column is reported missing
    there and left out of the checks (its cells would all look empty)."""
    problems = []
    for col in contract.columns:
        if not col.required or col.name not in selected or not found.part_columns:
            continue
        source_name = selected[col.name]
        if not any(source_name in names for names in found.part_columns.values()):
            continue  # e.g. a Hive partition column, from the folder names
        for file, names in found.part_columns.items():
            if source_name not in names:
                problems.append(Problem.of(found.labels[file], col.name, expect("column", name=col.name),
                                           got=tuple(sorted(names))[:12]))
    for p in problems:
        selected.pop(p.column, None)
    return problems


def _convert(col: Column, src: str, raw_type: str, decimal_comma: bool = False) -> str:
    base = raw_type.split("(")[0].upper()
    if col.kind.keep_native and base in col.kind.native:
        return src
    if base in col.kind.native:
        return f"CAST({src} AS {col.kind.sql_type})"
    text = f"CAST({src} AS VARCHAR)"
    if decimal_comma and col.kind.sql_type in ("DOUBLE", "BIGINT"):
        # ';'-separated exports write 1,5 for 1.5; a value with both marks (1.234,5) stays an error
        text = (f"CASE WHEN contains({text}, ',') AND NOT contains({text}, '.') "
                f"THEN replace({text}, ',', '.') ELSE {text} END")
    return col.kind.convert.format(x=text)


def _in_file_order(problems: list[Problem], labels: dict[str, str]) -> list[Problem]:
    """Problems of the whole source first, then by part file (in path order) and first row."""
    order = {label: i for i, label in enumerate(dict.fromkeys(labels[f] for f in sorted(labels)))}
    return sorted(problems, key=lambda p: (bool(p.rows), order.get(p.file, -1), p.rows[0] if p.rows else 0))


# --- checks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    column: str
    violated: str  # SQL over the typed view
    expected: Message
    show: str  # SQL expression shown as "got"


def _checks(contract: TableContract, selected: dict[str, str], native: set[str],
            decimal_comma: bool = False) -> list[_Check]:
    """SQL checks per column; a column already stored in its target type (Parquet) needs no parsing.
    ``decimal_comma``: numbers may be written 1,5 (';'-separated CSV)."""
    checks: list[_Check] = []
    for col in contract.columns:
        if col.name not in selected:
            continue
        v, x = _quote(col.name), _quote("__raw_" + col.name)
        typed = col.name in native and col.kind.sql_type != "VARCHAR"
        empty = f"{x} IS NULL" if typed else f"{x} IS NULL OR trim(CAST({x} AS VARCHAR)) = ''"
        if not col.nullable:
            checks.append(_Check(col.name, empty, expect("value"), "NULL"))
        if not typed and col.kind.sql_type in ("DOUBLE", "BIGINT"):
            # 1,5 or 1,234: say which decimal mark is understood rather than just "a number"
            comma = f"contains(CAST({x} AS VARCHAR), ',')"
            marks = "',' or '.'" if decimal_comma else "'.'"
            checks.append(_Check(col.name, f"NOT ({empty}) AND {v} IS NULL AND {comma}",
                                 expect("decimal_mark", marks=marks), f"CAST({x} AS VARCHAR)"))
            checks.append(_Check(col.name, f"NOT ({empty}) AND {v} IS NULL AND NOT {comma}", col.kind.expected,
                                 f"CAST({x} AS VARCHAR)"))
        elif not typed and col.kind.name not in ("text", "id"):  # trimmed non-empty text is never NULL
            checks.append(_Check(col.name, f"NOT ({empty}) AND {v} IS NULL", col.kind.expected, f"CAST({x} AS VARCHAR)"))
        if col.kind.valid:
            checks.append(
                _Check(col.name, f"{v} IS NOT NULL AND NOT ({col.kind.valid.format(v=v)})",
                       col.kind.expected, f"CAST({x} AS VARCHAR)")
            )
        if col.ceiling is not None:  # a stated ceiling: 1e300 yuan is an export error, not a number to plan with
            checks.append(_Check(col.name, f"isfinite({v}) AND abs({v}) > {col.ceiling!r}", col.ceiling_expected,
                                 f"CAST({x} AS VARCHAR)"))
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


def _run_checks(con: duckdb.DuckDBPyConnection, typed: str, checks: list[_Check],
                labels: dict[str, str]) -> list[Problem]:
    """One scan counts every check; only failing checks are queried again, for their first rows in each file."""
    if not checks:
        return []
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c.violated})" for c in checks) + f" FROM {typed}"
    ).fetchone()
    problems = []
    for check, n in zip(checks, counts):
        if not n:
            continue
        per_file = con.execute(
            f"SELECT __file, count(*), min(__row, {_EXAMPLE_ROWS}), min_by({check.show}, __row, {_EXAMPLE_ROWS}) "
            f"FROM {typed} WHERE {check.violated} GROUP BY __file"
        ).fetchall()
        for file, n_file, rows, shown in per_file:
            got = tuple(dict.fromkeys(str(g) for g in shown or () if g is not None))[:3]
            problems.append(Problem.of(labels.get(file, file), check.column, check.expected,
                                       tuple(int(r) for r in rows), int(n_file), got))
    return problems


def _duplicate_keys(con, typed: str, contract: TableContract, selected: dict[str, str], labels: dict[str, str],
                    label: str) -> list[Problem]:
    """Rows sharing a key: the first rows of the first few keys, named in their own part file."""
    key = [k for k in contract.key if k in selected or contract.column(k).default is not None]
    if not key or not all(k in selected for k in key[:1]):
        return []
    cols = ", ".join(_quote(k) for k in key)
    not_null = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in key)
    groups = (
        f"SELECT list((__file, __row) ORDER BY __file, __row) AS rows, concat_ws(' / ', {cols}) AS k FROM {typed} "
        f"WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1"
    )
    n_groups, n_rows = con.execute(f"SELECT count(*), coalesce(sum(len(rows)), 0) FROM ({groups})").fetchone()
    if not n_groups:
        return []
    first = con.execute(f"SELECT rows[1:{_EXAMPLE_ROWS}], k FROM ({groups}) ORDER BY rows[1] LIMIT 3").fetchall()
    expected = expect("unique", columns=", ".join(key), groups=n_groups, rows=n_rows)
    by_file: dict[str, set[int]] = {}
    for rows, _ in first:
        for r in rows:
            file, row = (r["__file"], r["__row"]) if isinstance(r, dict) else r
            by_file.setdefault(file, set()).add(int(row))
    keys = tuple(k for _, k in first)
    if len(by_file) == 1:
        (file, rows), = by_file.items()
        return [Problem.of(labels.get(file, label), ", ".join(key), expected, tuple(sorted(rows)[:_EXAMPLE_ROWS]),
                           n_rows, keys)]
    return [Problem.of(labels.get(file, label), ", ".join(key), expected, tuple(sorted(rows)[:_EXAMPLE_ROWS]),
                       len(rows), keys) for file, rows in sorted(by_file.items())]
