"""Response curves: families, values, slopes, cvxpy expressions and the concave envelope of S-curves.

Every curve is ``f(x) = a · g(x / k)`` with ``x`` the spend per day (yuan), ``k`` a spend scale and
``g`` a unit shape. The optimizer works in ``z = x / k`` so every shape lives on the same scale:

========  =========================  =========================  ====================
family    f(x)                       k                          g(z)
========  =========================  =========================  ====================
exp       a·(1 − exp(−x/b))          b                          1 − e^(−z)
mm        a·x/(x + b)                b                          z/(1 + z) = 1 − 1/(1 + z)
log       a·log(1 + x/b)             b                          log(1 + z)
power     a·x^s, 0 < s < 1           current spend (or typical) z^s, scaled by a·k^s
hill      a·x^s/(x^s + b^s)          b                          z^s/(1 + z^s)
========  =========================  =========================  ====================

A Hill curve with ``s ≤ 1`` is concave and exact in cvxpy: ``g = 1 − 1/(1 + u)``, ``u ≤ z^s`` (a
power cone). With ``s > 1`` it is S-shaped; the solver sees its concave envelope, the tangent line
from the origin to ``z* = (s − 1)^(1/s)`` followed by the curve, held from above by tangent lines
(a polyhedral outer approximation). Any plan's true value is then ``f`` itself and the relaxed
optimum is an upper bound on what any plan can reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import cvxpy as cp
import numpy as np
import pandas as pd
import scipy.sparse as sp

from roimix import plan_defaults
from roimix.errors import InputError
from roimix.messages import Message
from roimix.shapes import FAMILIES, GROUPS, shape_slope, shape_value  # noqa: F401 - the optimizer's API too

KEY_COLUMNS = ("channel", "segment")
EXTRA_KEYS = ("product", "day", "date")
"""Columns that, when present, split a (channel, segment) curve into finer cells (e.g. per day)."""
DEFAULT_MARGIN = plan_defaults.MARGIN
ENVELOPE_TANGENTS = 160
"""Most tangent lines that hold an S-curve's envelope from above; the gap they leave is part of the bound."""
ENVELOPE_TOLERANCE = 1e-4
"""Largest gap between those lines and the envelope, as a share of the curve's saturation level."""



class CurveError(InputError):
    """A curve's parameters are outside its family's domain; the message names the curve."""

    exit_code = 2


# --- the concave envelope of an S-shaped Hill curve -------------------------------------------------


def tangent_point(s: np.ndarray | float) -> np.ndarray:
    """``z*`` where the line from the origin touches ``g = z^s/(1+z^s)`` (s > 1): ``z* = (s−1)^(1/s)``.

    There ``g(z*)/z* = g'(z*)``, ``g(z*) = (s−1)/s``; below ``z*`` the envelope is that line.
    """
    s = np.asarray(s, dtype=float)
    return (s - 1.0) ** (1.0 / s)


def envelope_value(z: np.ndarray, s: np.ndarray | float) -> np.ndarray:
    """Concave envelope of the S-shaped Hill shape: ``g(z*)·z/z*`` below ``z*``, ``g(z)`` above."""
    z = np.maximum(np.asarray(z, dtype=float), 0.0)
    zt = tangent_point(s)
    line = (np.asarray(s, dtype=float) - 1.0) / np.asarray(s, dtype=float) * z / zt
    return np.where(z < zt, line, shape_value("hill_s", z, s))


@lru_cache(maxsize=4096)
def envelope_tangents(s: float, tolerance: float = ENVELOPE_TOLERANCE, most: int = ENVELOPE_TANGENTS
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Intercepts and slopes of tangent lines that, with the cap ``g ≤ 1``, hold the envelope from above.

    The first line is the envelope's straight part (the tangent at ``z*``, through the origin), the
    last touches the curve where ``g = 1 − tolerance``. Between two neighbouring tangents the gap to
    the (concave) curve is largest at their crossing, so the interval with the largest gap there is
    split at that crossing until every gap is below ``tolerance`` (in units of the saturation level
    ``a``) or ``most`` lines are used. The lines' minimum is ≥ the envelope ≥ g everywhere.
    """
    z_lo = float(tangent_point(s))
    z_hi = ((1.0 - tolerance) / tolerance) ** (1.0 / s)

    def line(z):
        gz = float(shape_value("hill_s", z, s))
        dz = float(shape_slope("hill_s", z, s))
        return gz - dz * z, dz

    points = {z_lo: line(z_lo), z_hi: line(z_hi)}

    def worst_gap(zl, zr):
        (cl, dl), (cr, dr) = points[zl], points[zr]
        if dl - dr <= 0:
            return 0.0, zl
        zk = (cr - cl) / (dl - dr)
        return cl + dl * zk - float(shape_value("hill_s", zk, s)), zk

    gaps = {(z_lo, z_hi): worst_gap(z_lo, z_hi)}
    while len(points) < most:
        (zl, zr), (gap, zk) = max(gaps.items(), key=lambda kv: kv[1][0])
        if gap <= tolerance:
            break
        points[zk] = line(zk)
        del gaps[(zl, zr)]
        gaps[(zl, zk)] = worst_gap(zl, zk)
        gaps[(zk, zr)] = worst_gap(zk, zr)
    zs = sorted(points)
    return np.array([points[z][0] for z in zs]), np.array([points[z][1] for z in zs])


# --- the table of curves ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Curves:
    """One response curve per cell (channel × segment, optionally × product/day), as arrays.

    ``keys`` holds the identifying columns and the cell attributes used by rules (``group``,
    ``key_platform``). ``value(x)`` is GMV per day in yuan at spend ``x`` yuan per day.
    """

    keys: pd.DataFrame
    family: np.ndarray
    a: np.ndarray
    b: np.ndarray
    s: np.ndarray
    current_spend_cny: np.ndarray
    cpc_cny: np.ndarray
    new_customer_share: np.ndarray
    margin: np.ndarray
    key_columns: tuple[str, ...] = KEY_COLUMNS

    @property
    def n(self) -> int:
        return len(self.a)

    @property
    def labels(self) -> list[str]:
        """``channel/segment[/day…]`` per cell, for messages."""
        return _labels(self.keys, self.key_columns).tolist()

    # group, scale_cny and amplitude are computed once per Curves (a planner asks for them dozens of times; on the
    # 36,000-cell re-plan that was 0.15 s) and read-only, so that no caller can change them under another.

    @cached_property
    def group(self) -> np.ndarray:
        """Internal group per cell: the family, with Hill split at s = 1 (s = 1 is exactly mm)."""
        out = self.family.astype(object).copy()
        hill = self.family == "hill"
        out[hill & (self.s < 1)] = "hill_concave"
        out[hill & (self.s == 1)] = "mm"
        out[hill & (self.s > 1)] = "hill_s"
        return _read_only(out.astype(str))

    @cached_property
    def scale_cny(self) -> np.ndarray:
        """Spend scale ``k`` per cell: ``b``, or for power curves the current spend (a typical one if 0)."""
        positive = self.current_spend_cny[self.current_spend_cny > 0]
        typical = float(np.median(positive)) if len(positive) else 1000.0
        power_k = np.where(self.current_spend_cny > 0, self.current_spend_cny, typical)
        return _read_only(np.where(self.family == "power", power_k, np.nan_to_num(self.b, nan=1.0)))

    @cached_property
    def amplitude(self) -> np.ndarray:
        """``A`` in ``f(x) = A · g(x/k)``: ``a``, or ``a·k^s`` for power curves."""
        return _read_only(np.where(self.family == "power",
                                   self.a * self.scale_cny ** np.nan_to_num(self.s, nan=1.0), self.a))

    @property
    def is_s_shaped(self) -> np.ndarray:
        return self.group == "hill_s"

    def value(self, spend_cny: np.ndarray) -> np.ndarray:
        """True expected GMV per day of each cell at ``spend_cny`` (S-curves as they are, not enveloped)."""
        return self._per_group(spend_cny, shape_value) * self.amplitude

    def envelope(self, spend_cny: np.ndarray) -> np.ndarray:
        """Value on the concave envelope (equal to :meth:`value` except on S-curves below ``x*``)."""
        out = self.value(spend_cny)
        sel = self.is_s_shaped
        if sel.any():
            z = np.asarray(spend_cny, dtype=float)[sel] / self.scale_cny[sel]
            out[sel] = self.amplitude[sel] * envelope_value(z, self.s[sel])
        return out

    def marginal(self, spend_cny: np.ndarray) -> np.ndarray:
        """Marginal ROI ``f'(x)``: extra GMV per extra yuan at ``spend_cny`` (``inf`` where the slope is)."""
        return self._per_group(spend_cny, shape_slope) * self.amplitude / self.scale_cny

    def threshold_cny(self) -> np.ndarray:
        """For S-curves, the spend ``x*`` below which the curve lies under its envelope (else 0)."""
        out = np.zeros(self.n)
        sel = self.is_s_shaped
        out[sel] = tangent_point(self.s[sel]) * self.scale_cny[sel]
        return out

    def _per_group(self, spend_cny, fn) -> np.ndarray:
        x = np.broadcast_to(np.asarray(spend_cny, dtype=float), (self.n,))
        z = x / self.scale_cny
        out = np.empty(self.n)
        group = self.group
        for g in GROUPS:
            sel = group == g
            if sel.any():
                out[sel] = fn(g, z[sel], np.nan_to_num(self.s[sel], nan=1.0))
        return out

    def subset(self, mask: np.ndarray) -> Curves:
        """The curves of the cells where ``mask`` is true."""
        mask = np.asarray(mask)
        return Curves(
            self.keys[mask].reset_index(drop=True), self.family[mask], self.a[mask], self.b[mask],
            self.s[mask], self.current_spend_cny[mask], self.cpc_cny[mask],
            self.new_customer_share[mask], self.margin[mask], self.key_columns,
        )


def traffic_unknown(frame: pd.DataFrame) -> pd.Series:
    """Cells of a curves table whose traffic is unknown: ``cpc`` not a positive number, an empty
    ``new_customer_share``, or ``clicks_known`` false (spend without clicks). Traffic = spend / CPC, so
    the new-customer rules cannot be checked on such cells."""
    cpc = pd.to_numeric(frame["cpc"], errors="coerce") if "cpc" in frame.columns else pd.Series(np.nan, frame.index)
    share = (pd.to_numeric(frame["new_customer_share"], errors="coerce") if "new_customer_share" in frame.columns
             else pd.Series(np.nan, frame.index))
    unknown = ~(np.isfinite(cpc) & (cpc > 0) & share.notna())
    if "clicks_known" in frame.columns:
        unknown |= ~frame["clicks_known"].fillna(False).astype(bool)
    return unknown


def curves_from_frame(
    frame: pd.DataFrame, *, keys: tuple[str, ...] | None = None, default_margin: float = DEFAULT_MARGIN
) -> Curves:
    """Curves from a table in the CURVES contract (extra key columns such as ``day`` make finer cells).

    Raises :class:`CurveError` naming the first offending curve, e.g.
    ``curve xiaohongshu/new: b must be > 0 for family exp, got -3``.
    """
    if keys is None:
        keys = KEY_COLUMNS + tuple(c for c in EXTRA_KEYS if c in frame.columns)
    missing = [c for c in ("channel", "family", "a", "current_spend", "cpc", "new_customer_share") if c not in frame.columns]
    if missing:
        raise CurveError(message=Message("plan.err.curves.missing_columns", {"columns": ", ".join(missing)}))
    df = frame.reset_index(drop=True).copy()
    if "segment" not in df.columns:
        df["segment"] = "existing"
    for col in ("b", "s", "margin", "group", "key_platform"):
        if col not in df.columns:
            df[col] = np.nan
    if len(df) == 0:
        raise CurveError(message=Message("plan.err.curves.no_rows", {}))
    key_frame = df[list(keys)].copy()
    key_frame["group"] = df["group"].astype(object).where(df["group"].notna(), None)
    key_frame["key_platform"] = _as_bools(df["key_platform"])
    labels = _labels(key_frame, keys)
    dup = labels[labels.duplicated()]
    if len(dup):
        raise CurveError(message=Message("plan.err.curves.duplicate", {"curve": dup.iloc[0], "keys": ", ".join(keys)}))

    family = df["family"].astype(str).str.strip().str.lower().to_numpy()

    def num(col: str) -> np.ndarray:
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = df[col].notna().to_numpy() & np.isnan(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CurveError(message=Message("plan.err.curves.not_number", {
                "curve": labels[i], "column": col, "got": _plain(df[col].iloc[i])}))
        return values

    a, b, s = num("a"), num("b"), num("s")
    current, cpc, ncs = num("current_spend"), num("cpc"), num("new_customer_share")
    margin = num("margin")
    margin = np.where(np.isnan(margin), default_margin, margin)
    checks = [
        (~np.isin(family, FAMILIES), "plan.err.curves.family", family),
        (~(np.isfinite(a) & (a >= 0)), "plan.err.curves.a", a),
        ((family != "power") & ~(np.isfinite(b) & (b > 0)), "plan.err.curves.b", b),
        ((family == "power") & ~((s > 0) & (s < 1)), "plan.err.curves.s_power", s),
        ((family == "hill") & ~(np.isfinite(s) & (s > 0)), "plan.err.curves.s_hill", s),
        ((family == "hill") & (s > 20), "plan.err.curves.s_hill_steep", s),
        (~(np.isfinite(current) & (current >= 0)), "plan.err.curves.current_spend", current),
        (~(np.isfinite(cpc) & (cpc > 0)), "plan.err.curves.cpc", cpc),
        (~((ncs >= 0) & (ncs <= 1)), "plan.err.curves.new_customer_share", ncs),
        (~((margin >= 0) & (margin <= 1)), "plan.err.curves.margin", margin),
    ]
    for bad, key, got in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            more = Message("plan.err.curves.more", {"n_more": int(bad.sum()) - 1}) if bad.sum() > 1 else ""
            raise CurveError(message=Message(key, {"curve": labels[i], "families": ", ".join(FAMILIES),
                                                   "got": _plain(got[i]), "more": more}))
    return Curves(key_frame, family, a, b, s, current, cpc, ncs, margin, tuple(keys))


def _plain(value):
    """A numpy scalar as the Python number or text it holds (shown as ``3.0``, not ``np.float64(3.0)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _labels(frame: pd.DataFrame, keys) -> pd.Series:
    out = frame[keys[0]].astype(str)
    for c in keys[1:]:
        out = out + "/" + frame[c].astype(str)
    return out


def _read_only(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def _as_bools(values: pd.Series) -> pd.Series:
    """:func:`_as_bool` of each value, computed once per distinct value (a daily table repeats each cell's)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([_as_bool(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object).infer_objects()


def _as_bool(value) -> bool | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return str(value).strip().lower() in ("true", "t", "1", "yes", "y", "是")


# --- cvxpy expressions -------------------------------------------------------------------------------


def shape_expressions(group: str, w: cp.Expression, s: np.ndarray) -> tuple[cp.Expression, list]:
    """``(e, constraints)`` with ``e ≤ g(w)`` elementwise, tight wherever a larger ``e`` is preferred.

    ``w`` is the vector of unit spends of one group. exp, mm and log are exact atoms; power and
    concave Hill use a hypograph variable in a power cone (exact at the optimum, since value is
    only ever wanted larger); S-shaped Hill uses its envelope held by tangent lines.
    """
    m = w.shape[0]
    if group == "exp":
        return 1 - cp.exp(-w), []
    if group == "mm":
        return 1 - cp.inv_pos(1 + w), []
    if group == "log":
        return cp.log1p(w), []
    if group == "power":
        t = cp.Variable(m, nonneg=True, name="power_hypograph")
        return t, [cp.PowCone3D(w, np.ones(m), t, s)]
    if group == "hill_concave":
        u = cp.Variable(m, nonneg=True, name="hill_power")
        return 1 - cp.inv_pos(1 + u), [cp.PowCone3D(w, np.ones(m), u, s)]
    if group == "hill_s":
        t = cp.Variable(m, nonneg=True, name="hill_envelope")
        rows, intercepts, slopes = [], [], []
        for i, si in enumerate(s):
            c, d = envelope_tangents(float(si))
            rows.append(np.full(len(c), i))
            intercepts.append(c)
            slopes.append(d)
        rows = np.concatenate(rows)
        r = np.arange(len(rows))
        pick = sp.csr_matrix((np.ones(len(rows)), (r, rows)), shape=(len(rows), m))
        slope = sp.csr_matrix((np.concatenate(slopes), (r, rows)), shape=(len(rows), m))
        return t, [pick @ t <= np.concatenate(intercepts) + slope @ w, t <= 1]
    raise ValueError(f"unknown curve group {group!r}")
