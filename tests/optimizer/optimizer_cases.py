"""Problems for the optimizer tests, and independent checks written from the formulas, not the library.

Nothing here calls ``optimizer``: GMV, slopes and rule checks are re-derived from the curves table
so that a bug shared by the library's value code and its solver cannot hide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FAMILIES = ("exp", "mm", "log", "power", "hill")


def value(df: pd.DataFrame, x) -> np.ndarray:
    """GMV per day of each row at spend ``x``, straight from the issue's formulas."""
    x = np.asarray(x, dtype=float)
    a, b, s, fam = df["a"].to_numpy(float), df["b"].to_numpy(float), df["s"].to_numpy(float), df["family"].to_numpy()
    out = np.zeros(len(df))
    with np.errstate(all="ignore"):
        for i in range(len(df)):
            xi = max(x[i], 0.0)
            if fam[i] == "exp":
                out[i] = a[i] * (1 - np.exp(-xi / b[i]))
            elif fam[i] == "mm":
                out[i] = a[i] * xi / (xi + b[i])
            elif fam[i] == "log":
                out[i] = a[i] * np.log(1 + xi / b[i])
            elif fam[i] == "power":
                out[i] = a[i] * xi ** s[i]
            else:
                out[i] = a[i] * xi ** s[i] / (xi ** s[i] + b[i] ** s[i])
    return out


def slope(df: pd.DataFrame, x, h: float = 1e-3) -> np.ndarray:
    """Marginal ROI by a central difference (one-sided at 0)."""
    x = np.asarray(x, dtype=float)
    out = np.empty(len(df))
    for i in range(len(df)):
        lo = max(x[i] - h, 0.0)
        hi = lo + 2 * h
        up, down = x.copy(), x.copy()
        up[i], down[i] = hi, lo
        out[i] = (value(df, up)[i] - value(df, down)[i]) / (hi - lo)
    return out


def random_curves(n: int, seed: int, families=("exp", "mm", "log", "power", "hill"), s_shaped: bool = False,
                  new_share: float = 0.3) -> pd.DataFrame:
    """``n`` cells with realistic scales: b in 2–20K yuan/day, a such that the first yuan returns 1.5–6."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        fam = families[i % len(families)] if n >= len(families) else rng.choice(families)
        b = rng.uniform(2_000, 20_000)
        cur = b * rng.uniform(0.2, 1.5)
        strength = rng.uniform(1.5, 6.0)
        s = np.nan
        a = strength * b
        if fam == "power":
            s = rng.uniform(0.3, 0.8)
            a = strength * b ** (1 - s)
            b_out = np.nan
        else:
            b_out = b
        if fam == "hill":
            s = rng.uniform(1.5, 3.0) if s_shaped else rng.uniform(0.4, 1.0)
            a = strength * b * 1.5
        rows.append({
            "channel": f"ch{i}", "segment": "new" if rng.random() < new_share else "existing", "family": fam,
            "a": a, "b": b_out, "s": s, "current_spend": cur, "cpc": rng.uniform(0.5, 3.0),
            "new_customer_share": rng.uniform(0.05, 0.6), "margin": rng.uniform(0.3, 0.6),
        })
    return pd.DataFrame(rows)


def share_of_spend(df: pd.DataFrame, x, mask) -> float:
    x = np.asarray(x, dtype=float)
    return float(x[np.asarray(mask)].sum() / x.sum())


def new_customer_traffic_share(df: pd.DataFrame, x) -> float:
    x = np.asarray(x, dtype=float)
    clicks = x / df["cpc"].to_numpy()
    return float((clicks * df["new_customer_share"].to_numpy()).sum() / clicks.sum())
