"""What the app's server does once, when it starts: begin checking the bundled sample.

``app.py`` hands :func:`warm_up` to ``st.App`` as its lifespan. The check runs in a background
thread, so the server answers at once; a browser that opens the Data page while it runs waits on
the same cached computation (``st.cache_resource`` computes a key once) instead of starting its own.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from roimix.threads import one_blas_thread

SCRIPT = Path(__file__).parent / "entry" / "script.py"
"""The page script ``app.py`` serves."""


@asynccontextmanager
async def warm_up(_app) -> AsyncIterator[None]:
    one_blas_thread()
    threading.Thread(target=_check_sample, daemon=True, name="roimix-warm-up").start()
    yield


def _check_sample() -> None:
    import importlib

    from roimix.app import data

    data.prefetch_sample()
    for module in WARM_MODULES:  # while DuckDB checks the sample: the first session then finds them loaded
        importlib.import_module(module)


WARM_MODULES = ("roimix.app.main", "roimix.app.figures", "roimix.app.pages.data")
"""What the first page (Data) imports beyond the sample's reader."""
