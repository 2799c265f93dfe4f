"""Errors of optimizer rules, scenarios and commands, worded (keys raised as ``RoimixError(message=Message(key, values))``).

Values arrive raw (numbers as numbers, names as names) and are formatted here: ``{x:g}`` a plain number,
``{budget_cny:,.2f}`` yuan, ``{reserve_share:.0%}`` a share; ``got`` is whatever the user gave (shown with
``!r``); ``error`` is another keyed error's message, worded first by :func:`roimix.text.error_text`.
"""

STRINGS: dict[str, tuple[str, str]] = {
    # --- optimizer rules and objective (optimizer/scenario.py, optimizer/rules.py, optimizer/planner.py) ---
    "plan.err.rule.not_number": (
        "规则 '{rule}'：{setting} 必须是有限的数字，收到 {got!r}",
        "rule '{rule}': {setting} must be a finite number, got {got!r}"),
    "plan.err.rule.below": (
        "规则 '{rule}'：{setting} 不能小于 {low:g}，收到 {value:g}",
        "rule '{rule}': {setting} must be ≥ {low:g}, got {value:g}"),
    "plan.err.rule.above": (
        "规则 '{rule}'：{setting} 不能大于 {high:g}，收到 {value:g}",
        "rule '{rule}': {setting} must be ≤ {high:g}, got {value:g}"),
    "plan.err.rule.not_choice": (
        "规则 '{rule}'：{setting} 只能是 {choices} 之一，收到 {got!r}",
        "rule '{rule}': {setting} must be one of {choices}, got {got!r}"),
    "plan.err.rule.no_limit": (
        "规则 '{rule}'：请给出下限或上限",
        "rule '{rule}': give a lower or an upper limit"),
    "plan.err.rule.lower_above_upper": (
        "规则 '{rule}'：下限（{lower:g}）高于上限（{upper:g}）",
        "rule '{rule}': lower ({lower:g}) is above upper ({upper:g})"),
    "plan.err.rule.lock_all": (
        "规则 '{rule}'：锁定需要指定渠道（锁定全部单元就没有可分配的预算了）",
        "rule '{rule}': a lock needs a selection (locking every cell leaves nothing to plan)"),
    "plan.err.rule.rhs_not_finite": (
        "规则 '{rule}'：右侧取值必须是有限的数字",
        "rule '{rule}': rhs must be finite"),
    "plan.err.rule.coefficients_not_2d": (
        "规则 '{rule}'：系数必须是二维数组或稀疏矩阵（行 × 单元）",
        "rule '{rule}': coefficients must be a 2-D array or sparse matrix (rows × cells)"),
    "plan.err.rule.rows_mismatch": (
        "规则 '{rule}'：系数有 {n_rows} 行，右侧取值却有 {n_rhs} 个",
        "rule '{rule}': {n_rows} coefficient rows but {n_rhs} rhs values"),
    "plan.err.rule.coefficient_columns": (
        "规则 '{rule}'：系数有 {n_columns} 列，单元却有 {n_cells} 个",
        "rule '{rule}': {n_columns} coefficient columns but {n_cells} cells"),
    "plan.err.rule.not_a_rule": (
        "{got!r} 不是规则（应为 {choices} 之一）",
        "rule {got!r}: not a rule (expected one of {choices})"),
    "plan.err.rule.duplicate_name": (
        "规则 '{rule}'：有两条规则同名，请给每条规则起不同的名字",
        "rule '{rule}': two rules share this name; give each rule its own name"),
    "plan.err.rule.selects_nothing": (
        "规则 '{rule}'：没有选中任何单元（{selection}）",
        "rule '{rule}': selects no cells ({selection})"),
    "plan.err.select.no_column": (
        "选择条件：没有 '{column}' 列（现有列：{columns}）",
        "selection: no column '{column}' among {columns}"),
    "plan.err.objective.gmv_needs_budget": (
        "规则 'budget'：目标为 GMV 时需要预算",
        "rule 'budget': objective gmv needs a budget"),
    "plan.err.objective.min_spend_needs_target": (
        "规则 'GMV target'：目标为最省花费（min_spend）时需要 GMV 目标（target_gmv_cny_per_day）",
        "rule 'GMV target': objective min_spend needs target_gmv_cny_per_day"),
    "plan.err.risk.level_not_below_one": (
        "规则 'risk'：风险水平必须小于 1，收到 {value:g}",
        "rule 'risk': level must be < 1, got {value:g}"),
    "plan.err.risk.unreadable": (
        "规则 'risk'：应为 mean、cvar 或 cvar:水平（如 cvar:0.8），收到 {got!r}",
        "rule 'risk': expected mean, cvar or cvar:LEVEL (e.g. cvar:0.8), got {got!r}"),
    "plan.err.risk.not_risk": (
        "规则 'risk'：应为 Risk，收到 {got!r}",
        "rule 'risk': expected a Risk, got {got!r}"),
    "plan.err.risk.min_spend": (
        "规则 'risk'：风险目标只适用于 GMV 和利润，不适用于最省花费（min_spend）",
        "rule 'risk': a risk objective applies to gmv and profit, not min_spend"),
    "plan.err.replan.day": (
        "重新规划：从 {day} 起不在活动的第二天 {start} 之后到最后一天 {end} 之间",
        "re-plan: {day} is not a day after the campaign's first day {start} and up to its last day {end}"),
    "plan.err.replan.budget_spent": (
        "重新规划：总预算 ¥{total_cny:,.2f}（其中预留 ¥{reserve_cny:,.2f}）已花掉 ¥{spent_cny:,.2f}，剩余天数没有预算可分",
        "re-plan: ¥{spent_cny:,.2f} of the ¥{total_cny:,.2f} budget (¥{reserve_cny:,.2f} of it held back) is spent; "
        "nothing is left for the remaining days"),
    "plan.err.replan.no_actuals": (
        "{file}：没有实际花费行，无法确定剩余的第一天（请给 --from）",
        "{file}: no actual spend rows, so no first remaining day (give --from)"),
    "plan.err.replan.unknown_channel": (
        "{file}：第 {row} 行，列 {column}：渠道 '{channel}' 不在场景的曲线中（共 {n_rows} 行）；场景的渠道：{channels}",
        "{file}: row {row}, column {column}: channel '{channel}' is not in the scenario's curves ({n_rows} rows); its "
        "channels: {channels}"),
    "plan.err.replan.unknown_segment": (
        "{file}：第 {row} 行，列 {column}：渠道 '{channel}' 在场景的曲线中没有品类 '{segment}'（共 {n_rows} 行）",
        "{file}: row {row}, column {column}: the scenario's curves have no segment '{segment}' for channel "
        "'{channel}' ({n_rows} rows)"),
    "plan.err.replan.plan_not_campaign": (
        "{file}：--plan 应为大促（按日）计划，即 roimix batch 写出的 JSON",
        "{file}: --plan takes a campaign plan by date (the JSON roimix batch writes)"),
    "plan.err.replan.plan_horizon": (
        "{file}：计划的日期 {plan_start} 至 {plan_end} 与场景的 {start} 至 {end} 不同",
        "{file}: the plan runs {plan_start} to {plan_end}, the scenario {start} to {end}"),
    "plan.err.replan.out_suffix": (
        "--out：文件名应以 {formats} 结尾", "--out: expected a file ending in {formats}"),
    "plan.err.increment.unsolved": (
        "下一笔预算：需要一个已求解、带场景的方案",
        "next budget: needs a solved plan that carries its scenario"),
    "plan.err.increment.no_budget": (
        "下一笔预算：方案没有预算（目标为最省花费时无法追加预算）",
        "next budget: the plan has no budget (a min-spend plan has none to move)"),
    "plan.err.increment.below_zero": (
        "下一笔预算：预算 ¥{budget_cny:,.2f} 调整 ¥{delta_cny:,.2f} 后小于 0",
        "next budget: the budget ¥{budget_cny:,.2f} moved by ¥{delta_cny:,.2f} is below 0"),
    "plan.err.risk.no_draws": (
        "风险 {risk}：响应曲线没有抽样，无法衡量风险（拟合时生成抽样，或用 risk mean 规划）",
        "risk {risk}: the curves have no draws to weigh the risk over (fit them with draws, or plan with risk mean)"),
    "plan.err.sweep.needs_budget": (
        "预算扫描需要一个有预算的场景",
        "a budget sweep needs a scenario with a budget"),
    # --- curves tables and curve draws (optimizer/curves.py, optimizer/draws.py) ---
    "plan.err.curves.missing_columns": (
        "响应曲线表：缺少列 {columns}",
        "curves table: missing column(s) {columns}"),
    "plan.err.curves.no_rows": (
        "响应曲线表：没有曲线（表中没有数据行）",
        "curves table: no curves (it has no rows)"),
    "plan.err.curves.duplicate": (
        "曲线 {curve}：出现了不止一次（每个 {keys} 只能有一行）",
        "curve {curve}: appears more than once (one row per {keys})"),
    "plan.err.curves.not_number": (
        "曲线 {curve}：{column} 必须是数字，收到 {got!r}",
        "curve {curve}: {column} must be a number, got {got!r}"),
    "plan.err.curves.more": (
        "（另有 {n_more} 条曲线同样有误）",
        " (and {n_more} more curves)"),
    "plan.err.curves.family": (
        "曲线 {curve}：family 只能是 {families} 之一，收到 {got!r}{more}",
        "curve {curve}: family must be one of {families}, got {got!r}{more}"),
    "plan.err.curves.a": (
        "曲线 {curve}：a 必须是 ≥ 0 的有限数字，收到 {got!r}{more}",
        "curve {curve}: a must be a finite number ≥ 0, got {got!r}{more}"),
    "plan.err.curves.b": (
        "曲线 {curve}：该曲线族的 b 必须 > 0，收到 {got!r}{more}",
        "curve {curve}: b must be > 0 for this family, got {got!r}{more}"),
    "plan.err.curves.s_power": (
        "曲线 {curve}：power 曲线族的 s 必须满足 0 < s < 1，收到 {got!r}{more}",
        "curve {curve}: s must satisfy 0 < s < 1 for family power, got {got!r}{more}"),
    "plan.err.curves.s_hill": (
        "曲线 {curve}：hill 曲线族的 s 必须 > 0，收到 {got!r}{more}",
        "curve {curve}: s must be > 0 for family hill, got {got!r}{more}"),
    "plan.err.curves.s_hill_steep": (
        "曲线 {curve}：hill 曲线族的 s 不能超过 20（再陡就是阶跃，不是曲线），收到 {got!r}{more}",
        "curve {curve}: s must be ≤ 20 for family hill (steeper is a step, not a curve), got {got!r}{more}"),
    "plan.err.curves.current_spend": (
        "曲线 {curve}：当前花费 current_spend 必须 ≥ 0，收到 {got!r}{more}",
        "curve {curve}: current_spend must be ≥ 0, got {got!r}{more}"),
    "plan.err.curves.cpc": (
        "曲线 {curve}：点击单价 cpc 必须 > 0，收到 {got!r}{more}",
        "curve {curve}: cpc must be > 0, got {got!r}{more}"),
    "plan.err.curves.new_customer_share": (
        "曲线 {curve}：新客占比 new_customer_share 必须在 0 到 1 之间，收到 {got!r}{more}",
        "curve {curve}: new_customer_share must be between 0 and 1, got {got!r}{more}"),
    "plan.err.curves.margin": (
        "曲线 {curve}：毛利率 margin 必须在 0 到 1 之间，收到 {got!r}{more}",
        "curve {curve}: margin must be between 0 and 1, got {got!r}{more}"),
    "plan.err.draws.missing_columns": (
        "曲线抽样：缺少列 {columns}",
        "curve draws: missing column(s) {columns}"),
    "plan.err.draws.cells": (
        "曲线抽样：只适用于按渠道 × 人群划分单元的规划，而不是 {keys}",
        "curve draws: they apply to plans whose cells are channel × segment, not {keys}"),
    "plan.err.draws.count": (
        "曲线抽样：单元 {cell} 有 {n_draws} 次抽样，其他单元有 {n_others} 次",
        "curve draws: cell {cell} has {n_draws} draws, the others {n_others}"),
    "plan.err.draws.twice": (
        "曲线抽样：同一次抽样里同一个单元出现了两次",
        "curve draws: a draw lists the same cell twice"),
    "plan.err.draws.domain": (
        "曲线抽样：单元 {cell} 的第 {draw} 次抽样：{family} 曲线族的参数 a={a:g}、b={b:g}、s={s:g} 超出了取值范围",
        "curve draws: draw {draw} of cell {cell}: family {family} with a={a:g}, b={b:g}, s={s:g} is outside the "
        "family's domain"),
    "plan.err.draws.snap_too_far": (
        "曲线抽样：单元 {cell} 的第 {draw} 次抽样的指数 s={s:g} 无法归并到求解用的指数网格：在 0 到 {range_x:g} 倍"
        "当前花费之间偏差达其区间末端值的 {error_share:.2%}，超过上限 {tolerance_share:.2%}（共 {n_rows} 行超限）。请检查这些抽样的指数，"
        "或减少不同指数的个数（不超过 8 个时按原值求解）",
        "curve draws: draw {draw} of cell {cell} has exponent s={s:g}, too far from the solver's exponent grid: over 0 "
        "to {range_x:g}× current spend its snapped curve is off by {error_share:.2%} of its value at the range's end, above "
        "the limit of {tolerance_share:.2%} ({n_rows} row(s) over it). Check those draws' exponents, or use fewer distinct "
        "exponents (up to 8 are solved as given)"),
    # --- campaign calendars, horizons and pacing rules (optimizer/campaign/) ---
    "plan.err.calendar.bad_date": (
        "阶段 {phase} 的 {edge}：应为 2026-06-18 这样的日期，收到 {got!r}",
        "phase {phase} {edge}: expected a date like 2026-06-18, got {got!r}"),
    "plan.err.horizon.bad_date": (
        "规划周期 {edge}：应为 2026-06-18 这样的日期，收到 {got!r}",
        "horizon {edge}: expected a date like 2026-06-18, got {got!r}"),
    "plan.err.calendar.multiplier": (
        "阶段 {phase}：放大系数必须是 0 到 {high:g} 之间的数字，收到 {got!r}",
        "phase {phase}: multiplier must be a number between 0 and {high:g}, got {got!r}"),
    "plan.err.calendar.channel_multiplier": (
        "阶段 {phase}、渠道 {channel}：放大系数必须是 0 到 {high:g} 之间的数字，收到 {got!r}",
        "phase {phase}, channel {channel}: multiplier must be a number between 0 and {high:g}, got {got!r}"),
    "plan.err.calendar.multiplier_not_number": (
        "阶段 {phase}：放大系数必须是数字，收到 {got!r}",
        "phase {phase}: multiplier must be a number, got {got!r}"),
    "plan.err.calendar.channel_multiplier_not_number": (
        "阶段 {phase}、渠道 {channel}：放大系数必须是数字，收到 {got!r}",
        "phase {phase}, channel {channel}: multiplier must be a number, got {got!r}"),
    "plan.err.calendar.phase_no_name": (
        "阶段 {got!r}：每个阶段都需要名称",
        "phase {got!r}: a phase needs a name"),
    "plan.err.calendar.phase_regular": (
        "阶段 '{phase}'：这个名称留给不在任何阶段内的日子，请换一个",
        "phase '{phase}': this name is kept for days outside every phase"),
    "plan.err.calendar.phase_order": (
        "阶段 {phase}：结束日期（{end}）早于开始日期（{start}）",
        "phase {phase}: ends ({end}) before it starts ({start})"),
    "plan.err.calendar.campaign_no_name": (
        "大促：每个大促都需要名称",
        "campaign: a campaign needs a name"),
    "plan.err.calendar.no_phases": (
        "大促 {campaign}：至少要有一个阶段",
        "campaign {campaign}: give at least one phase"),
    "plan.err.calendar.phase_twice": (
        "大促 {campaign}：阶段 {phase} 出现了不止一次",
        "campaign {campaign}: phase {phase} appears more than once"),
    "plan.err.calendar.overlap": (
        "大促 {campaign}：阶段 {phase} 和 {next_phase} 的日期重叠（{start} ≤ {end}）",
        "campaign {campaign}: phases {phase} and {next_phase} overlap ({start} ≤ {end})"),
    "plan.err.calendar.no_phase": (
        "大促 {campaign}：没有阶段 '{phase}'（现有阶段：{phases}）",
        "campaign {campaign}: no phase '{phase}' (phases: {phases})"),
    "plan.err.calendar.no_spring_festival": (
        "大促 nianhuo：没有 {year} 年的春节日期（已知 {first_year}–{last_year} 年）；请在大促日历文件中给出各阶段日期",
        "campaign nianhuo: no Spring Festival date for {year} (known {first_year}–{last_year}); give the phases in a "
        "calendar file"),
    "plan.err.calendar.no_template": (
        "大促 '{campaign}'：没有这个模板（可用模板：{templates}）",
        "campaign '{campaign}': no such template (templates: {templates})"),
    "plan.err.calendar.missing_columns": (
        "大促日历表：缺少列 {columns}",
        "calendar table: missing column(s) {columns}"),
    "plan.err.calendar.which_campaign": (
        "大促日历表：包含多个大促（{campaigns}），请指定其中一个",
        "calendar table: holds campaigns {campaigns}; say which one"),
    "plan.err.calendar.no_campaign": (
        "大促日历表：没有大促 '{campaign}'（表中的大促：{campaigns}）",
        "calendar table: no campaign '{campaign}' (campaigns: {campaigns})"),
    "plan.err.calendar.phase_row": (
        "大促日历表，阶段 {phase}：需要恰好一行不填渠道（该阶段自己的放大系数）",
        "calendar table, phase {phase}: needs exactly one row without a channel"),
    "plan.err.calendar.weekend": (
        "周末放大系数必须在 0 到 {high:g} 之间，收到 {got!r}",
        "weekend multiplier must be between 0 and {high:g}, got {got!r}"),
    "plan.err.horizon.order": (
        "规划周期：结束日期（{end}）早于开始日期（{start}）",
        "horizon: ends ({end}) before it starts ({start})"),
    "plan.err.horizon.too_long": (
        "规划周期：共 {n_days} 天，最多 {max_days} 天",
        "horizon: {n_days} days; at most {max_days}"),
    "plan.err.campaign.budget_type": (
        "规则 'budget'：应为 CampaignBudget（整个规划周期的总预算），收到 {got!r}",
        "rule 'budget': expected a CampaignBudget (the total over the horizon), got {got!r}"),
    "plan.err.campaign.no_peak": (
        "规则 '{rule}'：要求集中在爆发日，但规划周期内没有哪一天属于名为 '{phase}' 的阶段",
        "rule '{rule}': focus on peak days, but no day of the horizon is in a phase named '{phase}'"),
    "plan.err.decomposition.missing": (
        "拟合分解：缺少成分 {components}",
        "decomposition: no component {components}"),
    "plan.err.decomposition.given_sd": (
        "given_sd 必须 > 0，收到 {got!r}",
        "given_sd must be > 0, got {got!r}"),
    # --- plan settings (roimix/settings.py) ---
    "plan.err.setting.missing": (
        "{setting}：请给出一个数字",
        "{setting}: give a number"),
    "plan.err.setting.not_number": (
        "{setting}：必须是有限的数字，收到 {got!r}",
        "{setting}: must be a finite number, got {got!r}"),
    "plan.err.setting.between": (
        "{setting}：必须在 {low:g} 到 {high:g} 之间，收到 {value:g}",
        "{setting}: must be between {low:g} and {high:g}, got {value:g}"),
    "plan.err.setting.below": (
        "{setting}：不能小于 {low:g}，收到 {value:g}",
        "{setting}: must be ≥ {low:g}, got {value:g}"),
    "plan.err.setting.not_choice": (
        "{setting}：只能是 {choices} 之一，收到 {got!r}",
        "{setting}: must be one of {choices}, got {got!r}"),
    "plan.err.setting.days": (
        "days：必须是 ≥ 1 的整数，收到 {got!r}",
        "days: must be a whole number ≥ 1, got {got!r}"),
    "plan.err.setting.gmv_needs_budget": (
        "budget：目标为 GMV 时需要预算",
        "budget: objective gmv needs a budget"),
    "plan.err.setting.min_spend_needs_target": (
        "target GMV：目标为最省花费（min_spend）时需要 GMV 目标",
        "target GMV: objective min_spend needs a GMV target"),
    "plan.err.setting.risk": (
        "risk：应为 mean 或 cvar:水平（0 ≤ 水平 < 1，如 cvar:0.8），收到 {got!r}",
        "risk: expected mean or cvar:LEVEL with 0 ≤ LEVEL < 1 (e.g. cvar:0.8), got {got!r}"),
    "plan.err.setting.roi_floor_word": (
        "ROI floor：应为数字（增量投产比）或 {word}（保本），收到 {got!r}",
        "ROI floor: expected a number (incremental ROAS) or {word}, got {got!r}"),
    "plan.err.setting.not_a_rule": (
        "rules：{got!r} 不是优化器规则",
        "rules: {got!r} is not an optimizer rule"),
    "plan.err.setting.daily_days": (
        "days：日规划的预算只覆盖 1 天，收到 {days} 天（多天请用 campaign_scenario）",
        "days: a daily plan's budget covers 1 day, got {days} (use campaign_scenario)"),
    "plan.err.setting.campaign_floor": (
        "new-customer-floor：大促规划没有新客下限",
        "new-customer-floor: a campaign plan has no new-customer floor"),
    # --- scenario files (roimix/scenarios/spec.py, load.py): {got} is the value as the file wrote it ---
    "plan.err.scenario.in_file": (
        "{file}：{error}",
        "{file}: {error}"),
    "plan.err.scenario.no_file": (
        "{file}：找不到这个场景文件",
        "{file}: no such scenario file"),
    "plan.err.scenario.bad_toml": (
        "{file}：不是有效的 TOML（第 {line} 行第 {column} 列）",
        "{file}: not valid TOML: {detail}"),
    "plan.err.scenario.not_utf8": (
        "{file}：不是 UTF-8 编码的文本文件",
        "{file}: not a UTF-8 text file"),
    "plan.err.scenario.set_syntax": (
        "--set {text}：格式应为 section.key=value，例如 budget.total=500000",
        "--set {text}: expected section.key=value, e.g. budget.total=500000"),
    "plan.err.scenario.set_not_table": (
        "--set {text}：{key} 不是一个表",
        "--set {text}: {key} is not a table"),
    "plan.err.scenario.unknown_key_close": (
        "{file}：未知的键 '{key}'（是不是想写 '{close}'？）",
        "{file}: unknown key '{key}' (did you mean '{close}'?)"),
    "plan.err.scenario.unknown_key": (
        "{file}：未知的键 '{key}'（可用的键：{keys}）",
        "{file}: unknown key '{key}' (valid keys: {keys})"),
    "plan.err.scenario.not_table": (
        "{file}：'{key}' 必须是一个表（[{key}]），收到 {got}",
        "{file}: '{key}' must be a table ([{key}]), got {got}"),
    "plan.err.scenario.number": (
        "{file}：{key} 必须是数字，收到 {got}",
        "{file}: {key} must be a number, got {got}"),
    "plan.err.scenario.number_or_off": (
        "{file}：{key} 必须是数字或 false（关闭），收到 {got}",
        "{file}: {key} must be a number or false, got {got}"),
    "plan.err.scenario.at_least": (
        "{file}：{key} 不能小于 {low:g}，收到 {got}",
        "{file}: {key} must be ≥ {low:g}, got {got}"),
    "plan.err.scenario.between": (
        "{file}：{key} 必须在 {low:g} 到 {high:g} 之间，收到 {got}",
        "{file}: {key} must be between {low:g} and {high:g}, got {got}"),
    "plan.err.scenario.between_or_off": (
        "{file}：{key} 必须在 {low:g} 到 {high:g} 之间，或为 false（关闭），收到 {got}",
        "{file}: {key} must be between {low:g} and {high:g} or false, got {got}"),
    "plan.err.scenario.integer": (
        "{file}：{key} 必须是整数，收到 {got}",
        "{file}: {key} must be a whole number, got {got}"),
    "plan.err.scenario.bool": (
        "{file}：{key} 必须是 true 或 false，收到 {got}",
        "{file}: {key} must be true or false, got {got}"),
    "plan.err.scenario.text": (
        "{file}：{key} 必须是带引号的文本，收到 {got}",
        "{file}: {key} must be text in quotes, got {got}"),
    "plan.err.scenario.choice": (
        "{file}：{key} 只能是 {choices} 之一，收到 {got}",
        "{file}: {key} must be one of {choices}, got {got}"),
    "plan.err.scenario.roi_floor": (
        "{file}：{key} 应为 ≥ 0 的增量投产比或 \"{word}\"（保本），收到 {got}",
        "{file}: {key} must be an incremental ROAS ≥ 0 or \"{word}\", got {got}"),
    "plan.err.scenario.risk": (
        "{file}：{key} 应为 \"mean\" 或 \"cvar:水平\"（0 ≤ 水平 < 1，如 \"cvar:0.9\"），收到 {got}",
        "{file}: {key} must be \"mean\" or \"cvar:LEVEL\" with 0 ≤ LEVEL < 1 (e.g. \"cvar:0.9\"), got {got}"),
    "plan.err.scenario.risk_without_draws": (
        "{file}：objective.risk = {risk} 需要曲线抽样，而这些曲线没有（curves.bootstrap = 0，或曲线文件旁没有抽样文件）；"
        "请用 risk = \"mean\"，或由日志拟合曲线",
        "{file}: objective.risk = {risk} needs curve draws and these curves have none (curves.bootstrap = 0, or no "
        "draws file beside the curves file): use risk = \"mean\", or fit the curves from the logs"),
    "plan.err.scenario.date": (
        "{file}：{key} 必须是 2026-10-20 这样的日期，收到 {got}",
        "{file}: {key} must be a date like 2026-10-20, got {got}"),
    "plan.err.scenario.path": (
        "{file}：{key} 必须是带引号的文件路径，收到 {got}",
        "{file}: {key} must be a file path in quotes, got {got}"),
    "plan.err.scenario.texts": (
        '{file}：{key} 必须是名称列表，如 ["ztc", "wxt"]，收到 {got}',
        '{file}: {key} must be a list of names like ["ztc", "wxt"], got {got}'),
    "plan.err.scenario.multipliers": (
        "{file}：{key} 必须是“阶段 = 数字”的表，如 {{ peak = 1.6 }}，收到 {got}",
        "{file}: {key} must be a table of phase = number, like {{ peak = 1.6 }}, got {got}"),
    "plan.err.scenario.bounds": (
        "{file}：{key} 必须是表的列表（[[rules.bounds]]），收到 {got}",
        "{file}: {key} must be a list of tables ([[rules.bounds]]), got {got}"),
    "plan.err.scenario.curves_file": (
        'curves.file：请给出响应曲线表的路径（curves.source 为 "file"）',
        'curves.file: give the curves table\'s path (curves.source is "file")'),
    "plan.err.scenario.target_gmv": (
        "objective.target_gmv：目标为最省花费（min_spend）时需要整个规划周期的 GMV 目标",
        "objective.target_gmv: objective min_spend needs a GMV target over the horizon"),
    "plan.err.scenario.budget_both": (
        "budget.times_current：budget.total 和 budget.times_current 只能给一个",
        "budget.times_current: give budget.total or budget.times_current, not both"),
    "plan.err.scenario.budget_not_positive": (
        "{key} 必须大于 0，收到 {value:g}",
        "{key} must be more than 0, got {value:g}"),
    "plan.err.scenario.calendar_both": (
        "calendar.file：calendar.template 和 calendar.file 只能给一个",
        "calendar.file: give calendar.template or calendar.file, not both"),
    "plan.err.scenario.calendar_year": (
        "calendar.year：请给出要规划的大促年份",
        "calendar.year: give the year of the campaign to plan"),
    "plan.err.scenario.bounds_limit": (
        "rules.bounds：请给出 lower 或 upper",
        "rules.bounds: give lower or upper"),
    # --- running a scenario (roimix/scenarios/run.py) ---
    "plan.err.scenario.missing_file": (
        "{key}：找不到文件 {path}",
        "{key}: no such file {path}"),
    "plan.err.scenario.fit_needs_logs": (
        '{key}：curves.source = "fit" 需要原始日志，请给出 {key}',
        '{key}: curves.source = "fit" needs the raw logs; give {key}'),
    "plan.err.scenario.partial_journeys": (
        "{key}：部分用户路径需要同时给出 data.touchpoints 和 data.conversions（只覆盖有路径的渠道；其余渠道只用汇总数据）",
        "{key}: partial journeys need both data.touchpoints and data.conversions (for the channels that have journeys; "
        "the other channels use aggregate data only)"),
    "plan.err.scenario.bootstrap_aggregate": (
        "curves.bootstrap：汇总模式（data.outcome）按数据周期设定曲线抽样数，不能指定",
        "curves.bootstrap: aggregate mode (data.outcome) sets its curve draws by the data's period; it cannot be given"),
    "plan.err.scenario.attribution_aggregate": (
        "{key}：汇总模式（data.outcome）没有归因先验（部分用户路径只给出延迟效应），请删去此项",
        "{key}: aggregate mode (data.outcome) has no attribution prior (partial journeys give only the carry-over); "
        "remove it"),
    "plan.err.scenario.needs_campaign": (
        "calendar.template：估计或指定放大系数需要一个大促（模板或日历文件）",
        "calendar.template: estimate or multipliers need a campaign (a template or a file)"),
    "plan.err.scenario.estimate_needs_fit": (
        'calendar.estimate：估计放大系数需要拟合的响应曲线（curves.source = "fit"）',
        'calendar.estimate: estimating multipliers needs fitted curves (curves.source = "fit")'),
    "plan.err.scenario.no_past_campaign": (
        "calendar.estimate：历史数据（{first} – {last}）中没有完整的 {campaign} 大促",
        "calendar.estimate: the history ({first} – {last}) holds no complete {campaign} campaign"),
    "plan.err.scenario.no_past_campaign_in": (
        "calendar.estimate：历史数据（{first} – {last}）中没有 {year} 年完整的 {campaign} 大促",
        "calendar.estimate: the history ({first} – {last}) holds no complete {campaign} campaign in {year}"),
    "plan.err.scenario.horizon_missing": (
        "{key}：请给出要规划的日期（或给出能确定日期的大促日历）",
        "{key}: give the days to plan (or a calendar whose dates set them)"),
    "plan.err.scenario.new_customer_needs_clicks": (
        "rules.new_customer_cap 需要每个单元的点击数，但 {source} 中 {cells} 没有 {columns}；"
        "请补上，或设置 rules.new_customer_cap = false",
        "rules.new_customer_cap needs clicks per cell, but {source} has no {columns} for {cells}; add them or set "
        "rules.new_customer_cap = false"),
    "plan.err.scenario.gmv_needs_budget": (
        "budget.total：目标为 GMV 时需要整个规划周期的预算（budget.total 或 budget.times_current）",
        "budget.total: objective gmv needs the budget over the horizon (budget.total or budget.times_current)"),
    "plan.err.scenario.budget_below_locks": (
        "budget.total：{budget_cny:,.2f} 元（其中 {spend_share:.0%} 可投放）低于锁定渠道（{locks}）在规划周期内的花费 "
        "{locked_cny:,.2f} 元；请提高预算或解除锁定",
        "budget.total: {budget_cny:,.2f} ({spend_share:.0%} of it to spend) is below the {locked_cny:,.2f} the locked "
        "channels ({locks}) spend over the horizon; raise the budget or unlock them"),
    "plan.err.scenario.unknown_channels": (
        "{key}：响应曲线中没有渠道 {unknown}（现有渠道：{channels}）",
        "{key}: no channel {unknown} in the curves (channels: {channels})"),
    # --- where a scenario's curves and phase multipliers came from (its assumptions sheet) ---
    "plan.source.curves_file": ("曲线文件 {file}", "curves file {file}"),
    "plan.source.fitted": (
        "基于历史数据拟合（{model} 归因先验，回看 {lookback_days} 天）",
        "fitted on the history ({model} prior, lookback {lookback_days} d)"),
    "plan.source.aggregate": (
        "由花费与店铺总 GMV（{file}，{period}）拟合（汇总模式）",
        "fitted on spend and the shop's total GMV ({file}, {period}; aggregate mode)"),
    "plan.source.calendar_file": ("大促日历文件 {file}", "calendar file {file}"),
    "plan.source.template": ("模板默认值", "template default"),
    "plan.source.scenario_file": ("方案文件", "scenario file"),
    "plan.source.estimated": (
        "由 {year} 年数据估计（{n_days} 天：×{estimate_x:.2f} ± {estimate_se:.2f}，与给定的 ×{given_x:.2f} 加权；"
        "标准误 {se:.2f}）",
        "estimated from {year} ({n_days} days: ×{estimate_x:.2f} ± {estimate_se:.2f}, weighed with the given "
        "×{given_x:.2f}; s.e. {se:.2f})"),
    "plan.source.not_estimated": ("{source}；未估计（{reason}）", "{source}; not estimated ({reason})"),
    "plan.source.kept.few_rows": (
        "历史中仅 {n_rows} 个“天 × 人群”观测，至少需要 {need} 个",
        "{n_rows} days × segments in the history (need {need})"),
    "plan.source.kept.no_incremental": (
        "这些天没有基线或没有预测的增量 GMV",
        "no baseline or no incremental GMV predicted on these days"),
    "plan.source.kept.collinear": (
        "基线与广告增量同步变化，无法区分（条件数 {condition:.0f}）",
        "baseline and incremental move together (condition {condition:.0f})"),
    # --- a scenario's pacing rules in its assumptions sheet (the [rules] key in brackets) ---
    "plan.assume.rule.per_phase": ("新品/新客上限也按阶段执行（rules.per_phase）",
                                   "Caps also hold within each phase (rules.per_phase)"),
    "plan.assume.rule.per_phase.true": ("是", "yes"),
    "plan.assume.rule.per_phase.false": ("否", "no"),
    "plan.assume.rule.key_daily_min": ("重点平台每日花费下限，× 当前日花费（rules.key_daily_min）",
                                       "Key platforms' daily minimum, × current daily spend (rules.key_daily_min)"),
    "plan.assume.rule.max_daily_change": ("每日花费变动上限，× 当前日花费（rules.max_daily_change）",
                                          "Largest day-to-day change, × current daily spend (rules.max_daily_change)"),
    "plan.assume.rule.change_applies_to": ("变动上限适用于（rules.change_applies_to）",
                                           "Day-to-day limit applies to (rules.change_applies_to)"),
    "plan.assume.rule.change_applies_to.key": ("重点平台", "key platforms"),
    "plan.assume.rule.change_applies_to.all": ("全部渠道", "all cells"),
    "plan.assume.rule.non_key_focus": ("非重点平台集中投放的日子（rules.non_key_focus）",
                                       "Non-key platforms' focus days (rules.non_key_focus)"),
    "plan.assume.rule.non_key_focus.none": ("不限", "none"),
    "plan.assume.rule.non_key_focus.weekends": ("周末", "weekends"),
    "plan.assume.rule.non_key_focus.peak": ("爆发期", "peak days"),
    "plan.assume.rule.non_key_focus.weekends+peak": ("周末和爆发期", "weekends and peak days"),
    "plan.assume.rule.non_key_offday_share": ("非重点平台在非集中日的花费上限（rules.non_key_offday_share）",
                                              "Non-key spend cap on other days (rules.non_key_offday_share)"),
    "plan.assume.rule.locks": ("锁定在当前花费的渠道（rules.locks）", "Channels locked at current spend (rules.locks)"),
    # --- command-line options (roimix/commands/) ---
    "plan.err.cli.roi_floor": (
        "--roi-floor：应为 ≥ 0 的增量投产比或 {word}（保本），收到 {got!r}",
        "--roi-floor: expected an incremental ROAS ≥ 0 or {word}, got {got!r}"),
    "plan.err.cli.option": ("{option}：{error}", "{option}: {error}"),
    "plan.err.cli.curves_and_logs": (
        "请给出 --curves 或原始日志（--touchpoints、--conversions、--spend）之一，不要同时给",
        "give either --curves or the raw logs (--touchpoints, --conversions, --spend), not both"),
    "plan.err.cli.bootstrap_needs_fit": (
        "--bootstrap 只用于在此拟合的曲线（原始日志）；--curves 文件的抽样是拟合它时保存的那些",
        "--bootstrap applies to curves fitted here (raw logs); a --curves file's draws are those its fit kept"),
    "plan.err.cli.bootstrap_aggregate": (
        "--bootstrap 暂不用于汇总模式（--outcome）：汇总模式按数据的周期（日/周）设定抽样",
        "--bootstrap is not available in aggregate mode (--outcome) yet: it sets its draws by the data's period"),
    "plan.err.cli.no_curves": (
        "请给出响应曲线（--curves curves.csv）或原始日志：--touchpoints、--conversions、--spend",
        "give the response curves (--curves curves.csv) or the raw logs: --touchpoints, --conversions, --spend"),
    "plan.err.cli.logs_missing": (
        "请给出响应曲线（--curves curves.csv）或原始日志：缺少 {options}",
        "give the response curves (--curves curves.csv) or the raw logs: missing {options}"),
    "plan.err.cli.bounds_syntax": (
        "--bounds：应为 relative:下限,上限 或 absolute:下限,上限，例如 relative:0.5,2，收到 {got!r}",
        "--bounds: expected relative:LOW,HIGH or absolute:LOW,HIGH, e.g. relative:0.5,2, got {got!r}"),
    "plan.err.cli.bounds_numbers": (
        "--bounds：上下限必须是数字，收到 {got!r}",
        "--bounds: limits must be numbers, got {got!r}"),
    "plan.err.cli.bounds_empty": (
        "--bounds：至少给出一个上限或下限",
        "--bounds: give at least one limit"),
    "plan.err.cli.gmv_needs_budget": (
        "目标为 GMV 时需要 --budget（元/天）",
        "objective gmv needs --budget (yuan per day)"),
    "plan.err.cli.min_spend_needs_target": (
        "目标为最省花费（min-spend）时需要 --target-gmv（每天的 GMV，元）",
        "objective min-spend needs --target-gmv (yuan of GMV per day)"),
    "plan.err.cli.unknown_lock": (
        "--lock：响应曲线中没有渠道 {unknown}（现有渠道：{channels}）",
        "--lock: no channel {unknown} in the curves (channels: {channels})"),
    "plan.err.cli.out_suffix": (
        "{option}：文件名应以 {formats} 之一结尾",
        "{option}: expected a file ending in {formats}"),
    "plan.err.cli.formats": (
        "--formats：应为 {formats} 中的一个或多个，用逗号分隔，收到 {got!r}",
        "--formats: expected a comma-separated subset of {formats}, got {got!r}"),
    "plan.err.cli.paths_or_logs": (
        "请给出 --paths，或同时给出 --touchpoints 和 --conversions",
        "give either --paths, or --touchpoints with --conversions"),
    "plan.err.cli.touchpoints_with_conversions": (
        "--touchpoints 和 --conversions 需要一起给出",
        "--touchpoints and --conversions go together"),
    "plan.err.cli.time_decay_needs_logs": (
        "time_decay 需要触点时间：请用 --touchpoints 和 --conversions 代替 --paths",
        "time_decay needs touch timestamps: give --touchpoints and --conversions instead of --paths"),
    "plan.err.cli.daily_needs_logs": (
        "--daily 需要日期：请用 --touchpoints 和 --conversions 代替 --paths",
        "--daily needs dates: give --touchpoints and --conversions instead of --paths"),
    "plan.err.cli.bad_paths": ("{file}：{error}", "{file}: {error}"),
    "plan.err.cli.position_weights_syntax": (
        "--position-weights：应为 首次,末次，如 0.4,0.4，收到 {got!r}",
        "--position-weights: expected FIRST,LAST like 0.4,0.4, got {got!r}"),
    "plan.err.cli.position_weights_range": (
        "--position-weights：首次、末次都须 ≥ 0，且 0 < 首次 + 末次 ≤ 1，收到 {got!r}",
        "--position-weights: need FIRST, LAST ≥ 0 with 0 < FIRST + LAST ≤ 1, got {got!r}"),
    "plan.err.cli.spark_missing": (
        "--engine spark 需要 pyspark：pip install 'roimix[spark]'（以及 Java 17）",
        "--engine spark needs pyspark: pip install 'roimix[spark]' (and Java 17)"),
    "plan.err.cli.spark_failed": ("Spark 运行失败：{reason}", "spark: {reason}"),
    "plan.err.cli.aggregate_needs": (
        "汇总模式需要 {options}",
        "aggregate mode needs {options}"),
    "plan.err.cli.validate_no_files": (
        "请至少给出一个文件，例如 --touchpoints touchpoints.csv",
        "give at least one file, e.g. --touchpoints touchpoints.csv"),
    "plan.batch.more_problems": ("（另有 {n} 个问题）", " (and {n} more problems)"),
    "plan.err.cli.engine": ("{error}", "{error}"),
}
