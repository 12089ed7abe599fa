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
from typing import Any, Literal

from pydantic import BaseModel, Field

from copilot.envelope import ResultEnvelope, written_by
from copilot.generation.parsing import Draft
from copilot.generation.pipeline import Rejected, Score, drop_repeats
from copilot.generation.refine.request import (
    RefineInstruction,
    length_label,
    parse_request,
    refine_rules,
    shown_length,
)
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
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM
from copilot.llm.budget import fit_or_raise
from copilot.llm.usage import current_usage, metered
from copilot.platforms.tags import display_text
from copilot.progress import Progress
from copilot.prompts import render
from copilot.settings import Settings
from copilot.variants import Variant

#: drafts per round when few variants are asked for (one slot gets three tries per round)
DRAFTS_PER_ROUND = 3


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
        self._note = self._chat_note(brief) if llm.prompt_style == "chat" else ""
        super().__init__(settings, llm, progress)

    def chat_notes(self) -> list[str]:
        """The marketer's quoted request, after the drafting prompt."""
        return [self._note] if self._note else []

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
                    "length": length_label(shown_length(v), rules),
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
    n = shown_length(variant)
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
    new_n, old_n = shown_length(v), shown_length(old)
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


@metered
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
    say("done", 1.0)
    return RefineResult(
        request=instruction.request,
        instruction=instruction,
        variants=final,
        changes=changes,
        rejected=rejected,
        notes=notes,
        reply=_reply(instruction, final, changes, missed, rejected),
        **written_by(model, current_usage()),
    )
