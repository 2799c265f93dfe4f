"""Issue 16 item 2 and issue 12: the data-side libraries raise keys, the shell words them.

The attribution models and paths, the fit, the tables, aggregate mode, the pipeline and the app's upload
check raise their named errors with a text key and its values (no English at the raise site); each key has
a Chinese and an English sentence with the same fields; a bad table reaches the CLI's reader one problem a
line, naming file, row and column, in the command's ``--lang``.
"""

from __future__ import annotations

import ast
import importlib
import re
import string
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from roimix.cli import main
from roimix.errors import InputError, RoimixError
from roimix.messages import Message
from roimix.tables.problems import TableError
from roimix.text import STRINGS, error_text

ROOT = Path(__file__).resolve().parents[1]
OWNED = sorted(
    [p for p in (ROOT / "attribution").glob("*.py") if p.name not in ("journeys.py", "engines.py", "spark.py")]
    + list((ROOT / "response").glob("*.py")) + list((ROOT / "roimix" / "tables").glob("*.py"))
    + [ROOT / "roimix" / name for name in ("aggregate.py", "pipeline.py", "curve_files.py", "shapes.py",
                                            "app/data.py", "commands/fit.py")])
"""The modules whose raises this test holds to keys."""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _error_classes() -> dict[str, type]:
    """Every named error class (one root, ``RoimixError``) by its name, after importing the modules."""
    for path in OWNED:
        importlib.import_module(_module_name(path))
    importlib.import_module("roimix.app.errors")  # AppMessage, imported inside functions of roimix/app/data.py
    found, todo = {}, [RoimixError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo += cls.__subclasses__()
    return found


def _raises(path: Path):
    """``(line, class name, call)`` of every ``raise Name(...)`` / ``raise module.Name(...)`` in ``path`` but
    click's own (``raise click.UsageError(...)``: a different class of the same name)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "click":
                continue
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name is not None:
                yield node.lineno, name, node.exc


def _is_text(node: ast.AST) -> bool:
    """A sentence built in place: a string literal, an f-string, or text joined with ``+`` / ``%``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_is_text(node.left) or _is_text(node.right))


def _named_raises():
    classes = _error_classes()
    for path in OWNED:
        for line, name, call in _raises(path):
            if name in classes:
                yield f"{path.relative_to(ROOT)}:{line}", classes[name], call


def _keyed_sites():
    """``(site, key, value names)`` of every ``message=Message("key", {...})`` raised in the owned modules."""
    for site, cls, call in _named_raises():
        message = next((k.value for k in call.keywords if k.arg == "message"), None)
        if message is None:
            continue
        assert isinstance(message, ast.Call) and getattr(message.func, "id", None) == "Message", site
        key, values = message.args
        assert isinstance(key, ast.Constant) and isinstance(values, ast.Dict), site
        names = {k.value for k in values.keys}
        yield site, key.value, names


def test_every_named_error_raised_in_the_data_libraries_carries_a_key_and_no_prose():
    checked, bad = 0, []
    for site, cls, call in _named_raises():
        checked += 1
        if issubclass(cls, TableError):  # its problems are keyed (Problem.of with an expectation key)
            arg = call.args[0] if call.args else None
            ok = len(call.args) == 1 and not call.keywords and not _is_text(arg) and (
                not isinstance(arg, ast.List) or all(isinstance(e, ast.Call) and getattr(e.func, "attr", "") == "of"
                                                     for e in arg.elts))
        elif cls.__name__ == "AppMessage":  # the app's own: a text key and its values
            ok = (len(call.args) == 1 and isinstance(call.args[0], ast.Constant)
                  and call.args[0].value in STRINGS)
        else:
            ok = not call.args and any(k.arg == "message" for k in call.keywords)
        if not ok:
            bad.append(f"{site}: {cls.__name__}({ast.unparse(call)[:90]})")
    assert not bad, "raised with prose, not a key:\n" + "\n".join(bad)
    assert checked >= 40  # the scan sees the raises (24 keyed errors, the TableErrors, the app's messages)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_key_raised_has_a_chinese_and_an_english_sentence_with_the_values_given():
    sites = list(_keyed_sites())
    assert len(sites) >= 24
    assert len([key for _site, key, _names in sites if key.startswith("data.err.")]) >= 24
    for site, key, names in sites:
        assert key in STRINGS, f"{site}: {key} has no text"
        if not key.startswith("data."):
            continue  # a command's usage error, worded in another area (held to its fields there)
        zh, en = STRINGS[key]
        assert CJK.search(zh) and not CJK.search(en), f"{site}: {key}"
        assert _fields(zh) == _fields(en) == names, f"{site}: {key} fields {_fields(zh)} / {_fields(en)} vs {names}"
        sample = {name: f"<{name}>" for name in names}
        err = InputError(message=Message(key, sample))
        said_zh, said_en = error_text(err, "zh"), error_text(err, "en")
        assert all(f"<{name}>" in said_zh and f"<{name}>" in said_en for name in names)
        assert said_zh != said_en and str(err).startswith(key + "(")


@pytest.mark.parametrize("build, zh_part, en", [
    (lambda: __import__("attribution.models", fromlist=["Markov"]).Markov(order=7),
     "马尔可夫模型（markov）的阶数须为 1、2、3 或 4，现为 7", "markov: order must be 1, 2, 3 or 4, got 7"),
    (lambda: __import__("response.settings", fromlist=["FitSettings"]).FitSettings(families=("exp", "spline")),
     "未知的曲线族：spline", "FitSettings.families: unknown spline (choose from exp, mm, log, power, hill)"),
    (lambda: __import__("response.design", fromlist=["Timeline"]).Timeline.from_dates(
        pd.to_datetime(["2026-01-01", "2026-01-04", "2026-01-07"])),
     "周期须按天或按周；现在日期相隔 3 天", "periods must be days or weeks; the dates are 3 days apart"),
], ids=["markov_order", "fit_families", "period_step"])
def test_a_real_raise_is_worded_in_both_languages(build, zh_part, en):
    with pytest.raises(InputError) as caught:
        build()
    assert caught.value.message is not None and not caught.value.args  # a key, no sentence
    assert zh_part in error_text(caught.value, "zh") and error_text(caught.value, "en") == en


def test_a_fit_error_that_is_the_outcomes_problem_becomes_its_table_problem():
    """Aggregate mode turns the fit's "too few periods" into a problem of the outcome table (file, column)."""
    from roimix.aggregate import AggregateSettings, run_aggregate

    dates = pd.date_range("2026-03-01", periods=40)
    spend = pd.DataFrame({"date": dates, "channel": "ztc", "segment": "new", "spend": 100.0 + (dates.day % 7) * 30})
    outcome = pd.DataFrame({"date": dates, "segment": "new", "value": 1000.0 + (dates.day % 5) * 50})
    most = pd.DataFrame({"start": [dates[3]], "end": [dates[-4]]})
    with pytest.raises(TableError) as caught:
        run_aggregate(spend, outcome, settings=AggregateSettings(exclude=most))
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.message.key) == ("outcome", "date", "fit_periods")
    assert "序列至少要有" in error_text(caught.value, "zh")
    assert re.fullmatch(r"outcome, column date: expected at least \d+ periods of the new series to fit on, outside "
                        r"excluded periods \(got \d+\)", error_text(caught.value, "en"))


# --- a bad table through the real CLI --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_spend(sample_dir, tmp_path_factory):
    """The sample spend with a non-numeric amount (spreadsheet row 3: the header is row 1) and a word for a date."""
    spend = pd.read_csv(sample_dir / "spend.csv", dtype=str)
    spend.loc[1, "spend"] = "oops"
    spend.loc[4, "date"] = "yesterday"
    path = tmp_path_factory.mktemp("bad") / "spend.csv"
    spend.to_csv(path, index=False)
    return path


def _problem_lines(path, lang: str) -> list[str]:
    return {
        "zh": [f"{path}，第 3 行，spend 列：应为≥ 0 的金额（元），实际为 'oops'",
               f"{path}，第 6 行，date 列：应为日期，如 2026-06-18，实际为 'yesterday'"],
        "en": [f"{path}, row 3, column spend: expected an amount in yuan ≥ 0, got 'oops'",
               f"{path}, row 6, column date: expected a date like 2026-06-18, got 'yesterday'"],
    }[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_validate_prints_a_bad_tables_problems_in_the_language_asked(bad_spend, lang, capsys):
    assert main(["validate", "--spend", str(bad_spend), "--lang", lang]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == _problem_lines(bad_spend, lang) and captured.out == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_prints_a_bad_tables_problems_in_the_language_asked(bad_spend, sample_dir, lang, tmp_path, capsys):
    code = main(["plan", "-t", str(sample_dir / "touchpoints.parquet"), "-c", str(sample_dir / "conversions.parquet"),
                 "-s", str(bad_spend), "--budget", "9000", "--out", str(tmp_path / "plan.csv"), "--lang", lang])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == _problem_lines(bad_spend, lang)  # after the progress lines, one problem a line
    assert not (tmp_path / "plan.csv").exists()


def test_plan_speaks_chinese_by_default_as_its_summary_does(bad_spend, sample_dir, tmp_path, capsys):
    assert main(["plan", "-t", str(sample_dir / "touchpoints.parquet"), "-c", str(sample_dir / "conversions.parquet"),
                 "-s", str(bad_spend), "--budget", "9000", "--out", str(tmp_path / "plan.csv")]) == 2
    assert capsys.readouterr().err.splitlines()[-2:] == _problem_lines(bad_spend, "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attribute_prints_a_bad_paths_tables_problems_in_the_language_asked(tmp_path, lang, capsys):
    paths = tmp_path / "paths.csv"
    paths.write_text("path,conversions\na > b,2\nc,many\n", encoding="utf-8")
    assert main(["attribute", "--paths", str(paths), "--model", "linear", "--out", str(tmp_path / "c.csv"),
                 "--lang", lang]) == 2
    line = {"zh": f"{paths}，第 3 行，conversions 列：应为≥ 0 的整数，实际为 'many'",
            "en": f"{paths}, row 3, column conversions: expected a whole number ≥ 0, got 'many'"}[lang]
    assert capsys.readouterr().err.splitlines() == [line]


def test_english_problem_lines_are_the_tables_own_text(bad_spend):
    """In English the CLI says exactly what ``str(TableError)`` says (more rows, no rows, the cut at 20)."""
    from roimix.expected import expect
    from roimix.tables.problems import Problem

    many = [Problem.of(f"f{i}.csv", "spend", expect("number"), rows=(2, 3, 4), n_rows=7, got=("x" * 60, "y"))
            for i in range(23)] + [Problem.of("e.csv", "", expect("no_rows")), Problem.of("g.csv", "", expect("utf8"))]
    for problems in (many, many[-2:], many[:1]):
        err = TableError(problems)
        assert error_text(err, "en") == str(err)
        zh = error_text(err, "zh").splitlines()
        assert len(zh) == len(str(err).splitlines()) and all(CJK.search(line) for line in zh)
    assert error_text(TableError(many), "zh").splitlines()[-1] == "… 另有 5 个问题（共 25 个）"
    assert error_text(TableError(many[:1]), "zh") == ("f0.csv，第 2、3、4 行 …（共 7 行），spend 列：应为数字，实际为 "
                                                      f"'{'x' * 37}...'、'y'")
    assert error_text(TableError(many[-2:-1]), "zh") == "e.csv：没有数据行：应为至少一行数据（文件只有表头）"
    # a Latin word or a number after 应为 is set off by a space, as in the other Chinese messages
    latin = TableError([Problem.of("s.csv", "flag", expect("bool"), rows=(2,), n_rows=1, got=("maybe",))])
    assert error_text(latin, "zh") == "s.csv，第 2 行，flag 列：应为 true 或 false（是/否），实际为 'maybe'"


def test_the_fit_report_says_its_warnings_in_the_run_language():
    from roimix.commands.fit import report_lines

    result = SimpleNamespace(
        fit=SimpleNamespace(summary=pd.DataFrame({"n_fitted_periods": [50], "r2": [0.8], "cv_rmse": [12.0]})),
        period_days=1, curves=pd.DataFrame(columns=["channel", "segment"]), platform=None,
        warnings=(Message("pipeline.fit.s_shaped", {"cell": "ztc/new", "s": 2.0}),))
    zh, en = report_lines(result, "zh")[-1], report_lines(result, "en")[-1]
    assert zh == "提示：ztc/新品：最佳拟合为 S 型（Hill s=2.0）；优化器在其凹包络上求解并报告界"
    assert en == ("warning: ztc/New products: the best fit is S-shaped (Hill s=2.0); the optimizer solves it on its "
                  "concave envelope and reports the bound")
