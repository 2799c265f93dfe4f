"""The ``roimix`` console script. Each sub-command lives in ``roimix/commands/<name>.py``.

Exit codes: 0 done, 1 a scenario has no feasible plan (the explanation is printed),
2 bad input or usage (every problem is printed), 3 an internal error (one line; ``--debug`` shows
the traceback).
"""

from __future__ import annotations

import importlib
import sys

import click

from roimix.errors import RoimixError
from roimix.tables import TableError

COMMANDS = ("validate", "attribute", "plan", "batch", "generate")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="roimix")
def app() -> None:
    """Incremental attribution and budget plans for e-commerce marketing (Tmall, JD, Douyin)."""


for _name in COMMANDS:
    try:
        _module = importlib.import_module(f"roimix.commands.{_name}")
    except ModuleNotFoundError as _missing:  # a command still being built is simply not listed
        if _missing.name != f"roimix.commands.{_name}":
            raise
    else:
        app.add_command(_module.command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map known errors to exit codes and one readable message, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        code = app.main(args=args, prog_name="roimix", standalone_mode=False)
    except TableError as err:
        click.echo(str(err), err=True)
        return 2
    except RoimixError as err:
        click.echo(f"error: {err}", err=True)
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
