"""`sequence`: brief in, a whole email sequence out (a playbook adapted to the brief, copy for every
step, checks); and the sequence taken to the platforms: the team's documents and per-step drafts,
the same for `copilot sequence --out` and the Sequence page."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from copilot.app.generate import Progress, model_then_context
from copilot.generation.sequences.docs import PLATFORM_NOTES, plan_markdown, steps_csv, write_plan
from copilot.generation.sequences.generator import SequenceCopy, generate_sequence
from copilot.generation.sequences.plan import SequencePlan
from copilot.generation.sequences.playbooks import (
    Playbook,
    get_playbook,
    load_playbooks,
    playbook_for,
)
from copilot.io.brief import Brief
from copilot.knowledge.brand import brand_folder
from copilot.llm.base import LLM
from copilot.planning.sender import sender_from_brand
from copilot.platforms import registry
from copilot.platforms.base import ExportPayload
from copilot.platforms.errors import ExportError
from copilot.platforms.sequence_drafts import build_sequence_drafts
from copilot.settings import Settings

__all__ = [
    "PLATFORM_NOTES",
    "DraftsRequest",
    "ExportPayload",
    "Playbook",
    "SequenceCopy",
    "SequencePlan",
    "SequenceRequest",
    "WriteRequest",
    "WriteResult",
    "load_playbooks",
    "plan_markdown",
    "playbook_for",
    "run_sequence",
    "sequence_drafts",
    "steps_csv",
    "write_sequence",
]

#: which platforms' drafts `--drafts` asks for: the brief's, one, both or none
Drafts = Literal["brief", "mailchimp", "brevo", "both", "none"]


class SequenceRequest(BaseModel):
    """What `copilot sequence` and the Sequence page ask for."""

    brief: Brief
    #: a playbook by name; None: the one for the brief's goal
    playbook: str | None = None
    #: how much copy each step gets (subject drafts, blocks, P.S.); None: the defaults
    step_copy: SequenceCopy | None = None
    #: cap on sends in any 7 days; None: the settings' (COPILOT_MAX_SENDS_PER_WEEK)
    max_sends_per_week: int | None = Field(default=None, ge=1)


class DraftsRequest(BaseModel):
    """Per-step drafts of a plan for one platform (None: the plan's)."""

    plan: SequencePlan
    platform: str | None = None
    #: sender email for Brevo templates; None: the contact email in the brand's products.md
    sender_email: str | None = None


class WriteRequest(BaseModel):
    """Where to write a plan's documents, and which platforms' drafts go beside them."""

    plan: SequencePlan
    out: Path
    drafts: Drafts = "brief"
    sender_email: str | None = None


class WriteResult(BaseModel):
    """The files written, and what to tell the user about the drafts (in order)."""

    written: list[Path] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def run_sequence(
    request: SequenceRequest,
    settings: Settings,
    *,
    progress: Progress | None = None,
    llm: LLM | None = None,
) -> SequencePlan:
    """Brief in, a complete sequence plan out (retrieval, adaptation, copy, checks)."""
    say = progress or (lambda _m, _f: None)
    brief = request.brief
    book = get_playbook(request.playbook) if request.playbook else playbook_for(brief)
    model, context = model_then_context(brief, settings, llm=llm, progress=say, at=0.02)
    return generate_sequence(
        brief,
        settings,
        llm=model,
        context=context,
        playbook=book,
        copy=request.step_copy,
        max_sends_per_week=request.max_sends_per_week or settings.max_sends_per_week,
        progress=lambda m, f: say(m, 0.05 + 0.95 * f),
    )


def sequence_drafts(request: DraftsRequest, settings: Settings) -> ExportPayload:
    """Spec-valid per-step drafts for one platform, the sender read from the brand's files
    (raises ExportError when the platform cannot take them)."""
    plan = request.plan
    folder = brand_folder(settings.kb_dir, plan.brief.brand)
    sender = sender_from_brand(folder, plan.brief.brand, email=request.sender_email)
    # the platform name is checked by build_sequence_drafts, which names the ones it takes
    return build_sequence_drafts(plan, request.platform, sender)  # type: ignore[arg-type]


def write_sequence(request: WriteRequest, settings: Settings) -> WriteResult:
    """The plan's documents (sequence.md, steps.csv, sequence.json, each step's HTML and text),
    then each asked platform's drafts in `drafts/`; a platform that cannot take them is a note."""
    plan = request.plan
    result = WriteResult(written=write_plan(plan, request.out))
    targets = {"brief": [plan.platform], "both": registry.names(), "none": []}.get(
        request.drafts, [request.drafts]
    )
    for target in targets:
        try:
            payload = sequence_drafts(
                DraftsRequest(plan=plan, platform=target, sender_email=request.sender_email),
                settings,
            )
        except ExportError as exc:
            result.notes.append(f"no {target} drafts: {exc}")
            continue
        result.written += payload.write(request.out / "drafts")
        result.notes += [f"{target}: {w}" for w in payload.warnings]
    return result
