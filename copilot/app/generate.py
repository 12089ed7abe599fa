"""`generate`: brief in, scored subject/preheader variants out. Also the steps every use case
that drafts shares: the model, created once per process, loaded before the embedder; the
evaluators as a batch function."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from copilot.evaluation.scores.judge import judge_note
from copilot.evaluation.scoring import evaluate_variants
from copilot.generation.subjects.generator import GenerationResult, generate_subjects
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.knowledge.retrieve import build_context
from copilot.llm.base import LLM
from copilot.llm.registry import shared_llm
from copilot.progress import Progress
from copilot.settings import Settings
from copilot.variants import Variant

__all__ = [
    "LLM",
    "BrandContext",
    "GenerateRequest",
    "GenerationResult",
    "Progress",
    "generate",
    "get_llm",
    "model_then_context",
    "scorer",
]

Score = Callable[[list[Variant]], list[Variant]]


class GenerateRequest(BaseModel):
    """What `copilot generate` and the Brief page ask for: a brief, drafts per round, variants."""

    brief: Brief
    n: int | None = Field(default=None, ge=1)
    keep: int | None = Field(default=None, ge=1)
    #: context already retrieved for this brief (the UI keeps one per brief); None: retrieve it
    context: BrandContext | None = None


def get_llm(settings: Settings) -> LLM:
    """The configured model, created once per process per configuration and shared by every
    run; it holds no per-run state (each run counts its own calls, copilot.llm.usage)."""
    return shared_llm(settings)


def scorer(
    brief: Brief, context: BrandContext, settings: Settings, model: LLM | None = None
) -> Score:
    """The evaluators as a batch function for the generators; the judge grades with `model`
    (the run's model) when given."""
    return lambda variants: evaluate_variants(variants, brief, context, settings, model=model)


def model_then_context(
    brief: Brief,
    settings: Settings,
    *,
    llm: LLM | None = None,
    context: BrandContext | None = None,
    progress: Progress | None = None,
    at: float = 0.05,
) -> tuple[LLM, BrandContext]:
    """The model, then the brief's brand context (retrieved unless given); `at` is where the
    retrieval message sits on the progress bar."""
    say = progress or (lambda _m, _f: None)
    # load the model before the embedder runs: once torch's OpenMP pool has started, llama.cpp
    # calls in the same process measured several times slower on a 2-core machine
    say("loading the model", 0.0)
    model = llm or get_llm(settings)
    if context is None:
        say("retrieving brand context", at)
        context = build_context(brief, settings)
    return model, context


def generate(
    request: GenerateRequest,
    settings: Settings,
    *,
    progress: Progress | None = None,
    llm: LLM | None = None,
) -> GenerationResult:
    """Brief in, scored subject/preheader variants out (retrieval, drafting, evaluation)."""
    brief = request.brief
    model, context = model_then_context(
        brief, settings, llm=llm, context=request.context, progress=progress
    )
    result = generate_subjects(
        brief,
        settings,
        llm=model,
        context=context,
        score=scorer(brief, context, settings, model),
        n=request.n,
        keep=request.keep,
        progress=progress,
    )
    note = judge_note(settings)
    if note:
        result.notes.append(note)
    return result
