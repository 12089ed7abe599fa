"""Copy angles: the named approach a subject line takes, and a light classifier for past lines."""

from __future__ import annotations

import re

ANGLES = [
    "benefit",
    "curiosity",
    "urgency",
    "personalization",
    "question",
    "social_proof",
    "story",
    "how_to",
]

_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "personalization",
        re.compile(r"\*\|[A-Z0-9_]+(?::[^|]*)?\|\*|\{\{\s*contact\.|\[[A-Z0-9_]+\]"),
    ),
    ("question", re.compile(r"\?")),
    (
        "urgency",
        re.compile(
            r"\b(last chance|ends|ending|tonight|today only|hours? left|final|before)\b", re.I
        ),
    ),
    (
        "social_proof",
        re.compile(
            r"\b(customers?|people|everyone|favou?rite|best.?sell\w*|reviews?|loved|regulars)\b",
            re.I,
        ),
    ),
    ("how_to", re.compile(r"\b(how to|guide|tips?|steps?|brew better)\b", re.I)),
    ("story", re.compile(r"\b(story|behind|meet|from the farm|our roaster)\b", re.I)),
    ("benefit", re.compile(r"\b(free|save|off|fresh|your|get)\b|%|\$", re.I)),
]


def infer_angle(subject: str) -> str:
    """Best-guess angle of an existing subject line (used to label few-shot examples)."""
    for angle, pattern in _RULES:
        if pattern.search(subject):
            return angle
    return "curiosity"


def plan_angles(n: int, personalization_available: bool) -> list[str]:
    """N angles cycling through the list, skipping personalization when no fields are available."""
    usable = [a for a in ANGLES if personalization_available or a != "personalization"]
    return [usable[i % len(usable)] for i in range(n)]
