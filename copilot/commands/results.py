"""`copilot results import`: judge a finished A/B test and feed it back into the brand's KB."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from copilot.commands._io import info, print_json
from copilot.io.abconfig import load_config
from copilot.io.brief import load_brief
from copilot.knowledge.brand import brand_folder
from copilot.platforms.http import VendorAPI
from copilot.platforms.results import fetch_brevo, fetch_mailchimp, read_results_csv
from copilot.platforms.run import open_client, retry_policy
from copilot.results.importer import ResultsError, import_results
from copilot.results.verdict import render_verdict
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
            Literal["mailchimp", "brevo"] | None,
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
        cfg = load_config(config) if config else None
        the_brief = load_brief(brief) if brief else None
        brand_name = (
            brand or (cfg.brand if cfg else None) or (the_brief.brand if the_brief else None)
        )
        goal_name = (
            goal or (cfg.goal if cfg else None) or (the_brief.goal.value if the_brief else None)
        )
        segment_name = (
            segment
            or (cfg.segment if cfg else None)
            or (the_brief.segment.name if the_brief else None)
        )
        missing = [
            n
            for n, v in (
                ("--brand", brand_name),
                ("--goal", goal_name),
                ("--segment", segment_name),
            )
            if not v
        ]
        if missing:
            raise ResultsError(
                f"{', '.join(missing)} unknown: pass --config (the plan file), --brief, or "
                f"{' '.join(missing)}"
            )
        assert brand_name and goal_name and segment_name
        if cfg is not None and brand and brand != cfg.brand:
            raise ResultsError(f"--brand {brand} differs from the config's brand {cfg.brand}")
        if csv_file is not None:
            result = read_results_csv(csv_file, cfg, campaign)
            source_platform = platform or (cfg.platform if cfg else "csv")
        elif campaign and platform:
            if cfg is None:
                raise ResultsError(
                    "--campaign needs --config (the plan file) to know the arms, goal and segment"
                )
            with open_client(platform, settings) as client:
                api = VendorAPI(client, platform, retry_policy(settings))
                fetch = fetch_mailchimp if platform == "mailchimp" else fetch_brevo
                result = fetch(api, campaign, cfg)
            source_platform = platform
        else:
            raise ResultsError(
                "say where the results are: --platform mailchimp|brevo --campaign ID, or --csv FILE"
            )
        chosen_metric = metric or (cfg.design.metric if cfg else "clicks")
        report = import_results(
            result,
            brand_folder(settings.kb_dir, brand_name),
            goal_name,
            segment_name,
            source_platform,
            chosen_metric,
            settings,
            config=cfg,
            sent_at=sent_at,
            reingest=not no_ingest,
        )
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
            typer.echo(f"re-ingested {brand_name}: {report.ingested.get('total')} chunk(s)")
