"""A zoo of independent attribution worlds: journey generators written from published or stated
specifications (not from roimix's model), each with its truth, and a harness that scores every
method on them (:mod:`.harness`).

    from benchmarks.worlds import generate, harness
    world = generate("shao_li_confounded", n_users=200_000, seed=1)   # a development seed
    world.paths, world.channels, world.truth_share, world.baseline_share
    harness.default_model(world).share_error

Seeds: ``DEV_SEEDS`` for developing and choosing models, ``EVAL_SEEDS`` only for the final table.
"""

from __future__ import annotations

from functools import partial

from . import ecommerce, hazards, markov_chain, no_effect, shao_li, uniform
from .common import World

DEV_SEEDS = (1, 2, 3, 4, 5)
EVAL_SEEDS = (101, 102, 103, 104, 105)

WORLDS = {
    **{name: partial(shao_li.generate, name=name, **flags) for name, flags in shao_li.VARIANTS.items()},
    "additive_hazards": hazards.generate,
    "markov_chain": markov_chain.generate,
    "no_effect": no_effect.generate,
    "uniform_sampling": uniform.generate,
    "ecommerce": ecommerce.generate,
}
SPECS = {
    "shao_li_simple": "logistic, per-channel logit effects with diminishing returns in repeated exposure "
                      "(Shao & Li 2011)",
    "shao_li_recency": "as shao_li_simple, exposures weighted by recency (half-lives 3–14 days)",
    "shao_li_synergy": "as shao_li_recency, + a KOL × paid-search synergy on the logit",
    "shao_li_confounded": "as shao_li_synergy, + unobserved high intent that raises conversion, "
                          "harvest (ztc/wxt) exposure and direct visits",
    "additive_hazards": "continuous-time additive hazards, exponentially decaying per touch; paths end at "
                        "the conversion (Zhang, Wei & Ren 2014)",
    "markov_chain": "first-order Markov chain over channels with absorbing conversion/null; removal by "
                    "redirect to null (Anderl et al. 2016)",
    "no_effect": "conversion independent of every exposure (3 %, uniform time; paths end at the conversion)",
    "uniform_sampling": "near-uniform channel sampling, logistic with pairwise synergies (the public "
                        "shapley-attribution benchmark's make_attribution_problem)",
    "ecommerce": "roimix.synthetic's market (the story the incremental model was built with), "
                 "paths by attribution.build_paths",
}


def generate(name: str, n_users: int, seed: int) -> World:
    """Generate world ``name`` with ``n_users`` users from ``seed``."""
    if name not in WORLDS:
        raise ValueError(f"unknown world {name!r}; choose from {', '.join(WORLDS)}")
    return WORLDS[name](n_users, seed)


__all__ = ["DEV_SEEDS", "EVAL_SEEDS", "SPECS", "WORLDS", "World", "generate"]
