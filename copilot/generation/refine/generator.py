"""Chat refinement of subject-line variants: a marketer's request in, a re-scored set out.

Requests such as "shorter", "more playful", "add urgency" or "write three more like #2" are turned
by rules kept as data (`data/refine_rules.yaml`) into what a base model can follow: the angle of
the few-shot block, a length label, and a length limit enforced on the drafts. Chat models also
get the request itself, quoted as the marketer's words. Drafts go through the subject generator's
own cleaning (merge tags, copies of past lines, near-duplicates) and hard checks, and every
variant of the resulting set is re-scored, because set-level scores (diversity) change whenever
one member does.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from copilot.envelope import ResultEnvelope, UsageRecord
from copilot.errors import ConfigError, CopilotError
from copilot.generation.angles import ANGLES
from copilot.generation.parsing import Draft
from copilot.generation.pipeline import Rejected, Score, drop_repeats
from copilot.generation.subjects.generator import (
    COMPLETION_MAX_TOKENS,
    MAX_ROUNDS,
    PROMPT_LIMITS,
    SubjectGenerator,
    few_shot_examples,
    variant_json,
)
from copilot.generation.tags import neutral_line, subject_key
from copilot.io.brief import Brief
from copilot.io.loader import load_model, shown
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM, ChatMessage, Completion, PromptStyle
from copilot.llm.budget import fit_or_raise
from copilot.platforms.tags import display_text
from copilot.progress import Progress
from copilot.prompts import render
from copilot.settings import Settings
from copilot.variants import Variant

RULES_FILE = Path(__file__).parent / "data" / "refine_rules.yaml"
#: drafts per round when few variants are asked for (one slot gets three tries per round)
DRAFTS_PER_ROUND = 3
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


def _shown_length(variant: Variant) -> int:
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
    mean = sum(_shown_length(v) for v in basis) / len(basis)
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
            length_label(_shown_length(source[k % len(source)]), lr) for k in range(len(angles))
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


class _WithRequest:
    """A chat model with the marketer's quoted request added after the drafting prompt."""

    def __init__(self, inner: LLM, note: str) -> None:
        self.inner = inner
        self.note = note
        self.name = inner.name
        self.model = inner.model
        self.prompt_style: PromptStyle = inner.prompt_style
        # the drafting prompt is budgeted without the note, so the note's tokens come off here
        self.context_window = inner.context_window - inner.count_tokens(note) - 8

    @property
    def usage(self) -> UsageRecord:
        return self.inner.usage

    @usage.setter
    def usage(self, value: UsageRecord) -> None:
        self.inner.usage = value

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion:
        return self.inner.complete(
            prompt, max_tokens=max_tokens, stop=stop, temperature=temperature, seed=seed
        )

    def chat(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        seed: int | None = None,
        json_mode: bool = False,
    ) -> Completion:
        # after system + drafting prompt, before any repair turns
        with_note = [*messages[:2], ChatMessage(role="user", content=self.note), *messages[2:]]
        return self.inner.chat(
            with_note,
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
            json_mode=json_mode,
        )

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


class RefineGenerator(SubjectGenerator):
    """The subject generator, drafting to a refinement instruction instead of a fresh plan."""

    def __init__(
        self,
        settings: Settings,
        llm: LLM,
        instruction: RefineInstruction,
        current: Sequence[Variant],
        brief: Brief,
        progress: Progress | None = None,
    ) -> None:
        self.instruction = instruction
        self.current = list(current)
        self.lengths: list[str] = list(instruction.lengths)
        model: LLM = llm
        if llm.prompt_style == "chat":
            model = _WithRequest(llm, self._chat_note(brief))
        super().__init__(settings, model, progress)

    def _chat_note(self, brief: Brief) -> str:
        shown = [
            {
                "subject": neutral_line(v.subject, brief.platform),
                "preheader": neutral_line(v.preheader, brief.platform),
                "angle": v.angle,
                "score": v.score,
            }
            for v in self.current
        ]
        return render(
            "refine_chat_request.j2",
            request=self.instruction.request,
            tone=self.instruction.tone or "",
            max_chars=self.instruction.max_subject_chars,
            min_chars=self.instruction.min_subject_chars,
            current=shown,
            like=[i + 1 for i in self.instruction.like],
        )

    def _examples_for(self, brief: Brief, context: BrandContext) -> list[dict[str, Any]]:
        """Brand top performers plus, for 'more like #k', the liked variants, each with a length."""
        rules = refine_rules().length
        out = [
            {**ex.model_dump(), "length": length_label(len(display_text(ex.subject)), rules)}
            for ex in few_shot_examples(context)[: PROMPT_LIMITS["examples"] - 1]
        ]
        for i in self.instruction.like:
            v = self.current[i]
            out.append(
                {
                    "goal": brief.goal.value,
                    "segment": brief.segment.name,
                    "angle": v.angle or "benefit",
                    "subject": neutral_line(v.subject, brief.platform),
                    "preheader": neutral_line(v.preheader, brief.platform),
                    "length": length_label(_shown_length(v), rules),
                    "liked": True,
                }
            )
        return out

    @staticmethod
    def _order(
        examples: list[dict[str, Any]], angle: str, length: str, turn: int
    ) -> list[dict[str, Any]]:
        """Rotate per draft; the examples most like the task (liked, same length and angle) last."""
        if not examples:
            return []
        k = turn % len(examples)
        rotated = examples[k:] + examples[:k]
        return sorted(
            rotated,
            key=lambda e: (
                bool(e.get("liked")),
                e["length"] == length,
                e["angle"] == angle,
            ),
        )

    def render_completion(
        self,
        brief: Brief,
        context: BrandContext,
        angle: str,
        turn: int = 0,
        strategy: str = "scratch",
    ) -> str:
        """The refine few-shot prompt (every draft is written from scratch to the request, so
        `strategy` is accepted for the base class's call and not used)."""
        del strategy
        length = self.lengths[turn % len(self.lengths)] if self.lengths else "medium"
        groups: dict[str, list[Any]] = {
            "examples": self._examples_for(brief, context),
            "facts": list(context.products)[: PROMPT_LIMITS["facts"]],
            "voice": list(context.voice)[: PROMPT_LIMITS["voice"]],
        }

        def draw(kept: dict[str, list[Any]]) -> str:
            # no trailing newline: the model must continue the "Subject:" line itself
            return render(
                "refine_completion.j2",
                brand_name=context.brand.name.replace("_", " ").title(),
                voice=kept["voice"],
                facts=kept["facts"],
                offer=brief.offer,
                examples=self._order(kept["examples"], angle, length, turn),
                goal=brief.goal.value,
                segment=brief.segment.name,
                angle=angle,
                length=length,
            ).rstrip()

        budget = self.llm.context_window - COMPLETION_MAX_TOKENS - 8
        return fit_or_raise(
            draw, groups, ["voice", "facts", "examples"], self.llm.count_tokens, budget
        )

    def draft_slots(
        self,
        brief: Brief,
        context: BrandContext,
        angles: list[str],
        lengths: list[str],
        round_no: int,
        salt: int,
    ) -> tuple[list[Draft], list[Rejected]]:
        """One draft per requested angle (chat models: one answer covering them all)."""
        self.lengths = lengths
        seed0 = (self.settings.llm_seed or 0) + 7919 * (round_no + 1) + salt
        if self.llm.prompt_style == "chat":
            return self.draft_angles(brief, context, angles, seed0)
        return self._draft_completion(brief, context, angles, seed0, strategies=["scratch"])


class Change(BaseModel):
    """One variant the refinement wrote: where it is in the new set and what it replaced."""

    index: int
    kind: Literal["rewritten", "added"]
    replaces: Variant | None = None


class RefineResult(ResultEnvelope[Rejected]):
    """The whole set after the request, every variant re-scored, with what changed and why
    (`usage`: the calls of this request only)."""

    request: str
    instruction: RefineInstruction
    variants: list[Variant]
    changes: list[Change] = Field(default_factory=list)
    reply: str

    def payload(self) -> dict[str, Any]:
        """The request, the reply, the whole re-scored set and what changed (variants as in
        `copilot generate --json`); the envelope adds rejected, notes, model and usage."""
        return {
            "request": self.request,
            "reply": self.reply,
            "variants": [variant_json(v) for v in self.variants],
            "changes": [
                {
                    "index": c.index,
                    "kind": c.kind,
                    "replaces": None if c.replaces is None else variant_json(c.replaces),
                }
                for c in self.changes
            ],
        }


def _drop_repeated_subjects(
    variants: list[Variant], kept: list[Variant], platform: str
) -> tuple[list[Variant], list[Rejected]]:
    """A draft whose subject line is already in the set changes nothing a subject test can see."""
    return drop_repeats(
        {subject_key(v.subject, platform) for v in kept},
        lambda v: subject_key(v.subject, platform),
        "duplicate of a subject in the set",
        within=True,
    )(variants)


def _round_progress(say: Progress, round_no: int) -> Progress:
    def report(message: str, fraction: float) -> None:
        say(f"round {round_no + 1}: {message}", min(0.95, (round_no + fraction) / MAX_ROUNDS))

    return report


def _length_problem(variant: Variant, instruction: RefineInstruction) -> str | None:
    n = _shown_length(variant)
    if instruction.max_subject_chars is not None and n > instruction.max_subject_chars:
        return f"subject is {n} characters; the request asked for at most {instruction.max_subject_chars}"
    if instruction.min_subject_chars is not None and n < instruction.min_subject_chars:
        return f"subject is {n} characters; the request asked for at least {instruction.min_subject_chars}"
    return None


def _slot_problem(
    v: Variant,
    slot: int,
    instruction: RefineInstruction,
    current: Sequence[Variant],
    max_drop: float,
) -> str | None:
    """Why a scored draft does not do what was asked for this slot, or None when it does.

    A rewrite must be shorter (longer) than the very line it replaces, show every signal of the
    matched rules (a question mark for "as a question"), and not score below that line.
    """
    problem = _length_problem(v, instruction)
    if problem:
        return problem
    for pattern, says in instruction.signals.items():
        if not re.search(pattern, v.subject, re.I):
            return f"does not {says}"
    if instruction.mode != "rewrite":
        return None
    index = instruction.replace[slot]
    old = current[index]
    new_n, old_n = _shown_length(v), _shown_length(old)
    if instruction.max_subject_chars is not None and instruction.min_subject_chars is None:
        if new_n >= old_n:
            return f"not shorter than #{index + 1} ({new_n} characters; #{index + 1} has {old_n})"
    if instruction.min_subject_chars is not None and new_n <= old_n:
        return f"not longer than #{index + 1} ({new_n} characters; #{index + 1} has {old_n})"
    if old.score is not None and v.score is not None and v.score < old.score - max_drop:
        return f"scored {v.score:.0f}, below the {old.score:.0f} of #{index + 1}"
    return None


def _why_not(rejected: Sequence[Rejected], most: int = 3) -> str:
    """The commonest reasons drafts were not used, in plain words with counts."""
    counts: dict[str, int] = {}
    for r in rejected:
        reason = re.sub(r"\d+", "N", r.reason.split(";")[0])
        counts[reason] = counts.get(reason, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:most]
    examples = {re.sub(r"\d+", "N", r.reason.split(";")[0]): r.reason for r in rejected}
    return "; ".join(f"{n} × {examples[k].split(';')[0]}" for k, n in top)


def _blank(v: Variant) -> Variant:
    return v.model_copy(update={"score": None, "checks": [], "explanation": None})


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.0f}"


def _reply(
    instruction: RefineInstruction,
    final: list[Variant],
    changes: list[Change],
    missed: int,
    rejected: Sequence[Rejected],
) -> str:
    if not changes:
        tried = len(rejected)
        text = (
            f"No change: I could not {instruction.asked()}. None of the {tried} draft(s) I tried "
            f"did what you asked and passed every check"
        )
        if rejected:
            text += f" (most common reasons: {_why_not(rejected)})"
        return (
            text + ". The variants are as they were. Try another wording, or generate a fresh set."
        )
    scores = []
    for c in changes:
        new = final[c.index]
        if c.replaces is not None:
            scores.append(f"#{c.index + 1} {_fmt(c.replaces.score)} → {_fmt(new.score)}")
        else:
            scores.append(f"#{c.index + 1} {_fmt(new.score)}")
    refs = ", ".join(f"#{c.index + 1}" for c in changes)
    if instruction.mode == "rewrite":
        text = f"Rewrote {refs} ({instruction.details()})."
    else:
        like = ", ".join(f"#{i + 1}" for i in instruction.like)
        text = f"Added {refs}{f' like {like}' if like else ''} ({instruction.details()})."
    text += " Every variant re-scored; new scores: " + ", ".join(scores) + "."
    if missed:
        text += f" {missed} could not be done; see below."
    return text


def refine(
    request: str,
    variants: Sequence[Variant],
    brief: Brief,
    settings: Settings,
    llm: LLM,
    context: BrandContext,
    *,
    score: Score,
    progress: Progress | None = None,
) -> RefineResult:
    """Apply a chat request to the variants; return the new set, every variant re-scored.

    `score` fills score/checks/explanation on a batch (the refine use case passes the
    evaluators); drafts with a failed hard check, or outside the asked length, are never returned.
    """
    current = list(variants)
    say = progress or (lambda _m, _f: None)
    model, score_fn = llm, score
    instruction = parse_request(request, current, bool(brief.personalization), model.prompt_style)
    max_drop = refine_rules().max_score_drop
    start_calls = len(model.usage.per_call)
    gen = RefineGenerator(settings, model, instruction, current, brief)
    salt = zlib.crc32(instruction.request.lower().encode("utf-8")) % 100_000
    slots = list(range(instruction.count))  # open slots, by position in instruction.angles
    filled: dict[int, Variant] = {}
    rejected: list[Rejected] = []
    for round_no in range(MAX_ROUNDS):
        if not slots:
            break
        # few open slots: draft several candidates each and keep the best-scored
        per = max(1, DRAFTS_PER_ROUND // len(slots))
        angles = [instruction.angles[s] for s in slots for _ in range(per)]
        lengths = [instruction.lengths[s] for s in slots for _ in range(per)]
        gen.progress = _round_progress(say, round_no)
        drafts, bad = gen.draft_slots(brief, context, angles, lengths, round_no, salt)
        rejected.extend(bad)
        rendered, unrenderable = gen.to_variants(drafts, brief, context)
        rejected.extend(unrenderable)
        fitting = []
        for v in rendered:
            problem = _length_problem(v, instruction)
            if problem:
                rejected.append(Rejected(subject=v.subject, preheader=v.preheader, reason=problem))
            else:
                fitting.append(v)
        fresh, copies = gen.drop_copies(fitting, brief, context)
        rejected.extend(copies)
        kept = [*current, *filled.values()]
        fresh, repeats = _drop_repeated_subjects(fresh, kept, brief.platform)
        rejected.extend(repeats)
        new, dups = gen.drop_duplicates(fresh, kept)
        rejected.extend(dups)
        scored = score_fn(new) if new else []
        scored.sort(key=lambda v: v.score if v.score is not None else 0.0, reverse=True)
        for v in scored:
            fails = [c for c in v.checks if c.status == "fail"]
            if fails:
                reason = "; ".join(f"{c.name}: {c.message}" for c in fails)
                rejected.append(Rejected(subject=v.subject, preheader=v.preheader, reason=reason))
                continue
            if not slots:
                break
            # a draft fills the open slot that asked for its angle, else the first open one,
            # and only one whose request it really meets
            order = sorted(slots, key=lambda s: instruction.angles[s] != v.angle)
            misses = {s: _slot_problem(v, s, instruction, current, max_drop) for s in order}
            slot = next((s for s in order if misses[s] is None), None)
            if slot is None:
                reason = misses[order[0]] or ""
                rejected.append(Rejected(subject=v.subject, preheader=v.preheader, reason=reason))
                continue
            slots.remove(slot)
            filled[slot] = v
    new_set = list(current)
    placed: list[tuple[int, Variant | None]] = []
    for slot in sorted(filled):
        if instruction.mode == "rewrite":
            index = instruction.replace[slot]
            placed.append((index, current[index]))
            new_set[index] = filled[slot]
        else:
            new_set.append(filled[slot])
            placed.append((len(new_set) - 1, None))
    unscored = any(v.score is None for v in current)
    final = score_fn([_blank(v) for v in new_set]) if filled or unscored else current
    notes = list(instruction.notes)
    # scores depend on the whole set (diversity): a rewrite that ends up below the line it
    # replaced once the set is re-scored is undone, so a change never makes a line worse
    worse = [
        (i, old)
        for i, old in placed
        if old is not None
        and old.score is not None
        and final[i].score is not None
        and final[i].score < old.score - max_drop  # type: ignore[operator]
    ]
    if worse:
        for i, old in worse:
            notes.append(
                f"#{i + 1} kept as it was: its rewrite scored {_fmt(final[i].score)} with the "
                f"rest of the set, below the {_fmt(old.score)} it had"
            )
            new_set[i] = old
        placed = [(i, old) for i, old in placed if (i, old) not in worse]
        final = score_fn([_blank(v) for v in new_set]) if placed or unscored else current
    changes = [
        Change(index=i, kind="rewritten" if old is not None else "added", replaces=old)
        for i, old in placed
    ]
    missed = len(slots) + len(worse)
    if slots:
        reasons = f" (most common reasons: {_why_not(rejected)})" if rejected else ""
        if instruction.mode == "rewrite":
            kept_refs = ", ".join(f"#{instruction.replace[s] + 1}" for s in slots)
            notes.append(
                f"{kept_refs} kept as it was: no draft in {MAX_ROUNDS} rounds did what you "
                f"asked and passed every check{reasons}"
            )
        else:
            notes.append(
                f"only {len(filled)} of {instruction.count} new variants did what you asked and "
                f"passed every check in {MAX_ROUNDS} rounds{reasons}"
            )
    usage = UsageRecord(tokens_approximate=model.usage.tokens_approximate)
    for call in model.usage.per_call[start_calls:]:
        usage.add(call)
    say("done", 1.0)
    return RefineResult(
        request=instruction.request,
        instruction=instruction,
        variants=final,
        changes=changes,
        rejected=rejected,
        notes=notes,
        reply=_reply(instruction, final, changes, missed, rejected),
        model=model.model,
        provider=model.name,
        prompt_style=model.prompt_style,
        usage=usage,
    )
