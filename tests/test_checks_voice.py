"""Brand-voice score on the real embedding model: on-brand copy scores above off-brand copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.scores.voice import VoiceScore, performer_references, voice_references
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, PastCampaign, parse_voice
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.settings import Settings
from copilot.variants import Variant

VOICE = """# Demo Tea voice

We write like the person behind the tasting-room counter: calm, warm, specific about tea.

## Don't
- Don't say "cheap" or "bargain".

## Vocabulary
- loose-leaf
- steep

## Sample lines
- Kettle Chai is back: cardamom, ginger and cinnamon, blended by hand this week.
- Steep it for four minutes, add a splash of milk, and take a slow morning.
- Our tasting room kettle is always on; come try the spring teas.
"""

BRIEF = Brief.model_validate({"brand": "demo", "goal": "newsletter", "segment": {"name": "all"}})
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def campaign(subject: str, clicks: int) -> PastCampaign:
    return PastCampaign(
        campaign_id=subject[:8], sent_at="2025-01-01", goal="newsletter", segment="all",
        subject=subject, recipients=1000, opens=400, clicks=clicks,
    )  # fmt: skip


def context(
    voice: str = VOICE, campaigns: list[PastCampaign] | None = None, top=None
) -> BrandContext:
    brand = BrandKB(
        name="demo", folder=Path("."), voice=parse_voice(voice), products_text="",
        campaigns=campaigns or [],
    )  # fmt: skip
    return BrandContext(brand=brand, top_performers=top or [])


@pytest.mark.integration
def test_on_brand_scores_above_off_brand() -> None:
    variants = [
        Variant(
            subject="Slow mornings and fresh loose-leaf chai",
            preheader="Steep it with a splash of milk.",
        ),
        Variant(
            subject="Quarterly cloud storage invoice attached", preheader="Your payment is overdue."
        ),
        Variant(subject="Cheap tea bargain, click now", preheader="Best deal ever."),
    ]
    on, off, donts = VoiceScore(SETTINGS).evaluate(variants, BRIEF, context())
    assert on.score > off.score and on.score > donts.score
    assert on.status == "pass" and off.status == "warn"
    assert '"loose-leaf"' in on.message and '"steep"' in on.message
    assert "don'ts" in donts.message and '"Cheap"' in donts.message


@pytest.mark.integration
def test_past_campaigns_stand_in_for_retrieved_top_performers() -> None:
    rows = [campaign("Kettle Chai is back this week", 90), campaign("Unsubscribe confirmation", 1)]
    ctx = context(voice="", campaigns=rows)
    assert performer_references(ctx)[0] == "Kettle Chai is back this week"
    assert voice_references(ctx) == []
    near, far = VoiceScore(SETTINGS).evaluate(
        [
            Variant(subject="Kettle Chai is back in the shop"),
            Variant(subject="Tax filing deadline"),
        ],
        BRIEF,
        ctx,
    )
    assert near.score > far.score


def test_retrieved_top_performers_come_first() -> None:
    item = RetrievedItem(id="c1", kind="campaign", text="Spring teas are here", source="x")
    ctx = context(campaigns=[campaign("Old subject", 50)], top=[item])
    assert performer_references(ctx) == ["Spring teas are here"]


def test_nothing_to_compare_with_is_neutral() -> None:
    result = VoiceScore(SETTINGS).evaluate([Variant(subject="Hello")], BRIEF, context(voice=""))[0]
    assert (result.status, result.score) == ("pass", 0.5)
