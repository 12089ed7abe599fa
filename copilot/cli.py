"""Thin command line: parse, call one library function, print. Messages, never tracebacks."""

from __future__ import annotations

import sys

import typer

from copilot.commands import (
    benchmark,
    bodies,
    core,
    doctor,
    evaluate,
    export,
    model,
    plan,
    results,
    sequence,
)
from copilot.errors import CopilotError

app = typer.Typer(
    name="copilot",
    help="Campaign Copilot: brand-grounded email copy and honest A/B tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (core, doctor, evaluate, model, benchmark, bodies, sequence, plan, export, results):
    module.register(app)


def main() -> None:
    """Console entry point: CopilotError becomes a one-line message and exit code 2."""
    try:
        # without standalone mode click returns (not raises) the code of a typer.Exit
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except CopilotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
