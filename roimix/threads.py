"""One BLAS thread for the process (the CLI and the app's server call this as they start).

The planner's work is sparse or vector-sized (Clarabel is single-threaded Rust; the rules' and curves' products are
vectors of one entry per cell). OpenBLAS splits even a 36,000-entry dot product over its threads: on the 2-core
machines this targets that took 1.7–7.9 ms instead of 0.02 ms, and the 36,000-cell re-plan's rule checks took 0.3 s
instead of ~0.01 s (``benchmarks/results/replan.md``). The test runner sets the same through the environment
(``run-tests``: xdist workers oversubscribed the cores).
"""

from __future__ import annotations

import os
import sys

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
"""Read by the BLAS libraries as they load; a user's own setting of any of them is kept."""


def one_blas_thread() -> None:
    """Limit BLAS to one thread for the rest of the process, unless the user set a BLAS thread count: through the
    environment for libraries not loaded yet, through ``threadpoolctl`` for those already loaded."""
    if any(v in os.environ for v in BLAS_THREAD_VARIABLES):
        return
    for v in BLAS_THREAD_VARIABLES:
        os.environ[v] = "1"
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
