"""Core commands: config, kb ingest/stats, generate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.commands._io import info, print_json, progress
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add config, kb and generate."""
    kb = typer.Typer(
        help="Brand knowledge base: ingest folders, show counts.", no_args_is_help=True
    )
    app.add_typer(kb, name="kb")

    @app.command("config")
    def config(
        as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    ) -> None:
        """Print the effective settings (secrets masked)."""
        values = get_settings().masked()
        if as_json:
            print_json(values)
            return
        width = max(len(k) for k in values)
        for key, value in values.items():
            typer.echo(f"{key.ljust(width)}  {value if value is not None else '-'}")

    @kb.command("ingest")
    def ingest(
        folder: Annotated[
            Path,
            typer.Argument(
                help="A brand folder, e.g. brand_kb/harbor_bean, or a brand name under "
                "COPILOT_KB_DIR"
            ),
        ],
    ) -> None:
        """Chunk and embed a brand folder into its Chroma collection (idempotent)."""
        from copilot.app.knowledge import IngestRequest
        from copilot.app.knowledge import ingest as run

        report = run(IngestRequest(folder=folder), get_settings(), progress=progress)
        for name, f in report.files.items():
            typer.echo(f"{name}: {f.added} added, {f.removed} removed, {f.kept} unchanged")
        typer.echo(f"{report.brand}: {report.total} chunks in the store")

    @kb.command("stats")
    def stats(
        brand: Annotated[str, typer.Argument(help="Brand name (its folder name)")],
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Show chunk counts for an ingested brand."""
        from copilot.app.knowledge import BrandRequest
        from copilot.app.knowledge import stats as run

        counts = run(BrandRequest(brand=brand), get_settings()).counts
        if as_json:
            print_json({"brand": brand, **counts})
            return
        for key, value in counts.items():
            typer.echo(f"{key:10} {value}")

    @app.command("generate")
    def generate(
        brief: Annotated[Path, typer.Option("--brief", help="Brief file (YAML or JSON).")],
        n: Annotated[
            int | None, typer.Option("--n", min=1, max=64, help="Drafts per round.")
        ] = None,
        keep: Annotated[
            int | None, typer.Option("--keep", min=1, max=32, help="Variants to return.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    ) -> None:
        """Draft subject lines + preheaders for a brief, scored and checked."""
        from copilot.app.generate import GenerateRequest
        from copilot.app.generate import generate as run

        settings = get_settings()
        request = GenerateRequest(brief=load_brief(brief), n=n, keep=keep)
        result = run(
            request,
            settings,
            progress=progress,
        )
        if as_json:
            print_json(result.to_json())
            return
        for i, v in enumerate(result.variants, 1):
            score = "-" if v.score is None else f"{v.score:5.1f}"
            typer.echo(f"{i}. [{score}] ({v.angle}) {v.subject}")
            typer.echo(f"   {v.preheader}")
        for note in result.notes:
            typer.echo(f"note: {note}")
        u = result.usage.summary()
        info(
            f"{result.model}: {u['calls']} calls, {u['completion_tokens']} tokens, {u['latency_s']}s"
        )
