"""The app's one door to the engines: attribution, response curves and the optimizer.

Pages call these functions and get tidy DataFrames back; nothing else in the app imports an
engine. Heavy work is cached by the dataset's token (``st.cache_data`` for tables,
``st.cache_resource`` for the compiled optimizer, which a slider move re-solves through its
cvxpy Parameters without rebuilding).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from .data import Dataset

if TYPE_CHECKING:  # names in annotations only; the module itself imports the optimizer lazily
    from optimizer import PlanResult, Scenario

# The optimizer (and cvxpy under it) is imported where it is used, not here: a page's title then shows
# before the seconds that import takes on a cold start.
DEFAULT_MARGIN = 0.45
"""``optimizer.curves.DEFAULT_MARGIN`` (tests/app/test_engine.py checks they agree)."""


def curves_from_frame(table: pd.DataFrame):
    from optimizer import curves_from_frame as build

    return build(table)


# --- attribution ------------------------------------------------------------------------------------------

MODEL_CHOICES = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
                 "markov_1", "markov_2", "incremental")
TOP_PATHS = 15


@st.cache_resource(show_spinner=False, max_entries=4)
def journeys(token: str, _ds: Dataset):
    from attribution.journeys import build_journeys

    return build_journeys(_ds.touchpoints, _ds.conversions)


@st.cache_data(show_spinner=False, max_entries=8)
def paths(token: str, _ds: Dataset, by_segment: bool = False) -> pd.DataFrame:
    from attribution.journeys import build_paths

    return build_paths(_ds.touchpoints, _ds.conversions, by=("product_segment",) if by_segment else ())


def _channel_groups(ds: Dataset) -> pd.DataFrame:
    return ds.channels[["channel", "group"]]


@st.cache_data(show_spinner=False, max_entries=64)
def credit_table(token: str, _ds: Dataset, model: str, half_life: float = 7.0) -> pd.DataFrame:
    """model, channel, group, conversions, value for one model (cached per model: adding one computes only it)."""
    import attribution

    if model == "time_decay":
        return attribution.attribute_journeys(journeys(token, _ds), attribution.TimeDecay(half_life_days=half_life),
                                              channels=_channel_groups(_ds))
    return attribution.attribute(paths(token, _ds), model, channels=_channel_groups(_ds))


def credit(token: str, ds: Dataset, models: list[str] | tuple[str, ...], half_life: float = 7.0) -> pd.DataFrame:
    """Side by side: model, channel, group, conversions, value for every chosen model (conserves each model's total)."""
    parts = [credit_table(token, ds, m, half_life) for m in models]
    if not parts:
        return pd.DataFrame(columns=["model", "channel", "group", "conversions", "value"])
    return pd.concat(parts, ignore_index=True)


def roi_table(credit_frame: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Channels with spend: spend, conversions, value, ROAS (GMV ÷ spend), net return ((GMV − spend) ÷ spend),
    CPA (spend ÷ orders), as :func:`attribution.with_spend` defines them."""
    import attribution

    out = attribution.with_spend(credit_frame, spend)
    out = out[out["spend"].fillna(0) > 0]
    return out[["model", "channel", "spend", "conversions", "value", "roas", "net_return", "cpa"]].reset_index(drop=True)


def baseline_share(credit_frame: pd.DataFrame, model: str = "incremental", measure: str = "value") -> float:
    part = credit_frame[credit_frame["model"] == model]
    total = part[measure].sum()
    return float(part.loc[part["channel"] == "(baseline)", measure].sum() / total) if total > 0 else float("nan")


@st.cache_data(show_spinner=False, max_entries=8)
def top_paths(token: str, _ds: Dataset, n: int = TOP_PATHS) -> pd.DataFrame:
    """path, steps (list of channel ids), conversions, value, journeys, conversion_rate: the n paths with most orders."""
    frame = paths(token, _ds)
    top = frame.sort_values(["conversions", "value"], ascending=False).head(n).copy()
    top["journeys"] = top["conversions"] + top["nulls"]
    top["conversion_rate"] = top["conversions"] / top["journeys"].replace(0, np.nan)
    top["steps"] = top["path"].str.split(" > ")
    return top[["path", "steps", "conversions", "value", "journeys", "conversion_rate"]].reset_index(drop=True)


# --- response curves ------------------------------------------------------------------------------------

CURVE_SOURCES = ("fitted", "demo", "uploaded")


@dataclass(frozen=True, eq=False)
class CurveSet:
    """Curves the optimizer can use, with what the curves page shows about them.

    ``table``: the optimizer's curves table (channel, segment, family, a, b, s, current_spend, cpc,
    new_customer_share, group, key_platform, margin) plus status and warning per cell.
    ``bands``: channel, segment, spend, value, low, high. ``warnings``: sentences from the fit.
    """

    source: str
    table: pd.DataFrame
    bands: pd.DataFrame
    warnings: tuple[str, ...] = ()
    summary: pd.DataFrame | None = None
    token: str = field(default="")
    draws: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """The fit's curve draws (see :class:`response.CurveFit`); None for given curves, which have none."""
    decomposition: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """The fit's daily decomposition (date, outcome, component, value: actual, baseline and each cell's
    incremental GMV); fitted curves only (given curves have no history), for :func:`history_estimates`."""


def _with_attributes(table: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """The curves table with cpc, new_customer_share and clicks_known per cell (:func:`roimix.pipeline.cell_traffic`,
    the CLI's: a cell without clicks is unknown, never given an assumed CPC), group, key_platform and margin.

    Unknown cells get placeholder traffic (cpc 1, share 0) with ``clicks_known`` false: the optimizer needs
    numbers, and :func:`traffic_unknown_cells` turns the new-customer cap off rather than let it read them."""
    from optimizer import traffic_unknown
    from roimix.pipeline import cell_traffic

    out = table.copy()
    given = all(c in out.columns and out[c].notna().any() for c in ("cpc", "new_customer_share"))
    if not given:
        out = out.drop(columns=["cpc", "new_customer_share", "clicks_known"], errors="ignore").merge(
            cell_traffic(ds.spend), on=["channel", "segment"], how="left")
    known = ~traffic_unknown(out)
    out["clicks_known"] = known.to_numpy()
    out.loc[~known, "cpc"] = 1.0
    out.loc[~known, "new_customer_share"] = 0.0
    attrs = ds.channels.set_index("channel")
    for col in ("group", "key_platform"):
        if col not in out.columns or out[col].isna().all():
            out[col] = out["channel"].map(attrs[col])
    if "margin" not in out.columns:
        out["margin"] = DEFAULT_MARGIN
    out["margin"] = out["margin"].fillna(DEFAULT_MARGIN)
    return out


def traffic_unknown_cells(table: pd.DataFrame) -> tuple[str, ...]:
    """``channel/segment`` of the cells whose clicks are unknown: the new-customer rule cannot be checked on them,
    so the app plans without it (as the CLI drops its default cap) and says so."""
    from optimizer import traffic_unknown

    unknown = traffic_unknown(table).to_numpy()
    return tuple(f"{c}/{s}" for c, s in zip(table["channel"].to_numpy()[unknown], table["segment"].to_numpy()[unknown]))


CHANNEL_COLUMNS = ["channel", "group", "key_platform", "label_zh", "label_en"]
MIN_FIT_DAYS = 28
"""Days of spend history below which no curve is fitted (the fit needs the baseline's terms and folds)."""


FIT_STAGES = ("validate", "journeys", "attribution", "lags", "curves")
"""The pipeline's stages in the order it reports them (``run_pipeline(progress=…)``)."""
_FITTED: set[str] = set()
"""Dataset tokens whose fitted curves are in the cache (a page then needs no progress display)."""


def fitted_ready(token: str) -> bool:
    return token in _FITTED


@st.cache_resource(show_spinner=False, max_entries=4)  # shared, not copied: a CurveSet is never modified
def fitted_curves(token: str, _ds: Dataset, _fitted: CurveSet | None = None) -> CurveSet:
    """The fitted curves of the dataset ``token`` (``_fitted``: a fit made outside the cache, with progress
    shown — elements updated inside a cached function would be replayed on every later cache hit)."""
    return _fitted if _fitted is not None else fit(token, _ds)


def fit(token: str, ds: Dataset, progress=None) -> CurveSet:
    """Curves fitted by the project's pipeline (:func:`roimix.pipeline.run_pipeline`, the CLI's too):
    journeys → incremental attribution (the prior) → lags → curves against the total GMV per day and
    product segment, campaign periods left out, uploaded lift tests as calibration, bootstrap bands. In aggregate
    mode (:attr:`Dataset.aggregate`) the CLI's aggregate fit (:func:`roimix.aggregate.run_aggregate`): spend against
    the shop's total GMV per day or week, the partial journeys' attribution as the prior of the channels they
    cover; the curves come per day with each cell's ``evidence``."""
    if ds.aggregate:
        return _fit_aggregate(token, ds, progress)
    from roimix.pipeline import run_pipeline

    days = pd.to_datetime(ds.spend["date"]).dt.normalize().nunique()
    if days < MIN_FIT_DAYS:
        from .errors import AppMessage

        raise AppMessage("app.curves.too_short", days=days, need=MIN_FIT_DAYS)
    result = run_pipeline(ds.touchpoints, ds.conversions, ds.spend, channels=ds.channels[CHANNEL_COLUMNS],
                          lift_tests=ds.lift_tests, progress=progress)
    table = _with_attributes(result.curves, ds)
    bands = result.fit.bands[["channel", "segment", "spend", "value", "low", "high"]]
    _FITTED.add(token)
    return CurveSet("fitted", table, bands, tuple(result.warnings), result.fit.summary, token=f"fitted:{token}",
                    draws=result.draws, decomposition=result.fit.decomposition)


def _fit_aggregate(token: str, ds: Dataset, progress=None) -> CurveSet:
    from roimix.aggregate import run_aggregate

    result = run_aggregate(ds.spend, ds.outcome, lift_tests=ds.lift_tests, channels=ds.channels[CHANNEL_COLUMNS],
                           touchpoints=ds.touchpoints, conversions=ds.conversions, progress=progress)
    table = _with_attributes(result.curves, ds)
    p = float(result.period_days)  # bands per period → per day: f_week(p·x) = p · f_day(x) for every family
    bands = result.fit.bands[["channel", "segment", "spend", "value", "low", "high"]].copy()
    bands[["spend", "value", "low", "high"]] = bands[["spend", "value", "low", "high"]] / p
    _FITTED.add(token)
    return CurveSet("fitted", table, bands, tuple(result.warnings), result.fit.summary, token=f"fitted:{token}",
                    draws=result.draws, decomposition=result.fit.decomposition if p == 1 else None)


def _bands_of(table: pd.DataFrame, *, points: int = 121) -> pd.DataFrame:
    """Curve values on a grid up to 3× current spend (no uncertainty known: low = high = value)."""
    curves = curves_from_frame(table)
    rows = []
    for i in range(curves.n):
        top = max(3.0 * curves.current_spend_cny[i], float(np.nan_to_num(curves.b[i], nan=0.0)) * 2, 1.0)
        grid = np.linspace(0.0, top, points)
        sub = curves.subset(np.arange(curves.n) == i)
        values = np.array([sub.value(np.array([x]))[0] for x in grid])
        rows.append(pd.DataFrame({"channel": curves.keys["channel"].iloc[i], "segment": curves.keys["segment"].iloc[i],
                                  "spend": grid, "value": values, "low": values, "high": values}))
    return pd.concat(rows, ignore_index=True)


@st.cache_resource(show_spinner=False, max_entries=4)  # shared, not copied: a CurveSet is never modified
def given_curves(token: str, source: str, _table: pd.DataFrame, _ds: Dataset) -> CurveSet:
    """Curves given as parameters (the sample's demo curves, or an uploaded curves table)."""
    table = _with_attributes(_table.drop(columns=["lag_mean_days"], errors="ignore"), _ds)
    curves_from_frame(table)  # raises CurveError naming a bad curve
    table = table.assign(status=source, warning="")
    return CurveSet(source, table, _bands_of(table), (), None, token=f"{source}:{token}")


def available_curve_sources(ds: Dataset) -> list[str]:
    from .data import demo_curves

    out = ["fitted"]
    if ds.is_sample and demo_curves() is not None:
        out.append("demo")
    if ds.curves is not None:
        out.append("uploaded")
    return out


def with_margin(curves: CurveSet, profit_margin: float) -> CurveSet:
    """``curves`` with every cell's margin set to ``profit_margin`` (margin × (1 − return rate)); the same
    object when nothing changes (the default margin and no returns), so caches keyed by the token still hit."""
    m = float(profit_margin)
    if "margin" in curves.table.columns and np.allclose(curves.table["margin"].to_numpy(dtype=float), m):
        return curves
    return replace(curves, table=curves.table.assign(margin=m), token=f"{curves.token}|margin={m:.6f}")


def curve_set(ds: Dataset, source: str, progress=None) -> CurveSet:
    """The curves of ``source`` for ``ds``; ``progress(stage)`` hears the pipeline's stages of a fit."""
    from .data import demo_curves

    if source == "uploaded" and ds.curves is not None:
        return given_curves(ds.token, "uploaded", ds.curves, ds)
    if source == "demo" and ds.is_sample:
        return given_curves(ds.token, "demo", demo_curves(), ds)
    if progress is not None and not fitted_ready(ds.token):
        return fitted_curves(ds.token, ds, fit(ds.token, ds, progress))
    return fitted_curves(ds.token, ds)


def current_gmv(table: pd.DataFrame) -> float:
    """Expected incremental GMV per day of the curves at current spend."""
    curves = curves_from_frame(table.drop(columns=["status", "warning"], errors="ignore"))
    return float(np.nansum(curves.value(curves.current_spend_cny)))


def thin_channels(ds: Dataset, *, min_days: int = 28, min_cv: float = 0.08) -> pd.DataFrame:
    """channel, days, cv, reason: channels whose spend history cannot identify a curve."""
    daily = ds.spend.groupby(["channel", "date"], as_index=False)["spend"].sum()
    rows = []
    for ch, part in daily.groupby("channel"):
        x = part["spend"].to_numpy(float)
        active = int((x > 0).sum())
        mean = x.mean() if len(x) else 0.0
        cv = float(x.std() / mean) if mean > 0 else 0.0
        if active < min_days:
            rows.append({"channel": ch, "days": active, "cv": cv, "reason": "few_days"})
        elif cv < min_cv:
            rows.append({"channel": ch, "days": active, "cv": cv, "reason": "flat"})
    return pd.DataFrame(rows, columns=["channel", "days", "cv", "reason"])


# --- the optimizer ---------------------------------------------------------------------------------------

UNBOUNDED_X = 100.0
"""The 'no limit' upper bound, as a multiple of current spend (keeps every channel's rule in the problem)."""


@dataclass(frozen=True)
class WhatIf:
    """What the user set on the optimise page, in engine units (yuan per day, shares in 0–1)."""

    budget: float
    new_product_cap: float | None = 0.15
    new_customer_cap: float | None = 0.30
    objective: str = "gmv"
    target_gmv: float | None = None
    roi_floor: float = 0.0
    bounds: tuple[tuple[str, float, float | None, bool], ...] = ()
    """(channel, lower × current, upper × current or None, locked)"""
    margin: float = DEFAULT_MARGIN
    """gross margin on GMV (0–1) of the profit objective"""
    return_rate: float = 0.0
    """share of GMV returned (0–1): profit counts margin × (1 − return rate) of GMV"""
    risk: str = "cvar"
    """``cvar``: the plan maximises the mean gain over the worst 10 % of curve draws (stays near today
    where the evidence is weak); ``mean``: the plan on the estimate. Without draws both plan on the estimate."""

    @property
    def profit_margin(self) -> float:
        """The margin profit uses: margin × (1 − return rate)."""
        return float(self.margin) * (1.0 - float(self.return_rate))

    def without_budget(self) -> WhatIf:
        return replace(self, budget=0.0)


def bounds_rule_name(channel: str) -> str:
    return f"bounds:{channel}"


def lock_rule_name(channel: str) -> str:
    return f"lock:{channel}"


def _unfit_cells(table: pd.DataFrame) -> list[tuple[str, str]]:
    if "status" not in table.columns:
        return []
    unfit = table["status"].to_numpy() == "unfit"
    return [(str(c), str(s)) for c, s in zip(table["channel"].to_numpy()[unfit], table["segment"].to_numpy()[unfit])]


def channel_rules(w: WhatIf, table: pd.DataFrame) -> tuple:
    """The what-if's per-channel rules: bounds (× current spend, on the channel's total), locks, unfit cells kept
    at current spend, and the ROI floor (built once per setting: a sweep asks for the same rules at every point)."""
    return _channel_rules(w.bounds, float(w.roi_floor or 0.0), tuple(dict.fromkeys(table["channel"])),
                          tuple(_unfit_cells(table)))


@functools.lru_cache(maxsize=256)
def _channel_rules(bounds: tuple, roi_floor: float, channel_list: tuple, unfit: tuple) -> tuple:
    from optimizer import Bounds, Lock, RoiFloor, Select

    rules = []
    channels = set(channel_list)
    for channel, lower, upper, locked in bounds:
        if channel not in channels:
            continue
        if locked:
            rules.append(Lock(lock_rule_name(channel), Select(channels=(channel,))))
        else:
            # a zero minimum is no rule at all (spend is ≥ 0 anyway); it would only show as "binding"
            rules.append(Bounds(bounds_rule_name(channel), lower=float(lower) if lower and lower > 0 else None,
                                upper=float(UNBOUNDED_X if upper is None or not np.isfinite(upper) else upper),
                                relative=True, per="total", select=Select(channels=(channel,))))
    locked = {b[0] for b in bounds if b[3]}
    for channel, segment in unfit:
        if channel not in locked:
            rules.append(Lock(f"unfit:{channel}/{segment}", Select(channels=(channel,), segments=(segment,))))
    if roi_floor > 0:
        rules.append(RoiFloor("ROI floor", roi_floor))
    return tuple(rules)


def scenario_of(w: WhatIf, table: pd.DataFrame, *, budget: float | None = None) -> Scenario:
    """The optimizer's scenario for a what-if over a curves table."""
    from optimizer import default_scenario

    amount = w.budget if budget is None else budget
    target = w.target_gmv if w.objective == "min_spend" else None
    return default_scenario(
        amount, objective=w.objective, target_gmv_cny_per_day=target,
        new_product_share=w.new_product_cap, new_customer_share=w.new_customer_cap, rules=channel_rules(w, table),
    )


RISKS = ("mean", "cvar")
CVAR_LEVEL = 0.9


class SharedPlanner:
    """A :class:`optimizer.Planner` shared by sessions (``st.cache_resource``); solves one at a time."""

    def __init__(self, table: pd.DataFrame, draws: pd.DataFrame | None = None):
        from optimizer import Planner
        from optimizer.draws import unfit_levels_zeroed

        self.table = table
        frame = table.drop(columns=["status", "warning"], errors="ignore")
        self.draws = unfit_levels_zeroed(draws, table) if draws is not None and len(draws) else None
        """the curve draws the planner weighs (unfit cells at level 0), as a table"""
        self.planner = Planner(frame, draws=self.draws)
        self.lock = threading.Lock()

    def solve(self, scenario: Scenario) -> PlanResult:
        with self.lock:
            return self.planner.solve(scenario)

    @property
    def has_draws(self) -> bool:
        return self.planner.draws is not None


def _table_token(table: pd.DataFrame) -> str:
    return hashlib.sha1(pd.util.hash_pandas_object(table, index=False).values.tobytes()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=8)
def shared_planner(token: str, _table: pd.DataFrame, _draws: pd.DataFrame | None = None) -> SharedPlanner:
    return SharedPlanner(_table, _draws)


def planner_for(curves: CurveSet) -> SharedPlanner:
    return shared_planner(curves.token or _table_token(curves.table), curves.table, curves.draws)


def solve(planner: SharedPlanner, w: WhatIf) -> PlanResult:
    scenario = scenario_of(w, planner.table)
    if planner.has_draws and w.risk == "cvar" and w.objective != "min_spend":
        from optimizer import Risk

        scenario = replace(scenario, objective=replace(scenario.objective, risk=Risk("cvar", CVAR_LEVEL)))
    return planner.solve(scenario)


def lift_tests_to_run(planner: SharedPlanner, w: WhatIf, result: PlanResult) -> pd.DataFrame:
    """channel, segment, value_cny_per_day, rank: the lift tests worth most to this plan (see
    :func:`optimizer.lift_value.lift_test_values`); empty without curve draws or a plan."""
    if not planner.has_draws or not result.solved:
        return pd.DataFrame(columns=["channel", "segment", "value_cny_per_day", "rank"])
    from optimizer.lift_value import lift_test_values

    table = planner.table
    unfit = table["status"].eq("unfit").to_numpy() if "status" in table.columns else np.zeros(len(table), bool)
    with planner.lock:
        return lift_test_values(planner.planner.curves, planner.draws, scenario_of(w, table), result.spend_cny,
                                cells=~unfit)


def channel_plan(result: PlanResult) -> pd.DataFrame:
    """Per channel: current_spend, planned_spend, current_value, planned_value, change, and marginal_roi
    (spend-weighted over the channel's cells with a finite marginal ROI), in the plan's channel order."""
    p = result.plan
    codes, channels = pd.factorize(p["channel"], sort=False)
    n = len(channels)

    def total(col: str) -> np.ndarray:
        return np.bincount(codes, weights=np.nan_to_num(p[col].to_numpy(dtype=float)), minlength=n)

    m = p["marginal_roi"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    w = np.where(ok, np.nan_to_num(p["spend"].to_numpy(dtype=float)) + 1e-9, 0.0)
    wsum = np.bincount(codes, weights=w, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mroi = np.where(wsum > 0, np.bincount(codes, weights=np.where(ok, m, 0.0) * w, minlength=n) / wsum, np.nan)
    out = pd.DataFrame({"channel": np.asarray(channels, dtype=object), "current_spend": total("current_spend"),
                        "planned_spend": total("spend"), "current_value": total("current_value"),
                        "planned_value": total("expected_value"), "marginal_roi": mroi})
    out["change"] = out["planned_spend"] - out["current_spend"]
    return out


SWEEP_MULTIPLES = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
"""Budgets of the sweep, as multiples of today's spend: each point is one re-solve of the sweep's compiled problem."""


def sweep_budgets(current: float) -> np.ndarray:
    return np.round(current * np.asarray(SWEEP_MULTIPLES), 2)


def sweep(planner: SharedPlanner, w: WhatIf, budgets) -> pd.DataFrame:
    """budget, gmv, spend, roi, marginal_roi, feasible, gmv_p10, gmv_p90: the best plan at each budget (other
    settings as ``w``, planned on the estimate), by :meth:`optimizer.Planner.sweep`."""
    budgets = [float(b) for b in budgets]
    scenario = scenario_of(w, planner.table, budget=budgets[0] if budgets else w.budget)
    with planner.lock:
        return planner.planner.sweep(scenario, budgets)


def message_text(message, lang: str, names: dict[str, str], *, campaign: bool = False) -> str:
    """One optimizer (or campaign) message as a sentence, with rule names as the reader knows them."""
    from optimizer.explain import Message

    values = dict(message.values)
    if "rule" in values:
        values["rule"] = rule_display(values["rule"], lang, names)
    if "rules" in values:
        values["rules"] = ", ".join(rule_display(r.strip(), lang, names) for r in str(values["rules"]).split(", "))
    try:
        if campaign:
            from roimix.report.campaign import render_message as render
        else:
            from roimix.report.plan import render
    except ImportError:  # the optimizer's wording is not there: say it plainly
        return _plain(message.key, values, lang)
    return render(Message(message.key, values), lang)


def _plain(key: str, values: dict, lang: str) -> str:
    from roimix.text import STRINGS, money, percent, t

    shown = []
    for k, v in values.items():
        if isinstance(v, float):
            v = money(v, lang, 2) if k.endswith("_cny") else percent(v, lang) if k.endswith("_share") else f"{v:.2f}"
        shown.append(f"{k}={v}")
    return (t(key, lang) if key in STRINGS and not values else f"{key.rsplit('.', 1)[-1]}: " + ", ".join(shown))


def rule_display(name: str, lang: str, names: dict[str, str]) -> str:
    from roimix.text import t

    for prefix, key in (("bounds:", "app.rule.bounds"), ("lock:", "app.rule.lock"), ("unfit:", "app.rule.unfit")):
        if name.startswith(prefix):
            target = name[len(prefix):]
            channel, _, segment = target.partition("/")
            label = names.get(channel, channel) + (f"/{t(f'segment.{segment}', lang)}" if segment else "")
            return t(key, lang, channel=label)
    if name == "ROI floor":
        return t("app.rule.roi_floor", lang)
    try:
        from roimix.report.plan import rule_label
    except ImportError:
        return name
    return rule_label(name, lang)


# --- campaign daily plans (optimizer.campaign) ---------------------------------------------------------


@dataclass(frozen=True)
class CampaignSettings:
    """The campaign page's settings: the total budget over the campaign and the pacing rules."""

    budget_total: float
    key_daily_min: float | None = 0.5
    focus: str = "none"
    offday_share: float = 0.3


class SharedCampaignPlanner:
    """An :class:`optimizer.campaign.CampaignPlanner` shared by sessions; solves one at a time."""

    def __init__(self, table: pd.DataFrame, campaign):
        from optimizer.campaign import CampaignPlanner, Horizon

        self.table, self.campaign = table, campaign
        self.planner = CampaignPlanner(table.drop(columns=["status", "warning"], errors="ignore"),
                                       Horizon(campaign.start, campaign.end), campaign)
        self.lock = threading.Lock()

    @property
    def n_days(self) -> int:
        return (self.campaign.end - self.campaign.start).days + 1

    def solve(self, setup, *, flat: bool = False):
        with self.lock:
            return self.planner.solve(setup, flat=flat)


def campaign_of(name: str, phases: pd.DataFrame):
    """The campaign engine's calendar from the page's phases table (phase, label_zh, label_en, start, end, multiplier)."""
    from optimizer.campaign import calendar_from_frame

    frame = phases.assign(campaign=name, channel="")
    return calendar_from_frame(frame, name)


def campaign_key(name: str, phases: pd.DataFrame) -> str:
    cols = ["phase", "start", "end", "multiplier"]
    return name + "|" + "|".join(map(str, phases[cols].astype(str).to_numpy().ravel()))


@st.cache_resource(show_spinner=False, max_entries=8)
def campaign_planner(curves_token: str, key: str, _table: pd.DataFrame, _campaign) -> SharedCampaignPlanner:
    return SharedCampaignPlanner(_table, _campaign)


def campaign_setup(w: WhatIf, table: pd.DataFrame, settings: CampaignSettings, n_days: int):
    """The campaign scenario: the what-if's caps and channel rules over every day, the budget over the campaign."""
    from optimizer import Budget, Objective
    from optimizer.campaign import CampaignScenario, DailyRules

    kind = w.objective
    target = (w.target_gmv or 0.0) * n_days if kind == "min_spend" else None
    budget = Budget(settings.budget_total, "eq" if kind == "gmv" else "le")
    daily = DailyRules(key_daily_min=settings.key_daily_min, non_key_focus=settings.focus,
                       non_key_offday_share=settings.offday_share if settings.focus != "none" else 0.0)
    return CampaignScenario(budget, Objective(kind, target), w.new_product_cap, w.new_customer_cap, daily,
                            channel_rules(w, table))


# --- phase multipliers from a past campaign (optimizer.campaign.estimate_multipliers) ---------------------


@dataclass(frozen=True)
class HistoryEstimate:
    """The phase multipliers a past occurrence of a campaign gives (or why there is none).

    ``estimates``: :func:`optimizer.campaign.estimate_multipliers`'s table for the ``year`` occurrence (the
    template's dates and default multipliers as the given ones, as the CLI's ``calendar.estimate``), or
    ``None`` with ``reason``: ``not_fitted`` (the curves carry no history) or ``no_history`` (the history,
    ``first`` – ``last``, holds no complete occurrence before ``before``).
    """

    estimates: pd.DataFrame | None
    year: int | None = None
    reason: str = ""
    first: str = ""
    last: str = ""
    before: int | None = None


def past_campaign(name: str, decomposition: pd.DataFrame, before: int):
    """(year, template) of campaign ``name`` in the latest year before ``before`` whose phases all lie in the
    history of ``decomposition`` (as the CLI's scenario runner finds it), or ``None``."""
    from optimizer.campaign import CalendarError, template, template_dates

    dates = pd.to_datetime(decomposition["date"])
    first, last = dates.min().date(), dates.max().date()
    for year in range(before - 1, first.year - 1, -1):
        try:
            phases = template_dates(name, year)
        except CalendarError:  # 年货节 outside the known Spring Festival dates
            continue
        if phases[0][1] >= first and phases[-1][2] <= last:
            return year, template(name, year)
    return None


@st.cache_data(show_spinner=False, max_entries=16)
def history_estimates(curves_token: str, name: str, before: int, _decomposition: pd.DataFrame | None) -> HistoryEstimate:
    """Phase multipliers of campaign ``name`` from its latest complete occurrence before ``before`` in the fit's
    history (cached by the curves' token: the decomposition is the fit's, which the token names)."""
    if _decomposition is None or not len(_decomposition):
        return HistoryEstimate(None, reason="not_fitted")
    from optimizer.campaign import estimate_multipliers

    found = past_campaign(name, _decomposition, before)
    if found is None:
        dates = pd.to_datetime(_decomposition["date"])
        return HistoryEstimate(None, reason="no_history", first=f"{dates.min():%Y-%m-%d}", last=f"{dates.max():%Y-%m-%d}",
                               before=before)
    year, past = found
    return HistoryEstimate(estimate_multipliers(_decomposition, past), year=year)
