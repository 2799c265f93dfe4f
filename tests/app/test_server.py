"""The app's server: ``streamlit run app.py`` serves an ``st.App`` whose start checks the bundled sample in the
background, once, so that the first Data page finds it checked (the browser test runs the real server)."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from streamlit.web.server.app_discovery import discover_asgi_app

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_run_finds_the_app_and_its_page_script():
    from roimix.app.server import SCRIPT

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.app_name == "app"
    assert SCRIPT.is_file() and not (SCRIPT.parent / "pages").exists()  # else Streamlit adds pages of its own


def test_the_server_start_checks_the_sample_once_off_the_main_thread(monkeypatch):
    from roimix.app import data, server

    calls = []
    monkeypatch.setattr(data, "_sample_tables", lambda token: calls.append((token, threading.current_thread().name)))
    data._prefetch.cache_clear()

    async def start_and_stop():
        async with server.warm_up(None):
            pass

    for _ in range(2):  # two starts of the lifespan in one process: the sample is checked once
        asyncio.run(start_and_stop())
        for thread in threading.enumerate():
            if thread.name.startswith("roimix-"):
                thread.join(timeout=60)
    data._prefetch.cache_clear()
    assert calls == [(data._sample_token(), "roimix-sample-prefetch")]
    assert all(module in sys.modules for module in server.WARM_MODULES)
