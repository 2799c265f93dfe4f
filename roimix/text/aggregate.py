"""Aggregate mode (spend + total GMV, no journeys) and ``roimix fit``: zh and en.

Keys ``aggregate.*`` are :class:`roimix.messages.Message` keys of :mod:`roimix.aggregate` (worded
by ``roimix.text.pipeline.render_warning``) and the lines ``roimix fit`` / ``roimix plan --outcome`` print.
"""

from __future__ import annotations

STRINGS = {
    "aggregate.period": (
        "数据周期：每行 {period_days} 天（1 为日数据，7 为周数据）；曲线已换算为每天的花费与 GMV",
        "Data period: one row every {period_days} days (1 = daily, 7 = weekly); the curves are stated per day "
        "of spend and GMV"),
    "aggregate.period.daily": ("日数据", "daily data"),
    "aggregate.period.weekly": ("周数据（曲线已按 ÷7 换算为每天）", "weekly data (curves converted to per day, ÷7)"),
    "aggregate.confounded": (
        "{cell}：花费随日历（趋势、季节、星期）变化，日历解释了其 {calendar_share} 的波动；没有增量实验时，"
        "其投产可能把需求当成广告效果（很可能有混杂）。请用增量实验校准",
        "{cell}: its spend follows the calendar (trend, season, weekday explain {calendar_share} of its "
        "variation); without a lift test its ROAS may pass demand off as ad effect (likely confounded). "
        "Calibrate it with a lift test"),
    "aggregate.shop_events": (
        "各渠道的花费同时变动超过 {threshold_share}（且超出偶然）的 {n_periods} 个周期（{periods}）像大促一样不参与拟合："
        "店铺同时调高或调低全部预算时（内置日历之外的活动、假期停运），需求往往也在变，无法与广告效果区分",
        "{n_periods} periods when the channels' spend moved together by more than {threshold_share} (beyond chance) "
        "({periods}) are left out of the fit like campaigns: when a shop raises or cuts all budgets at once (an event "
        "the built-in calendar does not know, a holiday lull) demand usually moves too, and cannot be told from ad "
        "effect"),
    "aggregate.spend_outside": (
        "{file}：{n_rows} 行花费（{spans}）不在 GMV 表的日期 {outcome_first}–{outcome_last} 之内，没有 GMV 可拟合，不参与拟合"
        "（更早的花费仍计入其后的延迟效应；“当前花费”仍取自最近的花费）。若漏导了这些日期的 GMV，请补上",
        "{file}: {n_rows} rows of spend ({spans}) fall outside the GMV table's dates {outcome_first}–{outcome_last}: "
        "there is no GMV to fit them against, so they are not fitted (earlier spend still carries over into the "
        "fitted days; today's spend still comes from the latest spend). If the GMV export missed those dates, add them"),
    "aggregate.pool": (
        "没有用户路径的渠道按各自的证据向全店合并投产 {pooled_roi} 收缩：{held} 与它的差别不超过偶然，"
        "共用一个由数据选出的离散度向它收缩（预算不随其噪声移动）；{apart} 明确不同，保留自己的估计中超出偶然的部分",
        "Channels without journeys are pooled toward the shop's pooled ROAS of {pooled_roi}, each by its own "
        "evidence: {held} differ from it by no more than chance and share one spread around it, chosen by the data "
        "(budget does not move on their noise); {apart} differ clearly and keep the part of their own estimate "
        "beyond chance"),
    "aggregate.bands_widened": (
        "{cells} 只有 GMV 序列作证据：它们的 90% 区间在对数尺度上围绕估计值放宽 ×{factor_x}"
        "（独立测试市场上这类格子按曲线抽样得到的区间只覆盖真值 77–86%；这是校准，方案不变）",
        "{cells} have evidence from the GMV series alone: their 90 % bands are widened ×{factor_x} in log space about "
        "the estimate (on independent test markets the curve draws' bands of such cells held the truth in only "
        "77–86 % of them; a calibration, the plan is unchanged)"),
    "aggregate.untested_capped": (
        "{cells} 没有增量实验：加入其他渠道的实验后，汇总拟合把实验从被测渠道拿走的 GMV 分给了花费与其同步变动的这些渠道，"
        "抬高了它们的水平。别的渠道的实验不能证明这些渠道更好，所以它们保持没有实验时的水平（× 为所乘系数）",
        "{cells} have no lift test: once the other channels' tests were added, the fit gave them GMV the tests took from "
        "the tested channels whose spend moves with theirs, raising their level. A test of another channel is no "
        "evidence for these, so they keep their level without the tests (× the factor applied)"),
    "aggregate.pool.unavailable": (
        "全店合并投产无法拟合（全部花费之和几乎不变或其曲线为 0），各格子没有向它收缩：每个格子只靠自己的汇总数据，"
        "估计噪声更大、计划更可能随噪声移动。请用增量实验校准，或给出更长的历史",
        "The shop's pooled ROAS could not be fitted (the sum of all spend hardly varies, or its curve is 0), so no "
        "cell is pooled toward it: each rests on its own aggregate data alone, whose estimates are noisier and can "
        "move the plan on noise. Calibrate with lift tests, or give a longer history"),
    "aggregate.pool.channel": (
        "这些格子自己的数据不如同一渠道在另一品类的格子可靠，改为向该格子拟合出的投产收缩（其不确定性计入区间）：{pairs}",
        "These cells' own data know less than the same channel's cell in another segment, so they are pooled "
        "toward that cell's fitted ROAS instead of the shop's (its uncertainty added to the band): {pairs}"),
    "aggregate.platform.prior_used": (
        "平台 GMV 作为弱先验：折算系数 {factor_x}（增量 ÷ 平台，从有增量实验的渠道 {channels} 学得）",
        "Platform GMV used as a weak prior through a deflation factor of {factor_x} (incremental ÷ platform, "
        "learned on the lift-tested channels {channels})"),
    "aggregate.platform.prior_unused": (
        "平台 GMV 未用作先验：没有既有增量实验又有平台 GMV 的渠道，无法学得折算系数（平台数据绝不直接当作真值）",
        "Platform GMV is not used as a prior: no channel has both a lift test and platform GMV to learn the "
        "deflation factor from (platform figures are never taken as the truth)"),
    "aggregate.journeys.partial": (
        "用户路径只覆盖 {journey_channels}：它们的归因结果作为先验；{aggregate_channels} 只用汇总数据。"
        "其他渠道的触点看不见，归因可能把它们的效果算到有路径的渠道上（先验偏高），请用增量实验核对",
        "Journeys cover {journey_channels} only: their attribution is the prior; {aggregate_channels} use "
        "aggregate data only. Touches of the other channels are invisible, so the attribution may credit "
        "their effect to the covered channels (a high prior): check with a lift test"),
    "aggregate.journeys.partial_lags": (
        "用户路径（只覆盖部分渠道）给出这些渠道的延迟效应（平均滞后天数）：{lags}；各渠道的水平都来自汇总数据。"
        "路径的归因不作先验：看不见其他渠道的触点，会把它们的效果算到有路径的渠道上（要用时加 --journey-levels）。"
        "没有路径的渠道：{aggregate_channels}",
        "Journeys (of some channels only) give these channels' carry-over (mean lag in days): {lags}; every "
        "channel's level comes from the aggregate data. Their attribution is not used as a prior: with the other "
        "channels' touches unseen it credits their effect to the covered channels (--journey-levels to use it "
        "anyway). Channels without journeys: {aggregate_channels}"),
    "aggregate.header": (
        "汇总模式：{n_cells} 条曲线（{period}），拟合周期 {n_fitted} 个，R² {r2}，交叉验证 RMSE {cv_rmse}",
        "Aggregate mode: {n_cells} curves ({period}), {n_fitted} periods fitted, R² {r2}, cross-validated RMSE "
        "{cv_rmse}"),
    "aggregate.evidence.title": ("各渠道的证据：", "Evidence per channel:"),
    "aggregate.evidence.row": (
        "  {cell}：{evidence}；边际投产比 {mroi}（90% 区间 {low}–{high}）{flag}",
        "  {cell}: {evidence}; marginal ROAS {mroi} (90% band {low}–{high}){flag}"),
    "aggregate.evidence.row_unfit": ("  {cell}：{evidence}", "  {cell}: {evidence}"),
    "aggregate.evidence.flag": ("  ⚠ 很可能有混杂", "  ⚠ likely confounded"),
    "aggregate.evidence.held": ("  ↓ 保持没有实验时的水平（×{factor_x}）", "  ↓ held at its level without the tests (×{factor_x})"),
    "aggregate.evidence.lift_test": ("增量实验校准", "lift-test calibrated"),
    "aggregate.evidence.journeys": ("用户路径归因先验 + 汇总数据", "journey attribution prior + aggregate data"),
    "aggregate.evidence.platform_prior": ("平台 GMV × 折算系数（弱先验）+ 汇总数据",
                                          "platform GMV × deflation factor (weak prior) + aggregate data"),
    "aggregate.evidence.journey_lag": ("  ↻ 延迟效应来自用户路径", "  ↻ carry-over from the journeys"),
    "aggregate.evidence.journey_lags": ("汇总数据 + 用户路径给出的延迟效应", "aggregate data + carry-over from journeys"),
    "aggregate.evidence.journeys_few": (
        "仅汇总数据（用户路径里该渠道的成交不足 {need} 笔，估不出延迟效应）",
        "aggregate data only (the journeys have fewer than {need} of its orders, too few to tell its carry-over)"),
    "aggregate.evidence.aggregate": ("仅汇总数据（花费波动对总 GMV）", "aggregate data only (spend variation vs total GMV)"),
    "aggregate.evidence.prior": ("仅先验（花费变化不足）", "prior only (spend varies too little)"),
    "aggregate.evidence.unfit": ("未拟合（保持当前花费）", "not fitted (kept at current spend)"),
    "aggregate.platform.title": (
        "平台投产 vs 增量投产（平台报表只是带标签的弱参考，不是真值）：",
        "Platform ROAS vs incremental ROAS (platform reports are a labelled, weak reference, never the truth):"),
    "aggregate.platform.row": (
        "  {channel}：平台投产 {platform_roas}，增量投产 {incremental_roas}（{low}–{high}），"
        "折算系数 {deflation}（{deflation_low}–{deflation_high}，{source}）",
        "  {channel}: platform ROAS {platform_roas}, incremental ROAS {incremental_roas} ({low}–{high}), "
        "deflation factor {deflation} ({deflation_low}–{deflation_high}, {source})"),
    "aggregate.platform.source.lift_test": ("由增量实验校准的拟合学得", "learned from the lift-test-calibrated fit"),
    "aggregate.platform.source.fit": ("仅由拟合水平学得，区间来自曲线抽样", "learned from the fit's own level, band from the curve draws"),
    "aggregate.wrote": ("已写出曲线 {path}（{rows} 行，可用 roimix plan --curves 复用）",
                        "Wrote the curves to {path} ({rows} rows; reuse them with roimix plan --curves)"),
    "aggregate.usage.partial_journeys": (
        "部分用户路径需要同时给出 --touchpoints 和 --conversions（只覆盖有路径的渠道；其余渠道只用汇总数据）",
        "partial journeys need both --touchpoints and --conversions (for the channels that have journeys; the "
        "other channels use aggregate data only)"),
}
