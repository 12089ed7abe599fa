"""Benchmark commands: how well the performance model picks real A/B winners."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.commands._io import print_json, progress
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `benchmark ab-winners`."""
    bench = typer.Typer(help="Measure the copilot against real outcomes.", no_args_is_help=True)
    app.add_typer(bench, name="benchmark")

    @bench.command("ab-winners")
    def ab_winners(
        tests: Annotated[
            Path,
            typer.Option(
                "--tests", help="CSV with rows test_id, headline, image_id, impressions, clicks."
            ),
        ],
        model: Annotated[
            Path | None,
            typer.Option(
                "--model", help="A model .npz from `copilot model train` (default: shipped)."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
    ) -> None:
        """Predict the winner of every significant pair (p < 0.05) and report accuracy."""
        from copilot.app.model import BenchmarkRequest, benchmark

        request = BenchmarkRequest(tests=tests, model=model)
        report = benchmark(request, get_settings(), progress=progress)
        if as_json:
            print_json(report.payload())
            return
        typer.echo(f"significant pairs (p < 0.05): {report.pairs} from {report.tests} tests")
        rows = [("model", report.accuracy, report.ci95)] + [
            (name.replace("_", " "), s.accuracy, s.ci95) for name, s in report.baselines.items()
        ]
        for name, acc, (lo, hi) in rows:
            typer.echo(f"{name:<16} accuracy {acc:.3f}  (95% CI {lo:.3f}-{hi:.3f})")
