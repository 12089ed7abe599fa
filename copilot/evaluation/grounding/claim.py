"""A claim (a span of copy with a kind, a normalised value and, for some, a role) and the
scanner that collects claims over one text without letting two share characters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from copilot.evaluation.grounding.offer_scope import Condition, Scope
from copilot.evaluation.grounding.patterns import patterns
from copilot.evaluation.grounding.vocabulary import vocab

#: kinds whose value belongs to the product named in the same sentence
BOUND_KINDS = ("money", "quantity")


@dataclass(frozen=True)
class Claim:
    """One factual claim found in text."""

    kind: str
    value: str
    text: str
    start: int
    end: int
    role: str = "plain"
    #: free claims: the words of the free thing ("bike", "fit"); number words: what they count
    #: ("bottle", "cage"); a preheader's free period: the object classes of its subject line
    words: frozenset[str] = frozenset()
    #: the sentence the claim is in (ties a price to the product named beside it, and names
    #: the conditions of an offer in messages)
    context: str = ""
    #: offers: the conditions their sentence states ("over $30", "members"); see offer_scope
    conditions: tuple[Condition, ...] = ()
    #: offers in copy: universal phrases tied to them ("any order", "for everyone")
    scope: tuple[Scope, ...] = ()
    #: money: the period an amount is stated per ("month" in "£9 a month"); else empty
    period: str = ""
    #: durations: what they count, the object classes of their sentence in order of precedence
    #: ("trial" in "a 30-day free trial"); see `duration_objects` in data/claims.yaml
    objects: tuple[str, ...] = ()

    def describe(self) -> str:
        """What the claim says, in a few words, for messages."""
        role = "" if self.role == "plain" else f"{self.role} "
        per = f" a {self.period}" if self.period else ""
        counts = f" ({self.objects[0]})" if self.objects else ""
        labels = {
            "percent": f"{role}{self.value}%",
            "money": f"{role}{self.value}{per}",
            "code": "a promo code" if self.value == "*" else f"code {self.value}",
            "date": f"date {self.value}",
            "weekday": f"day {self.value}",
            "time": f"time {self.value}",
            "deadline": "a deadline",
            "duration": f"{role}duration {self.value}{counts}",
            "quantity": f"quantity {self.value}",
            "number": f"number {self.value}",
            "year": f"year {self.value}",
            "free": (
                "a free claim that does not say what is free"
                if self.value == vocab().free.vague
                else f"free {self.value}"
            ),
            "loyalty": f"loyalty promise ({self.value.replace('_', ' ')})",
            "multiplier": f"{self.value}x multiplier",
            "guarantee": f"guarantee ({self.value.replace('_', ' ')})",
            "scarcity": "scarcity",
            "stock": f"stock count {self.value}",
            "bogo": "buy-one-get-one offer",
            "accolade": f"accolade ({self.value})",
            "promise": f"promise ({self.value.replace('_', ' ')})",
        }
        return labels.get(self.kind, f"{self.kind} {self.value}")


class Scanner:
    """Collects claims over one text, never letting two claims share characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = bytearray(len(text))
        self.claims: list[Claim] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def add(self, claim: Claim) -> None:
        self.claims.append(claim)
        self.take(claim.start, claim.end)

    def spans(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for m in pattern.finditer(self.text):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                yield m

    def negated(self, start: int) -> bool:
        return bool(patterns().negation.search(self.text[max(0, start - 40) : start]))
