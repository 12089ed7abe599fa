"""The `voice` score: how much a variant sounds like the brand.

Similarity (sentence embeddings) to the voice guide's sample lines and to the brand's top
performers (retrieved ones, or the best click-rate rows of past_campaigns.csv when retrieval gave
none), plus a small bonus for the brand's own vocabulary and a penalty for its don'ts.
Calibration (all-MiniLM-L6-v2, the sample brand): its 80 past variants have a mean top-3
similarity of 0.22 (5th percentile) to 0.52 (75th) against these references, unrelated marketing
lines 0.12-0.27; so 0.15-0.55 is stretched to 0-1, and below 0.3 (about the 10th percentile of
the brand's own copy) warns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from copilot.evaluation.base import register
from copilot.evaluation.checks.spam import brand_rules
from copilot.evaluation.vectors import encode, encode_references, variant_text
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.text import normalise_quotes, quote
from copilot.variants import CheckResult, Status, Variant

SIM_LOW = 0.15
SIM_HIGH = 0.55
TOP_K = 3
VOCAB_BONUS = 0.05
VOCAB_BONUS_MAX = 0.15
DONT_PENALTY = 0.25
WARN_BELOW = 0.3
TOP_CAMPAIGNS = 8
MAX_GUIDE_LINES = 30


def voice_references(context: BrandContext) -> list[str]:
    """Lines that show the voice: sample lines, else the guide's prose sentences."""
    voice = context.brand.voice
    if voice.sample_lines:
        return list(voice.sample_lines)
    lines = []
    for line in voice.text.splitlines():
        line = line.strip(" -*>\t")
        if len(line) > 20 and not line.startswith("#"):
            lines.append(line)
    return lines[:MAX_GUIDE_LINES]


def performer_references(context: BrandContext) -> list[str]:
    """Texts of the brand's best past variants: retrieved top performers, else best click rates."""
    if context.top_performers:
        return [item.text for item in context.top_performers if item.text.strip()]
    rows = sorted(context.brand.campaigns, key=lambda c: c.click_rate, reverse=True)
    out = []
    for row in rows[:TOP_CAMPAIGNS]:
        out.append(f"{row.subject}. {row.preheader}" if row.preheader else row.subject)
    return out


def _stretch(sim: float) -> float:
    return float(np.clip((sim - SIM_LOW) / (SIM_HIGH - SIM_LOW), 0.0, 1.0))


def _top_mean(sims: np.ndarray) -> np.ndarray:
    k = min(TOP_K, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


class VoiceScore:
    """Similarity to the voice guide and top performers, vocabulary and don'ts."""

    name = "voice"
    hard = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.embedding_model

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; texts and references are encoded in batches."""
        voice_refs = voice_references(context)
        perf_refs = performer_references(context)
        if not variants:
            return []
        if not voice_refs and not perf_refs:
            return [
                CheckResult(
                    name=self.name,
                    status="pass",
                    score=0.5,
                    message="no voice guide or past campaigns to compare with",
                )
                for _ in variants
            ]
        texts = [variant_text(v) for v in variants]
        vecs = encode(self.model, texts)
        parts: list[np.ndarray] = []
        closest: list[list[str]] = [[] for _ in variants]
        for refs in (voice_refs, perf_refs):
            if not refs:
                continue
            sims = vecs @ encode_references(self.model, refs).T
            parts.append(_top_mean(sims))
            best = sims.argmax(axis=1)
            for i, j in enumerate(best):
                closest[i].append(f"{quote(refs[j], 50)} ({sims[i, j]:.2f})")
        similarity = np.mean(parts, axis=0)
        vocab = [normalise_quotes(w).lower() for w in context.brand.voice.vocabulary if w.strip()]
        rules = brand_rules(context.brand.voice)
        donts = rules.pattern()
        results = []
        for i, text in enumerate(texts):
            lowered = normalise_quotes(text).lower()
            used = [w for w in vocab if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered)]
            broken = [m.group(0) for m in donts.finditer(text)] if donts else []
            score = _stretch(float(similarity[i]))
            score += min(VOCAB_BONUS_MAX, VOCAB_BONUS * len(used))
            score -= DONT_PENALTY * len(broken)
            score = float(np.clip(score, 0.0, 1.0))
            bits = [
                f"voice fit {score:.2f} (similarity {similarity[i]:.2f}); closest: {closest[i][0]}"
            ]
            if used:
                bits.append("brand words: " + ", ".join(quote(w) for w in used))
            if broken:
                bits.append("uses the brand's don'ts: " + ", ".join(quote(w) for w in broken))
            status: Status = "warn" if score < WARN_BELOW else "pass"
            results.append(
                CheckResult(
                    name=self.name, status=status, score=round(score, 3), message="; ".join(bits)
                )
            )
        return results


@register("voice")
def _factory(settings: Settings) -> Any:
    return VoiceScore(settings)
