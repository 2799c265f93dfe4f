"""Campaign plans (618, Double 11, 年货节): phases, daily rules, summaries, finance workbook and batch runs.

Value names in ``{}`` print as in ``roimix.report.plan``: ``*_cny`` money, ``*_share`` a percentage,
``*_x`` a multiple of current spend, ``*_roi`` a ratio; ``*_pct`` is a number of percent.
Money in campaign plans is over the whole horizon, not per day.
"""

from roimix.campaign_names import CAMPAIGN_LABELS, PHASE_LABELS

STRINGS = {
    # re-planning the rest of a campaign
    "plan.note.replan.caps_rest": ("新品和新客上限只约束剩余天数：已花的已经花了",
                                   "The new-product and new-customer caps hold over the remaining days: what was spent is spent"),
    "plan.note.replan.change_restarts": ("日间变化上限从剩余的第一天重新起算", "The day-to-day change limit starts again on the first remaining day"),
    "plan.note.replan.missing_days": ("实际花费缺 {cell_days} 个渠道·日，按 ¥0 计",
                                      "{cell_days} channel-days have no actual spend row: counted as ¥0"),
    # campaigns and phases
    # the templates' own names (ground data: roimix.campaign_names)
    **{f"campaign.name.{k}": v for k, v in CAMPAIGN_LABELS.items()},
    **{f"campaign.phase.{k}": v for k, v in PHASE_LABELS.items()},
    # rule names
    "campaign.rule.budget": ("活动总预算", "campaign budget"),
    "campaign.rule.key daily minimum": ("重点平台每日保底", "key-platform daily minimum"),
    "campaign.rule.day-to-day change": ("日间波动上限", "day-to-day change limit"),
    "campaign.rule.non-key off-day share": ("非重点平台非集中日花费占比上限", "non-key spend off focus days"),
    "campaign.rule.flat": ("每日平均花费", "same spend every day"),
    "campaign.rule.in_phase": ("{rule}（{phase}）", "{rule} ({phase})"),
    # binding rules, in money over the campaign or the days re-planned ({span}: campaign.span.*)
    "campaign.span.campaign": ("活动期", "over the campaign"),
    "campaign.span.remaining": ("剩余 {days} 天", "over the remaining {days} days"),
    "campaign.binding.budget": (
        "{rule}：总预算每多 ¥1，{span}带来 {gain_cny} 的{what}",
        "{rule}: ¥1 more budget returns {gain_cny} of {what} {span}",
    ),
    "campaign.binding.share_cap": (
        "{rule}（{level_share}）：上限每提高 1 个百分点，{span}{what}增加 {gain_cny}",
        "{rule} ({level_share}): raising the cap by one point adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.share_floor": (
        "{rule}（{level_share}）：下限每降低 1 个百分点，{span}{what}增加 {gain_cny}",
        "{rule} ({level_share}): lowering the floor by one point adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.cell_upper_multiple": (
        "{rule}（每天 ≤ 当前日花费的 {level_x}）：上限提高 0.1 倍，{span}{what}增加 {gain_cny}",
        "{rule} (each day ≤ {level_x} current daily spend): raising the limit by 0.1× adds {gain_cny} of {what} "
        "{span}",
    ),
    "campaign.binding.cell_lower_multiple": (
        "{rule}（每天 ≥ 当前日花费的 {level_x}）：下限降低 0.1 倍，{span}{what}增加 {gain_cny}",
        "{rule} (each day ≥ {level_x} current daily spend): lowering the limit by 0.1× adds {gain_cny} of {what} "
        "{span}",
    ),
    "campaign.binding.cell_upper_cny": (
        "{rule}（每格每天 ≤ {level_cny}）：上限每多 ¥1，{span}{what}增加 {gain_cny}",
        "{rule} (each cell ≤ {level_cny} a day): ¥1 more on the limit adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.cell_lower_cny": (
        "{rule}（每格每天 ≥ {level_cny}）：下限每少 ¥1，{span}{what}增加 {gain_cny}",
        "{rule} (each cell ≥ {level_cny} a day): ¥1 less on the limit adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.total_upper_multiple": (
        "{rule}（{span}合计 ≤ 同期当前花费的 {level_x}）：上限提高 0.1 倍，{what}增加 {gain_cny}",
        "{rule} (total {span} ≤ {level_x} current spend over as many days): raising it by 0.1× adds {gain_cny} "
        "of {what}",
    ),
    "campaign.binding.total_lower_multiple": (
        "{rule}（{span}合计 ≥ 同期当前花费的 {level_x}）：下限降低 0.1 倍，{what}增加 {gain_cny}",
        "{rule} (total {span} ≥ {level_x} current spend over as many days): lowering it by 0.1× adds {gain_cny} "
        "of {what}",
    ),
    "campaign.binding.total_upper_cny": (
        "{rule}（{span}合计 ≤ {level_cny}）：上限每多 ¥1，{what}增加 {gain_cny}",
        "{rule} (total {span} ≤ {level_cny}): ¥1 more on the limit adds {gain_cny} of {what}",
    ),
    "campaign.binding.total_lower_cny": (
        "{rule}（{span}合计 ≥ {level_cny}）：下限每少 ¥1，{what}增加 {gain_cny}",
        "{rule} (total {span} ≥ {level_cny}): ¥1 less on the limit adds {gain_cny} of {what}",
    ),
    "campaign.binding.lock": (
        "{rule}（锁定在当前日花费的 {level_x}）：锁定花费上调 1%，{span}{what}变化 {gain_cny}",
        "{rule} (locked at {level_x} current daily spend): moving it up 1% changes {what} by {gain_cny} "
        "{span}",
    ),
    "campaign.binding.roi": (
        "{rule}（增量投产比 ≥ {level_roi}）：下限降低 0.1，{span}{what}增加 {gain_cny}",
        "{rule} (incremental ROAS ≥ {level_roi}): lowering the floor by 0.1 adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.target": (
        "{rule}（{span} {level_cny}）：目标每提高 ¥1，需多花 {gain_cny}",
        "{rule} ({level_cny} {span}): each ¥1 more of target costs {gain_cny} of spend",
    ),
    "campaign.binding.linear": (
        "{rule}：放宽一个单位，{span}{what}增加 {gain_cny}",
        "{rule}: loosening it by one unit adds {gain_cny} of {what} {span}",
    ),
    "campaign.binding.change": (
        "{rule}（±当前日花费的 {level_pct}%）：每放宽 1 个百分点，{span}{what}增加 {gain_cny}",
        "{rule} (±{level_pct}% of current daily spend): one point more adds {gain_cny} of {what} {span}",
    ),
    # relaxations of an infeasible campaign
    "campaign.relax.budget_up": ("把{rule}从 {from_cny} 提高到 {to_cny}", "raise {rule} from {from_cny} to {to_cny}"),
    "campaign.relax.budget_down": ("把{rule}从 {from_cny} 降到 {to_cny}", "lower {rule} from {from_cny} to {to_cny}"),
    "campaign.relax.target": ("把{rule}从 {from_cny} 降到 {to_cny}", "lower {rule} from {from_cny} to {to_cny}"),
    "campaign.relax.change": (
        "把{rule}从当前日花费的 {from_pct}% 放宽到 {to_pct}%",
        "allow {rule} of {to_pct}% instead of {from_pct}% of current daily spend",
    ),
    # summary of a plan
    "campaign.summary.head": (
        "{campaign} 计划 {start} 至 {end}（{days} 天）：{status}（{objective}）",
        "{campaign} plan {start} to {end} ({days} days): {status} ({objective})",
    ),
    "campaign.summary.money": (
        "预算 {budget_cny}，计划花费 {spend_cny}，未花 {reserve_cny}（预留及目标未用）；预计增量 GMV {gmv_cny}，增量投产比 {plan_roi}",
        "Budget {budget_cny}, planned spend {spend_cny}, not spent {reserve_cny} (reserve and any the objective left); "
        "expected incremental GMV {gmv_cny}, incremental ROAS {plan_roi}",
    ),
    "campaign.summary.flat": (
        "对比每日平均花费的方案（同样预算）：GMV {flat_gmv_cny} → {gmv_cny}（{uplift_cny}，{uplift_share}）",
        "Against spending the same every day (same budget): GMV {flat_gmv_cny} → {gmv_cny} ({uplift_cny}, "
        "{uplift_share})",
    ),
    "campaign.summary.phase": (
        "{phase}（{start} 至 {end}，{days} 天，响应系数 {multiplier}）：花费 {spend_cny}，GMV {gmv_cny}",
        "{phase} ({start} to {end}, {days} days, response × {multiplier}): spend {spend_cny}, GMV {gmv_cny}",
    ),
    "campaign.summary.regular": (
        "{phase}（{days} 天）：花费 {spend_cny}，GMV {gmv_cny}", "{phase} ({days} days): spend {spend_cny}, GMV {gmv_cny}",
    ),
    "campaign.summary.none": ("没有可行的计划。", "There is no feasible plan."),
    # finance workbook: sheets' column headers
    "campaign.col.item": ("项目", "Item"),
    "campaign.col.value": ("值", "Value"),
    "campaign.col.source": ("来源", "Source"),
    "campaign.col.date": ("日期", "Date"),
    "campaign.col.day": ("第几天", "Day"),
    "campaign.col.phase": ("阶段", "Phase"),
    "campaign.col.channel": ("渠道", "Channel"),
    "campaign.col.channel_label": ("渠道名称", "Channel name"),
    "campaign.col.segment": ("商品", "Products"),
    "campaign.col.spend": ("花费（元）", "Spend (yuan)"),
    "campaign.col.current_spend": ("当前花费（元）", "Current spend (yuan)"),
    "campaign.col.expected_gmv": ("预计 GMV（元）", "Expected GMV (yuan)"),
    "campaign.col.roi": ("增量投产比", "Incremental ROAS"),
    "campaign.col.marginal_roi": ("边际投产比", "Marginal ROAS"),
    "campaign.col.break_even_roi": ("保本投产比", "Break-even ROAS"),
    "campaign.col.roi_minus_break_even": ("增量投产比 − 保本投产比", "Incremental ROAS − break-even ROAS"),
    "campaign.col.share": ("占比", "Share"),
    "campaign.col.multiplier": ("响应系数", "Response multiplier"),
    "campaign.col.rule": ("规则", "Rule"),
    "campaign.col.kind": ("类型", "Kind"),
    "campaign.col.side": ("方向", "Side"),
    "campaign.col.level": ("水平", "Level"),
    "campaign.col.unit": ("单位", "Unit"),
    "campaign.col.binding": ("是否起约束", "Binding"),
    "campaign.col.shadow_price": ("影子价格（每单位，元）", "Shadow price (yuan per unit)"),
    "campaign.col.step": ("步长", "Step"),
    "campaign.col.gain_per_step": ("放宽一步的价值（元）", "Worth of one step (yuan)"),
    "campaign.col.explanation": ("说明", "Explanation"),
    "campaign.total": ("合计", "Total"),
    # finance workbook: summary items
    "campaign.item.scenario": ("情景", "Scenario"),
    "campaign.item.campaign": ("活动", "Campaign"),
    "campaign.item.horizon": ("计划期", "Horizon"),
    "campaign.item.objective": ("目标", "Objective"),
    "campaign.item.status": ("状态", "Status"),
    "campaign.item.budget": ("预算（元）", "Budget (yuan)"),
    "campaign.item.spend": ("计划花费（元）", "Planned spend (yuan)"),
    "campaign.item.reserve": ("预留（元）", "Held back (yuan)"),
    "campaign.item.gmv": ("预计 GMV（元）", "Expected GMV (yuan)"),
    "campaign.item.gain_vs_flat_p10": ("比每天平均花多赚 P10（元，活动期）", "Gain over the even plan P10 (yuan, campaign)"),
    "campaign.item.gain_vs_flat_p50": ("比每天平均花多赚 P50（元，活动期）", "Gain over the even plan P50 (yuan, campaign)"),
    "campaign.item.gain_vs_flat_p90": ("比每天平均花多赚 P90（元，活动期）", "Gain over the even plan P90 (yuan, campaign)"),
    "campaign.item.prob_better_than_flat": ("优于每天平均花的概率", "Chance it beats the even plan"),
    "campaign.item.roi": ("预计增量投产比", "Expected incremental ROAS"),
    "campaign.item.flat_gmv": ("每日平均花费方案的 GMV（元）", "GMV of spending the same every day (yuan)"),
    "campaign.item.optimality_gap": ("与理论最优的差距（元）", "Gap to the best possible (yuan)"),
    "campaign.item.relative_gap": ("相对差距", "Relative gap"),
    "campaign.item.duality_gap": ("对偶间隙（元）", "Duality gap (yuan)"),
    "campaign.item.residuals": ("原始 / 对偶残差", "Primal / dual residual"),
    "campaign.item.solver": ("求解器", "Solver"),
    "campaign.item.solve_time": ("首次求解（秒）", "First solve (s)"),
    "campaign.item.made_at": ("生成时间", "Made at"),
    "campaign.item.made_by": ("生成工具", "Made by"),
    "campaign.item.inputs": ("输入", "Inputs"),
    "campaign.item.messages": ("说明", "Notes"),
    "campaign.unit.cny": ("元", "yuan"),
    "campaign.unit.share": ("占比", "share"),
    "campaign.unit.multiple": ("当前花费的倍数", "× current spend"),
    "campaign.unit.roi": ("增量投产比", "incremental ROAS"),
    "campaign.unit.pct": ("当前日花费的百分比", "% of current daily spend"),
    # batch runs
    "campaign.batch.progress": ("情景", "scenarios"),
    "campaign.batch.solved": (
        "{name}：花费 {spend}，预计增量 GMV {gmv}，增量投产比 {roi}",
        "{name}: spend {spend}, expected incremental GMV {gmv}, incremental ROAS {roi}",
    ),
    "campaign.batch.failed": ("情景 {name} 失败：{reason}", "scenario {name} failed: {reason}"),
    "campaign.batch.infeasible": ("情景 {name} 无可行方案：{reason}", "scenario {name} is infeasible: {reason}"),
    "campaign.batch.done": (
        "{solved}/{total} 个情景已求解，对比表：{path}", "{solved} of {total} scenarios solved; comparison: {path}",
    ),
    # the scenarios page (app): files and the cell-by-cell comparison
    "app.scn.save_help_files": ("保存的是优化页的全部设置及其方案；同名方案会被覆盖。",
                                "A scenario keeps every setting of the optimise page and its plan; the same name replaces it."),
    "app.scn.folder": ("方案文件保存在 {folder}（可用 roimix batch 直接运行）。", "Scenario files are kept in {folder} (runnable with roimix batch)."),
    "app.scn.saved_file": ("已保存方案 {name}：{path}", "Saved scenario {name}: {path}"),
    "app.scn.file_problem": ("无法读取方案文件：{problem}", "A scenario file could not be read: {problem}"),
    "app.scn.bad_toml": ("{file} 不是有效的 TOML（第 {line} 行第 {column} 列附近有误）",
                         "{file} is not valid TOML (a mistake near line {line}, column {column})"),
    "app.scn.not_scenario": ("{file} 不是可用的 roimix 方案文件（请上传本页下载的文件，或 roimix batch 读取的 TOML）",
                             "{file} is not a usable roimix scenario file (upload a file downloaded here, or a TOML "
                             "roimix batch reads)"),
    "app.scn.download_file": ("下载方案文件（TOML）", "Download the scenario file (TOML)"),
    "app.scn.upload_file": ("上传方案文件（TOML）", "Upload a scenario file (TOML)"),
    "app.scn.uploaded_file": ("已载入方案 {name}", "Loaded scenario {name}"),
    "app.scn.cells": ("逐项对比（渠道 × 新品/老品）", "Cell by cell (channel × product segment)"),
    "app.scn.cells_pick": ("对比的两个方案（A、B）", "The two scenarios compared (A, B)"),
    "app.scn.cells_need_two": ("选择两个方案即可逐渠道对比。", "Pick two scenarios to compare them cell by cell."),
    "app.scn.cell.channel": ("渠道", "Channel"),
    "app.scn.cell.segment": ("商品", "Products"),
    "app.scn.cell.spend": ("{side} 花费/天", "{side} spend / day"),
    "app.scn.cell.gmv": ("{side} 增量 GMV/天", "{side} incremental GMV / day"),
    "app.scn.cell.roi": ("{side} 增量投产比", "{side} incremental ROAS"),
    "app.scn.cell.spend_delta": ("花费差（B − A）", "Spend Δ (B − A)"),
    "app.scn.cell.gmv_delta": ("GMV 差（B − A）", "GMV Δ (B − A)"),
    "app.scn.cell.roi_delta": ("投产比差（B − A）", "ROAS Δ (B − A)"),
    # progress of the first fit (app)
    "app.progress.title": ("正在用你的数据拟合响应曲线（首次约需十几秒）", "Fitting the response curves on your data (the first time takes ten-odd seconds)"),
    "app.progress.read": ("1/4 读取数据、整理用户路径", "1/4 Reading the data, building journeys"),
    "app.progress.attribution": ("2/4 归因", "2/4 Attribution"),
    "app.progress.curves": ("3/4 拟合曲线", "3/4 Fitting the curves"),
    "app.progress.solve": ("4/4 求解", "4/4 Solving"),
    "app.progress.done": ("响应曲线已拟合（应用运行期间不再重复）", "Curves fitted (kept while the app runs)"),
    "app.progress.failed": ("拟合未完成", "The fit did not finish"),
    # the campaign page (app)
    "app.camp.col.credited_gmv": ("本阶段花费带来的 GMV", "GMV from the phase's spend"),
    "app.camp.budget_exact": (
        "活动总预算 ¥{total:,.2f} = 优化页日预算 ¥{daily:,.2f} × {days} 天 × {pct}%",
        "Campaign budget ¥{total:,.2f} = the optimise page's daily budget ¥{daily:,.2f} × {days} days × {pct}%",
    ),
}
