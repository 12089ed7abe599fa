"""Email body variants: headline, two to four short blocks, one CTA, optional P.S., rendered to
responsive HTML and plain text with the mandatory footer, checked, repaired, scored.

Base models write one short field per call (few-shot completion, the prompt growing by each
accepted field so the model's prefix cache is reused); chat models answer one JSON object per body,
validated by pydantic with one repair turn. Every field is screened by the evaluators' grounding,
spam and merge-tag checks as it is written; a field whose drafts all fail gets the angle's
claim-free fallback copy. The assembled email is checked again and, while a hard check fails,
model-written parts are swapped for fallbacks (P.S. first, then blocks, then the headline), so a
returned body never fails a hard check and the number of model calls stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from copilot.envelope import ResultEnvelope, written_by
from copilot.errors import ConfigError, CopilotError, ModelOutputError
from copilot.evaluation.scoring import (
    HARD_CHECKS,
    combine,
    evaluate_variants,
    explain,
    hard_failures,
)
from copilot.generation.angles import infer_angle
from copilot.generation.bodies.fields import RULES, RejectedField, clean_field, normalised
from copilot.generation.offer_rules import offer_problems
from copilot.generation.parsing import ParseFailure
from copilot.generation.pipeline import failure_reason, render_line
from copilot.generation.tags import with_fallbacks
from copilot.io.brief import Brief
from copilot.io.loader import load_model, shown
from copilot.knowledge.brand import CAMPAIGNS_FILE
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM, ChatMessage
from copilot.llm.budget import fit_prompt
from copilot.llm.contract import parse_contract
from copilot.llm.structured import Retry, ask_json, first_valid, reask_note
from copilot.llm.usage import current_usage, metered
from copilot.platforms.tags import MergeTagError, display_text, to_neutral
from copilot.progress import Progress, quiet, scaled
from copilot.prompts import render
from copilot.rendering.render import (
    EmailContent,
    Footer,
    footer_for,
    greeting_for,
    render_email,
    sender_name,
)
from copilot.settings import Settings
from copilot.text import PLACEHOLDER_URL
from copilot.variants import CheckResult, Variant

#: extra screening of one field (e.g. a sequence's discount rule): problems, empty when fine
Screen = Callable[[str], list[str]]

DATA_FILE = Path(__file__).parent / "data" / "body_angles.yaml"
#: evaluators for a body on its own (no subject/preheader to judge)
BODY_EVALUATORS: tuple[str, ...] = ("spam", "merge_tags", "body", "grounding", "voice", "diversity")
#: evaluators run on each field as it is written
FIELD_EVALUATORS: tuple[str, ...] = ("grounding", "spam", "merge_tags")
#: context items shown to a base model (as for subject lines)
PROMPT_LIMITS = {"voice": 2, "facts": 3, "examples": 3}
STOP = ["\n", "###"]
RETRY_TEMPERATURE_MAX = 1.3
CHAT_MAX_TOKENS = 600

FieldKind = Literal["headline", "paragraph", "button", "ps"]


class FallbackCopy(BaseModel):
    """Claim-free copy used when the model's drafts of a field all fail; {sender} is filled in."""

    headline: str = Field(min_length=1)
    blocks: list[str] = Field(min_length=1)


class BodyAngle(BaseModel):
    describe: str
    fallback: FallbackCopy


class BodyAngles(BaseModel):
    """The data file: angles with their fallback copy, angles per goal, default CTA per goal."""

    angles: dict[str, BodyAngle]
    goal_angles: dict[str, list[str]]
    default_cta: dict[str, str]


@cache
def body_angles() -> BodyAngles:
    """copilot/generation/bodies/data/body_angles.yaml, validated (loaded once)."""
    parsed = load_model(DATA_FILE, BodyAngles)
    for goal, names in parsed.goal_angles.items():
        unknown = [n for n in names if n not in parsed.angles]
        if unknown:
            raise ConfigError(
                f"{shown(DATA_FILE)}: goal_angles.{goal} names unknown angle(s) {unknown}; "
                f"use {sorted(parsed.angles)}"
            )
    return parsed


def placeholder_url(name: str = "cta") -> str:
    """A clearly named stand-in link for a CTA whose URL the brief does not give."""
    return PLACEHOLDER_URL.format(name=name.replace("_", "-"))


class BodySpec(BaseModel):
    """What one body should do: angle and purpose, its CTA, and the copy to fall back on."""

    angle: str
    angle_description: str = ""
    goal: str
    subject: str | None = None
    preheader: str | None = None
    cta_text: str | None = None  # fixed button text; None lets the model write it
    cta_url: str
    fallback: FallbackCopy
    fallback_cta: str
    blocks: int = Field(default=2, ge=1, le=4)
    ps: bool = True


class BodyVariant(BaseModel):
    """One finished body: its parts, the rendered HTML and text, and its evaluation."""

    angle: str
    headline: str
    blocks: list[str]
    cta_text: str
    cta_url: str
    ps: str | None = None
    subject: str | None = None
    preheader: str | None = None
    html: str
    text: str
    sources: list[str] = Field(default_factory=list)
    score: float | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    explanation: str | None = None
    #: which parts the model wrote and which came from fallback copy
    origin: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def as_variant(self) -> Variant:
        """What the hard checks read: the subject and preheader it goes with, and the HTML body."""
        return Variant(
            subject=self.subject or "",
            preheader=self.preheader or "",
            angle=self.angle,
            body=self.html,
            sources=self.sources,
        )

    def soft_view(self) -> Variant:
        """What the voice and diversity scores read (they compare short lines): the headline and
        the first block."""
        return Variant(
            subject=self.headline, preheader=self.blocks[0] if self.blocks else "", angle=self.angle
        )

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of one `copilot bodies` variant."""
        return {
            "headline": self.headline,
            "html": self.html,
            "text": self.text,
            "cta": {"text": self.cta_text, "url": self.cta_url},
            "angle": self.angle,
            "sources": self.sources,
            "score": self.score,
            "checks": [c.model_dump() for c in self.checks],
            "blocks": self.blocks,
            "ps": self.ps,
            "explanation": self.explanation,
            "origin": self.origin,
            "notes": self.notes,
        }


class BodyResult(ResultEnvelope[RejectedField]):
    """What `copilot bodies` returns."""

    brief: Brief
    variants: list[BodyVariant]

    def payload(self) -> dict[str, Any]:
        """`{"variants": [...]}`; the envelope adds what was rejected, notes, model and usage."""
        return {"variants": [v.to_json() for v in self.variants]}


class _Example(BaseModel):
    goal: str
    angle: str
    subject: str
    headline: str
    paragraphs: list[str]
    button: str
    ps: str = ""
    source: str


class _ChatBody(BaseModel):
    """What a chat model must return (the structured-output contract)."""

    headline: str
    blocks: list[str] = Field(min_length=1, max_length=4)
    cta: str = ""
    ps: str = ""


def _bounded(kind: str) -> Any:
    """A string type with a field rule's bounds (about 6 characters a word at the least)."""
    rule = RULES[kind]
    return Annotated[
        str, StringConstraints(min_length=6 * rule.min_words, max_length=rule.max_chars)
    ]


class _ChatBodySchema(BaseModel):
    """The schema sent with a chat body call: the field rules' bounds, so a backend that
    constrains decoding cannot answer "..." or run past a field's length (answers are still read
    as _ChatBody and checked field by field)."""

    headline: _bounded("headline")  # type: ignore[valid-type]
    blocks: list[_bounded("paragraph")] = Field(min_length=1, max_length=4)  # type: ignore[valid-type]
    cta: _bounded("button") = ""  # type: ignore[valid-type]
    ps: _bounded("ps") = ""  # type: ignore[valid-type]


class _Part(BaseModel):
    kind: FieldKind
    text: str
    origin: Literal["model", "fallback"]


def _strip_tags_for_prompt(text: str, platform: str) -> str:
    try:
        return display_text(to_neutral(text, platform), sample="")
    except MergeTagError:
        return display_text(text, sample="")


def _examples(brief: Brief, context: BrandContext) -> list[_Example]:
    """Past emails with a body, same goal first, best click rate first; voice lines fill in."""
    data = body_angles()
    rows = [c for c in context.brand.campaigns if c.body and c.body.strip()]
    rows.sort(key=lambda c: (c.goal != brief.goal.value, -c.click_rate))
    samples = list(context.brand.voice.sample_lines)
    out: list[_Example] = []
    for i, row in enumerate(rows[: PROMPT_LIMITS["examples"]]):
        platform = row.platform or "mailchimp"
        subject = _strip_tags_for_prompt(row.subject, platform)
        paragraphs = [row.body.strip()] if row.body else []
        if samples:
            paragraphs.append(samples[i % len(samples)])
        out.append(
            _Example(
                goal=row.goal,
                angle=infer_angle(subject),
                subject=subject,
                headline=_strip_tags_for_prompt(row.preheader or row.subject, platform),
                paragraphs=paragraphs,
                button=data.default_cta.get(row.goal, "Read more"),
                ps=samples[(i + 1) % len(samples)] if len(samples) > 1 and i == 0 else "",
                source=f"{CAMPAIGNS_FILE} line {row.line}",
            )
        )
    return out


class BodyWriter:
    """Writes one body to a BodySpec for a brief: drafts, screens, renders, repairs."""

    def __init__(
        self,
        brief: Brief,
        context: BrandContext,
        settings: Settings,
        llm: LLM,
        *,
        evaluators: Sequence[str] = BODY_EVALUATORS,
        screen: Screen | None = None,
        footer: Footer | None = None,
        progress: Progress | None = None,
        used: set[str] | None = None,
    ) -> None:
        self.brief = brief
        self.context = context
        self.settings = settings
        self.llm = llm
        self.evaluators = tuple(evaluators)
        self.hard = tuple(e for e in self.evaluators if e in HARD_CHECKS)
        self.extra_screen = screen
        self.footer = footer or footer_for(context.brand, brief.goal.value)
        self.progress = progress or quiet
        self.sender = sender_name(context.brand)
        self.examples = _examples(brief, context)
        # normalised texts already taken (shared across the writers of one sequence)
        self._used: set[str] = used if used is not None else set()
        self._used |= {normalised(p) for ex in self.examples for p in ex.paragraphs}
        self._used |= {normalised(ex.headline) for ex in self.examples}
        self.rejected: list[RejectedField] = []

    # -- screening ------------------------------------------------------------------------------
    def problems(self, text: str) -> list[str]:
        """Why a field cannot be used: merge tags, grounding, spam, the caller's own screen."""
        try:
            rendered = render_line(text, self.brief)
        except MergeTagError as exc:
            return [str(exc)]
        probe = Variant(subject="", body=rendered)
        checked = evaluate_variants(
            [probe], self.brief, self.context, self.settings, evaluators=FIELD_EVALUATORS
        )[0]
        found = [f"{c.name}: {c.message}" for c in hard_failures(checked)]
        found += offer_problems(text, self.brief.offer)
        if self.extra_screen is not None:
            found += self.extra_screen(text)
        return found

    # -- drafting -------------------------------------------------------------------------------
    def _prompt(
        self, spec: BodySpec, filled: list[tuple[str, str]], next_label: str, max_tokens: int
    ) -> str:
        groups: dict[str, list[Any]] = {
            "examples": self.examples,
            "facts": list(self.context.products)[: PROMPT_LIMITS["facts"]],
            "voice": list(self.context.voice)[: PROMPT_LIMITS["voice"]],
        }
        subject = _strip_tags_for_prompt(spec.subject, self.brief.platform) if spec.subject else ""

        def draw(kept: dict[str, list[Any]]) -> str:
            return render(
                "body_completion.j2",
                brand_name=self.context.brand.name.replace("_", " ").title(),
                voice=kept["voice"],
                facts=kept["facts"],
                offer=self.brief.offer,
                examples=kept["examples"],
                with_subject=bool(subject),
                goal=spec.goal,
                angle=spec.angle.replace("_", " "),
                subject=subject,
                filled=filled,
                next_label=next_label,
            ).rstrip()  # the model continues the label's own line

        budget = self.llm.context_window - max_tokens - 8
        prompt, _kept, _tokens = fit_prompt(
            draw, groups, ["examples", "voice", "facts"], self.llm.count_tokens, budget
        )
        return prompt

    def _field(
        self, spec: BodySpec, kind: FieldKind, filled: list[tuple[str, str]], seed: int
    ) -> str | None:
        """One field from the model within the retry budget, or None."""
        rule = RULES[kind]
        prompt = self._prompt(spec, filled, rule.label, rule.max_tokens)

        def attempt(n: int, _last: Retry | None) -> str:
            out = self.llm.complete(
                prompt,
                max_tokens=rule.max_tokens,
                stop=STOP,
                seed=seed + 1000 * n,
                # a retry of the same prompt runs a little hotter, so it does not repeat itself
                temperature=min(RETRY_TEMPERATURE_MAX, self.settings.llm_temperature + 0.2 * n)
                if n
                else None,
            )
            text = self._accept(spec, kind, out.text)
            if text is None:
                raise Retry(f"no usable {rule.label.lower()}")
            return text

        try:
            return first_valid(self.settings.llm_max_retries + 1, attempt)
        except Retry:
            return None

    def _draft_completion(self, spec: BodySpec, seed: int) -> list[_Part]:
        parts: list[_Part] = []
        filled: list[tuple[str, str]] = []
        paragraphs: list[FieldKind] = ["paragraph"] * spec.blocks
        steps: list[FieldKind] = ["headline", *paragraphs]
        if spec.cta_text is None:
            steps.append("button")
        if spec.ps:
            steps.append("ps")
        for i, kind in enumerate(steps):
            if kind == "ps" and spec.cta_text is not None:
                filled.append((RULES["button"].label, spec.cta_text))
            text = self._field(spec, kind, filled, seed + 17 * i)
            self.progress(f"{spec.angle}: {RULES[kind].label.lower()}", (i + 1) / len(steps))
            if text is None:
                if kind == "ps":
                    continue
                parts.append(
                    _Part(kind=kind, text=self._fallback(spec, kind, parts), origin="fallback")
                )
            else:
                parts.append(_Part(kind=kind, text=text, origin="model"))
            filled.append((RULES[kind].label, parts[-1].text))
        return parts

    def _draft_chat(self, spec: BodySpec, seed: int) -> list[_Part]:
        system = render(
            "body_chat_system.j2", brand_name=self.context.brand.name.replace("_", " ").title()
        )
        groups: dict[str, list[Any]] = {
            "examples": self.examples,
            "facts": list(self.context.products),
            "voice": list(self.context.voice),
        }

        def draw(kept: dict[str, list[Any]]) -> str:
            return render(
                "body_chat_user.j2",
                goal=spec.goal,
                angle=spec.angle.replace("_", " "),
                angle_description=spec.angle_description or spec.angle,
                segment=self.brief.segment.name,
                segment_description=self.brief.segment.description or "",
                subject=_strip_tags_for_prompt(spec.subject, self.brief.platform)
                if spec.subject
                else "",
                tone=self.brief.tone or "",
                cta=spec.cta_text or "",
                offer=self.brief.offer or "",
                fields=self.brief.personalization,
                blocks=spec.blocks,
                voice=kept["voice"],
                facts=kept["facts"],
                examples=kept["examples"],
            )

        budget = self.llm.context_window - CHAT_MAX_TOKENS - self.llm.count_tokens(system) - 16
        user, _kept, _tokens = fit_prompt(
            draw, groups, ["examples", "voice", "facts"], self.llm.count_tokens, budget
        )
        try:
            answer: _ChatBody | None = ask_json(
                self.llm,
                [
                    ChatMessage(role="system", content=system),
                    ChatMessage(role="user", content=user),
                ],
                _ChatBodySchema,
                step=f"body ({spec.angle})",
                read=_parse_chat_body,
                reask=reask_note('{"headline": ..., "blocks": [...], "cta": ..., "ps": ...}'),
                max_tokens=CHAT_MAX_TOKENS,
                seed=seed,
            )
        except ModelOutputError:
            answer = None  # every field falls back below, and the body's origins say so
        self.progress(f"{spec.angle}: drafted", 1.0)
        if answer is None:
            answer = _ChatBody(headline="", blocks=[""])  # every field falls back below
        parts: list[_Part] = []
        wanted: list[tuple[FieldKind, str]] = [("headline", answer.headline)]
        blocks = [*answer.blocks[: spec.blocks], *([""] * (spec.blocks - len(answer.blocks)))]
        wanted += [("paragraph", b) for b in blocks]
        if spec.cta_text is None:
            wanted.append(("button", answer.cta))
        for kind, raw in wanted:
            text = self._accept(spec, kind, raw) if raw.strip() else None
            if text is None:
                parts.append(
                    _Part(kind=kind, text=self._fallback(spec, kind, parts), origin="fallback")
                )
            else:
                parts.append(_Part(kind=kind, text=text, origin="model"))
        if spec.ps and answer.ps.strip():
            ps = self._accept(spec, "ps", answer.ps)
            if ps is not None:
                parts.append(_Part(kind="ps", text=ps, origin="model"))
        return parts

    def _accept(self, spec: BodySpec, kind: FieldKind, raw: str) -> str | None:
        """The cleaned field if it is usable; otherwise record why not and return None."""
        try:
            text = clean_field(kind, raw)
        except ParseFailure as exc:
            self._reject(spec, kind, raw, str(exc))
            return None
        if normalised(text) in self._used:
            self._reject(spec, kind, text, "repeats an example or an earlier field")
            return None
        found = self.problems(text)
        if found:
            self._reject(spec, kind, text, "; ".join(found))
            return None
        self._used.add(normalised(text))
        return text

    def _reject(self, spec: BodySpec, kind: str, text: str, reason: str) -> None:
        self.rejected.append(
            RejectedField(angle=spec.angle, field=kind, text=text.strip()[:300], reason=reason)
        )

    def _fallback(self, spec: BodySpec, kind: FieldKind, parts: list[_Part]) -> str:
        fill = lambda s: s.replace("{sender}", self.sender)  # noqa: E731 - local shorthand
        if kind == "headline":
            text = fill(spec.fallback.headline)
            self._used.add(normalised(text))  # so no block repeats it
            return text
        if kind == "button":
            return spec.fallback_cta
        n = sum(1 for p in parts if p.kind == "paragraph")
        text = fill(spec.fallback.blocks[n % len(spec.fallback.blocks)])
        self._used.add(normalised(text))
        return text

    # -- assembly and repair --------------------------------------------------------------------
    def _render(self, spec: BodySpec, parts: list[_Part]) -> tuple[EmailContent, Any]:
        get = lambda kind: [p.text for p in parts if p.kind == kind]  # noqa: E731
        content = EmailContent(
            headline=get("headline")[0],
            blocks=get("paragraph"),
            cta_text=spec.cta_text or get("button")[0],
            cta_url=spec.cta_url,
            ps=next(iter(get("ps")), None),
            greeting=greeting_for(self.brief.personalization),
            subject=_neutral_or_same(spec.subject or "", self.brief.platform),
            preheader=_neutral_or_same(spec.preheader or "", self.brief.platform),
            language=self.brief.language,
        )
        fixed = lambda t: with_fallbacks(t)  # noqa: E731 - bare name tags get a fallback
        content = content.model_copy(
            update={
                "headline": fixed(content.headline),
                "blocks": [fixed(b) for b in content.blocks],
                "ps": fixed(content.ps) if content.ps else None,
            }
        )
        rendered = render_email(
            content, self.footer, self.brief.platform, self.brief.personalization
        )
        return content, rendered

    def _failures(self, variant: Variant) -> list[CheckResult]:
        checked = evaluate_variants(
            [variant], self.brief, self.context, self.settings, evaluators=self.hard
        )[0]
        return hard_failures(checked)

    def write(self, spec: BodySpec, seed: int, sources: list[str]) -> BodyVariant:
        """A body that passes every hard check (model copy where it can, fallbacks where not)."""
        if self.llm.prompt_style == "chat":
            parts = self._draft_chat(spec, seed)
        else:
            parts = self._draft_completion(spec, seed)
        notes: list[str] = []
        while True:
            content, rendered = self._render(spec, parts)
            body = BodyVariant(
                angle=spec.angle,
                headline=content.headline,
                blocks=content.blocks,
                cta_text=content.cta_text,
                cta_url=content.cta_url,
                ps=content.ps,
                subject=spec.subject,
                preheader=spec.preheader,
                html=rendered.html,
                text=rendered.text,
                sources=sources,
                origin=_origins(parts, spec),
                notes=notes + [f"sanitiser removed {r}" for r in rendered.removed],
            )
            fails = self._failures(body.as_variant())
            if not fails:
                return body
            i = _next_to_replace(parts)
            if i is None:
                raise ModelOutputError(
                    f"the {spec.angle} body fails hard checks even with fallback copy "
                    f"({failure_reason(fails)})"
                )
            reason = ", ".join(c.name for c in fails)
            if parts[i].kind == "ps":
                notes.append(f"dropped the P.S. (the {reason} check failed with it)")
                parts.pop(i)
            else:
                notes.append(f"replaced the model's {parts[i].kind} with fallback copy ({reason})")
                parts[i] = _Part(
                    kind=parts[i].kind, text=self._fallback_at(spec, parts, i), origin="fallback"
                )

    def _fallback_at(self, spec: BodySpec, parts: list[_Part], i: int) -> str:
        return self._fallback(spec, parts[i].kind, parts[:i])


#: repair order: the P.S. first, then blocks from the last, then the button, then the headline
_REPAIR_ORDER: dict[str, int] = {"ps": 0, "paragraph": 1, "button": 2, "headline": 3}


def _next_to_replace(parts: list[_Part]) -> int | None:
    """Index of the model-written part to swap for fallback copy next, or None when none is left."""
    model = [i for i, p in enumerate(parts) if p.origin == "model"]
    if not model:
        return None
    return min(model, key=lambda i: (_REPAIR_ORDER[parts[i].kind], -i))


def _origins(parts: list[_Part], spec: BodySpec) -> dict[str, str]:
    """Who wrote each part: 'model', 'fallback' or 'given' (CTA text fixed by the brief or step)."""
    out: dict[str, str] = {}
    n = 0
    for p in parts:
        if p.kind == "paragraph":
            n += 1
            out[f"block{n}"] = p.origin
        else:
            out[p.kind] = p.origin
    if spec.cta_text is not None:
        out["button"] = "given"
    return out


def _neutral_or_same(text: str, platform: str) -> str:
    try:
        return to_neutral(text, platform)
    except MergeTagError:
        return text


def _parse_chat_body(text: str) -> _ChatBody:
    return parse_contract(text, _ChatBody, ParseFailure)


def context_sources(context: BrandContext, examples: int = PROMPT_LIMITS["examples"]) -> list[str]:
    """Ids of the KB items a body's prompt showed the model."""
    ids = [i.id for i in list(context.voice)[: PROMPT_LIMITS["voice"]]]
    ids += [i.id for i in list(context.products)[: PROMPT_LIMITS["facts"]]]
    ids += [i.id for i in context.top_performers[:3]]
    return ids


def body_specs(brief: Brief, keep: int, subject: str | None = None) -> list[BodySpec]:
    """K specs with distinct angles suited to the brief's goal."""
    data = body_angles()
    names = list(data.goal_angles.get(brief.goal.value, []))
    names += [n for n in data.angles if n not in names]
    if keep > len(names):
        raise CopilotError(
            f"--keep {keep}: there are only {len(names)} distinct body angles; ask for fewer"
        )
    cta_url = brief.cta_url or placeholder_url()
    return [
        BodySpec(
            angle=name,
            angle_description=data.angles[name].describe,
            goal=brief.goal.value,
            subject=subject,
            cta_text=brief.cta,
            cta_url=cta_url,
            fallback=data.angles[name].fallback,
            fallback_cta=data.default_cta.get(brief.goal.value, "Read more"),
        )
        for name in names[:keep]
    ]


def evaluate_bodies(
    bodies: list[BodyVariant],
    brief: Brief,
    context: BrandContext,
    settings: Settings,
    evaluators: Sequence[str] = BODY_EVALUATORS,
) -> list[BodyVariant]:
    """Copies with score, checks and explanation: hard checks on the email as sent, soft scores
    on the headline and first block."""
    hard = [e for e in evaluators if e in HARD_CHECKS]
    soft = [e for e in evaluators if e not in HARD_CHECKS]
    hard_checked = (
        evaluate_variants([b.as_variant() for b in bodies], brief, context, settings, hard)
        if hard
        else [Variant(subject="") for _ in bodies]
    )
    soft_checked = (
        evaluate_variants([b.soft_view() for b in bodies], brief, context, settings, soft)
        if soft
        else [Variant(subject="") for _ in bodies]
    )
    out = []
    for body, h, s in zip(bodies, hard_checked, soft_checked, strict=True):
        checks = [*h.checks, *s.checks]
        score = combine(checks, set(hard), settings.eval_weights)
        out.append(
            body.model_copy(
                update={
                    "score": score,
                    "checks": checks,
                    "explanation": explain(score, checks, set(hard)),
                }
            )
        )
    return out


@metered
def generate_bodies(
    brief: Brief,
    settings: Settings,
    *,
    llm: LLM,
    context: BrandContext,
    subject: str | None = None,
    keep: int = 2,
    blocks: int = 2,
    ps: bool = True,
    evaluators: Sequence[str] = BODY_EVALUATORS,
    progress: Progress | None = None,
) -> BodyResult:
    """Draft `keep` bodies with distinct angles, each passing every hard check, scored 0-100."""
    say = progress or quiet
    writer = BodyWriter(brief, context, settings, llm, evaluators=evaluators)
    specs = [
        s.model_copy(update={"blocks": blocks, "ps": ps}) for s in body_specs(brief, keep, subject)
    ]
    notes: list[str] = []
    if not brief.cta_url:
        notes.append(
            f"the brief has no cta_url: buttons link to {specs[0].cta_url}; replace it before sending"
        )
    sources = context_sources(context) + [ex.source for ex in writer.examples]
    out: list[BodyVariant] = []
    for i, spec in enumerate(specs):
        writer.progress = scaled(say, i / len(specs), (i + 1) / len(specs))
        seed = (settings.llm_seed or 0) + 104729 * (i + 1)
        try:
            out.append(writer.write(spec, seed, sources))
        except ModelOutputError as exc:
            notes.append(f"{spec.angle} body dropped: {exc}")
    if not out:
        raise ModelOutputError("no body passed the hard checks; see the notes: " + "; ".join(notes))
    final = evaluate_bodies(out, brief, context, settings, evaluators)
    final.sort(key=lambda b: b.score if b.score is not None else 0.0, reverse=True)
    return BodyResult(
        brief=brief,
        variants=final,
        rejected=writer.rejected,
        notes=notes,
        **written_by(llm, current_usage()),
    )
