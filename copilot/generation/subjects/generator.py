"""Subject-line + preheader generation: retrieve, draft many, drop the unusable, score, keep the best."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.runnables import RunnableLambda
from pydantic import BaseModel

from copilot.envelope import ResultEnvelope, written_by
from copilot.generation.angles import infer_angle, plan_angles
from copilot.generation.parsing import (
    ChatDraftList,
    Draft,
    parse_chat,
    parse_completion,
)
from copilot.generation.pipeline import (
    CandidateChain,
    Failing,
    Filter,
    Gate,
    Kept,
    Rejected,
    Score,
    drop_near_duplicates,
    drop_other_offers,
    drop_past_lines,
    failed_checks,
    rejection,
    render_drafts,
)
from copilot.generation.subjects.grammar import GrammarLLM, draft_grammar
from copilot.generation.subjects.patterns import FilledPattern, fill_patterns
from copilot.generation.tags import neutral_line
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.llm.base import LLM, ChatMessage, Completion
from copilot.llm.budget import fit_or_raise, fit_prompt
from copilot.llm.structured import Retry, ask_json, first_valid, reask_note
from copilot.llm.usage import current_usage, metered
from copilot.progress import Progress, quiet
from copilot.prompts import render
from copilot.settings import Settings
from copilot.variants import Variant

COMPLETION_STOP = ["###", "\nGoal:", "\n\n\n"]
COMPLETION_MAX_TOKENS = 64
MAX_ROUNDS = 3
#: context items shown to a base model; more slows the first call and adds little
PROMPT_LIMITS = {"voice": 2, "facts": 3, "examples": 6}
#: how a base model drafts: from scratch after the brand's top performers, by rewriting the
#: closest past winner, or by filling the pattern library's shapes for the brief
STRATEGIES = ("scratch", "edit", "patterns")
#: the prompt template of each strategy
TEMPLATES = {
    "scratch": "subjects_completion.j2",
    "edit": "subjects_edit.j2",
    "patterns": "subjects_patterns.j2",
}
#: `auto`: a model subject longer than this is redrafted (it would run past the inbox preview
#: and it is where the 270M model strings facts together)
MAX_MIXED_SUBJECT = 60
#: soft scores whose warning keeps a draft out of the delivered set while better drafts exist
#: (best-of-N: such drafts only fill the set when too few clear them). Fluency's warning is not
#: a gate: lines dense with prices and names read below it (its failure still drops a draft).
GATES = ("relevance",)
#: `auto` on a base model: the filled patterns first, then the model's drafts in this order. In
#: the copy benchmark (docs/benchmarks.md) the 270M model's own lines were rated sendable far
#: less often than filled patterns, so its drafts are delivered only where too few filled
#: patterns pass every check and gate (they compete on score among themselves).
AUTO_MODEL = ("scratch", "edit")


def variant_json(v: Variant) -> dict[str, Any]:
    """One subject-line variant as the JSON of `copilot generate --json` shows it."""
    return {
        "subject": v.subject,
        "preheader": v.preheader,
        "angle": v.angle,
        "sources": v.sources,
        "score": v.score,
        "checks": [c.model_dump() for c in v.checks],
        "explanation": v.explanation,
    }


class GenerationResult(ResultEnvelope[Rejected]):
    """What `copilot generate` returns: the kept variants, what was dropped and why, and usage."""

    brief: Brief
    variants: list[Variant]

    def payload(self) -> dict[str, Any]:
        """`copilot generate --json`: brief, model and variants, then the envelope's keys."""
        return {
            "brief": self.brief.model_dump(mode="json"),
            "model": self.model,
            "variants": [variant_json(v) for v in self.variants],
        }


class Example(BaseModel):
    """A past subject line shown to the model as a few-shot example."""

    goal: str
    segment: str
    angle: str
    subject: str
    preheader: str
    open_rate: float = 0.0
    click_rate: float = 0.0
    source: str = ""


def few_shot_examples(context: BrandContext) -> list[Example]:
    """Few-shot examples: the retrieved top performers, best first, in the neutral tag form."""
    out = []
    for item in context.top_performers:
        meta = item.metadata
        platform = meta.get("platform") or "mailchimp"
        subject = neutral_line(meta.get("subject", ""), platform)
        out.append(
            Example(
                goal=meta.get("goal", ""),
                segment=meta.get("segment", ""),
                angle=infer_angle(subject),
                subject=subject,
                preheader=neutral_line(meta.get("preheader", ""), platform),
                open_rate=item.metrics.get("open_rate", 0.0),
                click_rate=item.metrics.get("click_rate", 0.0),
                source=item.id,
            )
        )
    return out


def pattern_examples(brief: Brief, context: BrandContext) -> list[Example]:
    """The pattern library's shapes filled for this brief, as few-shot examples."""
    return [
        Example(
            goal=brief.goal.value,
            segment=brief.segment.name,
            angle=p.angle,
            subject=p.subject,
            preheader=p.preheader,
            source=f"pattern:{p.pattern}",
        )
        for p in fill_patterns(brief, context.brand)
    ]


def edit_sources(brief: Brief, context: BrandContext) -> list[Example]:
    """Past winners to rewrite: the retrieved ones of the brief's goal first (retrieval ranks
    them by similarity to the brief and measured results), then the rest."""
    examples = few_shot_examples(context)
    same = [e for e in examples if e.goal == brief.goal.value]
    return same + [e for e in examples if e.goal != brief.goal.value]


def plan_strategies(strategy: str, n: int, fills: int = 0) -> list[str]:
    """The strategy of each of `n` drafts: one strategy, or `auto`'s plan: a pattern pick for
    each of the `fills` patterns filled for the brief (no model call), then the model's own
    drafts for the rest, scratch and edit in turn."""
    if strategy != "auto":
        return [strategy] * n
    picks = ["patterns"] * min(fills, n)
    return picks + [AUTO_MODEL[i % len(AUTO_MODEL)] for i in range(n - len(picks))]


def order_examples(examples: list[Example], angle: str, turn: int) -> list[Example]:
    """Few-shot order for one draft: rotated per draft (so drafts do not all imitate the same
    line), with an example of the requested angle, if any, closest to the task."""
    if not examples:
        return []
    k = turn % len(examples)
    rotated = examples[k:] + examples[:k]
    same = [e for e in rotated if e.angle == angle]
    if same:
        rotated.remove(same[0])
        rotated.append(same[0])
    return rotated


class SubjectGenerator:
    """The chain: retrieve -> draft -> clean -> score -> select, as LangChain runnables."""

    def __init__(self, settings: Settings, llm: LLM, progress: Progress | None = None) -> None:
        self.settings = settings
        self.llm = llm
        self.progress = progress or quiet
        #: rendered subject -> the strategy that drafted it (for the result's notes)
        self.strategies: dict[str, str] = {}
        #: filled patterns already drafted in this run (each is offered once)
        self.used_fills: set[str] = set()
        #: drafted fills that carry the brief's offer, call to action or product (neutral tags),
        #: and the same subjects as rendered for the platform
        self.specific_fills: set[str] = set()
        self.specific: set[str] = set()

    # -- drafting -----------------------------------------------------------------------------
    def render_completion(
        self,
        brief: Brief,
        context: BrandContext,
        angle: str,
        turn: int = 0,
        strategy: str = "scratch",
    ) -> str:
        """The few-shot prompt a base model continues for one draft of `strategy`; `turn`
        rotates the examples (and, for `edit`, the past line rewritten)."""
        if strategy == "patterns":
            examples = pattern_examples(brief, context)
        elif strategy == "edit":
            examples = edit_sources(brief, context)
        else:
            examples = few_shot_examples(context)
        source = ""
        if strategy == "edit" and examples:
            # the line to rewrite is the last example, so it sits next to the task
            limit = PROMPT_LIMITS["examples"]
            pick = examples[turn % min(len(examples), 3)]
            rest = [e for e in examples if e is not pick][: limit - 1]
            examples = [*rest[::-1], pick]
            source = pick.subject
        groups: dict[str, list[Any]] = {
            "examples": examples[: PROMPT_LIMITS["examples"]]
            if strategy != "patterns"
            else examples,
            "facts": list(context.products)[: PROMPT_LIMITS["facts"]],
            "voice": list(context.voice)[: PROMPT_LIMITS["voice"]],
        }
        if strategy in ("edit", "patterns") and not examples:
            strategy = "scratch"  # no past line to edit, or no pattern the brief can fill

        def draw(kept: dict[str, list[Any]]) -> str:
            shown = kept["examples"]
            if strategy != "edit":
                shown = order_examples(shown, angle, turn)
            # no trailing newline: the model must continue the "Subject:" line itself
            return render(
                TEMPLATES[strategy],
                brand_name=context.brand.name.replace("_", " ").title(),
                voice=kept["voice"],
                facts=kept["facts"],
                offer=brief.offer,
                cta=brief.cta or "",
                source=source,
                examples=shown,
                goal=brief.goal.value,
                segment=brief.segment.name,
                angle=angle,
            ).rstrip()

        budget = self.llm.context_window - COMPLETION_MAX_TOKENS - 8
        drop = ["voice", "facts", "examples"]
        return fit_or_raise(draw, groups, drop, self.llm.count_tokens, budget)

    def _complete(
        self, brief: Brief, context: BrandContext, prompt: str, seed: int, strategy: str
    ) -> Completion:
        """One draft call; under the draft grammar when the model supports it (llama.cpp).

        `patterns` picks a subject and a preheader among the filled patterns; under `auto`,
        scratch and edit drafts write their own subject and pick a pattern preheader (the
        270M model's free preheaders measured mostly unsendable); alone, they write both.
        """
        if self.settings.draft_grammar and isinstance(self.llm, GrammarLLM):
            fills = fill_patterns(brief, context.brand)
            subjects = [f.subject for f in fills] if strategy == "patterns" else []
            chosen = strategy == "patterns" or self.settings.draft_strategy == "auto"
            preheaders = [f.preheader for f in fills] if chosen else []
            return self.llm.complete_with_grammar(
                prompt,
                draft_grammar(brief, subjects, preheaders),
                max_tokens=COMPLETION_MAX_TOKENS,
                seed=seed,
            )
        return self.llm.complete(
            prompt, max_tokens=COMPLETION_MAX_TOKENS, stop=COMPLETION_STOP, seed=seed
        )

    def _draft_completion(
        self,
        brief: Brief,
        context: BrandContext,
        angles: list[str],
        seed0: int,
        strategies: list[str] | None = None,
    ) -> tuple[list[Draft], list[Rejected]]:
        drafts: list[Draft] = []
        rejected: list[Rejected] = []
        fills = fill_patterns(brief, context.brand)
        mixed = self.settings.draft_strategy == "auto" and not self._constrained()
        unused = sum(1 for f in fills if f.subject not in self.used_fills) if mixed else 0
        plan = strategies or plan_strategies(self.settings.draft_strategy, len(angles), unused)
        for i, angle in enumerate(angles):
            strategy = plan[i % len(plan)]
            if mixed and strategy == "patterns":
                pick = self._pick_fill(fills, angle)
                if pick is not None:  # a pattern filled for the brief: no call needed
                    drafts.append(pick)
                    self.progress(f"drafted {i + 1}/{len(angles)}", (i + 1) / len(angles))
                    continue
                strategy = "scratch"
            prompt = self.render_completion(brief, context, angle, turn=i, strategy=strategy)
            try:
                draft = self._one_completion(
                    brief, context, prompt, angle, strategy, seed0 + i, longest=mixed
                )
            except Retry as exc:
                rejected.append(Rejected(subject="", reason=f"model output unusable: {exc}"))
            else:
                draft = draft.model_copy(update={"strategy": strategy})
                if mixed and fills:
                    # the model's subject with a proven preheader: the 270M model's own
                    # preheaders read mostly unsendable (docs in the README)
                    paired = self._pair_preheader(fills, angle, i)
                    draft = draft.model_copy(update={"preheader": paired})
                drafts.append(draft)
            self.progress(f"drafted {i + 1}/{len(angles)}", (i + 1) / len(angles))
        return drafts, rejected

    def _one_completion(
        self,
        brief: Brief,
        context: BrandContext,
        prompt: str,
        angle: str,
        strategy: str,
        seed: int,
        *,
        longest: bool,
    ) -> Draft:
        """One draft from a completion prompt, resampled until it parses (and, with `longest`,
        fits MAX_MIXED_SUBJECT); Retry with the last reason when no sample did."""

        def attempt(n: int, _last: Retry | None) -> Draft:
            out = self._complete(brief, context, prompt, seed + 1000 * n, strategy)
            draft = parse_completion(out.text, angle)
            if longest and len(draft.subject) > MAX_MIXED_SUBJECT:
                raise Retry(f"subject over {MAX_MIXED_SUBJECT} characters")
            return draft

        return first_valid(self.settings.llm_max_retries + 1, attempt)

    def _constrained(self) -> bool:
        return self.settings.draft_grammar and isinstance(self.llm, GrammarLLM)

    def _pick_fill(self, fills: list[FilledPattern], angle: str) -> Draft | None:
        """The next unused filled pattern: one carrying the brief's specifics before a generic
        one, of the draft's angle when one is left."""
        unused = [f for f in fills if f.subject not in self.used_fills]
        if not unused:
            return None
        pool = [f for f in unused if f.specific] or unused
        pick = next((f for f in pool if f.angle == angle), pool[0])
        self.used_fills.add(pick.subject)
        if pick.specific:
            self.specific_fills.add(pick.subject)
        return Draft(
            subject=pick.subject, preheader=pick.preheader, angle=pick.angle, strategy="patterns"
        )

    @staticmethod
    def _pair_preheader(fills: list[FilledPattern], angle: str, turn: int) -> str:
        """A filled pattern's preheader for a model subject: one of its angle, rotating."""
        same = [f for f in fills if f.angle == angle] or fills
        return same[turn % len(same)].preheader

    def _draft_chat(
        self, brief: Brief, context: BrandContext, angles: list[str], seed0: int
    ) -> tuple[list[Draft], list[Rejected]]:
        examples = few_shot_examples(context)
        groups: dict[str, list[Any]] = {
            "examples": examples,
            "facts": list(context.products),
            "voice": list(context.voice),
        }
        max_tokens = min(self.settings.llm_max_tokens * max(1, len(angles)) // 2 + 200, 4000)
        system = render(
            "subjects_chat_system.j2", brand_name=context.brand.name.replace("_", " ").title()
        )

        def draw(kept: dict[str, list[Any]]) -> str:
            return render(
                "subjects_chat_user.j2",
                n=len(angles),
                goal=brief.goal.value,
                segment=brief.segment.name,
                segment_description=brief.segment.description or "",
                tone=brief.tone or "",
                cta=brief.cta or "",
                offer=brief.offer or "",
                angles=sorted(set(angles), key=angles.index),
                fields=brief.personalization,
                voice=kept["voice"],
                facts=kept["facts"],
                examples=kept["examples"],
            )

        notes = [ChatMessage(role="user", content=note) for note in self.chat_notes()]
        budget = (
            self.llm.context_window
            - max_tokens
            - sum(self.llm.count_tokens(m.content) + 16 for m in notes)
            - self.llm.count_tokens(system)
            - 16
        )
        user, _kept, _tokens = fit_prompt(
            draw, groups, ["voice", "facts", "examples"], self.llm.count_tokens, budget
        )
        drafts = ask_json(
            self.llm,
            [
                ChatMessage(role="system", content=system),
                ChatMessage(role="user", content=user),
                *notes,
            ],
            ChatDraftList,
            step="subject lines",
            read=parse_chat,
            reask=reask_note('{"variants": [{"subject": ..., "preheader": ..., "angle": ...}]}'),
            max_tokens=max_tokens,
            seed=seed0,
        )
        self.progress(f"drafted {len(drafts)}", 1.0)
        return drafts, []

    def chat_notes(self) -> list[str]:
        """Messages a chat drafting call adds after the drafting prompt (refine adds the
        marketer's quoted request); none for a fresh round."""
        return []

    def draft(
        self, brief: Brief, context: BrandContext, n: int, round_no: int
    ) -> tuple[list[Draft], list[Rejected]]:
        """A round of `n` drafts over the planned angles; later rounds start further on."""
        angles = plan_angles(n, bool(brief.personalization))
        if round_no:  # later rounds start elsewhere in the angle cycle
            angles = angles[round_no:] + angles[:round_no]
        seed0 = (self.settings.llm_seed or 0) + 7919 * round_no
        return self.draft_angles(brief, context, angles, seed0)

    def draft_angles(
        self, brief: Brief, context: BrandContext, angles: list[str], seed0: int
    ) -> tuple[list[Draft], list[Rejected]]:
        """One draft per angle: a call each on a base model, one JSON answer from a chat model."""
        if self.llm.prompt_style == "chat":
            return self._draft_chat(brief, context, angles, seed0)
        return self._draft_completion(brief, context, angles, seed0)

    # -- cleaning and selection ---------------------------------------------------------------
    def to_variants(
        self, drafts: list[Draft], brief: Brief, context: BrandContext
    ) -> tuple[list[Variant], list[Rejected]]:
        """Render neutral merge tags in the brief's platform syntax (the chain's first step),
        noting how each line was drafted; drafts using fields the brief does not list are
        rejected."""
        sources = [item.id for item in context.top_performers[:3]]
        pairs, rejected = render_drafts(drafts, brief, sources)
        for d, v in pairs:
            if d.strategy:
                self.strategies.setdefault(v.subject, d.strategy)
            if d.strategy == "patterns" and d.subject in self.specific_fills:
                self.specific.add(v.subject)
        return [v for _, v in pairs], rejected

    def drop_copies(
        self, variants: list[Variant], brief: Brief, context: BrandContext
    ) -> tuple[list[Variant], list[Rejected]]:
        """Drop drafts that repeat a past campaign's subject word for word (the model copied it)."""
        return drop_past_lines(brief, context)(variants)

    def drop_duplicates(
        self, variants: list[Variant], kept: list[Variant]
    ) -> tuple[list[Variant], list[Rejected]]:
        """Drop exact and near-duplicates of earlier variants (see pipeline.drop_near_duplicates)."""
        return drop_near_duplicates(variants, kept, self.settings)

    def chain(
        self,
        brief: Brief,
        context: BrandContext,
        score: Score,
        *,
        extra: Sequence[Filter] = (),
        failing: Failing = failed_checks,
        gate: Gate | None = None,
    ) -> CandidateChain:
        """The candidate filter chain for drafts of this generator: render (recording how each
        was drafted), drop other offers, copies of past lines and the `extra` repeats, then
        near-duplicates, score and set aside failures."""

        def render_these(drafts: list[Draft]) -> Kept:
            return self.to_variants(drafts, brief, context)

        return CandidateChain(
            render=render_these,
            filters=[drop_other_offers(brief), drop_past_lines(brief, context), *extra],
            settings=self.settings,
            score=score,
            failing=failing,
            gate=gate,
        )


def below_gate(variant: Variant) -> str:
    """Why a variant that passed every check is still not among the first delivered: a warning
    from a gate (GATES: off the brief); '' when it clears them."""
    warns = [c for c in variant.checks if c.name in GATES and c.status == "warn"]
    return "; ".join(f"{c.name}: {c.message}" for c in warns)


@metered
def generate_subjects(
    brief: Brief,
    settings: Settings,
    *,
    llm: LLM,
    context: BrandContext,
    score: Score,
    n: int | None = None,
    keep: int | None = None,
    progress: Progress | None = None,
) -> GenerationResult:
    """Draft `n` candidates per round (up to MAX_ROUNDS), keep the best `keep` that pass hard checks.

    `score` fills score/checks/explanation on a batch (the evaluators); a variant with a failing
    check is never returned. A variant with a warning from a gate (GATES: off the brief) waits
    in reserve: rounds go on until `keep` variants clear the gates,
    and the reserve, best first, only fills what is still missing after MAX_ROUNDS.
    """
    n = n or settings.gen_n
    keep = keep or settings.gen_keep
    gen = SubjectGenerator(settings, llm, progress)
    candidates = gen.chain(brief, context, score, gate=below_gate)
    passed: list[Variant] = []
    rejected: list[Rejected] = []

    def one_round(round_no: int) -> list[Variant]:
        drafts, bad = gen.draft(brief, context, n, round_no)
        rejected.extend(bad)
        screened = candidates.run(drafts, passed)
        rejected.extend(screened.rejected)
        reserve.extend(screened.reserve)
        return screened.good

    reserve: list[Variant] = []
    chain = RunnableLambda(one_round)
    for round_no in range(MAX_ROUNDS):
        passed.extend(chain.invoke(round_no))
        if len(passed) >= keep:
            break
    # auto on a base model: filled patterns before the model's own drafts (see AUTO_MODEL), and
    # among them those that carry the brief's offer, call to action or product
    patterns_first = settings.draft_strategy == "auto" and llm.prompt_style != "chat"

    def rank(v: Variant) -> tuple[bool, bool, float]:
        model_line = patterns_first and gen.strategies.get(v.subject) != "patterns"
        specific = patterns_first and v.subject in gen.specific
        return (not model_line, specific, v.score if v.score is not None else 0.0)

    passed.sort(key=rank, reverse=True)
    chosen = passed[:keep]
    reserve.sort(key=rank, reverse=True)
    topped = reserve[: keep - len(chosen)]
    chosen += topped
    for v in reserve[len(topped) :]:
        rejected.append(rejection(v, "below the gate: " + below_gate(v)))
    if len(chosen) > 1:  # set-level scores (diversity) must describe the set that is returned
        chosen = sorted(
            score([v.model_copy(update={"score": None, "checks": []}) for v in chosen]),
            key=lambda v: v.score if v.score is not None else 0.0,
            reverse=True,
        )  # the chosen set in score order: a pattern line may follow a better-scored model line
    notes = []
    origins = [gen.strategies.get(v.subject, "") for v in chosen]
    if any(origins):
        counts = {s: origins.count(s) for s in STRATEGIES if s in origins}
        notes.append(
            f"drafting strategy {settings.draft_strategy}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f" of the {len(chosen)} returned"
        )
    if topped:
        notes.append(
            f"{len(topped)} of the {len(chosen)} returned may be off the brief (below the "
            f"{' and '.join(GATES)} gate), for want of better drafts"
        )
    if len(chosen) < keep:
        notes.append(
            f"only {len(chosen)} of {keep} variants passed every hard check after {MAX_ROUNDS} "
            f"rounds of {n} drafts; see 'rejected' for the reasons"
        )
    return GenerationResult(
        brief=brief,
        variants=chosen,
        rejected=rejected,
        notes=notes,
        **written_by(llm, current_usage()),
    )
