"""The `relevance` score: does the variant talk about what the brief is about?

A variant can pass every check, sound like the brand and still say nothing about the campaign
("I'm not getting it anymore." for a tune-up offer). This score compares the subject line and the
preheader (sentence embeddings) with the brief's topics: a line describing its goal (from
data/goal_topics.yaml), its offer, its call to action and its segment description, and keeps the
closest topic for each. The subject weighs more, as it is what the inbox shows first.

Calibration (all-MiniLM-L6-v2): against the seven example briefs, the sample brand's past emails
of the same goal score 0.27 (10th percentile) to 0.65 (90th), those of other goals 0.17 to 0.45;
on-topic drafts for an unseen bike-shop brief 0.52-0.64, an off-topic one 0.26. So 0.15-0.60 is
stretched to 0-1, and below 0.2 (similarity under 0.24) warns.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import RootModel

from copilot.errors import ConfigError
from copilot.evaluation.base import register
from copilot.evaluation.vectors import encode, encode_references
from copilot.io.brief import Brief, Goal
from copilot.io.loader import load_model, shown
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.text import quote
from copilot.variants import CheckResult, Status, Variant

TOPICS_FILE = Path(__file__).parent / "data" / "goal_topics.yaml"
SUBJECT_WEIGHT = 0.6
SIM_LOW = 0.15
SIM_HIGH = 0.60
WARN_BELOW = 0.2


class GoalTopics(RootModel[dict[str, str]]):
    """data/goal_topics.yaml: goal -> the line of text that says what its emails are about."""


@cache
def goal_topics() -> dict[str, str]:
    """The goal -> topic line mapping from data/goal_topics.yaml, one line for every goal."""
    topics = load_model(TOPICS_FILE, GoalTopics).root
    missing = [g.value for g in Goal if g.value not in topics]
    if missing:
        raise ConfigError(f"{shown(TOPICS_FILE)}: no topic line for goal(s) {', '.join(missing)}")
    return dict(topics)


def brief_topics(brief: Brief) -> list[tuple[str, str]]:
    """(label, text) of what the brief is about: goal, offer, call to action, segment."""
    topics = [("goal", goal_topics()[brief.goal.value])]
    if brief.offer:
        topics.append(("offer", brief.offer))
    if brief.cta:
        topics.append(("call to action", brief.cta))
    if brief.segment.description:
        topics.append(("segment", brief.segment.description))
    return topics


def _stretch(sim: np.ndarray) -> np.ndarray:
    return np.clip((sim - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0.0, 1.0)


@register("relevance")
class RelevanceScore:
    """Similarity of the subject and preheader to the brief's goal, offer, CTA and segment."""

    name = "relevance"
    hard = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.embedding_model

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; subjects, preheaders and topics are encoded in batches."""
        if not variants:
            return []
        topics = brief_topics(brief)
        refs = encode_references(self.model, [text for _, text in topics])
        subject_sims = encode(self.model, [v.subject for v in variants]) @ refs.T
        has_pre = [bool(v.preheader.strip()) for v in variants]
        pre_sims = np.zeros_like(subject_sims)
        if any(has_pre):
            texts = [
                v.preheader if ok else v.subject for v, ok in zip(variants, has_pre, strict=True)
            ]
            pre_sims = encode(self.model, texts) @ refs.T
        results = []
        for i, variant in enumerate(variants):
            s_best = float(subject_sims[i].max())
            sim = s_best
            if has_pre[i]:
                sim = SUBJECT_WEIGHT * s_best + (1 - SUBJECT_WEIGHT) * float(pre_sims[i].max())
            score = float(_stretch(np.asarray(sim)))
            label = topics[int(subject_sims[i].argmax())][0]
            message = (
                f"relevance {score:.2f} (similarity {sim:.2f}); the subject is closest to the "
                f"brief's {label} ({s_best:.2f})"
            )
            status: Status = "pass"
            if score < WARN_BELOW:
                status = "warn"
                message += (
                    f"; {quote(variant.subject, 60)} says little about the brief's goal, offer or "
                    "call to action"
                )
            results.append(
                CheckResult(name=self.name, status=status, score=round(score, 3), message=message)
            )
        return results
