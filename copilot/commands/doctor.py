"""`copilot doctor`: what is wrong with this install, one line per check, each with its fix."""

from __future__ import annotations

from typing import Annotated

import typer

from copilot.commands._io import info, print_json


def register(app: typer.Typer) -> None:
    """Add `doctor`."""

    @app.command("doctor")
    def doctor(
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Check Python, packages, the llama.cpp build, the models, the store, the provider,
        vendor keys (masked) and the brands; exit 0 only when every required check passes."""
        from copilot.app.doctor import run_checks
        from copilot.settings import get_settings

        if not as_json:
            info("checking (the model runs once in a child process, a few seconds)...")
        report = run_checks(get_settings())
        if as_json:
            print_json(report.to_json())
        else:
            for check in report.checks:
                typer.echo(check.line())
            typer.echo("all required checks pass" if report.ok else "some required checks fail")
        if not report.ok:
            raise typer.Exit(1)
