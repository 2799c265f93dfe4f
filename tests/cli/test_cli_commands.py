"""The command list: every sub-command always listed, imported only when run, a broken one named (exit 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import roimix.cli as cli
from roimix.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("cvxpy", "optimizer", "streamlit", "response", "sklearn")


def loaded_after(argv: list[str]) -> dict:
    """Run ``roimix.cli.main(argv)`` in a fresh interpreter; which heavy packages did it import?"""
    code = (f"import sys, roimix.cli; code = roimix.cli.main({argv!r}); "
            f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    exit_code, loaded = done.stdout.strip().splitlines()[-1].split(" ", 1)
    return {"exit": int(exit_code), "loaded": eval(loaded)}  # noqa: S307 - our own print of a list of names


def test_version_and_help_import_no_command():
    for argv in (["--version"], ["--help"]):
        assert loaded_after(argv) == {"exit": 0, "loaded": []}


def test_attribute_never_imports_the_optimizer(sample_dir, tmp_path):
    paths = tmp_path / "paths.csv"
    paths.write_text("path,conversions,value,nulls\nztc > wxt,3,300,10\nwxt,1,100,20\nztc,2,150,5\n", encoding="utf-8")
    assert loaded_after(["attribute", "--help"]) == {"exit": 0, "loaded": []}
    ran = loaded_after(["attribute", "--paths", str(paths), "--model", "markov", "--out", str(tmp_path / "c.csv")])
    assert ran == {"exit": 0, "loaded": []}
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").startswith("model,channel")


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line[2:3].strip()]
    assert listed == sorted(COMMANDS)
    assert sorted(COMMANDS) == sorted(p.stem for p in (ROOT / "roimix" / "commands").glob("[!_]*.py"))


@pytest.fixture
def broken_plan(monkeypatch):
    """``roimix.commands.plan`` raises on import, as with a missing or broken dependency."""
    real = cli.importlib.import_module

    def fake(name, *args):
        if name == "roimix.commands.plan":
            raise ImportError("No module named 'cvxpy'")
        return real(name, *args)

    monkeypatch.setattr(cli.importlib, "import_module", fake)


def test_a_command_that_fails_to_import_is_listed_and_exits_3_naming_it(broken_plan, capsys):
    assert main(["--help"]) == 0
    assert "plan " in capsys.readouterr().out.split("Commands:")[1]
    for argv in (["plan", "--curves", "c.csv", "--budget", "5"], ["plan", "--help"], ["plan"]):
        assert main(argv) == 3
        err = capsys.readouterr().err.strip().splitlines()
        assert err == ["error: roimix plan cannot start: ImportError: No module named 'cvxpy'"]
    assert main(["validate", "--help"]) == 0  # the others still work
    capsys.readouterr()


def test_a_command_that_fails_to_import_shows_its_traceback_with_debug(broken_plan):
    with pytest.raises(cli.CommandUnavailable) as raised:
        main(["plan", "--debug"])
    assert isinstance(raised.value.__cause__, ImportError)


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["plna"]) == 2
    assert "No such command 'plna'" in capsys.readouterr().err
