"""Fixtures of the app tests (helpers live in app_harness.py)."""

from __future__ import annotations

import pytest
from app_harness import assert_clean, new_app


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
