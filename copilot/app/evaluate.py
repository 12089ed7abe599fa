"""`evaluate`: variants someone already has (a CSV, or `copilot generate --json`) scored and
checked against a brief: hard checks, brand voice, diversity, predicted performance and, when
asked for, an LLM judge's rubric."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from copilot.errors import KnowledgeBaseError
from copilot.evaluation.scores.judge import judge_note
from copilot.evaluation.scoring import evaluate_variants
from copilot.io.brief import Brief
from copilot.io.variant_files import read_variants_csv
from copilot.knowledge.brand import brand_folder, load_brand
from copilot.knowledge.context import BrandContext
from copilot.knowledge.retrieve import retrieve
from copilot.planning.select import load_variants
from copilot.settings import Settings
from copilot.variants import Variant

__all__ = ["EvaluateRequest", "EvaluateResult", "evaluate", "read_variants"]


class EvaluateRequest(BaseModel):
    """The brief and the variants to score, in the order given."""

    brief: Brief
    variants: list[Variant]


class EvaluateResult(BaseModel):
    """The variants scored and checked, in input order, and what to tell the user."""

    variants: list[Variant]
    notes: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
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
                for v in self.variants
            ]
        }


def read_variants(path: Path) -> list[Variant]:
    """Variants from a .csv file, or from the JSON `copilot generate --json` prints."""
    if path.suffix.lower() == ".csv":
        return read_variants_csv(path)
    return load_variants(path)


def _brand_context(brief: Brief, settings: Settings, say: Callable[[str], None]) -> BrandContext:
    """The brand and its retrieved context; without an ingested store, the brand folder alone."""
    kb = load_brand(brand_folder(settings.kb_dir, brief.brand))
    try:
        return retrieve(brief, kb, settings)
    except KnowledgeBaseError as exc:  # the brand is not in the vector store yet
        say(f"{exc}; comparing voice with the brand folder only")
        return BrandContext(brand=kb)


def evaluate(
    request: EvaluateRequest,
    settings: Settings,
    *,
    notify: Callable[[str], None] | None = None,
) -> EvaluateResult:
    """Score and check the variants; each note is also passed to `notify` when it arises."""
    notes: list[str] = []

    def say(note: str) -> None:
        notes.append(note)
        if notify is not None:
            notify(note)

    # before retrieval: a judge's model loads before the embedder starts torch's thread pool
    # (the order copilot.app.generate.model_then_context keeps for the drafting model)
    note = judge_note(settings)
    if note:
        say(note)
    context = _brand_context(request.brief, settings, say)
    scored = evaluate_variants(request.variants, request.brief, context, settings)
    return EvaluateResult(variants=scored, notes=notes)
