"""``roimix batch``: run many scenario files, one finance-ready plan each plus a comparison table.

Each scenario is loaded (``--set`` and the dedicated flags override its values), planned and
written to ``OUT/<name>.xlsx|.csv|.json``; a scenario that fails does not stop the others. The
comparison (``OUT/comparison.csv`` and ``.xlsx``) has one row per scenario: status, budget, spend,
expected GMV, ROI, the flat plan's GMV, the binding rules, or the reason it failed. Each failing
scenario is named on stderr in one line. Exit 0 when every scenario has a plan, 1 when one has no
feasible plan, 2 when one is broken (bad file, key or data), 3 on an internal or solver error
(the highest applies).

Each campaign plan also gets its platform settings (issue 18, item 1, through :mod:`roimix.platforms` as ``roimix
plan`` makes them): per channel × segment × day the 日预算 (the daily sheet's fen) and a suggested 目标ROI, checked
against the platforms' limits, as the 投放设置 sheet of the xlsx and ``platform_settings`` of the json (the csv is
the daily sheet only); ``--platform-out DIR`` writes one CSV per platform per scenario
(``DIR/<name>/<platform>.csv``). The limits are ``--platform-limits``, else the scenario's ``platforms.limits``,
else roimix's defaults; the history for the ROI targets ``--platform-history``, ``platforms.history``, else
``data.spend``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import click
import pandas as pd

from roimix.errors import RoimixError, UsageError
from roimix.messages import Message
from roimix.tables import TableError
from roimix.text import error_text, money, t

FORMATS = ("xlsx", "csv", "json")
COMPARISON = ["scenario", "file", "status", "budget", "spend", "reserve", "unspent", "expected_gmv", "roi", "flat_gmv",
              "uplift_vs_flat", "binding_rules", "reason", "outputs"]
EXIT = {"optimal": 0, "optimal_inaccurate": 0, "infeasible": 1, "unbounded": 1, "broken": 2, "solver_error": 3,
        "internal_error": 3}


@dataclass
class Outcome:
    """What became of one scenario file."""

    file: str
    name: str
    status: str
    reason: str = ""
    row: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """the fit's and the rules' warnings, worded in the run's language"""
    platform_lines: tuple[str, ...] = ()
    """the platform settings' summary and the per-platform CSVs written, worded in the run's language"""


@dataclass(frozen=True)
class PlatformOptions:
    """``--platform-limits`` (read once, None: the scenario's or roimix's), ``--platform-history`` and
    ``--platform-out``."""

    limits: tuple | None = None
    history: str | None = None
    out: Path | None = None


def one_line(err: Exception, lang: str = "en") -> str:
    """The first line of an error in ``lang`` (a keyed error worded, :func:`roimix.text.error_text`), with a count
    of the lines left out."""
    lines = [ln.strip() for ln in error_text(err, lang).strip().splitlines() if ln.strip()] or [type(err).__name__]
    more = t("plan.batch.more_problems", lang, n=len(lines) - 1) if len(lines) > 1 else ""
    return lines[0] + more


def safe_name(name: str, taken: set[str]) -> str:
    """A file name from a scenario name, unique within this run."""
    base = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "scenario"
    out, i = base, 2
    while out.lower() in taken:
        out, i = f"{base}-{i}", i + 1
    taken.add(out.lower())
    return out


def run_one(path: str, overrides: list[str], cache, out: Path, formats: tuple[str, ...], lang: str, made_at: str,
            taken: set[str], platforms: PlatformOptions = PlatformOptions()) -> Outcome:
    from roimix.report.campaign import campaign_messages, render_message
    from roimix.export.workbook import write_finance
    from roimix.platforms.limits import DEFAULT_LIMITS, read_limits
    from roimix.scenarios import load_scenario, run_scenario

    name = Path(path).stem
    try:
        spec = load_scenario(path, overrides)
        name = spec.name
        limits = platforms.limits if platforms.limits is not None else \
            read_limits(spec.platforms.limits) if spec.platforms.limits is not None else DEFAULT_LIMITS  # before the fit
        run = run_scenario(spec, cache)
    except (RoimixError, TableError, OSError, ValueError) as err:
        return Outcome(path, name, "broken", one_line(err, lang))
    except Exception as err:  # noqa: BLE001 - one scenario's bug must not stop the batch
        return Outcome(path, name, "internal_error", f"{type(err).__name__}: {one_line(err, lang)}")
    from roimix.text.pipeline import render_warning

    plan = run.plan
    said = tuple(render_warning(w, lang) for w in run.warnings)
    row = {"scenario": name, "file": path, "status": plan.status}
    if not plan.solved:
        reason = " ".join(render_message(m, lang) for m in campaign_messages(plan.result.messages))
        return Outcome(path, name, plan.status, reason, row | {"reason": reason}, said)
    tables = run.finance(lang, made_at)
    stem = safe_name(name, taken)
    try:
        tables, lines = _platform_settings(run, tables, limits, platforms, stem, lang)
    except (RoimixError, TableError, OSError) as err:  # e.g. a history file that is not a spend table
        return Outcome(path, name, "broken", one_line(err, lang), warnings=said)
    history = platforms.history or spec.platforms.history or spec.data.spend
    if history is not None:  # the campaign's days above a cell's highest day of spend: extrapolated, no band covers it
        from roimix.commands.plan import cells_beyond_history
        from roimix.export import with_beyond_history
        from roimix.platforms.settings import daily_rows
        from roimix.report.history_range import beyond_history_words

        try:
            beyond = cells_beyond_history(daily_rows(plan), str(history))
        except (RoimixError, TableError, OSError) as err:
            return Outcome(path, name, "broken", one_line(err, lang), warnings=said)
        line = beyond_history_words(beyond, Path(str(history)).name, lang, campaign=True)
        said = said + ((line,) if line else ())
        tables = with_beyond_history(tables, beyond)
    written = [str(write_finance(tables, out / f"{stem}.{ext}")) for ext in formats]
    totals = tables.totals
    flat_gmv = run.flat.gmv_cny if run.flat is not None and run.flat.solved else float("nan")
    row |= {"budget": totals.get("budget"), "spend": totals["spend"], "reserve": totals.get("reserve"),
            "unspent": totals.get("unspent"), "expected_gmv": totals["expected_gmv"],
            "roi": round(totals["expected_gmv"] / totals["spend"], 4) if totals["spend"] else None,
            "flat_gmv": round(flat_gmv, 2), "uplift_vs_flat": round(totals["expected_gmv"] - flat_gmv, 2),
            "binding_rules": "; ".join(plan.binding()), "outputs": "; ".join(written)}
    if run.outcome is not None:  # the gain over the even plan across the curve draws
        row |= {"uplift_vs_flat_p10": round(run.outcome.uplift_p10_cny, 2),
                "uplift_vs_flat_p90": round(run.outcome.uplift_p90_cny, 2),
                "prob_better_than_flat": round(run.outcome.prob_better_than_current, 4)}
    return Outcome(path, name, plan.status, "", row, said, lines)


def _platform_settings(run, tables, limits, platforms: PlatformOptions, stem: str, lang: str):
    """(tables with the 投放设置 sheet of the campaign plan's days, lines to print): the same code as ``roimix plan``
    (:func:`roimix.platforms.run.settings_for_plan`) on the plan's daily rows."""
    from roimix.platforms.run import settings_for_plan
    from roimix.platforms.settings import daily_rows

    spec = run.spec
    history = platforms.history or spec.platforms.history or spec.data.spend
    folder = platforms.out / stem if platforms.out is not None else None
    tables, _, lines, written = settings_for_plan(
        tables, run.curves, str(history) if history is not None else None, limits, lang,
        folder=str(folder) if folder is not None else None,
        channels=str(spec.data.channels) if spec.data.channels is not None else None, rows=daily_rows(run.plan))
    lines = list(lines) + [t("platforms.summary.wrote", lang, path=str(p), rows=n) for p, n in written]
    return tables, tuple(lines)


@click.command("batch")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="folder for plans and comparison")
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="override a value in every scenario, e.g. --set budget.total=500000 (repeatable)")
@click.option("--budget", type=click.FloatRange(0), help="budget over the horizon, yuan (= --set budget.total=…)")
@click.option("--reserve", type=click.FloatRange(0, 0.99), help="share held back (= --set budget.reserve=…)")
@click.option("--objective", type=click.Choice(["gmv", "profit", "min_spend"]), help="(= --set objective.kind=…)")
@click.option("--risk", help="how plans weigh the curves' uncertainty: mean, or cvar:LEVEL (default cvar:0.9 with curve "
              "draws, else mean; = --set objective.risk=…)")
@click.option("--formats", default=",".join(FORMATS), show_default=True, help="files written per scenario")
@click.option("--platform-limits", type=click.Path(dir_okay=False),
              help="ad platforms' limits (CSV/Parquet: platform, channels, min_daily_budget, ...) over roimix's defaults "
                   "(= the scenarios' platforms.limits)")
@click.option("--platform-history", type=click.Path(dir_okay=False),
              help="spend history with platform_gmv for the suggested ROI targets (default: platforms.history, "
                   "else data.spend)")
@click.option("--platform-out", type=click.Path(file_okay=False),
              help="folder for the platform settings: OUT/<scenario>/<platform>.csv (日预算, suggested 目标ROI) in "
                   "each platform's own column names")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--progress/--no-progress", default=None, help="progress bar (default: when stderr is a terminal)")
def command(scenarios, out, overrides, budget, reserve, objective, risk, formats, platform_limits, platform_history,
            platform_out, lang, progress) -> None:
    """Plan every SCENARIO file (TOML); write OUT/<name>.xlsx|csv|json and OUT/comparison.csv|xlsx."""
    from tqdm import tqdm

    from roimix.export import write_tables
    from roimix.scenarios import FitCache

    chosen = tuple(f.strip().lower().lstrip(".") for f in formats.split(",") if f.strip())
    if not chosen or set(chosen) - set(FORMATS):
        raise UsageError(message=Message("plan.err.cli.formats", {"formats": ", ".join(FORMATS), "got": formats}))
    flags = [f"budget.total={budget!r}"] if budget is not None else []
    flags += [f"budget.reserve={reserve!r}"] if reserve is not None else []
    flags += [f'objective.kind="{objective}"'] if objective is not None else []
    flags += [f'objective.risk="{risk}"'] if risk is not None else []
    every = list(overrides) + flags
    from roimix.platforms.limits import read_limits

    platforms = PlatformOptions(read_limits(platform_limits) if platform_limits is not None else None,  # before any fit
                                platform_history, Path(platform_out) if platform_out is not None else None)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    made_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    cache, taken, outcomes = FitCache(), {"comparison"}, []
    bar = tqdm(scenarios, desc=t("campaign.batch.progress", lang), unit="", file=sys.stderr,
               disable=None if progress is None else not progress, leave=False)
    for path in bar:
        bar.set_postfix_str(Path(path).name)
        outcome = run_one(path, every, cache, folder, chosen, lang, made_at, taken, platforms)
        outcomes.append(outcome)
        _report(outcome, lang, bar)
    bar.close()

    table = pd.DataFrame([o.row or {"scenario": o.name, "file": o.file, "status": o.status, "reason": o.reason}
                          for o in outcomes]).reindex(columns=COMPARISON)
    write_tables({"comparison": table}, folder / "comparison.csv")
    written = write_tables({"comparison": table}, folder / "comparison.xlsx")
    solved = sum(EXIT[o.status] == 0 for o in outcomes)
    click.echo(t("campaign.batch.done", lang, solved=solved, total=len(outcomes), path=str(written)))
    code = max(EXIT[o.status] for o in outcomes)
    if code:
        raise click.exceptions.Exit(code)


def _report(outcome: Outcome, lang: str, bar) -> None:
    for warning in outcome.warnings:
        bar.write(f"{outcome.name}: " + t("optimizer.cli.warning", lang, text=warning), file=sys.stderr)
    if EXIT[outcome.status] == 0:
        r = outcome.row
        bar.write(t("campaign.batch.solved", lang, name=outcome.name, spend=money(r["spend"], lang),
                    gmv=money(r["expected_gmv"], lang), roi=f"{r['roi']:.2f}" if r["roi"] else "–"),
                  file=sys.stdout)
        for line in outcome.platform_lines:
            bar.write(line, file=sys.stdout)
        return
    key = "campaign.batch.infeasible" if EXIT[outcome.status] == 1 else "campaign.batch.failed"
    named = outcome.name if outcome.reason.startswith(outcome.file) else f"{outcome.name} ({outcome.file})"
    bar.write(t(key, lang, name=named, reason=outcome.reason), file=sys.stderr)
