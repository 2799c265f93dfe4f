"""Fixtures shared by every test area."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["evidence_plugin"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """``../shared/datasets`` beside the checkout (always there on CI); skip where it is absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"public datasets not found at {SHARED_DATASETS} (they sit beside the checkout on CI)")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample market under ``data/sample``."""
    return SAMPLE
