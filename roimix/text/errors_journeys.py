"""Errors of journey building and the engines, worded (keys raised as ``RoimixError(message=Message(key, values))``)."""

STRINGS: dict[str, tuple[str, str]] = {
    "journeys.err.lookback": (
        "lookback_days 必须是 ≥ 1 的整天数，收到 {lookback_days!r}",
        "lookback_days must be a whole number of days ≥ 1, got {lookback_days!r}"),
    "journeys.err.half_life": (
        "时间衰减的半衰期 half_life_days 必须大于 0，收到 {half_life_days!r}",
        "time_decay: half_life_days must be > 0, got {half_life_days!r}"),
    "journeys.err.by": (
        "路径只能按 {known} 分开，不认识：{by}",
        "build_paths(by=…): unknown columns {by}; use {known}"),
    "journeys.err.views": (
        "一次旅程构建只能读出 {known}，不认识：{views}",
        "build_views: unknown views {views}; choose from {known}"),
    "journeys.err.views_mismatch": (
        "传入的旅程结果不合用：需要回溯 {lookback_days} 天、路径按 {by} 分开（缺少：{missing}），"
        "实际是回溯 {built_lookback_days} 天、按 {built_by} 分开",
        "the journeys given were built for another use: needed a {lookback_days}-day lookback and paths by "
        "{by} (missing: {missing}); built with {built_lookback_days} days, paths by {built_by}"),
    "journeys.err.missing_cells": (
        "触点或订单有空单元格：user_id 空 {user_id} 行，timestamp 空 {timestamp} 行，"
        "触点的 channel 空 {channel} 行；请先用 roimix validate 检查文件（或不要关闭校验）",
        "touchpoints or orders have empty cells: user_id in {user_id} rows, timestamp in {timestamp}, a touch's "
        "channel in {channel}; check the files with roimix validate (or keep validation on)"),
    "journeys.err.partitions": (
        "partitions 必须是 ≥ 1 的整数，收到 {partitions!r}",
        "partitions must be ≥ 1, got {partitions!r}"),
    "journeys.err.size": (
        "大小应写成 8GB 或 512MiB 这样，收到 {text!r}",
        "expected a size like 8GB or 512MiB, got {text!r}"),
    "journeys.err.memory_limit": (
        "内存上限应写成 8GB 或 512MB 这样，收到 {memory_limit!r}",
        "memory limit: expected a size like 8GB or 512MB, got {memory_limit!r}"),
    "journeys.err.whole_number": (
        "{setting} 必须是 ≥ 1 的整数，收到 {value!r}",
        "{setting}: expected a whole number ≥ 1, got {value!r}"),
    "journeys.err.master_needs_spark": (
        "--spark-master 需要同时指定 --engine spark",
        "--spark-master needs --engine spark"),
    "journeys.err.engine": (
        "引擎只能是 {engines} 之一，收到 {engine!r}",
        "engine: expected one of {engines}, got {engine!r}"),
    "journeys.err.duckdb_source": (
        "duckdb 引擎读取文件或 pandas DataFrame，收到的是 {kind}",
        "the duckdb engine reads files or pandas DataFrames, got {kind}"),
    "journeys.err.no_file": (
        "{path}：文件不存在",
        "{path}: no such file"),
    "journeys.err.remote_validate": (
        "{path}：DuckDB 无法在本机校验远程路径；请加 --no-validate 运行",
        "{path}: DuckDB cannot validate a remote path here; run with --no-validate"),
    "journeys.err.cluster_validate": (
        "校验会把输入文件暂存为本机上的 Parquet，{master} 上的执行器读不到；"
        "请先用 roimix validate 检查文件，再对集群能读到的文件加 --no-validate 运行",
        "validation stages the input files as Parquet on this machine, which executors at {master} cannot read; "
        "check the files with roimix validate and run with --no-validate on files the cluster can read"),
    "journeys.err.no_column": (
        "{table}：缺少列 {missing}（现有的列：{found}）",
        "{table}: no column {missing} (found: {found})"),
}
