"""Relevance to the brief on the real embedding model: on-topic copy scores above off-topic copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.scores.relevance import RelevanceScore, brief_topics, goal_topics
from copilot.evaluation.scoring import evaluate_variants
from copilot.io.brief import Brief, Goal
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import Variant

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
BRIEF = Brief.model_validate(
    {
        "brand": "demo",
        "goal": "promotion",
        "segment": {"name": "riders", "description": "Customers who bought a bike from us"},
        "offer": "SPRING20: 20% off any tune-up booked April 1 to April 30, 2027",
        "cta": "Book a tune-up",
    }
)
CONTEXT = BrandContext(
    brand=BrandKB(name="demo", folder=Path("."), voice=parse_voice("# Voice\n"), products_text="")
)


def score(subject: str, preheader: str = "", brief: Brief = BRIEF) -> tuple[float, str, str]:
    [result] = RelevanceScore(SETTINGS).evaluate(
        [Variant(subject=subject, preheader=preheader)], brief, CONTEXT
    )
    return result.score, result.status, result.message


def test_every_goal_has_a_topic_line() -> None:
    assert set(goal_topics()) >= {g.value for g in Goal}
    labels = [label for label, _ in brief_topics(BRIEF)]
    assert labels == ["goal", "offer", "call to action", "segment"]


def test_on_topic_copy_outscores_off_topic_copy() -> None:
    on, on_status, on_message = score(
        "20% off your spring tune-up", "Book by April 30 with code SPRING20."
    )
    off, off_status, off_message = score(
        "I'm not getting it anymore.", "We have a new ride from your friend."
    )
    assert on > 0.6 and on_status == "pass"
    assert "offer" in on_message
    assert off < on - 0.3
    assert off_status == "warn" and "says little about the brief" in off_message


def test_the_subject_counts_more_than_the_preheader() -> None:
    subject_on, _, _ = score("Your spring tune-up, 20% off", "A note from the shop.")
    preheader_on, _, _ = score("A note from the shop", "Your spring tune-up, 20% off.")
    assert subject_on > preheader_on


@pytest.mark.parametrize(
    ("goal", "on_topic", "off_topic"),
    [
        ("abandoned_cart", "Your cart is still waiting for you", "Our founders' story"),
        ("birthday", "Happy birthday from all of us", "Your cart is still waiting for you"),
        ("welcome", "Welcome aboard: here is how to get started", "Last chance: sale ends tonight"),
    ],
)
def test_the_goal_alone_separates_topics(goal: str, on_topic: str, off_topic: str) -> None:
    brief = Brief.model_validate({"brand": "demo", "goal": goal, "segment": {"name": "all"}})
    assert score(on_topic, brief=brief)[0] > score(off_topic, brief=brief)[0]


def test_relevance_is_a_weighted_part_of_the_combined_score() -> None:
    variants = [
        Variant(subject="20% off your spring tune-up", preheader="Book by April 30 with SPRING20."),
        Variant(subject="I'm not getting it anymore.", preheader="A note from the shop."),
    ]
    scored = evaluate_variants(variants, BRIEF, CONTEXT, SETTINGS, ["relevance", "spam"])
    assert all(any(c.name == "relevance" for c in v.checks) for v in scored)
    assert scored[0].score is not None and scored[1].score is not None
    assert scored[0].score > scored[1].score
