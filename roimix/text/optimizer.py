"""Budget optimizer: plan summaries, binding rules in money, infeasibility explanations.

Value names in ``{}`` say how they are printed (see ``roimix.report.plan``): ``*_cny`` money,
``*_share`` a percentage, ``*_x`` a multiple of current spend, ``*_roi`` a ratio.
"""

STRINGS = {
    # statuses and objectives
    "optimizer.status.optimal": ("最优", "optimal"),
    "optimizer.status.optimal_inaccurate": ("近似最优（精度不足）", "optimal (reduced accuracy)"),
    "optimizer.status.infeasible": ("无可行方案", "infeasible"),
    "optimizer.status.unbounded": ("目标无上限", "unbounded"),
    "optimizer.status.solver_error": ("求解器数值问题", "solver error"),
    "optimizer.objective.gmv": ("预算内 GMV 最大化", "maximise GMV within the budget"),
    "optimizer.objective.profit": ("利润最大化（毛利 × GMV − 花费）", "maximise profit (margin × GMV − spend)"),
    "optimizer.objective.min_spend": ("达成 GMV 目标的最小花费", "minimise spend to reach the GMV target"),
    "optimizer.what.gmv": ("GMV", "GMV"),
    "optimizer.what.profit": ("利润", "profit"),
    "optimizer.what.spend_saved": ("节省的花费", "savings"),
    # default rule names
    "optimizer.rule.budget": ("总预算", "budget"),
    "optimizer.rule.new-product cap": ("新品花费上限", "new-product cap"),
    "optimizer.rule.new-customer cap": ("新客流量上限", "new-customer cap"),
    "optimizer.rule.new-customer floor": ("新客流量下限", "new-customer floor"),
    "optimizer.rule.GMV target": ("GMV 目标", "GMV target"),
    "optimizer.rule.bounds": ("渠道花费上下限", "channel bounds"),
    "optimizer.next.head_more": (
        "下一笔 {delta}/天 投到这里（实际多花 {spent}）：GMV 每天 {gmv}{band}，这笔钱的增量投产比 {roi}",
        "The next {delta} a day goes here ({spent} spent): GMV {gmv} a day{band}, an incremental ROAS of {roi} on it"),
    "optimizer.next.head_less": (
        "削减 {delta}/天 从这里减（实际少花 {spent}）：GMV 每天 {gmv}{band}，减掉的每 1 元带走 {roi}",
        "A cut of {delta} a day comes from here ({spent} less spent): GMV {gmv} a day{band}, {roi} lost per yuan cut"),
    "optimizer.next.band": ("（P10 {p10} 至 P90 {p90}）", " (P10 {p10} to P90 {p90})"),
    "optimizer.next.line": ("  {cell}：{move}，GMV {gmv}{band}；这部分的增量投产比 {roi}，之后边际投产比 {mroi}",
                            "  {cell}: {move}, GMV {gmv}{band}; incremental ROAS on the move {roi}, marginal ROAS after "
                            "it {mroi}"),
    "optimizer.next.unsolved": ("预算调整 {delta} 后没有可行方案（{status}）",
                                "With the budget moved by {delta} there is no plan ({status})"),
    "optimizer.summary.break_even_head": ("各渠道增量投产比（当前 → 方案）与保本投产比：",
                                          "Incremental ROAS per channel (today → plan) against break-even:"),
    "optimizer.summary.break_even_line": ("  {channel}：{current} → {plan}（保本 {break_even}，差 {distance}）",
                                          "  {channel}: {current} → {plan} (break-even {break_even}, {distance})"),
    "optimizer.rule.break-even": ("保本投产比下限", "break-even floor"),
    # summary
    "optimizer.summary.status": ("方案：{status}（{objective}）", "Plan: {status} ({objective})"),
    "optimizer.summary.spend": ("日花费 {current_spend_cny} → {spend_cny}", "Spend {current_spend_cny} → {spend_cny} a day"),
    "optimizer.summary.uplift": (
        "日 GMV {current_gmv_cny} → {gmv_cny}（{uplift_cny}，{uplift_share}）；增量投产比 {current_roi} → {plan_roi}",
        "GMV {current_gmv_cny} → {gmv_cny} a day ({uplift_cny}, {uplift_share}); incremental ROAS {current_roi} → {plan_roi}",
    ),
    "optimizer.cli.risk_without_draws": (
        "--risk {risk} 需要曲线抽样，而曲线文件（--curves）没有；请用 --risk mean，或由日志拟合曲线",
        "--risk {risk} needs curve draws and a curves file (--curves) has none: use --risk mean, or fit the curves "
        "from the logs",
    ),
    "optimizer.summary.tests_head": ("最值得做的增量实验（若它消除该渠道的不确定性，方案每天的期望增益）：",
                                     "Lift tests worth most to this plan (its expected gain a day if the test "
                                     "resolved that cell's uncertainty):"),
    "optimizer.summary.test_line": ("  {rank}. {cell}：{value}/天", "  {rank}. {cell}: {value} a day"),
    "optimizer.summary.outcome": (
        "日 GMV 增量（相对当前分配，{draws} 组曲线抽样）：P10 {uplift_p10_cny} / P50 {uplift_p50_cny} / P90 {uplift_p90_cny}；"
        "优于当前分配的概率 {better_share}",
        "GMV uplift a day against today's allocation (over {draws} curve draws): P10 {uplift_p10_cny} / "
        "P50 {uplift_p50_cny} / P90 {uplift_p90_cny}; chance it beats today's allocation {better_share}",
    ),
    "optimizer.summary.break_even": (
        "增量投产比高于保本投产比 {break_even_roi} 的概率 {above_share}",
        "Chance its incremental ROAS is above the break-even ROAS {break_even_roi}: {above_share}",
    ),
    "optimizer.summary.risk_mean": ("方案按期望增量优化（平均）", "The plan maximises the expected gain (mean)"),
    "optimizer.summary.risk_cvar": (
        "方案按稳健目标优化：最差 {tail_share} 抽样中的平均增量（CVaR）；证据不足的渠道保持接近当前",
        "The plan maximises the mean gain over the worst {tail_share} of draws (CVaR): where the evidence is "
        "weak it stays near today's allocation",
    ),
    "optimizer.summary.profit": ("日利润 {current_profit_cny} → {profit_cny}", "Profit {current_profit_cny} → {profit_cny} a day"),
    # budget − spend, whatever kept it unspent; ``roimix plan`` splits it into the two lines below
    "optimizer.summary.reserve": ("未花的预算：{reserve_cny}/天", "Budget not spent: {reserve_cny} a day"),
    "optimizer.summary.held_back": (
        "预留（不投放）：{reserve_cny}/天（预算的 {reserve_share}）",
        "Held back (reserve): {reserve_cny} a day ({reserve_share} of the budget)",
    ),
    "optimizer.summary.unspent": ("目标未花出的预算：{unspent_cny}/天", "Left unspent by the objective: {unspent_cny} a day"),
    "optimizer.summary.evidence": (
        "最优性证据：与理论最优相差不超过 {gap_cny}（相对 {relative_gap}），规则最大违反 {violation}",
        "Optimality evidence: within {gap_cny} of the best possible (relative {relative_gap}); largest rule violation {violation}",
    ),
    "optimizer.summary.solver": (
        "求解器 {solver}（{solver_status}，{iterations} 次迭代）：对偶间隙 {duality_gap}（相对 {relative_duality_gap}），"
        "原始残差 {primal_residual}，对偶残差 {dual_residual}",
        "Solver {solver} ({solver_status}, {iterations} iterations): duality gap {duality_gap} "
        "(relative {relative_duality_gap}); residuals primal {primal_residual}, dual {dual_residual}",
    ),
    "optimizer.summary.envelope": (
        "含 S 型曲线：方案真实值 {objective_cny}，凹包络上界 {bound_cny}",
        "S-shaped curves: true value of the plan {objective_cny}, concave-envelope bound {bound_cny}",
    ),
    "optimizer.summary.timing": (
        "首次求解 {first_s} 秒（其中求解器 {solver_s} 秒）",
        "First solve {first_s} s (solver {solver_s} s)",
    ),
    "optimizer.summary.timing_resolve": (
        "重新求解 {resolve_s} 秒（首次 {first_s} 秒，求解器 {solver_s} 秒）",
        "Re-solve {resolve_s} s (first solve {first_s} s, solver {solver_s} s)",
    ),
    "optimizer.summary.binding": ("起作用的规则：", "Binding rules:"),
    "optimizer.summary.no_binding": ("没有规则起约束作用。", "No rule binds."),
    "optimizer.pipeline.validate": ("检查输入文件…", "Checking the input files…"),
    "optimizer.pipeline.journeys": ("构建用户路径…", "Building journeys and paths…"),
    "optimizer.pipeline.attribution": ("归因（先验）…", "Attributing orders (the curves' prior)…"),
    "optimizer.pipeline.lags": ("估计各渠道转化滞后…", "Estimating each channel's conversion lag…"),
    "optimizer.pipeline.curves": ("拟合增量响应曲线…", "Fitting incremental response curves…"),
    "optimizer.pipeline.untested_cap": ("对照不含增量实验的拟合，检查未做实验的渠道…",
                                        "Checking the untested channels against the fit without the lift tests…"),
    "optimizer.pipeline.curves_written": ("已写出拟合曲线 {path}（{rows} 行）", "Wrote the fitted curves to {path} ({rows} rows)"),
    "optimizer.pipeline.draws_written": (
        "已写出曲线抽样 {path}（{n_draws} 组；roimix plan --curves 复用曲线时会一并读取，保留不确定性）",
        "Wrote the curve draws to {path} ({n_draws} draws; roimix plan --curves reads them with the curves, so a "
        "reused fit keeps its uncertainty)"),
    "optimizer.cli.draws_read": ("已读取曲线抽样 {path}（{n_draws} 组）：按风险规划并给出区间",
                                 "Read the curve draws {path} ({n_draws} draws): the plan weighs risk and states a range"),
    "optimizer.cli.draws_stale": (
        "{path} 不属于 {curves} 的当前内容（曲线在写出后被修改或重新拟合），未使用：按估计值规划，不给区间",
        "{path} does not belong to the present contents of {curves} (the curves were edited or refitted since), so "
        "it is not used: the plan is on the estimate, with no range"),
    # roimix plan: input it cannot plan with, and rules it had to drop
    "optimizer.cli.warning": ("提示：{text}", "warning: {text}"),
    "optimizer.cli.new_customer_dropped": (
        "新客上限（默认 {share}）未启用：{file} 中 {cells} 没有点击数（{columns}），无法检查新客规则",
        "the new-customer cap (default {share}) is off: {file} has no clicks ({columns}) for {cells}, so it "
        "cannot be checked"),
    "optimizer.cli.new_customer_needs_clicks": (
        "{file}：{option} 需要每个单元的点击数，但 {cells} 缺少列 {columns}（或为空）；请补上这些列，或不设此规则",
        "{file}: {option} needs clicks per cell, but columns {columns} are missing or empty for {cells}; add "
        "them or leave the rule off"),
    "optimizer.cli.beyond_history": (
        "{n} 个格子的方案日花费高于 {file} 里它们花费最高的一天：{cells}。曲线在历史花费之外只是曲线形状的外推，"
        "区间不含形状本身的错误，那里的增量 GMV 没有数据支持；可用 --bounds 把它们限制在历史范围内，或先在这些花费上做增量实验",
        "The plan puts {n} cell(s) above the highest day of spend they had in {file}: {cells}. Beyond the spend it was "
        "fitted on a curve is its shape's extrapolation, and its band does not include the shape being wrong: no "
        "data supports the GMV it promises there. Keep them within their history with --bounds, or run a lift "
        "test at that spend first"),
    "optimizer.cli.beyond_history_days": (
        "{n} 个格子在方案的某些天里日花费高于 {file} 里它们花费最高的一天（各格子方案中最高的一天）：{cells}。曲线在历史花费之外只是曲线形状的外推，"
        "区间不含形状本身的错误，那里的增量 GMV 没有数据支持；可用规则把这些天的花费限制在历史范围内，或先在这些花费上做增量实验",
        "The plan puts {n} cell(s), on some days, above the highest day of spend they had in {file} (each cell's "
        "largest planned day): {cells}. Beyond the spend it was fitted on a curve is its shape's extrapolation, and its band "
        "does not include the shape being wrong: no data supports the GMV it promises there. Keep those days within "
        "the history with a rule, or run a lift test at that spend first"),
    "optimizer.cli.beyond_source_curves": ("{file} 的拟合所用历史（其 highest_spend 列）",
                                           "the history {file} was fitted on (its highest_spend column)"),
    "optimizer.cli.beyond_history_cell": ("{cell} {planned}/天（历史最高 {highest}，×{ratio}）",
                                          "{cell} {planned} a day (highest {highest}, ×{ratio})"),
    "optimizer.cli.every_cell": ("所有单元", "every cell"),
    "optimizer.cli.budget_not_positive": (
        "--budget 必须大于 ¥0/天，实际为 {budget_cny:,.2f}", "--budget must be more than ¥0 a day, got {budget_cny:,.2f}"),
    "optimizer.cli.budget_below_floor": (
        "--budget {budget_cny:,.2f}/天（扣除预留后 {usable_cny:,.2f}）低于规则已固定的花费 {floor_cny:,.2f}/天（锁定渠道、"
        "保持当前花费的单元、下限）；请提高预算或放宽规则",
        "--budget {budget_cny:,.2f} a day ({usable_cny:,.2f} after the reserve) is below the {floor_cny:,.2f} a day the "
        "rules already fix "
        "(locked channels, cells kept at current spend, lower bounds); raise the budget or relax the rules"),
    "optimizer.summary.wrote": ("已写出 {path}（{rows} 行）", "Wrote {path} ({rows} rows)"),
    # finance exports of a plan: summary items and the assumptions sheet (item, value, source)
    "optimizer.item.unspent": ("目标未花出的预算（元）", "Left unspent by the objective (yuan)"),
    "optimizer.assume.objective": ("目标", "Objective"),
    "optimizer.assume.budget": ("日预算（元）", "Budget (yuan a day)"),
    "optimizer.assume.budget_eq": ("{amount}，全部花出", "{amount}, spent in full"),
    "optimizer.assume.budget_le": ("{amount}，至多花出", "{amount}, at most"),
    "optimizer.assume.reserve": ("预留比例（不投放）", "Reserve (held back)"),
    "optimizer.assume.reserve_value": ("{share}（每天 {amount} 元）", "{share} ({amount} yuan a day)"),
    "optimizer.assume.target_gmv": ("日 GMV 目标（元）", "GMV target (yuan a day)"),
    "optimizer.assume.new_product_cap": ("新品花费上限（占花费）", "New-product cap (share of spend)"),
    "optimizer.assume.new_customer_cap": ("新客流量上限（占付费流量）", "New-customer cap (share of paid traffic)"),
    "optimizer.assume.new_customer_floor": ("新客流量下限（占付费流量）", "New-customer floor (share of paid traffic)"),
    "optimizer.assume.bounds": ("渠道花费上下限", "Channel bounds"),
    "optimizer.assume.locks": ("锁定在当前花费的渠道", "Channels locked at current spend"),
    "optimizer.assume.unfit": ("未能拟合、保持当前花费的格", "Cells kept at current spend (not fitted)"),
    "optimizer.assume.roi_floor": ("增量投产比下限", "Incremental ROAS floor"),
    "optimizer.assume.roi_floor.break_even": ("保本（{roas}）", "break-even ({roas})"),
    "optimizer.assume.roi_floor.per_channel": ("{value}，每个渠道", "{value}, each channel"),
    "optimizer.assume.margin": ("毛利率（占 GMV）", "Margin (share of GMV)"),
    "optimizer.assume.model": ("归因模型（曲线先验）", "Attribution model (the curves' prior)"),
    "optimizer.assume.mode": ("数据形式", "Data"),
    "optimizer.assume.mode.pipeline": ("用户路径（触点 + 订单 + 花费）", "journeys (touchpoints + orders + spend)"),
    "optimizer.assume.mode.aggregate": ("汇总数据（花费 + 总 GMV）", "aggregate (spend + total GMV)"),
    "optimizer.assume.period": ("数据周期", "Data period"),
    "optimizer.assume.period.daily": ("按天", "daily"),
    "optimizer.assume.period.weekly": ("按周（曲线换算为每天）", "weekly (curves converted to per day)"),
    "optimizer.assume.from.data": ("由数据的日期判断", "detected from the data's dates"),
    "optimizer.assume.lookback_days": ("回看天数", "Lookback (days)"),
    "optimizer.assume.bootstrap": ("曲线抽样次数（--bootstrap）", "Curve draws (--bootstrap)"),
    "optimizer.assume.current_window": ("当前花费的取数天数", "Current spend over the last (days)"),
    "optimizer.assume.whole_history": ("全部历史", "the whole history"),
    "optimizer.assume.input": ("输入文件：{name}", "Input file: {name}"),
    "optimizer.assume.off": ("不设", "off"),
    "optimizer.assume.from.cli": ("命令行", "command line"),
    "optimizer.assume.from.default": ("默认值", "default"),
    "optimizer.assume.from.curves": ("曲线文件", "curves"),
    "optimizer.assume.from.sha256": ("SHA-256 校验值 {digest}", "SHA-256 {digest}"),
    "optimizer.assume.budget_total": ("总预算（元，{days} 天）", "Budget (yuan over {days} days)"),
    "optimizer.assume.reserve_value_total": ("{share}（共 {amount} 元）", "{share} ({amount} yuan in all)"),
    "optimizer.assume.target_gmv_total": ("GMV 目标（元，{days} 天）", "GMV target (yuan over {days} days)"),
    "optimizer.assume.return_rate": ("退货率（占 GMV）", "Return rate (share of GMV)"),
    "optimizer.assume.break_even": ("保本投产比 = 1 ÷ (毛利率 × (1 − 退货率))",
                                    "Break-even ROAS = 1 ÷ (margin × (1 − return rate))"),
    "optimizer.assume.risk": ("风险（有曲线抽样时）", "Risk (when the curves have draws)"),
    "optimizer.assume.risk.mean": ("平均：按估计值", "mean: on the estimate"),
    "optimizer.assume.risk.cvar": ("稳健：最差 {tail} 曲线抽样的平均增益（CVaR {level}）",
                                   "robust: the mean gain over the worst {tail} of curve draws (CVaR {level})"),
    "optimizer.assume.from.margin": ("由毛利率和退货率算出", "from the margin and return rate"),
    "optimizer.assume.from.scenario": ("方案文件", "scenario file"),
    "optimizer.assume.from.page": ("优化页设置", "set on the optimise page"),
    "optimizer.assume.from.fit": ("拟合", "fit"),
    "optimizer.assume.from.curves_file": ("曲线文件", "curves file"),
    "optimizer.assume.from.assumption": ("假设", "assumption"),
    "optimizer.assume.curves": ("曲线", "Curves"),
    "optimizer.assume.lag": ("延迟效应（{channel}，天）", "Carry-over lag, {channel} (days)"),
    "optimizer.assume.carry_in": ("周期开始前的花费", "Spend before the horizon"),
    "optimizer.assume.carry_in_value": ("当前日花费（延续效应）", "current daily spend (carry-in)"),
    "optimizer.assume.carry_out": ("周期结束后的价值", "Value after the horizon"),
    "optimizer.assume.carry_out_value": ("计入：最后几天的延续效应，之后花费回到当前水平",
                                         "counted: the last days' carry-over, spend back at today's level"),
    "optimizer.assume.horizon": ("计划周期", "Horizon"),
    "optimizer.assume.horizon_value": ("{start} – {end}（{days} 天）", "{start} – {end} ({days} days)"),
    "optimizer.assume.phase": ("阶段 {phase}", "Phase {phase}"),
    "optimizer.assume.phase_value": ("{start} – {end}，响应 × {multiplier}{overrides}",
                                     "{start} – {end}, response × {multiplier}{overrides}"),
    "optimizer.assume.weekend": ("周末系数", "Weekend multiplier"),
    "optimizer.assume.rule": ("节奏规则 {rule}", "Pacing rule {rule}"),
    "optimizer.assume.overrides": ("覆盖设置", "Overrides"),
    "optimizer.assume.from.command_line": ("命令行", "command line"),
    # binding rules, in money
    "optimizer.binding.budget": (
        "{rule}：每天多投 ¥1 预算，带来 {gain_cny} 的{what}",
        "{rule}: ¥1 more budget a day returns {gain_cny} of {what}",
    ),
    "optimizer.binding.share_cap": (
        "{rule}（{level_share}）：上限每提高 1 个百分点，每天{what}增加 {gain_cny}",
        "{rule} ({level_share}): raising the cap by one point adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.share_floor": (
        "{rule}（{level_share}）：下限每降低 1 个百分点，每天{what}增加 {gain_cny}",
        "{rule} ({level_share}): lowering the floor by one point adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.cell_upper_multiple": (
        "{rule}（每格 ≤ 当前花费的 {level_x}）：上限提高 0.1 倍，每天{what}增加 {gain_cny}",
        "{rule} (each cell ≤ {level_x} current spend): raising the limit by 0.1× adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.cell_lower_multiple": (
        "{rule}（每格 ≥ 当前花费的 {level_x}）：下限降低 0.1 倍，每天{what}增加 {gain_cny}",
        "{rule} (each cell ≥ {level_x} current spend): lowering the limit by 0.1× adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.cell_upper_cny": (
        "{rule}（每格每天 ≤ {level_cny}）：上限每多 ¥1，每天{what}增加 {gain_cny}",
        "{rule} (each cell ≤ {level_cny} a day): ¥1 more on the limit adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.cell_lower_cny": (
        "{rule}（每格每天 ≥ {level_cny}）：下限每少 ¥1，每天{what}增加 {gain_cny}",
        "{rule} (each cell ≥ {level_cny} a day): ¥1 less on the limit adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.total_upper_multiple": (
        "{rule}（合计 ≤ 当前花费的 {level_x}）：上限提高 0.1 倍，每天{what}增加 {gain_cny}",
        "{rule} (total ≤ {level_x} current spend): raising the limit by 0.1× adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.total_lower_multiple": (
        "{rule}（合计 ≥ 当前花费的 {level_x}）：下限降低 0.1 倍，每天{what}增加 {gain_cny}",
        "{rule} (total ≥ {level_x} current spend): lowering the limit by 0.1× adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.total_upper_cny": (
        "{rule}（合计每天 ≤ {level_cny}）：上限每多 ¥1，每天{what}增加 {gain_cny}",
        "{rule} (total ≤ {level_cny} a day): ¥1 more on the limit adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.total_lower_cny": (
        "{rule}（合计每天 ≥ {level_cny}）：下限每少 ¥1，每天{what}增加 {gain_cny}",
        "{rule} (total ≥ {level_cny} a day): ¥1 less on the limit adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.lock": (
        "{rule}（锁定在当前花费的 {level_x}）：锁定花费上调 1%，每天{what}变化 {gain_cny}",
        "{rule} (locked at {level_x} current spend): moving the locked spend up 1% changes {what} by {gain_cny} a day",
    ),
    "optimizer.binding.roi": (
        "{rule}（增量投产比 ≥ {level_roi}）：下限降低 0.1，每天{what}增加 {gain_cny}",
        "{rule} (incremental ROAS ≥ {level_roi}): lowering the floor by 0.1 adds {gain_cny} of {what} a day",
    ),
    "optimizer.binding.break_even": (
        "{rule}（毛利 ≥ 花费的 {level_x}，即增量投产比 ≥ 保本投产比的 {level_x}）：下限降低 0.1 倍，每天{what}增加 {gain_cny}",
        "{rule} (margin on GMV ≥ {level_x} the spend, i.e. incremental ROAS ≥ {level_x} break-even): lowering it by 0.1× adds "
        "{gain_cny} of {what} a day",
    ),
    "optimizer.binding.target": (
        "{rule}（每天 {level_cny}）：目标每提高 ¥1，需多花 {gain_cny}",
        "{rule} ({level_cny} a day): each ¥1 more of target costs {gain_cny} of spend",
    ),
    "optimizer.binding.linear": (
        "{rule}：放宽一个单位，每天{what}增加 {gain_cny}",
        "{rule}: loosening it by one unit adds {gain_cny} of {what} a day",
    ),
    # infeasible scenarios
    "optimizer.infeasible.alone": (
        "没有方案能同时满足所有规则。相互冲突的规则：{rules}。以下任意一项调整即可得到可行方案：",
        "No plan satisfies every rule. Rules in conflict: {rules}. Any one of these changes is enough:",
    ),
    "optimizer.infeasible.together": (
        "没有方案能同时满足所有规则。相互冲突的规则：{rules}。单独放宽任何一条都不够，需同时做以下调整：",
        "No plan satisfies every rule. Rules in conflict: {rules}. No single rule can give way alone; "
        "these changes together make a plan possible:",
    ),
    "optimizer.infeasible.no_diagnosis": (
        "没有方案能同时满足所有规则，且无法定位冲突；请检查预算、锁定和上下限。",
        "No plan satisfies every rule and the conflict could not be narrowed down; check budget, locks and bounds.",
    ),
    "optimizer.relax.budget_up": ("把{rule}从每天 {from_cny} 提高到 {to_cny}", "raise {rule} from {from_cny} to {to_cny} a day"),
    "optimizer.relax.budget_down": ("把{rule}从每天 {from_cny} 降到 {to_cny}", "lower {rule} from {from_cny} to {to_cny} a day"),
    "optimizer.relax.share_cap": ("把{rule}从 {from_share} 提高到 {to_share}", "raise {rule} from {from_share} to {to_share}"),
    "optimizer.relax.share_floor": ("把{rule}从 {from_share} 降到 {to_share}", "lower {rule} from {from_share} to {to_share}"),
    "optimizer.relax.bounds_lower_multiple": (
        "把{rule}的下限从当前花费的 {from_x} 降到 {to_x}",
        "lower the minimum of {rule} from {from_x} to {to_x} current spend",
    ),
    "optimizer.relax.bounds_upper_multiple": (
        "把{rule}的上限从当前花费的 {from_x} 提高到 {to_x}",
        "raise the maximum of {rule} from {from_x} to {to_x} current spend",
    ),
    "optimizer.relax.bounds_lower_cny": (
        "把{rule}每格的下限从 {from_cny} 降到 {to_cny}",
        "lower the minimum of {rule} from {from_cny} to {to_cny} per cell",
    ),
    "optimizer.relax.bounds_upper_cny": (
        "把{rule}每格的上限从 {from_cny} 提高到 {to_cny}",
        "raise the maximum of {rule} from {from_cny} to {to_cny} per cell",
    ),
    "optimizer.relax.total_lower_multiple": (
        "把{rule}合计下限从当前花费的 {from_x} 降到 {to_x}",
        "lower the total minimum of {rule} from {from_x} to {to_x} current spend",
    ),
    "optimizer.relax.total_upper_multiple": (
        "把{rule}合计上限从当前花费的 {from_x} 提高到 {to_x}",
        "raise the total maximum of {rule} from {from_x} to {to_x} current spend",
    ),
    "optimizer.relax.total_lower_cny": (
        "把{rule}合计下限从 {from_cny} 降到 {to_cny}", "lower the total minimum of {rule} from {from_cny} to {to_cny}",
    ),
    "optimizer.relax.total_upper_cny": (
        "把{rule}合计上限从 {from_cny} 提高到 {to_cny}", "raise the total maximum of {rule} from {from_cny} to {to_cny}",
    ),
    "optimizer.relax.bounds_lower_drop": ("取消{rule}的下限", "drop the minimum of {rule}"),
    "optimizer.relax.total_lower_drop": ("取消{rule}的合计下限", "drop the total minimum of {rule}"),
    "optimizer.relax.lock_up": (
        "允许{rule}从当前花费的 {from_x} 上调到 {to_x}", "let {rule} move from {from_x} up to {to_x} current spend",
    ),
    "optimizer.relax.lock_down": (
        "允许{rule}从当前花费的 {from_x} 下调到 {to_x}", "let {rule} move from {from_x} down to {to_x} current spend",
    ),
    "optimizer.relax.break_even": ("把{rule}从保本的 {from_x} 降到 {to_x}", "lower {rule} from {from_x} to {to_x} break-even"),
    "optimizer.relax.roi": ("把{rule}从 {from_roi} 降到 {to_roi}", "lower {rule} from {from_roi} to {to_roi}"),
    "optimizer.relax.target": ("把{rule}从每天 {from_cny} 降到 {to_cny}", "lower {rule} from {from_cny} to {to_cny} a day"),
    "optimizer.relax.linear_up": ("把{rule}的水平从 {from_cny} 调到 {to_cny}", "move the level of {rule} from {from_cny} to {to_cny}"),
    "optimizer.relax.linear_down": ("把{rule}的水平从 {from_cny} 调到 {to_cny}", "move the level of {rule} from {from_cny} to {to_cny}"),
    "optimizer.unverified": ("（未能复核，仅供参考）", "(not confirmed by a re-solve; indicative)"),
    # troubled solves
    "optimizer.solver_error.detail": (
        "求解器遇到数值问题（{detail}），方案不可信。请检查曲线参数的量级或放宽极端规则。",
        "The solver ran into numerical trouble ({detail}); there is no trustworthy plan. "
        "Check the scale of the curve parameters or loosen extreme rules.",
    ),
    "optimizer.solver_error.no_diagnosis": (
        "求解器遇到数值问题，方案不可信。", "The solver ran into numerical trouble; there is no trustworthy plan.",
    ),
    "optimizer.unbounded.detail": (
        "目标可以无限增长（{detail}）：请设置预算或花费上限。",
        "The objective can grow without limit ({detail}): set a budget or upper bounds on spend.",
    ),
    "optimizer.unbounded.no_diagnosis": (
        "目标可以无限增长：请设置预算或花费上限。", "The objective can grow without limit: set a budget or upper bounds on spend.",
    ),
    "optimizer.draws.snapped": (
        "曲线抽样含 {n_exponents} 个不同的指数，求解时归并为 {n_grid} 个网格指数（每条抽样曲线在 0 到 {range_x} "
        "当前花费之间重新拟合，方案超出该范围的单元拟合到方案花费的 1.5 倍，最大偏差为其区间末端值的 {error_share}，上限 {tolerance_share}）；方案的目标值和 "
        "P10/P50/P90 按原始抽样计算，最优性上界已加上归并可能造成的 {slack_cny}。",
        "The curve draws have {n_exponents} distinct exponents; the solver saw them snapped to {n_grid} grid "
        "exponents (each draw's curve refitted over 0 to {range_x} current spend, or to 1.5× the plan's spend where the "
        "plan goes beyond, off by at most {error_share} of its value at the range's end, limit {tolerance_share}); the plan's objective and its P10/P50/P90 are "
        "computed on the draws as given, and its optimality bound includes the {slack_cny} snapping can cost.",
    ),
    "optimizer.draws.snap_outside": (
        "注意：方案在 {n_cells} 个单元（{cells}）的花费超过当前花费的 {range_x} 倍，归并后的抽样曲线只在该范围内拟合过；"
        "上述最优性上界只对该范围内的方案成立。可用 --bounds 把单元花费限制在该范围内。",
        "Note: the plan spends more than {range_x} current spend on {n_cells} cell(s) ({cells}), beyond the range "
        "the snapped draws were fitted over; the optimality bound above holds for plans inside that range. "
        "--bounds can keep cells inside it.",
    ),
    "optimizer.optimal_inaccurate.detail": (
        "求解精度不足（{detail}），方案仅供参考。", "The solve reached reduced accuracy ({detail}); treat the plan as indicative.",
    ),
}
