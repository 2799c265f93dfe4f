"""Attribution: journeys and paths → credit per channel (and per day and product segment).

Journeys and paths: ``build_paths`` / ``build_journeys`` on an engine (``DuckDBEngine`` out of
core by default, ``SparkEngine`` for clusters), from one SQL definition (:mod:`attribution.journeys`).

Models (settings in :mod:`attribution.models`): first_touch, last_touch, last_non_direct, linear,
time_decay, position_based, markov_<k> (exact removal effects), incremental (baseline + Shapley
credit of the incremental conversion probability; the optimizer's default).
"""

from __future__ import annotations

from roimix.lazy import lazy_exports

_HOMES = {  # name → the submodule that defines it, imported on first use (PEP 562): a command that needs
    # one model does not pay for the others' imports (pandas, DuckDB, SciPy's optimisers)
    **dict.fromkeys(("CREDIT_COLUMNS", "DAILY_COLUMNS", "ModelCredit", "attribute", "attribute_all",
                     "attribute_journeys", "credit_by_day", "fit_credit", "rake", "side_by_side", "tidy",
                     "time_decay_tables", "with_spend"), "credit"),
    **dict.fromkeys(("DuckDBEngine", "Engine", "EngineError", "SparkEngine", "build_journeys", "build_paths",
                     "engine_from_options", "time_decay_by_day"), "engines"),
    **dict.fromkeys(("IncrementalCredit", "IncrementalModel", "Selection", "Spec"), "incremental"),
    **dict.fromkeys(("Journeys", "aggregate_paths"), "journeys"),
    **dict.fromkeys(("MarkovChain", "MarkovResult", "markov_chain", "removal_effects", "transition_table"),
                    "markov"),
    **dict.fromkeys(("BASELINE", "MODEL_NAMES", "FirstTouch", "Incremental", "LastNonDirect", "LastTouch",
                     "Linear", "Markov", "Model", "PositionBased", "TimeDecay", "default_models",
                     "model_from_name"), "models"),
    **dict.fromkeys(("EncodedPaths", "canonical_paths", "encode_paths", "null_window_of"), "paths"),
    **dict.fromkeys(("NO_TOUCH", "NULL_WINDOW", "PATH_SEPARATOR"), "vocabulary"),
    **dict.fromkeys(("ShapleyResult", "shapley", "shapley_exact", "shapley_sampled"), "shapley"),
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "DuckDBEngine", "Engine", "EngineError", "Journeys", "PATH_SEPARATOR", "SparkEngine", "aggregate_paths",
    "build_journeys", "build_paths", "engine_from_options", "time_decay_by_day", "time_decay_tables",
    "BASELINE", "CREDIT_COLUMNS", "DAILY_COLUMNS", "MODEL_NAMES", "NO_TOUCH", "EncodedPaths", "FirstTouch",
    "Incremental", "IncrementalCredit", "IncrementalModel", "LastNonDirect", "LastTouch", "Linear", "Markov",
    "MarkovChain", "MarkovResult", "Model", "ModelCredit", "PositionBased", "ShapleyResult", "TimeDecay",
    "attribute", "attribute_all", "attribute_journeys", "canonical_paths", "credit_by_day", "default_models",
    "encode_paths", "fit_credit", "markov_chain", "model_from_name", "rake", "removal_effects", "shapley",
    "shapley_exact", "shapley_sampled", "side_by_side", "tidy", "transition_table", "with_spend",
    "NULL_WINDOW", "null_window_of", "Selection", "Spec",
]
