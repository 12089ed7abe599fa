"""`copilot evaluate`: score and check variants from a CSV or from `copilot generate --json`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.commands._io import info, print_json
from copilot.io.brief import load_brief
from copilot.settings import get_settings
from copilot.variants import Variant

_MARK = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def render(variants: list[Variant]) -> str:
    """A summary table (score, failed and warned checks, subject), then each variant's details."""
    rows = [("#", "score", "fails", "warnings", "subject")]
    for i, v in enumerate(variants, 1):
        fails = ", ".join(c.name for c in v.checks if c.status == "fail") or "-"
        warns = ", ".join(c.name for c in v.checks if c.status == "warn") or "-"
        rows.append((str(i), f"{v.score:.1f}", fails, warns, v.subject))
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = [
        "  ".join(r[k].rjust(widths[k]) if k < 2 else r[k].ljust(widths[k]) for k in range(4))
        + "  "
        + r[4]
        for r in rows
    ]
    lines.append("")
    for i, v in enumerate(variants, 1):
        lines.append(f"{i}. [{v.score:5.1f}] {v.subject}")
        if v.preheader:
            lines.append(f"   preheader: {v.preheader}")
        for c in v.checks:
            if c.status != "pass":
                lines.append(f"   {_MARK[c.status]} {c.name}: {c.message}")
        passed = [c.name for c in v.checks if c.status == "pass"]
        if passed:
            lines.append(f"   {_MARK['pass']} {', '.join(passed)}")
        lines.append(f"   {v.explanation}")
        lines.append("")
    return "\n".join(lines).rstrip()


def register(app: typer.Typer) -> None:
    """Add `copilot evaluate`."""

    @app.command("evaluate")
    def evaluate(
        brief: Annotated[Path, typer.Option("--brief", help="Brief file (YAML or JSON).")],
        variants: Annotated[
            Path,
            typer.Option(
                "--variants",
                help="CSV with columns subject, preheader (optional body, angle), "
                "or the JSON of `copilot generate --json`.",
            ),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    ) -> None:
        """Score and check variants: hard checks, brand voice, diversity, predicted performance
        and, with COPILOT_JUDGE and a chat model, an LLM judge's rubric."""
        from copilot.app.evaluate import EvaluateRequest, evaluate, read_variants

        settings = get_settings()
        request = EvaluateRequest(brief=load_brief(brief), variants=read_variants(variants))
        result = evaluate(request, settings, notify=lambda note: info(f"note: {note}"))
        if as_json:
            print_json(result.to_json())
            return
        typer.echo(render(result.variants))
