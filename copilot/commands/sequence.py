"""`copilot sequence` and `copilot playbooks`: multi-step email plans with copy for every step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from copilot.commands._io import info, print_json, progress
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot sequence` and `copilot playbooks`."""

    @app.command("playbooks")
    def playbooks(
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    ) -> None:
        """List the sequence playbooks, the brief goals they serve and their steps."""
        from copilot.app.sequence import load_playbooks

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
        from copilot.app.sequence import SequenceRequest, WriteRequest, run_sequence, write_sequence

        settings = get_settings()
        parsed = load_brief(brief)
        request = SequenceRequest(
            brief=parsed, playbook=playbook, max_sends_per_week=max_sends_per_week
        )
        plan = run_sequence(request, settings, progress=progress)
        if out is not None:
            where = WriteRequest(plan=plan, out=out, drafts=drafts, sender_email=sender_email)
            written = write_sequence(where, settings)
            for note in written.notes:
                info(note)
            info(f"wrote {len(written.written)} files to {out}")
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
