"""Attribution: journeys and paths → credit per channel (and per day and product segment).

Journeys and paths: ``build_paths`` / ``build_journeys`` on an engine (``DuckDBEngine`` out of
core by default, ``SparkEngine`` for clusters), from one SQL definition (:mod:`attribution.journeys`).

Models (settings in :mod:`attribution.models`): first_touch, last_touch, last_non_direct, linear,
time_decay, position_based, markov_<k> (exact removal effects), incremental (baseline + Shapley
credit of the incremental conversion probability; the optimizer's default).
"""

from .credit import (
    CREDIT_COLUMNS, DAILY_COLUMNS, ModelCredit, attribute, attribute_all, attribute_journeys, credit_by_day,
    fit_credit, rake, side_by_side, tidy, time_decay_tables, with_spend,
)
from .engines import (
    DuckDBEngine, Engine, EngineError, SparkEngine, build_journeys, build_paths, engine_from_options, time_decay_by_day,
)
from .incremental import IncrementalCredit, IncrementalModel, Selection, Spec
from .journeys import PATH_SEPARATOR, Journeys, aggregate_paths
from .markov import MarkovChain, MarkovResult, markov_chain, removal_effects, transition_table
from .models import (
    BASELINE, MODEL_NAMES, FirstTouch, Incremental, LastNonDirect, LastTouch, Linear, Markov, Model, PositionBased,
    TimeDecay, default_models, model_from_name,
)
from .paths import NO_TOUCH, NULL_WINDOW, EncodedPaths, canonical_paths, encode_paths, null_window_of
from .shapley import ShapleyResult, shapley, shapley_exact, shapley_sampled

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
