"""The fact index: what the allowed sources (the brief's offer, products.md) state, and one
matcher per claim kind that says whether they state a claim of the copy, within its scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from copilot.evaluation.grounding.claim import BOUND_KINDS, Claim
from copilot.evaluation.grounding.extract import extract_claims
from copilot.evaluation.grounding.free import WORD, object_word
from copilot.evaluation.grounding.offer_scope import contradicted, explain
from copilot.evaluation.grounding.patterns import numbers_in
from copilot.evaluation.grounding.vocabulary import vocab
from copilot.text import normalise_quotes, quote

#: kinds whose claims in the sources count as stating a deadline
DEADLINE_KINDS = ("date", "weekday", "time", "deadline")


@dataclass
class Facts:
    """What the allowed sources (brief offer + products.md) state, indexed for matching."""

    claims: list[Claim]
    numbers: set[str]
    tokens: set[str]
    text: str
    by_kind: dict[str, list[Claim]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for c in self.claims:
            self.by_kind.setdefault(c.kind, []).append(c)

    def of(self, kind: str) -> list[Claim]:
        return self.by_kind.get(kind, [])


def facts_from(*texts: str) -> Facts:
    """Index the claims of the allowed source texts (the brief's offer, products.md)."""
    joined = normalise_quotes("\n\n".join(t for t in texts if t))
    tokens = set(re.findall(r"\b[A-Z0-9][A-Z0-9_-]{2,}\b", joined))
    # an amount in the facts with no cue is a price ("Gift cards: $25"), so it cannot ground a
    # threshold or discount in the copy ("free shipping over $25")
    claims = [
        replace(c, role="price") if c.kind == "money" and c.role == "plain" else c
        for c in extract_claims(joined)
    ]
    return Facts(claims=claims, numbers=numbers_in(joined), tokens=tokens, text=joined)


def _role_ok(claim: Claim, source: Claim) -> bool:
    # a claim with a role ("20% off", "ships in 2 days") needs a source with that role
    return claim.role == "plain" or source.role == claim.role


_NAME_WORD = re.compile(r"\b[A-Z][\w'’-]{2,}")


def _names(sentence: str, skip_first: bool = False) -> set[str]:
    words = _NAME_WORD.findall(sentence)
    if skip_first:
        # a source sentence's first word is capitalised anyway ("Every 4 oz tin ...")
        first = re.match(r"[\s\-*+]*([A-Z][\w'’-]{2,})", sentence)
        if first and words and words[0] == first.group(1):
            words = words[1:]
    return set(words)


def _bound_sources(claim: Claim, sources: list[Claim]) -> list[Claim]:
    """The sources a price or size may come from: those beside the product the copy names.

    A capitalised word of the copy's sentence that appears in only one or two source sentences
    of this kind ("Chai" in "Kettle Chai: $16 for a 4 oz tin") names a product; the claim must
    then match a value in those sentences or in a sentence naming no product ("Every 4 oz tin
    steeps 50 cups"), so "Kettle Chai now $12" fails even when another product costs $12.
    Without such a word every source of the kind counts.
    """
    if claim.kind not in BOUND_KINDS or claim.role not in ("plain", "price"):
        return sources
    names = {id(s): _names(s.context, skip_first=True) for s in sources}
    # a sentence's first word names a product when another sentence capitalises it inside
    # ("- Solo £9 a month" beside "(Solo £90 a year)")
    inner = set().union(*names.values())
    for s in sources:
        names[id(s)] |= _names(s.context) & inner
    counts: dict[str, set[str]] = {}
    for s in sources:
        for word in names[id(s)]:
            counts.setdefault(word, set()).add(s.context)
    specific = {w for w, sentences in counts.items() if len(sentences) <= 2}
    named = _names(claim.context) & specific
    if not named:
        return sources
    return [s for s in sources if names[id(s)] & named or not names[id(s)] & specific]


#: the source claims that state the same thing as a copy claim
Finder = Callable[[Claim, Facts], list[Claim]]


def _bound_ok(claim: Claim, source: Claim) -> bool:
    """Whether a source counts what the copy's number counts: the same period ("£90 a year" is
    not "£90 a month") and, for durations, the same object ("a 2 month free trial" is not "2
    months free with yearly billing"; a free period that names nothing is not a free trial).

    A source sentence that names no object and is no free period ("Delivery every 2 or 4 weeks"
    under a Subscription heading) may ground a duration whose copy names one.
    """
    if claim.period and source.period != claim.period:
        return False
    if claim.objects:
        if not source.objects and source.role != "free":
            return True
        return claim.objects[0] in source.objects
    if claim.kind == "duration" and claim.role == "free":
        return not source.objects or source.objects[0] in claim.words
    return True


def _same_value(kind: str) -> Finder:
    def find(claim: Claim, facts: Facts) -> list[Claim]:
        sources = _bound_sources(claim, facts.of(kind))
        return [
            s
            for s in sources
            if s.value == claim.value and _role_ok(claim, s) and _bound_ok(claim, s)
        ]

    return find


def _found(find: Finder) -> Callable[[Claim, Facts], bool]:
    return lambda claim, facts: bool(find(claim, facts))


def _quantity(claim: Claim, facts: Facts) -> bool:
    # "50 Harbor Points" is stated by "50 bonus points"; "100 bonus points" needs "bonus"
    values = {claim.value}
    if claim.value.endswith(" point"):
        values.add(claim.value.replace(" point", " bonus point"))
    sources = _bound_sources(claim, facts.of("quantity"))
    return any(s.value in values and _role_ok(claim, s) for s in sources)


def _date(claim: Claim, facts: Facts) -> bool:
    dates = [s.value for s in facts.of("date")]
    if claim.value.startswith("day "):
        day = int(claim.value.split()[1])
        return any(d[-2:].isdigit() and "-" in d and int(d.split("-")[1]) == day for d in dates)
    if claim.value.startswith("month "):
        month = claim.value.split()[1]
        return any(d == claim.value or (d[:2] == month and "-" in d) for d in dates)
    return claim.value in dates


def _weekday(claim: Claim, facts: Facts) -> bool:
    days = {s.value for s in facts.of("weekday")}
    if claim.value == "weekend":
        return bool(days & {"weekend", "saturday", "sunday"})
    return claim.value in days or (claim.value in ("saturday", "sunday") and "weekend" in days)


def _deadline(claim: Claim, facts: Facts) -> bool:
    if any(facts.of(k) for k in DEADLINE_KINDS):
        return True
    return any(s.role == "deadline" for s in facts.of("duration"))


_SOURCE_SENTENCE = re.compile(r"[.!?;](?=\s|$)|\n")


def _number(claim: Claim, facts: Facts) -> bool:
    if claim.value == "24/7":
        return "24/7" in facts.text
    if claim.words:
        # a counted number word ("two bottle cages") needs a source sentence with the same
        # number and a word of what it counts
        for sentence in _SOURCE_SENTENCE.split(facts.text):
            words = {object_word(w) for w in WORD.findall(sentence)}
            if claim.value in numbers_in(sentence) and claim.words & words:
                return True
        return False
    return claim.value in facts.numbers


def _code_sources(claim: Claim, facts: Facts) -> list[Claim]:
    if claim.value == "*":
        return [s for s in facts.of("code") if s.value != "*"]
    return [s for s in facts.of("code") if s.value == claim.value]


def _code(claim: Claim, facts: Facts) -> bool:
    # a code the sources write without a cue ("WELCOME5: $5 off") is still stated
    return bool(_code_sources(claim, facts)) or claim.value in facts.tokens


def _free_sources(claim: Claim, facts: Facts) -> list[Claim]:
    free = vocab().free
    if claim.value == free.vague:
        return facts.of("free")  # "it's free": any free offer, and the message says so
    matches = []
    for s in facts.of("free"):
        same = claim.value == s.value or claim.value in s.words or s.value in claim.words
        generic = claim.value in free.generic and s.value not in free.services
        if same or generic:
            matches.append(s)
    return matches


def _loyalty(claim: Claim, facts: Facts) -> bool:
    keys = {s.value for s in facts.of("loyalty")}
    if claim.value == "program":
        return bool(keys)
    return claim.value in keys


def _guarantee(claim: Claim, facts: Facts) -> bool:
    keys = {s.value for s in facts.of("guarantee")}
    if claim.value == "risk_free":
        return bool(keys & {"guarantee", "refund", "risk_free"})
    if claim.value == "returns_policy":
        return bool(keys & {"returns_policy", "refund"}) or any(
            s.value == "returns" for s in facts.of("free")
        )
    return claim.value in keys


def _any_of_kind(kind: str) -> Callable[[Claim, Facts], bool]:
    return lambda claim, facts: bool(facts.of(kind))


def _bogo_sources(claim: Claim, facts: Facts) -> list[Claim]:
    return [s for s in facts.of("bogo") if s.value == claim.value]


def _year(claim: Claim, facts: Facts) -> bool:
    return claim.value in facts.numbers


#: for offers (see offer_scope.SCOPED_KINDS): the sources whose conditions copy must respect
SOURCES: dict[str, Finder] = {
    "percent": _same_value("percent"),
    "money": _same_value("money"),
    "free": _free_sources,
    "code": _code_sources,
    "bogo": _bogo_sources,
}

MATCHERS: dict[str, Callable[[Claim, Facts], bool]] = {
    "percent": _found(SOURCES["percent"]),
    "money": _found(SOURCES["money"]),
    "duration": _found(_same_value("duration")),
    "quantity": _quantity,
    "time": _found(_same_value("time")),
    "multiplier": _found(_same_value("multiplier")),
    "stock": _found(_same_value("stock")),
    "accolade": _found(_same_value("accolade")),
    "date": _date,
    "weekday": _weekday,
    "deadline": _deadline,
    "number": _number,
    "year": _year,
    "code": _code,
    "free": _found(SOURCES["free"]),
    "loyalty": _loyalty,
    "guarantee": _guarantee,
    "scarcity": _any_of_kind("scarcity"),
    "bogo": _found(SOURCES["bogo"]),
    "promise": _found(_same_value("promise")),
}


def _source_sentence(claim: Claim) -> str:
    return quote(claim.context.strip().lstrip("-*•+ "), 90)[1:-1]


def problem(claim: Claim, facts: Facts) -> str | None:
    """What is wrong with a claim given the sources (None when they ground it), for messages.

    Either the sources do not state it, or they state it with a condition that a universal
    phrase tied to it in the copy contradicts ("$5 off any order" against "$5 off a first
    order of $30 or more").
    """
    if not MATCHERS[claim.kind](claim, facts):
        if claim.kind == "free" and claim.value == vocab().free.vague:
            return f"{claim.describe()}, and the sources state nothing free"
        return claim.describe()
    if not claim.scope:
        return None
    sources = SOURCES[claim.kind](claim, facts)
    if not sources or any(not contradicted(claim.scope, s.conditions, s.scope) for s in sources):
        return None
    # quote the source most like the copy: the one sharing most of the copy's own conditions
    own = {c.kind for c in claim.conditions}
    first = max(sources, key=lambda s: len(own & {c.kind for c in s.conditions}))
    why = explain(claim.scope, first.conditions, _source_sentence(first), first.scope)
    return f"{claim.describe()}; {why}"


def is_grounded(claim: Claim, facts: Facts) -> bool:
    """Whether the sources state the claim: same kind and value (and role), within its scope."""
    return problem(claim, facts) is None


def vague_basis(claim: Claim, facts: Facts) -> str | None:
    """For a grounded free claim that names nothing ("it's free"): the free offer it rests on."""
    if claim.kind != "free" or claim.value != vocab().free.vague:
        return None
    offers = SOURCES["free"](claim, facts)
    usable = [s for s in offers if not contradicted(claim.scope, s.conditions, s.scope)]
    return usable[0].text if usable else None
