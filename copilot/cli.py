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


def _usage_error_types() -> tuple[type[Exception], ...]:
    """The click exception classes typer may raise: recent typer vendors click as `typer._click`
    (its classes do not subclass the real click's), older typer raises the real click's."""
    found: list[type[Exception]] = []
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:  # a typer that does not vendor click
        pass
    else:
        found.append(VendoredClickException)
    try:
        from click import ClickException
    except ImportError:  # only typer's own copy is installed
        pass
    else:
        found.append(ClickException)
    return tuple(found)


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
    """Console entry point: CopilotError becomes a one-line message and exit code 2, a usage
    error click's short usage message and its exit code (2)."""
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
    except Exception as exc:  # click's usage errors ("Usage: ... Error: No such option") show
        if not isinstance(exc, _usage_error_types()):  # anything else is a bug: its traceback
            raise
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
