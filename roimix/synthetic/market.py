"""A simulated e-commerce market whose causal truth is known, vectorised with numpy.

The generating model (every number comes from :class:`MarketSpec`):

* Spend per (day, channel, segment) varies day to day: an AR(1) log-noise, weekly pattern, KOL
  live days, a few budget "flights" (weeks at 30 % or 180 %), and the 618 campaign ramp.
* **Incremental orders.** Spend ``x`` on day d in cell (c, s) causes Poisson(m_d · f_cs(x) / AOV_s)
  orders with ``f_cs(x) = a_cs·(1 − exp(−x/b_cs))`` (GMV per day), ``m_d`` the phase × weekend
  response multiplier. Each caused order has its causal click on day d and converts after an
  exponential lag (mean ``lag_mean_days``); it often closes through brand search (content, KOL) or
  direct, and may be retargeted in between — touches that are consequences, not causes.
* **Baseline orders** (would happen without ads) follow seasonal demand that rises in the
  campaign. Their buyers show intent first (an organic visit), are retargeted by harvest channels
  (wxt, ztc) and close through brand search or direct. As many non-buying visitors get the same
  retargeting, so retargeting is touched by buyers without causing them.
* **Background clicks**: every paid click not used above goes to a random user.

The truth: each order's cause (baseline or a channel and segment), each channel's realised
incremental orders and GMV, and its true response curve in the optimizer's curves-table format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .spec import ChannelSpec, MarketSpec

SEGMENTS = ("existing", "new")
_DAY = 86_400


@dataclass(frozen=True)
class Truth:
    """What generated the data. ``curves`` follows the optimizer's curves-table contract."""

    channels: pd.DataFrame
    """channel, group, incremental_conversions, incremental_value, share_conversions, share_value"""
    curves: pd.DataFrame
    causes: pd.DataFrame
    """order_id, cause (a channel or ``baseline``), cause_segment"""
    daily: pd.DataFrame
    """date, channel, segment, spend, response_multiplier, expected_value (f(spend)·m, before lag)"""
    calendar: pd.DataFrame
    """phase, label_zh, start, end, spend/response/baseline multipliers"""
    baseline_conversions: int
    baseline_value: float
    expected_baseline: pd.DataFrame
    """date, expected_baseline_value: the would-have-bought-anyway GMV each day, in expectation"""


@dataclass(frozen=True)
class Market:
    spec: MarketSpec
    touchpoints: pd.DataFrame
    conversions: pd.DataFrame
    spend: pd.DataFrame
    channels: pd.DataFrame
    truth: Truth


def curve_params(spec: MarketSpec, ch: ChannelSpec, segment: str) -> tuple[float, float, float]:
    """(a, b, typical spend) of the true curve ``a·(1 − exp(−x/b))`` for one cell, scaled to the market."""
    new = segment == "new"
    x0 = ch.spend_cny_per_day * spec.scale * (ch.new_spend_ratio if new else 1.0)
    b = ch.saturation_cny_per_day * spec.scale * (ch.new_saturation_ratio if new else 1.0)
    roi = ch.roi_at_spend * (ch.new_roi_factor if new else 1.0)
    a = roi * x0 / (1.0 - np.exp(-x0 / b))
    return a, b, x0


def generate_market(spec: MarketSpec = MarketSpec()) -> Market:
    """Simulate the market described by ``spec`` (deterministic for a given spec)."""
    rng = np.random.default_rng(spec.seed)
    burn = spec.burn_in_days
    all_days = pd.date_range(pd.Timestamp(spec.start) - pd.Timedelta(days=burn), periods=burn + spec.n_days, freq="D")
    days = all_days[burn:]
    t0 = int(pd.Timestamp(spec.start).timestamp())
    t_end = t0 + spec.n_days * _DAY
    all_phase = _phase_per_day(spec, all_days)
    phase = all_phase[burn:]
    weekend = days.day_of_week.to_numpy() >= 5

    paid = [c for c in spec.channels if c.has_spend]
    ch_index = {c.channel: i for i, c in enumerate(spec.channels)}
    # spend runs before the window too (the shop did not open on day one); only the window is logged
    all_spend = _spend(spec, paid, all_days, all_phase, rng)  # (n_paid, 2, burn + n_days)
    spend = all_spend[:, :, burn:]

    all_weekend = all_days.day_of_week.to_numpy() >= 5
    all_resp = _multiplier(spec, all_phase, "response_multiplier") * np.where(
        all_weekend, spec.weekend_response_multiplier, 1.0) / _weekly_mean(spec.weekend_response_multiplier)
    resp_mult = all_resp[burn:]
    touches = _Touches()

    # --- incremental orders: caused by spend on day d, converting after the channel's lag --------
    a = np.zeros((len(paid), 2))
    b = np.ones((len(paid), 2))
    for i, ch in enumerate(paid):
        for j, seg in enumerate(SEGMENTS):
            a[i, j], b[i, j], _ = curve_params(spec, ch, seg)
    aov = np.array([spec.aov(s) for s in SEGMENTS])
    all_expected = a[:, :, None] * (1 - np.exp(-all_spend / b[:, :, None])) * all_resp[None, None, :]
    expected_value = all_expected[:, :, burn:]
    n_caused = rng.poisson(all_expected / aov[None, :, None])
    cell_i, cell_j, cell_d = np.nonzero(n_caused)
    reps = n_caused[cell_i, cell_j, cell_d]
    ci, cj, cd = (np.repeat(v, reps) for v in (cell_i, cell_j, cell_d))
    touch_t = t0 + (cd - burn) * _DAY + _time_of_day(rng, len(ci))
    lag_days = np.array([paid[i].lag_mean_days for i in range(len(paid))])[ci]
    conv_t = touch_t + 60 + (rng.exponential(lag_days) * _DAY).astype(np.int64)
    keep = (conv_t >= t0) & (conv_t < t_end)
    ci, cj, cd, touch_t, conv_t = ci[keep], cj[keep], cd[keep], touch_t[keep], conv_t[keep]
    n_inc = len(ci)
    inc_channel = np.array([ch_index[paid[i].channel] for i in range(len(paid))])[ci]
    inc_users = rng.integers(0, spec.n_users, n_inc)
    touches.add(inc_users, touch_t, inc_channel, cj)
    p_search = np.array([c.closes_via_search for c in paid])[ci]
    u = rng.random(n_inc)
    _closing(touches, rng, inc_users, conv_t, u < p_search, ch_index["brand_search"])
    _closing(touches, rng, inc_users, conv_t, (u >= p_search) & (u < p_search + spec.incremental_direct_closing),
             ch_index["direct"])
    long_lag = conv_t - touch_t > _DAY
    for r in paid:
        if r.retarget_prob > 0:
            hit = long_lag & (rng.random(n_inc) < r.retarget_prob * 0.5)
            t = rng.integers(touch_t[hit], conv_t[hit])
            touches.add(inc_users[hit], t, np.full(hit.sum(), ch_index[r.channel]), cj[hit])

    # --- baseline orders: intent first, then retargeting, then closing --------------------------
    base_mu = _baseline_per_day(spec, days, phase, weekend)
    n_base_day = rng.poisson(base_mu)
    bd = np.repeat(np.arange(spec.n_days), n_base_day)
    n_base = len(bd)
    base_conv_t = t0 + bd * _DAY + _time_of_day(rng, n_base)
    base_seg = (rng.random(n_base) < spec.baseline_new_product_share).astype(np.int64)  # 1 = new
    base_users = rng.integers(0, spec.n_users, n_base)
    intent_t = base_conv_t - 600 - (rng.exponential(spec.intent_lead_days, n_base) * _DAY).astype(np.int64)
    _intent_journeys(spec, touches, rng, ch_index, paid, base_users, intent_t, base_conv_t, base_seg)
    u = rng.random(n_base)
    lo = 0.0
    for name, p in spec.baseline_closing:
        _closing(touches, rng, base_users, base_conv_t, (u >= lo) & (u < lo + p), ch_index[name])
        lo += p

    # --- visitors who show intent and do not buy: retargeted all the same ------------------------
    n_vis = rng.poisson(base_mu * spec.visitors_per_baseline_buyer)
    vd = np.repeat(np.arange(spec.n_days), n_vis)
    vis_intent = t0 + vd * _DAY + _time_of_day(rng, len(vd))
    vis_until = vis_intent + (rng.exponential(2.0, len(vd)) * _DAY).astype(np.int64)
    vis_seg = (rng.random(len(vd)) < spec.baseline_new_product_share).astype(np.int64)
    _intent_journeys(spec, touches, rng, ch_index, paid, rng.integers(0, spec.n_users, len(vd)),
                     vis_intent, vis_until, vis_seg)

    # --- background: paid clicks not used above, organic visits without purchase intent ---------
    used = touches.paid_clicks(t0, t_end, ch_index, paid, spec.n_days)
    bought = rng.poisson(spend / np.array([c.cpc_cny for c in paid])[:, None, None])
    clicks = np.maximum(bought, used)
    bg = clicks - used
    gi, gj, gd = np.nonzero(bg)
    reps = bg[gi, gj, gd]
    gi, gj, gd = (np.repeat(v, reps) for v in (gi, gj, gd))
    touches.add(rng.integers(0, spec.n_users, len(gi)), t0 + gd * _DAY + rng.integers(0, _DAY, len(gi)),
                np.array([ch_index[c.channel] for c in paid])[gi], gj)
    for name, per_day in spec.organic_background_per_day:
        n = rng.poisson(per_day * spec.scale, spec.n_days)
        od = np.repeat(np.arange(spec.n_days), n)
        touches.add(rng.integers(0, spec.n_users, len(od)), t0 + od * _DAY + rng.integers(0, _DAY, len(od)),
                    np.full(len(od), ch_index[name]), np.zeros(len(od), dtype=np.int64))

    # --- tables -------------------------------------------------------------------------------
    conversions, causes = _conversions(
        spec, rng, aov,
        users=np.concatenate([inc_users, base_users]),
        times=np.concatenate([conv_t, base_conv_t]),
        segments=np.concatenate([cj, base_seg]),
        cause=np.concatenate([inc_channel, np.full(n_base, -1)]),
        new_customer_p=np.concatenate([np.array([c.new_customer_conversion_share for c in paid])[ci],
                                       np.full(n_base, spec.baseline_new_customer_share)]),
    )
    touchpoints = touches.frame(spec, t0, t_end, phase)
    spend_table = _spend_table(spec, paid, days, spend, clicks, rng)
    channels = pd.DataFrame({
        "channel": [c.channel for c in spec.channels],
        "group": [c.group for c in spec.channels],
        "key_platform": [c.key_platform for c in spec.channels],
        "label_zh": [c.label_zh for c in spec.channels],
        "label_en": [c.label_en for c in spec.channels],
    })
    names = np.array([c.channel for c in spec.channels] + ["baseline"])
    causes["cause"] = names[causes.pop("cause_index").to_numpy()]
    truth = _truth(spec, paid, days, phase, spend, expected_value, resp_mult, conversions, causes, spend_table,
                   base_mu)
    return Market(spec, touchpoints, conversions, spend_table, channels, truth)


# --- pieces ------------------------------------------------------------------------------------


class _Touches:
    """Accumulates touch arrays (user, time, channel index, segment index) and builds the table once."""

    def __init__(self):
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, users, times, channels, segments):
        self.parts.append(tuple(np.asarray(v, dtype=np.int64) for v in (users, times, channels, segments)))

    def _stack(self):
        return [np.concatenate([p[k] for p in self.parts]) for k in range(4)]

    def paid_clicks(self, t0, t_end, ch_index, paid, n_days) -> np.ndarray:
        """Clicks already placed, per (paid channel, segment, day): they are part of what was bought."""
        users, times, chans, segs = self._stack()
        to_paid = np.full(max(ch_index.values()) + 1, -1)
        for i, c in enumerate(paid):
            to_paid[ch_index[c.channel]] = i
        p = to_paid[chans]
        ok = (p >= 0) & (times >= t0) & (times < t_end)
        d = (times[ok] - t0) // _DAY
        flat = (p[ok] * 2 + segs[ok]) * n_days + d
        return np.bincount(flat, minlength=len(paid) * 2 * n_days).reshape(len(paid), 2, n_days)

    def frame(self, spec: MarketSpec, t0: int, t_end: int, phase: np.ndarray) -> pd.DataFrame:
        users, times, chans, _ = self._stack()
        ok = (times >= t0) & (times < t_end)
        users, times, chans = users[ok], times[ok], chans[ok]
        order = np.argsort((times - t0) * spec.n_users + users)  # by time, then user; one int64 key
        users, times, chans = users[order], times[order], chans[order]
        in_campaign = phase[(times - t0) // _DAY] >= 0
        names = [c.channel for c in spec.channels]
        return pd.DataFrame({
            "user_id": users,
            "timestamp": times.astype("datetime64[s]"),
            "channel": pd.Categorical.from_codes(chans, categories=names),
            "campaign": pd.Categorical.from_codes(np.where(in_campaign, 0, -1), categories=[spec.campaign_name]),
            "interaction": pd.Categorical.from_codes(np.zeros(len(users), dtype=np.int8), categories=["click"]),
        })


def _phase_per_day(spec: MarketSpec, days: pd.DatetimeIndex) -> np.ndarray:
    """Index into ``spec.campaign`` per day, -1 outside the campaign."""
    out = np.full(len(days), -1)
    dates = days.date
    for k, ph in enumerate(spec.campaign):
        out[(dates >= ph.start) & (dates <= ph.end)] = k
    return out


def _multiplier(spec: MarketSpec, phase: np.ndarray, attr: str) -> np.ndarray:
    values = np.array([getattr(p, attr) for p in spec.campaign] + [1.0])
    return values[phase]  # -1 picks the trailing 1.0


def _weekly_mean(weekend_multiplier: float) -> float:
    return (5 + 2 * weekend_multiplier) / 7


def _time_of_day(rng, n: int) -> np.ndarray:
    """Seconds after midnight, mostly between 8:00 and midnight (evening peak)."""
    hours = np.clip(rng.normal(16.5, 4.5, n), 0, 23.99)
    return (hours * 3600).astype(np.int64)


def _spend(spec: MarketSpec, paid: list[ChannelSpec], days, phase, rng) -> np.ndarray:
    """Spend per (paid channel, segment, day) in yuan, rounded to the fen."""
    n = len(days)
    weekday = days.day_of_week.to_numpy()
    camp = _multiplier(spec, phase, "spend_multiplier")
    out = np.zeros((len(paid), 2, n))
    for i, ch in enumerate(paid):
        for j, seg in enumerate(SEGMENTS):
            eps = rng.normal(0, ch.spend_volatility * np.sqrt(1 - 0.5**2), n)
            noise = np.zeros(n)
            for k in range(n):
                noise[k] = (0.5 * noise[k - 1] if k else 0) + eps[k]
            flights = np.ones(n)
            for _ in range(spec.flights_per_channel):
                start = rng.integers(0, n - 10)
                flights[start:start + rng.integers(5, 11)] = rng.choice([0.3, 1.8])
            weekly = np.ones(n)
            if ch.live_weekdays:
                live = np.isin(weekday, ch.live_weekdays)
                weekly = np.where(live, 7 / (len(ch.live_weekdays) + 0.25 * (7 - len(ch.live_weekdays))), 0.25 * 7 / (
                    len(ch.live_weekdays) + 0.25 * (7 - len(ch.live_weekdays))))
            level = ch.spend_cny_per_day * spec.scale * (ch.new_spend_ratio if seg == "new" else 1.0)
            out[i, j] = np.round(level * camp * weekly * flights * np.exp(noise - noise.var() / 2), 2)
    return out


def _baseline_per_day(spec: MarketSpec, days, phase, weekend) -> np.ndarray:
    trend = 1 + spec.baseline_trend_per_day * np.arange(len(days))
    dow = np.where(weekend, spec.weekend_baseline_multiplier, 1.0)
    return spec.baseline_conversions_per_day * spec.scale * trend * dow * _multiplier(spec, phase, "baseline_multiplier")


def _closing(touches: _Touches, rng, users, conv_t, mask, channel: int) -> None:
    """A navigational touch 1–30 minutes before the order (the buyer arriving to pay)."""
    n = int(mask.sum())
    touches.add(users[mask], conv_t[mask] - rng.integers(60, 1800, n), np.full(n, channel), np.zeros(n, np.int64))


def _intent_journeys(spec, touches, rng, ch_index, paid, users, intent_t, until_t, segments) -> None:
    """An organic first visit at ``intent_t``, then retargeting clicks before ``until_t``."""
    n = len(users)
    u = rng.random(n)
    lo = 0.0
    for name, p in spec.intent_first_touch:
        m = (u >= lo) & (u < lo + p)
        touches.add(users[m], intent_t[m], np.full(m.sum(), ch_index[name]), np.zeros(m.sum(), np.int64))
        lo += p
    for r in paid:
        if r.retarget_prob > 0:
            hit = rng.random(n) < r.retarget_prob
            t = rng.integers(intent_t[hit] + 60, np.maximum(until_t[hit] - 60, intent_t[hit] + 61))
            touches.add(users[hit], t, np.full(hit.sum(), ch_index[r.channel]), segments[hit])


def _conversions(spec, rng, aov, users, times, segments, cause, new_customer_p):
    order = np.argsort(times * np.int64(spec.n_users) + users)
    users, times, segments, cause, new_customer_p = (v[order] for v in (users, times, segments, cause, new_customer_p))
    n = len(users)
    sigma = spec.value_sigma
    value = np.round(aov[segments] * rng.lognormal(-sigma**2 / 2, sigma, n), 2)
    order_id = np.char.add("o", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    conversions = pd.DataFrame({
        "user_id": users,
        "timestamp": times.astype("datetime64[s]"),
        "value": value,
        "order_id": order_id,
        "is_new_customer": rng.random(n) < new_customer_p,
        "product_segment": np.array(SEGMENTS)[segments],
    })
    causes = pd.DataFrame({"order_id": order_id, "cause_index": cause, "cause_segment": np.array(SEGMENTS)[segments]})
    return conversions, causes


def _spend_table(spec, paid, days, spend, clicks, rng) -> pd.DataFrame:
    share = np.array([c.new_customer_click_share for c in paid])[:, None, None]
    new_clicks = rng.binomial(clicks, np.broadcast_to(share, clicks.shape))
    i, j, d = np.meshgrid(np.arange(len(paid)), np.arange(2), np.arange(len(days)), indexing="ij")
    return pd.DataFrame({
        "date": days[d.ravel()].date,
        "channel": np.array([c.channel for c in paid])[i.ravel()],
        "segment": np.array(SEGMENTS)[j.ravel()],
        "spend": spend.ravel(),
        "clicks": clicks.ravel(),
        "new_customer_clicks": new_clicks.ravel(),
    }).sort_values(["date", "channel", "segment"], ignore_index=True)


def _truth(spec, paid, days, phase, spend, expected_value, resp_mult, conversions, causes, spend_table, base_mu):
    realised = causes.assign(value=conversions["value"].to_numpy())
    by_channel = realised.groupby("cause").agg(incremental_conversions=("value", "size"),
                                               incremental_value=("value", "sum"))
    base = by_channel.loc["baseline"] if "baseline" in by_channel.index else pd.Series({"incremental_conversions": 0,
                                                                                        "incremental_value": 0.0})
    rows = []
    for ch in spec.channels:
        got = by_channel.loc[ch.channel] if ch.channel in by_channel.index else None
        rows.append({
            "channel": ch.channel, "group": ch.group,
            "incremental_conversions": int(got["incremental_conversions"]) if got is not None else 0,
            "incremental_value": float(got["incremental_value"]) if got is not None else 0.0,
        })
    channels = pd.DataFrame(rows)
    channels["share_conversions"] = channels["incremental_conversions"] / channels["incremental_conversions"].sum()
    channels["share_value"] = channels["incremental_value"] / channels["incremental_value"].sum()

    stats = spend_table.groupby(["channel", "segment"]).agg(
        current_spend=("spend", "mean"), clicks=("clicks", "sum"), new_clicks=("new_customer_clicks", "sum"),
        spend_sum=("spend", "sum"))
    curve_rows = []
    for ch in paid:
        for seg in SEGMENTS:
            a, b, _ = curve_params(spec, ch, seg)
            st = stats.loc[(ch.channel, seg)]
            curve_rows.append({
                "channel": ch.channel, "segment": seg, "family": "exp", "a": a, "b": b, "s": np.nan,
                "current_spend": round(float(st["current_spend"]), 2),
                "cpc": float(st["spend_sum"] / max(st["clicks"], 1)),
                "new_customer_share": float(st["new_clicks"] / max(st["clicks"], 1)),
                "group": ch.group, "key_platform": ch.key_platform, "margin": spec.margin,
                "lag_mean_days": ch.lag_mean_days,
            })
    i, j, d = np.meshgrid(np.arange(len(paid)), np.arange(2), np.arange(len(days)), indexing="ij")
    daily = pd.DataFrame({
        "date": days[d.ravel()].date,
        "channel": np.array([c.channel for c in paid])[i.ravel()],
        "segment": np.array(SEGMENTS)[j.ravel()],
        "spend": spend.ravel(),
        "response_multiplier": resp_mult[d.ravel()],
        "expected_value": expected_value.ravel(),
    })
    calendar = pd.DataFrame([{
        "campaign": spec.campaign_name, "phase": p.name, "label_zh": p.label_zh, "start": p.start, "end": p.end,
        "spend_multiplier": p.spend_multiplier, "response_multiplier": p.response_multiplier,
        "baseline_multiplier": p.baseline_multiplier,
    } for p in spec.campaign])
    mean_value = sum(spec.aov(s) * w for s, w in (("existing", 1 - spec.baseline_new_product_share),
                                                  ("new", spec.baseline_new_product_share)))
    expected_baseline = pd.DataFrame({"date": days.date, "expected_baseline_value": base_mu * mean_value})
    return Truth(
        channels=channels, curves=pd.DataFrame(curve_rows), causes=causes, daily=daily, calendar=calendar,
        baseline_conversions=int(base["incremental_conversions"]), baseline_value=float(base["incremental_value"]),
        expected_baseline=expected_baseline,
    )
