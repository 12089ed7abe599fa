"""`bodies`: brief in, scored email bodies out (headline, blocks, CTA, P.S., the mandatory
footer), rendered to HTML and text; and a marketer's edit of one body, re-checked."""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.app.generate import Progress, model_then_context
from copilot.generation.bodies.edit import BodyEdit, BodyEditError, apply_edit, split_paragraphs
from copilot.generation.bodies.generator import BodyResult, BodyVariant, generate_bodies
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM
from copilot.settings import Settings

__all__ = [
    "BodiesRequest",
    "BodyEdit",
    "BodyEditError",
    "BodyResult",
    "BodyVariant",
    "EditRequest",
    "edit_body",
    "run_bodies",
    "split_paragraphs",
]


class BodiesRequest(BaseModel):
    """What `copilot bodies` and the Bodies page ask for."""

    brief: Brief
    #: the chosen subject line the bodies should follow
    subject: str | None = None
    #: body variants, each with a distinct angle
    keep: int = Field(default=2, ge=1)


class EditRequest(BaseModel):
    """One body, the marketer's new text for it, and the brief and context it is checked against."""

    body: BodyVariant
    edit: BodyEdit
    brief: Brief
    context: BrandContext


def run_bodies(
    request: BodiesRequest,
    settings: Settings,
    *,
    progress: Progress | None = None,
    llm: LLM | None = None,
) -> BodyResult:
    """Brief in, scored body variants out (retrieval, drafting, rendering, evaluation)."""
    say = progress or (lambda _m, _f: None)
    model, context = model_then_context(request.brief, settings, llm=llm, progress=say)
    return generate_bodies(
        request.brief,
        settings,
        llm=model,
        context=context,
        subject=request.subject,
        keep=request.keep,
        progress=say,
    )


def edit_body(request: EditRequest, settings: Settings) -> BodyVariant:
    """The body with the edited text, re-rendered, re-checked and re-scored."""
    return apply_edit(request.body, request.edit, request.brief, request.context, settings)
