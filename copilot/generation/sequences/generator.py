"""Whole sequence plans: a playbook adapted to the brief, with subject, preheader and body for
every step, each email checked, and the sequence-level checks on top.

Copy reuses the subject generator (its few-shot drafting, merge-tag rendering, copy and
near-duplicate filters, with the step's angle) and the body writer. All subjects are drafted
before any body, so the model's prefix cache serves each prompt family in turn. A step that is
not an incentive step is written for a brief without the offer, so its copy cannot mention it.
Under the `auto` drafting strategy on a base model a step's subject is first a pattern filled for
the step's brief (see copilot.generation.subjects.patterns); otherwise, or when none passes, it gets
MODEL_ATTEMPTS rounds of model drafts; only when every round fails is it replaced by the
playbook's claim-free fallback copy, so the plan is always complete and every
email passes its hard checks, and the plan's notes count the parts that are fallback copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from copilot.envelope import written_by
from copilot.errors import CopilotError, ModelOutputError
from copilot.evaluation.scoring import DEFAULT_EVALUATORS, evaluate_variants, hard_failures
from copilot.generation.bodies.fields import RejectedField, normalised
from copilot.generation.bodies.generator import (
    BodySpec,
    BodyVariant,
    BodyWriter,
    FallbackCopy,
    context_sources,
    placeholder_url,
)
from copilot.generation.parsing import Draft
from copilot.generation.pipeline import CandidateChain, drop_repeats, failure_reason, render_line
from copilot.generation.sequences.adapt import adapt_by_model, adapt_by_rules
from copilot.generation.sequences.checks import DEFAULT_MAX_SENDS_PER_WEEK, check_sequence
from copilot.generation.sequences.plan import SequencePlan, SequenceStep, StepCTA, schedule
from copilot.generation.sequences.playbooks import Playbook, Step, playbook_for
from copilot.generation.subjects.generator import SubjectGenerator, below_gate
from copilot.generation.subjects.patterns import fill_patterns
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM
from copilot.llm.usage import current_usage, metered
from copilot.platforms.tags import MergeTagError, strip_tags
from copilot.progress import Progress, quiet
from copilot.rendering.render import footer_for, sender_name
from copilot.settings import Settings
from copilot.text import placeholder_links
from copilot.variants import Variant

#: evaluators for one step's email (diversity is about a set of alternatives, not a sequence)
STEP_EVALUATORS: tuple[str, ...] = tuple(e for e in DEFAULT_EVALUATORS if e != "diversity")
#: share of the progress bar for subjects; bodies take the rest
SUBJECT_SHARE = 0.35
#: rounds of model drafts for a step's subject before the playbook's fallback copy is used
MODEL_ATTEMPTS = 2
#: retries of a step's body field (headline, block) before the playbook's fallback copy; a
#: single send gets two bodies to choose from, a step gets one
BODY_FIELD_RETRIES = 3
#: filled patterns scored for a step's subject (the step's angle first)
PATTERN_CANDIDATES = 6


class SequenceCopy(BaseModel):
    """How much copy each step gets: subject drafts, body blocks, P.S."""

    subject_drafts: int = Field(default=2, ge=1, le=6)
    blocks: int = Field(default=2, ge=1, le=4)
    ps: bool = False


def step_brief(brief: Brief, step: Step) -> Brief:
    """The brief a step is written (and checked) against: no offer outside incentive steps."""
    return brief if step.incentive else brief.model_copy(update={"offer": None})


def _fill(text: str, sender: str, offer: str | None) -> str:
    return text.replace("{sender}", sender).replace("{offer}", (offer or "").strip().rstrip("."))


def _cta(step: Step, brief: Brief) -> StepCTA:
    text = brief.cta if step.cta.brief_text and brief.cta else step.cta.text
    if step.cta.link == "brief":
        url = brief.cta_url or placeholder_url()
    else:
        url = placeholder_url(step.cta.link)
    return StepCTA(text=text, url=url)


def _inbox_key(subject: str) -> str:
    """A subject as the inbox shows it, merge tags aside ("Alex, welcome" repeats "Welcome"):
    the key the sequence_subjects check compares."""
    return normalised(strip_tags(subject))


class _StepSubject(BaseModel):
    variant: Variant
    origin: str
    notes: list[str] = Field(default_factory=list)


class SequenceWriter:
    """Writes the copy of every step of an adapted playbook."""

    def __init__(
        self,
        brief: Brief,
        context: BrandContext,
        settings: Settings,
        llm: LLM,
        copy: SequenceCopy,
        evaluators: Sequence[str] = STEP_EVALUATORS,
        progress: Progress | None = None,
    ) -> None:
        self.evaluators = tuple(evaluators)
        self.brief = brief
        self.context = context
        self.settings = settings
        self.llm = llm
        self.copy = copy
        self.progress = progress or quiet
        self.sender = sender_name(context.brand)
        # auto on a base model: a step's subject is first a pattern filled for the step's brief
        # (as for a single send), then the model's own drafts, then the playbook's fallback
        mixed = settings.draft_strategy == "auto"
        self.patterns_first = mixed and llm.prompt_style != "chat"
        own = settings.model_copy(update={"draft_strategy": "scratch"}) if mixed else settings
        self.subjects = SubjectGenerator(own, llm)
        self.used_fills: set[str] = set()

    def _score(self, brief: Brief, variants: list[Variant]) -> list[Variant]:
        return evaluate_variants(variants, brief, self.context, self.settings, self.evaluators)

    def _drafts(self, brief: Brief, angle: str, seed: int) -> list[Draft]:
        angles = [angle] * self.copy.subject_drafts
        # the subject generator's own drafting, asked for this step's angle
        try:
            drafts, _ = self.subjects.draft_angles(brief, self.context, angles, seed)
        except ModelOutputError:
            return []
        return drafts

    def subject(self, step: Step, kept: list[Variant], seed: int) -> _StepSubject:
        """The subject + preheader for a step that passes every hard check and repeats no
        earlier step: a filled pattern first under `auto` on a base model, else the best of up
        to MODEL_ATTEMPTS rounds of model drafts; the playbook's fallback only when every round
        failed."""
        sb = step_brief(self.brief, step)
        if self.patterns_first:
            picked = self.pattern_subject(step, sb, kept)
            if picked is not None:
                return picked
        tried = 0
        # a model line may carry a soft score's failure; only a hard check's failure drops it
        candidates = self._chain(sb, kept, failing=hard_failures)
        for attempt in range(MODEL_ATTEMPTS):
            drafts = self._drafts(sb, step.angle, seed + 7 * attempt)
            tried += len(drafts)
            good = candidates.run(drafts, kept).good
            if good:
                best = max(good, key=lambda v: v.score or 0.0)
                return _StepSubject(
                    variant=best.model_copy(update={"angle": step.angle}), origin="model"
                )
        return self.fallback_subject(
            step,
            f"no model subject passed the checks in {MODEL_ATTEMPTS} rounds ({tried} draft(s)); "
            "used fallback",
        )

    def _chain(self, sb: Brief, kept: list[Variant], **how: Any) -> CandidateChain:
        """The subject generator's candidate chain for a step's brief (`how`: its `failing` and
        `gate`): candidates copy no past line, state no offer the step's brief does not, and
        repeat no earlier step, as the inbox shows it or nearly."""
        earlier = drop_repeats(
            {_inbox_key(k.subject) for k in kept},
            lambda v: _inbox_key(v.subject),
            "repeats the subject of an earlier step",
        )

        def score(variants: list[Variant]) -> list[Variant]:
            return self._score(sb, variants)

        return self.subjects.chain(sb, self.context, score, extra=[earlier], **how)

    def pattern_subject(self, step: Step, sb: Brief, kept: list[Variant]) -> _StepSubject | None:
        """A filled pattern for the step: of its angle and carrying the brief's specifics first,
        unused by earlier steps, passing every check and the relevance gate; None if none does."""
        fills = [
            f for f in fill_patterns(sb, self.context.brand) if f.subject not in self.used_fills
        ]
        fills.sort(key=lambda f: (f.angle != step.angle, not f.specific))
        by_subject: dict[str, str] = {}
        variants: list[Variant] = []
        for f in fills[:PATTERN_CANDIDATES]:
            draft = Draft(
                subject=f.subject, preheader=f.preheader, angle=f.angle, strategy="patterns"
            )
            rendered, _ = self.subjects.to_variants([draft], sb, self.context)
            for v in rendered:
                by_subject[v.subject] = f.subject
                variants.append(v)
        good = self._chain(sb, kept, gate=below_gate).screen(variants, kept).good
        if not good:
            return None
        best = good[0]  # the order above: the step's angle, then the brief's specifics
        self.used_fills.add(by_subject[best.subject])
        return _StepSubject(
            variant=best.model_copy(update={"angle": step.angle}), origin="patterns"
        )

    def fallback_subject(self, step: Step, note: str) -> _StepSubject:
        """The playbook's claim-free subject and preheader for a step."""
        sb = step_brief(self.brief, step)
        fallback = Variant(
            subject=self._render(_fill(step.copy_.subject, self.sender, sb.offer), sb),
            preheader=self._render(_fill(step.copy_.preheader, self.sender, sb.offer), sb),
            angle=step.angle,
        )
        return _StepSubject(variant=fallback, origin="fallback", notes=[note])

    def _render(self, text: str, brief: Brief) -> str:
        try:
            return render_line(text, brief)
        except MergeTagError:
            return text

    def body(
        self, step: Step, subject: Variant, seed: int, used: set[str], footer: Any
    ) -> tuple[BodyVariant, list[RejectedField]]:
        """The step's body through the body writer, to the step's angle, goal and CTA."""
        sb = step_brief(self.brief, step)
        cta = _cta(step, self.brief)
        # one body per step and no alternative to pick from: each field gets more tries
        retries = max(self.settings.llm_max_retries, BODY_FIELD_RETRIES)
        writer = BodyWriter(
            sb,
            self.context,
            self.settings.model_copy(update={"llm_max_retries": retries}),
            self.llm,
            evaluators=self.evaluators,
            footer=footer,
            used=used,
        )
        spec = BodySpec(
            angle=step.angle,
            angle_description=step.goal,
            goal=self.brief.goal.value,
            subject=subject.subject,
            preheader=subject.preheader,
            cta_text=cta.text,
            cta_url=cta.url,
            fallback=FallbackCopy(
                headline=_fill(step.copy_.headline, self.sender, sb.offer),
                blocks=[_fill(b, self.sender, sb.offer) for b in step.copy_.blocks],
            ),
            fallback_cta=step.cta.text,
            blocks=self.copy.blocks,
            ps=self.copy.ps,
        )
        sources = context_sources(self.context) + [ex.source for ex in writer.examples]
        return writer.write(spec, seed, sources), writer.rejected


#: who wrote a part: the model, a pattern filled for the brief, or the playbook's fallback copy
WRITTEN = ("model", "patterns", "fallback")


def fallback_note(steps: Sequence[SequenceStep]) -> str:
    """How many of the written parts (subjects, headlines, blocks; not the given CTA text) are
    the playbook's fallback copy rather than the model's or a filled pattern's."""
    parts = [o for s in steps for o in s.origin.values() if o in WRITTEN]
    fallback = parts.count("fallback")
    share = fallback / len(parts) if parts else 0.0
    where = [
        f"{s.id}: {', '.join(k for k, o in s.origin.items() if o == 'fallback')}"
        for s in steps
        if "fallback" in s.origin.values()
    ]
    text = f"fallback copy: {fallback} of {len(parts)} parts ({share:.0%})"
    return text + (" (" + "; ".join(where) + ")" if where else "")


@metered
def generate_sequence(
    brief: Brief,
    settings: Settings,
    *,
    llm: LLM,
    context: BrandContext,
    playbook: Playbook | None = None,
    copy: SequenceCopy | None = None,
    max_sends_per_week: int | None = None,
    evaluators: Sequence[str] = STEP_EVALUATORS,
    progress: Progress | None = None,
) -> SequencePlan:
    """Adapt the brief's playbook and write every step; checks on each email and the sequence."""
    say = progress or quiet
    copy = copy or SequenceCopy()
    limit = max_sends_per_week or DEFAULT_MAX_SENDS_PER_WEEK
    book = playbook or playbook_for(brief)
    if book.requires_offer and not brief.offer:
        raise CopilotError(
            f"the {book.name} playbook needs an offer and the brief has none; add `offer` to "
            "the brief (the only offer the copy may state)"
        )
    steps, adaptations = adapt_by_rules(book, brief)
    notes: list[str] = []
    if llm.prompt_style == "chat":
        steps, by_model, refused = adapt_by_model(book, steps, brief, llm, settings, limit)
        adaptations += by_model
        notes += refused
    else:
        notes.append("base model: the playbook was adapted by rules from the brief only")
    timing = schedule(steps)
    writer = SequenceWriter(brief, context, settings, llm, copy, evaluators)
    seed0 = settings.llm_seed or 0

    subjects: list[_StepSubject] = []
    kept: list[Variant] = []
    for i, step in enumerate(steps):
        say(f"step {i + 1}/{len(steps)} ({step.id}): subject", SUBJECT_SHARE * i / len(steps))
        chosen = writer.subject(step, kept, seed0 + 7919 * (i + 1))
        subjects.append(chosen)
        kept.append(chosen.variant)

    footer = footer_for(
        context.brand, brief.goal.value, reason=book.why.replace("{sender}", writer.sender)
    )
    used: set[str] = set()
    out: list[SequenceStep] = []
    rejected: list[RejectedField] = []
    for i, (step, chosen) in enumerate(zip(steps, subjects, strict=True)):
        frac = SUBJECT_SHARE + (1 - SUBJECT_SHARE) * i / len(steps)
        say(f"step {i + 1}/{len(steps)} ({step.id}): body", frac)
        seed = seed0 + 104729 * (i + 1)
        try:
            body, dropped = writer.body(step, chosen.variant, seed, used, footer)
        except ModelOutputError as exc:
            if chosen.origin == "fallback":
                raise
            # the model's subject or preheader is what the whole email cannot carry (e.g. the
            # brand's limit of one "!" per email): retry with the playbook's own
            chosen = writer.fallback_subject(
                step, f"the model's subject made the email fail ({exc}); used fallback"
            )
            subjects[i] = chosen
            body, dropped = writer.body(step, chosen.variant, seed, used, footer)
        rejected += dropped
        sb = step_brief(brief, step)
        final = evaluate_variants([body.as_variant()], sb, context, settings, evaluators)[0]
        at, delay = timing[i]
        origin = {"subject": chosen.origin, **body.origin}
        out.append(
            SequenceStep(
                id=step.id,
                day=int(at // 24),
                delay_hours=round(delay, 2),
                at_hours=round(at, 2),
                condition=step.condition,
                goal=step.goal,
                angle=step.angle,
                incentive=step.incentive,
                cta=StepCTA(text=body.cta_text, url=body.cta_url),
                subject=chosen.variant.subject,
                preheader=chosen.variant.preheader,
                headline=body.headline,
                body_html=body.html,
                body_text=body.text,
                branches=step.branches,
                checks=final.checks,
                score=final.score,
                explanation=final.explanation,
                origin=origin,
                notes=chosen.notes + body.notes,
            )
        )
    notes.append(fallback_note(out))
    placeholders = sorted({s.cta.url for s in out if placeholder_links(s.cta.url)})
    if placeholders:
        notes.append("placeholder links to replace before sending: " + ", ".join(placeholders))
    plan = SequencePlan(
        playbook=book.name,
        title=book.title,
        goal=brief.goal.value,
        platform=brief.platform,
        trigger=book.trigger,
        exit=book.exit,
        steps=out,
        adaptations=adaptations,
        notes=notes,
        rejected=rejected,
        brief=brief,
        **written_by(llm, current_usage()),
    )
    plan.checks = check_sequence(plan, brief, limit)
    failed = [c for c in plan.checks if c.status == "fail"]
    if failed:
        plan.notes.append("sequence checks failed: " + failure_reason(failed))
    say("done", 1.0)
    return plan
