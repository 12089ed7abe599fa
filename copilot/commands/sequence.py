"""`copilot sequence` and `copilot playbooks`: multi-step email plans with copy for every step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from copilot.commands._io import info, print_json
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot sequence` and `copilot playbooks`."""

    @app.command("playbooks")
    def playbooks(
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    ) -> None:
        """List the sequence playbooks, the brief goals they serve and their steps."""
        from copilot.generation.sequences.playbooks import load_playbooks

        books = load_playbooks()
        if as_json:
            print_json(
                {
                    "playbooks": [
                        {
                            "name": b.name,
                            "title": b.title,
                            "goals": [g.value for g in b.goals],
                            "trigger": b.trigger,
                            "steps": [s.id for s in b.steps],
                        }
                        for b in books.values()
                    ]
                }
            )
            return
        for b in books.values():
            goals = ", ".join(g.value for g in b.goals) or "(use --playbook)"
            typer.echo(f"{b.name:15} {len(b.steps)} steps  goals: {goals}")
            typer.echo(f"{'':15} {b.description}")

    @app.command("sequence")
    def sequence(
        brief: Annotated[Path, typer.Option("--brief", help="Brief file (YAML or JSON).")],
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Write sequence.md, steps.csv, sequence.json, each step's HTML/text and "
                "the per-step platform drafts here.",
            ),
        ] = None,
        playbook: Annotated[
            str | None,
            typer.Option("--playbook", help="Playbook name (default: the brief's goal's)."),
        ] = None,
        drafts: Annotated[
            Literal["brief", "mailchimp", "brevo", "both", "none"],
            typer.Option(help="Platform drafts to write with --out (default: the brief's)."),
        ] = "brief",
        sender_email: Annotated[
            str | None,
            typer.Option(help="Sender email for Brevo templates (default: from products.md)."),
        ] = None,
        max_sends_per_week: Annotated[
            int | None,
            typer.Option(min=1, max=14, help="Cap on sends in any 7 days (default 4)."),
        ] = None,
    ) -> None:
        """Plan a whole email sequence for a brief: timing, branches, exits and copy per step."""
        from copilot.generation.sequences.generator import run_sequence

        settings = get_settings()
        parsed = load_brief(brief)
        # the settings field arrives with COPILOT_MAX_SENDS_PER_WEEK; until then the default
        limit = max_sends_per_week or settings.max_sends_per_week
        plan = run_sequence(
            parsed,
            settings,
            playbook=playbook,
            max_sends_per_week=limit,
            progress=lambda msg, frac: info(f"[{frac:4.0%}] {msg}"),
        )
        if out is not None:
            _write(plan, out, drafts, sender_email)
        if as_json:
            print_json(plan.to_json())
            return
        typer.echo(f"{plan.title} for {parsed.brand}: {len(plan.steps)} steps")
        typer.echo(f"trigger: {plan.trigger}")
        for i, s in enumerate(plan.steps, 1):
            typer.echo(f"{i}. day {s.day:>2} [{s.condition}] ({s.angle}) {s.subject}")
        for c in plan.checks:
            typer.echo(f"{c.status:4} {c.name}: {c.message}")
        for a in plan.adaptations:
            typer.echo(f"adapted: {a.action} {a.step}: {a.reason}")
        for note in plan.notes:
            typer.echo(f"note: {note}")


def _write(plan: object, out: Path, drafts: str, sender_email: str | None) -> None:
    """The plan documents, then the platform drafts beside them."""
    from copilot.generation.sequences.docs import write_plan
    from copilot.generation.sequences.plan import SequencePlan
    from copilot.knowledge.brand import brand_folder
    from copilot.planning.sender import sender_from_brand
    from copilot.platforms.errors import ExportError
    from copilot.platforms.sequence_drafts import build_sequence_drafts

    assert isinstance(plan, SequencePlan)
    written = write_plan(plan, out)
    targets = {
        "brief": [plan.platform],
        "both": ["mailchimp", "brevo"],
        "none": [],
    }.get(drafts, [drafts])
    folder = brand_folder(get_settings().kb_dir, plan.brief.brand)
    sender = sender_from_brand(folder, plan.brief.brand, email=sender_email)
    for target in targets:
        try:
            payload = build_sequence_drafts(plan, target, sender)  # type: ignore[arg-type]
        except ExportError as exc:
            info(f"no {target} drafts: {exc}")
            continue
        written += payload.write(out / "drafts")
        for w in payload.warnings:
            info(f"{target}: {w}")
    info(f"wrote {len(written)} files to {out}")
