"""End-to-end use cases shared by the CLI and the UI: one call each, no presentation."""

from __future__ import annotations

from collections.abc import Callable

from copilot.evaluation.scores.judge import judge_note
from copilot.generation.subjects.generator import GenerationResult, Progress, generate_subjects
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.knowledge.retrieve import build_context
from copilot.llm.base import LLM, UsageRecord
from copilot.llm.registry import shared_llm
from copilot.settings import Settings
from copilot.variants import Variant


def get_llm(settings: Settings) -> LLM:
    """The configured model, created once per process per configuration; usage is per run."""
    llm = shared_llm(settings)
    llm.usage = UsageRecord()
    return llm


def scorer(
    brief: Brief, context: BrandContext, settings: Settings
) -> Callable[[list[Variant]], list[Variant]]:
    """The evaluators as a batch function for the generator."""
    from copilot.evaluation.scoring import evaluate_variants

    return lambda variants: evaluate_variants(variants, brief, context, settings)


def generate(
    brief: Brief,
    settings: Settings,
    *,
    n: int | None = None,
    keep: int | None = None,
    progress: Progress | None = None,
    llm: LLM | None = None,
) -> GenerationResult:
    """Brief in, scored subject/preheader variants out (retrieval, drafting, evaluation)."""
    say = progress or (lambda _m, _f: None)
    # load the model before the embedder runs: once torch's OpenMP pool has started, llama.cpp
    # calls in the same process measured several times slower on a 2-core machine
    say("loading the model", 0.0)
    model = llm or get_llm(settings)
    say("retrieving brand context", 0.05)
    context = build_context(brief, settings)
    result = generate_subjects(
        brief,
        settings,
        llm=model,
        context=context,
        score=scorer(brief, context, settings),
        n=n,
        keep=keep,
        progress=progress,
    )
    note = judge_note(settings)
    if note:
        result.notes.append(note)
    return result
