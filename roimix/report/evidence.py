"""Marks after a curve's evidence, in words: held at its level without the lift tests (``held_x``) and carry-over
from the journeys (``lag_from_journeys``), for `roimix fit`'s report and the app's curves page alike."""

from __future__ import annotations

import numpy as np

from roimix.text import t


def evidence_marks(row, lang: str) -> str:
    """The marks of a curves-table row (an ``itertuples`` row or anything with those attributes): empty when it
    has neither; a missing column or an empty value is no mark."""
    held = getattr(row, "held_x", np.nan)
    marks = t("aggregate.evidence.held", lang, factor_x=float(held)) if np.isfinite(held) else ""
    if getattr(row, "lag_from_journeys", False) is True:  # NaN (a table without the column merged in) is no mark
        marks += t("aggregate.evidence.journey_lag", lang)
    return marks
