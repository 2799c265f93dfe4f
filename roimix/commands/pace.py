"""``roimix pace``: a plan against what was really spent and sold — per channel and day, with alerts.

``--plan`` is the JSON ``roimix plan --out plan.json`` writes (a plan per channel × segment: its spend applies to
every day from ``--start``, default the actuals' first day) or one ``roimix batch`` writes (a campaign plan, by
date). ``--actuals`` is spend per date × channel × segment (the spend contract); GMV comes from ``--outcome``
(date, [segment], value) or is summed from the orders log ``-c``. The comparison is :func:`roimix.pacing.pace`
(pure); this command reads the files, prints the summary and the alerts in ``--lang`` and writes ``--out``.
Exit 0 with or without alerts (they are findings, not failures), 2 on bad input with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

import click

from roimix.errors import UsageError
from roimix.messages import Message

_FILE = click.Path(dir_okay=False)


@click.command("pace")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, exists=False), required=True,
              help="the plan: JSON from roimix plan --out plan.json or roimix batch")
@click.option("--actuals", type=click.Path(), required=True,
              help="actual spend: date, channel, [segment], spend (CSV/Parquet; a file, folder or glob)")
@click.option("--outcome", type=click.Path(), help="the shop's GMV per day: date, [segment], value")
@click.option("--conversions", "-c", type=click.Path(), help="or the orders log: GMV summed per day")
@click.option("--channels", type=_FILE, help="channels table: alerts name channels by label_zh / label_en")
@click.option("--start", help="a daily plan's first day (YYYY-MM-DD; default: the actuals' first day)")
@click.option("--out", type=_FILE, help="write the pacing: pacing.csv (tidy, machine ids) or pacing.xlsx")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="language of the summary")
def command(plan_file, actuals, outcome, conversions, channels, start, out, lang) -> None:
    """Compare a plan with the actual spend and GMV: pace per channel and day, GMV against the plan's band,
    alerts in plain words."""
    from roimix.pacing import pace
    from roimix.pacing.files import channel_labels, parse_day, read_gmv, read_plan, read_spend
    from roimix.pacing.report import OUT_FORMATS, summary_lines, write
    from roimix.text import t

    if out is not None and Path(out).suffix.lower() not in OUT_FORMATS:
        raise UsageError(message=Message("pace.err.out_suffix", {"option": "--out", "formats": ", ".join(OUT_FORMATS)}))
    if outcome is not None and conversions is not None:
        raise UsageError(message=Message("pace.err.gmv_both", {}))
    plan, labels = read_plan(plan_file, start=parse_day(start, "--start"))
    labels = {**labels, **channel_labels(channels, lang)}
    spend = read_spend(actuals)
    gmv = read_gmv(outcome, conversions)
    gmv_name = Path(outcome or conversions).name if (outcome or conversions) else "outcome"
    result = pace(plan, spend, gmv, spend_file=Path(actuals).name, gmv_file=gmv_name)
    for line in summary_lines(result, plan, lang, labels):
        click.echo(line)
    if out is not None:
        path, rows = write(result, out, lang, labels)
        click.echo(t("pace.summary.wrote", lang, path=str(path), rows=rows))
