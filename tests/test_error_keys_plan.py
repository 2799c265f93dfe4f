"""Plan-side libraries and commands raise keys, the text package words them (issue 16 item 2, issue 12).

Read from the source (so the rule holds as code changes): every named error built in ``optimizer/``,
``roimix/scenarios/``, ``roimix/commands/``, ``roimix/settings.py`` and ``roimix/report/`` carries a
``message=Message(key, {values})`` and no sentence of its own; every key exists in zh and en and formats
with the values its raise sites give. Then end to end: a broken scenario in ``roimix batch`` and a bad
``roimix plan`` option are one line in the command's language, exit 2.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import optimizer  # noqa: F401 - loads every error class the scan knows by name
import optimizer.campaign  # noqa: F401
import roimix.commands._engine  # noqa: F401
import roimix.settings  # noqa: F401
from roimix.errors import RoimixError
from roimix.messages import Message
from roimix.text import STRINGS, word

ROOT = Path(__file__).resolve().parents[1]
PLAN_AREA = [ROOT / "optimizer", ROOT / "roimix" / "scenarios", ROOT / "roimix" / "commands",
             ROOT / "roimix" / "settings.py", ROOT / "roimix" / "report"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _error_names() -> set[str]:
    out, todo = set(), [RoimixError]
    while todo:
        cls = todo.pop()
        out.add(cls.__name__)
        todo += cls.__subclasses__()
    return out


ERRORS = _error_names()


def _files() -> list[Path]:
    return sorted(p for root in PLAN_AREA for p in ([root] if root.is_file() else root.rglob("*.py")))


def _called(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _sites():
    """(where, error call, enclosing function) of every named error built in the plan area, and every click
    error (``click.UsageError``/``BadParameter`` print English usage text, several lines)."""
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            is_click = isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.value.id == "click" and name in ("UsageError", "BadParameter")
            if name in ERRORS or is_click:
                inner = [f for f in functions if f.lineno <= node.lineno <= f.end_lineno]
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node, (inner[-1] if inner else tree), is_click


# click errors left alone on purpose: `roimix generate` passes the simulator's own ValueError on
ALLOWED_CLICK = {"roimix/commands/generate.py"}


def test_every_named_error_in_the_plan_area_carries_a_key_and_no_sentence():
    bad = []
    n = 0
    for where, call, _fn, is_click in _sites():
        n += 1
        if is_click:
            if where.split(":")[0] not in ALLOWED_CLICK:
                bad.append(f"{where}: a click error (English usage text), not a keyed UsageError")
            continue
        keywords = {k.arg for k in call.keywords}
        if call.args or "message" not in keywords:
            bad.append(f"{where}: {ast.unparse(call)[:100]}")
    assert n > 100, f"the scan found only {n} error sites: is it reading the plan area?"
    assert not bad, "errors raised with a sentence instead of message=Message(key, values):\n" + "\n".join(bad)


def _raised_messages():
    """(where, key, value names) of every key an error in the plan area is raised with."""
    out = []
    for where, call, fn, is_click in _sites():
        message = next((k.value for k in call.keywords if k.arg == "message"), None)
        if is_click or message is None:
            continue
        if isinstance(message, ast.Call) and _called(message) == "Message":
            key_node = message.args[0] if message.args else None
            values = message.args[1] if len(message.args) > 1 else None
            assert values is None or isinstance(values, ast.Dict) and all(
                isinstance(k, ast.Constant) for k in values.keys), f"{where}: values must be a dict literal"
            names = () if values is None else tuple(k.value for k in values.keys)
            if isinstance(key_node, ast.Constant):
                keys = [key_node.value]
            else:  # a key chosen from a table in the same function (optimizer/curves.py's checks): the function's
                # plan.err keys that no Message(...) there names directly
                assert isinstance(key_node, ast.Name), f"{where}: the key must be a literal or a name"
                direct = {m.args[0].value for m in ast.walk(fn) if isinstance(m, ast.Call) and _called(m) == "Message"
                          and m.args and isinstance(m.args[0], ast.Constant)}
                keys = sorted({c.value for c in ast.walk(fn) if isinstance(c, ast.Constant)
                               and isinstance(c.value, str) and re.fullmatch(r"plan\.err\.[\w.]+", c.value)} - direct)
                assert keys, f"{where}: no literal keys in the function for {ast.unparse(key_node)}"
            out += [(where, key, names) for key in keys]
        else:  # a key passed on unchanged, e.g. message=err.message: nothing new to word here
            raise AssertionError(f"{where}: message= must be Message(key, {{...}}), got {ast.unparse(message)}")
    return out


INNER = Message("plan.err.rule.lock_all", {"rule": "x"})  # a reason inside a reason (error=...)


def _dummy(name: str):
    """A value of the kind the name says (messages.py's naming: *_cny money, *_share a share ...)."""
    if name in ("error",):
        return INNER
    if name in ("year", "first_year", "last_year", "days", "need", "line", "column", "max_days", "n") \
            or name.startswith("n_") or name.endswith("_days"):
        return 3
    if name.endswith(("_cny", "_share", "_x", "_se")) or name in (
            "low", "high", "value", "lower", "upper", "a", "b", "s", "se", "condition"):
        return 1.25
    return "x"


def test_every_raised_key_is_worded_in_zh_and_en_with_the_values_its_raise_sites_give():
    sites = _raised_messages()
    assert len({k for _w, k, _n in sites}) > 100
    bad = []
    for where, key, names in sites:
        if key not in STRINGS:
            bad.append(f"{where}: {key} is not in roimix.text")
            continue
        message = Message(key, {n: _dummy(n) for n in names})
        try:
            zh, en = word(message, "zh"), word(message, "en")
        except (KeyError, ValueError, IndexError, TypeError) as err:
            bad.append(f"{where}: {key} does not format with {names}: {type(err).__name__} {err}")
            continue
        if not CJK.search(zh):
            bad.append(f"{where}: {key}'s zh is not Chinese: {zh!r}")
        if CJK.search(en) or zh == en:
            bad.append(f"{where}: {key}'s en is not English: {en!r}")
    assert not bad, "\n".join(bad)


def test_a_reason_inside_a_reason_is_worded_in_the_same_language():
    from roimix.errors import ScenarioError
    from roimix.text import error_text

    err = ScenarioError(message=Message("plan.err.scenario.in_file", {"file": "a.toml", "error": INNER}))
    assert error_text(err, "zh") == "a.toml：规则 'x'：锁定需要指定渠道（锁定全部单元就没有可分配的预算了）"
    assert error_text(err, "en") == "a.toml: rule 'x': a lock needs a selection (locking every cell leaves nothing to plan)"


# --- end to end: the real commands, in a process of their own ---------------------------------------------------

BROKEN = '''name = "broken"
[curves]
source = "file"
file = "curves.csv"
[calendar]
template = "618"
'''


def _roimix(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-c", "import sys; from roimix.cli import main; sys.exit(main())", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "broken.toml：calendar.year：请给出要规划的大促年份"),
    ("en", "broken.toml: calendar.year: give the year of the campaign to plan"),
])
def test_a_broken_scenario_in_batch_is_one_line_in_the_run_language(tmp_path, lang, said):
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    done = _roimix("batch", "broken.toml", "--out", "out", "--lang", lang, "--no-progress", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and said in lines[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "error: --out：文件名应以 "),
    ("en", "error: --out: expected a file ending in "),
])
def test_a_bad_plan_option_is_one_line_in_the_command_language(tmp_path, lang, said):
    done = _roimix("plan", "--curves", "curves.csv", "--budget", "1000", "--out", "plan.txt", "--lang", lang,
                   cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(said), done.stderr
    assert bool(CJK.search(lines[0])) == (lang == "zh")


# --- a scenario's assumptions sheet speaks the run's language ----------------------------------------------------

SAMPLE = ROOT / "data" / "sample"
SCENARIO = f"""
name = "d11"
[data]
channels = "{SAMPLE}/channels.csv"
[curves]
source = "file"
file = "{SAMPLE}/truth_curves.csv"
[budget]
total = 400000
[horizon]
start = 2026-10-20
end = 2026-11-13
[calendar]
template = "double11"
year = 2026
[rules]
per_phase = true
max_daily_change = 0.5
non_key_focus = "weekends"
"""


def test_a_scenario_assumptions_sheet_has_no_english_sources_or_bare_rule_keys_in_chinese(tmp_path):
    from roimix.scenarios import load_scenario, run_scenario

    path = tmp_path / "d11.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    run = run_scenario(load_scenario(path), flat=False)
    zh, en = run.assumptions("zh"), run.assumptions("en")
    assert len(zh) == len(en)
    for item, _value, source in zh:
        assert CJK.search(item), item  # "rules.per_phase" alone was the item before
        assert not source or CJK.search(source), (item, source)  # "template default", "curves file …" were English
    zh_rows, en_rows = {i: (v, s) for i, v, s in zh}, {i: (v, s) for i, v, s in en}
    assert zh_rows["新品/新客上限也按阶段执行（rules.per_phase）"][0] == "是"
    assert en_rows["Caps also hold within each phase (rules.per_phase)"][0] == "yes"
    assert zh_rows["非重点平台集中投放的日子（rules.non_key_focus）"][0] == "周末"
    assert zh_rows["曲线"][0] == "曲线文件 truth_curves.csv" and en_rows["Curves"][0] == "curves file truth_curves.csv"
    phases = [s for i, _v, s in en if i.startswith("Phase ")]
    assert phases and set(phases) == {"template default"}
    assert {s for i, _v, s in zh if i.startswith("阶段 ")} == {"模板默认值"}
