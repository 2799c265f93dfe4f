"""Simulated actuals of a plan (``roimix generate actuals``, :mod:`roimix.synthetic.actuals`)."""

STRINGS = {
    "actuals.summary.spend": (
        "模拟实际花费：{days} 天（{first} 至 {last}），计划 {planned}，实际 {actual}",
        "simulated actual spend: {days} days ({first} to {last}), planned {planned}, spent {actual}"),
    "actuals.summary.gmv": (
        "店铺 GMV：计划前 {reference} 天（参照，按当前花费）+ 计划 {days} 天，计划期合计 {gmv}（其中真实增量 {incremental}）",
        "shop GMV: {reference} days before the plan (reference, at current spend) + {days} plan days, {gmv} over "
        "the plan days ({incremental} of it truly incremental)"),
    "actuals.summary.deviation": (
        "设定的偏差：{channel} 第 {first}–{last} 天（{start} 至 {end}）花费为计划的 {percent}",
        "stated deviation: {channel} spends {percent} of plan on days {first}–{last} ({start} to {end})"),
    "actuals.summary.no_deviation": ("未设定偏差", "no deviation"),
    "actuals.summary.no_noise": ("无噪声：花费即计划（偏差除外），GMV 为期望值",
                                 "no noise: spend is the plan's (but for the deviation), GMV its expectation"),
    "actuals.summary.unknown": ("真实模型中没有这些格子的曲线，按无增量计：{cells}",
                                "the truth has no curve for these cells; they add no GMV: {cells}"),
    "actuals.summary.wrote": ("已写出 {path}（{rows} 行）", "wrote {path} ({rows} rows)"),
    "actuals.err.per_cell_start": (
        "{file}：按渠道 × 商品的计划没有日期，请用 --start 给出第一天",
        "{file}: a plan per channel × segment has no dates; give its first day with --start"),
    "actuals.err.days": ("--days {days}：计划只有 {have} 天", "--days {days}: the plan has only {have} days"),
    "actuals.err.deviation_channel": (
        "--deviation：计划中没有渠道 {channel}（计划的渠道：{channels}）",
        "--deviation: the plan has no channel {channel} (its channels: {channels})"),
    "actuals.err.truth": ("--truth {folder}：缺少 {file}（roimix generate 写出的真实模型）",
                          "--truth {folder}: no {file} (the truth roimix generate writes)"),
    "actuals.err.deviation": (
        "--deviation '{got}'：应为 渠道:第几天:天数:倍数（如 qianchuan:5:3:0.6）或 none",
        "--deviation '{got}': expected CHANNEL:FIRST_DAY:DAYS:FACTOR (e.g. qianchuan:5:3:0.6) or none"),
}
