"""Test helper: assert on what a reader sees of a keyed error (imported by tests; ``pythonpath`` in pyproject)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from roimix.text import error_text


@contextmanager
def raises_worded(kind, pattern):
    """``pytest.raises(kind, match=pattern)`` on what a reader sees in English: a keyed error worded by
    :func:`roimix.text.error_text` (its ``str`` is only the key and values)."""
    with pytest.raises(kind) as caught:
        yield caught
    said = error_text(caught.value, "en")
    assert re.search(pattern, said), said
