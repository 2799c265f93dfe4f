"""Simulated markets with a known causal truth, for tests, benchmarks and the bundled sample."""

from .market import Market, Truth, curve_params, generate_market
from .spec import DEFAULT_CHANNELS, ChannelSpec, MarketSpec, Phase, campaign_618

__all__ = ["DEFAULT_CHANNELS", "ChannelSpec", "Market", "MarketSpec", "Phase", "Truth", "campaign_618",
           "curve_params", "generate_market"]
