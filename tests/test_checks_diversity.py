"""Diversity within a set on the real embedding model: near-duplicates are flagged by index."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.scores.diversity import DiversityScore
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import Variant

BRIEF = Brief.model_validate({"brand": "demo", "goal": "newsletter", "segment": {"name": "all"}})
CONTEXT = BrandContext(
    brand=BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text="")
)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.integration
def test_near_duplicates_are_flagged_with_the_other_index() -> None:
    variants = [
        Variant(
            subject="Kettle Chai is back",
            preheader="Cardamom and ginger, blended this week.",
            angle="product",
        ),
        Variant(
            subject="A slow Sunday with a pot of tea",
            preheader="Our tasting room kettle is on.",
            angle="story",
        ),
        Variant(
            subject="Kettle Chai is back!",
            preheader="Cardamom and ginger, blended this week.",
            angle="product",
        ),
    ]
    first, second, third = DiversityScore(SETTINGS).evaluate(variants, BRIEF, CONTEXT)
    assert first.status == "warn" and "near-duplicate of variant 3" in first.message
    assert third.status == "warn" and "near-duplicate of variant 1" in third.message
    assert second.status == "pass"
    assert second.score > first.score


@pytest.mark.integration
def test_threshold_comes_from_settings() -> None:
    variants = [
        Variant(subject="Kettle Chai is back"),
        Variant(subject="Kettle Chai is back again"),
    ]
    strict = Settings(near_duplicate_threshold=0.5, _env_file=None)  # type: ignore[call-arg]
    lax = Settings(near_duplicate_threshold=0.999, _env_file=None)  # type: ignore[call-arg]
    assert DiversityScore(strict).evaluate(variants, BRIEF, CONTEXT)[0].status == "warn"
    assert DiversityScore(lax).evaluate(variants, BRIEF, CONTEXT)[0].status == "pass"


@pytest.mark.integration
def test_shared_angles_lower_the_score() -> None:
    texts = [
        "Kettle Chai is back",
        "A slow Sunday with tea",
        "Free shipping this month on every tin",
    ]
    same = [Variant(subject=t, angle="offer") for t in texts]
    different = [
        Variant(subject=t, angle=a)
        for t, a in zip(texts, ["product", "story", "offer"], strict=True)
    ]
    scorer = DiversityScore(SETTINGS)
    same_scores = [r.score for r in scorer.evaluate(same, BRIEF, CONTEXT)]
    diff_scores = [r.score for r in scorer.evaluate(different, BRIEF, CONTEXT)]
    assert all(s < d for s, d in zip(same_scores, diff_scores, strict=True))
    assert (
        "shares the angle 'offer' with 2 other(s)"
        in scorer.evaluate(same, BRIEF, CONTEXT)[0].message
    )


def test_single_variant_is_diverse() -> None:
    result = DiversityScore(SETTINGS).evaluate([Variant(subject="Hello")], BRIEF, CONTEXT)[0]
    assert (result.status, result.score) == ("pass", 1.0)
