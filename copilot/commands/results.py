"""`copilot results import`: judge a finished A/B test and feed it back into the brand's KB."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from copilot.app.results import ResultsRequest, import_ab_results, render_verdict
from copilot.commands._io import info, print_json
from copilot.io.abconfig import Platform, load_config
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot results import`."""
    results_app = typer.Typer(
        help="Import A/B test results and feed them back into the KB.", no_args_is_help=True
    )
    app.add_typer(results_app, name="results")

    @results_app.command("import")
    def import_(
        platform: Annotated[
            Platform | None,
            typer.Option(help="Fetch from this platform (with --campaign)."),
        ] = None,
        campaign: Annotated[
            str | None, typer.Option("--campaign", help="The platform's campaign id.")
        ] = None,
        csv_file: Annotated[
            Path | None,
            typer.Option("--csv", help="CSV with columns variant,recipients,opens,clicks."),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option("--config", help="The A/B config the test was exported from."),
        ] = None,
        brand: Annotated[
            str | None, typer.Option("--brand", help="Brand (default: the config's).")
        ] = None,
        brief: Annotated[
            Path | None,
            typer.Option(
                "--brief", help="Brief giving brand, goal and segment (without --config)."
            ),
        ] = None,
        goal: Annotated[str | None, typer.Option(help="Goal (without --config/--brief).")] = None,
        segment: Annotated[
            str | None, typer.Option(help="Segment name (without --config/--brief).")
        ] = None,
        metric: Annotated[
            Literal["clicks", "opens"] | None,
            typer.Option(help="Metric to judge (default: the plan's, else clicks)."),
        ] = None,
        sent_at: Annotated[
            str | None, typer.Option(help="Send date for the KB rows (default: the platform's).")
        ] = None,
        no_ingest: Annotated[
            bool, typer.Option("--no-ingest", help="Append to the CSV but do not re-embed.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Verdict (z-test and Bayesian), then append every arm to past_campaigns.csv."""
        settings = get_settings()
        request = ResultsRequest(
            platform=platform,
            campaign=campaign,
            csv_file=csv_file,
            config=load_config(config) if config else None,
            brief=load_brief(brief) if brief else None,
            brand=brand,
            goal=goal,
            segment=segment,
            metric=metric,
            sent_at=sent_at,
            reingest=not no_ingest,
        )
        imported = import_ab_results(request, settings)
        report, result = imported.report, imported.report.result
        if as_json:
            print_json(report.model_dump(mode="json"))
            return
        for note in result.notes:
            info(f"note: {note}")
        typer.echo(render_verdict(report.verdict))
        typer.echo(
            f"{report.appended.path}: {report.appended.added} row(s) added, "
            f"{report.appended.skipped} already there"
        )
        if report.ingested is not None:
            typer.echo(f"re-ingested {imported.brand}: {report.ingested.get('total')} chunk(s)")
