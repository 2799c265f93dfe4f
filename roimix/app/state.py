"""The app's session state: everything a user typed, under stable keys.

Streamlit forgets a widget's value when the widget is not drawn in a run (another page is open)
and may reset it when its options change. So a value a user typed lives twice:

* the **model** value, ``st.session_state[slot.key]``, which only this module writes and which
  survives page switches, language switches and reruns;
* the **widget** value, under ``slot.widget_key``; :meth:`Slot.widget` seeds it from the model
  before the widget is drawn, and :meth:`Slot.set` stores what the widget returned.

Pages never touch ``st.session_state`` directly; they read and write the slots below.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pandas as pd
import streamlit as st

from roimix.settings import default, default_percent

T = TypeVar("T")

WIDGET_PREFIX = "w."
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Slot(Generic[T]):
    """One value a user can set, with its default (a value or a factory for mutable ones)."""

    key: str
    default: T | None = None
    factory: Callable[[], T] | None = field(default=None, compare=False)
    per_lang: bool = False
    """The widget shows language-dependent option labels: it gets one key per language, so a language switch
    draws a fresh widget seeded from the model (a kept widget would look its old label up among the new ones)."""

    @property
    def widget_key(self) -> str:
        return WIDGET_PREFIX + self.key + (f".{lang()}" if self.per_lang else "")

    def _widget_keys(self) -> list[str]:
        base = WIDGET_PREFIX + self.key
        return [k for k in st.session_state if isinstance(k, str) and (k == base or k.startswith(base + "."))]

    def fresh(self) -> T:
        return self.factory() if self.factory is not None else copy.copy(self.default)

    def get(self) -> T:
        state = st.session_state
        if self.key not in state:
            state[self.key] = self.fresh()
        return state[self.key]

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def is_set(self) -> bool:
        return self.key in st.session_state

    def reset(self) -> None:
        for key in [self.key, *self._widget_keys()]:
            if key in st.session_state:
                del st.session_state[key]

    def reset_widget(self) -> None:
        """Forget the widget's own state (it is seeded from the model value when drawn next)."""
        for key in self._widget_keys():
            if key in st.session_state:
                del st.session_state[key]

    def widget(self, value: Any = None, *, context: str = "") -> str:
        """The widget key, seeded with the model value (or ``value``) when the widget is not alive.

        Call right before drawing the widget and pass no ``value=`` to the widget itself; after it,
        store the returned value with :meth:`set`. ``context`` names what the widget's option labels
        depend on (e.g. the money a percent stands for): when it changes the browser gets a fresh widget
        seeded from the model, because a kept widget whose labels change is reset to its first option
        in the browser while the server keeps the old value (screen and plan disagree).
        """
        state = st.session_state
        key = self.widget_key + (f".{context}" if context else "")
        if key not in state:
            state[key] = self.get() if value is None else value
        return key

    def force(self, value: T) -> None:
        """Set the model value and the widget's (e.g. after clamping to a new range); before the widget is drawn."""
        self.set(value)
        st.session_state[self.widget_key] = value


# --- every slot of the app -------------------------------------------------------------------------

LANG: Slot[str] = Slot("lang", "zh")

# data page: uploaded tables (name -> UploadedTable), problems of the last failed upload per table,
# file ids already processed (so a rerun does not re-read a file)
UPLOADS: Slot[dict] = Slot("data.uploads", factory=dict)
DATA_MODE: Slot[str] = Slot("data.mode", "journeys", per_lang=True)
"""``journeys``: touchpoints + orders + spend (the sample's shape); ``aggregate``: spend + the shop's total GMV per day
or week (outcome), with touchpoints and orders only for the channels that have them."""
UPLOAD_PROBLEMS: Slot[dict] = Slot("data.problems", factory=dict)
UPLOAD_SEEN: Slot[dict] = Slot("data.seen", factory=dict)

# attribution page
ATTR_MODELS: Slot[list] = Slot("attribution.models", factory=lambda: ["last_touch", "linear", "markov_1", "incremental"],
                               per_lang=True)
ATTR_MEASURE: Slot[str] = Slot("attribution.measure", "value", per_lang=True)
ATTR_ROI_MODEL: Slot[str] = Slot("attribution.roi_model", "incremental", per_lang=True)
ATTR_HALF_LIFE: Slot[float] = Slot("attribution.half_life_days", 7.0)
ATTR_METRIC: Slot[str] = Slot("attribution.metric", "roas")

# curves page
CURVES_SOURCE: Slot[str] = Slot("curves.source", "fitted", per_lang=True)
CURVES_SEGMENT: Slot[str] = Slot("curves.segment", "all", per_lang=True)

# optimise page: the what-if
BUDGET: Slot[float | None] = Slot("whatif.budget", None, per_lang=True)
"""yuan per day; None until the data is known (then the current total)"""
NEW_PRODUCT_CAP: Slot[int] = Slot("whatif.new_product_cap_pct", round(default_percent("new_product_cap")))
NEW_CUSTOMER_CAP: Slot[int] = Slot("whatif.new_customer_cap_pct", round(default_percent("new_customer_cap")))
OBJECTIVE: Slot[str] = Slot("whatif.objective", default("objective"), per_lang=True)
TARGET_GMV: Slot[float | None] = Slot("whatif.target_gmv", None)
ROI_FLOOR: Slot[float] = Slot("whatif.roi_floor", 0.0)
NEXT_CNY: Slot[float] = Slot("whatif.next_cny", 1000.0)
"""the optimise page's 下一笔预算: yuan a day added to (negative: cut from) the plan's budget"""
NEXT_OPEN: Slot[bool] = Slot("whatif.next_open", False, per_lang=True)
"""the 下一笔预算 section is open: only then does a move re-plan with that much more (it costs one more solve)"""
ROI_BREAK_EVEN: Slot[bool] = Slot("whatif.roi_break_even", False)
"""the ROI floor is break-even (保本: margin × GMV ≥ spend) instead of the slider's number"""
ROI_PER_CHANNEL: Slot[bool] = Slot("whatif.roi_per_channel", False)
"""the ROI floor holds for each channel, not only over the plan"""
MARGIN_PCT: Slot[float] = Slot("whatif.margin_pct", default_percent("margin"))
"""gross margin on GMV in % (the profit objective's; the plan settings' default, :mod:`roimix.settings`)"""
RETURN_PCT: Slot[float] = Slot("whatif.return_pct", default_percent("return_rate"))
"""share of GMV returned, in %"""
RISK: Slot[str] = Slot("whatif.risk", default("risk").partition(":")[0])
"""``cvar`` (稳健: the mean gain over the worst 10 % of curve draws) or ``mean`` (平均: the estimate)"""
BOUNDS: Slot[pd.DataFrame | None] = Slot("whatif.bounds", None)
"""channel, lower (× current), upper (× current), locked; None until the data is known"""

# campaign page
CAMPAIGN: Slot[str] = Slot("campaign.name", "618", per_lang=True)
CAMPAIGN_PHASES: Slot[dict] = Slot("campaign.phases", factory=dict)
"""campaign name -> its phases table as the user edited it"""
CAMPAIGN_ESTIMATES: Slot[dict] = Slot("campaign.estimates", factory=dict)
"""campaign name -> the last "estimate from history" for it: {"token": the curves' token, "found":
engine.HistoryEstimate, "used": phase -> the multiplier the phases table got}"""
CAMPAIGN_BUDGET_PCT: Slot[int] = Slot("campaign.budget_pct", 100, per_lang=True)
"""the campaign's total budget in % of the optimise page's daily budget × the planned days (the lead-in's too)"""
CAMPAIGN_KEY_MIN: Slot[int] = Slot("campaign.key_min_pct", 50)
CAMPAIGN_FOCUS: Slot[str] = Slot("campaign.focus", "none", per_lang=True)
CAMPAIGN_LEAD_DAYS: Slot[int] = Slot("campaign.lead_days", 0)
"""days before the campaign's first phase planned too (the lead-in, 蓄水期: regular days); 0: the phases only"""

# scenarios page
SCENARIOS: Slot[dict] = Slot("scenarios.saved", factory=dict)
"""name -> SavedScenario, in the order saved"""
SCENARIO_NAME: Slot[str] = Slot("scenarios.name", "")
SCENARIO_PICK: Slot[list] = Slot("scenarios.pick", factory=list)
SCENARIO_EXPORT: Slot[str] = Slot("scenarios.export", "__current__", per_lang=True)
SCENARIO_FOLDER_READ: Slot[bool] = Slot("scenarios.folder_read", False)
"""the saved scenario files were read into SCENARIOS in this session"""
SCENARIO_CELLS: Slot[list] = Slot("scenarios.cells", factory=list, per_lang=True)
"""the two scenarios compared cell by cell (A, B)"""


def editor_edits(widget_key: str) -> dict:
    """The pending cell edits of a ``st.data_editor`` ({row: {column: value}}), as the browser sent them."""
    value = st.session_state.get(widget_key)
    if isinstance(value, dict):
        return {int(r): dict(c) for r, c in (value.get("edited_rows") or {}).items()}
    return {}


def apply_edits(frame: pd.DataFrame, edits: dict, columns: list[str], *, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with the editor's edits of ``columns`` applied (rows by position)."""
    out = frame.copy()
    for row, changes in edits.items():
        if not 0 <= row < len(out):
            continue
        for col, value in changes.items():
            if col not in columns:
                continue
            if col in dates:
                value = pd.to_datetime(value, errors="coerce")
            out.iloc[row, out.columns.get_loc(col)] = value
    return out


def lang() -> str:
    value = LANG.get()
    return value if value in LANGS else "zh"
