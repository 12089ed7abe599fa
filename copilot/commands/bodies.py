"""`copilot bodies`: email body variants for a brief, rendered to HTML and plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.commands._io import info, print_json, progress
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot bodies`."""

    @app.command("bodies")
    def bodies(
        brief: Annotated[Path, typer.Option("--brief", help="Brief file (YAML or JSON).")],
        subject: Annotated[
            str | None,
            typer.Option("--subject", help="The chosen subject line the bodies should follow."),
        ] = None,
        keep: Annotated[
            int, typer.Option("--keep", min=1, max=6, help="Body variants (distinct angles).")
        ] = 2,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Also write each variant as .html and .txt here."),
        ] = None,
    ) -> None:
        """Draft email bodies (headline, blocks, CTA, P.S.) with the mandatory footer, checked."""
        from copilot.app.bodies import BodiesRequest, run_bodies

        request = BodiesRequest(brief=load_brief(brief), subject=subject, keep=keep)
        result = run_bodies(
            request,
            get_settings(),
            progress=progress,
        )
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for i, v in enumerate(result.variants, 1):
                stem = out / f"body-{i}-{v.angle}"
                stem.with_suffix(".html").write_text(v.html, encoding="utf-8")
                stem.with_suffix(".txt").write_text(v.text, encoding="utf-8")
            info(f"wrote {2 * len(result.variants)} files to {out}")
        if as_json:
            print_json(result.to_json())
            return
        for i, v in enumerate(result.variants, 1):
            score = "-" if v.score is None else f"{v.score:5.1f}"
            typer.echo(f"{i}. [{score}] ({v.angle}) {v.headline}")
            for block in v.blocks:
                typer.echo(f"   {block}")
            typer.echo(f"   [{v.cta_text}] -> {v.cta_url}")
            if v.ps:
                typer.echo(f"   P.S. {v.ps}")
        for note in result.notes:
            typer.echo(f"note: {note}")
        u = result.usage.summary()
        info(
            f"{result.model}: {u['calls']} calls, {u['completion_tokens']} tokens, {u['latency_s']}s"
        )
