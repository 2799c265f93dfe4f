"""Which cells the history can identify: enough spend variation and active periods, and spend that does
not move with another cell's."""

from __future__ import annotations

import numpy as np

from roimix.messages import Message

from .inputs import OutcomeSeries
from .settings import FitSettings

COLLINEAR_CORRELATION = 0.9
"""Spend series more correlated than this over the fitted periods cannot be told apart."""


def identifiable_cells(series: OutcomeSeries, settings: FitSettings) -> tuple[np.ndarray, list[Message]]:
    """``(mask, warnings)``: a cell is identifiable when its spend over the fitted periods has a
    coefficient of variation ≥ ``min_spend_cv`` and is on in ≥ ``min_active_periods`` periods. The
    others fall back to their prior (or none); each is named, with the lift tests it leaves unused."""
    ok = np.ones(len(series.cells), dtype=bool)
    warnings: list[Message] = []
    for k, label in enumerate(series.labels):
        xs = series.x[k, series.rows]
        mean = xs.mean()
        cv = xs.std() / mean if mean > 0 else 0.0
        active = int((xs > 0).sum())
        if cv < settings.min_spend_cv or active < settings.min_active_periods:
            ok[k] = False
            fallback = "prior" if np.isfinite(series.priors[k]) else "unfit"
            if cv < settings.min_spend_cv:
                warnings.append(Message(f"pipeline.fit.flat_{fallback}", {"cell": label, "cv_share": float(cv)}))
            else:
                warnings.append(Message(f"pipeline.fit.rare_{fallback}", {"cell": label, "active_periods": active}))
            for k_lift, *_rest, test in series.lifts:
                if k_lift == k:
                    warnings.append(Message("pipeline.fit.lift_not_identified", {"test": test, "cell": label}))
    return ok, warnings


def collinear_cells(series: OutcomeSeries, ok: np.ndarray) -> tuple[dict[int, tuple[str, float]], list[Message]]:
    """Cells whose spend moves with another's over the fitted periods (|correlation| above
    ``COLLINEAR_CORRELATION``): the history cannot tell their effects apart. Each is named with its
    most correlated partner, in a warning and in the curves' ``collinear_with`` column."""
    idx = np.flatnonzero(ok)
    out: dict[int, tuple[str, float]] = {}
    warnings: list[Message] = []
    if len(idx) < 2:
        return out, warnings
    labels = series.labels
    corr = np.corrcoef(series.x[idx][:, series.rows])
    np.fill_diagonal(corr, 0.0)
    for i, k in enumerate(idx):
        j = int(np.argmax(np.abs(corr[i])))
        if abs(corr[i, j]) > COLLINEAR_CORRELATION:
            out[int(k)] = (labels[idx[j]], float(corr[i, j]))
            if i < j or abs(corr[j]).argmax() != i:
                warnings.append(Message("pipeline.fit.collinear", {
                    "cell": labels[k], "other": labels[idx[j]], "correlation": float(corr[i, j])}))
    return out, warnings
