"""Incremental response curves fitted against the total outcome, with lag, priors, lift tests and bands."""

from .design import Timeline, baseline_design
from .fit import STATUSES, CurveFit, FitSettings, fit_curves
from .lag import adstock, adstock_weights, estimate_lags, lag_kernels, last_touch_gaps

__all__ = ["STATUSES", "CurveFit", "FitSettings", "Timeline", "adstock", "adstock_weights", "baseline_design",
           "estimate_lags", "fit_curves", "lag_kernels", "last_touch_gaps"]
