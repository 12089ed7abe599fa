"""Offer scope: the conditions a source puts on an offer, and copy that says it has none.

An offer in the brand facts often carries conditions in its own sentence or bullet: a minimum
spend ("over $30"), a first order, members only, particular products ("10% off parts"), dates.
Copy may leave a condition out ("Save $5" in a subject line), but must not tie the same offer to
a universal phrase that contradicts one of them ("$5 off any order", "free shipping, no minimum",
"10% off for everyone"). Conditions are read from the offer's own sentence in the source; a
universal phrase in copy scopes the nearest claim in its sentence, unless a clause break sits
between them. The phrases are in data/claims.yaml under `scope`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, model_validator

from copilot.io.loader import load_model
from copilot.text import sentence_at

DATA = Path(__file__).resolve().parent / "data"

#: claims that state an offer and so can carry conditions (money not as a price or threshold)
SCOPED_KINDS = ("money", "percent", "free", "code", "bogo")
#: claims in an offer's sentence that limit it to a date window
WINDOW_KINDS = ("date", "weekday", "time", "deadline")


class UniversalPhrases(BaseModel):
    contradicts: list[str]
    phrases: list[str]


class ScopeVocab(BaseModel):
    labels: dict[str, str]
    conditions: dict[str, list[str]]
    noun_skip: list[str]
    noun_stop: list[str]
    no_product: list[str]
    universal: dict[str, UniversalPhrases]
    audience_denials: list[str]
    open_to_all: list[str]
    not_universal: list[str]
    max_gap: int
    clause_breaks: list[str]

    @model_validator(mode="after")
    def _known_kinds(self) -> ScopeVocab:
        known = set(self.labels)
        named = {f"conditions.{k}": {k} for k in self.conditions}
        named |= {
            f"universal.{k}.contradicts": set(g.contradicts) for k, g in self.universal.items()
        }
        for where, kinds in named.items():
            if kinds - known:
                raise ValueError(
                    f"{where}: unknown condition kind {sorted(kinds - known)}; "
                    f"add it to scope.labels or use one of {sorted(known)}"
                )
        return self


class _ClaimsFile(BaseModel):
    scope: ScopeVocab
    negations: list[str]


@dataclass(frozen=True)
class Condition:
    """A limit a source sentence puts on its offer: kind ("minimum_spend") and words ("$30")."""

    kind: str
    text: str


@dataclass(frozen=True)
class Scope:
    """A universal phrase in copy tied to a claim, and the condition kinds it denies."""

    kind: str
    #: the copy from the claim to the phrase, as written ("$5 off any order")
    text: str
    #: condition kinds the phrase contradicts, less those the copy's sentence states itself
    contradicts: frozenset[str]


class Located(Protocol):
    """What scope needs of a claim (claim.Claim provides it)."""

    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class _Patterns:
    conditions: list[tuple[str, re.Pattern[str]]]
    universal: list[tuple[str, frozenset[str], re.Pattern[str]]]
    not_universal: re.Pattern[str]
    clause_break: re.Pattern[str]
    negated: re.Pattern[str]


@cache
def scope_vocab() -> ScopeVocab:
    """The `scope` section of data/claims.yaml (loaded once)."""
    return load_model(DATA / "claims.yaml", _ClaimsFile).scope


def _phrases(items: list[str]) -> re.Pattern[str]:
    body = "|".join(sorted(set(items), key=len, reverse=True)) or r"(?!x)x"
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)


@cache
def _patterns() -> _Patterns:
    v = scope_vocab()
    negations = "|".join(
        re.escape(n) for n in load_model(DATA / "claims.yaml", _ClaimsFile).negations
    )
    universal = {k: (frozenset(g.contradicts), list(g.phrases)) for k, g in v.universal.items()}
    if "members" in v.conditions and "everyone" in universal:
        # "Spoke Club or not", "subscribers and non-subscribers": any audience, then a denial
        audiences = "|".join(v.conditions["members"])
        denials = "|".join(v.audience_denials)
        universal["everyone"][1].append(rf"(?:{audiences}) (?:{denials})")
    return _Patterns(
        conditions=[(k, _phrases(p)) for k, p in v.conditions.items() if p],
        universal=[(k, denies, _phrases(phrases)) for k, (denies, phrases) in universal.items()],
        not_universal=_phrases(v.not_universal),
        clause_break=re.compile("|".join(v.clause_breaks), re.I),
        # "not valid on all orders", "excluding everything on sale"
        negated=re.compile(rf"(?:^|\W)(?:{negations})(?:\W+\w+){{0,2}}\W*$", re.I),
    )


# an offer's products: "off all loose-leaf tins", "10% discount on parts", "free fit on any bike"
_AFTER_OFFER = re.compile(
    r"\s*(?:(?:off|discount|savings?)\b\s*(?:(?:on|across)\b\s*)?|(?:on|across)\b\s*)"
    r"(?P<np>[^.,;:!?()\n]{1,60})",
    re.I,
)
# the products a free thing comes with: "Every new bike comes with a free fit"
_COMES_WITH = re.compile(
    r"(?P<np>(?:[\w&'-]+\s+){0,3}?[\w&'-]+)\s+(?:comes?|arrives?)\s+with\s+"
    r"(?:(?:a|an|the|its|their|your)\s+)?$",
    re.I,
)
# who or what ships free: "Subscriptions always ship free"
_SHIPS_FREE = re.compile(r"^ships?\b", re.I)
_SUBJECT = re.compile(
    r"(?P<np>(?:[\w&'-]+\s+){0,2}?[\w&'-]+)\s+(?:(?:always|also|now|still|all)\s+)?$", re.I
)


def is_scoped(claim: Located) -> bool:
    """Whether the claim states an offer that conditions can limit."""
    if claim.kind == "money":
        # "your welcome $5 is good on all purchases": an amount with no cue may be the offer
        return claim.role in ("discount", "plain")
    return claim.kind in SCOPED_KINDS


def _noun_phrase(words_text: str) -> str:
    """The product words at the start of a phrase ("any tune-up booked before" -> "tune-up")."""
    v = scope_vocab()
    skip, stop = set(v.noun_skip), set(v.noun_stop)
    kept: list[str] = []
    for raw in words_text.split():
        word = raw.strip("'\"").lower()
        if not kept and (word in skip or not re.search(r"[a-z]", word)):
            continue  # "- Every new bike": a bullet, a determiner
        if word in stop or not re.match(r"^[a-z&][\w&'-]*$", word):
            break
        kept.append(raw)
        if len(kept) == 4:
            break
    while kept and kept[-1].lower() in ("and", "&"):
        kept.pop()
    no_product = set(v.no_product)
    if all(w.lower() in no_product or w.lower() in ("and", "&") for w in kept):
        return ""
    return " ".join(kept)


def _products(text: str, claim: Located, sentence_start: int) -> tuple[str, int]:
    """The products an offer is limited to, and where they are written ("", -1 if none)."""
    found, at = "", -1
    if claim.kind == "code":
        return found, at
    after = _AFTER_OFFER.match(text, claim.end)
    if after:
        found, at = _noun_phrase(after.group("np")), after.start("np")
    elif claim.kind == "free":
        pattern = _SUBJECT if _SHIPS_FREE.match(claim.text) else _COMES_WITH
        m = pattern.search(text, sentence_start, claim.start)
        if m:
            found, at = _noun_phrase(m.group("np")), m.start("np")
    return (found, text.find(found, at)) if found else ("", -1)


@dataclass(frozen=True)
class _Found:
    kind: str
    text: str
    start: int
    end: int


def _sentence_conditions(
    text: str, left: int, right: int, claims: Sequence[Located]
) -> list[_Found]:
    """Every condition stated in text[left:right]: phrases, thresholds, dates, products."""
    sentence = text[left:right]
    found = [
        _Found(kind, m.group(0), left + m.start(), left + m.end())
        for kind, pattern in _patterns().conditions
        for m in pattern.finditer(sentence)
    ]
    for c in claims:
        if not left <= c.start < right:
            continue
        if c.kind == "money" and c.role == "threshold":
            found.append(_Found("minimum_spend", c.text, c.start, c.end))
        elif c.kind in WINDOW_KINDS or (c.kind == "duration" and c.role == "deadline"):
            found.append(_Found("window", c.text, c.start, c.end))
        elif is_scoped(c):
            products, at = _products(text, c, left)
            # "20% off on Saturday": a date is not a product
            later = [d.start for d in claims if at <= d.start < at + len(products) and d is not c]
            products = text[at : min(later)].strip() if later else products
            if products and _noun_phrase(products):
                # a discount is on the products; a free thing comes with buying them
                kind = "with_product" if c.kind == "free" else "product"
                found.append(_Found(kind, products, at, at + len(products)))
    # "Spoke Club members" is one condition, not also "members"
    return [
        f
        for f in found
        if not any(
            g is not f
            and g.kind == f.kind
            and g.start <= f.start
            and f.end <= g.end
            and (g.end - g.start) > (f.end - f.start)
            for g in found
        )
    ]


def _is_condition(claim: Located) -> bool:
    # "on Saturday", "over $50" qualify an offer; a universal phrase never scopes them
    if claim.kind == "money":
        return claim.role == "threshold"
    return claim.kind in WINDOW_KINDS


def _nearest(text: str, start: int, end: int, claims: Sequence[Located]) -> int | None:
    """Index of the claim a universal phrase at text[start:end] scopes, if any."""
    v = scope_vocab()
    left, sentence = sentence_at(text, start, end)
    right = left + len(sentence)
    best: tuple[int, int] | None = None
    for i, c in enumerate(claims):
        if c.end <= left or c.start >= right or _is_condition(c):
            continue
        gap = max(0, start - c.end, c.start - end)
        if best is None or gap < best[0]:
            best = (gap, i)
    if best is None or best[0] > v.max_gap:
        return None
    c = claims[best[1]]
    between = text[min(c.end, end) : max(c.start, start)]
    if _patterns().clause_break.search(between):
        return None
    return best[1]


def annotate(
    text: str, claims: Sequence[Located]
) -> list[tuple[tuple[Condition, ...], tuple[Scope, ...]]]:
    """For each claim: the conditions its sentence states, and the universal phrases scoping it."""
    p = _patterns()
    masked = p.not_universal.sub(lambda m: " " * len(m.group(0)), text)
    phrases: dict[int, list[tuple[str, frozenset[str], int, int]]] = {}
    for kind, denies, pattern in p.universal:
        for m in pattern.finditer(masked):
            if p.negated.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # "not valid on all orders"
            i = _nearest(text, m.start(), m.end(), claims)
            if i is not None and is_scoped(claims[i]):
                phrases.setdefault(i, []).append((kind, denies, m.start(), m.end()))
    out: list[tuple[tuple[Condition, ...], tuple[Scope, ...]]] = []
    for i, claim in enumerate(claims):
        if not is_scoped(claim):
            out.append(((), ()))
            continue
        left, sentence = sentence_at(text, claim.start, claim.end)
        found = _sentence_conditions(text, left, left + len(sentence), claims)
        if claim.kind == "free" and claim.value in scope_vocab().open_to_all:
            found = [f for f in found if f.kind != "members"]
        scopes = []
        for kind, denies, start, end in phrases.get(i, []):
            # a condition the copy states itself is not denied ("every order over $50"), unless
            # it is part of the universal phrase ("members and non-members")
            own = {f.kind for f in found if f.end <= start or f.start >= end}
            span = text[min(start, claim.start) : max(end, claim.end)]
            scopes.append(Scope(kind, span, frozenset(denies - own)))
        conditions = tuple(dict.fromkeys(Condition(f.kind, f.text) for f in found))
        out.append((conditions, tuple(scopes)))
    return out


def contradicted(
    scopes: Sequence[Scope], conditions: Sequence[Condition], stated: Sequence[Scope] = ()
) -> list[Condition]:
    """The source conditions that the copy's universal phrases deny.

    `stated` are the universal phrases of the source's own sentence: a source that says "every
    Saturday" itself is not contradicted by copy saying "every Saturday".
    """
    own = {s.kind for s in stated}
    denied: set[str] = set()
    for s in scopes:
        if s.kind not in own:
            denied |= s.contradicts
    return [c for c in conditions if c.kind in denied]


def explain(
    scopes: Sequence[Scope],
    conditions: Sequence[Condition],
    source: str,
    stated: Sequence[Scope] = (),
) -> str:
    """Why a scoped claim overstates its source, quoting the copy and the source's conditions."""
    labels = scope_vocab().labels
    denied = contradicted(scopes, conditions, stated)
    copy = next(s.text for s in scopes if s.contradicts & {c.kind for c in denied})
    limits = ", ".join(f'{labels[c.kind]} ("{c.text}")' for c in denied)
    return f'"{copy}" overstates the source, which limits it to {limits}: "{source}"'
