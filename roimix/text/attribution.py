"""Attribution: model names, column headers, CLI messages."""

STRINGS = {
    # model display names (``attr.model.<name>``; Markov takes {order})
    "attr.model.first_touch": ("首次触点", "First touch"),
    "attr.model.last_touch": ("末次触点", "Last touch"),
    "attr.model.last_non_direct": ("末次非直接访问", "Last non-direct"),
    "attr.model.linear": ("线性", "Linear"),
    "attr.model.time_decay": ("时间衰减", "Time decay"),
    "attr.model.position_based": ("位置（40/20/40）", "Position based (40/20/40)"),
    "attr.model.markov": ("{order} 阶马尔可夫", "Markov, order {order}"),
    "attr.model.incremental": ("增量（基线 + Shapley）", "Incremental (baseline + Shapley)"),
    # column headers for display
    "attr.col.model": ("模型", "Model"),
    "attr.col.channel": ("渠道", "Channel"),
    "attr.col.group": ("渠道类型", "Group"),
    "attr.col.conversions": ("归因订单", "Credited orders"),
    "attr.col.value": ("归因 GMV", "Credited GMV"),
    "attr.col.share": ("占比", "Share"),
    "attr.col.date": ("日期", "Date"),
    "attr.col.segment": ("商品类型", "Product segment"),
    "attr.col.spend": ("花费", "Spend"),
    "attr.col.roas": ("投产比 ROAS", "ROAS"),
    "attr.col.net_return": ("归因净回报率（(GMV − 花费) ÷ 花费）", "Net return ((credited GMV − spend) ÷ spend)"),
    "attr.col.cpa": ("单均成本 CPA", "CPA"),
    # CLI
    "attr.cli.summary": ("各模型归因订单占比：", "Share of orders credited, per model:"),
    "attr.cli.baseline": (
        "增量模型：{share} 的订单本来就会成交（基线），{incremental} 由广告带来。",
        "Incremental model: {share} of orders would have happened anyway (baseline); {incremental} were caused by ads.",
    ),
    "attr.cli.sampled": (
        "增量模型：{n} 条路径的触点渠道超过 {exact_max} 个，其 Shapley 值为抽样估计（标准误已计入）。",
        "Incremental model: {n} paths have more than {exact_max} credited channels; their Shapley values are "
        "sampled (standard errors reported).",
    ),
    "attr.cli.spec": (
        "增量模型设定（{folds} 折交叉验证，按留出样本的转化对数似然选出：每条旅程 {score}；次优 {runner_up}）：{spec}",
        "Incremental model specification (chosen by {folds}-fold held-out log-likelihood of conversion: {score} per "
        "journey; next best {runner_up}): {spec}",
    ),
    "attr.cli.spec_fixed": ("增量模型设定（按参数指定）：{spec}", "Incremental model specification (as set): {spec}"),
    "attr.spec": (
        "{link}；自然流量意向协变量{intent}；定向（再营销）选择{targeting}；渠道交互{interactions}；近因衰减 δ = {decay}",
        "{link}; organic intent covariates {intent}; targeting (retargeting) selection {targeting}; channel "
        "interactions {interactions}; recency δ = {decay}",
    ),
    "attr.spec.no_effect": (
        "无效应：数据不支持任何渠道改变转化（在留出样本上，渠道效应没有比只有基线的模型好出两个标准误），全部转化归基线",
        "no effect: the data do not show any channel changing conversion (on held-out journeys, channel effects did "
        "not beat the baseline-only model by two standard errors), so every conversion is baseline",
    ),
    "attr.spec.chain": (
        "吸收链：按旅程最后一次触点的转化率，归因按移除效应（去掉一个渠道，到达它的旅程就此结束）",
        "absorbing chain: conversion by the journey's last touch, credit by removal (without a channel, the journeys "
        "that reach it end there)",
    ),
    "attr.spec.truncation": (
        "；路径长度项（转化旅程止于下单，未转化的跑到期末：较短不算早期触点的效果）开",
        "; path-length term (a converting journey ends at the order, a non-converting one runs to the period's end: "
        "shortness is not credited to early touches) on",
    ),
    "attr.spec.latent_intent": (
        "；潜在购买意向（两类未观测人群：基线与各渠道触达频率不同，渠道效果相同）开",
        "; latent intent (two unseen audiences that differ in baseline and in how often each channel reaches "
        "them; channel effects shared) on",
    ),
    "attr.spec.on": ("开", "on"),
    "attr.spec.off": ("关", "off"),
    "attr.link.noisy_or": ("噪声或（加性风险）", "noisy-OR (additive hazards)"),
    "attr.link.logistic": ("逻辑回归", "logistic"),
    "attr.cli.null_windows": ("未转化旅程的窗口：{kind}", "Non-converting windows: {kind}"),
    "attr.null_window.anchored": (
        "截止于用户最后一次触点（roimix 生成的路径表；拟合时去掉该触点）",
        "anchored at the user's last touch (a paths table built by roimix; the fit drops that touch)",
    ),
    "attr.null_window.full": (
        "完整窗口（路径表未声明锚定）",
        "full windows (the paths table does not say they are anchored)",
    ),
    "attr.cli.written": ("已写出 {path}（{rows} 行）", "Wrote {path} ({rows} rows)"),
    "attr.cli.journeys": (
        "{journeys} 条旅程（{conversions} 单转化），{paths} 条不同路径",
        "{journeys} journeys ({conversions} converting), {paths} distinct paths",
    ),
}
