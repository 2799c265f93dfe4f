"""Random but realistic planning problems (channel × product × day), for benchmarks, demos and tests.

Channels are those of a Tmall/JD/Douyin shop with their usual curve families; products are
mostly existing, a fifth new; days carry weekday/weekend and campaign multipliers. Current spend
sits between 0.3× and 1.6× of each curve's spend scale, so some cells are under- and some
over-funded, as in a real account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scenario import Bounds, Scenario, Select, default_scenario

CHANNELS = (
    # name, group, family, key platform, cpc (yuan), new-customer share, s
    ("ztc", "paid", "exp", True, 1.8, 0.25, None),
    ("wanxiangtai", "paid", "mm", True, 1.5, 0.35, None),
    ("qianchuan", "paid", "log", True, 1.1, 0.45, None),
    ("jd_kuaiche", "paid", "exp", True, 2.2, 0.20, None),
    ("baidu", "paid", "log", False, 2.6, 0.55, None),
    ("xiaohongshu", "content", "hill", False, 0.9, 0.60, 0.8),
    ("douyin_kol", "KOL", "power", False, 0.7, 0.55, 0.55),
    ("weibo", "content", "power", False, 0.6, 0.50, 0.45),
    ("wechat_group", "social", "mm", False, 0.4, 0.10, None),
    ("bilibili", "content", "hill", False, 0.8, 0.65, 0.7),
    ("kuaishou", "KOL", "exp", False, 0.9, 0.50, None),
    ("pinduoduo", "paid", "mm", False, 1.2, 0.40, None),
)


def random_market(
    n_channels: int = 10, n_products: int = 5, n_days: int = 1, *, seed: int = 0, s_shaped: bool = False
) -> pd.DataFrame:
    """A curves table (CURVES contract plus ``product`` and ``day`` keys) of channels × products × days.

    ``s_shaped=True`` turns the Hill channels S-shaped (s between 1.5 and 3).
    """
    rng = np.random.default_rng(seed)
    if not 1 <= n_channels <= len(CHANNELS):
        raise ValueError(f"n_channels must be between 1 and {len(CHANNELS)}")
    chans = CHANNELS[:n_channels]
    new_product = rng.random(n_products) < 0.2
    if n_products > 1 and not new_product.any():
        new_product[-1] = True
    product_size = rng.lognormal(0.0, 0.6, n_products)
    day_mult = np.ones(n_days)
    if n_days > 1:
        weekday = np.arange(n_days) % 7
        day_mult = np.where(weekday >= 5, 1.25, 1.0) * rng.uniform(0.9, 1.1, n_days)
        peak = rng.choice(n_days, size=max(1, n_days // 15), replace=False)
        day_mult[peak] *= 2.0
    rows = []
    for c, (name, group, family, key, cpc, ncs, s) in enumerate(chans):
        strength = rng.uniform(2.0, 6.0)  # marginal ROI at zero spend, roughly
        scale = rng.uniform(3_000, 20_000) / max(1, n_products * n_days) ** 0.5
        for p in range(n_products):
            for d in range(n_days):
                b = scale * product_size[p] * day_mult[d] * rng.uniform(0.8, 1.25)
                a = strength * b * rng.uniform(0.7, 1.4)
                cur = b * rng.uniform(0.3, 1.6)
                shape = s
                fam = family
                if fam == "hill" and s_shaped:
                    shape = rng.uniform(1.5, 3.0)
                elif fam == "hill":
                    shape = float(np.clip(s + rng.normal(0, 0.05), 0.3, 0.95))
                if fam == "power":
                    shape = float(np.clip(s + rng.normal(0, 0.05), 0.2, 0.9))
                    a = strength * b ** (1 - shape) * rng.uniform(0.7, 1.4)  # f(b) ≈ strength · b
                rows.append({
                    "channel": name, "segment": "new" if new_product[p] else "existing",
                    "product": f"p{p:03d}", "day": d + 1, "family": fam, "a": a,
                    "b": np.nan if fam == "power" else b, "s": shape if fam in ("power", "hill") else np.nan,
                    "current_spend": cur, "cpc": cpc * rng.uniform(0.8, 1.25),
                    "new_customer_share": float(np.clip(ncs + rng.normal(0, 0.08), 0.02, 0.95)),
                    "group": group, "key_platform": key, "margin": rng.uniform(0.3, 0.6),
                })
    frame = pd.DataFrame(rows)
    return _calibrate(frame)


def _calibrate(frame: pd.DataFrame, new_product: float = 0.10, new_customer: float = 0.24) -> pd.DataFrame:
    """Scale new products' current spend and every new-customer share so that today's allocation
    sits inside the default caps (15% new-product spend, 30% new-customer traffic) with room to move."""
    out = frame.copy()
    new = (out["segment"] == "new").to_numpy()
    spend = out["current_spend"].to_numpy()
    if new.any() and (~new).any():
        share = spend[new].sum() / spend.sum()
        if share > new_product:
            factor = new_product * spend[~new].sum() / ((1 - new_product) * spend[new].sum())
            out.loc[new, "current_spend"] = spend[new] * factor
    traffic = out["current_spend"] / out["cpc"]
    nc_share = float((traffic * out["new_customer_share"]).sum() / traffic.sum())
    if nc_share > new_customer:
        out["new_customer_share"] = out["new_customer_share"] * (new_customer / nc_share)
    return out


def benchmark_scenario(curves: pd.DataFrame, *, budget_factor: float = 1.1) -> Scenario:
    """Budget = ``budget_factor`` × current spend, the 15% / 30% caps, each channel's total within
    0.5–2× of its current spend and each cell at most 3× its current spend."""
    budget = float(curves["current_spend"].sum() * budget_factor)
    channel_bounds = tuple(
        Bounds(f"{ch} total", lower=0.5, upper=2.0, relative=True, per="total", select=Select(channels=(ch,)))
        for ch in pd.unique(curves["channel"])
    )
    cells = Bounds("cell cap", upper=3.0, relative=True)
    return default_scenario(budget, rules=channel_bounds + (cells,))
