"""The `subject_length` and `preheader` checks: what the inbox preview will actually show.

Lengths are measured on the text as displayed: a merge tag counts as its inline default (Brevo's
`default` filter) or else as a four-letter sample name, never as its code. Limits (from the
issue): subject preview is about 35 characters on mobile and 60 on desktop; a subject warns past
50 and fails past 90 or when empty. A preheader passes at 40-130 characters; 1-39 warns (it
works, but the client fills the rest of the preview with body text); empty fails (the client
shows the body's first line, often "View in browser"); over 130 fails (most clients cut at
85-110, so the end is never read and the copy should be tightened). A preheader that repeats the
subject fails: it wastes the preview.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from copilot.evaluation.base import register
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import display_text
from copilot.settings import Settings
from copilot.text import quote
from copilot.variants import CheckResult, Variant

MOBILE_PREVIEW = 35
DESKTOP_PREVIEW = 60
SUBJECT_WARN = 50
SUBJECT_FAIL = 90
PREHEADER_MIN = 40
PREHEADER_MAX = 130
#: difflib ratio at which a preheader counts as a near-repeat of the subject
NEAR_REPEAT_RATIO = 0.85
#: share of the preheader's words already in the subject at which it warns
OVERLAP_WARN = 0.6


def _shown(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width].rstrip() + "…"


class SubjectLengthCheck:
    """Subject length against mobile/desktop previews."""

    name = "subject_length"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant."""
        return [self._one(v.subject) for v in variants]

    def _one(self, subject: str) -> CheckResult:
        text = display_text(subject)
        n = len(text)
        if n == 0:
            return CheckResult(name=self.name, status="fail", score=0.0, message="subject is empty")
        mobile = f"mobile shows {quote(_shown(text, MOBILE_PREVIEW), 80)}"
        if n > SUBJECT_FAIL:
            return CheckResult(
                name=self.name,
                status="fail",
                score=0.0,
                message=f"subject is {n} characters (fails past {SUBJECT_FAIL}); desktop shows "
                f"{quote(_shown(text, DESKTOP_PREVIEW), 80)}",
            )
        if n > SUBJECT_WARN:
            score = 0.7 - 0.3 * (n - SUBJECT_WARN) / (SUBJECT_FAIL - SUBJECT_WARN)
            return CheckResult(
                name=self.name,
                status="warn",
                score=round(score, 3),
                message=f"subject is {n} characters (warns past {SUBJECT_WARN}); {mobile}",
            )
        if n > MOBILE_PREVIEW:
            return CheckResult(
                name=self.name,
                status="pass",
                score=0.9,
                message=f"subject is {n} characters; {mobile}",
            )
        return CheckResult(
            name=self.name,
            status="pass",
            score=1.0,
            message=f"subject is {n} characters; fits the mobile preview",
        )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def repeat_problem(subject: str, preheader: str) -> tuple[str, str] | None:
    """(status, message) when the preheader repeats or mostly repeats the subject."""
    s_words, p_words = _words(display_text(subject)), _words(display_text(preheader))
    if not s_words or not p_words:
        return None
    s, p = " ".join(s_words), " ".join(p_words)
    if s == p:
        return "fail", "preheader repeats the subject"
    shorter, longer = (s, p) if len(s) <= len(p) else (p, s)
    if len(shorter.split()) >= 3 and f" {shorter} " in f" {longer} ":
        return "fail", f"preheader repeats the subject's words {quote(shorter)}"
    ratio = SequenceMatcher(None, s, p).ratio()
    if ratio >= NEAR_REPEAT_RATIO:
        return "fail", f"preheader is a near-repeat of the subject (similarity {ratio:.2f})"
    overlap = sum(1 for w in p_words if w in set(s_words)) / len(p_words)
    if overlap >= OVERLAP_WARN and len(p_words) >= 3:
        return "warn", f"{overlap:.0%} of the preheader's words are already in the subject"
    return None


class PreheaderCheck:
    """Preheader length (40-130) and not a repeat of the subject."""

    name = "preheader"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant."""
        return [self._one(v) for v in variants]

    def _one(self, variant: Variant) -> CheckResult:
        text = display_text(variant.preheader)
        n = len(text)
        fails: list[str] = []
        warns: list[str] = []
        if n == 0:
            fails.append("preheader is empty; the inbox will show the body's first line instead")
        elif n > PREHEADER_MAX:
            fails.append(
                f"preheader is {n} characters (over {PREHEADER_MAX}); it ends "
                f"{quote('…' + text[-40:], 60)} and that part is never shown"
            )
        elif n < PREHEADER_MIN:
            warns.append(
                f"preheader is {n} characters (under {PREHEADER_MIN}): {quote(text)}; "
                "the inbox fills the rest with body text"
            )
        if n:
            problem = repeat_problem(variant.subject, variant.preheader)
            if problem is not None:
                (fails if problem[0] == "fail" else warns).append(problem[1])
        if fails:
            return CheckResult(
                name=self.name, status="fail", score=0.0, message="; ".join(fails + warns)
            )
        if warns:
            return CheckResult(name=self.name, status="warn", score=0.6, message="; ".join(warns))
        return CheckResult(
            name=self.name,
            status="pass",
            score=1.0,
            message=f"preheader is {n} characters and adds to the subject",
        )


@register("subject_length")
def _subject_factory(settings: Settings) -> Any:
    return SubjectLengthCheck(settings)


@register("preheader")
def _preheader_factory(settings: Settings) -> Any:
    return PreheaderCheck(settings)
