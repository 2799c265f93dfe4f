"""Pacing (投放执行): plan against actuals — errors, notes, alerts, the CLI summary, table headers and the app page.

:func:`say` words a :mod:`roimix.pacing` message: ``share`` / ``*_share`` as a percentage, ``*_cny`` as money,
``channel`` by its label (a channels table's or the plan's) when one is known.
"""

from __future__ import annotations

STRINGS = {
    # --- errors (exit 2) ---
    "pace.err.unknown_channel": (
        "{file}：第 {row} 行，列 {column}：渠道 '{channel}' 不在计划中（共 {n_rows} 行）；计划中的渠道：{channels}",
        "{file}: row {row}, column {column}: channel '{channel}' is not in the plan ({n_rows} rows); the plan's "
        "channels: {channels}"),
    "pace.err.no_days": ("{file}：没有落在计划期内（{start} 至 {end}）的日期，无法对比执行",
                         "{file}: no day falls inside the plan's horizon ({start} to {end}); nothing to pace"),
    "pace.err.thresholds": ("偏差阈值应在 0 与 1 之间、连续天数至少 1（收到 {tolerance_share}、{days}）",
                            "the pacing tolerance must lie between 0 and 1 and the run at least 1 day (got "
                            "{tolerance_share}, {days})"),
    "pace.err.plan_file": ("{file}：不是 roimix 的计划文件（应含 plan 或 daily 表：roimix plan --out plan.json 或 "
                           "roimix batch 写出的 JSON）",
                           "{file}: not a roimix plan file (it should hold a plan or daily table: the JSON "
                           "roimix plan --out plan.json or roimix batch writes)"),
    "pace.err.plan_empty": ("{file}：计划为空（求解未成功的计划没有可对比的花费）",
                            "{file}: the plan is empty (a plan that was not solved has no spend to pace against)"),
    "pace.err.plan_columns": ("{file}：计划缺少列或值：{columns}", "{file}: the plan lacks columns or values: {columns}"),
    "pace.err.plan_spend": ("{file}：计划第 {row} 行的花费不是非负数", "{file}: plan row {row}: spend is not a number ≥ 0"),
    "pace.err.plan_json": ("{file}：无法读取 JSON（第 {line} 行附近）", "{file}: not readable JSON (near line {line})"),
    "pace.err.plan_missing": ("找不到计划文件 {file}", "plan file {file} not found"),
    "pace.err.plan_suffix": ("{file}：--plan 应为 JSON 计划文件（.json）",
                             "{file}: --plan takes a JSON plan file (.json)"),
    "pace.err.gmv_both": ("--outcome 与 -c/--conversions 只能给一个（GMV 来自其一）",
                          "give --outcome or -c/--conversions, not both (GMV comes from one of them)"),
    "pace.err.start_campaign": ("{file}：大促计划有自己的日期，不能再给 --start",
                                "{file}: a campaign plan has its own dates; --start does not apply"),
    "pace.err.day": ("{option}：'{got}' 不是日期（应为 YYYY-MM-DD）", "{option}: '{got}' is not a date (YYYY-MM-DD)"),
    "pace.err.out_suffix": ("{option}：文件名应以 {formats} 结尾", "{option}: expected a file ending in {formats}"),
    # --- notes: what was left out or assumed ---
    "pace.note.outside_horizon": ("{file}：{n_days} 天（{first} 至 {last}）不在计划期内（{start} 至 {end}），未计入执行对比",
                                  "{file}: {n_days} days ({first} to {last}) lie outside the plan's horizon ({start} to "
                                  "{end}); they are not paced"),
    "pace.note.before_start": ("{file}：{n_days} 天（{first} 至 {last}）在计划开始（{start}）之前，未计入执行对比",
                               "{file}: {n_days} days ({first} to {last}) come before the plan's first day ({start}); "
                               "they are not paced"),
    "pace.note.missing_days": ("{file}：{n_days} 天没有任何花费记录（{dates}），未计入对比",
                               "{file}: {n_days} days have no spend rows at all ({dates}); they are not paced"),
    "pace.note.days_paced": ("已对比计划 {days} 天中的 {n_days} 天", "{n_days} of the plan's {days} days paced"),
    "pace.note.no_rows": ("{file}：{n_rows} 个渠道·日没有花费记录，按 ¥0 计（{channels}）",
                          "{file}: {n_rows} channel-days have no spend rows and count as ¥0 ({channels})"),
    "pace.note.gmv_after": ("{file}：{n_days} 天的 GMV 在最后一个执行日（{last}）之后，未计入",
                            "{file}: GMV of {n_days} days after the last paced day ({last}) is left out"),
    "pace.note.gmv_missing": ("{file}：{n_days} 个执行日没有 GMV（{dates}）",
                              "{file}: {n_days} paced days have no GMV ({dates})"),
    "pace.note.no_band_campaign": (
        "大促计划只给出广告带来的增量 GMV，没有给出大促期间的自然 GMV（基线），故不给 GMV 区间；请看实际 GMV 的走势",
        "a campaign plan states the ads' incremental GMV, not the baseline GMV of its campaign days, so no GMV band "
        "is given; read the actual GMV's course"),
    "pace.note.no_band_uplift": (
        "计划未给出增量的 P10–P90（曲线没有抽样），故不给 GMV 区间",
        "the plan states no P10–P90 of its uplift (its curves had no draws), so no GMV band is given"),
    "pace.note.no_band_reference": (
        "{file}：计划开始（{start}）前只有 {n_days} 天 GMV，至少需要 {need} 天作基准，故不给 GMV 区间",
        "{file}: only {n_days} days of GMV before the plan's start ({start}); at least {need} are needed as the "
        "reference, so no GMV band is given"),
    # --- alerts ---
    "pace.alert.under": ("{channel} 连续 {days} 天（{first} 至 {last}）花费比计划少 {share}（少花 {gap_cny}）",
                         "{channel} spent {share} under plan for {days} days ({first} to {last}; {gap_cny} short)"),
    "pace.alert.over": ("{channel} 连续 {days} 天（{first} 至 {last}）花费比计划多 {share}（多花 {gap_cny}）",
                        "{channel} spent {share} over plan for {days} days ({first} to {last}; {gap_cny} more)"),
    "pace.alert.unplanned": ("{channel} 计划花费为 ¥0，但连续 {days} 天（{first} 至 {last}）花了 {spend_cny}",
                             "{channel} has no planned spend but spent {spend_cny} over {days} days ({first} to "
                             "{last})"),
    "pace.alert.gmv_below": ("连续 {days} 天（{first} 至 {last}）GMV 低于计划区间，平均每天低 {gap_cny}",
                             "GMV below the plan's band for {days} days ({first} to {last}), {gap_cny} a day below "
                             "on average"),
    "pace.alert.gmv_above": ("连续 {days} 天（{first} 至 {last}）GMV 高于计划区间，平均每天高 {gap_cny}",
                             "GMV above the plan's band for {days} days ({first} to {last}), {gap_cny} a day above "
                             "on average"),
    # --- the CLI summary ---
    "pace.summary.head": ("执行对比：{days} 天（{first} 至 {last}），{kind}",
                          "Pacing: {days} days ({first} to {last}), {kind}"),
    "pace.kind.daily": ("日计划（每天相同）", "a daily plan (the same every day)"),
    "pace.kind.campaign": ("大促计划（按日）", "a campaign plan (by day)"),
    "pace.summary.spend": ("花费：计划 {planned_cny}，实际 {actual_cny}（{pace}）",
                           "Spend: planned {planned_cny}, actual {actual_cny} ({pace})"),
    "pace.summary.pace": ("执行率 {share}", "{share} of plan"),
    "pace.summary.gmv": ("GMV：实际 {actual_cny}，日均 {per_day_cny}（计划前基准日均 {reference_cny}）",
                         "GMV: actual {actual_cny}, {per_day_cny} a day (reference before the plan {reference_cny} "
                         "a day)"),
    "pace.summary.gmv_plain": ("GMV：实际 {actual_cny}，日均 {per_day_cny}", "GMV: actual {actual_cny}, {per_day_cny} a day"),
    "pace.summary.band": ("GMV 在计划区间内的天数：{inside} / {days}", "Days with GMV inside the plan's band: {inside} of {days}"),
    "pace.summary.rule": ("提醒规则：连续 {days} 天偏离计划超过 {share}",
                          "Alert rule: off plan by more than {share} on {days} consecutive days"),
    "pace.summary.alerts": ("提醒：", "Alerts:"),
    "pace.summary.no_alerts": ("没有提醒：各渠道都在计划范围内", "No alerts: every channel is within plan"),
    "pace.summary.notes": ("说明：", "Notes:"),
    "pace.summary.wrote": ("已写出 {path}（{rows} 行）", "Wrote {path} ({rows} rows)"),
    # --- table headers (CSV, Excel, the app) ---
    "pace.col.date": ("日期", "date"),
    "pace.col.channel": ("渠道", "channel"),
    "pace.col.segment": ("品类", "segment"),
    "pace.col.planned_spend": ("计划花费", "planned spend"),
    "pace.col.actual_spend": ("实际花费", "actual spend"),
    "pace.col.pace": ("执行率", "pace"),
    "pace.col.status": ("状态", "status"),
    "pace.col.cum_planned_spend": ("累计计划花费", "cumulative planned spend"),
    "pace.col.cum_actual_spend": ("累计实际花费", "cumulative actual spend"),
    "pace.col.cum_gap": ("累计偏差（实际−计划）", "cumulative gap (actual − planned)"),
    "pace.col.cum_pace": ("累计执行率", "cumulative pace"),
    "pace.col.planned_gmv": ("计划 GMV（基准 + 增量 P50）", "planned GMV (reference + uplift P50)"),
    "pace.col.planned_incremental_gmv": ("计划增量 GMV", "planned incremental GMV"),
    "pace.col.actual_gmv": ("实际 GMV", "actual GMV"),
    "pace.col.reference_gmv": ("计划前基准 GMV（日均）", "reference GMV before the plan (per day)"),
    "pace.col.band_low": ("区间下限（P10）", "band low (P10)"),
    "pace.col.band_high": ("区间上限（P90）", "band high (P90)"),
    "pace.col.in_band": ("在区间内", "inside the band"),
    "pace.col.alert": ("提醒", "alert"),
    "pace.col.note": ("说明", "note"),
    "pace.col.kind": ("类别", "kind"),
    "pace.col.text": ("内容", "text"),
    "pace.status.under": ("偏少", "under"),
    "pace.status.over": ("偏多", "over"),
    "pace.status.on": ("正常", "on plan"),
    "pace.segment.all": ("全店", "whole shop"),
    "pace.sheet.channels": ("渠道执行", "spend pacing"),
    "pace.sheet.gmv": ("GMV", "GMV"),
    "pace.sheet.alerts": ("提醒与说明", "alerts and notes"),
    # --- the app page ---
    "app.page.pacing": ("投放执行", "Pacing"),
    "pacing.app.title": ("投放执行：计划 vs 实际", "Pacing: plan vs actuals"),
    "pacing.app.intro": (
        "上传计划（roimix plan --out plan.json 或 roimix batch 写出的 JSON）和实际花费（日期、渠道、品类、花费），"
        "可选上传每日 GMV 或订单，即可看到各渠道每天的执行率、GMV 是否落在计划区间内，以及需要处理的提醒。",
        "Upload a plan (the JSON roimix plan --out plan.json or roimix batch writes) and the actual spend (date, "
        "channel, segment, spend), optionally the daily GMV or the orders: see each channel's pace per day, "
        "whether GMV lies inside the plan's band, and the alerts to act on."),
    "pacing.app.plan": ("计划文件（JSON）", "Plan file (JSON)"),
    "pacing.app.use_session_plan": ("使用「预算优化 · 模拟」页的当前计划", "Use the plan on the Optimise · what-if page"),
    "pacing.app.session_plan_name": ("当前计划", "current-plan"),
    "pacing.app.spend": ("实际花费", "Actual spend"),
    "pacing.app.gmv": ("每日 GMV（可选）", "Daily GMV (optional)"),
    "pacing.app.orders": ("或订单明细（可选）", "or the orders log (optional)"),
    "pacing.app.start": ("日计划的开始日期（空：实际花费的第一天）", "The daily plan's first day (empty: the actuals' first day)"),
    "pacing.app.waiting": ("请上传计划文件和实际花费。", "Upload a plan file and the actual spend."),
    "pacing.app.spend_chart": ("各渠道每日花费：计划（虚线）vs 实际（实线）",
                               "Spend per channel and day: planned (dashed) vs actual (solid)"),
    "pacing.app.gmv_chart": ("每日 GMV 与计划区间（P10–P90）", "Daily GMV and the plan's band (P10–P90)"),
    "pacing.app.planned": ("计划", "planned"),
    "pacing.app.actual": ("实际", "actual"),
    "pacing.app.band": ("计划区间", "plan's band"),
    "pacing.app.alerts": ("提醒", "Alerts"),
    "pacing.app.no_alerts": ("没有提醒：各渠道都在计划范围内。", "No alerts: every channel is within plan."),
    "pacing.app.notes": ("说明", "Notes"),
    "pacing.app.table": ("明细", "Details"),
    "pacing.app.download": ("下载执行对比（Excel）", "Download the pacing (Excel)"),
    "pacing.app.metric.planned": ("计划花费", "Planned spend"),
    "pacing.app.metric.actual": ("实际花费", "Actual spend"),
    "pacing.app.metric.pace": ("执行率", "Pace"),
    "pacing.app.metric.in_band": ("GMV 在区间内", "GMV inside the band"),
    "pacing.app.what": ("读取计划与实际数据", "reading the plan and the actuals"),
}


def say(message, lang: str = "zh", labels: dict | None = None) -> str:
    """A pacing message in ``lang``: shares as percentages (whole per cent), money in the reader's units, channels
    by label."""
    from roimix.text import STRINGS as ALL_STRINGS
    from roimix.text import money, percent

    values = {}
    for name, value in message.values.items():
        if name == "share" or name.endswith("_share"):
            values[name] = percent(value, lang, 0) if isinstance(value, float) and abs(value) >= 0.1 else \
                percent(value, lang) if isinstance(value, (int, float)) else value
        elif name.endswith("_cny"):
            values[name] = money(value, lang)
        elif name == "channel" and labels:
            values[name] = labels.get(str(value), str(value))
        else:
            values[name] = value
    zh, en = ALL_STRINGS[message.key]
    return (zh if lang == "zh" else en).format(**values)
