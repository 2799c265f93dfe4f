"""What a fit returns: :class:`CurveFit`, tidy tables (curves, bands, candidates, decomposition, summary,
draws) and the warnings as :class:`roimix.messages.Message` keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from roimix.messages import Message

STATUSES = ("fitted", "prior", "unfit")
"""A curve's ``status``: fitted to the data, its prior level only (cell not identifiable), or none."""


@dataclass(frozen=True)
class CurveFit:
    """Everything a fit produced, as tidy tables.

    ``curves``: one row per (channel, segment) in the optimizer's curves-table columns (channel,
    segment, family, a, b, s, current_spend) plus status, lag_mean_periods, r2_share (variance of
    the outcome the cell explains), a_low/a_high (90 % band of the level), marginal_roi (at current
    spend) with mroi_low/mroi_high, prior_value, s_shaped, collinear_with (the cell it moves with).
    ``bands``: channel, segment, spend, value, low, high on a spend grid.
    ``candidates``: channel, segment, family, b, s, lag_mean_periods, cv_sse, weight.
    ``decomposition``: date, outcome (segment or ``all``), component (``baseline`` or channel/segment), value.
    ``summary``: one row per outcome series with period_days, n_periods, n_fitted_periods, r2,
    cv_rmse, sigma, the chosen prior_relative_sd and settings.
    """

    curves: pd.DataFrame
    bands: pd.DataFrame
    candidates: pd.DataFrame
    decomposition: pd.DataFrame
    summary: pd.DataFrame
    warnings: tuple[Message, ...] = field(default_factory=tuple)
    """Keys ``pipeline.fit.*`` (words in ``roimix/text/pipeline.py``)."""
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)
    """draw, channel, segment, family, a, b, s, lag_mean_periods, prior_relative_sd: one curve per
    cell and draw in the curves-table form (empty when ``n_bootstrap`` is 0)."""
