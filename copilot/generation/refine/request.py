"""A marketer's refinement request read as an instruction: "shorter", "more playful", "add
urgency", "write three more like #2". The rules are data (`data/refine_rules.yaml`); the instruction
says which variants to rewrite or add, the angle, a length label and a length limit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from copilot.errors import ConfigError, CopilotError
from copilot.generation.angles import ANGLES
from copilot.io.loader import load_model, shown
from copilot.llm.base import PromptStyle
from copilot.platforms.tags import display_text
from copilot.variants import Variant

RULES_FILE = Path(__file__).parent / "data" / "refine_rules.yaml"
Mode = Literal["rewrite", "more"]

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple": 2,
    "a couple of": 2,
    "a few": 3,
    "some": 3,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_NUMBER_WORDS = "|".join(sorted(_NUMBERS, key=len, reverse=True))
_ORDINAL_WORDS = "|".join(_ORDINALS)
_REF = re.compile(
    r"#\s*(\d+)|\b(?:variant|number|no\.|option|version|subject|line)\s*#?\s*(\d+)\b", re.I
)
_ORDINAL_REF = re.compile(
    rf"\b(?:the\s+)?({_ORDINAL_WORDS})\s+(?:one|variant|option|version|subject|line)\b"
    rf"|\bthe\s+({_ORDINAL_WORDS})\b",
    re.I,
)
_COUNT = re.compile(
    rf"(?<![#\w])(\d+|{_NUMBER_WORDS})\s+(?:more|new|other|additional|extra|fresh|variants?|versions?"
    r"|options?|ideas?|subject lines?|alternatives)\b",
    re.I,
)


class RefineError(CopilotError):
    """A refinement request cannot be applied as asked (no variants, unknown number, unclear)."""


class RefineRule(BaseModel):
    name: str
    patterns: list[str] = Field(min_length=1)
    angles: list[str] = Field(default_factory=list)
    tone: str | None = None
    length: Literal["shorter", "longer"] | None = None
    mode: Mode | None = None
    #: a regular expression a new subject (as written, tags included) must match to honour the
    #: rule, and what it checks in plain words ("ask a question")
    signal: str | None = None
    signal_says: str = ""


class LengthRules(BaseModel):
    short_max: int
    medium_max: int
    shorter_ratio: float = Field(gt=0.0, lt=1.0)
    shorter_floor: int
    shorter_ceiling: int
    longer_step: int
    longer_ceiling: int


class RefineRules(BaseModel):
    length: LengthRules
    #: a rewrite may score at most this many points (0-100) below the line it replaces
    max_score_drop: float = Field(default=0.0, ge=0.0)
    default_more: int = Field(default=3, ge=1)
    max_more: int = Field(default=8, ge=1)
    rules: list[RefineRule]


@cache
def refine_rules(path: Path = RULES_FILE) -> RefineRules:
    """The request rules from the data file, validated (known angles, compilable patterns)."""
    rules = load_model(path, RefineRules)
    for rule in rules.rules:
        unknown = [a for a in rule.angles if a not in ANGLES]
        if unknown:
            raise ConfigError(
                f"{shown(path)} rule {rule.name!r}: unknown angle(s) {', '.join(unknown)}; "
                f"use {', '.join(ANGLES)}"
            )
        for pattern in [*rule.patterns, *([rule.signal] if rule.signal else [])]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{shown(path)} rule {rule.name!r}: bad pattern {pattern!r} ({exc})"
                ) from None
    return rules


class RefineInstruction(BaseModel):
    """What a request was understood to ask for, as drafting instructions."""

    request: str
    mode: Mode
    #: names of the rules the request matched
    matched: list[str] = Field(default_factory=list)
    #: rewrite: 0-based indexes of the variants to replace, one new draft each
    replace: list[int] = Field(default_factory=list)
    #: more: 0-based indexes of the variants the new ones should resemble
    like: list[int] = Field(default_factory=list)
    #: one angle per new draft (len == number of drafts wanted)
    angles: list[str]
    #: one length label (short|medium|long) per new draft, for the few-shot blocks
    lengths: list[str]
    tone: str | None = None
    max_subject_chars: int | None = None
    min_subject_chars: int | None = None
    #: regex -> plain words: what every new subject must show (from the matched rules)
    signals: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def asked(self) -> str:
        """The request in plain words, e.g. 'make #1 shorter' or 'write 3 new variants'."""
        refs = ", ".join(f"#{i + 1}" for i in (self.replace or self.like))
        if self.mode == "more":
            what = f"write {self.count} new variant{'s' if self.count != 1 else ''}"
            return what + (f" like {refs}" if self.like else "")
        wanted = []
        if self.max_subject_chars and not self.min_subject_chars:
            wanted.append("shorter")
        if self.min_subject_chars:
            wanted.append("longer")
        if self.tone:
            wanted.append(f"more {self.tone}")
        if not wanted:
            wanted.append(" and ".join(sorted(set(self.angles), key=self.angles.index)))
        return f"make {refs} {' and '.join(wanted)}"

    @property
    def count(self) -> int:
        return len(self.angles)

    def details(self) -> str:
        """The constraints the drafts follow, e.g. 'subjects at most 30 characters; angle urgency'."""
        bits = []
        if self.max_subject_chars and not self.min_subject_chars:
            bits.append(f"subjects at most {self.max_subject_chars} characters")
        if self.min_subject_chars:
            bits.append(f"subjects at least {self.min_subject_chars} characters")
        if self.tone:
            bits.append(f"tone {self.tone}")
        angles = sorted(set(self.angles), key=self.angles.index)
        bits.append(f"angle{'s' if len(angles) > 1 else ''} {', '.join(angles)}")
        return "; ".join(bits)

    def summary(self) -> str:
        """One plain phrase: what will be done."""
        refs = ", ".join(f"#{i + 1}" for i in (self.replace or self.like))
        if self.mode == "more":
            what = f"write {self.count} new variant{'s' if self.count != 1 else ''}"
            if self.like:
                what += f" like {refs}"
        else:
            what = f"rewrite {refs}"
        return f"{what} ({self.details()})"


def shown_length(variant: Variant) -> int:
    return len(display_text(variant.subject))


def length_label(chars: int, rules: LengthRules) -> str:
    """short (fits the mobile preview), medium (fits before the warning), long."""
    if chars <= rules.short_max:
        return "short"
    if chars <= rules.medium_max:
        return "medium"
    return "long"


def _references(text: str, n: int) -> list[int]:
    """0-based indexes of the variants a request names ('#2', 'variant 3', 'the second one')."""
    found: list[int] = []
    for m in _REF.finditer(text):
        found.append(int(m.group(1) or m.group(2)))
    for m in _ORDINAL_REF.finditer(text):
        found.append(_ORDINALS[(m.group(1) or m.group(2)).lower()])
    out: list[int] = []
    for number in found:
        index = n - 1 if number == -1 else number - 1
        if not 0 <= index < n:
            raise RefineError(
                f"there is no variant #{number}: the set has {n} (refer to #1 to #{n})"
            )
        if index not in out:
            out.append(index)
    return out


def _count(text: str, default: int, most: int) -> int:
    m = _COUNT.search(text)
    if m:
        word = m.group(1).lower()
        number = int(word) if word.isdigit() else _NUMBERS[word]
    elif re.search(r"\banother\b", text, re.I):
        number = 1
    else:
        number = default
    if number < 1:
        raise RefineError("ask for at least one new variant")
    if number > most:
        raise RefineError(f"ask for at most {most} new variants at a time (asked for {number})")
    return number


def parse_request(
    request: str,
    variants: Sequence[Variant],
    personalization: bool,
    prompt_style: PromptStyle = "completion",
    rules: RefineRules | None = None,
) -> RefineInstruction:
    """Turn a marketer's request into drafting instructions (rules from the data file)."""
    text = " ".join(request.split())
    if not text:
        raise RefineError(
            "say what to change, e.g. 'shorter', 'more playful', 'add urgency' or "
            "'write three more like #2'"
        )
    if not variants:
        raise RefineError("there are no variants to refine yet: generate some first")
    data = rules or refine_rules()
    hits = [r for r in data.rules if any(re.search(p, text, re.I) for p in r.patterns)]
    refs = _references(text, len(variants))
    mode: Mode = "more" if any(r.mode == "more" for r in hits) else "rewrite"
    style = [r for r in hits if r.mode is None]
    notes: list[str] = []
    if not style and mode != "more" and prompt_style != "chat":
        raise RefineError(
            f"I could not turn {text!r} into instructions the small base model can follow. Try "
            "'shorter', 'longer', 'more playful', 'add urgency', 'more formal', 'personalise', "
            "'as a question', 'social proof', or 'write three more like #2'. A chat model "
            "(OpenAI or an OpenAI-compatible server) takes free-text requests."
        )
    angles_asked: list[str] = []
    for rule in style:
        angles_asked += [a for a in rule.angles if a not in angles_asked]
    if "personalization" in angles_asked and not personalization:
        angles_asked.remove("personalization")
        why = (
            "the brief lists no personalization fields, so the variants cannot be personalised; "
            "add a field such as FNAME to the brief"
        )
        if not angles_asked and not any(r.length for r in style) and mode != "more":
            raise RefineError(why[0].upper() + why[1:])  # nothing else was asked for
        notes.append(why)
    tones = [r.tone for r in style if r.tone]
    length_rule = next((r.length for r in style if r.length), None)
    n = len(variants)
    if mode == "more":
        like = refs
        count = _count(text, data.default_more, data.max_more)
        if angles_asked:
            angles = [angles_asked[i % len(angles_asked)] for i in range(count)]
        elif like:
            angles = [variants[like[i % len(like)]].angle or "benefit" for i in range(count)]
        else:
            used = {v.angle for v in variants}
            usable = [a for a in ANGLES if personalization or a != "personalization"]
            pool = [a for a in usable if a not in used] + [a for a in usable if a in used]
            angles = [pool[i % len(pool)] for i in range(count)]
        basis = [variants[i] for i in like] or list(variants)
        replace: list[int] = []
    else:
        like = []
        replace = refs or list(range(n))
        angles = [
            angles_asked[k % len(angles_asked)]
            if angles_asked
            else (variants[i].angle or "benefit")
            for k, i in enumerate(replace)
        ]
        basis = [variants[i] for i in replace]
    lr = data.length
    mean = sum(shown_length(v) for v in basis) / len(basis)
    max_chars = min_chars = None
    if length_rule == "shorter":
        max_chars = max(lr.shorter_floor, min(lr.shorter_ceiling, int(mean * lr.shorter_ratio)))
    elif length_rule == "longer":
        min_chars = min(int(mean) + lr.longer_step, lr.longer_ceiling - lr.longer_step)
        max_chars = lr.longer_ceiling
    if length_rule == "shorter":
        # the shortest label: a "medium" example may run to medium_max, past the limit
        lengths = ["short"] * len(angles)
    elif min_chars is not None:
        lengths = [length_label(min_chars + 1, lr)] * len(angles)
    else:
        source = [variants[i] for i in (replace or like)] or list(variants)
        lengths = [
            length_label(shown_length(source[k % len(source)]), lr) for k in range(len(angles))
        ]
    return RefineInstruction(
        request=text,
        mode=mode,
        matched=[r.name for r in hits],
        replace=replace,
        like=like,
        angles=angles,
        lengths=lengths,
        tone=", ".join(tones) or None,
        max_subject_chars=max_chars,
        min_subject_chars=min_chars,
        signals={
            r.signal: r.signal_says
            for r in style
            if r.signal and (personalization or "personalization" not in r.angles)
        },
        notes=notes,
    )
