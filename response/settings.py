"""How curves are fitted: :class:`FitSettings`, every number of the fit, stated in its report."""

from __future__ import annotations

from dataclasses import dataclass

from roimix.errors import InputError
from roimix.messages import Message


@dataclass(frozen=True)
class FitSettings:
    """How curves are fitted; every number here is stated in the fit's report."""

    families: tuple[str, ...] = ("exp", "mm", "log", "power", "hill")
    saturation_ratios: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0)
    """History's mean spend ÷ b for exp, mm, log and hill candidates (low: far from saturation).
    Beyond 2 a curve is nearly flat over the history's spend and cannot be told from the intercept."""
    power_exponents: tuple[float, ...] = (0.3, 0.5, 0.7)
    hill_exponents: tuple[float, ...] = (2.0,)
    """S-shaped candidates; a chosen one is flagged and handed to the optimizer's envelope path."""
    unbounded_penalty: float = 6.0
    """power and S-shaped hill candidates must beat the saturating ones (exp, mm, log) by this many
    units of 2σ² in cross-validated SSE: on generated markets they won by noise and lost money
    (a power curve never saturates; an S-curve is flat at low spend), so they need clear evidence."""
    lag_candidates_periods: tuple[float, ...] = (0.0, 0.7, 1.5, 3.0)
    """Mean lags (geometric kernels) tried for cells whose lag is not given."""
    forms: tuple[str, ...] = ("adstock", "lagged")
    """Carry-over forms tried: g(adstocked spend) and the lagged response Σ k_l g(x_{t−l})."""
    weight_temperature: float = 1.0
    """Candidate weights are exp(−ΔSSE_cv / (2σ²·T)); T > 1 spreads weight over more shapes."""
    prior_relative_sd: float = 0.5
    """The prior's relative sd while shapes are searched (a fixed, moderate weight)."""
    prior_relative_sds: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0)
    """Candidate weights of the prior for the final levels: the most likely one (empirical Bayes) is
    the estimate's; the draws mix them by their likelihood (one value: a fixed weight)."""
    cv_folds: int = 5
    sweeps: int = 2
    n_bootstrap: int = 400
    """Draws of each curve (shape, carry-over, level and prior weight together); 0: none."""
    bootstrap_block_periods: int | None = None
    """Newey–West lag window of the level covariance; default 7 for daily data, 4 for weekly."""
    min_spend_cv: float = 0.08
    min_active_periods: int = 8
    """A cell must have spend in at least this many fitted periods (bursts are fine: they are signal)."""
    exclude_tail_lags: float = 2.0
    """Periods after an excluded block also left out: this many times the longest lag."""
    seed: int = 0

    def __post_init__(self):
        unknown = set(self.families) - {"exp", "mm", "log", "power", "hill"}
        if unknown:
            raise InputError(message=Message("data.err.fit_families", {"unknown": ", ".join(sorted(unknown))}))
        if not 0 < self.prior_relative_sd:
            raise InputError(message=Message("data.err.prior_sd", {"prior_relative_sd": self.prior_relative_sd}))
        if not self.prior_relative_sds or min(self.prior_relative_sds) <= 0:
            raise InputError(message=Message("data.err.prior_sds", {"prior_relative_sds": tuple(self.prior_relative_sds)}))
        if self.cv_folds < 2:
            raise InputError(message=Message("data.err.fit_cv_folds", {"cv_folds": self.cv_folds}))
