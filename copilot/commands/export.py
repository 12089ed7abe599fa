"""`copilot export`: turn an A/B config into Mailchimp or Brevo payloads, or push them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.app.export import build_payload, push_payload
from copilot.commands._io import info, print_json
from copilot.io.abconfig import Platform, load_config
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot export`."""

    @app.command("export")
    def export(
        platform: Annotated[Platform, typer.Option(help="Target platform.")],
        config: Annotated[Path, typer.Option("--config", help="A/B config from `copilot plan`.")],
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the payload files (dry run default: export/)."),
        ] = None,
        push: Annotated[
            bool,
            typer.Option(
                "--push",
                help="Create the draft campaign on the platform (key from MAILCHIMP_API_KEY / "
                "BREVO_API_KEY).",
            ),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Validate the payloads against the vendor's API spec; write them, or push with --push."""
        payload = build_payload(load_config(config), platform)
        for warning in payload.warnings:
            info(f"warning: {warning}")
        written: list[Path] = []
        if not push or out is not None:
            written = payload.write(out or Path("export"))
        result = None
        if push:
            result = push_payload(payload, get_settings())
        if as_json:
            print_json(
                {
                    "platform": payload.platform,
                    "test_id": payload.test_id,
                    "title": payload.title,
                    "files": [str(p) for p in written],
                    "push": result.model_dump(mode="json") if result else None,
                    "warnings": payload.warnings,
                }
            )
            return
        for path in written:
            typer.echo(f"wrote {path}")
        if result is not None:
            what = "created" if result.created else "already there (not created again)"
            typer.echo(
                f"{result.platform} campaign {result.campaign_id} {what}: {result.title} "
                f"({result.requests_sent} request(s))"
            )
        elif written:
            typer.echo(
                "dry run: payloads are valid against the vendor's API spec; add --push "
                "to create the draft campaign"
            )
