"""The libraries' import arrows, read from the source with ``ast`` (ARCHITECTURE.md): ``attribution``,
``response`` and ``optimizer`` never import each other — the curve shapes and the carry-over kernel they share
live in a ground module (:mod:`roimix.shapes`) — and never the shell: from ``roimix`` they import only the
ground modules. Function-level (lazy) imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "response": ("optimizer", "attribution"),
    "optimizer": ("response", "attribution"),
    "attribution": ("optimizer", "response"),
}


def imported(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


GROUND = {"roimix", "roimix.plan_defaults", "roimix.shapes", "roimix.messages", "roimix.errors",
          "roimix.campaign_names", "roimix.tables", "roimix.tables.contracts", "roimix.expected",
          "roimix.tables.problems", "roimix.tables.read", "roimix.lazy"}
"""What a library may import of ``roimix``: what imports nothing of ours but other ground modules."""


@pytest.mark.parametrize("library", sorted(FORBIDDEN))
def test_a_library_imports_only_the_ground_of_roimix(library):
    hits = [(str(p.relative_to(ROOT)), m) for p in sorted((ROOT / library).rglob("*.py")) for m in imported(p)
            if m.split(".")[0] == "roimix" and m not in GROUND]
    assert not hits, hits


def test_the_ground_imports_only_the_ground():
    for module in sorted(GROUND - {"roimix"}):
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        ours = {m for m in imported(path) if m.split(".")[0] in {"roimix", *FORBIDDEN}}
        assert ours <= GROUND, (module, ours - GROUND)


@pytest.mark.parametrize("library", sorted(FORBIDDEN))
def test_a_library_does_not_import_another_library(library):
    hits = [(str(p.relative_to(ROOT)), m) for p in sorted((ROOT / library).rglob("*.py")) for m in imported(p)
            if m.split(".")[0] in FORBIDDEN[library]]
    assert not hits, hits


def test_the_shared_shapes_are_ground_numpy_only():
    assert imported(ROOT / "roimix" / "shapes.py") <= {"__future__", "numpy"}


def test_the_fit_imports_no_planner_and_no_solver_at_run_time():
    """Importing the fit loads neither the optimizer nor cvxpy (the shapes used to come with both), nor the table
    reader's DuckDB (the fit's input errors carry keys from roimix.expected, which imports nothing)."""
    import subprocess
    import sys

    code = ("import sys, response, response.fit; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'optimizer', 'cvxpy', 'duckdb'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
