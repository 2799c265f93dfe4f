"""The settings of a simulated e-commerce market: channels, demand, the 618 campaign.

Money amounts are given per million users and scaled by ``MarketSpec.n_users``, so a small
sample and a large benchmark market have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PER_USERS = 1_000_000


@dataclass(frozen=True)
class ChannelSpec:
    """One channel. Its true incremental response (GMV per day, existing products) is
    ``a·(1 − exp(−x/b))`` with ``b = saturation_cny_per_day`` and ``a`` set so the average ROI at
    ``spend_cny_per_day`` is ``roi_at_spend``; new products use their own spend, ``b`` and ROI factor.
    Organic channels have no spend and no incremental effect.
    """

    channel: str
    label_zh: str
    label_en: str
    group: str
    key_platform: bool = False
    cpc_cny: float = 0.0
    spend_cny_per_day: float = 0.0
    saturation_cny_per_day: float = 1.0
    roi_at_spend: float = 0.0
    new_spend_ratio: float = 0.17
    new_saturation_ratio: float = 0.4
    new_roi_factor: float = 1.0
    lag_mean_days: float = 1.0
    closes_via_search: float = 0.2
    new_customer_click_share: float = 0.3
    new_customer_conversion_share: float = 0.3
    retarget_prob: float = 0.0
    """Chance that this channel retargets a visitor who already showed intent (harvest)."""
    spend_volatility: float = 0.3
    live_weekdays: tuple[int, ...] = ()
    """KOL live shows: spend is concentrated on these weekdays (0 = Monday)."""

    @property
    def has_spend(self) -> bool:
        return self.spend_cny_per_day > 0


DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("ztc", "直通车", "Zhitongche (search ads)", "paid", key_platform=True, cpc_cny=3.0,
                spend_cny_per_day=20_000, saturation_cny_per_day=25_000, roi_at_spend=1.6, lag_mean_days=0.5,
                closes_via_search=0.1, new_customer_click_share=0.25, new_customer_conversion_share=0.3,
                retarget_prob=0.35, spend_volatility=0.25),
    ChannelSpec("wxt", "万相台", "Wanxiangtai (smart ads)", "paid", key_platform=True, cpc_cny=2.0,
                spend_cny_per_day=18_000, saturation_cny_per_day=15_000, roi_at_spend=0.6, lag_mean_days=0.7,
                closes_via_search=0.2, new_customer_click_share=0.15, new_customer_conversion_share=0.2,
                retarget_prob=0.55, spend_volatility=0.25),
    ChannelSpec("qianchuan", "巨量千川", "Qianchuan (Douyin ads)", "paid", key_platform=True, cpc_cny=2.5,
                spend_cny_per_day=15_000, saturation_cny_per_day=30_000, roi_at_spend=1.8, lag_mean_days=1.0,
                closes_via_search=0.3, new_customer_click_share=0.4, new_customer_conversion_share=0.45,
                spend_volatility=0.35),
    ChannelSpec("xiaohongshu", "小红书", "Xiaohongshu (RED)", "content", cpc_cny=4.0,
                spend_cny_per_day=8_000, saturation_cny_per_day=25_000, roi_at_spend=3.0, new_roi_factor=1.3,
                lag_mean_days=5.0, closes_via_search=0.7, new_customer_click_share=0.5,
                new_customer_conversion_share=0.6, spend_volatility=0.4),
    ChannelSpec("douyin_content", "抖音内容", "Douyin content", "content", cpc_cny=3.0,
                spend_cny_per_day=6_000, saturation_cny_per_day=15_000, roi_at_spend=2.2, lag_mean_days=3.0,
                closes_via_search=0.6, new_customer_click_share=0.45, new_customer_conversion_share=0.55,
                spend_volatility=0.4),
    ChannelSpec("douyin_kol", "抖音达人直播", "Douyin KOL live", "KOL", cpc_cny=5.0,
                spend_cny_per_day=12_000, saturation_cny_per_day=30_000, roi_at_spend=2.6, new_roi_factor=1.2,
                lag_mean_days=2.0, closes_via_search=0.5, new_customer_click_share=0.55,
                new_customer_conversion_share=0.6, spend_volatility=0.3, live_weekdays=(1, 4, 5)),
    ChannelSpec("wechat_group", "微信社群", "WeChat groups", "social", cpc_cny=1.0,
                spend_cny_per_day=3_000, saturation_cny_per_day=4_000, roi_at_spend=2.0, new_roi_factor=0.8,
                lag_mean_days=1.0, closes_via_search=0.2, new_customer_click_share=0.1,
                new_customer_conversion_share=0.1, spend_volatility=0.35),
    ChannelSpec("brand_search", "品牌搜索", "Brand search", "organic"),
    ChannelSpec("direct", "直接访问", "Direct", "organic"),
)


@dataclass(frozen=True)
class Phase:
    """A campaign phase and its day multipliers: on spend (how shops behave), on every channel's
    response (how shoppers respond per yuan) and on baseline demand (seasonal, not caused by ads)."""

    name: str
    label_zh: str
    start: date
    end: date
    spend_multiplier: float
    response_multiplier: float
    baseline_multiplier: float


def campaign_618(year: int) -> tuple[Phase, ...]:
    return (
        Phase("preheat", "预热", date(year, 5, 20), date(year, 5, 30), 1.25, 0.85, 1.05),
        Phase("presale", "预售", date(year, 5, 31), date(year, 6, 15), 1.45, 1.0, 1.15),
        Phase("peak", "爆发", date(year, 6, 16), date(year, 6, 18), 2.4, 1.5, 2.3),
        Phase("return", "返场", date(year, 6, 19), date(year, 6, 21), 1.15, 1.05, 1.2),
    )


@dataclass(frozen=True)
class MarketSpec:
    """Everything that defines a simulated market; the same spec and seed give the same data."""

    n_users: int = 100_000
    seed: int = 7
    start: date = date(2026, 2, 1)
    n_days: int = 150
    burn_in_days: int = 30
    """Spend (and its caused orders) before the logged window, so the window does not start cold."""
    channels: tuple[ChannelSpec, ...] = DEFAULT_CHANNELS
    campaign_name: str = "618"
    campaign: tuple[Phase, ...] = field(default_factory=lambda: campaign_618(2026))
    baseline_conversions_per_day: float = 800.0
    """Would-have-bought-anyway orders per day per million users on a regular weekday."""
    baseline_trend_per_day: float = 0.001
    weekend_baseline_multiplier: float = 1.12
    weekend_response_multiplier: float = 1.08
    aov_cny: tuple[tuple[str, float], ...] = (("existing", 180.0), ("new", 260.0))
    value_sigma: float = 0.45
    baseline_new_product_share: float = 0.18
    baseline_new_customer_share: float = 0.12
    visitors_per_baseline_buyer: float = 2.5
    """Visitors who show intent (an organic visit) but do not buy, per baseline buyer."""
    intent_lead_days: float = 2.5
    baseline_closing: tuple[tuple[str, float], ...] = (("brand_search", 0.45), ("direct", 0.25))
    intent_first_touch: tuple[tuple[str, float], ...] = (("brand_search", 0.6), ("direct", 0.4))
    organic_background_per_day: tuple[tuple[str, float], ...] = (("brand_search", 3000.0), ("direct", 2500.0))
    incremental_direct_closing: float = 0.2
    flights_per_channel: int = 3
    margin: float = 0.45

    def __post_init__(self):
        if self.n_users < 1000:
            raise ValueError("MarketSpec.n_users must be at least 1000")
        if self.n_days < 28:
            raise ValueError("MarketSpec.n_days must be at least 28")
        ids = [c.channel for c in self.channels]
        if len(set(ids)) != len(ids):
            raise ValueError("MarketSpec.channels: channel ids must be unique")

    @property
    def scale(self) -> float:
        return self.n_users / PER_USERS

    def aov(self, segment: str) -> float:
        return dict(self.aov_cny)[segment]
