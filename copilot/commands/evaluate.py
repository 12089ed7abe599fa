"""`copilot evaluate`: score and check variants from a CSV or from `copilot generate --json`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from copilot.commands._io import info, print_json
from copilot.errors import KnowledgeBaseError
from copilot.evaluation.scores.judge import judge_note
from copilot.evaluation.scoring import evaluate_variants
from copilot.io.brief import Brief, load_brief
from copilot.io.variant_files import read_variants_csv
from copilot.knowledge.brand import brand_folder, load_brand
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings, get_settings
from copilot.variants import Variant

_MARK = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL"}


def read_variants(path: Path) -> list[Variant]:
    """Variants from a .csv file, or from the JSON `copilot generate --json` prints."""
    if path.suffix.lower() == ".csv":
        return read_variants_csv(path)
    from copilot.planning.select import load_variants

    return load_variants(path)


def brand_context(brief: Brief, settings: Settings) -> BrandContext:
    """The brand and its retrieved context; without an ingested store, the brand folder alone."""
    from copilot.knowledge.retrieve import retrieve

    kb = load_brand(brand_folder(settings.kb_dir, brief.brand))
    try:
        return retrieve(brief, kb, settings)
    except KnowledgeBaseError as exc:  # the brand is not in the vector store yet
        info(f"note: {exc}; comparing voice with the brand folder only")
        return BrandContext(brand=kb)


def report(variants: list[Variant]) -> dict[str, Any]:
    """The JSON document `copilot evaluate --json` prints."""
    return {
        "variants": [
            {
                "subject": v.subject,
                "preheader": v.preheader,
                "angle": v.angle,
                "score": v.score,
                "checks": [
                    {"name": c.name, "status": c.status, "score": c.score, "message": c.message}
                    for c in v.checks
                ],
                "explanation": v.explanation,
            }
            for v in variants
        ]
    }


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
        settings = get_settings()
        parsed = load_brief(brief)
        items = read_variants(variants)
        # before retrieval: a judge's model loads before the embedder starts torch's thread pool
        note = judge_note(settings)
        if note:
            info(f"note: {note}")
        context = brand_context(parsed, settings)
        scored = evaluate_variants(items, parsed, context, settings)
        if as_json:
            print_json(report(scored))
            return
        typer.echo(render(scored))
