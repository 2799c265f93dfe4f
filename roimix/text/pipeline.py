"""The pipeline and the curve fit: warnings about the inputs and the fitted curves, in zh and en.

``roimix.pipeline`` and ``response.fit`` return :class:`roimix.messages.Message` objects with these
keys; :func:`render_warning` words one. Value names say how they print: ``*_share`` a percentage,
``*_days`` / ``*_periods`` a count, ``cell`` / ``other`` a ``channel/segment`` cell (the segment
translated), ``*_date`` a date.
"""

from __future__ import annotations

import math

STRINGS = {
    "pipeline.date_range": ("分析区间：{first_date} 至 {last_date}（花费表的首末日期，共 {n_days} 天）",
                            "Analysis period: {first_date} to {last_date} (the spend table's first and last date, "
                            "{n_days} days)"),
    "pipeline.input.outside_spend_dates": (
        "{file}：{n_rows} 行订单的日期在花费表区间（{first_date} 至 {last_date}）之外，未用于曲线拟合",
        "{file}: {n_rows} orders fall outside the spend table's dates ({first_date} to {last_date}); "
        "they are left out of the curve fit"),
    "pipeline.input.duplicate_orders": (
        "{file}：{n_rows} 行订单与另一行完全相同（无 order_id 可区分）；已保留（同一买家可能同一秒下两笔相同订单）。"
        "若是导出重复，请去重或提供 order_id",
        "{file}: {n_rows} order rows repeat another row exactly (no order_id to tell them apart); they are kept "
        "(a buyer can place two identical orders in the same second). If the export duplicated them, remove "
        "the copies or add order_id"),
    "pipeline.input.no_touchpoints": (
        "{channel}：有花费但触点日志中没有任何触点；没有旅程证据（无先验），其曲线只依赖花费的波动",
        "{channel}: has spend but not a single touchpoint in the logs; with no journey evidence (no prior) its "
        "curve rests on spend variation alone"),
    "pipeline.input.duplicate_spend": (
        "{cell} 与 {other} 的日花费序列{how}（相关系数 {correlation}），两者的效果无法分开识别",
        "{cell} and {other} have {how} daily spend (correlation {correlation}): their effects cannot be told apart"),
    "pipeline.input.duplicate_spend.identical": ("完全相同", "identical"),
    "pipeline.input.duplicate_spend.correlated": ("几乎同步", "nearly proportional"),
    "pipeline.input.no_clicks": (
        "花费表没有点击数（{columns}），CPC 与新客占比未知：新客规则无法检查",
        "The spend table has no clicks ({columns}): CPC and new-customer share are unknown, so new-customer "
        "rules cannot be checked"),
    "pipeline.input.clicks_unknown": (
        "{cells}：花费表中没有点击数（或点击为 0），CPC 与新客占比未知",
        "{cells}: no clicks in the spend table (or zero clicks), so CPC and new-customer share are unknown"),
    "pipeline.lag.assumed": (
        "{channel}：转化触点太少（{n_touches} 个），无法估计其转化滞后；假定为 {lag_days} 天",
        "{channel}: too few converting touches ({n_touches}) to estimate its lag; assumed {lag_days} day"),
    "pipeline.fit.flat_prior": (
        "{cell}：花费几乎不变（变异系数 {cv_share}）；其曲线是归因先验，不是拟合结果",
        "{cell}: spend barely varies (coefficient of variation {cv_share}); its curve is the attribution prior, "
        "not a fit"),
    "pipeline.fit.flat_unfit": (
        "{cell}：花费几乎不变（变异系数 {cv_share}），也没有先验，未拟合：请保持其花费不变",
        "{cell}: spend barely varies (coefficient of variation {cv_share}); no prior either, so it is not fitted: "
        "keep its spend fixed"),
    "pipeline.fit.rare_prior": (
        "{cell}：只有 {active_periods} 个周期有花费；其曲线是归因先验，不是拟合结果",
        "{cell}: spend is on in only {active_periods} periods; its curve is the attribution prior, not a fit"),
    "pipeline.fit.rare_unfit": (
        "{cell}：只有 {active_periods} 个周期有花费，也没有先验，未拟合：请保持其花费不变",
        "{cell}: spend is on in only {active_periods} periods; no prior either, so it is not fitted: keep its "
        "spend fixed"),
    "pipeline.fit.s_shaped": (
        "{cell}：最佳拟合为 S 型（Hill s={s}）；优化器在其凹包络上求解并报告界",
        "{cell}: the best fit is S-shaped (Hill s={s}); the optimizer solves it on its concave envelope and "
        "reports the bound"),
    "pipeline.fit.collinear": (
        "{cell} 与 {other} 的花费同涨同落（相关系数 {correlation}）：历史数据分不开两者的效果，区间因此更宽；"
        "对其中一个做增量实验可以分开",
        "{cell} and {other} spend together (correlation {correlation}): the history cannot tell their effects "
        "apart, so their bands are wide; a lift test on one of them would separate them"),
    "pipeline.fit.uncertain": (
        "{cell}：水平不确定（当前花费下{period}带来 {value_cny}，曲线抽样的 90% 区间 {low_cny}–{high_cny}）；做一次增量实验可以收窄",
        "{cell}: its level is uncertain (it brings {value_cny} {period} at today's spend, 90% band {low_cny}–{high_cny} "
        "across the curve draws); a lift test would narrow it"),
    "pipeline.period.1": ("每天", "a day"),
    "pipeline.period.7": ("每周", "a week"),
    "pipeline.fit.lift_not_identified": (
        "增量实验 {test}（{cell}）未使用：该单元花费变化不足，无法拟合曲线",
        "Lift test {test} ({cell}) is not used: the cell's spend varies too little for a curve to be fitted"),
    "pipeline.fit.lift_unmatched": (
        "增量实验 {test}（{channel}/{segment}）未使用：花费表中没有这个渠道或商品类型",
        "Lift test {test} ({channel}/{segment}) is not used: the spend table has no such channel or segment"),
}


def render_warning(message, lang: str = "zh") -> str:
    """A pipeline or fit :class:`~roimix.messages.Message` as a sentence (a plain string passes through)."""
    from roimix.text import STRINGS as ALL, money, percent, ratio, t

    if isinstance(message, str):
        return message

    def fmt(name: str, value) -> str:
        if name in ("cell", "other") and isinstance(value, str) and "/" in value:
            channel, segment = value.rsplit("/", 1)
            key = f"segment.{segment}"
            return f"{channel}/{t(key, lang)}" if key in ALL else value
        if name in ("cells", "held", "apart"):  # lists of channel/segment cells
            return ("、" if lang == "zh" else ", ").join(fmt("cell", v) for v in value)
        if name == "period":  # the period's length in days: 1 or 7
            return t(f"pipeline.period.{value}", lang)
        if name == "how":
            return t(f"pipeline.input.duplicate_spend.{value}", lang)
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, float) and not math.isfinite(value):
            return "–"
        if name == "share" or name.endswith("_share"):
            return percent(value, lang, 0)
        if name.endswith("_cny"):
            return money(value, lang)
        if name.endswith("_roi"):
            return ratio(value)
        if name == "correlation":
            return f"{value:.3f}"
        if name == "s":
            return f"{value:.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return f"{value:g}" if name.endswith("_days") else f"{value:.2g}"

    return t(message.key, lang, **{k: fmt(k, v) for k, v in message.values.items()})
