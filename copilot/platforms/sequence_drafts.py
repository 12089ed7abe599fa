"""Sequence steps as ready drafts: one template per step on the chosen platform (a Mailchimp
template, a Brevo email template), each request body validated against the vendor's spec.

Mailchimp Customer Journeys and Brevo automation workflows cannot be created through their public
APIs, so the flow itself (trigger, delays, conditions, branches, exits) is built by hand from the
plan document written beside these drafts; each journey or workflow email then picks its step's
template. What each template holds is the vendor's (its folder's templates.py).

A plan is anything shaped like `DraftPlan` (the generator's SequencePlan is), so this module
needs nothing from generation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from copilot.io.abconfig import Platform, Sender
from copilot.io.brief import Brief
from copilot.platforms import registry
from copilot.platforms.base import ExportPayload, TemplateDraft
from copilot.platforms.errors import ExportError

#: Mailchimp shows template names in a narrow list; keep them readable there (on every platform)
NAME_LIMIT = 50
JOURNEY_WARNING = (
    "the journey/workflow itself (trigger, delays, conditions, branches, exits) cannot be "
    "created through the public API: build it from sequence.md, see docs/sequences.md"
)


class DraftStep(Protocol):
    """What a draft needs of one sequence step."""

    @property
    def id(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def body_html(self) -> str: ...


class DraftPlan(Protocol):
    """What drafts need of a sequence plan: its identity, its tag syntax and its steps."""

    @property
    def playbook(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def platform(self) -> str: ...

    @property
    def brief(self) -> Brief: ...

    @property
    def steps(self) -> Sequence[DraftStep]: ...


def sequence_id(plan: DraftPlan) -> str:
    """A stable id for the plan (same brief, playbook and copy give the same id)."""
    digest = hashlib.sha256(
        "|".join(
            [plan.playbook, plan.brief.model_dump_json(), *(s.subject for s in plan.steps)]
        ).encode("utf-8")
    ).hexdigest()[:8]
    return f"seq-{plan.playbook.replace('_', '-')}-{digest}"


def _name(plan: DraftPlan, i: int, step_id: str, marker: str) -> str:
    head = f"{plan.title} {i}/{len(plan.steps)} {step_id}"
    room = NAME_LIMIT - len(marker) - 1
    return f"{head[:room].rstrip()} {marker}"


def build_sequence_drafts(
    plan: DraftPlan, platform: Platform | None = None, sender: Sender | None = None
) -> ExportPayload:
    """Spec-valid request bodies, one draft per step (raises ExportError/ContractError)."""
    chosen = platform or plan.platform
    if chosen not in registry.names():
        raise ExportError(
            f"platform {chosen!r}: sequence drafts go to {' or '.join(registry.names())}"
        )
    target = registry.get(chosen)
    seq = sequence_id(plan)
    marker = f"[{seq[-8:]}]"
    drafts = [
        TemplateDraft(
            step=f"step{i}_{step.id}_template",
            name=_name(plan, i, step.id, marker),
            subject=step.subject,
            html=step.body_html,
            syntax=plan.platform,
            tag=seq,
        )
        for i, step in enumerate(plan.steps, start=1)
    ]
    return ExportPayload(
        platform=target.name,
        test_id=seq,
        title=plan.title,
        marker=marker,
        requests=target.sequence_templates(drafts, sender),
        warnings=[target.template_note, JOURNEY_WARNING],
    )
