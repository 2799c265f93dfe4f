"""``roimix validate``: check input files against their contracts and report every problem."""

from __future__ import annotations

import click

from roimix.errors import UsageError
from roimix.messages import Message
from roimix.tables import (
    CHANNELS, CONVERSIONS, CURVES, LIFT_TESTS, PATHS, SPEND, TOUCHPOINTS, Problem, TableError, check_table,
)
from roimix.tables.contracts import OUTCOME

_CONTRACTS = {
    "touchpoints": TOUCHPOINTS, "conversions": CONVERSIONS, "spend": SPEND, "paths": PATHS,
    "channels": CHANNELS, "curves": CURVES, "lift_tests": LIFT_TESTS, "outcome": OUTCOME,
}
_FILE = click.Path()
"""A file, a folder of part files or a quoted glob pattern ('logs/*.parquet'); roimix.tables reports a missing one."""


@click.command("validate")
@click.option("--touchpoints", "-t", type=_FILE,
              help="touchpoints CSV/Parquet: a file, a folder of part files or a quoted glob")
@click.option("--conversions", "-c", type=_FILE,
              help="conversions CSV/Parquet: a file, a folder of part files or a quoted glob")
@click.option("--spend", "-s", type=_FILE, help="daily spend CSV/Parquet")
@click.option("--paths", type=_FILE, help="aggregated paths (ChannelAttribution's column names too)")
@click.option("--channels", type=_FILE, help="channel groups")
@click.option("--curves", type=_FILE, help="response curves")
@click.option("--lift-tests", type=_FILE, help="lift test results")
@click.option("--outcome", "-o", type=_FILE, help="total GMV per day or week (date, [segment], value); with --spend "
                                                "also what aggregate mode checks: one period, no missing day or "
                                                "week, spend on the outcome's segments and dates")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="language of the problems")
def command(lang: str, **files: str | None) -> None:
    """Check input files: print "ok" (exit 0) or every problem with file, row and column (exit 2)."""
    from roimix.text import t
    from roimix.text.problems import problems_text

    given = {k: v for k, v in files.items() if v is not None}
    if not given:
        raise UsageError(message=Message("plan.err.cli.validate_no_files", {}))
    problems: list[Problem] = []
    for option, source in given.items():
        problems += check_table(source, _CONTRACTS[option], name=source)
    period = None
    if not problems and "outcome" in given and "spend" in given:  # the two tables together, as plan --outcome reads them
        from roimix.aggregate import check_aggregate_inputs

        try:
            period = check_aggregate_inputs(given["spend"], given["outcome"], lift_tests=given.get("lift_tests"),
                                            channels=given.get("channels"))
        except TableError as err:
            problems += err.problems
    if problems:
        click.echo(problems_text(problems, lang), err=True)
        raise click.exceptions.Exit(2)
    click.echo("ok" if period is None else t(f"data.cli.ok_{'weekly' if period == 7 else 'daily'}", lang))
