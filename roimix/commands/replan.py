"""``roimix replan``: mid-campaign, re-plan the remaining budget over the remaining days (issue 18 item 4).

The scenario file is read and planned as ``roimix batch`` does (:func:`roimix.scenarios.prepare_scenario`: the
same fit, calendar, rules and curve draws; ``--set`` overrides it); the actual spend (``--actuals``, the spend
contract, read as ``roimix pace`` reads it, so problems name file, row and column) fixes the days before
``--from`` (default: the day after the actuals' last day), their carry-over into the remaining days counted;
:func:`optimizer.campaign.replan.replan` plans the rest. ``--plan`` is the campaign JSON ``roimix batch`` wrote
before the campaign: the changes compare with its remaining days (without it, with the scenario's own plan,
solved again — the output says which).

Prints the spend so far, the remaining budget, per channel the spend before → after, the rules that bind now
with their shadow prices and the notes, in ``--lang``; ``--out`` writes the new plan with the batch's finance
writer plus a sheet of changes and one of binding rules (``.xlsx``, ``.csv`` with the two as CSVs beside it,
``.json``). Exit 0 solved, 1 no feasible plan for the rest, 2 bad input (one line), 3 solver or internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from roimix.errors import InputError, RoimixError, UsageError
from roimix.messages import Message

OUT_FORMATS = (".xlsx", ".csv", ".json")
EXIT = {"optimal": 0, "optimal_inaccurate": 0, "infeasible": 1, "unbounded": 1}
"""Plan status → exit code; any other status (a solver error) is 3."""


@click.command("replan")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--actuals", required=True, type=click.Path(),
              help="actual spend so far: date, channel, [segment], spend (CSV/Parquet; a file, folder or glob)")
@click.option("--from", "first", help="the first remaining day (YYYY-MM-DD; default: the day after the actuals' last)")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="the plan made before the campaign (JSON from roimix batch): the changes compare with it")
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="override a value of the scenario, e.g. --set objective.risk=\"mean\" (repeatable)")
@click.option("--out", type=click.Path(dir_okay=False), help="write the re-plan: FILE.xlsx, FILE.csv or FILE.json")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
def command(scenario, actuals, first, plan_file, overrides, out, lang) -> None:
    """Re-plan the rest of SCENARIO's campaign: the days before --from as actually spent, the remaining budget
    over the remaining days under the same rules; what changes and why."""
    from roimix.text import error_text, t

    try:
        code = _run(scenario, actuals, first, plan_file, overrides, out, lang)
    except RoimixError as err:
        lines = [ln.strip() for ln in error_text(err, lang).strip().splitlines() if ln.strip()]
        more = t("plan.batch.more_problems", lang, n=len(lines) - 1) if len(lines) > 1 else ""
        click.echo(f"error: {lines[0] if lines else type(err).__name__}{more}", err=True)
        raise click.exceptions.Exit(err.exit_code) from None
    if code:
        raise click.exceptions.Exit(code)


def _run(scenario, actuals, first, plan_file, overrides, out, lang) -> int:
    from roimix.pacing.files import parse_day, read_plan, read_spend
    from roimix.report.replan import infeasible_lines, summary_lines
    from roimix.scenarios import load_scenario
    from roimix.scenarios.replan import replan_scenario
    from roimix.text import STRINGS, t

    if out is not None and Path(out).suffix.lower() not in OUT_FORMATS:
        raise UsageError(message=Message("plan.err.replan.out_suffix", {"formats": ", ".join(OUT_FORMATS)}))
    day = parse_day(first, "--from")
    spec = load_scenario(scenario, list(overrides))
    spend = read_spend(actuals)
    original = None
    if plan_file is not None:
        plan, _labels = read_plan(plan_file)
        if not plan.by_date:
            raise InputError(message=Message("plan.err.replan.plan_not_campaign", {"file": Path(plan_file).name}))
        original = plan.cells
    done = replan_scenario(spec, spend, day, actual_file=Path(actuals).name, original=original,
                           original_file=Path(plan_file).name if plan_file else "")
    plan = done.run.plan
    for warning in done.run.warnings:
        from roimix.text.pipeline import render_warning

        click.echo(t("optimizer.cli.warning", lang, text=render_warning(warning, lang)), err=True)
    if not plan.solved:
        code = EXIT.get(plan.status, 3)
        said = infeasible_lines(plan, lang) if code == 1 else [t("replan.solver_failed", lang, status=t(
            f"optimizer.status.{plan.status}", lang) if f"optimizer.status.{plan.status}" in STRINGS else plan.status)]
        for line in summary_lines(done, {}, lang) + said:
            click.echo(line, err=True)
        return code
    from datetime import datetime, timezone

    history = spec.platforms.history or spec.data.spend
    beyond = None
    if history is not None:  # the rest's days above a cell's highest day of spend: extrapolated, no band covers it
        from roimix.commands.plan import cells_beyond_history
        from roimix.platforms.settings import daily_rows
        from roimix.report.history_range import beyond_history_words

        beyond = cells_beyond_history(daily_rows(plan), str(history))
        line = beyond_history_words(beyond, Path(str(history)).name, lang, campaign=True)
        if line:
            click.echo(t("optimizer.cli.warning", lang, text=line), err=True)
    from roimix.export import with_beyond_history

    tables = with_beyond_history(done.finance(lang, datetime.now(timezone.utc).isoformat(timespec="seconds")), beyond)
    for line in summary_lines(done, tables.totals, lang, done.labels(lang)):
        click.echo(line)
    if out is not None:
        for path in _write(tables, Path(out)):
            click.echo(t("replan.wrote", lang, path=str(path)))
    return 0


def _write(tables, out: Path) -> list[Path]:
    """The finance file; for CSV the changes and binding sheets as CSVs beside it (``NAME-changes.csv`` …)."""
    from roimix.export import safe_frame, write_finance

    written = [write_finance(tables, out)]
    if out.suffix.lower() == ".csv":
        for name, frame, titles, _formats in tables.sheets:
            path = out.with_name(f"{out.stem}-{name}.csv")
            safe_frame(frame.set_axis(list(titles), axis=1)).to_csv(path, index=False, encoding="utf-8-sig")
            written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    sys.exit(command())
