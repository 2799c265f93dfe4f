"""Model settings: one frozen dataclass per attribution model, and lookup by name.

Names (used by the CLI and in the ``model`` column): ``first_touch``, ``last_touch``,
``last_non_direct``, ``linear``, ``time_decay``, ``position_based``, ``markov_<k>``, ``incremental``.
"""

from __future__ import annotations

from dataclasses import dataclass

from roimix.errors import InputError
from roimix.messages import Message

BASELINE = "(baseline)"
"""Pseudo-channel of the incremental model: conversions that would have happened without any credited touch."""


@dataclass(frozen=True)
class FirstTouch:
    """All credit to the first touch of the path."""

    name = "first_touch"


@dataclass(frozen=True)
class LastTouch:
    """All credit to the last touch of the path."""

    name = "last_touch"


@dataclass(frozen=True)
class LastNonDirect:
    """All credit to the last touch whose channel is not direct; a path of direct touches only credits
    its last touch (Google Analytics' convention).

    ``direct``: the channels that count as direct. ``None``: the channels table's group ``organic``
    (brand search, direct, …, whatever their names); only when no channels table is given (or it has
    no ``group`` column), the channel named ``direct``.
    """

    direct: tuple[str, ...] | None = None
    name = "last_non_direct"


@dataclass(frozen=True)
class Linear:
    """Each touch gets ``1/L`` of its path (a channel touched twice gets two shares), as ChannelAttribution."""

    name = "linear"


@dataclass(frozen=True)
class PositionBased:
    """``first`` to the first touch, ``last`` to the last, the rest split equally among the touches in
    between; a two-touch path splits ``first : last``, a one-touch path gives all to its touch."""

    first: float = 0.4
    last: float = 0.4
    name = "position_based"

    def __post_init__(self):
        if min(self.first, self.last) < 0 or self.first + self.last > 1 or self.first + self.last == 0:
            raise InputError(message=Message("data.err.position_weights", {"first_share": self.first, "last_share": self.last}))


@dataclass(frozen=True)
class TimeDecay:
    """A touch ``Δ`` days before the conversion weighs ``2^(−Δ / half_life_days)``; weights are
    normalised per journey. Needs journeys with timestamps."""

    half_life_days: float = 7.0
    name = "time_decay"

    def __post_init__(self):
        if not self.half_life_days > 0:
            raise InputError(message=Message("data.err.half_life", {"half_life_days": self.half_life_days}))


@dataclass(frozen=True)
class Markov:
    """Markov chain of order ``order`` (1–4) with removal effects, solved exactly (see :mod:`attribution.markov`)."""

    order: int = 1

    def __post_init__(self):
        if self.order not in (1, 2, 3, 4):
            raise InputError(message=Message("data.err.markov_order", {"order": self.order}))

    @property
    def name(self) -> str:
        return f"markov_{self.order}"


LINKS = ("noisy_or", "logistic")
"""How exposures combine into a conversion probability: ``noisy_or`` (additive hazards,
``p = 1 − e^{−η}``) or ``logistic`` (``p = 1 / (1 + e^{−η})``)."""


@dataclass(frozen=True)
class Incremental:
    """Conversion-probability model with a baseline, credited by exact Shapley values of the
    incremental probability (see :mod:`attribution.incremental`).

    ``organic``: navigational channels, never credited. ``None``: the channels table's group
    ``organic`` (none without a table). ``targeted``: channels whose platforms target shoppers who
    already visited (retargeting). ``None``: group ``paid``.

    Hypotheses (each ``None`` is chosen per data set by cross-validated held-out log-likelihood of
    conversion, see :func:`attribution.incremental.select_specification`; a value fixes it):
    ``link``: ``noisy_or`` or ``logistic`` (:data:`LINKS`). ``intent``: organic touches before the
    first credited touch are pre-treatment intent covariates. ``targeting``: a warm exposure's
    association beyond a cold one is selection (baseline), and targeted channels are credited for
    a journey's first touch only. ``interactions``: a synergy term per pair of credited channels
    seen together. ``recency_decay``: weight ``δ^r`` of a touch followed by ``r`` later credited
    touches (``None``: chosen from ``decay_grid``; 1 is no recency). ``truncation``: a converting
    window ends at the order while a non-converting one runs on, so converting paths are shorter
    whatever the ads do; a baseline term in the path's length (either sign; logistic link only)
    absorbs it. ``chain``: journeys are an absorbing chain (Anderl et al. 2016): conversion depends
    on the path's last touch only, and a converting path's credit is split equally over its distinct
    credited channels (removing any of them ends the journey before it converts); chosen against
    the exposure model's best specification, never for anchored tables. ``latent_intent``: shoppers
    fall into two unseen classes that differ in baseline and in how often each channel reaches them
    (:mod:`attribution.latent_intent`); conversion given the path averages over the class posterior,
    channel effects are shared; offered where the exposure counts alone show two audiences, never for
    anchored tables.

    ``anchored_nulls``: non-converting paths end at the touch that anchors their window (as
    :mod:`attribution.journeys` builds them); the fit drops that touch from them. ``None``: as the
    paths table says (its ``null_window`` column; a table without it is not anchored).
    ``cv_folds``: folds of the selection; ``cv_journeys``: the selection runs on a binomial
    subsample of at most this many journeys (the chosen specification is then fitted on all).
    Whenever the data choose, they also choose whether the ads have any effect: the chosen exposure
    specification must beat the same one without channel terms by two standard errors, else every
    conversion is baseline.
    ``exact_max``: paths with up to this many credited channels get exact Shapley values, longer
    ones ``n_permutations`` sampled orderings. ``seed``: of the folds and the sampled orderings.
    """

    organic: tuple[str, ...] | None = None
    targeted: tuple[str, ...] | None = None
    recency_decay: float | None = None
    decay_grid: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
    exact_max: int = 16
    n_permutations: int = 2000
    seed: int = 0
    max_iter: int = 2000
    anchored_nulls: bool | None = None
    link: str | None = None
    intent: bool | None = None
    targeting: bool | None = None
    interactions: bool | None = None
    truncation: bool | None = None
    chain: bool | None = None
    latent_intent: bool | None = None
    cv_folds: int = 3
    cv_journeys: int = 150_000
    name = "incremental"

    def __post_init__(self):
        if self.recency_decay is not None and not 0 < self.recency_decay <= 1:
            raise InputError(message=Message("data.err.recency_decay", {"recency_decay": self.recency_decay}))
        if not self.decay_grid or not all(0 < d <= 1 for d in self.decay_grid):
            raise InputError(message=Message("data.err.decay_grid", {"decay_grid": self.decay_grid}))
        if not 1 <= self.exact_max <= 20:
            raise InputError(message=Message("data.err.exact_max", {"exact_max": self.exact_max}))
        if self.link is not None and self.link not in LINKS:
            raise InputError(message=Message("data.err.link", {"link": self.link, "links": ", ".join(LINKS)}))
        if int(self.cv_folds) != self.cv_folds or self.cv_folds < 2:
            raise InputError(message=Message("data.err.cv_folds", {"cv_folds": self.cv_folds}))
        if not self.cv_journeys >= 1000:
            raise InputError(message=Message("data.err.cv_journeys", {"cv_journeys": self.cv_journeys}))


Model = FirstTouch | LastTouch | LastNonDirect | Linear | PositionBased | TimeDecay | Markov | Incremental

PATH_MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "markov", "incremental")
"""Models computed from the paths table alone (time decay needs timestamps)."""
MODEL_NAMES = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
               "incremental")

_BY_NAME = {"first_touch": FirstTouch, "last_touch": LastTouch, "last_non_direct": LastNonDirect, "linear": Linear,
            "time_decay": TimeDecay, "position_based": PositionBased, "incremental": Incremental}


def model_from_name(name: str, *, order: int = 1, **settings) -> Model:
    """Settings for the model called ``name`` (``markov`` takes ``order``; ``markov_2`` works too)."""
    key = name.strip().lower()
    if key.startswith("markov"):
        suffix = key.removeprefix("markov").lstrip("_")
        return Markov(order=int(suffix) if suffix else order)
    if key not in _BY_NAME:
        raise InputError(message=Message("data.err.unknown_model", {"model": name, "models": ", ".join(MODEL_NAMES)}))
    return _BY_NAME[key](**settings)


def default_models(*, order: int = 1, with_time: bool = False) -> tuple[Model, ...]:
    """Every model with default settings (``time_decay`` only ``with_time``)."""
    names = [n for n in MODEL_NAMES if with_time or n != "time_decay"]
    return tuple(model_from_name(n, order=order) for n in names)


__all__ = ["BASELINE", "LINKS", "MODEL_NAMES", "PATH_MODELS", "FirstTouch", "Incremental", "LastNonDirect", "LastTouch",
           "Linear", "Markov", "Model", "PositionBased", "TimeDecay", "default_models", "model_from_name"]
