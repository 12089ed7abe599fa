"""`refine`: a chat request ("shorter", "three more like #2") applied to a set of variants; the new
set comes back with every variant re-scored."""

from __future__ import annotations

from pydantic import BaseModel

from copilot.app.generate import Progress, Score, model_then_context, scorer
from copilot.generation.refine import generator
from copilot.generation.refine.generator import RefineResult
from copilot.generation.refine.request import RefineError
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM
from copilot.settings import Settings
from copilot.variants import Variant

__all__ = ["RefineError", "RefineRequest", "RefineResult", "refine"]


class RefineRequest(BaseModel):
    """The person's words, the set they apply to, and the brief it was written for."""

    request: str
    variants: list[Variant]
    brief: Brief
    #: context already retrieved for this brief (the UI keeps one per brief); None: retrieve it
    context: BrandContext | None = None


def refine(
    request: RefineRequest,
    settings: Settings,
    *,
    progress: Progress | None = None,
    llm: LLM | None = None,
    score: Score | None = None,
) -> RefineResult:
    """Apply the request; drafts are scored by the evaluators unless `score` is given."""
    brief = request.brief
    model, context = model_then_context(
        brief, settings, llm=llm, context=request.context, progress=progress, at=0.0
    )
    return generator.refine(
        request.request,
        request.variants,
        brief,
        settings,
        model,
        context,
        score=score or scorer(brief, context, settings, model),
        progress=progress,
    )
