"""Incremental attribution: a conversion-probability model with a baseline, credited by Shapley values.

**Model.** A journey with credited exposures ``S`` and covariates ``z`` converts with probability

    p(S | z) = F(η),   η = λ(z) + Σ_{c ∈ S} θ_c·h_c + Σ_{c < d ∈ S} ψ_cd,
    λ(z) = β₀ + Σ_o β_o·z_o + Σ_c τ_c·g_c,          θ, ψ, β_o, τ ≥ 0,

with ``F`` the link: ``noisy_or`` (``1 − e^{−η}``: additive hazards, each exposure an independent
cause) or ``logistic`` (``1 / (1 + e^{−η})``, effects add on the log-odds as in Shao & Li 2011).
``λ`` is the baseline (what converts without the credited exposures), ``θ_c·h_c`` channel ``c``'s
effect and ``ψ_cd`` a synergy of two channels on one path. Organic (navigational) channels, named
by the channels table or ``organic``, are never credited.

* **exposure with diminishing returns and recency**: ``h_c = log₂(1 + Σ_t δ^{r_t})`` over the credited
  touches ``t`` of ``c``, ``r_t`` = credited touches after ``t`` (0 for the latest), so one latest
  touch gives ``h = 1`` (``δ = 1``: no recency).

Each of the following is a **hypothesis** that a setting switches on or off; left unset, the data
choose (below):

* ``intent``: organic touches *before* the first credited touch show intent that existed before any
  ad: ``z_o = log₂(1 + count)`` (pre-treatment). Touches after it may be caused by the ads and are
  never conditioned on. Off: organic touches are ignored.
* ``targeting``: after a journey's first touch the shopper has visited the shop, and ad platforms
  build audiences from visitors (retargeting). An exposure after the first touch (*warm*, ``g_c`` =
  the same sum over warm touches) may have been shown *because* the shopper was interested: its
  association beyond a cold exposure's, ``τ_c``, is selection and counts as baseline, and
  **targeted** channels (paid platforms by default) are credited only for reaching a shopper first.
  Off: every exposure is credited alike.
* ``interactions``: ``ψ_cd`` for every pair of credited channels seen together on a path. Off: none.
* ``truncation`` (logistic link only): a converting window ends at the order, a non-converting one
  runs to the end of the period, so converting paths are shorter whatever the ads do (most
  exported paths files are cut this way). A baseline term ``κ·log₂(1 + touches)`` of either sign
  absorbs it, so shortness is not read as the effect of early touches.
* ``latent_intent`` (:mod:`attribution.latent_intent`): shoppers fall into two unseen audiences; the
  high-intent one has a higher baseline (``η + α``) and is reached more often (organic visits,
  harvest channels), channel effects are shared. Conversion given the path averages over the class
  posterior ``P(c | x)`` from the exposure counts, and so does the credit (each class's Shapley
  split with its own baseline).
* ``link`` and ``recency_decay`` as above.

One more hypothesis replaces the exposure model as a whole rather than adding a term to it:

* ``chain`` (**journeys as an absorbing chain**, Anderl, Becker, von Wangenheim & Schumann 2016):
  every touch is a step of a journey that moves from channel to channel and ends, absorbed, in a
  conversion or in leaving (null); a touch is what carries the journey on, so without channel ``c``
  a journey that would have reached ``c`` ends there, unconverted. If the chain is of first order
  its absorption depends only on the state it is absorbed from, the path's *last* touch ``ℓ``:

      p(path) = q_ℓ = P(conversion | absorbed from ℓ),

  whatever came before (exposure counts, recency, pairs say nothing once ``ℓ`` is known). ``q`` is
  estimated per last channel (organic ones and ``(none)`` included) as ``(y_ℓ + q̄)/(y_ℓ + n_ℓ + 1)``
  (one pseudo-journey at the pooled rate ``q̄``, so a state unseen in training is not certain).
  Removal ends a journey at the removed channel, so a converting path survives the removal of
  ``T``'s complement exactly when all its credited channels ``S`` are in ``T``: its game is
  ``v(T) = p·1[S ⊆ T]`` (a unanimity game), whose Shapley value gives each distinct credited channel
  on the path ``1/|S|`` of it, and ``p(∅) = 0`` on any path with a credited touch. Summed over paths
  this is the Shapley split of the chain's own removal game ``P(conversion | only T kept) −
  P(conversion | none kept)``; conversions on organic-only and ``(none)`` paths are baseline.
  It needs every path to be a whole journey ending at its absorption, so it is not offered for
  anchored tables (whose non-converting windows end at a touch the table's builder chose).

**Selection** (:func:`select_specification`). Unset hypotheses are chosen by held-out
log-likelihood of conversion: each distinct path's conversions and non-conversions are split
binomially into ``cv_folds`` folds (after thinning to at most ``cv_journeys`` journeys, so the
choice costs a bounded number of small fits), each candidate is fitted on all folds but one and
scored on the one left out, and the search moves one hypothesis at a time (coordinate ascent from
the simplest specification: noisy-OR, every hypothesis off, δ = 1) while the mean held-out
log-likelihood per journey improves; a move that switches a hypothesis *on* must win by two
standard errors of the paired difference (over paths × folds), so weakly supported stories stay
off. After the exposure hypotheses, ``latent_intent`` (two unseen audiences, :mod:`attribution.latent_intent`)
is tried on the chosen specification where the exposure counts alone show two audiences (never for
anchored tables, whose non-converting paths lose a touch in the fit and so differ in counts by
construction); if it wins
(by two standard errors) the ascent is run again with it on from the simplest specification (the
mixture explains what path length or retargeting may have stood in for) and the better of the two
is kept. Then the ``chain`` hypothesis (last-state conversion) is scored on
the same folds and replaces the chosen exposure specification only if it beats it by two standard
errors of the paired difference in the same way. The random split of a path
depends on the path's shape (its channels relabelled by first appearance and their roles), its
counts and ``seed`` only: the choice is deterministic and does not change when channels are
renamed, rows reordered or split. The chosen specification is then fitted on all paths, and the
choice with every candidate's score is kept in ``selection_``.

**That the ads have any effect** is a hypothesis too, tested last (when the chain was not chosen):
the chosen exposure specification is kept only if it beats the same specification without channel
and synergy terms (θ = ψ = 0, the baseline terms refitted) by two standard errors of the paired
difference; otherwise that null model is chosen and every conversion is baseline. Without this
test, effects bounded at θ ≥ 0 turn any residual positive association into credit: in a world
where ads do nothing but converting paths are cut short at the order, the truncation term
``κ·log₂(1 + touches)`` is close to but not exactly the true shape (the log-odds a uniform
conversion time implies is convex in it), and the channel terms, ``log₂(1 + count)`` of the same
touches, take up the curvature as a few per cent of "incremental" conversions.

**Fit.** Weighted maximum likelihood over distinct paths (their conversions ``y`` against their
non-conversions ``n``); both negative log-likelihoods are convex in ``η = Xw`` and the bounds are a
box, so L-BFGS-B reaches the unique optimum; the fit is deterministic.

* **Anchored non-conversions**. A paths table built by :mod:`attribution.journeys` says
  ``null_window = anchored``: a non-converting journey is the window before the user's *last
  touch*, which is therefore on every non-converting path by construction, not by exposure. Left
  in, it gives non-converting paths one touch more than converting paths of the same exposure, and
  more touches look like fewer conversions. The fit therefore counts each non-conversion on its
  path without the last touch (a one-touch path becomes ``(none)``, the unexposed control), and
  leaves out organic-only paths (their last organic visit is usually the purchase itself). Credit is
  unchanged: converting paths keep every touch. A table that does not say it is anchored (every
  table from elsewhere) is taken as it is: every path, ``(none)`` and organic-only ones included,
  is a window of exposure with its outcome.

**Credit.** For a converting path with credited channels ``S`` the game ``v(T) = p(T|z) − p(∅|z)``,
``T ⊆ S``, has exact Shapley values ``φ_c`` (Shapley 1953; :mod:`attribution.shapley`) with
``Σ φ_c = p(S|z) − p(∅|z)``. The path's conversions and value go ``p(∅|z)/p(S|z)`` to the
baseline and ``φ_c/p(S|z)`` to channel ``c``: totals are conserved, a channel not on the path gets
nothing, channels with equal effects on a path get equal credit. Paths with more than
``exact_max`` credited channels use sampled orderings and report standard errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse
from scipy.special import bdtr, bdtrik, expit

from .journeys import ANCHORED, FULL
from .latent_intent import LatentIntent, channel_counts, fit_latent_intent, shows_two_audiences
from .latent_intent import row_log_likelihood as latent_row_log_likelihood
from .models import BASELINE, LINKS, Incremental
from .paths import NO_TOUCH, EncodedPaths, _join, encode_paths
from .shapley import shapley_exact, shapley_sampled, subset_sums

_MAX_COEF = 30.0
"""upper bound of every coefficient (a hazard of 30 is a probability of 1 − 1e-13)"""
_MIN_INTERCEPT = 1e-9
_CHUNK = 1 << 22  # subset values evaluated per batch of paths
LENGTH = "(path length)"
"""baseline column of the truncation hypothesis; its coefficient may be negative (logistic link only)"""
_MIN_GAIN = 1e-6
"""a move of the selection must raise the held-out log-likelihood by this much per journey (and a move
that adds a hypothesis by two standard errors of the paired difference)"""


@dataclass(frozen=True)
class Spec:
    """One specification of the model (the hypotheses of the module docstring)."""

    link: str = "noisy_or"
    intent: bool = True
    targeting: bool = True
    interactions: bool = False
    recency_decay: float = 1.0
    truncation: bool = False
    latent_intent: bool = False
    """two unseen audiences (:mod:`attribution.latent_intent`): a class that shifts the baseline and the
    exposure rates"""
    chain: bool = False
    """journeys as an absorbing chain (conversion by the last touch, credit by removal); the other
    hypotheses then do not apply"""
    effects: bool = True
    """the credited exposures may change conversion; off: the null model (no channel or synergy term, every
    conversion baseline)"""

    def describe(self) -> str:
        if not self.effects:
            return "no effect (every conversion baseline)"
        if self.chain:
            return "absorbing chain (conversion by the last touch, credit by removal)"
        return (f"{self.link}, intent {'on' if self.intent else 'off'}, targeting {'on' if self.targeting else 'off'}, "
                f"interactions {'on' if self.interactions else 'off'}, δ = {self.recency_decay:g}, "
                f"truncation {'on' if self.truncation else 'off'}"
                + (", latent intent on" if self.latent_intent else ""))


@dataclass(frozen=True)
class Selection:
    """How the specification was chosen: every candidate tried and its mean held-out log-likelihood
    per journey (higher is better), in the order tried."""

    chosen: Spec
    score: float
    """mean held-out log-likelihood per journey of ``chosen``"""
    candidates: tuple[tuple[Spec, float], ...]
    folds: int
    journeys: float
    """journeys in the (thinned) selection sample"""
    free: tuple[str, ...]
    """the hypotheses of the exposure model the data chose (the others were fixed by the settings)"""
    chain_free: bool = False
    """the data chose between the exposure model and the absorbing chain (``chain`` unset)"""
    latent_free: bool = False
    """the data chose whether to add the two-class intent mixture (``latent_intent`` unset)"""

    @property
    def runner_up(self) -> tuple[Spec, float] | None:
        others = [(s, v) for s, v in self.candidates if s != self.chosen]
        return max(others, key=lambda x: x[1]) if others else None


@dataclass(frozen=True)
class Features:
    """Design of the conversion model for a set of paths: ``X = [1 | z | h | g | pairs]``."""

    X: sparse.csr_matrix
    columns: tuple[str, ...]
    """``(intercept)``, ``pre:<organic>`` …, ``<channel>`` …, ``targeting:<channel>`` …, ``<c> × <d>`` …"""
    n_pre: int
    """``1 + len(z)``: the intercept and the pre-treatment columns come first"""
    credited: tuple[str, ...]
    """credited channels: the ``h`` columns, and in the same order the ``g`` (targeting) columns"""
    credited_codes: np.ndarray
    untouched: np.ndarray
    """bool per path: the ``(none)`` path (a conversion without touches)"""
    treated: np.ndarray
    """bool per path: at least one credited touch"""
    pairs: tuple[tuple[int, int], ...] = ()
    """synergy columns (the last ones): pairs ``(i, j)``, ``i < j``, of indices into ``credited``"""

    @property
    def channel_columns(self) -> slice:
        return slice(self.n_pre, self.n_pre + len(self.credited))

    @property
    def pair_columns(self) -> slice:
        return slice(len(self.columns) - len(self.pairs), len(self.columns))

    @property
    def signed(self) -> np.ndarray:
        """bool per column: the coefficient may be negative (the truncation column)."""
        return np.array([c == LENGTH for c in self.columns])

    def baseline_mask(self) -> np.ndarray:
        mask = np.ones(len(self.columns), dtype=bool)
        mask[self.channel_columns] = False
        mask[self.pair_columns] = False
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
                      targeted: tuple[str, ...] = (), *, intent: bool = True, targeting: bool = True,
                      pairs: tuple[tuple[str, str], ...] | None = (), truncation: bool = False) -> Features:
    """Design matrix ``[1 | z | h | g | pairs]`` of every path (see the module docstring). No ``z``
    columns without ``intent``; no ``g`` columns and no first-touch rule without ``targeting``.
    ``pairs``: synergy columns by channel names; ``None``: every pair of credited channels present
    together on some path."""
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
    causal = cred_step & ~(warm & _codes(encoded, targeted if targeting else ())[encoded.steps])

    org_codes = np.array([c for c in np.flatnonzero(is_org) if encoded.channels[c] != NO_TOUCH and intent],
                         dtype=np.int64)
    cred_codes = np.flatnonzero(~is_org)
    n_org, n_cred = len(org_codes), len(cred_codes)
    col = np.full(encoded.n_channels, -1, dtype=np.int64)
    col[org_codes] = np.arange(n_org)
    col[cred_codes] = np.arange(n_cred)

    def block(mask: np.ndarray, weights: np.ndarray, n_cols: int) -> sparse.csr_matrix:
        m = sparse.csr_matrix((weights, (row[mask], col[encoded.steps[mask]])), shape=(n_paths, n_cols))
        m.data = np.log2(1.0 + m.data)
        m.eliminate_zeros()
        return m

    pre_kept = pre & (col[encoded.steps] >= 0) & is_org[encoded.steps]
    z = block(pre_kept, np.ones(int(pre_kept.sum())), n_org)
    recency = np.power(float(decay), r.astype(float))  # per credited step
    h = block(causal, recency[causal[cred_step]], n_cred)
    names = encoded.channels
    credited = tuple(names[c] for c in cred_codes)
    blocks = [sparse.csr_matrix(np.ones((n_paths, 1))), z]
    columns = ("(intercept)",) + tuple(f"pre:{names[c]}" for c in org_codes)
    if truncation:  # touches on the path, whatever their channel: how long the window ran before it ended
        touches = np.bincount(row, weights=(encoded.steps != encoded.code(NO_TOUCH)), minlength=n_paths)
        blocks.append(sparse.csr_matrix(np.log2(1.0 + touches)[:, None]))
        columns += (LENGTH,)
    blocks.append(h)
    columns += credited
    if targeting:
        blocks.append(block(warm, recency[warm[cred_step]], n_cred))
        columns += tuple(f"targeting:{c}" for c in credited)
    present = (h > 0).astype(float).tocsc()
    if pairs is None:
        together = sparse.triu(present.T @ present, k=1).tocoo()
        index_pairs = tuple(sorted(zip(together.row.tolist(), together.col.tolist())))
    else:
        where = {c: i for i, c in enumerate(credited)}
        index_pairs = tuple(sorted((min(where[a], where[b]), max(where[a], where[b]))
                                   for a, b in pairs if a in where and b in where))
    if index_pairs:
        blocks.append(sparse.hstack([present[:, i].multiply(present[:, j]) for i, j in index_pairs], format="csr"))
        columns += tuple(f"{credited[i]} × {credited[j]}" for i, j in index_pairs)
    X = sparse.hstack(blocks, format="csr")
    none_code = encoded.code(NO_TOUCH)
    untouched = np.zeros(n_paths, dtype=bool)
    if none_code >= 0:
        untouched = np.bincount(row, weights=(encoded.steps != none_code), minlength=n_paths) == 0
    treated = np.bincount(row[cred_step], minlength=n_paths) > 0
    return Features(X, columns, 1 + n_org + int(truncation), credited, cred_codes, untouched, treated, index_pairs)


# --- likelihood and fit -------------------------------------------------------------------------------


def _inverse_link(link: str, eta: np.ndarray) -> np.ndarray:
    return -np.expm1(-eta) if link == "noisy_or" else expit(eta)


def log_likelihood(link: str, eta: np.ndarray, y: np.ndarray, n: np.ndarray) -> float:
    """``Σ y log p + n log(1 − p)`` with ``p = F(η)``."""
    return float(np.sum(_row_log_likelihood(link, eta, y, n)))


def _row_log_likelihood(link: str, eta: np.ndarray, y: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if link == "noisy_or":
            log_p = np.where(y > 0, np.log(-np.expm1(-eta)), 0.0)
            return y * log_p - n * eta
        return -y * np.logaddexp(0.0, -eta) - n * np.logaddexp(0.0, eta)


def _neg_loglik(w: np.ndarray, X: sparse.csr_matrix, y: np.ndarray, n: np.ndarray, scale: float, link: str):
    # elementwise products and sums, not BLAS dot: a threaded ddot stalls when the cores are busy
    eta = X @ w
    if link == "noisy_or":
        with np.errstate(divide="ignore"):
            f = float(np.sum(n * eta)) - float(np.sum(y * np.log(-np.expm1(-eta))))
        grad = X.T @ (n - np.divide(y, np.expm1(eta), out=np.zeros_like(eta), where=y > 0))
    else:
        f = float(np.sum(y * np.logaddexp(0.0, -eta))) + float(np.sum(n * np.logaddexp(0.0, eta)))
        grad = X.T @ ((y + n) * expit(eta) - y)
    return f / scale, grad / scale


def _bounds(X, link: str, signed_columns) -> list[tuple[float, float]]:
    """Box of the weights: the intercept (positive for noisy-OR), signed columns free, the others ≥ 0,
    columns without support in ``X`` fixed at 0."""
    support = np.asarray(abs(X).sum(axis=0)).ravel() > 0
    lower = [(_MIN_INTERCEPT if link == "noisy_or" else -_MAX_COEF, _MAX_COEF)]
    return lower + [(-_MAX_COEF if signed else 0.0, _MAX_COEF) if s else (0.0, 0.0)
                    for s, signed in zip(support[1:], signed_columns[1:])]


def _fit_weights(X, y, n, link: str, max_iter: int, signed_columns=None):
    """Maximum-likelihood weights (and the log-likelihood) of ``link`` on design ``X``; columns
    without support in the rows fitted stay 0."""
    from scipy.optimize import minimize  # imported here: scipy.optimize is slow to import and only fitting needs it

    total = float(y.sum() + n.sum())
    rate = min(max(y.sum() / max(total, 1.0), 1e-6), 1 - 1e-6)
    b0 = -np.log1p(-rate) if link == "noisy_or" else float(np.log(rate / (1 - rate)))
    support = np.asarray(abs(X).sum(axis=0)).ravel() > 0
    signed_columns = np.zeros(X.shape[1], dtype=bool) if signed_columns is None else signed_columns
    w0 = np.where(support & ~signed_columns, 0.1 * abs(b0) if link == "noisy_or" else 0.1, 0.0)
    w0[0] = 0.5 * b0 if link == "noisy_or" else b0
    bounds = _bounds(X, link, signed_columns)
    if y.sum() <= 0:  # nothing converts: every effect is 0 and the baseline as small as allowed
        w = np.where(np.arange(X.shape[1]) == 0, bounds[0][0], 0.0)
        return w, log_likelihood(link, X @ w, y, n), None
    res = minimize(_neg_loglik, w0, args=(X, y, n, total or 1.0, link), jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30})
    return res.x, -res.fun * (total or 1.0), res


# --- the absorbing chain -------------------------------------------------------------------------------


def last_touch(encoded: EncodedPaths) -> np.ndarray:
    """Channel code of each path's last touch (``n_channels`` for a path without steps)."""
    out = np.full(encoded.n_paths, encoded.n_channels, dtype=np.int64)
    has = encoded.lengths > 0
    out[has] = encoded.steps[encoded.offsets[1:][has] - 1]
    return out


def plain_exposures(encoded: EncodedPaths, organic: tuple[str, ...]) -> Features:
    """The exposure design with no hypothesis on (δ = 1, no intent, no targeting): what the absorbing chain
    reads from it is which credited channels each path holds, and which paths are treated."""
    return exposure_features(encoded, organic, 1.0, (), intent=False, targeting=False)


def chain_rates(last: np.ndarray, y: np.ndarray, n: np.ndarray, n_states: int) -> np.ndarray:
    """``q_ℓ = (y_ℓ + q̄)/(y_ℓ + n_ℓ + 1)`` per last touch ``ℓ`` (``q̄`` the pooled rate; see the module
    docstring), clipped away from 0 and 1."""
    conv = np.bincount(last, weights=y, minlength=n_states)
    null = np.bincount(last, weights=n, minlength=n_states)
    pooled = float(conv.sum()) / max(float(conv.sum() + null.sum()), 1.0)
    return np.clip((conv + pooled) / (conv + null + 1.0), 1e-12, 1.0 - 1e-12)


def _chain_row_log_likelihood(q: np.ndarray, y: np.ndarray, n: np.ndarray) -> np.ndarray:
    return y * np.log(q) + n * np.log1p(-q)


# --- selection -----------------------------------------------------------------------------------------

_U64 = np.uint64


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    z = (x + _U64(0x9E3779B97F4A7C15)).astype(np.uint64)
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def shape_keys(encoded: EncodedPaths, roles: np.ndarray) -> np.ndarray:
    """A uint64 per path from its shape: its channels relabelled by first appearance, each with its
    role (``roles``: small int per channel code), and its length. Renaming channels of the same
    role leaves every key unchanged."""
    row, steps, pos = encoded.row, encoded.steps.astype(np.int64), encoded.position
    if not len(steps):
        return np.zeros(encoded.n_paths, dtype=np.uint64)
    pair = row.astype(np.int64) * (encoded.n_channels + 1) + steps
    uniq, first = np.unique(pair, return_index=True)  # flat order is (path, position): first = earliest
    order = np.lexsort((pos[first], row[first]))
    rank = np.empty(len(first), dtype=np.int64)
    starts = np.searchsorted(row[first][order], row[first][order], side="left")
    rank[order] = np.arange(len(first)) - starts
    label = rank[np.searchsorted(uniq, pair)]
    with np.errstate(over="ignore"):
        token = (label * 8 + roles[steps] + 1).astype(np.uint64)
        mult = np.power(_U64(0x100000001B3), pos.astype(np.uint64))
        h = np.add.reduceat(token * mult, encoded.offsets[:-1][encoded.lengths > 0].astype(np.int64))
        out = np.zeros(encoded.n_paths, dtype=np.uint64)
        out[encoded.lengths > 0] = h
        return _mix(out ^ _mix(encoded.lengths.astype(np.uint64)))


def _uniforms(keys: np.ndarray, counts: np.ndarray, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = _mix(keys ^ _mix(np.frombuffer(np.asarray(counts, dtype=np.float64).tobytes(), dtype=np.uint64)
                             ^ _U64(salt & 0xFFFFFFFFFFFF)))
    return ((z >> _U64(11)).astype(np.float64) + 0.5) * 2.0**-53


def split_counts(counts: np.ndarray, keys: np.ndarray, folds: int, fraction: float, seed: int, salt: int) -> np.ndarray:
    """(folds, paths): each path's ``counts`` thinned binomially to ``fraction`` and split
    multinomially into ``folds`` folds (whole counts; a fractional part is spread evenly)."""
    counts = np.asarray(counts, dtype=float)
    whole = np.floor(counts)
    frac = counts - whole
    kept = whole if fraction >= 1 else _binomial(_uniforms(keys, counts, seed * 7919 + salt * 131 + 1), whole, fraction)
    out = np.empty((folds, len(counts)))
    left = kept
    for k in range(folds - 1):
        draw = _binomial(_uniforms(keys, counts, seed * 7919 + salt * 131 + 2 + k), left, 1.0 / (folds - k))
        out[k] = draw
        left = left - draw
    out[folds - 1] = left
    return out + frac * min(fraction, 1.0) / folds


def _binomial(u: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """The ``u`` quantile of Binomial(n, p) (as ``scipy.stats.binom.ppf``, without importing scipy.stats)."""
    if p >= 1:
        return n.copy()
    with np.errstate(invalid="ignore"):
        k = np.ceil(np.nan_to_num(bdtrik(u, n, p)))
    k = np.clip(k, 0, n)
    below = np.maximum(k - 1, 0)
    k = np.where((k > 0) & (bdtr(below.astype(np.int64), n.astype(np.int64), p) >= u), below, k)
    return np.where(n > 0, k, 0.0)


def select_specification(encoded: EncodedPaths, organic: tuple[str, ...], targeted: tuple[str, ...],
                         settings: Incremental, use_untouched: bool, use_organic_only: bool) -> Selection:
    """Choose the unset hypotheses of ``settings`` by cross-validated held-out log-likelihood (see
    the module docstring). ``encoded``: the paths as the fit counts them. Truncation is no hypothesis
    for anchored tables (``use_organic_only`` false): dropping the anchor already compares like windows;
    nor is the absorbing chain (an anchored non-converting window does not end at its absorption), nor the
    latent intent mixture (the fit drops one touch from every non-converting path only, so a path's touch
    counts tell its outcome by construction and the class posterior would read it)."""
    free = tuple(name for name in ("link", "targeting", "intent", "interactions", "recency_decay", "truncation")
                 if getattr(settings, name) is None and not (name == "truncation" and not use_organic_only))
    chain_free = settings.chain is None and use_organic_only
    latent_free = settings.latent_intent is None and use_organic_only
    start = Spec(  # the simplest specification: a hypothesis is on only when the data ask for it
        link=settings.link or "noisy_or",
        intent=bool(settings.intent),
        targeting=bool(settings.targeting),
        interactions=bool(settings.interactions),
        recency_decay=settings.recency_decay if settings.recency_decay is not None else 1.0,
        truncation=bool(settings.truncation),
        latent_intent=bool(settings.latent_intent),
    )
    if start.truncation and start.link != "logistic":
        raise ValueError("incremental: truncation needs the logistic link (a negative hazard is no probability)")
    if settings.chain:
        return Selection(replace(start, chain=True), float("nan"), (), 0, 0.0, ())
    if not free and not chain_free and not latent_free:
        return Selection(start, float("nan"), (), 0, 0.0, ())
    org_set, tgt_set = set(organic), set(targeted)
    roles = np.array([1 if c in org_set else 2 if c in tgt_set else 0 for c in encoded.channels] + [0], dtype=np.int64)
    keys = shape_keys(encoded, roles)
    y_all, n_all = encoded.conversions, encoded.nulls
    total = float(y_all.sum() + n_all.sum())
    fraction = min(1.0, settings.cv_journeys / max(total, 1.0))
    folds = int(settings.cv_folds)
    y_f = split_counts(y_all, keys, folds, fraction, settings.seed, 1)
    n_f = split_counts(n_all, keys, folds, fraction, settings.seed, 2)
    keep = (y_f.sum(axis=0) + n_f.sum(axis=0)) > 0
    sample = encoded.subset(keep)
    y_f, n_f = y_f[:, keep], n_f[:, keep]
    cache: dict[Spec, float] = {}
    per_row: dict[Spec, np.ndarray] = {}
    design: dict[tuple, tuple[Features, np.ndarray]] = {}

    last = last_touch(sample)

    def score(spec: Spec) -> float:
        if spec in cache:
            return cache[spec]
        if spec.chain:
            return score_chain(spec)
        key = (spec.intent, spec.targeting, spec.interactions, spec.recency_decay, spec.truncation)
        latent = spec.latent_intent
        if key not in design:
            feats = exposure_features(sample, organic, spec.recency_decay, targeted, intent=spec.intent,
                                      targeting=spec.targeting, pairs=None if spec.interactions else (),
                                      truncation=spec.truncation)
            design[key] = (feats, fit_rows(feats, use_untouched, use_organic_only))
        feats, use = design[key]
        X = (feats if spec.effects else without_effects(feats)).X[use]
        ll, journeys, rows_ll = 0.0, 0.0, []
        counts = channel_counts(sample)[use] if latent else None
        for k in range(folds):
            y_tr, n_tr = y_f[:, use].sum(axis=0) - y_f[k, use], n_f[:, use].sum(axis=0) - n_f[k, use]
            rows = (y_tr + n_tr) > 0
            w, _, _ = _fit_weights(X[rows], y_tr[rows], n_tr[rows], spec.link, settings.max_iter, feats.signed)
            if latent:
                w, mix = fit_latent_intent(X[rows], counts[rows], y_tr[rows], n_tr[rows], spec.link, w,
                                           _bounds(X[rows], spec.link, feats.signed))
                rows_ll.append(latent_row_log_likelihood(mix, spec.link, X @ w, counts, y_f[k, use], n_f[k, use]))
            else:
                rows_ll.append(_row_log_likelihood(spec.link, X @ w, y_f[k, use], n_f[k, use]))
            ll += float(rows_ll[-1].sum())
            journeys += float(y_f[k, use].sum() + n_f[k, use].sum())
        cache[spec] = ll / max(journeys, 1.0)
        per_row[spec] = np.concatenate(rows_ll)
        return cache[spec]

    def score_chain(spec: Spec) -> float:
        """The absorbing chain on the same folds and the same rows as the exposure model."""
        feats = plain_exposures(sample, organic)
        use = fit_rows(feats, use_untouched, use_organic_only)
        ll, journeys, rows_ll = 0.0, 0.0, []
        for k in range(folds):
            y_tr, n_tr = y_f[:, use].sum(axis=0) - y_f[k, use], n_f[:, use].sum(axis=0) - n_f[k, use]
            q = chain_rates(last[use], y_tr, n_tr, sample.n_channels + 1)[last[use]]
            rows_ll.append(_chain_row_log_likelihood(q, y_f[k, use], n_f[k, use]))
            ll += float(rows_ll[-1].sum())
            journeys += float(y_f[k, use].sum() + n_f[k, use].sum())
        cache[spec] = ll / max(journeys, 1.0)
        per_row[spec] = np.concatenate(rows_ll)
        return cache[spec]

    def better(candidate: Spec, incumbent: Spec) -> bool:
        """A move that adds a hypothesis must beat the incumbent by two standard errors of the paired
        difference of held-out log-likelihoods (over paths × folds); any other by ``_MIN_GAIN``."""
        gain = score(candidate) - score(incumbent)
        if gain <= _MIN_GAIN:
            return False
        adds = any(getattr(candidate, h) and not getattr(incumbent, h)
                   for h in ("intent", "targeting", "interactions", "truncation", "latent_intent", "chain", "effects"))
        return not adds or _beats_by_two_standard_errors(per_row[candidate] - per_row[incumbent])

    moves = {
        "link": lambda s: [replace(s, link=x, truncation=s.truncation and x == "logistic") for x in LINKS
                           if x != s.link and ("truncation" in free or not s.truncation or x == "logistic")],
        "targeting": lambda s: [replace(s, targeting=not s.targeting)],
        "intent": lambda s: [replace(s, intent=not s.intent)] if organic else [],
        "interactions": lambda s: [replace(s, interactions=not s.interactions)],
        "recency_decay": lambda s: [replace(s, recency_decay=float(d)) for d in sorted(set(settings.decay_grid))
                                    if d != s.recency_decay],
        "truncation": lambda s: ([replace(s, truncation=not s.truncation, link="logistic")]
                                 if "link" in free or s.link == "logistic" else []),
    }
    def ascend(best: Spec) -> Spec:
        for _ in range(3):  # passes of coordinate ascent
            moved = False
            for name in free:
                for candidate in moves[name](best):
                    if better(candidate, best):
                        best, moved = candidate, True
            if not moved:
                break
        return best

    best = ascend(start)
    if latent_free and shows_two_audiences(channel_counts(sample), y_f.sum(axis=0) + n_f.sum(axis=0)) \
            and better(replace(best, latent_intent=True), best):
        # the mixture explains what other hypotheses may have stood in for (path length, retargeting): ascend
        # again with it on from the simplest specification, and keep the better of that and the first move
        first = replace(best, latent_intent=True)
        best = max((first, ascend(replace(start, latent_intent=True))), key=score)
    if chain_free and better(replace(best, chain=True), best):
        best = replace(best, chain=True)
    if not best.chain and not better(best, replace(best, effects=False)):
        best = replace(best, effects=False)  # that the ads have any effect is a hypothesis too: kept only if asked for
    journeys = float(y_f[:, :].sum() + n_f.sum())
    return Selection(best, score(best), tuple(cache.items()), folds, journeys, free, chain_free, latent_free)


def _beats_by_two_standard_errors(d: np.ndarray) -> bool:
    """The paired differences ``d`` of held-out log-likelihoods (over paths × folds) sum to more than two
    standard errors of their sum."""
    return float(d.sum()) > 2.0 * float(np.sqrt(len(d)) * d.std())


def without_effects(feats: Features) -> Features:
    """``feats`` with the channel and synergy columns zeroed: the null model, every conversion baseline (a
    column without support is held at 0 by the fit, so the columns and their order stay)."""
    X = (feats.X @ sparse.diags(feats.baseline_mask().astype(float))).tocsr()
    X.eliminate_zeros()
    return replace(feats, X=X)


def fit_rows(feats: Features, use_untouched: bool, use_organic_only: bool) -> np.ndarray:
    """The paths the likelihood counts: treated ones, ``(none)`` and organic-only ones as asked."""
    organic_only = ~feats.treated & ~feats.untouched
    return feats.treated | (feats.untouched & use_untouched) | (organic_only & use_organic_only)


# --- the model -------------------------------------------------------------------------------------------


class IncrementalModel:
    """The incremental conversion model (scikit-learn conventions: settings in the constructor,
    :meth:`fit` learns, learned state ends in ``_``). Settings and defaults as
    :class:`attribution.models.Incremental`."""

    _PARAMS = ("organic", "targeted", "recency_decay", "decay_grid", "exact_max", "n_permutations", "seed",
               "max_iter", "anchored_nulls", "link", "intent", "targeting", "interactions", "truncation", "chain",
               "latent_intent",
               "cv_folds", "cv_journeys")

    def __init__(self, **settings):
        unknown = set(settings) - set(self._PARAMS)
        if unknown:
            raise TypeError(f"IncrementalModel: unknown settings {sorted(unknown)}")
        defaults = Incremental()
        for k in self._PARAMS:
            setattr(self, k, settings.get(k, getattr(defaults, k)))

    @classmethod
    def from_settings(cls, settings: Incremental) -> IncrementalModel:
        return cls(**{k: v for k, v in asdict(settings).items() if k in cls._PARAMS})

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in self._PARAMS}

    # --- fitting ---------------------------------------------------------------------------------

    def fit(self, paths: pd.DataFrame | EncodedPaths, channels: pd.DataFrame | None = None) -> IncrementalModel:
        """Fit on aggregated paths (conversions against nulls). ``channels`` (channel, group) names the
        organic channels when ``organic`` is None."""
        settings = Incremental(**self.get_params())  # validates the settings
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        anchored = self.anchored_nulls if self.anchored_nulls is not None else encoded.null_window == ANCHORED
        self.null_window_ = ANCHORED if anchored else FULL
        if anchored:
            encoded = drop_null_anchors(encoded)
        self.organic_ = resolve_organic(self.organic, channels)
        self.targeted_ = resolve_targeted(self.targeted, channels, self.organic_)
        use_untouched, use_organic_only = True, not anchored
        self.selection_ = select_specification(encoded, self.organic_, self.targeted_, settings, use_untouched,
                                               use_organic_only)
        spec = self.spec_ = self.selection_.chosen
        if spec.chain:
            return self._fit_chain(encoded, use_untouched, use_organic_only)
        feats = exposure_features(encoded, self.organic_, spec.recency_decay, self.targeted_, intent=spec.intent,
                                  targeting=spec.targeting, pairs=None if spec.interactions else (),
                                  truncation=spec.truncation)
        feats = feats if spec.effects else without_effects(feats)
        use = fit_rows(feats, use_untouched, use_organic_only) & ((encoded.conversions + encoded.nulls) > 0)
        w, ll, res = _fit_weights(feats.X[use], encoded.conversions[use], encoded.nulls[use], spec.link, self.max_iter,
                                  feats.signed)
        self.latent_intent_ = None
        if spec.latent_intent:
            counts = channel_counts(encoded)[use]
            w, mix = fit_latent_intent(feats.X[use], counts, encoded.conversions[use], encoded.nulls[use], spec.link,
                                       w, _bounds(feats.X[use], spec.link, feats.signed))
            self.latent_intent_ = mix.named(encoded.channels)
            ll = float(latent_row_log_likelihood(mix, spec.link, feats.X[use] @ w, counts, encoded.conversions[use],
                                                 encoded.nulls[use]).sum())
        self.link_ = spec.link
        self.recency_decay_ = float(spec.recency_decay)
        self.log_likelihood_ = float(ll)
        self.n_iter_ = int(res.nit) if res is not None else 0
        self.converged_ = bool(res.success) if res is not None else True
        self.channels_ = encoded.channels
        self.credited_ = feats.credited
        self.coef_ = pd.Series(w[feats.channel_columns], index=list(feats.credited), name="effect")
        self.interaction_coef_ = pd.Series(w[feats.pair_columns], index=list(feats.columns[feats.pair_columns]),
                                           name="synergy")
        base = feats.baseline_mask()
        self.baseline_coef_ = pd.Series(w[base], index=[c for c, b in zip(feats.columns, base) if b],
                                        name="baseline")
        self.pairs_ = tuple((feats.credited[i], feats.credited[j]) for i, j in feats.pairs)
        self._w = w
        self._columns = feats.columns
        return self

    def _fit_chain(self, encoded: EncodedPaths, use_untouched: bool, use_organic_only: bool) -> IncrementalModel:
        """The absorbing chain (module docstring): ``q`` per last touch. ``coef_`` holds each credited
        channel's ``q`` as a last touch (there is no η); no baseline or synergy coefficients."""
        feats = plain_exposures(encoded, self.organic_)
        use = fit_rows(feats, use_untouched, use_organic_only) & ((encoded.conversions + encoded.nulls) > 0)
        last = last_touch(encoded)
        q = chain_rates(last[use], encoded.conversions[use], encoded.nulls[use], encoded.n_channels + 1)
        self.chain_rates_ = pd.Series(q, index=list(encoded.channels) + ["(empty)"], name="q")
        y, n = encoded.conversions[use].sum(), encoded.nulls[use].sum()
        self._chain_prior = float(y / max(y + n, 1.0))
        self.link_ = self.spec_.link
        self.recency_decay_ = 1.0
        self.log_likelihood_ = float(_chain_row_log_likelihood(q[last[use]], encoded.conversions[use],
                                                               encoded.nulls[use]).sum())
        self.n_iter_, self.converged_ = 0, True
        self.channels_ = encoded.channels
        self.credited_ = feats.credited
        self.coef_ = pd.Series([float(q[encoded.code(c)]) for c in feats.credited], index=list(feats.credited),
                               name="effect")
        self.interaction_coef_ = pd.Series([], dtype=float, name="synergy")
        self.baseline_coef_ = pd.Series([], dtype=float, name="baseline")
        self.pairs_ = ()
        self._w, self._columns = np.zeros(0), ()
        self.latent_intent_ = None
        return self

    def _chain_q(self, encoded: EncodedPaths) -> np.ndarray:
        """The fitted ``q`` of each path's last touch (the pooled-rate prior for a channel not fitted)."""
        names = list(self.chain_rates_.index[:-1])
        rates = self.chain_rates_.to_numpy()
        prior = self._chain_prior
        by_code = np.array([rates[names.index(c)] if c in names else prior for c in encoded.channels]
                           + [rates[-1]])
        return by_code[last_touch(encoded)]

    def _chain_credit(self, encoded: EncodedPaths) -> IncrementalCredit:
        """Each converting path split equally over its distinct credited channels (the Shapley value of
        ``v(T) = p·1[S ⊆ T]``); organic-only and ``(none)`` paths to the baseline."""
        feats = plain_exposures(encoded, self.organic_)
        conv = encoded.conversions > 0
        present = (sparse.diags(conv.astype(float)) @ (feats.X[:, feats.channel_columns] > 0).astype(float)).tocsr()
        k = np.asarray(present.sum(axis=1)).ravel()
        part = (sparse.diags(np.divide(1.0, k, out=np.zeros_like(k), where=k > 0)) @ present).tocsr()
        base_share = np.where(conv & (k == 0), 1.0, 0.0)
        weights = sparse.hstack([part, sparse.csr_matrix(base_share[:, None])], format="csr")
        return IncrementalCredit(feats.credited + (BASELINE,), weights, weights.T @ encoded.conversions,
                                 weights.T @ encoded.value, np.zeros(len(feats.credited) + 1), 0)

    # --- prediction and credit -------------------------------------------------------------------

    def _design(self, encoded: EncodedPaths) -> tuple[Features, np.ndarray]:
        """Features of ``encoded`` and the fitted weights aligned with their columns (0 for unseen ones)."""
        spec = self.spec_
        feats = exposure_features(encoded, self.organic_, spec.recency_decay, self.targeted_, intent=spec.intent,
                                  targeting=spec.targeting, pairs=self.pairs_, truncation=spec.truncation)
        fitted = dict(zip(self._columns, self._w))
        return feats, np.array([fitted.get(c, 0.0) for c in feats.columns])

    def predict_proba(self, paths: pd.DataFrame | EncodedPaths) -> pd.DataFrame:
        """Per distinct path: ``p`` = p(S | z) and ``p_baseline`` = p(∅ | z)."""
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        if self.spec_.chain:
            q = self._chain_q(encoded)
            treated = plain_exposures(encoded, self.organic_).treated
            return pd.DataFrame({"path": encoded.paths, "p": q, "p_baseline": np.where(treated, 0.0, q)})
        feats, w = self._design(encoded)
        base = feats.X[:, feats.baseline_mask()] @ w[feats.baseline_mask()]
        classes = self._classes(encoded)
        return pd.DataFrame({"path": encoded.paths,
                             "p": sum(r * _inverse_link(self.link_, feats.X @ w + a) for a, r in classes),
                             "p_baseline": sum(r * _inverse_link(self.link_, base + a) for a, r in classes)})

    def _classes(self, encoded: EncodedPaths) -> list[tuple[float, np.ndarray | float]]:
        """``(shift of η, weight per path)`` of each unseen class: one class of weight 1 unless the
        latent intent mixture was chosen (then ``P(c | x)`` of each path)."""
        mix: LatentIntent | None = getattr(self, "latent_intent_", None)
        if mix is None:
            return [(0.0, 1.0)]
        r = mix.path_posterior(encoded)
        return [(0.0, 1.0 - r), (mix.lift, r)]

    def credit(self, paths: pd.DataFrame | EncodedPaths) -> IncrementalCredit:
        """Shapley credit of every converting path (see the module docstring)."""
        encoded = paths if isinstance(paths, EncodedPaths) else encode_paths(paths)
        if self.spec_.chain:
            return self._chain_credit(encoded)
        feats, w = self._design(encoded)
        link = self.link_
        base_mask = feats.baseline_mask()
        base_eta = feats.X[:, base_mask] @ w[base_mask]
        cc = feats.channel_columns
        conv = encoded.conversions > 0
        # players: credited channels exposed on a converting path (with interactions even at zero effect)
        h = (sparse.diags(conv.astype(float)) @ feats.X[:, cc]).tocsr()
        h.eliminate_zeros()
        effects = h.copy()
        effects.data = h.data * w[cc][h.indices]
        pair_w = np.zeros((len(feats.credited), len(feats.credited)))
        for (i, j), v in zip(feats.pairs, w[feats.pair_columns]):
            pair_w[i, j] = pair_w[j, i] = v
        with_pairs = bool((pair_w > 0).any())
        if not with_pairs:
            effects.eliminate_zeros()
        n_paths, n_cred = encoded.n_paths, len(feats.credited)
        m = np.diff(effects.indptr)
        classes = [(a, np.broadcast_to(np.asarray(r, dtype=float), (n_paths,))) for a, r in self._classes(encoded)]
        p_base = sum(r * _inverse_link(link, base_eta + a) for a, r in classes)
        p_full = sum(r * _inverse_link(link, feats.X @ w + a) for a, r in classes)

        def values(b: np.ndarray, eta: np.ndarray) -> np.ndarray:
            """v(T) = F(b + η_T) − F(b), rows of subsets."""
            if link == "noisy_or":
                return np.exp(-b)[:, None] * -np.expm1(-eta)
            return expit(b[:, None] + eta) - expit(b)[:, None]

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
                    a = effects.data[at]
                    if with_pairs:
                        idx = effects.indices[at]
                        eta = _subset_etas(a, pair_w[idx[:, :, None], idx[:, None, :]])
                    else:
                        eta = subset_sums(a)
                    phi = sum(r[sel][:, None] * shapley_exact(values(base_eta[sel] + a, eta)) for a, r in classes)
                    shares[at] = phi / p_full[sel][:, None]
            else:
                for k, i in enumerate(rows):
                    a, b0 = effects.data[pos[k]], base_eta[i:i + 1]
                    idx = effects.indices[pos[k]]
                    B = np.triu(pair_w[idx[:, None], idx[None, :]], 1)

                    def value(masks, a=a, b0=b0, B=B, i=i):
                        mf = masks.astype(float)
                        eta = mf @ a + ((mf @ B) * mf).sum(axis=1)
                        return sum(r[i] * values(b0 + s, eta[None, :])[0] for s, r in classes)

                    res = shapley_sampled(value, size, n_permutations=self.n_permutations, seed=self.seed + int(i))
                    shares[pos[k]] = res.values / p_full[i]
                    var[effects.indices[pos[k]]] += (encoded.conversions[i] * res.standard_error / p_full[i]) ** 2
                    n_sampled += 1

        channel_part = sparse.csr_matrix((shares, effects.indices, effects.indptr), shape=(n_paths, n_cred))
        base_share = np.where(conv, np.divide(p_base, p_full, out=np.ones(n_paths), where=p_full > 0), 0.0)
        base_share[conv & (feats.untouched | ~feats.treated)] = 1.0
        weights = sparse.hstack([channel_part, sparse.csr_matrix(base_share[:, None])], format="csr")
        return IncrementalCredit(feats.credited + (BASELINE,), weights, weights.T @ encoded.conversions,
                                 weights.T @ encoded.value, np.sqrt(var), n_sampled)


def _subset_etas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``η_T = Σ_{i∈T} a_i + Σ_{i<j∈T} b_ij`` for every subset bit mask ``T``: ``a`` (n, m), ``b``
    (n, m, m) symmetric; by doubling, adding player ``i`` to the subsets of players before it."""
    out = np.zeros((a.shape[0], 1))
    for i in range(a.shape[1]):
        add = a[:, i:i + 1] + (subset_sums(b[:, :i, i]) if i else 0.0)
        out = np.concatenate([out, out + add], axis=-1)
    return out


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


__all__ = ["Features", "IncrementalCredit", "IncrementalModel", "Selection", "Spec", "chain_rates", "drop_null_anchors",
           "exposure_features", "last_touch", "log_likelihood", "plain_exposures", "resolve_organic",
           "resolve_targeted", "select_specification", "shape_keys", "split_counts"]
