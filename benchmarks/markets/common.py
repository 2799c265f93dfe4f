"""The engine the independent markets share: true curves, carry-over, caused orders, tables.

What every market has in common (each market module states its own causal story on top):

* **Cells.** 8 paid channels × 2 product segments (``existing``, ``new``). Cell k's true response is
  ``f_k(A)``, expected incremental GMV per day (yuan), with ``A`` the cell's *carried-over* spend
  ``A_d = Σ_l w_kl · x_k,d−l`` and kernel weights ``w_kl ≥ 0`` that sum to 1. Under steady daily
  spend ``x`` the carried-over spend is ``x`` itself, so ``f_k(x)`` is exactly the expected
  incremental GMV per day at steady spend ``x``: that is the truth written in the curves table.
* **Caused orders.** On day d cell k causes ``N_kd ~ Poisson(f_k(A_kd) / AOV_seg)`` orders, each
  worth ``AOV_seg · LogNormal(−σ²/2, σ)`` (mean AOV_seg). The count is drawn by inverse CDF from a
  random stream of its own (seed, cell, day), and values from that stream too, so two runs that
  differ only in one cell's spend differ only in that cell's orders (common random numbers: the
  counterfactual test measures ``f_k`` with little noise). The exposure that caused an order is
  placed on day ``d − l`` with probability ∝ ``w_kl · x_k,d−l`` (the share of the carry-over it
  came from); journeys (which touches the buyer shows) are market-specific and never change GMV.
* **Baseline orders** (would happen without any ad) come from a stream of their own, with a
  market-specific seasonal demand; their journeys are where harvest channels collect credit.
* **Spend table** clicks ≥ the clicks placed on journeys (the rest go to random users), new-customer
  clicks binomial; the truth's ``current_spend``, ``cpc`` and ``new_customer_share`` are computed
  from the written spend table exactly as ``roimix plan`` computes them (mean over all days,
  Σ spend ÷ Σ clicks, Σ new ÷ Σ clicks).

References for the curve families and carry-over: Jin, Wang, Sun, Chan, Koehler (2017), "Bayesian
methods for media mix modeling with carryover and shape effects" (Hill saturation, delayed
adstock ``w_l ∝ α^((l−θ)²)``); Chan & Perry (2017), "Challenges and opportunities in media mix
modeling" (selection bias from ad targeting and from search, correlated inputs, low variation);
Zhang & Vaver (2017), "Introduction to the Aggregate Marketing System Simulator" (search-query
driven funnels where brand queries are caused by other media).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

SEGMENTS = ("existing", "new")
PER_USERS = 1_000_000
"""Money and counts in the designs are per million users and scaled by ``users / PER_USERS``."""
DAY_S = 86_400
BURN_DAYS = 35
"""Spend before the logged window (its carry-over reaches into the window; its touches are not logged)."""
MARGIN = 0.45
VALUE_SIGMA = 0.45

# --- true curves -------------------------------------------------------------------------------


def unit_shape(family: str, z: np.ndarray, s: float) -> np.ndarray:
    """g(z) with f(x) = a·g(x/b) (power: f = a·x^s, pass z = x)."""
    z = np.maximum(np.asarray(z, dtype=float), 0.0)
    if family == "exp":
        return -np.expm1(-z)
    if family == "mm":
        return z / (1.0 + z)
    if family == "log":
        return np.log1p(z)
    if family == "power":
        return z**s
    if family == "hill":
        return z**s / (1.0 + z**s)
    raise ValueError(f"unknown family {family!r}")


def curve_value(family: str, a: float, b: float, s: float, x: np.ndarray) -> np.ndarray:
    """True expected incremental GMV per day at (carried-over) spend ``x`` yuan per day."""
    x = np.asarray(x, dtype=float)
    if family == "power":
        return a * unit_shape("power", x, s)
    return a * unit_shape(family, x / b, s)


def curve_slope(family: str, a: float, b: float, s: float, x: np.ndarray) -> np.ndarray:
    """d f / d x: the true marginal ROI (GMV per extra yuan) at spend ``x``."""
    x = np.maximum(np.asarray(x, dtype=float), 1e-9)
    if family == "exp":
        return a / b * np.exp(-x / b)
    if family == "mm":
        return a * b / (x + b) ** 2
    if family == "log":
        return a / (x + b)
    if family == "power":
        return a * s * x ** (s - 1)
    if family == "hill":
        z = x / b
        return a / b * s * z ** (s - 1) / (1 + z**s) ** 2
    raise ValueError(f"unknown family {family!r}")


# --- carry-over kernels ------------------------------------------------------------------------


def geometric_kernel(half_life_days: float, length: int = 21) -> tuple[float, ...]:
    w = 0.5 ** (np.arange(length) / half_life_days)
    return tuple(w / w.sum())


def delayed_kernel(peak_day: float, decay: float, length: int = 21) -> tuple[float, ...]:
    """Jin et al. (2017) delayed adstock: w_l ∝ decay^((l − peak_day)²)."""
    w = decay ** ((np.arange(length) - peak_day) ** 2)
    return tuple(w / w.sum())


def gamma_kernel(shape: float, scale_days: float, length: int = 28) -> tuple[float, ...]:
    """w_l ∝ (l + 1)^(shape − 1) · exp(−l / scale): a hump days after the exposure (word of mouth)."""
    ell = np.arange(length, dtype=float)
    w = (ell + 1) ** (shape - 1) * np.exp(-ell / scale_days)
    return tuple(w / w.sum())


# --- designs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    channel: str
    label_zh: str
    group: str
    key_platform: bool
    cpc_cny: float
    new_customer_click_share: float
    new_customer_order_share: float
    """Chance that an order this channel caused comes from a new customer."""


@dataclass(frozen=True)
class CellDesign:
    """One cell's truth. ``spend_cny`` and ``b_cny`` per million users; ``a`` is set so the average
    ROI at ``spend_cny`` is ``roi_at_spend``."""

    channel: str
    segment: str
    family: str
    spend_cny: float
    b_cny: float
    s: float
    roi_at_spend: float
    kernel: tuple[float, ...]

    def params(self, scale: float) -> tuple[float, float, float]:
        """(a, b, s) of the true curve at ``scale`` (users / 10⁶)."""
        x0 = self.spend_cny * scale
        if self.family == "power":
            return self.roi_at_spend * x0 / x0**self.s, float("nan"), self.s
        b = self.b_cny * scale
        return self.roi_at_spend * x0 / float(unit_shape(self.family, x0 / b, self.s)), b, self.s


def design_cells(channels, curves: dict, kernels: dict, new_b_ratio: float) -> tuple[CellDesign, ...]:
    """Both segments of every channel: ``curves[channel]`` = (family, spend, b, s, roi, new_ratio, new_roi);
    the new-product cell spends ``new_ratio`` × as much, saturates at ``new_ratio × new_b_ratio`` × b and
    returns ``new_roi`` × the ROI."""
    out = []
    for ch in channels:
        fam, x0, b, s, roi, new_ratio, new_roi = curves[ch.channel]
        for seg in SEGMENTS:
            new = seg == "new"
            out.append(CellDesign(ch.channel, seg, fam, x0 * (new_ratio if new else 1.0),
                                  b * (new_ratio * new_b_ratio if new else 1.0), s, roi * (new_roi if new else 1.0),
                                  kernels[ch.channel]))
    return tuple(out)


@dataclass(frozen=True)
class Phase:
    campaign: str
    phase: str
    label_zh: str
    start: date
    end: date
    demand: float
    """baseline demand multiplier"""
    spend: float
    """how the shop scales its spend"""


@dataclass(frozen=True)
class MarketDesign:
    name: str
    start: date
    channels: tuple[Channel, ...]
    organic: tuple[tuple[str, str], ...]
    """(channel, label_zh) of organic channels (touches only, no spend)"""
    cells: tuple[CellDesign, ...]
    calendar: tuple[Phase, ...]
    baseline_orders: float
    """would-have-bought-anyway orders per day per million users on a regular weekday"""
    baseline_new_product_share: float
    baseline_new_customer_share: float
    aov_cny: tuple[float, float]
    """(existing, new)"""
    n_days: int = 150
    weekend_demand: float = 1.1
    trend_per_day: float = 0.0
    story: str = ""

    @property
    def paid(self) -> list[str]:
        return [c.channel for c in self.channels]

    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels if c.channel == name)

    def cell_index(self, channel: str, segment: str) -> int:
        return next(i for i, c in enumerate(self.cells) if c.channel == channel and c.segment == segment)


@dataclass
class Market:
    """A simulated market: the input tables roimix reads, and the truth beside them."""

    design: MarketDesign
    users: int
    seed: int
    touchpoints: pd.DataFrame
    conversions: pd.DataFrame
    spend: pd.DataFrame
    channels: pd.DataFrame
    outcome: pd.DataFrame
    truth: pd.DataFrame
    """curves-table contract + carry_mean_days, roi_at_current, marginal_roi_at_current"""
    daily: pd.DataFrame
    """date, channel, segment, spend, carried_spend, expected_value (truth per day, before noise)"""
    causes: pd.DataFrame
    """order_id, cause (a channel, or baseline), segment"""
    spend_array: np.ndarray = field(repr=False, default=None)
    """(cells, burn + days): the spend the orders were simulated from (burn-in included)"""

    def files(self, folder: str | Path) -> dict[str, Path]:
        """Write the inputs (Parquet logs, CSV tables) and the truth; return the paths."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "touchpoints": out / "touchpoints.parquet", "conversions": out / "conversions.parquet",
            "spend": out / "spend.csv", "channels": out / "channels.csv", "outcome": out / "outcome.csv",
            "truth": out / "truth_curves.csv",
        }
        self.touchpoints.to_parquet(paths["touchpoints"], index=False)
        self.conversions.to_parquet(paths["conversions"], index=False)
        self.spend.to_csv(paths["spend"], index=False)
        self.channels.to_csv(paths["channels"], index=False)
        self.outcome.to_csv(paths["outcome"], index=False)
        self.truth.to_csv(paths["truth"], index=False)
        return paths

    def platform_spend(self, window_days: int | None = None) -> pd.DataFrame:
        """The spend table with each platform's own report beside it (:func:`platform_gmv`; default window
        :data:`PLATFORM_WINDOW_DAYS`)."""
        return platform_gmv(self.spend, self.touchpoints, self.conversions, window_days or PLATFORM_WINDOW_DAYS)

    def touched_value(self) -> pd.Series:
        """GMV per day of orders whose journey (30 days back) touched each channel — what 'touched
        revenue' reports show, for the stated causal features."""
        tp = self.touchpoints[["user_id", "timestamp", "channel"]]
        cv = self.conversions[["user_id", "timestamp", "value", "order_id"]]
        m = cv.merge(tp, on="user_id", suffixes=("_o", "_t"))
        gap = (m["timestamp_o"] - m["timestamp_t"]).dt.total_seconds()
        m = m[(gap >= 0) & (gap <= 30 * DAY_S)].drop_duplicates(["order_id", "channel"])
        return m.groupby("channel", observed=True)["value"].sum() / self.design.n_days


PLATFORM_WINDOW_DAYS = 15
"""A platform's attribution window: it claims an order whose buyer clicked its ads in the days before (Alimama's
万相台 and 直通车 report 15-day click-through GMV; 巨量千川 and others offer 7–30 days)."""


def platform_gmv(spend: pd.DataFrame, touchpoints: pd.DataFrame, conversions: pd.DataFrame,
                 window_days: int = PLATFORM_WINDOW_DAYS) -> pd.DataFrame:
    """``spend`` with ``platform_gmv``: per day, paid channel and product segment, the GMV of the orders placed that
    day (in that segment) whose buyer *clicked* the channel in the ``window_days`` before the order — each
    platform's own report (平台投产 × spend). Every platform claims such an order in full, so the reports add up to
    more than the shop's GMV; impressions, touches after the order and channels without spend claim nothing.
    Computed with DuckDB (tens of millions of touches)."""
    import duckdb

    paid = pd.DataFrame({"channel": sorted(spend["channel"].astype(str).unique())})
    con = duckdb.connect()
    try:
        con.register("touches", touchpoints[["user_id", "timestamp", "channel", "interaction"]])
        con.register("orders", conversions[["user_id", "timestamp", "value", "order_id", "product_segment"]])
        con.register("paid", paid)
        claims = con.execute(f"""
            with claimed as (
                select distinct o.order_id, t.channel::varchar as channel
                from orders o join touches t on t.user_id = o.user_id
                where t.interaction::varchar = 'click' and t.timestamp <= o.timestamp
                  and t.timestamp > o.timestamp - interval {int(window_days)} day
                  and t.channel::varchar in (select channel from paid))
            select strftime(o.timestamp::date, '%Y-%m-%d') as date, c.channel, o.product_segment::varchar as segment,
                   sum(o.value) as platform_gmv
            from claimed c join orders o using (order_id)
            group by all""").df()
    finally:
        con.close()
    keyed = spend.assign(date=pd.to_datetime(spend["date"]).dt.strftime("%Y-%m-%d"))
    out = keyed.merge(claims, on=["date", "channel", "segment"], how="left")
    assert len(out) == len(spend), "spend has one row per date, channel and segment"
    out["platform_gmv"] = out["platform_gmv"].fillna(0.0).round(2)
    return out.assign(date=spend["date"].to_numpy())


# --- random streams ----------------------------------------------------------------------------


def stream(seed: int, *keys: int) -> np.random.Generator:
    """A random stream of its own for (seed, keys): what one component draws never shifts another's."""
    return np.random.default_rng([seed, *keys])


STREAM_CAUSED, STREAM_BASELINE, STREAM_JOURNEYS, STREAM_SPEND = 11, 12, 13, 14


# --- the simulation steps ----------------------------------------------------------------------


def calendar_days(design: MarketDesign) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(design.start) - pd.Timedelta(days=BURN_DAYS), periods=BURN_DAYS + design.n_days,
                         freq="D")


def phase_multiplier(design: MarketDesign, days: pd.DatetimeIndex, attr: str) -> np.ndarray:
    out = np.ones(len(days))
    d = days.date
    for ph in design.calendar:
        out[(d >= ph.start) & (d <= ph.end)] = getattr(ph, attr)
    return out


def in_campaign(design: MarketDesign, days: pd.DatetimeIndex) -> np.ndarray:
    out = np.zeros(len(days), dtype=bool)
    d = days.date
    for ph in design.calendar:
        out |= (d >= ph.start) & (d <= ph.end)
    return out


def carried(spend: np.ndarray, kernels: list[tuple[float, ...]]) -> np.ndarray:
    """A_kd = Σ_l w_kl x_k,d−l (spend before the first day counts as 0)."""
    out = np.zeros_like(spend)
    for k, w in enumerate(kernels):
        out[k] = np.convolve(spend[k], np.asarray(w))[: spend.shape[1]]
    return out


def caused_orders(design: MarketDesign, seed: int, scale: float, spend: np.ndarray) -> dict[str, np.ndarray]:
    """Orders caused per (cell, logged day), common random numbers per (cell, day); with the day
    the causing exposure happened (index into the full burn-in + window timeline)."""
    kernels = [c.kernel for c in design.cells]
    a_carried = carried(spend, kernels)
    aov = np.array([design.aov_cny[SEGMENTS.index(c.segment)] for c in design.cells])
    lam = np.zeros_like(spend)
    for k, c in enumerate(design.cells):
        a, b, s = c.params(scale)
        lam[k] = curve_value(c.family, a, b, s, a_carried[k]) / aov[k]
    n_cells, n_all = spend.shape
    cells, days, values = [], [], []
    gens = {}
    u = np.empty((n_cells, design.n_days))
    for k in range(n_cells):
        for d in range(design.n_days):
            g = stream(seed, STREAM_CAUSED, k, d)
            gens[k, d] = g
            u[k, d] = g.random()
    counts = stats.poisson.ppf(u, lam[:, BURN_DAYS:]).astype(np.int64)
    for k, d in zip(*np.nonzero(counts)):
        n = counts[k, d]
        v = aov[k] * gens[k, d].lognormal(-VALUE_SIGMA**2 / 2, VALUE_SIGMA, n)
        cells.append(np.full(n, k))
        days.append(np.full(n, d + BURN_DAYS))
        values.append(v)
    cell = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    day = np.concatenate(days) if days else np.zeros(0, np.int64)
    value = np.round(np.concatenate(values), 2) if values else np.zeros(0)
    # the exposure day: d − l with probability ∝ w_l · x_{d−l}
    rng = stream(seed, STREAM_JOURNEYS, 1)
    exposure = np.empty_like(day)
    for k in np.unique(cell):
        m = cell == k
        w = np.asarray(kernels[k])
        lags = np.arange(len(w))
        src = day[m][:, None] - lags[None, :]
        contrib = np.where(src >= 0, w[None, :] * spend[k, np.clip(src, 0, None)], 0.0)
        cum = np.cumsum(contrib, axis=1)
        pick = (cum < rng.random(m.sum())[:, None] * cum[:, -1:]).sum(axis=1)
        exposure[m] = day[m] - np.minimum(pick, len(w) - 1)
    return {"cell": cell, "day": day, "value": value, "exposure_day": exposure, "lam": lam, "carried": a_carried}


def baseline_orders(design: MarketDesign, seed: int, scale: float, days: pd.DatetimeIndex,
                    demand: np.ndarray) -> dict[str, np.ndarray]:
    """Would-have-bought-anyway orders on the logged days: Poisson(demand_d · baseline) per segment."""
    rng = stream(seed, STREAM_BASELINE)
    out_day, out_seg, out_val = [], [], []
    share = (1 - design.baseline_new_product_share, design.baseline_new_product_share)
    for j in range(2):
        mu = design.baseline_orders * scale * share[j] * demand[BURN_DAYS:]
        n = rng.poisson(mu)
        d = np.repeat(np.arange(design.n_days), n) + BURN_DAYS
        out_day.append(d)
        out_seg.append(np.full(len(d), j))
        out_val.append(np.round(design.aov_cny[j] * rng.lognormal(-VALUE_SIGMA**2 / 2, VALUE_SIGMA, len(d)), 2))
    return {"day": np.concatenate(out_day), "segment": np.concatenate(out_seg), "value": np.concatenate(out_val)}


def baseline_demand(design: MarketDesign, days: pd.DatetimeIndex) -> np.ndarray:
    """Baseline demand multiplier per day: calendar phases × weekend × trend (mean-1 week shape)."""
    weekend = days.day_of_week.to_numpy() >= 5
    dow = np.where(weekend, design.weekend_demand, 1.0)
    trend = 1 + design.trend_per_day * (np.arange(len(days)) - BURN_DAYS)
    return phase_multiplier(design, days, "demand") * dow * trend


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, evening-heavy."""
    return (np.clip(rng.normal(15.5, 4.5, n), 0.2, 23.9) * 3600).astype(np.int64)


class Touches:
    """Touch arrays (user, time s, channel index, interaction 0 click / 1 impression, segment index)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.index = {n: i for i, n in enumerate(names)}
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, users, times, channel: str | np.ndarray, *, impression=False, segments=None) -> None:
        users = np.asarray(users, dtype=np.int64)
        n = len(users)
        ch = np.full(n, self.index[channel]) if isinstance(channel, str) else np.asarray(channel, dtype=np.int64)
        seg = np.zeros(n, np.int64) if segments is None else np.asarray(segments, dtype=np.int64)
        self.parts.append((users, np.asarray(times, dtype=np.int64), ch, np.full(n, int(impression)), seg))

    def arrays(self):
        if not self.parts:
            return [np.zeros(0, np.int64)] * 5
        return [np.concatenate([p[i] for p in self.parts]) for i in range(5)]

    def placed_clicks(self, paid: list[str], t0: int, n_days: int) -> np.ndarray:
        """Clicks on journeys per (paid channel, segment, logged day)."""
        users, times, ch, imp, seg = self.arrays()
        to_paid = np.full(len(self.names), -1)
        for i, c in enumerate(paid):
            to_paid[self.index[c]] = i
        p = to_paid[ch]
        ok = (p >= 0) & (imp == 0) & (times >= t0) & (times < t0 + n_days * DAY_S)
        d = (times[ok] - t0) // DAY_S
        flat = (p[ok] * 2 + seg[ok]) * n_days + d
        return np.bincount(flat, minlength=len(paid) * 2 * n_days).reshape(len(paid), 2, n_days)


def closing_touch(touches: Touches, rng, users, order_t, channel, mask) -> None:
    """A touch 1–30 minutes before the order (the buyer arriving to pay)."""
    n = int(mask.sum())
    touches.add(users[mask], order_t[mask] - rng.integers(60, 1800, n), channel)


def split(rng, n: int, shares: dict[str, float]) -> dict[str, np.ndarray]:
    """Assign each of n items to one key with the given probabilities (the rest to no key)."""
    u = rng.random(n)
    out, lo = {}, 0.0
    for key, p in shares.items():
        out[key] = (u >= lo) & (u < lo + p)
        lo += p
    return out


def assemble(design: MarketDesign, users: int, seed: int, spend: np.ndarray, days: pd.DatetimeIndex,
             caused: dict, base: dict, touches: Touches, caused_users: np.ndarray, caused_t: np.ndarray,
             base_users: np.ndarray, base_t: np.ndarray, impressions_per_cny: dict[str, float] | None = None
             ) -> Market:
    """The tables: background clicks fill each cell's bought clicks, orders, spend, outcome, truth."""
    scale = users / PER_USERS
    rng = stream(seed, STREAM_JOURNEYS, 99)
    t0 = int(pd.Timestamp(design.start).timestamp())
    n = design.n_days
    paid = design.paid
    logged = spend[:, BURN_DAYS:]
    by_cell = logged.reshape(len(paid), 2, n)  # cells are laid out channel-major, segments in SEGMENTS order
    cpc = np.array([design.channel(c).cpc_cny for c in paid])
    used = touches.placed_clicks(paid, t0, n)
    bought = rng.poisson(by_cell / cpc[:, None, None])
    clicks = np.maximum(bought, used)
    bg = clicks - used
    gi, gj, gd = np.nonzero(bg)
    reps = bg[gi, gj, gd]
    gi, gj, gd = (np.repeat(v, reps) for v in (gi, gj, gd))
    touches.add(rng.integers(0, users, len(gi)), t0 + gd * DAY_S + time_of_day(rng, len(gi)),
                np.array([touches.index[c] for c in paid])[gi], segments=gj)
    for name, per_cny in (impressions_per_cny or {}).items():  # impressions bought, shown to random users
        i = paid.index(name)
        m = rng.poisson(by_cell[i].sum(axis=0) * per_cny)
        d = np.repeat(np.arange(n), m)
        touches.add(rng.integers(0, users, len(d)), t0 + d * DAY_S + time_of_day(rng, len(d)), name, impression=True)
    share = np.array([design.channel(c).new_customer_click_share for c in paid])[:, None, None]
    new_clicks = rng.binomial(clicks, np.broadcast_to(share, clicks.shape))

    # touchpoints
    u, t, ch, imp, _ = touches.arrays()
    ok = (t >= t0) & (t < t0 + n * DAY_S)
    u, t, ch, imp = u[ok], t[ok], ch[ok], imp[ok]
    order = np.lexsort((u, t))
    touchpoints = pd.DataFrame({
        "user_id": u[order], "timestamp": t[order].astype("datetime64[s]"),
        "channel": pd.Categorical.from_codes(ch[order], categories=touches.names),
        "interaction": pd.Categorical.from_codes(imp[order].astype(np.int8), categories=["click", "impression"]),
    })

    # conversions
    n_caused = len(caused["cell"])
    cause_names = np.array([c.channel for c in design.cells] + ["baseline"])
    seg_caused = np.array([SEGMENTS.index(c.segment) for c in design.cells])[caused["cell"]] if n_caused else \
        np.zeros(0, np.int64)
    p_new_caused = np.array([design.channel(c.channel).new_customer_order_share for c in design.cells])
    cv_users = np.concatenate([caused_users, base_users])
    cv_t = np.concatenate([caused_t, base_t])
    cv_seg = np.concatenate([seg_caused, base["segment"]])
    cv_val = np.concatenate([caused["value"], base["value"]])
    cv_cause = np.concatenate([caused["cell"], np.full(len(base["day"]), len(design.cells))])
    p_new = np.concatenate([p_new_caused[caused["cell"]] if n_caused else np.zeros(0),
                            np.full(len(base["day"]), design.baseline_new_customer_share)])
    order = np.lexsort((cv_users, cv_t))
    cv_users, cv_t, cv_seg, cv_val, cv_cause, p_new = (x[order] for x in (cv_users, cv_t, cv_seg, cv_val, cv_cause,
                                                                         p_new))
    order_id = np.char.add("o", np.char.zfill(np.arange(1, len(cv_t) + 1).astype(str), 9))
    conversions = pd.DataFrame({
        "user_id": cv_users, "timestamp": cv_t.astype("datetime64[s]"), "value": cv_val, "order_id": order_id,
        "is_new_customer": rng.random(len(cv_t)) < p_new, "product_segment": np.array(SEGMENTS)[cv_seg],
    })
    causes = pd.DataFrame({"order_id": order_id, "cause": cause_names[cv_cause],
                           "segment": np.array(SEGMENTS)[cv_seg]})

    logged_days = days[BURN_DAYS:]
    i, j, d = np.meshgrid(np.arange(len(paid)), np.arange(2), np.arange(n), indexing="ij")
    spend_table = pd.DataFrame({
        "date": logged_days[d.ravel()].strftime("%Y-%m-%d"),
        "channel": np.array(paid)[i.ravel()], "segment": np.array(SEGMENTS)[j.ravel()],
        "spend": np.round(by_cell.ravel(), 2), "clicks": clicks.ravel(), "new_customer_clicks": new_clicks.ravel(),
    }).sort_values(["date", "channel", "segment"], ignore_index=True)

    outcome = (conversions.assign(date=conversions["timestamp"].dt.strftime("%Y-%m-%d"))
               .groupby(["date", "product_segment"], as_index=False)["value"].sum()
               .rename(columns={"product_segment": "segment"}))
    full = pd.MultiIndex.from_product([logged_days.strftime("%Y-%m-%d"), SEGMENTS], names=["date", "segment"])
    outcome = outcome.set_index(["date", "segment"]).reindex(full, fill_value=0.0).reset_index()
    outcome["value"] = outcome["value"].round(2)

    channels = pd.DataFrame({
        "channel": paid + [o for o, _ in design.organic],
        "group": [design.channel(c).group for c in paid] + ["organic"] * len(design.organic),
        "key_platform": [design.channel(c).key_platform for c in paid] + [False] * len(design.organic),
        "label_zh": [design.channel(c).label_zh for c in paid] + [z for _, z in design.organic],
    })
    truth = truth_table(design, scale, spend_table)
    expected = caused["lam"][:, BURN_DAYS:] * np.array(
        [design.aov_cny[SEGMENTS.index(c.segment)] for c in design.cells])[:, None]
    k, dd = np.meshgrid(np.arange(len(design.cells)), np.arange(n), indexing="ij")
    daily = pd.DataFrame({
        "date": logged_days[dd.ravel()].strftime("%Y-%m-%d"),
        "channel": np.array([c.channel for c in design.cells])[k.ravel()],
        "segment": np.array([c.segment for c in design.cells])[k.ravel()],
        "spend": logged.ravel(), "carried_spend": caused["carried"][:, BURN_DAYS:].ravel(),
        "expected_value": expected.ravel(),
    })
    return Market(design, users, seed, touchpoints, conversions, spend_table, channels, outcome, truth, daily, causes,
                  spend)


def truth_table(design: MarketDesign, scale: float, spend_table: pd.DataFrame) -> pd.DataFrame:
    """The true curves in the optimizer's curves-table contract, current spend etc. as roimix computes them."""
    n_days = spend_table["date"].nunique()
    st = spend_table.groupby(["channel", "segment"]).agg(spend=("spend", "sum"), clicks=("clicks", "sum"),
                                                         new=("new_customer_clicks", "sum"))
    rows = []
    for c in design.cells:
        a, b, s = c.params(scale)
        r = st.loc[(c.channel, c.segment)]
        current = float(r["spend"]) / n_days
        ch = design.channel(c.channel)
        w = np.asarray(c.kernel)
        rows.append({
            "channel": c.channel, "segment": c.segment, "family": c.family, "a": a,
            "b": b if c.family != "power" else np.nan, "s": s if c.family in ("power", "hill") else np.nan,
            "current_spend": current, "cpc": float(r["spend"]) / float(r["clicks"]),
            "new_customer_share": float(r["new"]) / float(r["clicks"]), "group": ch.group,
            "key_platform": ch.key_platform, "margin": MARGIN,
            "carry_mean_days": float((np.arange(len(w)) * w).sum()),
            "roi_at_current": float(curve_value(c.family, a, b, s, current)) / current,
            "marginal_roi_at_current": float(curve_slope(c.family, a, b, s, current)),
        })
    return pd.DataFrame(rows)


def true_value(truth: pd.DataFrame, spend: np.ndarray) -> np.ndarray:
    """f_k(spend_k) per row of ``truth``."""
    return np.array([float(curve_value(r.family, r.a, r.b, r.s, x)) for r, x in zip(truth.itertuples(), spend)])


def spend_noise(rng, n: int, sd: float, rho: float) -> np.ndarray:
    """Mean-one AR(1) log-noise."""
    eps = rng.normal(0, sd * np.sqrt(1 - rho**2), n)
    out = np.zeros(n)
    for k in range(n):
        out[k] = (rho * out[k - 1] if k else 0.0) + eps[k]
    return np.exp(out - sd**2 / 2)


def lift_test_effect(cell: CellDesign, scale: float, spend_cny: float, days: int = 14,
                     readout: tuple[int, int] | None = None) -> float:
    """What a holdout test measures: mean incremental GMV per day of spending ``spend_cny`` per day for ``days``
    days from a standing start (no spend before), carry-over included, over the readout days ``readout = (first,
    stop)`` counted from the test's first day (default: its own days, ``(0, days)``). Readout days after ``days``
    measure what carries over once the spend stopped: the carried spend there is what the kernel still holds of
    the ``days`` days of spend."""
    a, b, s = cell.params(scale)
    w = np.asarray(cell.kernel)
    first, stop = (0, days) if readout is None else readout
    horizon = max(stop, days)
    spent = np.zeros(horizon)
    spent[:days] = spend_cny
    carried_spend = carried(spent[None, :], [w])[0]
    return float(np.mean(curve_value(cell.family, a, b, s, carried_spend[first:stop])))
