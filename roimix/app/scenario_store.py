"""Saved scenarios: a named what-if with the plan it gave, kept in the session; restore and compare."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roimix.text import t

from . import engine, shared, state
from .errors import attempt


@dataclass(frozen=True, eq=False)
class SavedScenario:
    """A what-if the user named, with the plan it gave and what it was computed on."""

    name: str
    whatif: engine.WhatIf
    bounds: pd.DataFrame = field(repr=False)
    source: str = "fitted"
    dataset: str = ""
    result: object = field(default=None, repr=False)
    saved_at: str = ""
    sources: dict = field(default_factory=dict)
    """where each table came from (sample or the uploaded file's name)"""


def save_current(name: str, curves: engine.CurveSet, ds, planner, lang: str) -> SavedScenario | None:
    w = shared.whatif()
    result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
    if result is None:
        return None
    saved = SavedScenario(name, w, state.BOUNDS.get().copy(), curves.source, ds.token, result,
                          dt.datetime.now().strftime("%Y-%m-%d %H:%M"), dict(ds.sources))
    scenarios = state.SCENARIOS.get()
    scenarios[name] = saved
    return saved


def restore(saved: SavedScenario) -> None:
    """Put a saved what-if back on the optimise page."""
    w = saved.whatif
    state.OBJECTIVE.force(w.objective)
    state.BUDGET.force(w.budget)
    state.NEW_PRODUCT_CAP.force(int(round((w.new_product_cap or 0) * 100)))
    state.NEW_CUSTOMER_CAP.force(int(round((w.new_customer_cap or 0) * 100)))
    state.ROI_FLOOR.force(float(w.roi_floor))
    if w.target_gmv is not None:
        state.TARGET_GMV.force(float(w.target_gmv))
    state.BOUNDS.set(saved.bounds.copy())
    state.BOUNDS.reset_widget()
    state.CURVES_SOURCE.force(saved.source)


def compare_frame(saved: list[SavedScenario], lang: str) -> pd.DataFrame:
    """One row per scenario: its settings and its plan's totals (numbers, for tests and the chart)."""
    rows = []
    for s in saved:
        r, w = s.result, s.whatif
        tot = r.totals if r is not None and r.solved else None
        rows.append({
            "scenario": s.name, "objective": w.objective, "budget": w.budget,
            "new_product_cap": w.new_product_cap, "new_customer_cap": w.new_customer_cap, "roi_floor": w.roi_floor,
            "locks": sum(1 for b in w.bounds if b[3]), "status": r.status if r is not None else "",
            "spend": tot.spend_cny if tot else np.nan, "gmv": tot.gmv_cny if tot else np.nan,
            "uplift": tot.gmv_uplift_cny if tot else np.nan, "uplift_share": tot.gmv_uplift_share if tot else np.nan,
            "roi": tot.roi if tot else np.nan, "profit": tot.profit_cny if tot else np.nan,
            "binding": int(r.rules["binding"].sum()) if r is not None and len(r.rules) else 0,
            "source": s.source, "saved_at": s.saved_at,
        })
    return pd.DataFrame(rows)
