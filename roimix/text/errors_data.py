"""Errors of attribution models, the fit, tables, aggregate mode and the pipeline, worded (keys raised as ``RoimixError(message=Message(key, values))``).

``data.err.*``: the libraries' errors; ``data.problem.*``: one line of a table's problems
(:func:`roimix.text.problems.problems_text`); ``data.cli.*``: what ``roimix validate`` says when all is well.
"""

from roimix.expected import EXPECTED

STRINGS: dict[str, tuple[str, str]] = {
    # attribution model settings (attribution/models.py)
    "data.err.position_weights": (
        "位置归因（position_based）的权重须满足：首次、末次 ≥ 0，且 0 < 首次 + 末次 ≤ 1；现为 {first_share}、{last_share}",
        "position_based: need first, last ≥ 0 and 0 < first + last ≤ 1, got {first_share}, {last_share}"),
    "data.err.half_life": (
        "时间衰减（time_decay）的半衰期须大于 0 天，现为 {half_life_days}",
        "time_decay: half_life_days must be > 0, got {half_life_days}"),
    "data.err.markov_order": (
        "马尔可夫模型（markov）的阶数须为 1、2、3 或 4，现为 {order!r}",
        "markov: order must be 1, 2, 3 or 4, got {order!r}"),
    "data.err.recency_decay": (
        "增量模型（incremental）的 recency_decay 须在 (0, 1] 之间，现为 {recency_decay}",
        "incremental: recency_decay must be in (0, 1], got {recency_decay}"),
    "data.err.decay_grid": (
        "增量模型（incremental）的 decay_grid 每个值都须在 (0, 1] 之间，现为 {decay_grid}",
        "incremental: decay_grid values must be in (0, 1], got {decay_grid}"),
    "data.err.exact_max": (
        "增量模型（incremental）的 exact_max 须在 1 到 20 之间，现为 {exact_max}",
        "incremental: exact_max must be between 1 and 20, got {exact_max}"),
    "data.err.link": (
        "增量模型（incremental）的 link 须为 {links} 之一，现为 {link!r}",
        "incremental: link must be one of {links}, got {link!r}"),
    "data.err.cv_folds": (
        "增量模型（incremental）的 cv_folds 须为不小于 2 的整数，现为 {cv_folds!r}",
        "incremental: cv_folds must be a whole number ≥ 2, got {cv_folds!r}"),
    "data.err.cv_journeys": (
        "增量模型（incremental）的 cv_journeys 至少为 1000，现为 {cv_journeys!r}",
        "incremental: cv_journeys must be at least 1000, got {cv_journeys!r}"),
    "data.err.unknown_model": (
        "没有名为 {model!r} 的归因模型；可选：{models}",
        "unknown attribution model {model!r}; choose from {models}"),
    # the paths table (attribution/paths.py)
    "data.err.paths_columns": (
        "路径表需要 path 和 conversions 两列；缺少：{missing}",
        "paths table needs columns path and conversions; missing {missing}"),
    "data.err.null_window": (
        "路径表第 {row} 行，{column} 列：应为 anchored 或 full，实际为 {got!r}",
        "paths table row {row}, column {column}: expected anchored or full, got {got!r}"),
    "data.err.null_window_mixed": (
        "路径表第 {row} 行，{column} 列：第 2 行是 {first_kind}，这一行却是 {kind}；一张表只能按一种方式构建"
        "（请拆成两张表，或统一这一列）",
        "paths table row {row}, column {column}: {kind} after {first_kind} in row 2; a table is built one way "
        "(split it, or set the column)"),
    "data.err.empty_path": (
        "路径表第 {row} 行：路径为空（{path!r}）",
        "paths table row {row}: empty path {path!r}"),
    # the curve fit (response/)
    "data.err.two_periods": (
        "历史数据至少要有两个周期",
        "the history needs at least two periods"),
    "data.err.period_step": (
        "周期须按天或按周；现在日期相隔 {step_days} 天",
        "periods must be days or weeks; the dates are {step_days} days apart"),
    "data.err.uneven_dates": (
        "日期须每 {step_days} 天一个、间隔均匀；{date} 不在这个间隔上",
        "dates must be evenly spaced every {step_days} day(s); {date} is not"),
    "data.err.fit_families": (
        "曲线拟合设置 families 中有未知的曲线族：{unknown}（可选 exp、mm、log、power、hill）",
        "FitSettings.families: unknown {unknown} (choose from exp, mm, log, power, hill)"),
    "data.err.prior_sd": (
        "曲线拟合设置 prior_relative_sd 须大于 0，现为 {prior_relative_sd}",
        "FitSettings.prior_relative_sd must be > 0, got {prior_relative_sd}"),
    "data.err.prior_sds": (
        "曲线拟合设置 prior_relative_sds 须为一个或多个大于 0 的值，现为 {prior_relative_sds}",
        "FitSettings.prior_relative_sds must be one or more values > 0, got {prior_relative_sds}"),
    "data.err.fit_cv_folds": (
        "曲线拟合设置 cv_folds 须不小于 2，现为 {cv_folds}",
        "FitSettings.cv_folds must be ≥ 2, got {cv_folds}"),
    "data.err.fit_segments": (
        "GMV：花费表中的每个商品类型都要有一条 GMV 序列（缺：{segments}）",
        "outcome: expected " + EXPECTED["fit_segments"]),
    "data.err.fit_segment_spend": (
        "GMV：每个有 GMV 的商品类型都要有花费（没有花费：{segments}）",
        "outcome: expected " + EXPECTED["fit_segment_spend"]),
    "data.err.fit_constant": (
        "GMV：{series} 序列在拟合的 {n} 个周期内全都是 {value}，没有可拟合的变化",
        "outcome: expected " + EXPECTED["fit_constant"]),
    "data.err.fit_periods": (
        "GMV：{series} 序列至少要有 {n} 个可拟合的周期（不含排除的周期；现有 {got} 个）",
        "outcome: expected " + EXPECTED["fit_periods"]),
    # the pipeline (roimix/pipeline.py)
    "data.err.checked_frames": (
        "run_pipeline(checked=True) 只接受 read_table 返回的 DataFrame，不接受文件",
        "run_pipeline(checked=True) takes the DataFrames read_table returned, not files"),
    # one line of a table's problems (the CLI: roimix validate / plan / attribute / fit)
    "data.problem.row": ("第 {rows} 行{more}", "row {rows}{more}"),
    "data.problem.rows": ("第 {rows} 行{more}", "rows {rows}{more}"),
    "data.problem.more_rows": (" …（共 {n} 行）", " … ({n} rows)"),
    "data.problem.column": ("{column} 列", "column {column}"),
    "data.problem.sep": ("，", ", "),
    "data.problem.list_sep": ("、", ", "),
    "data.problem.line": ("{where}：应为{expected}{got}", "{where}: expected {expected}{got}"),
    "data.problem.got": ("，实际为 {values}", ", got {values}"),
    "data.problem.no_rows": ("{file}：没有数据行：应为{expected}", "{file}: no rows: expected {expected}"),
    "data.problem.rest": ("… 另有 {rest} 个问题（共 {n} 个）", "… and {rest} more problems ({n} in all)"),
    # roimix validate (roimix/commands/validate.py)
    "data.cli.ok_weekly": ("ok（周数据）", "ok (weekly data)"),
    "data.cli.ok_daily": ("ok（日数据）", "ok (daily data)"),
}
