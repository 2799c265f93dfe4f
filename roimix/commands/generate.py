"""``roimix generate``: simulate a market with a known causal truth (the bundled sample is one)."""

from __future__ import annotations

import time

import click


@click.command("generate")
@click.option("--users", type=int, default=80_000, show_default=True, help="market size (users)")
@click.option("--days", type=int, default=150, show_default=True, help="history length, from 2026-02-01")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help="folder to write")
@click.option("--csv", is_flag=True, help="write touchpoints and conversions as CSV instead of Parquet")
def command(users: int, days: int, seed: int, out: str, csv: bool) -> None:
    """Simulate touchpoints, conversions and spend with a known truth, and write them to OUT."""
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
