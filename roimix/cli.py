"""The ``roimix`` console script. Each sub-command lives in ``roimix/commands/<name>.py``.

Commands are imported only when run (``roimix attribute`` never loads the optimizer, cvxpy or the
app), and every command is always listed: one whose module fails to import exits 3 with a line
naming it.

Exit codes: 0 done, 1 a scenario has no feasible plan (the explanation is printed),
2 bad input or usage (every problem is printed), 3 an internal error (one line; ``--debug`` shows
the traceback).
"""

from __future__ import annotations

import importlib
import sys

import click

from roimix.errors import RoimixError
from roimix.threads import one_blas_thread

COMMANDS = {
    "validate": "Check input files against their contracts: every problem with file, row and column.",
    "attribute": "Credit conversions and GMV to channels with one or every attribution model.",
    "plan": "Plan the daily budget from response curves or straight from raw logs.",
    "batch": "Plan every scenario file; one finance-ready plan each and a comparison table.",
    "generate": "Simulate a market with a known causal truth (generate actuals: a plan's actuals on it).",
    "fit": "Fit response curves from spend and total GMV per day or week (no journeys needed).",
    "pace": "Compare a plan with actual spend and GMV: pace per channel and day, alerts in plain words.",
    "replan": "Mid-campaign: re-plan the remaining budget over the remaining days; what changes and why.",
}
"""Sub-command → the one line ``roimix --help`` shows (without importing the command)."""


class CommandUnavailable(RoimixError):
    """A sub-command's module could not be imported (a broken install or a missing dependency)."""

    exit_code = 3


class LazyGroup(click.Group):
    """Lists :data:`COMMANDS` without importing them; imports one when it is run or asked for help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        try:
            return importlib.import_module(f"roimix.commands.{name}").command
        except Exception as err:  # noqa: BLE001 - named when the command is run, never silently dropped
            return _unavailable(name, err)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name]) for name in self.list_commands(ctx)])


def _unavailable(name: str, err: Exception) -> click.Command:
    def fail() -> None:
        raise CommandUnavailable(f"roimix {name} cannot start: {type(err).__name__}: {err}") from err

    return click.Command(name, callback=fail, help=COMMANDS[name], add_help_option=False,
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="roimix")
def app() -> None:
    """Incremental attribution and budget plans for e-commerce marketing (Tmall, JD, Douyin)."""


def _is_table_error(err: Exception) -> bool:
    """``roimix.tables.TableError`` without importing the tables (pandas, DuckDB) for every command."""
    problems = sys.modules.get("roimix.tables.problems")
    return problems is not None and isinstance(err, problems.TableError)


def _lang_of(args: list[str]) -> str:
    """The language a command was asked to speak (``--lang zh|en``), else the command's own default, else zh."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    name = next((a for a in args if a in COMMANDS), None)
    command = getattr(sys.modules.get(f"roimix.commands.{name}"), "command", None)  # imported when it ran
    option = next((p for p in getattr(command, "params", ()) if p.name == "lang"), None)
    return option.default if option is not None and option.default in ("zh", "en") else "zh"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map known errors to exit codes and one readable message, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    one_blas_thread()
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        code = app.main(args=args, prog_name="roimix", standalone_mode=False)
    except RoimixError as err:
        if debug and isinstance(err, CommandUnavailable):
            raise
        from roimix.text import error_text

        text = error_text(err, _lang_of(args))
        click.echo(text if _is_table_error(err) else f"error: {text}", err=True)  # a table's problems, one a line
        return err.exit_code
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as err:
        err.show()
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    except Exception as err:  # noqa: BLE001 - the last line of defence for a user
        if debug:
            raise
        click.echo(f"internal error: {type(err).__name__}: {err} (rerun with --debug for details)", err=True)
        return 3
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
