"""The CI rule holds: with CI=true a skipped test (or module) fails the run; elsewhere it skips."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGIN = (Path(__file__).parent / "evidence_plugin.py").read_text(encoding="utf-8")
SUITE = {
    "test_skips": """
import pytest

def test_needs_a_dataset():
    pytest.skip("public datasets not found")

def test_runs():
    assert True

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
""",
    "test_module_skip": """
import pytest
pytest.importorskip("a_package_that_is_not_installed_anywhere")

def test_never_reached():
    pass
""",
}


@pytest.mark.parametrize("ci, expect", [
    ("true", {"passed": 1, "failed": 1, "xfailed": 1, "errors": 1}),
    ("", {"passed": 1, "skipped": 2, "xfailed": 1}),
])
def test_a_skip_fails_only_where_evidence_is_required(pytester, monkeypatch, ci, expect):
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("ROIMIX_REQUIRE_EVIDENCE", raising=False)
    pytester.makeconftest(PLUGIN)
    pytester.makepyfile(**SUITE)
    result = pytester.runpytest("-p", "no:xdist", "-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(**expect)
    assert (result.ret != 0) == bool(ci)
    if ci:
        result.stdout.fnmatch_lines(["*skipped where evidence is required*public datasets not found*"])


def test_the_explicit_switch_works_outside_ci(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ROIMIX_REQUIRE_EVIDENCE", "1")
    pytester.makeconftest(PLUGIN)
    pytester.makepyfile(test_skips=SUITE["test_skips"])
    pytester.runpytest("-p", "no:xdist", "-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1, xfailed=1)
