"""Simulated markets with a known causal truth, for tests, benchmarks and the bundled sample."""

from .daily import DailyMarket, generate_daily, true_kernels
from .market import Market, Truth, curve_params, generate_market
from .spec import DEFAULT_CHANNELS, ChannelSpec, MarketSpec, Phase, campaign_618

__all__ = ["DEFAULT_CHANNELS", "ChannelSpec", "DailyMarket", "Market", "MarketSpec", "Phase", "Truth", "campaign_618",
           "curve_params", "generate_daily", "generate_market", "true_kernels"]
