"""Words of the platform settings (issue 18, item 1): the 投放设置 sheet, the per-platform CSVs, their notes
and the limits file's errors."""

STRINGS = {
    "export.sheet.platform": ("投放设置", "Platform settings"),
    "platforms.name.alimama": ("阿里妈妈（直通车/万相台）", "Alimama (Zhitongche/Wanxiangtai)"),
    "platforms.name.qianchuan": ("巨量千川", "Qianchuan"),
    "platforms.name.xiaohongshu": ("小红书聚光", "Xiaohongshu Juguang"),
    "platforms.none": ("（无投放平台）", "(no ad platform)"),
    "platforms.source.default": (
        "roimix 默认值（issue 18），未与平台核对：请以账户当前规则为准",
        "roimix default (issue 18); not verified against the platform: check your account's current rules"),
    "platforms.col.date": ("日期", "Date"),
    "platforms.col.date_every_day": ("每天", "every day"),
    "platforms.col.platform": ("投放平台", "Platform"),
    "platforms.col.channel": ("渠道", "Channel"),
    "platforms.col.channel_label": ("渠道名称", "Channel name"),
    "platforms.col.segment": ("商品", "Products"),
    "platforms.col.spend": ("日预算（元）", "Daily budget (¥)"),
    "platforms.col.expected_gmv": ("预期增量GMV（元）", "Expected incremental GMV (¥)"),
    "platforms.col.incremental_roi": ("增量ROI", "Incremental ROAS"),
    "platforms.col.platform_ratio": ("平台GMV÷增量GMV（历史）", "Platform ÷ incremental GMV (history)"),
    "platforms.col.target_roi": ("建议目标ROI（平台口径）", "Suggested ROI target (platform-attributed)"),
    "platforms.col.min_daily_budget": ("平台最低日预算（元）", "Platform minimum daily budget (¥)"),
    "platforms.col.below_minimum": ("低于最低日预算", "Below minimum"),
    "platforms.col.target_edits": ("当日目标修改次数", "Target edits that day"),
    "platforms.col.max_target_edits": ("每日最多修改次数", "Most target edits a day"),
    "platforms.col.edits_over_limit": ("超出修改次数", "Edits over the limit"),
    "platforms.col.cooldown_minutes": ("预算修改间隔（分钟）", "Budget edit cool-down (minutes)"),
    "platforms.col.notes": ("说明", "Notes"),
    "platforms.col.source": ("限制来源", "Limits from"),
    "platforms.reason.no_history": (
        "没有给出投放历史（spend 表），无法从历史学到平台GMV与增量GMV之比",
        "no spend history was given, so the ratio of platform to incremental GMV cannot be learned"),
    "platforms.reason.no_platform_gmv": (
        "投放历史中该渠道没有 platform_gmv（平台归因GMV）",
        "the spend history has no platform_gmv (the platform's own attributed GMV) for this channel"),
    "platforms.reason.no_incremental": (
        "按响应曲线，历史花费没有带来增量GMV，比值无法计算",
        "the response curve gives no incremental GMV at the history's spend, so the ratio cannot be computed"),
    "platforms.note.no_target": ("无法建议目标ROI：{reason}", "ROI target cannot be suggested: {reason}"),
    "platforms.note.paused": ("计划日预算为 0：暂停该计划", "the plan spends nothing here: pause this plan"),
    "platforms.note.below_minimum": (
        "日预算 ¥{spend:,.2f} 低于平台最低 ¥{minimum:,.2f}：请提高到最低额或暂停该计划（金额未被自动改动）",
        "daily budget ¥{spend:,.2f} is below the platform's minimum ¥{minimum:,.2f}: raise it to the minimum or "
        "pause the plan (the amount was not changed for you)"),
    "platforms.note.edits_over": (
        "当日目标修改 {edits} 次，超过平台每日 {limit} 次的限制",
        "the target changes {edits} times that day, more than the platform's {limit} a day"),
    "platforms.note.cooldown": (
        "修改预算后需等待 {minutes} 分钟才能再次修改",
        "after a budget edit, wait {minutes} minutes before the next one"),
    "platforms.summary.head": ("投放设置（日预算与建议目标ROI）：", "Platform settings (daily budget and suggested ROI target):"),
    "platforms.summary.line": (
        "  {platform}：{n} 个计划，日预算合计 {spend}{flags}", "  {platform}: {n} plan(s), daily budgets {spend} in all{flags}"),
    "platforms.summary.below": ("，{n} 个低于最低日预算", "; {n} below the minimum daily budget"),
    "platforms.summary.no_target": ("，{n} 个无法建议目标ROI", "; {n} without a suggested ROI target"),
    "platforms.summary.wrote": ("已写出 {path}（{rows} 行）", "wrote {path} ({rows} rows)"),
    "platforms.err.new_without_channels": (
        "{file} 第 {row} 行：新平台 {platform} 需要在 channels 列写明它投放的渠道（用 ; 分隔）",
        "{file} row {row}: the new platform {platform} needs its channels in the channels column (separated by ;)"),
    "platforms.err.channel_twice": (
        "{file}：渠道 {channel} 同时属于平台 {first} 和 {second}",
        "{file}: channel {channel} is on two platforms, {first} and {second}"),
    "platforms.err.out_not_dir": (
        "--platform-out {path} 不是文件夹", "--platform-out {path} is not a folder"),
}
