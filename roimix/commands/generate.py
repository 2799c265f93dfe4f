"""``roimix generate``: simulate a market with a known causal truth (the bundled sample is one); ``roimix generate
actuals``: simulate what a plan really spent and sold on such a market (:mod:`roimix.synthetic.actuals`), the
files ``roimix pace`` reads."""

from __future__ import annotations

import time
from pathlib import Path

import click

from roimix.errors import InputError, UsageError
from roimix.messages import Message


@click.group("generate", invoke_without_command=True)
@click.option("--users", type=int, default=80_000, show_default=True, help="market size (users)")
@click.option("--days", type=int, default=150, show_default=True, help="history length, from 2026-02-01")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--out", "out", type=click.Path(file_okay=False), help="folder to write (required without a sub-command)")
@click.option("--csv", is_flag=True, help="write touchpoints and conversions as CSV instead of Parquet")
@click.pass_context
def command(ctx: click.Context, users: int, days: int, seed: int, out: str | None, csv: bool) -> None:
    """Simulate touchpoints, conversions and spend with a known truth, and write them to OUT; or, with
    `actuals`, a plan's actual spend and the shop's GMV on such a market."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "out"))
    from roimix.synthetic import MarketSpec, generate_market
    from roimix.synthetic.io import write_market

    started = time.perf_counter()
    try:
        spec = MarketSpec(n_users=users, n_days=days, seed=seed)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    market = generate_market(spec)
    written = write_market(market, out, csv=csv)
    click.echo(f"{len(market.touchpoints):,} touchpoints, {len(market.conversions):,} orders, "
               f"{len(market.spend):,} spend rows in {time.perf_counter() - started:.1f}s → {out}")
    for path in written.values():
        click.echo(f"  {path}")


def parse_deviation(text: str | None):
    """``CHANNEL:FIRST_DAY:DAYS:FACTOR`` (first day counted from 1) → a :class:`Deviation`; ``none`` → None;
    None → the default."""
    from roimix.synthetic.actuals import DEFAULT_DEVIATION, Deviation

    if text is None:
        return DEFAULT_DEVIATION
    if text.strip().lower() == "none":
        return None
    parts = text.split(":")
    try:
        channel, first, days, factor = parts[0].strip(), int(parts[1]), int(parts[2]), float(parts[3])
        if len(parts) != 4 or not channel or first < 1:
            raise ValueError(text)
        return Deviation(channel, first - 1, days, factor)
    except (ValueError, IndexError):
        raise UsageError(message=Message("actuals.err.deviation", {"got": text})) from None


@command.command("actuals")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), required=True,
              help="the plan: JSON from roimix batch (a campaign plan, by date) or roimix plan (with --start)")
@click.option("--truth", type=click.Path(file_okay=False), required=True,
              help="the market's truth: a folder roimix generate wrote (truth_curves.csv, truth.json), e.g. data/sample")
@click.option("--days", type=click.IntRange(1), default=14, show_default=True, help="the plan's first N days")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help="folder: spend.csv, gmv.csv and truth.csv")
@click.option("--start", help="first day of a plan per channel × segment (YYYY-MM-DD)")
@click.option("--deviation", help="CHANNEL:FIRST_DAY:DAYS:FACTOR spent instead of the plan, or none "
              "[default: qianchuan:5:3:0.6, 巨量千川 40% under plan on days 5–7]")
@click.option("--reference-days", type=click.IntRange(0), default=28, show_default=True,
              help="days of GMV before the plan, at the truth's current spend (the pacing's reference)")
@click.option("--noise/--no-noise", default=True, show_default=True,
              help="spend jitter and order noise (off: the plan's spend and the expected GMV)")
@click.option("--lag/--no-lag", default=True, show_default=True, help="GMV lands after each channel's conversion lag")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def actuals(plan_file, truth, days, seed, out, start, deviation, reference_days, noise, lag, lang) -> None:
    """Simulate the first DAYS days of a plan on a market with a known truth: the spend the platforms delivered
    (the plan × noise, with one stated deviation) and the shop's GMV per day (baseline + the true response of that
    spend), as roimix pace reads them."""
    import pandas as pd

    from roimix.pacing.files import parse_day, read_plan
    from roimix.synthetic.actuals import read_truth, simulate_actuals
    from roimix.text import money, percent, t

    stated = parse_deviation(deviation)
    for name in ("truth_curves.csv", "truth.json"):
        if not (Path(truth) / name).is_file():
            raise InputError(message=Message("actuals.err.truth", {"folder": str(truth), "file": name}))
    plan, labels = read_plan(plan_file)
    cells = plan.cells
    if not plan.by_date:
        first = parse_day(start, "--start")
        if first is None:
            raise UsageError(message=Message("actuals.err.per_cell_start", {"file": Path(plan_file).name}))
        cells = pd.concat([cells.assign(date=day) for day in pd.date_range(first, periods=days)], ignore_index=True)
    if stated is not None and stated.channel not in set(cells["channel"].astype(str)):
        raise UsageError(message=Message("actuals.err.deviation_channel", {
            "channel": stated.channel, "channels": ", ".join(sorted(set(cells["channel"].astype(str))))}))
    have = int(pd.to_datetime(cells["date"]).nunique())
    if days > have:
        raise UsageError(message=Message("actuals.err.days", {"days": days, "have": have}))
    market = read_truth(truth)
    sim = simulate_actuals(cells, market, days=days, seed=seed, noise=noise, deviation=stated, lag=lag,
                           reference_days=reference_days)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    day = "%Y-%m-%d"
    spend = sim.spend.assign(date=sim.spend["date"].dt.strftime(day))
    gmv = sim.outcome.assign(date=sim.outcome["date"].dt.strftime(day))
    record = sim.response.merge(sim.baseline, on="date", how="left")
    record = record.assign(date=record["date"].dt.strftime(day))
    written = []
    for name, frame in (("spend.csv", spend), ("gmv.csv", gmv), ("truth.csv", record)):
        frame.to_csv(folder / name, index=False, encoding="utf-8")
        written.append((folder / name, len(frame)))
    plan_days = sim.spend["date"].drop_duplicates().sort_values()
    on_plan = sim.response[sim.response["date"].isin(plan_days)]
    planned = on_plan.merge(sim.spend[["date", "channel", "segment"]], on=["date", "channel", "segment"])
    click.echo(t("actuals.summary.spend", lang, days=len(plan_days), first=f"{plan_days.iloc[0]:{day}}",
                 last=f"{plan_days.iloc[-1]:{day}}", planned=money(float(planned["planned_spend"].sum()), lang),
                 actual=money(float(sim.spend["spend"].sum()), lang)))
    gmv_plan = sim.outcome[sim.outcome["date"].isin(plan_days)]["value"].sum()
    click.echo(t("actuals.summary.gmv", lang, reference=reference_days, days=len(plan_days),
                 gmv=money(float(gmv_plan), lang), incremental=money(float(on_plan["expected_value"].sum()), lang)))
    if stated is not None and stated.first < len(plan_days):
        last = min(stated.first + stated.days, len(plan_days))
        click.echo(t("actuals.summary.deviation", lang, channel=labels.get(stated.channel, stated.channel),
                     first=stated.first + 1, last=last, start=f"{plan_days.iloc[stated.first]:{day}}",
                     end=f"{plan_days.iloc[last - 1]:{day}}", percent=percent(stated.factor, lang)))
    else:
        click.echo(t("actuals.summary.no_deviation", lang))
    if not noise:
        click.echo(t("actuals.summary.no_noise", lang))
    known = set(zip(market.curves["channel"].astype(str), market.curves["segment"].astype(str)))
    unknown = sorted({f"{c}/{s}" for c, s in zip(cells["channel"].astype(str), cells["segment"].astype(str))
                      if (c, s) not in known})
    if unknown:
        click.echo(t("actuals.summary.unknown", lang, cells=", ".join(unknown)))
    for path, rows in written:
        click.echo(t("actuals.summary.wrote", lang, path=str(path), rows=rows))
