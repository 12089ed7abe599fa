"""The `judge` score: a chat model grades each variant on a rubric (optional, off by default).

Four criteria, each 1-5 with a one-line reason that quotes the variant: relevance to the brief's
goal and segment, clarity, fit with the voice guide's do's and don'ts, and honest urgency (no
pressure the offer does not state). The score is the mean rescaled to [0, 1]; any criterion at
2 or below warns. One call grades the whole set; an answer that breaks the JSON contract gets one
repair turn, and when that fails too (or the model cannot be reached) the set gets no judge
results, so scoring leaves the component out, and the reason is logged.

It runs only when COPILOT_JUDGE is on and the configured model takes chat prompts: a base model
such as the bundled Gemma 3 270M cannot follow a rubric, so the judge is off for it and
`judge_note` says why, once, at the edge (CLI, workflow).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, field_validator

from copilot.errors import LLMError
from copilot.evaluation.base import Unavailable, register
from copilot.evaluation.scores.voice import voice_references
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM, ChatMessage
from copilot.llm.budget import fit_or_raise
from copilot.llm.contract import parse_contract
from copilot.llm.registry import shared_llm
from copilot.llm.structured import Retry, ask_json
from copilot.prompts import render
from copilot.settings import Settings
from copilot.variants import CheckResult, Status, Variant

log = logging.getLogger(__name__)

#: rubric keys in the JSON contract, with the words the message uses for them
CRITERIA: dict[str, str] = {
    "relevance": "relevance",
    "clarity": "clarity",
    "voice": "voice fit",
    "urgency": "honest urgency",
}
#: a criterion graded at or below this warns
WARN_AT = 2
#: grading should not be creative: the same set gets the same verdicts
TEMPERATURE = 0.0
MAX_REPLY_TOKENS = 4000
REASON_CHARS = 160
#: tokens a chat template adds around each message (role markers)
PER_MESSAGE_TOKENS = 16
#: voice lines and facts shown at most; the prompt drops them first when the window is small
PROMPT_LIMITS = {"samples": 6, "facts": 3}


class Grade(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str

    @field_validator("reason")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a reason is required")
        return value if len(value) <= REASON_CHARS else value[: REASON_CHARS - 1] + "…"


class JudgeVerdict(BaseModel):
    """The judge's grades for one variant, numbered as in the prompt (from 1)."""

    variant: int
    relevance: Grade
    clarity: Grade
    voice: Grade
    urgency: Grade


class JudgeVerdicts(BaseModel):
    """What the judge must return (the structured-output contract)."""

    verdicts: list[JudgeVerdict] = Field(min_length=1)


class VerdictError(Retry):
    """The judge's answer could not be used; the message says why (and goes into the re-ask)."""


def parse_verdicts(text: str, n: int) -> list[JudgeVerdict]:
    """The verdicts for variants 1..n, in order, from a chat model's JSON answer."""
    parsed = parse_contract(text, JudgeVerdicts, VerdictError, list_key="verdicts")
    by_number: dict[int, JudgeVerdict] = {}
    for verdict in parsed.verdicts:
        if verdict.variant in by_number:
            raise VerdictError(f"variant {verdict.variant} is graded twice")
        by_number[verdict.variant] = verdict
    wanted = set(range(1, n + 1))
    if set(by_number) - wanted:
        extra = ", ".join(str(i) for i in sorted(set(by_number) - wanted))
        raise VerdictError(f"there is no variant {extra}; the variants are numbered 1 to {n}")
    if wanted - set(by_number):
        missing = ", ".join(str(i) for i in sorted(wanted - set(by_number)))
        raise VerdictError(f"no verdict for variant {missing}")
    return [by_number[i] for i in range(1, n + 1)]


def to_result(verdict: JudgeVerdict) -> CheckResult:
    """One variant's CheckResult: mean grade rescaled to [0, 1], the weakest criterion first."""
    grades = {key: getattr(verdict, key) for key in CRITERIA}
    mean = sum(g.score for g in grades.values()) / len(grades)
    status: Status = "warn" if any(g.score <= WARN_AT for g in grades.values()) else "pass"
    weakest_first = sorted(grades, key=lambda k: grades[k].score)  # stable: rubric order on ties
    parts = [f"{CRITERIA[k]} {grades[k].score}/5: {grades[k].reason}" for k in weakest_first]
    return CheckResult(
        name="judge",
        status=status,
        score=round((mean - 1.0) / 4.0, 3),
        message=f"rubric {mean:.1f}/5; " + "; ".join(parts),
    )


def _line(text: str) -> str:
    """A variant field on one line, so it cannot fake the prompt's own layout."""
    return " ".join(text.split())


class JudgeScore:
    """A chat model grades the whole set on the rubric in one call."""

    name = "judge"
    hard = False

    def __init__(self, settings: Settings, llm: LLM) -> None:
        self.llm = llm
        self.seed = settings.llm_seed
        self.tokens_per_variant = settings.llm_max_tokens

    def reply_tokens(self, n: int) -> int:
        """Room for the answer: COPILOT_LLM_MAX_TOKENS per variant (four short reasons and
        their JSON take about 150), plus the wrapper."""
        return min(self.tokens_per_variant * n + 64, MAX_REPLY_TOKENS)

    def messages(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext, reply_tokens: int
    ) -> list[ChatMessage]:
        """The system and user turns; voice lines, then facts, then do's and don'ts are dropped
        as far as the model's window needs (LLMError when even the variants alone overflow)."""
        system = render(
            "judge_chat_system.j2", brand_name=context.brand.name.replace("_", " ").title()
        )
        voice = context.brand.voice
        groups: dict[str, list[Any]] = {
            "samples": voice_references(context)[: PROMPT_LIMITS["samples"]],
            "facts": list(context.products)[: PROMPT_LIMITS["facts"]],
            "dos": list(voice.dos),
            "donts": list(voice.donts),
        }
        lines = [{"subject": _line(v.subject), "preheader": _line(v.preheader)} for v in variants]

        def draw(kept: dict[str, list[Any]]) -> str:
            return render(
                "judge_chat_user.j2",
                goal=brief.goal.value,
                segment=brief.segment.name,
                segment_description=brief.segment.description or "",
                tone=brief.tone or "",
                cta=brief.cta or "",
                offer=brief.offer or "",
                variants=lines,
                **kept,
            )

        budget = (
            self.llm.context_window
            - reply_tokens
            - self.llm.count_tokens(system)
            - 2 * PER_MESSAGE_TOKENS
        )
        user = fit_or_raise(
            draw, groups, ["samples", "facts", "dos", "donts"], self.llm.count_tokens, budget
        )
        return [
            ChatMessage(role="system", content=system),
            ChatMessage(role="user", content=user),
        ]

    def verdicts(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[JudgeVerdict]:
        """The verdicts for the set: one call and one re-ask (the structured-output step);
        ModelOutputError after that."""
        n = len(variants)
        reply_tokens = self.reply_tokens(n)
        return ask_json(
            self.llm,
            self.messages(variants, brief, context, reply_tokens),
            JudgeVerdicts,
            step="judge",
            read=lambda text: parse_verdicts(text, n),
            reask=lambda error: render("judge_repair.j2", error=error, n=n),
            max_tokens=reply_tokens,
            temperature=TEMPERATURE,
            seed=self.seed or 0,
        )

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; Unavailable (no judge results for the set) when the model
        cannot be reached, the prompt does not fit, or both answers are unusable."""
        if not variants:
            return []
        try:
            found = self.verdicts(variants, brief, context)
        except LLMError as exc:
            log.warning("judge: left out of the score for a set of %d: %s", len(variants), exc)
            raise Unavailable(str(exc)) from None
        return [to_result(v) for v in found]


def judge_model(settings: Settings, model: LLM | None = None) -> LLM:
    """The model the judge grades with: the run's `model`, else the configured one;
    Unavailable (with the reason) when the judge is off."""
    if not settings.judge:
        raise Unavailable("the LLM judge is off (set COPILOT_JUDGE=true to turn it on)")
    llm = model or shared_llm(settings)
    if llm.prompt_style != "chat":
        raise Unavailable(
            f"the LLM judge is off although COPILOT_JUDGE is on: {llm.model} takes completion "
            "prompts (a base model) and cannot follow a rubric; use a capable chat model "
            "(COPILOT_LLM_PROVIDER, COPILOT_LLM_MODEL) or force COPILOT_LLM_PROMPT_STYLE=chat"
        )
    return llm


def judge_note(settings: Settings) -> str | None:
    """What to tell the user once about a judge they asked for: why it is off, or that it has
    no weight; None when it was not asked for or runs as configured."""
    if not settings.judge:
        return None
    try:
        judge_model(settings)
    except Unavailable as exc:
        return str(exc)
    if settings.eval_weights.get("judge", 0.0) <= 0:
        return (
            "the LLM judge runs but COPILOT_EVAL_WEIGHTS gives it no weight: its verdicts are "
            "listed with the checks and do not change the score"
        )
    return None


@register("judge", takes_model=True)
def _factory(settings: Settings, model: LLM | None) -> Any:
    return JudgeScore(settings, judge_model(settings, model))
