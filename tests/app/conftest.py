"""Fixtures of the app tests (helpers live in app_harness.py)."""

from __future__ import annotations

import pytest
from app_harness import assert_clean, new_app
from browser_harness import chromium_page, streamlit_server


@pytest.fixture(autouse=True)
def scenario_folder(tmp_path, monkeypatch):
    """Saved scenarios go to a fresh folder per test, never the user's ~/.roimix/scenarios."""
    monkeypatch.setenv("ROIMIX_SCENARIOS_DIR", str(tmp_path / "scenarios"))
    return tmp_path / "scenarios"


@pytest.fixture()
def app():
    at = new_app()
    at.run()
    assert_clean(at)
    return at


@pytest.fixture()
def demo_app(app):
    """The app with the sample's demo curves chosen (fast and known: the sample's true curves)."""
    app.session_state["curves.source"] = "demo"
    return app


@pytest.fixture(scope="session")
def server():
    """One ``streamlit run app.py`` for every browser test of this worker (they share an xdist group)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(server):
    """A fresh Chromium per test module: its own Streamlit session on the shared server."""
    with chromium_page(server) as page:
        yield page
