"""The project's own e-commerce story: :func:`roimix.synthetic.generate_market` (spend-driven
incremental orders with exponential response curves, baseline buyers who show intent by an organic
visit and are retargeted by harvest channels, background clicks) turned into paths by
:func:`attribution.build_paths` (its non-converting windows end at the user's last touch).

Truth: the generator's realised causes (each order is caused by one channel or is baseline), so
the shares are counts, not expectations. This world was written together with the incremental
model and is the one where its assumptions hold by construction.
"""

from __future__ import annotations

from .common import World


def generate(n_users: int, seed: int, name: str = "ecommerce") -> World:
    from attribution import build_paths
    from roimix.synthetic import MarketSpec, generate_market

    market = generate_market(MarketSpec(n_users=n_users, seed=seed))
    paths = build_paths(market.touchpoints, market.conversions)
    paths = paths.rename(columns={"conversions": "total_conversions", "value": "total_conversion_value",
                                  "nulls": "total_null"})
    truth = market.truth.channels
    credited = truth[truth["group"] != "organic"]
    channels = market.channels[["channel", "group"]].copy()
    channels["group"] = channels["group"].astype(str).str.lower()
    return World(name, seed, n_users, paths, channels,
                 dict(zip(credited["channel"], credited["incremental_conversions"].astype(float))),
                 float(market.truth.baseline_conversions), truth_note="realised causes of the generator's orders")
