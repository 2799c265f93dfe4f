"""Aggregate mode: response curves from what a shop really has — spend per channel and the shop's
total GMV per day or per week — with no user journeys.

    spend (+ platform_gmv) + outcome [+ lift tests] [+ channels] [+ attribution prior] → curves

* **Period**: each table's dates are checked to be days or weeks on one regular grid (the outcome
  with no gaps; a missing spend row is 0 spend); the period is stated in the result and in the
  curves (``period_days``). Daily spend with weekly GMV is summed into the GMV's weeks. Weekly
  curves are converted to per-day units (the optimizer plans yuan per day): a week's
  ``a·g(x_week/b)`` is ``(a/7)·g(x_day/(b/7))`` per day.
* **Fit**: :func:`response.fit_curves` against the total outcome, campaign windows left out (the
  built-in ones, as in pipeline mode, unless ``exclude`` is given), lift tests calibrating the
  levels, no attribution prior unless one is given (partial journeys: ``prior`` for the channels
  that have journeys). Weekly data try mean lags of 0–1.5 weeks (0–10 days; the daily grid's
  0–3 periods would mean 0–3 *weeks*).
* **Pool** (``pool``, on by default): one cell's spend against the total outcome says little; the
  sum of all spend says more. Each cell without a journey prior is pooled toward the shop's pooled
  ROI R × its own spend, ``p_k`` (:func:`pooled_prior`), with a weight set by *its own* evidence
  (:func:`response.fit.pool_weights`): with ``â_k`` its level fitted without the pool and ``s_k``
  that level's standard error, the pool is a prior ``N(p_k, τ_k²)`` with

      τ_k² = max((â_k − p_k)² − c_n² · s_k²,  r₀² · p_k²),   c_n = Φ⁻¹(1 − 0.05 / (2n)),

  r₀ the one relative sd of the pool under which the outcome is most likely (empirical Bayes over
  0.25–2, the pooled cells only) and n the pooled cells. A cell no further from the pool than chance
  takes the most extreme of n cells (c_n standard errors: 2.58 for 5, 2.96 for 16) is held to it with
  the weight r₀; one further away keeps the part beyond chance (pull ``1 / (1 + z² − c_n²)`` at z
  standard errors), so a well-identified cell is not pulled toward the others, and a plan moves budget
  where the data show a difference rather than where the noise does (on the independent markets'
  development seeds, without the pool the plans moved by noise and lost money in half the runs while
  stating P10 > 0). The estimate and the plan's draws use the most likely r₀; the stated bands take r₀
  by its evidence, which is often flat (with r₀ plugged in, aggregate-only cells' 90 % bands held the
  truth in 78 % of them on those seeds; see :mod:`response.fit`). Not used with journeys or a given ``prior`` (see :class:`AggregateSettings`).
* **Shop events** (``shop_events``, ``"auto"`` by default): periods when the cells' spend moved
  together (a campaign the built-in calendar does not know, a holiday lull) are left out like
  campaign windows (:func:`shop_events`), named in a warning. By default a move counts when at least
  half the cells moved by more than 0.2 (log) the same way, each against its own 6-week rolling
  median, the median of their moves passes 3 standard errors of what independent moves would give by
  chance (``1.2533 · 1.4826 · MAD / √n_cells``: with 3 cells of independently varied spend a log move
  of ≈ 1, with the markets' 16 cells ≈ 0.2), and it lasts 2 days or more.
* **Evidence** per cell: ``lift_test`` (level calibrated by an experiment), ``journeys`` (an
  attribution prior), ``aggregate`` (spend variation against total GMV only), or the fit's own
  ``prior``/``unfit`` statuses. A cell with aggregate evidence whose spend follows the calendar
  (trend, season, weekday explain ≥ ``calendar_r2_flag`` of its variation over the fitted periods)
  is flagged ``likely_confounded``: its budget moves with demand, so the fit cannot separate the
  two — only a lift test can (on pymc-marketing's confounded ``mmm_roas_data`` the flagged x1 is
  overstated 1.8× and a 13-week lift test brings it to the truth).
* **Platform reports** (``platform_gmv`` in spend): the platform's own ROAS (平台投产) is shown
  beside the incremental one (增量投产) with the deflation factor incremental ÷ platform and its
  band. With ``platform_prior`` the factor learned on lift-tested channels (pooled, Σ incremental
  ÷ Σ platform GMV) turns the platform GMV of the *other* channels into a weak prior on their
  level (relative sd ``platform_prior_relative_sd``) — never into the estimate itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from response import CurveFit, FitSettings, Timeline, baseline_design, fit_curves
from response.report import refreshed_level_notes
from response.untested_cap import scaled_levels, untested_ratios
from roimix import plan_defaults
from roimix.errors import InputError
from roimix.messages import Message
from roimix.tables import CHANNELS, LIFT_TESTS, SPEND, Problem, TableError, read_table
from roimix.tables.contracts import OUTCOME
from roimix.expected import expect

if TYPE_CHECKING:
    from attribution.journeys import JourneyViews

Source = str | Path | pd.DataFrame
Progress = Callable[[str], None]

WEEKLY_LAGS_PERIODS = (0.0, 0.3, 0.7, 1.5)
"""Mean lags (weeks) tried on weekly data: 0 to about 10 days of carry-over."""
SHOP_EVENT_THRESHOLD = 0.2
"""The default shop events' threshold (tried on the markets' development seeds): with the chance guard it
decides only where many cells' spend moves little by chance. 0.3 missed reach_frequency's 七夕 (demand ×1.4,
spend ×1.3: a log move of 0.26) and most of its 618 presale (×1.1, ×1.4), and the shop's pooled ROI came
out 1.2–3.3 for a true 1.4; 0.2 finds them and flags the same days as 0.3 on the other two markets' dev
seeds but one (benchmarks/results/aggregate_dev.md)."""
EVENT_Z = 3.0
"""By default a shop event's shared move must exceed this many standard errors of the cross-cell median
that the cells' own independent moves would give (:func:`shop_events`): by chance on 0.3 % of periods."""
EVENT_MIN_DAYS = 2
"""By default a shop event lasts at least this many days (a week on weekly data): one day's chance
crossing is not an event (双12 is 3 days, 品牌日 2, 春节停运 14)."""
EVIDENCE = ("lift_test", "journeys", "aggregate", "prior", "unfit")
_OUTCOME_EXPECTATIONS = {"data.err.fit_periods": "fit_periods", "data.err.fit_segments": "fit_segments",
                         "data.err.fit_segment_spend": "fit_segment_spend", "data.err.fit_constant": "fit_constant"}
"""The fit's errors that are a problem of the outcome table (key → its expectation, same values)."""


BAND_WIDENING = 1.4
"""The draws of a cell that only the GMV series tells leave out what the fit cannot see (the carry-over's shape,
the curve's family), and their 90 % bands of the marginal ROI held the truth in 86 % of 240 such cells on the
independent markets' development seeds without lift tests, 77 % and 84 % beside 5 lift tests. × 1.4 in log
space is the smallest of 1.2, 1.4, 1.6, 2.0 that brings the 424 cells together to 90 % or more there (91 %:
93 %, 87 %, 89 %; ``benchmarks/results/aggregate_dev.md``, 2026-12-06). A calibration, like the plan's
range's × 1.4, not a model of what is left out."""


@dataclass(frozen=True)
class AggregateSettings:
    exclude: pd.DataFrame | None = None
    """start, end of periods left out of the fit; None: the built-in campaign windows (618, 双11, 年货节)."""
    current_window_days: int | None = None
    """Current spend = mean over the last N days of the spend history (None: all of it)."""
    default_margin: float = plan_defaults.MARGIN
    fit: FitSettings | None = None
    """None: the response defaults, with :data:`WEEKLY_LAGS_PERIODS` on weekly data."""
    calendar_r2_flag: float = 0.3
    """Flag a cell without a lift test whose spend the calendar explains at least this share of."""
    platform_prior: bool = False
    """Use platform GMV × the deflation factor learned on lift-tested channels as a prior on the others."""
    platform_prior_relative_sd: float = 1.0
    """Relative sd of that prior (1.0: weak — a level twice or half as large is within one sd)."""
    min_periods: int = 20
    """Fewest outcome periods (days or weeks) accepted."""
    lookback_days: int = 30
    """Partial journeys: the attribution window."""
    model: str = "incremental"
    """Partial journeys with ``journey_levels``: the attribution model whose credit is the prior."""
    journey_levels: bool = False
    """Partial journeys: the covered channels' attribution credit as a prior on their level (opt-in). Off by
    default: with journeys of some channels only, orders the other channels caused reach the covered channels'
    paths with those touches unseen, so the covered channels' credit comes out high. On the independent markets'
    development seeds, with Alibaba's side only (直通车, 万相台, 品牌专区 and on-site visits), the prior was a
    median 2.8× the truth (品牌专区 13×) and the plans lost money in 5 of 15 runs (mean capture 0.13, aggregate
    data alone 0.14). By default the journeys give the covered channels' carry-over instead (their touch-to-order
    gaps, :func:`response.lag.lag_kernels`), which aggregate data tell badly; the levels come from the aggregate
    data, pooled like every other cell: 0.17 there, no run below −0.01 (``benchmarks/results/aggregate_dev.md``,
    2026-12-06)."""
    shop_events: float | str | None = "auto"
    """Leave out periods when the channels' spend moved together (:func:`shop_events`): ``"auto"`` (the
    default) by more than :data:`SHOP_EVENT_THRESHOLD` *and* beyond what the cells' own moves give by
    chance, for at least :data:`EVENT_MIN_DAYS` days; a number: by more than that (|log| of the
    cross-channel median against its 6-week rolling median), as given; None: keep every period."""
    pool: bool = True
    """Cells without a journey prior are pooled toward the shop's pooled ROI × their spend, each by
    its own evidence (:func:`pooled_prior` gives the target, :func:`response.fit.pool_weights` the
    per-cell weight): a cell the data set clearly apart keeps its estimate, a noisy one is held to
    the pool. False: each cell on its own data (the plans then move budget by noise, see
    benchmarks/results/aggregate_dev.md). Not with journeys or a given ``prior``: on the sample market,
    pooling the other cells moved the journey cells' marginal ROI away from the truth (3 of 4 within
    0.5–2× of it → 2 of 4), so with an attribution prior the fit is as before."""
    pool_channels: bool = True
    """With ``pool``: a cell whose own data know less than the same channel's cell in another segment
    (a smaller own standard error, e.g. the channel's lift-tested or larger segment) is pooled toward
    that cell's fitted ROI × its own spend instead of the shop's, with that fit's uncertainty added
    (:func:`channel_pool`; a second fit). False: every cell toward the shop's ROI."""
    pooled_prior: bool = False
    """The earlier, cruder form (opt-in): the pooled ROI as a *prior* on every cell without journeys,
    one weight for all by empirical Bayes (well-identified cells are pulled as hard as noisy ones);
    it replaces ``pool`` where both are on."""
    cap_untested: bool = True
    """With lift tests: a cell with ``aggregate`` evidence keeps the lower of its levels with and without the
    tests (:mod:`response.untested_cap`; a second fit without them). A test of one channel is no evidence for
    another, so the GMV a test takes from its cell goes to the baseline rather than to the untested cells whose
    spend moves with it. False: the fit with the tests as it is."""
    band_widening: float = BAND_WIDENING
    """Stated 90 % bands of cells with ``aggregate`` evidence only are widened by this factor in log space
    about the estimate (:func:`widened`); 1: as the draws give them. The draws and the plan are unchanged."""


@dataclass(frozen=True)
class AggregateResult:
    """``curves`` is in the optimizer's curves-table format, per day, plus the fit's and the evidence columns."""

    curves: pd.DataFrame
    fit: CurveFit
    spend: pd.DataFrame
    """spend per period, channel and segment as fitted"""
    outcome: pd.DataFrame
    period_days: int
    evidence: pd.DataFrame
    """channel, segment, evidence, calendar_r2, likely_confounded"""
    platform: pd.DataFrame | None
    """per channel: spend_cny, platform_gmv_cny, platform_roas, incremental_roas (+ _low/_high),
    deflation (+ _low/_high), factor_source; None without a platform_gmv column"""
    deflation: float | None
    """pooled factor learned on lift-tested channels (used only with ``platform_prior``), else None"""
    timings: pd.DataFrame
    warnings: tuple[Message, ...]

    @property
    def draws(self) -> pd.DataFrame:
        """The fit's curve draws per day (see :class:`response.CurveFit`)."""
        return _per_day(self.fit.draws, self.period_days) if len(self.fit.draws) else self.fit.draws


def run_aggregate(
    spend: Source,
    outcome: Source,
    *,
    lift_tests: Source | None = None,
    channels: Source | None = None,
    prior: pd.DataFrame | None = None,
    touchpoints: Source | None = None,
    conversions: Source | None = None,
    controls: pd.DataFrame | None = None,
    settings: AggregateSettings = AggregateSettings(),
    progress: Progress | None = None,
    views: JourneyViews | None = None,
) -> AggregateResult:
    """Fit response curves from spend and the total outcome (files or DataFrames).

    Partial journeys: ``touchpoints`` + ``conversions`` covering only some channels (e.g. the
    platform's own ad products) give those channels an attribution prior (:func:`journey_prior`);
    the rest keep aggregate evidence only, in the same fit. ``prior`` (channel, segment, value per
    *period*) gives one directly. Every input problem is one :class:`TableError` naming file, row
    and column. ``views``: those logs' journeys built already (:func:`attribution.journeys.build_views`, paths
    per date and product segment, ``settings.lookback_days``), read instead of building them again.
    """
    from roimix.pipeline import StageClock  # imported here, as campaign_windows below

    stage = StageClock(progress)
    stage("validate")
    spend_t, outcome_t, channels_t, lifts, period_days = _check_inputs(spend, outcome, lift_tests, channels, settings)

    from roimix.pipeline import campaign_windows  # the same built-in windows as pipeline mode

    dates = pd.to_datetime(pd.concat([spend_t["date"], outcome_t["date"]]))
    exclude = settings.exclude if settings.exclude is not None else campaign_windows(dates.min(), dates.max())
    auto = settings.shop_events == "auto"
    threshold = SHOP_EVENT_THRESHOLD if auto else settings.shop_events
    outside_note = _spend_outside_outcome(spend_t, outcome_t, _name(spend, "spend"))
    covered = spend_t["date"].between(outcome_t["date"].min(), outcome_t["date"].max())
    events = (shop_events(spend_t[covered], threshold, period_days, beyond_chance=auto) if threshold is not None
              else pd.DataFrame(columns=["start", "end"]))  # only where there is GMV to leave out
    event_note = None
    if len(events):
        exclude = pd.concat([exclude[["start", "end"]], events], ignore_index=True)
        shown = [f"{r.start.date()}" + ("" if r.end == r.start else f"–{r.end.date()}") for r in events.itertuples()]
        event_note = Message("aggregate.shop_events", {
            "n_periods": int(sum((r.end - r.start).days // period_days + 1 for r in events.itertuples())),
            "periods": shown[:6] + (["…"] if len(shown) > 6 else []), "threshold_share": float(threshold)})
    journey_note = None
    if (touchpoints is None) != (conversions is None):
        raise TableError([Problem.of("touchpoints" if touchpoints is None else "conversions", "", expect("agg_partial"))])
    journey_kernels = None
    if touchpoints is not None:
        paid = sorted(spend_t["channel"].unique())
        views = _journey_views(touchpoints, conversions, views, settings.lookback_days,
                               ("paths", "gaps") if settings.journey_levels else ("gaps",))
        if settings.journey_levels:
            stage("attribution")
            journeys = journey_prior(touchpoints, conversions, paid=paid, first=dates.min(), last=dates.max(),
                                     exclude=exclude, period_days=period_days, lookback_days=settings.lookback_days,
                                     model=settings.model, channels=channels_t, views=views)
            prior = journeys if prior is None else pd.concat([_with_segment(prior), journeys]).drop_duplicates(
                ["channel", "segment"], keep="first")
            covered = sorted(set(journeys["channel"]))
            journey_note = Message("aggregate.journeys.partial", {
                "journey_channels": covered,
                "aggregate_channels": sorted(set(spend_t["channel"]) - set(covered))})
        else:
            stage("lags")
            journey_kernels, lags = journey_carryover(views, paid, settings.lookback_days, period_days)
            journey_note = Message("aggregate.journeys.partial_lags", {
                "lags": [f"{c} {d:.1f}" for c, d in zip(lags["channel"], lags["lag_mean_days"])],
                "aggregate_channels": sorted(set(paid) - set(lags["channel"]))})

    stage("curves")
    fit_settings = settings.fit or (FitSettings(lag_candidates_periods=WEEKLY_LAGS_PERIODS) if period_days == 7
                                    else FitSettings())
    by_period = spend_t.groupby(["date", "channel", "segment"], as_index=False)["spend"].sum()
    current = _current(spend_t, settings.current_window_days, period_days)
    out_cols = ["date", "segment", "value"] if "segment" in outcome_t.columns else ["date", "value"]
    warnings: list[Message] = []

    def fit_with(prior_table, fs, tests=lifts, pool_target=None):
        try:
            return fit_curves(by_period, outcome_t[out_cols], prior=prior_table, lift_tests=tests, exclude=exclude,
                              kernels=journey_kernels, controls=controls, current_spend=current, pool=pool_target,
                              settings=fs)
        except InputError as err:  # too few periods left, a segment the outcome lacks: the outcome's problem
            expectation = _OUTCOME_EXPECTATIONS.get(getattr(err.message, "key", None))
            if expectation is None:
                raise
            raise TableError([Problem.of(_name(outcome, "outcome"), "date",
                                         expect(expectation, **err.message.values))]) from None

    pool = settings.pool and not settings.pooled_prior and prior is None  # see AggregateSettings.pool
    shop_roi = (pooled_prior(by_period, outcome_t[out_cols], exclude=exclude, controls=controls, settings=fit_settings)
                if settings.pooled_prior or pool else None)
    if (pool or settings.pooled_prior) and shop_roi is None:  # asked for, but the summed spend's curve is unfit
        warnings.append(Message("aggregate.pool.unavailable", {}))
    pooled = shop_roi if settings.pooled_prior else None  # the opt-in form: a prior on every cell

    def pooled_fit(tests):
        """The fit with ``tests``, and the per-cell pool's target it used."""
        pool_target = shop_roi if pool else None
        fitted = fit_with(_first_prior(prior, pooled), fit_settings, tests, pool_target)
        if pool_target is not None and settings.pool_channels:
            by_channel = channel_pool(fitted.curves, by_period, pool_target, outcome_t["date"].nunique())
            if by_channel is not None:  # the same fit, each cell toward its channel's better-known segment
                pool_target = by_channel
                fitted = fit_with(_first_prior(prior, pooled), fit_settings, tests, pool_target)
        return fitted, pool_target

    fit, target = pooled_fit(lifts)
    reported = "platform_gmv" in spend_t.columns
    # the comparison the prior's factor is learned from (which channels are lift-tested does not change with the
    # refit below); the one shown is made once the curves are final
    platform = _platform_table(spend_t, fit, lifts, period_days) if reported and settings.platform_prior else None
    factor = None
    if settings.platform_prior and platform is not None:
        tested = platform[platform["factor_source"] == "lift_test"]
        if len(tested) and tested["platform_gmv_cny"].sum() > 0:
            factor = float(tested["incremental_cny"].sum() / tested["platform_gmv_cny"].sum())
            extra = _platform_prior(spend_t, set(tested["channel"]), factor, period_days)
            merged = _first_prior(prior, extra, pooled)
            fit = fit_with(merged, dataclasses.replace(fit_settings,
                                                       prior_relative_sd=settings.platform_prior_relative_sd),
                           lifts, target)
            warnings.append(Message("aggregate.platform.prior_used", {"factor_x": factor,
                                                                      "channels": sorted(set(tested["channel"]))}))
        else:
            warnings.append(Message("aggregate.platform.prior_unused", {}))

    evidence = _evidence(fit, by_period, lifts, prior, factor is not None and platform is not None,
                         platform, period_days, settings)
    lagged = set() if journey_kernels is None else set(journey_kernels["channel"].astype(str))
    evidence = evidence.assign(lag_from_journeys=evidence["channel"].astype(str).isin(lagged))
    widened_cells = list(evidence.loc[evidence["evidence"] == "aggregate", ["channel", "segment"]]
                         .itertuples(index=False, name=None))
    if settings.cap_untested and widened_cells and lifts is not None and evidence["evidence"].eq("lift_test").any():
        stage("untested_cap")
        ratios = untested_ratios(fit, pooled_fit(None)[0], set(widened_cells))
        if len(ratios):  # the tests raised these untested cells: they keep their level without the tests
            fit = scaled_levels(fit, ratios)
            evidence = evidence.merge(ratios.rename(columns={"ratio": "held_x"}), on=["channel", "segment"], how="left")
            warnings.append(Message("aggregate.untested_capped", {
                "cells": [f"{c}/{g} ×{r:.2f}" for c, g, r in ratios.itertuples(index=False, name=None)]}))
    if "held_x" not in evidence.columns:
        evidence = evidence.assign(held_x=np.nan)
    if settings.band_widening != 1.0 and widened_cells:
        fit = widened_bands(fit, set(widened_cells), settings.band_widening)
        warnings.append(Message("aggregate.bands_widened", {
            "factor_x": settings.band_widening, "cells": [f"{c}/{g}" for c, g in widened_cells]}))
    if reported:  # 增量投产 and its band as the curves state them (held, widened)
        platform = _platform_table(spend_t, fit, lifts, period_days)
    curves = _curves_table(_per_day(fit.curves, period_days), spend_t, channels_t, settings.default_margin,
                           period_days)
    curves = curves.merge(evidence, on=["channel", "segment"], how="left").assign(period_days=period_days)
    if platform is not None:
        curves = curves.merge(platform[["channel", "platform_roas", "incremental_roas", "deflation"]],
                              on="channel", how="left")
    if target is not None and "pool_relative_sd" in fit.curves.columns:
        warnings.append(_pool_note(fit.curves, by_period, shop_roi, target, fit_settings))
        if "source" in target.columns:
            moved = target.dropna(subset=["source"])
            warnings.append(Message("aggregate.pool.channel", {
                "pairs": [f"{c}/{g} ← {src}" for c, g, src in zip(moved["channel"], moved["segment"], moved["source"])]}))
    for r in evidence.itertuples():
        if r.likely_confounded:
            warnings.append(Message("aggregate.confounded", {"cell": f"{r.channel}/{r.segment}",
                                                             "calendar_share": float(r.calendar_r2)}))
    timings = stage.timings()
    return AggregateResult(curves, fit, by_period, outcome_t, period_days, evidence, platform, factor, timings,
                           (Message("aggregate.period", {"period_days": period_days}),)
                           + ((journey_note,) if journey_note is not None else ())
                           + ((event_note,) if event_note is not None else ())
                           + ((outside_note,) if outside_note is not None else ()) + tuple(warnings)
                           + fit.warnings)


# --- bands -------------------------------------------------------------------------------------------


def widened(estimate, low, high, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """A band widened ``factor``-fold in log space about its estimate m: ``m·(low/m)^factor`` and
    ``m·(high/m)^factor``, never narrower than given (a band that does not hold its estimate keeps that side)
    and unchanged where m ≤ 0; a bound at 0 stays 0."""
    m, lo, hi = (np.asarray(v, dtype=float) for v in (estimate, low, high))
    ok = m > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_w = np.where(ok & (lo > 0), m * (lo / m) ** factor, lo)
        hi_w = np.where(ok & (hi > 0), m * (hi / m) ** factor, hi)
    return np.minimum(lo, lo_w), np.maximum(hi, hi_w)


def widened_bands(fit: CurveFit, cells: set[tuple[str, str]], factor: float) -> CurveFit:
    """``fit`` with the stated bands of ``cells`` ((channel, segment)) widened (:func:`widened`): the level's
    (a_low, a_high), the marginal ROI's, the curve's on its grid, and the uncertain-level note's yuan band."""
    curves = fit.curves.copy()
    rows = np.array([(c, s) in cells for c, s in zip(curves["channel"], curves["segment"])], dtype=bool)
    for est, lo, hi in (("a", "a_low", "a_high"), ("marginal_roi", "mroi_low", "mroi_high")):
        low, high = widened(curves.loc[rows, est], curves.loc[rows, lo], curves.loc[rows, hi], factor)
        curves.loc[rows, lo], curves.loc[rows, hi] = low, high
    bands = fit.bands.copy()
    on = np.array([(c, s) in cells for c, s in zip(bands["channel"], bands["segment"])], dtype=bool)
    bands.loc[on, "low"], bands.loc[on, "high"] = widened(bands.loc[on, "value"], bands.loc[on, "low"],
                                                          bands.loc[on, "high"], factor)
    return dataclasses.replace(fit, curves=curves, bands=bands,
                               warnings=refreshed_level_notes(fit.warnings, curves, cells))


# --- inputs -----------------------------------------------------------------------------------------


def _name(source, default: str) -> str:
    return default if isinstance(source, pd.DataFrame) else Path(str(source)).name


def check_aggregate_inputs(spend: Source, outcome: Source, *, lift_tests: Source | None = None,
                           channels: Source | None = None, settings: AggregateSettings = AggregateSettings()) -> int:
    """What aggregate mode checks before fitting (``roimix validate --spend S --outcome O`` runs it): every
    table against its contract, one period (1 or 7 days, returned), no missing outcome period, spend on the
    outcome's segments and dates. Raises :class:`TableError` with every problem."""
    return _check_inputs(spend, outcome, lift_tests, channels, settings)[-1]


def _check_inputs(spend, outcome, lift_tests, channels, settings: AggregateSettings):
    """Read and check every table; the period of each; all problems in one :class:`TableError`."""
    problems: list[Problem] = []

    def read(source, contract, label):
        if source is None:
            return None
        try:
            return read_table(source, contract, name=_name(source, label))
        except TableError as err:
            problems.extend(err.problems)

    tables = (read(spend, SPEND, "spend"), read(outcome, OUTCOME, "outcome"), read(channels, CHANNELS, "channels"),
              read(lift_tests, LIFT_TESTS, "lift tests"))
    if problems:
        raise TableError(problems)
    spend_t, outcome_t, channels_t, lifts = tables
    s_name, o_name = _name(spend, "spend"), _name(outcome, "outcome")
    spend_t = spend_t.assign(date=pd.to_datetime(spend_t["date"]))
    outcome_t = outcome_t.assign(date=pd.to_datetime(outcome_t["date"]))
    o_period, o_problems = _period(outcome_t, o_name, gaps_allowed=False)
    s_period, s_problems = _period(spend_t, s_name, gaps_allowed=True)
    problems += o_problems + s_problems
    if not problems and o_period == 7 and s_period == 1:  # daily platform reports, weekly GMV: sum into its weeks
        spend_t = _into_weeks(spend_t, pd.Timestamp(outcome_t["date"].min()))
        s_period = 7
    if not problems and o_period != s_period:
        problems.append(Problem.of(s_name, "date", expect("agg_period", file=o_name)))
    if not problems and o_period == 7:
        grid = pd.DatetimeIndex(sorted(outcome_t["date"].unique()))
        off = ((spend_t["date"] - grid[0]).dt.days % 7) != 0
        if off.any():
            rows = tuple(int(i) + 2 for i in np.flatnonzero(off.to_numpy())[:5])
            problems.append(Problem.of(s_name, "date", expect("agg_weekday", weekday=grid[0].day_name()),
                                       rows, int(off.sum()), tuple(str(d.date()) for d in spend_t.loc[off, "date"][:3])))
    if not problems:
        n = outcome_t["date"].nunique()
        if n < settings.min_periods:
            problems.append(Problem.of(o_name, "date", expect("agg_min_days" if o_period == 1 else "agg_min_weeks",
                                                              n=settings.min_periods, got=n)))
        if "segment" in outcome_t.columns:
            missing = ~spend_t["segment"].isin(set(outcome_t["segment"]))
            if missing.any():
                rows = tuple(int(i) + 2 for i in np.flatnonzero(missing.to_numpy())[:5])
                problems.append(Problem.of(s_name, "segment",
                                           expect("agg_segment", segments=", ".join(sorted(set(outcome_t["segment"])))),
                                           rows, int(missing.sum()), tuple(dict.fromkeys(spend_t.loc[missing, "segment"]))[:3]))
            unspent = ~outcome_t["segment"].isin(set(spend_t["segment"]))  # GMV no spend cell can explain
            if unspent.any():
                rows = tuple(int(i) + 2 for i in np.flatnonzero(unspent.to_numpy())[:5])
                problems.append(Problem.of(o_name, "segment", expect(
                    "agg_segment_spend", file=s_name, segments=", ".join(sorted(set(spend_t["segment"])))),
                    rows, int(unspent.sum()), tuple(dict.fromkeys(outcome_t.loc[unspent, "segment"]))[:3]))
        series = (outcome_t.groupby("segment")["value"] if "segment" in outcome_t.columns
                  else [("all", outcome_t["value"])])
        for segment, values in series:
            if len(values) > 1 and values.nunique() == 1:
                rows = tuple(int(i) + 2 for i in np.flatnonzero(outcome_t.index.isin(values.index))[:5])
                problems.append(Problem.of(o_name, "value", expect("agg_constant", series=str(segment), n=len(values),
                                                                   value=f"{float(values.iloc[0]):g}"),
                                           rows, len(values), (f"{float(values.iloc[0]):g}",)))
        overlap = spend_t["date"].between(outcome_t["date"].min(), outcome_t["date"].max())
        if not overlap.any():
            problems.append(Problem.of(s_name, "date", expect("agg_overlap", first=str(outcome_t["date"].min().date()),
                                                              last=str(outcome_t["date"].max().date()))))
    if problems:
        raise TableError(problems)
    return spend_t, outcome_t, channels_t, lifts, o_period


def _spend_outside_outcome(spend: pd.DataFrame, outcome: pd.DataFrame, name: str) -> Message | None:
    """A note when spend rows fall outside the outcome's dates: they have no GMV to be fitted against (spend
    before the first date still carries over into it; the latest spend still sets today's allocation)."""
    first, last = outcome["date"].min(), outcome["date"].max()
    sides = [spend.loc[rows, "date"] for rows in (spend["date"] < first, spend["date"] > last) if rows.any()]
    if not sides:
        return None
    return Message("aggregate.spend_outside", {
        "file": name, "outcome_first": str(first.date()), "outcome_last": str(last.date()),
        "n_rows": sum(len(d) for d in sides), "spans": [f"{d.min().date()}–{d.max().date()}" for d in sides]})


def _into_weeks(spend: pd.DataFrame, first_week: pd.Timestamp) -> pd.DataFrame:
    """Daily spend rows summed into the weeks that start on ``first_week``'s weekday (a missing day is 0;
    counts and platform GMV stay unknown only when every day of the week is)."""
    offset = (spend["date"] - first_week).dt.days
    week = first_week + pd.to_timedelta((offset // 7) * 7, unit="D")
    sums = {c: (c, lambda v: v.sum(min_count=1)) for c in ("clicks", "new_customer_clicks", "platform_gmv")
            if c in spend.columns}
    out = spend.assign(date=week).groupby(["date", "channel", "segment"], as_index=False).agg(
        spend=("spend", "sum"), **sums)
    return out


def _period(table: pd.DataFrame, name: str, *, gaps_allowed: bool) -> tuple[int, list[Problem]]:
    """(1 or 7, problems): days or weeks, every date on one grid; without gaps unless allowed."""
    uniq = pd.DatetimeIndex(sorted(table["date"].unique()))
    if len(uniq) < 2:
        return 1, [Problem.of(name, "date", expect("agg_two_dates"))]
    steps = np.asarray((uniq[1:] - uniq[:-1]).days)
    step = 7 if np.all(steps % 7 == 0) else 1
    if step == 1 and np.median(steps) >= 7:
        return 1, [Problem.of(name, "date", expect("agg_grid", days=int(np.median(steps))))]
    if not gaps_allowed:
        full = pd.date_range(uniq[0], uniq[-1], freq=f"{step}D")
        missing = full[~full.isin(uniq)]
        if len(missing):
            shown = ", ".join(str(d.date()) for d in missing[:5]) + (" …" if len(missing) > 5 else "")
            return step, [Problem.of(name, "date", expect("agg_missing_days" if step == 1 else "agg_missing_weeks",
                                                          first=str(uniq[0].date()), last=str(uniq[-1].date()),
                                                          n=len(missing), shown=shown))]
    return step, []


def _journey_views(touchpoints: Source, conversions: Source, views: JourneyViews | None, lookback_days: int,
                   wanted: tuple[str, ...]):
    """The partial journeys' ``wanted`` views (paths, touch-to-order gaps) by date and product segment: ``views``
    when built already, else the logs opened once (checked: every problem in one :class:`TableError`) and built
    there."""
    from attribution.engines import DuckDBEngine, open_logs

    by = ("date", "product_segment")
    if views is None:
        with open_logs(touchpoints, conversions, engine=DuckDBEngine()) as logs:
            return logs.views(lookback_days=lookback_days, by=by, views=wanted)
    return views.check(lookback_days=lookback_days, by=by, views=wanted)


def journey_carryover(views: JourneyViews, paid: list[str], lookback_days: int,
                      period_days: int) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """(kernels, lags) of the paid channels the journeys know well enough (:func:`response.estimate_lags`'
    ``estimated``): carry-over kernels per period (channel, offset, weight) from the touch-to-order gaps, as
    pipeline mode makes them (:func:`response.lag_kernels`), and their mean lags (channel, lag_mean_days);
    (None, empty) when the journeys know none."""
    from response import estimate_lags, lag_kernels

    lags = estimate_lags(views.gaps, lookback_days=lookback_days, channels=paid)
    lags = lags[lags["estimated"].astype(bool)].reset_index(drop=True)
    if not len(lags):
        return None, lags[["channel", "lag_mean_days"]]
    kernels = lag_kernels(views.gaps, lags, lookback_days=lookback_days, period_days=period_days)
    return kernels, lags[["channel", "lag_mean_days"]]


def journey_prior(touchpoints: Source, conversions: Source, *, paid: list[str], first: pd.Timestamp,
                  last: pd.Timestamp, exclude: pd.DataFrame, period_days: int, lookback_days: int = 30,
                  model: str = "incremental", channels: pd.DataFrame | None = None,
                  views: JourneyViews | None = None) -> pd.DataFrame:
    """channel, segment, value: the attribution model's mean credit per period (days outside
    ``exclude``, between ``first`` and ``last``) for the paid channels that appear in the journeys.
    The logs are opened once: checked (every problem in one :class:`TableError`), then the journeys built
    there once — or read off ``views``, built already."""
    from attribution import credit_by_day
    from attribution.engines import DuckDBEngine, open_logs

    by = ("date", "product_segment")
    if views is None:
        with open_logs(touchpoints, conversions, engine=DuckDBEngine()) as logs:
            views = logs.views(lookback_days=lookback_days, by=by, views=("paths",))
    paths = views.check(lookback_days=lookback_days, by=by, views=("paths",)).paths
    credit = credit_by_day(paths, model, channels=channels)
    credit = credit.assign(date=pd.to_datetime(credit["date"]))
    credit = credit[credit["date"].between(first, last + pd.Timedelta(days=period_days - 1))]
    keep = pd.Series(True, index=credit.index)
    for start, end in zip(pd.to_datetime(exclude["start"]), pd.to_datetime(exclude["end"])):
        keep &= ~credit["date"].between(start, end)
    n_days = max(int(credit.loc[keep, "date"].nunique()), 1)
    mine = credit[keep & credit["channel"].isin(paid)]
    per_day = mine.groupby(["channel", "product_segment"])["value"].sum() / n_days
    out = (per_day * period_days).rename("value").rename_axis(["channel", "segment"]).reset_index()
    return out[out["value"] > 0].reset_index(drop=True)


def shop_events(spend: pd.DataFrame, threshold: float, period_days: int = 1, *,
                beyond_chance: bool = False) -> pd.DataFrame:
    """start, end of each run of periods when the shop moved *every* channel's spend together: the
    median over cells of log spend (each cell against its own median) departs by more than
    ``threshold`` from its rolling median over six weeks. A shop that raises or cuts all budgets at
    once does so for a reason — a campaign the built-in calendar does not know (双12, 品牌日, 三八节),
    a holiday lull (春节停运) — and demand moves on those days too, so they would pass demand off as
    ad effect, as campaign windows would. Needs at least three cells (else none is found).

    ``beyond_chance`` (aggregate mode's default): each cell's move is taken against its own 6-week
    rolling median, and a period is an event when at least half the cells with spend moved beyond
    ``threshold`` the same way and the median of their moves passes both ``threshold`` and
    ``EVENT_Z`` standard errors of a median of n independent moves, ``1.2533 · σ / √n`` (σ = 1.4826 ·
    MAD of all the cells' own moves, n the cells with spend that period), for at least
    ``EVENT_MIN_DAYS`` days in a row. With three cells whose
    spend varies independently by 45 % a day (``tests/cli``'s market) the median of their moves
    crosses 0.3 on a quarter of the days; the guard asks ≈ 1.0 there, and ≈ 0.2 with the 16 cells of
    the independent markets."""
    table = spend.groupby(["date", "channel", "segment"])["spend"].sum().unstack(["channel", "segment"])
    table = table.reindex(pd.date_range(table.index.min(), table.index.max(), freq=f"{period_days}D"))
    if table.shape[1] < 3 or len(table) < 3:
        return pd.DataFrame(columns=["start", "end"])
    logs = np.log(table.where(table > 0))
    half = max(42 // period_days // 2, 1)
    window = {"window": 2 * half + 1, "center": True, "min_periods": half}
    if beyond_chance:
        own = logs - logs.rolling(**window).median()  # each cell's own moves
        values = own.to_numpy()
        values = values[np.isfinite(values)]
        sigma = 1.4826 * float(np.median(np.abs(values - np.median(values)))) if len(values) else 0.0
        n_cells = own.notna().sum(axis=1).to_numpy()
        chance = EVENT_Z * 1.2533 * sigma / np.sqrt(np.maximum(n_cells, 1))
        together = np.maximum((own > threshold).sum(axis=1), (own < -threshold).sum(axis=1)).to_numpy()
        shift = own.median(axis=1).abs().to_numpy()
        flagged = (n_cells >= 3) & (together >= n_cells / 2) & (shift > np.maximum(threshold, chance))
        least = max(-(-EVENT_MIN_DAYS // period_days), 1)
    else:
        common = (logs - logs.median()).median(axis=1)
        shift = common - common.rolling(**window).median()
        flagged = (shift.abs() > threshold).to_numpy()
        least = 1
    rows, start = [], None  # runs of flagged periods, at least `least` long
    for i, on in enumerate(list(flagged) + [False]):
        if on and start is None:
            start = i
        if not on and start is not None:
            if i - start >= least:
                rows.append({"start": table.index[start], "end": table.index[i - 1]})
            start = None
    return pd.DataFrame(rows, columns=["start", "end"])


def pooled_prior(spend: pd.DataFrame, outcome: pd.DataFrame, *, exclude: pd.DataFrame | None = None,
                 controls: pd.DataFrame | None = None, settings: FitSettings = FitSettings()) -> pd.DataFrame | None:
    """channel, segment, value: a prior for every cell at the shop's *pooled* ROI — each cell's
    incremental outcome per period = R × its mean spend per period, with R the ROI of all paid spend
    together (one curve of the summed spend against the summed outcome, fitted as the cells are;
    pooled over segments too: a small segment's own total is often too noisy to say).

    Spend variation of one cell against the total outcome says little about that cell: on the
    independent markets the cells' fitted ROIs scattered 0–30 around true ones of 0.3–3, the plan
    moved budget by that noise (the winner's curse), and draws centred on it called the move safe.
    The sum of all spend is identified far better; as a prior (its weight chosen by empirical Bayes
    like a journey prior's, :attr:`response.FitSettings.prior_relative_sds`) it pulls the cells
    toward one ROI unless their own evidence is strong — a plan then moves budget where the data
    show a difference, not where the noise does. None when the pooled curve is not fitted or is 0."""
    total = outcome.groupby("date", as_index=False)["value"].sum()
    pooled = spend.groupby("date", as_index=False)["spend"].sum().assign(channel="pooled", segment="all")
    try:
        fit = fit_curves(pooled, total, exclude=exclude, controls=controls,
                         settings=dataclasses.replace(settings, n_bootstrap=0))
    except InputError:
        return None  # the cells' own fit names the outcome's problem
    curve = fit.curves.iloc[0]
    if curve["status"] != "fitted" or not curve["current_spend"] > 0:
        return None
    roi = max(float(curve["value_at_current"] / curve["current_spend"]), 0.0)
    mean = spend.groupby(["channel", "segment"])["spend"].sum() / max(total["date"].nunique(), 1)
    rows = [{"channel": c, "segment": s, "value": roi * v} for (c, s), v in mean.items()]
    out = pd.DataFrame(rows, columns=["channel", "segment", "value"])
    out = out[out["value"] > 0].reset_index(drop=True)
    return out if len(out) else None


def channel_pool(curves: pd.DataFrame, spend: pd.DataFrame, shop: pd.DataFrame, n_periods: int) -> pd.DataFrame | None:
    """channel, segment, value, relative_sd, source: the pool's target per cell, from a first fit pooled toward the
    shop's ROI (``curves``, with ``pool_own_relative_se``). A cell whose own level's standard error is
    larger than that of the same channel's cell in another segment takes that cell's fitted ROI × its
    own mean spend per period, with that cell's relative sd (``a_rel_sd``) as the target's uncertainty;
    the others keep the shop's target (``shop``; relative_sd and source None). ``source`` names the cell and
    its ROI. None when no cell changes.

    A channel works alike across a shop's products more often than two channels do: on the independent
    markets a channel's new-product cell returns 0.8–1.2× its existing-product ROI while the channels
    span 0.05–3, and the new-product cells' own data (a tenth of the spend) know 3–10× less than the
    existing ones'. A lift test of one segment's cell so also informs the channel's other segments."""
    c = curves.set_index(["channel", "segment"])
    if "pool_own_relative_se" not in c.columns:
        return None
    own = c["pool_own_relative_se"].astype(float)
    fitted = c["status"].eq("fitted") & c["current_spend"].gt(0) & c["value_at_current"].gt(0)
    mean = spend.groupby(["channel", "segment"])["spend"].sum() / max(n_periods, 1)
    out = _with_segment(shop).assign(relative_sd=np.nan, source=None).set_index(["channel", "segment"])
    changed = False
    for (ch, seg) in out.index:
        if (ch, seg) not in c.index or not np.isfinite(own.get((ch, seg), np.nan)):
            continue
        others = [(ch, s2) for s2 in c.loc[ch].index if s2 != seg and fitted.get((ch, s2), False)
                  and np.isfinite(own.get((ch, s2), np.nan)) and own[(ch, s2)] < own[(ch, seg)]]
        if not others:
            continue
        best = min(others, key=lambda key: own[key])
        roi = float(c.at[best, "value_at_current"] / c.at[best, "current_spend"])
        out.at[(ch, seg), "value"] = roi * float(mean.get((ch, seg), 0.0))
        out.at[(ch, seg), "relative_sd"] = float(c.at[best, "a_rel_sd"]) if np.isfinite(c.at[best, "a_rel_sd"]) else 0.0
        out.at[(ch, seg), "source"] = f"{best[0]}/{best[1]} {roi:.2f}"
        changed = True
    out = out.reset_index()
    out = out[out["value"] > 0].reset_index(drop=True)
    return out if changed and len(out) else None


def _pool_note(curves: pd.DataFrame, spend: pd.DataFrame, shop: pd.DataFrame, target: pd.DataFrame,
               fit_settings: FitSettings) -> Message:
    """Which cells the pool held (relative sd at the shop's one weight r₀, a value of the grid: within
    chance of the pool) and which kept their own (any other sd: the part beyond chance); ``shop`` the
    shop's target (its ROI is named), ``target`` the one used (a target's own ``relative_sd`` taken out)."""
    sd = curves.set_index(["channel", "segment"])["pool_relative_sd"].dropna()
    if "relative_sd" in target.columns:
        extra = target.set_index(["channel", "segment"])["relative_sd"].reindex(sd.index).fillna(0.0)
        sd = np.sqrt(np.maximum(sd**2 - extra**2, 0.0))

    def at_weight(v: float) -> bool:
        return any(abs(v - g) <= 1e-9 * g for g in fit_settings.prior_relative_sds)

    held = [f"{c}/{s}" for (c, s), v in sd.items() if at_weight(v)]
    apart = [f"{c}/{s}" for (c, s), v in sd.items() if not at_weight(v)]
    mean = spend.groupby(["channel", "segment"])["spend"].sum()
    roi = float(shop["value"].sum() / mean.loc[list(zip(shop["channel"], shop["segment"]))].sum()
                * spend["date"].nunique()) if len(shop) else float("nan")
    return Message("aggregate.pool", {"pooled_roi": roi, "held": held or ["–"], "apart": apart or ["–"]})


def _first_prior(*tables: pd.DataFrame | None) -> pd.DataFrame | None:
    """The priors given, the first table's value kept for a cell that several name; None without any."""
    given = [_with_segment(t) for t in tables if t is not None]
    if not given:
        return None
    return pd.concat(given, ignore_index=True).drop_duplicates(["channel", "segment"], keep="first")


def _current(spend: pd.DataFrame, window_days: int | None, period_days: int) -> pd.DataFrame:
    """Mean spend per period and cell over the history or its last ``window_days``."""
    frame = spend
    if window_days is not None:
        frame = frame[frame["date"] > frame["date"].max() - pd.Timedelta(days=window_days)]
    first, last = frame["date"].min(), frame["date"].max()
    n_periods = (last - first).days // period_days + 1
    total = frame.groupby(["channel", "segment"])["spend"].sum() / max(n_periods, 1)
    return total.rename("current_spend").reset_index()


def _with_segment(table: pd.DataFrame) -> pd.DataFrame:
    return table if "segment" in table.columns else table.assign(segment="existing")


# --- outputs ----------------------------------------------------------------------------------------


def _per_day(curves: pd.DataFrame, period_days: int) -> pd.DataFrame:
    """Curves per period → per day: a period's a·g(x/b) is (a/p)·g(x_day/(b/p)); marginal ROI is unchanged."""
    if period_days == 1:
        return curves.copy()
    p = float(period_days)
    out = curves.copy()
    power = out["family"].eq("power")
    # a power curve a·x^s per period is a·p^(s−1)·x_day^s per day; the others scale a and b by 1/p
    factor = np.where(power, p ** (out["s"].fillna(1.0) - 1), 1.0 / p)
    for col in ("a", "a_low", "a_high"):
        if col in out.columns:
            out[col] = out[col] * factor
    out["b"] = np.where(power, out["b"], out["b"] / p)
    for col in ("current_spend", "value_at_current", "prior_value", "pool_value"):
        if col in out.columns:
            out[col] = out[col] / p
    if "current_spend" in out.columns:
        out["current_spend"] = out["current_spend"].round(2)
    return out


def _curves_table(fitted: pd.DataFrame, spend: pd.DataFrame, channels: pd.DataFrame | None,
                  margin: float, period_days: int) -> pd.DataFrame:
    """The optimizer's columns first: cpc and new-customer share from clicks (as pipeline mode:
    :func:`roimix.pipeline.cell_traffic`, NaN when unknown), group and key_platform, margin, and the highest
    daily spend of the history (a week counts 7 days)."""
    from roimix.pipeline import cell_traffic
    from roimix.report.history_range import highest_daily_spend

    out = fitted.merge(cell_traffic(spend), on=["channel", "segment"], how="left")
    out = out.merge(highest_daily_spend(spend, period_days).rename(columns={"highest_cny": "highest_spend"}),
                    on=["channel", "segment"], how="left")
    if channels is not None:
        out = out.merge(channels[["channel", "group", "key_platform"]], on="channel", how="left")
    else:
        out["group"], out["key_platform"] = None, None
    out["margin"] = margin
    first = ["channel", "segment", "family", "a", "b", "s", "current_spend", "cpc", "new_customer_share", "group",
             "key_platform", "margin", "highest_spend"]
    return out[first + [c for c in out.columns if c not in first]]


def _contributions(fit: CurveFit) -> pd.DataFrame:
    """channel, segment, incremental outcome summed over the fitted periods."""
    dec = fit.decomposition
    dec = dec[dec["fitted_period"] & ~dec["component"].isin(["baseline", "actual"])]
    sums = dec.groupby("component")["value"].sum()
    parts = sums.index.str.rsplit("/", n=1)
    return pd.DataFrame({"channel": [p[0] for p in parts], "segment": [p[1] for p in parts],
                         "incremental_cny": sums.to_numpy()})


def _fitted_dates(fit: CurveFit) -> pd.DatetimeIndex:
    dec = fit.decomposition
    actual = dec[(dec["component"] == "actual") & dec["fitted_period"]]
    return pd.DatetimeIndex(pd.to_datetime(actual["date"]).unique())


def _lift_channels(lifts: pd.DataFrame | None, fit: CurveFit) -> set[str]:
    if lifts is None or not len(lifts):
        return set()
    fitted = set(fit.curves.loc[fit.curves["status"] == "fitted", "channel"])
    return set(lifts["channel"].astype(str)) & fitted


def _platform_table(spend: pd.DataFrame, fit: CurveFit, lifts, period_days: int) -> pd.DataFrame:
    """Platform ROAS vs incremental ROAS per channel over the fitted periods where the platform reported."""
    dates = _fitted_dates(fit)
    rows = spend[spend["date"].isin(dates) & spend["platform_gmv"].notna()]
    contrib = _contributions(fit)
    by_cell = contrib.set_index(["channel", "segment"])["incremental_cny"].to_dict()
    dec = fit.decomposition
    dec = dec[dec["fitted_period"] & ~dec["component"].isin(["baseline", "actual"])].copy()
    dec["channel"] = dec["component"].str.rsplit("/", n=1).str[0]
    dec["date"] = pd.to_datetime(dec["date"])
    tested = _lift_channels(lifts, fit)
    level = fit.curves.assign(lo=fit.curves["a_low"] / fit.curves["a"], hi=fit.curves["a_high"] / fit.curves["a"])
    out = []
    for channel, frame in rows.groupby("channel"):
        reported = set(frame["date"])
        spend_cny = float(frame["spend"].sum())
        platform = float(frame["platform_gmv"].sum())
        mine = dec[(dec["channel"] == channel) & dec["date"].isin(reported)]
        incremental = float(mine["value"].sum())
        cells = level[level["channel"] == channel]
        weights = np.array([by_cell.get((channel, seg), 0.0) for seg in cells["segment"]])  # an unfit cell has none
        lo = float(np.average(cells["lo"].fillna(1), weights=weights)) if weights.sum() > 0 else 1.0
        hi = float(np.average(cells["hi"].fillna(1), weights=weights)) if weights.sum() > 0 else 1.0
        inc_roas = incremental / spend_cny if spend_cny > 0 else np.nan
        plat_roas = platform / spend_cny if spend_cny > 0 else np.nan
        defl = incremental / platform if platform > 0 else np.nan
        out.append({"channel": channel, "spend_cny": spend_cny, "platform_gmv_cny": platform,
                    "incremental_cny": incremental, "platform_roas": plat_roas, "incremental_roas": inc_roas,
                    "incremental_roas_low": inc_roas * lo, "incremental_roas_high": inc_roas * hi,
                    "deflation": defl, "deflation_low": defl * lo, "deflation_high": defl * hi,
                    "factor_source": "lift_test" if channel in tested else "fit",
                    "n_periods": len(reported)})
    return pd.DataFrame(out)


def _platform_prior(spend: pd.DataFrame, tested: set[str], factor: float, period_days: int) -> pd.DataFrame:
    """Prior level per period (channel, segment, value) = factor × mean platform GMV, for untested channels."""
    rows = spend[~spend["channel"].isin(tested) & spend["platform_gmv"].notna()]
    n = spend["date"].nunique()
    per = rows.groupby(["channel", "segment"])["platform_gmv"].sum() / max(n, 1) * factor
    return per.rename("value").reset_index()


def _evidence(fit: CurveFit, spend: pd.DataFrame, lifts, prior, platform_prior: bool, platform, period_days,
              settings: AggregateSettings) -> pd.DataFrame:
    """Per cell: which evidence set its level, and how much of its spend the calendar explains."""
    tested = _lift_channels(lifts, fit)
    journeys = set() if prior is None else set(zip(_with_segment(prior)["channel"].astype(str),
                                                   _with_segment(prior)["segment"].astype(str)))
    from_platform = set()
    if platform_prior and platform is not None:
        from_platform = set(platform.loc[platform["factor_source"] == "fit", "channel"])
    dates = _fitted_dates(fit)
    timeline = Timeline(pd.DatetimeIndex(sorted(pd.to_datetime(fit.decomposition["date"]).unique())), period_days)
    z, _ = baseline_design(timeline)
    keep = timeline.dates.isin(dates)
    rows = []
    for r in fit.curves.itertuples():
        x = (spend[(spend["channel"] == r.channel) & (spend["segment"] == r.segment)]
             .set_index("date")["spend"].reindex(timeline.dates, fill_value=0.0).to_numpy())[keep]
        zz = z[keep]
        r2 = np.nan
        if len(x) > zz.shape[1] and np.var(x) > 0:
            resid = x - zz @ np.linalg.lstsq(zz, x, rcond=None)[0]
            r2 = float(1 - np.var(resid) / np.var(x))
        if r.status != "fitted":
            kind = r.status
        elif r.channel in tested:
            kind = "lift_test"
        elif (r.channel, r.segment) in journeys:
            kind = "journeys"
        elif r.channel in from_platform:
            kind = "platform_prior"
        else:
            kind = "aggregate"
        flagged = kind == "aggregate" and np.isfinite(r2) and r2 >= settings.calendar_r2_flag
        rows.append({"channel": r.channel, "segment": r.segment, "evidence": kind, "calendar_r2": r2,
                     "likely_confounded": bool(flagged)})
    return pd.DataFrame(rows)


def contribution_shares(result: AggregateResult) -> pd.Series:
    """Each channel's share of the total outcome over the fitted periods (summed over segments)."""
    contrib = _contributions(result.fit).groupby("channel")["incremental_cny"].sum()
    dec = result.fit.decomposition
    total = dec[(dec["component"] == "actual") & dec["fitted_period"]]["value"].sum()
    return contrib / total


def roas(result: AggregateResult) -> pd.Series:
    """Incremental outcome ÷ spend per channel over the fitted periods."""
    contrib = _contributions(result.fit).groupby("channel")["incremental_cny"].sum()
    dates = _fitted_dates(result.fit)
    spent = result.spend[result.spend["date"].isin(dates)].groupby("channel")["spend"].sum()
    return contrib / spent
