"""Re-planning the rest of a campaign (``roimix replan``, the 投放执行 page's 重新规划剩余预算): the summary, the
changes and binding sheets' headers, the notes of the shell and the app section."""

STRINGS = {
    # --- the summary (CLI and app) ---
    "replan.head": ("{name}：从 {first} 起重新规划剩余预算（至 {end}，共 {days} 天）",
                    "{name}: the rest re-planned from {first} (to {end}, {days} days)"),
    "replan.spent": ("已花费（前 {days} 天，按实际）：{spent}", "Spent so far ({days} days, as actually spent): {spent}"),
    "replan.remaining": ("剩余预算 {remaining}：重新分配 {spend}，预留与未花 {held}",
                         "Remaining budget {remaining}: re-planned {spend}, held back or left unspent {held}"),
    "replan.adds_up": ("已花 {spent} + 重新规划 {spend} + 预留与未花 {held} = 活动总预算 {total}",
                       "spent {spent} + re-planned {spend} + held back {held} = the campaign's budget {total}"),
    "replan.compared.scenario": ("对比基准：场景 {file} 自身的计划（未给 --plan，按场景重新求解）",
                                 "Compared with: scenario {file}'s own plan (no --plan given; solved again)"),
    "replan.compared.file": ("对比基准：计划文件 {file} 中剩余天数的花费",
                             "Compared with: the remaining days of plan file {file}"),
    "replan.compared.app": ("对比基准：所上传计划 {file} 中剩余天数的花费",
                            "Compared with: the remaining days of the uploaded plan {file}"),
    "replan.by_channel": ("各渠道剩余天数花费（原计划 → 新计划）：", "Per channel over the remaining days (before → after):"),
    "replan.channel": ("{channel}：{before} → {after}（{change}）", "{channel}: {before} → {after} ({change})"),
    "replan.channel_new": ("{channel}：原计划没有 → {after}", "{channel}: not in the original plan → {after}"),
    "replan.binding": ("现在约束方案的规则（影子价格：放宽一单位多带来的 GMV）：",
                       "Rules that bind now (shadow price: the GMV one unit of relaxation would bring):"),
    "replan.no_binding": ("没有规则约束新方案", "No rule binds the new plan"),
    "replan.notes": ("说明：", "Notes:"),
    "replan.infeasible": ("剩余天数没有满足所有规则的方案：", "The remaining days have no plan that meets every rule:"),
    "replan.solver_failed": ("求解器未能给出剩余天数的方案（{status}）：请重试或放宽规则",
                             "The solver gave no plan for the remaining days ({status}): try again or relax a rule"),
    "replan.wrote": ("已写出 {path}", "wrote {path}"),
    # --- the finance file ---
    "export.sheet.changes": ("调整", "changes"),
    "export.sheet.binding": ("约束规则", "binding rules"),
    "replan.col.before": ("原计划（剩余天数）", "before (remaining days)"),
    "replan.col.after": ("新计划", "after"),
    "replan.col.change": ("变化", "change"),
    "replan.col.rule": ("规则", "rule"),
    "replan.col.level": ("水平", "level"),
    "replan.col.unit": ("单位", "unit"),
    "replan.col.gain_per_unit": ("影子价格（每单位 GMV）", "shadow price (GMV per unit)"),
    "replan.col.step": ("一步", "step"),
    "replan.col.gain_per_step": ("放宽一步的 GMV", "GMV of one step"),
    "replan.col.explanation": ("说明", "explanation"),
    "replan.unit.cny": ("元", "yuan"),
    "replan.unit.share": ("占比", "share"),
    "replan.unit.multiple": ("当前日花费的倍数", "× current daily spend"),
    "replan.unit.roi": ("投产比", "ROAS"),
    "replan.item.from": ("重新规划起始日", "re-planned from"),
    "replan.item.spent": ("已花费（实际）", "spent so far (actual)"),
    "replan.item.original": ("对比基准", "compared with"),
    "replan.item.campaign_budget": ("活动总预算（已花 + 剩余）", "the campaign's budget (spent + remaining)"),
    # --- notes of the shell (keys and values from roimix.scenarios.replan) ---
    "plan.note.replan.before_start": ("{file}：{n_rows} 行早于活动首日 {start}（{first} 至 {last}），未计入已花费",
                                      "{file}: {n_rows} rows lie before the campaign's first day {start} ({first} to "
                                      "{last}): not counted as spent"),
    "plan.note.replan.after_from": ("{file}：{n_rows} 行在 {from} 或之后（{first} 至 {last}），属于重新规划的天数，未计入已花费",
                                    "{file}: {n_rows} rows lie on or after {from} ({first} to {last}), the days being "
                                    "re-planned: not counted as spent"),
    "plan.note.replan.reserve": ("预留 ¥{reserve_cny:,.2f}（总预算的 {reserve_share:.0%}）仍然保留，不分给剩余天数",
                                 "The reserve of ¥{reserve_cny:,.2f} ({reserve_share:.0%} of the campaign's budget) "
                                 "stays held back from the remaining days"),
    # --- the app's section on the 投放执行 page ---
    "pacing.app.use_campaign_plan": ("使用「大促」页的当前计划", "Use the plan on the Campaign page"),
    "replan.app.title": ("重新规划剩余预算", "Re-plan the rest"),
    "replan.app.budget_from_plan": ("预算取自所上传的计划：可花 {planned}（大促页当前可花 {page}，此处不用）",
                                    "The budget is the uploaded plan's: {planned} to spend (the campaign page's "
                                    "{page} is not used here)"),
    "replan.app.intro": ("已花的天数按实际花费固定（其延续效应计入剩余天数），剩余预算在剩余天数内按同样规则重新优化。"
                         "曲线、活动日历和规则取自本会话的大促页。",
                         "The days already spent are fixed at what was actually spent (their carry-over into the "
                         "remaining days counted); the remaining budget is re-optimised over the remaining days under "
                         "the same rules. Curves, calendar and rules come from this session's campaign page."),
    "replan.app.first": ("剩余的第一天", "First remaining day"),
    "replan.app.run": ("重新规划", "Re-plan"),
    "replan.app.running": ("正在重新规划剩余天数…", "Re-planning the remaining days…"),
    "replan.app.what": ("重新规划", "the re-plan"),
    "replan.app.not_campaign": ("重新规划需要大促（按日）计划：所上传的是每日固定计划",
                                "Re-planning needs a campaign (daily) plan; the uploaded plan is the same every day"),
    "replan.app.horizon_differs": ("所上传计划的日期（{plan_start} 至 {plan_end}）没有包含大促页的活动（{start} 至 {end}）："
                                   "请在大促页选择同一活动和日期",
                                   "The uploaded plan's dates ({plan_start} to {plan_end}) do not hold the campaign "
                                   "page's ({start} to {end}): choose the same campaign and dates there"),
    "replan.app.own_horizon": ("按所上传计划的日期（{plan_start} 至 {plan_end}）重新规划：大促页活动（{start} 至 {end}）"
                               "之外的日子按平日计",
                               "Re-planned over the uploaded plan's dates ({plan_start} to {plan_end}): days outside "
                               "the campaign page's ({start} to {end}) count as regular days"),
    "replan.app.chart": ("剩余天数各渠道花费：原计划与新计划", "Remaining days' spend per channel: before and after"),
    "replan.app.before": ("原计划", "before"),
    "replan.app.after": ("新计划", "after"),
    "replan.app.changes": ("各渠道调整", "Changes per channel"),
    "replan.app.binding": ("现在约束方案的规则", "Rules that bind now"),
    "replan.app.download": ("下载重新规划（Excel）", "Download the re-plan (Excel)"),
    "replan.app.metric.spent": ("已花费", "Spent so far"),
    "replan.app.metric.remaining": ("剩余预算", "Remaining budget"),
    "replan.app.metric.gmv": ("剩余天数预计 GMV", "Expected GMV, remaining days"),
}
