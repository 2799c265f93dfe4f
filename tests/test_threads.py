"""The CLI and the app's server run BLAS on one thread (:mod:`roimix.threads`), unless the user chose a count.

Each case runs in a fresh interpreter (the environment is read once, as OpenBLAS loads), with every BLAS thread
variable removed from its environment first (the test runner sets them)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from roimix.threads import BLAS_THREAD_VARIABLES

BLAS_THREADS = ("from threadpoolctl import threadpool_info; "
                "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")


def _run(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARIABLES + ("OMP_NUM_THREADS",)}
    done = subprocess.run([sys.executable, "-c", code], env=clean | env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_without_it_openblas_takes_every_core():  # what the rest of this file guards against
    if (os.cpu_count() or 1) < 2:
        pytest.skip("a one-core machine runs one BLAS thread anyway")
    assert int(_run("import numpy; " + BLAS_THREADS)) > 1


@pytest.mark.parametrize("numpy_first", [False, True], ids=["before numpy loads", "after numpy loaded"])
def test_one_blas_thread_whether_or_not_numpy_is_loaded(numpy_first):
    code = ("import numpy; " if numpy_first else "") + \
        "from roimix.threads import one_blas_thread; one_blas_thread(); import numpy; " + BLAS_THREADS
    assert _run(code) == "1"


def test_the_cli_runs_blas_on_one_thread():
    assert _run("from roimix.cli import main; main(['--help']); import numpy; " + BLAS_THREADS) == "1"


def test_a_users_own_thread_count_is_kept():
    code = "from roimix.threads import one_blas_thread; one_blas_thread(); import numpy; " + BLAS_THREADS
    assert _run(code, OPENBLAS_NUM_THREADS="2") == "2"
