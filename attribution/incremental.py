"""Incremental attribution: a conversion-probability model with a baseline, credited by Shapley values.

**Model.** A journey converts with probability (a noisy-OR: additive hazards, complementary log-log link)

    p(S | z) = 1 − exp(−(λ(z) + Σ_{c ∈ S} θ_c·h_c)),
    λ(z) = β₀ + Σ_o β_o·z_o + Σ_c τ_c·g_c,          β, θ, τ ≥ 0,

with a baseline hazard ``λ`` (what converts without the credited exposures) and an independent
hazard ``θ_c·h_c`` per credited channel. The features come from the path alone; every touch is a
visit to the shop (an ad click lands there too), which decides what can be credited:

* **navigational (organic) channels** (brand search, direct) are never credited. Their touches
  *before* the first credited touch show intent that existed before any ad: ``z_o = log₂(1 + count)``
  (pre-treatment). Touches after it may be caused by the ads (brand search after a KOL video is a
  mediator) and are never conditioned on.
* **exposure with diminishing returns and recency**: ``h_c = log₂(1 + Σ_t δ^{r_t})`` over the credited
  touches ``t`` of ``c``, ``r_t`` = credited touches after ``t`` (0 for the latest), so one latest
  touch gives ``h = 1``. ``δ`` is chosen by maximum likelihood over a grid unless given.
* **targeting**: after a journey's first touch the shopper has visited the shop, and ad platforms
  build audiences from visitors (retargeting; 直通车/万相台/千川 人群). An exposure after the first
  touch (*warm*, ``g_c`` = the same sum over warm touches) may have been shown *because* the
  shopper was already interested: its association with buying beyond a cold exposure's, ``τ_c``,
  is selection and counts as baseline. For **targeted** channels (paid platforms by default) all of
  a warm exposure's association is selection: they are credited only for reaching a shopper first
  (their ``h_c`` counts the journey's first touch only). Content, KOL and social touches are found
  by the shopper, so their warm exposures are credited like cold ones (effect homogeneity).

**Fit.** Weighted maximum likelihood over distinct paths (their conversions ``y`` against their
non-conversions ``n``): ``Σ n_i η_i − y_i log(1 − e^{−η_i})`` is convex in ``η = Xw`` and ``w ≥ 0``
is a box, so L-BFGS-B reaches the unique optimum; the fit is deterministic.

* **Anchored non-conversions** (``anchored_nulls``, the default). A converting journey is the
  lookback window before its order; a non-converting one (:mod:`attribution.journeys`) is the
  window before the user's *last touch*, which is therefore on every non-converting path by
  construction, not by exposure. Left in, it gives non-converting paths one touch more than
  converting paths of the same exposure, so more touches look like fewer conversions, the
  additive hazards cannot say so (``θ ≥ 0``) and the intercept absorbs it (on the generator's
  markets about 80 % of GMV went to the baseline where the truth is 50 %). The fit therefore
  counts each non-conversion on its path without the last touch: a one-touch non-converting
  path becomes ``(none)``, a window without exposure, and with the conversions that had no
  touch these untouched journeys are the unexposed control that sets the intercept. Credit
  is unchanged: converting paths keep every touch.
* Paths without a credited touch that are not ``(none)`` (organic only) have no treatment to
  learn from and their last organic visit is usually the purchase itself: they are left out of
  the fit (as is ``(none)`` when ``anchored_nulls`` is off). They are credited wholly to the
  baseline.

**Credit.** For a converting path with credited channels ``S`` the game ``v(T) = p(T|z) − p(∅|z)``,
``T ⊆ S``, has exact Shapley values ``φ_c`` (Shapley 1953; :mod:`attribution.shapley`) with
``Σ φ_c = p(S|z) − p(∅|z)``. The path's conversions and value go ``p(∅|z)/p(S|z)`` to the
baseline and ``φ_c/p(S|z)`` to channel ``c``: totals are conserved, a channel not on the path gets
nothing, channels with equal effects on a path get equal credit. Paths with more than
``exact_max`` credited channels use sampled orderings and report standard errors.

The identifying assumptions (pre-treatment intent, selection of warm exposures, homogeneity for
untargeted channels) are stated so they can be argued with; a lift test measures what they cannot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

from .models import BASELINE, Incremental
from .paths import NO_TOUCH, EncodedPaths, _join, encode_paths
from .shapley import shapley_exact, shapley_sampled, subset_sums

_MAX_HAZARD = 30.0
"""upper bound of every coefficient (a hazard of 30 is a probability of 1 − 1e-13)"""
_MIN_INTERCEPT = 1e-9
_CHUNK = 1 << 22  # subset values evaluated per batch of paths


@dataclass(frozen=True)
class Features:
    """Design of the conversion model for a set of paths: ``X = [1 | z | h | g]``."""

    X: sparse.csr_matrix
    columns: tuple[str, ...]
    """``(intercept)``, ``pre:<organic>`` …, ``<channel>`` …, ``targeting:<channel>`` …"""
    n_pre: int
    """``1 + len(z)``: the intercept and the pre-treatment columns come first"""
    credited: tuple[str, ...]
    """credited channels: the ``h`` columns, and in the same order the ``g`` (targeting) columns"""
    credited_codes: np.ndarray
    untouched: np.ndarray
    """bool per path: the ``(none)`` path (a conversion without touches)"""
    treated: np.ndarray
    """bool per path: at least one credited touch"""

    @property
    def channel_columns(self) -> slice:
        return slice(self.n_pre, self.n_pre + len(self.credited))

    def baseline_mask(self) -> np.ndarray:
        mask = np.ones(len(self.columns), dtype=bool)
        mask[self.channel_columns] = False
        return mask


@dataclass(frozen=True)
class IncrementalCredit:
    """Per-path credit of a fitted :class:`IncrementalModel`."""

    columns: tuple[str, ...]
    """credited channels, then :data:`BASELINE`"""
    weights: sparse.csr_matrix
    """(paths × columns): each converting path's share per column; its row sums to 1"""
    conversions: np.ndarray
    value: np.ndarray
    standard_error: np.ndarray
    """of ``conversions`` per column, from sampled Shapley values (0 where every path was exact)"""
    n_sampled_paths: int

    @property
    def baseline_share(self) -> float:
        total = self.conversions.sum()
        return float(self.conversions[-1] / total) if total > 0 else float("nan")


def _codes(encoded: EncodedPaths, names) -> np.ndarray:
    """Bool per channel code (one spare slot): the channel is in ``names``."""
    out = np.zeros(encoded.n_channels + 1, dtype=bool)
    for name in names:
        c = encoded.code(name)
        if c >= 0:
            out[c] = True
    return out


def drop_null_anchors(encoded: EncodedPaths) -> EncodedPaths:
    """The paths as the fit counts them: conversions on their paths, each non-conversion on its path
    without the last touch (the touch that anchors a non-converting journey's window; a one-touch
    path becomes ``(none)``). Rows that land on the same path are summed."""
    lengths = encoded.lengths
    conv, null = encoded.conversions > 0, encoded.nulls > 0
    keep = np.repeat(null, lengths)
    keep[encoded.offsets[1:][lengths > 0] - 1] = False  # the last step of every path
    names = pa.array(np.asarray(encoded.channels, dtype=object)[encoded.steps[keep]], type=pa.large_string())
    anchored = _join(names, np.maximum(lengths[null] - 1, 0))
    anchored[anchored == ""] = NO_TOUCH
    frame = pd.DataFrame({
        "path": np.concatenate([encoded.paths[conv], anchored]),
        "conversions": np.concatenate([encoded.conversions[conv], np.zeros(int(null.sum()))]),
        "value": np.concatenate([encoded.value[conv], np.zeros(int(null.sum()))]),
        "nulls": np.concatenate([np.zeros(int(conv.sum())), encoded.nulls[null]]),
    })
    return encode_paths(frame)


def exposure_features(encoded: EncodedPaths, organic: tuple[str, ...], decay: float,
                      targeted: tuple[str, ...] = ()) -> Features:
    """Design matrix ``[1 | z | h | g]`` of every path (see the module docstring)."""
    is_org = _codes(encoded, set(organic) | {NO_TOUCH})[:-1]
    n_paths, lengths, starts = encoded.n_paths, encoded.lengths, encoded.offsets[:-1]
    row = encoded.row
    org_step = is_org[encoded.steps]
    cred_step = ~org_step

    def before(mask: np.ndarray) -> np.ndarray:
        """How many steps of ``mask`` precede each step within its path."""
        cum = np.cumsum(mask) - mask
        return cum - np.repeat(cum[starts], lengths) if len(cum) else cum

    cred_before = before(cred_step)
    r = (np.bincount(row[cred_step], minlength=n_paths)[row] - cred_before - 1)[cred_step]
    pre = org_step & (cred_before == 0)
    warm = cred_step & (encoded.position > 0)
    causal = cred_step & ~(warm & _codes(encoded, targeted)[encoded.steps])

    org_codes = np.array([c for c in np.flatnonzero(is_org) if encoded.channels[c] != NO_TOUCH], dtype=np.int64)
    cred_codes = np.flatnonzero(~is_org)
    n_org, n_cred = len(org_codes), len(cred_codes)
    col = np.full(encoded.n_channels, -1, dtype=np.int64)
    col[org_codes] = np.arange(n_org)
    col[cred_codes] = np.arange(n_cred)

    def block(mask: np.ndarray, weights: np.ndarray, n_cols: int) -> sparse.csr_matrix:
        m = sparse.csr_matrix((weights, (row[mask], col[encoded.steps[mask]])), shape=(n_paths, n_cols))
        m.data = np.log2(1.0 + m.data)
        return m

    pre_kept = pre & (col[encoded.steps] >= 0)
    z = block(pre_kept, np.ones(int(pre_kept.sum())), n_org)
    recency = np.power(float(decay), r.astype(float))  # per credited step
    h = block(causal, recency[causal[cred_step]], n_cred)
    g = block(warm, recency[warm[cred_step]], n_cred)
    X = sparse.hstack([sparse.csr_matrix(np.ones((n_paths, 1))), z, h, g], format="csr")
    none_code = encoded.code(NO_TOUCH)
    untouched = np.zeros(n_paths, dtype=bool)
    if none_code >= 0:
        untouched = np.bincount(row, weights=(encoded.steps != none_code), minlength=n_paths) == 0
    names = encoded.channels
    columns = (("(intercept)",) + tuple(f"pre:{names[c]}" for c in org_codes) + tuple(names[c] for c in cred_codes)
               + tuple(f"targeting:{names[c]}" for c in cred_codes))
    treated = np.bincount(row[cred_step], minlength=n_paths) > 0
    return Features(X, columns, 1 + n_org, tuple(names[c] for c in cred_codes), cred_codes, untouched, treated)


def _neg_loglik(w: np.ndarray, X: sparse.csr_matrix, y: np.ndarray, n: np.ndarray, scale: float):
    # elementwise products and sums, not BLAS dot: a threaded ddot stalls when the cores are busy
    eta = X @ w
    with np.errstate(divide="ignore"):
        f = float(np.sum(n * eta)) - float(np.sum(y * np.log(-np.expm1(-eta))))
    grad = X.T @ (n - np.divide(y, np.expm1(eta), out=np.zeros_like(eta), where=y > 0))
    return f / scale, grad / scale


def _fit_weights(X, y, n, w0, max_iter):
    from scipy.optimize import minimize  # imported here: scipy.optimize is slow to import and only fitting needs it

    scale = float(y.sum() + n.sum()) or 1.0
    bounds = [(_MIN_INTERCEPT, _MAX_HAZARD)] + [(0.0, _MAX_HAZARD)] * (X.shape[1] - 1)
    res = minimize(_neg_loglik, w0, args=(X, y, n, scale), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30})
    return res.x, -res.fun * scale, res


class IncrementalModel:
    """The incremental conversion model (scikit-learn conventions: settings in the constructor,
    :meth:`fit` learns, learned state ends in ``_``). Settings and defaults as
    :class:`attribution.models.Incremental`."""

    _PARAMS = ("organic", "targeted", "recency_decay", "decay_grid", "exact_max", "n_permutations", "seed",
               "max_iter", "anchored_nulls")

    def __init__(self, *, organic: tuple[str, ...] | None = None, targeted: tuple[str, ...] | None = None,
                 recency_decay: float | None = None,
                 decay_grid: tuple[float, ...] = Incremental.decay_grid, exact_max: int = Incremental.exact_max,
                 n_permutations: int = Incremental.n_permutations, seed: int = Incremental.seed,
                 max_iter: int = Incremental.max_iter, anchored_nulls: bool = Incremental.anchored_nulls):
        self.organic = organic
        self.targeted = targeted
        self.recency_decay = recency_decay
        self.decay_grid = decay_grid
        self.exact_max = exact_max
        self.n_permutations = n_permutations
        self.seed = seed
        self.max_iter = max_iter
        self.anchored_nulls = anchored_nulls

    @classmethod
    def from_settings(cls, settings: Incremental) -> IncrementalModel:
        return cls(**{k: v for k, v in asdict(settings).items() if k in cls._PARAMS})

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in self._PARAMS}

    # --- fitting ---------------------------------------------------------------------------------

    def fit(self, paths: pd.DataFrame | EncodedPaths, channels: pd.DataFrame | None = None) -> IncrementalModel:
        """Fit on aggregated paths (conversions against nulls). ``channels`` (channel, group) names the
        organic channels when ``organic`` is None."""
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        if self.anchored_nulls:
            encoded = drop_null_anchors(encoded)
        Incremental(**self.get_params())  # validates the settings
        self.organic_ = resolve_organic(self.organic, channels)
        self.targeted_ = resolve_targeted(self.targeted, channels, self.organic_)
        grid = (self.recency_decay,) if self.recency_decay is not None else tuple(sorted(set(self.decay_grid)))
        y_all, n_all = encoded.conversions, encoded.nulls
        self.log_likelihoods_ = {}
        best, w_start = None, None
        for decay in grid:
            feats = exposure_features(encoded, self.organic_, decay, self.targeted_)
            use = (feats.treated | (feats.untouched & bool(self.anchored_nulls))) & ((y_all + n_all) > 0)
            X, y, n = feats.X[use], y_all[use], n_all[use]
            if w_start is None:
                rate = y.sum() / max(y.sum() + n.sum(), 1.0)
                b0 = -np.log1p(-min(max(rate, 1e-6), 1 - 1e-6))
                w_start = np.full(X.shape[1], 0.1 * b0)
                w_start[0] = 0.5 * b0
            if y.sum() > 0:
                w, ll, res = _fit_weights(X, y, n, w_start, self.max_iter)
            else:  # nothing converts after a credited touch: every channel has hazard 0
                w, ll, res = np.where(np.arange(X.shape[1]) == 0, _MIN_INTERCEPT, 0.0), 0.0, None
            self.log_likelihoods_[float(decay)] = float(ll)
            if best is None or ll > best[1] + 1e-9 * abs(ll):
                best = (decay, ll, w, res, feats)
            w_start = w
        decay, ll, w, res, feats = best
        self.recency_decay_ = float(decay)
        self.log_likelihood_ = float(ll)
        self.n_iter_ = int(res.nit) if res is not None else 0
        self.converged_ = bool(res.success) if res is not None else True
        self.channels_ = encoded.channels
        self.credited_ = feats.credited
        cc = feats.channel_columns
        self.coef_ = pd.Series(w[cc], index=list(feats.credited), name="hazard")
        base = feats.baseline_mask()
        self.baseline_coef_ = pd.Series(w[base], index=[c for c, b in zip(feats.columns, base) if b],
                                        name="baseline_hazard")
        self._w = w
        self._columns = feats.columns
        return self

    # --- prediction and credit -------------------------------------------------------------------

    def _design(self, encoded: EncodedPaths) -> tuple[Features, np.ndarray]:
        """Features of ``encoded`` and the fitted weights aligned with their columns (0 for unseen ones)."""
        feats = exposure_features(encoded, self.organic_, self.recency_decay_, self.targeted_)
        fitted = dict(zip(self._columns, self._w))
        return feats, np.array([fitted.get(c, 0.0) for c in feats.columns])

    def _hazards(self, feats: Features, w: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Baseline hazard per path and the channel hazards ``θ_c h_c`` (paths × credited channels)."""
        cc = feats.channel_columns
        effects = (feats.X[:, cc] @ sparse.diags(w[cc])).tocsr()
        effects.eliminate_zeros()
        base = feats.baseline_mask()
        return feats.X[:, base] @ w[base], effects

    def predict_proba(self, paths: pd.DataFrame | EncodedPaths) -> pd.DataFrame:
        """Per distinct path: ``p`` = p(S | z) and ``p_baseline`` = p(∅ | z)."""
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        feats, w = self._design(encoded)
        base, effects = self._hazards(feats, w)
        full = base + np.asarray(effects.sum(axis=1)).ravel()
        return pd.DataFrame({"path": encoded.paths, "p": -np.expm1(-full), "p_baseline": -np.expm1(-base)})

    def credit(self, paths: pd.DataFrame | EncodedPaths) -> IncrementalCredit:
        """Shapley credit of every converting path (see the module docstring)."""
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        feats, w = self._design(encoded)
        base_hazard, effects = self._hazards(feats, w)
        conv = encoded.conversions > 0
        effects = (sparse.diags(conv.astype(float)) @ effects).tocsr()
        effects.eliminate_zeros()
        n_paths, n_cred = encoded.n_paths, len(feats.credited)
        m = np.diff(effects.indptr)
        p_base = -np.expm1(-base_hazard)
        p_full = -np.expm1(-(base_hazard + np.asarray(effects.sum(axis=1)).ravel()))

        shares = np.zeros(effects.nnz)  # φ_c / p(S), aligned with effects.data
        var = np.zeros(n_cred + 1)
        n_sampled = 0
        for size in (int(k) for k in np.unique(m[m > 0])):
            rows = np.flatnonzero(m == size)
            pos = effects.indptr[rows][:, None] + np.arange(size)[None, :]
            if size <= self.exact_max:
                step = max(1, _CHUNK >> size)
                for lo in range(0, len(rows), step):
                    sel, at = rows[lo:lo + step], pos[lo:lo + step]
                    v = np.exp(-base_hazard[sel])[:, None] * -np.expm1(-subset_sums(effects.data[at]))
                    shares[at] = shapley_exact(v) / p_full[sel][:, None]
            else:
                for k, i in enumerate(rows):
                    a, q0 = effects.data[pos[k]], np.exp(-base_hazard[i])
                    res = shapley_sampled(lambda masks, a=a, q0=q0: q0 * -np.expm1(-(masks @ a)), size,
                                          n_permutations=self.n_permutations, seed=self.seed + int(i))
                    shares[pos[k]] = res.values / p_full[i]
                    var[effects.indices[pos[k]]] += (encoded.conversions[i] * res.standard_error / p_full[i]) ** 2
                    n_sampled += 1

        channel_part = sparse.csr_matrix((shares, effects.indices, effects.indptr), shape=(n_paths, n_cred))
        base_share = np.where(conv, np.divide(p_base, p_full, out=np.ones(n_paths), where=p_full > 0), 0.0)
        base_share[conv & (feats.untouched | ~feats.treated)] = 1.0
        weights = sparse.hstack([channel_part, sparse.csr_matrix(base_share[:, None])], format="csr")
        return IncrementalCredit(feats.credited + (BASELINE,), weights, weights.T @ encoded.conversions,
                                 weights.T @ encoded.value, np.sqrt(var), n_sampled)


def _of_group(channels: pd.DataFrame | None, group: str) -> tuple[str, ...]:
    if channels is None or "group" not in channels.columns:
        return ()
    groups = channels["group"].astype(str).str.lower()
    return tuple(sorted(channels.loc[groups == group.lower(), "channel"].astype(str)))


def resolve_organic(organic: tuple[str, ...] | None, channels: pd.DataFrame | None) -> tuple[str, ...]:
    """The navigational channels: as given, else the channels table's group ``organic``, else none."""
    return tuple(sorted(set(organic))) if organic is not None else _of_group(channels, "organic")


def resolve_targeted(targeted: tuple[str, ...] | None, channels: pd.DataFrame | None,
                     organic: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The channels that target shop visitors: as given, else the channels table's group ``paid``, else none."""
    chosen = set(targeted) if targeted is not None else set(_of_group(channels, "paid"))
    return tuple(sorted(chosen - set(organic)))


__all__ = ["Features", "IncrementalCredit", "IncrementalModel", "drop_null_anchors", "exposure_features",
           "resolve_organic", "resolve_targeted"]
