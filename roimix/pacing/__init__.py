"""Actuals against a plan (issue 18 item 3): :mod:`roimix.pacing.core` is the pure library (tables in, tables
and keys out); :mod:`roimix.pacing.files` reads a plan file and the actuals for the CLI (``roimix pace``) and
the app (投放执行)."""

from .core import (ALL, MIN_REFERENCE_DAYS, MIN_RUN_DAYS, PACE_TOLERANCE, REFERENCE_DAYS, Pacing, PacingPlan,
                   orders_to_gmv, pace)

__all__ = ["ALL", "MIN_REFERENCE_DAYS", "MIN_RUN_DAYS", "PACE_TOLERANCE", "REFERENCE_DAYS", "Pacing", "PacingPlan",
           "orders_to_gmv", "pace"]
