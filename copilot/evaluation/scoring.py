"""Run the evaluators on a set of variants and combine their results into a 0-100 score.

Components and their weights come from `settings.eval_weights`: `hard_checks` (the mean score of
the hard checks), `voice`, `relevance`, `fluency`, `performance`, `diversity` and `judge`;
weights are renormalised over the components that ran (the performance model and the LLM judge
are optional). Any failed hard check caps the score at FAIL_CAP, because such a variant is never
sent as it is. A soft score can fail too (fluency below its floor): that does not cap the score,
but the subject-line generator drops drafts with any failed check.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from copilot.evaluation.base import Evaluator, Unavailable, available, create
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant

#: hard checks: a "fail" means the variant is not delivered as-is
HARD_CHECKS: tuple[str, ...] = (
    "subject_length",
    "preheader",
    "spam",
    "merge_tags",
    "body",
    "grounding",
)
#: soft scores: each is one weighted component of the combined score
SOFT_SCORES: tuple[str, ...] = (
    "voice",
    "relevance",
    "fluency",
    "performance",
    "diversity",
    "judge",
)
#: soft scores that may be absent: performance until its model is trained, judge unless switched
#: on with a chat model; without them the other weights renormalise
OPTIONAL_SCORES: tuple[str, ...] = ("performance", "judge")
#: what evaluate_variants runs when not told otherwise (the optional ones only when available)
DEFAULT_EVALUATORS: tuple[str, ...] = HARD_CHECKS + SOFT_SCORES
#: the component name under which the hard checks are weighted
HARD_COMPONENT = "hard_checks"
#: highest combined score of a variant with a failed hard check
FAIL_CAP = 40.0
STRONG = 0.7

_BUILTIN_MODULES = {
    "subject_length": "copilot.evaluation.checks.length",
    "preheader": "copilot.evaluation.checks.length",
    "spam": "copilot.evaluation.checks.spam",
    "merge_tags": "copilot.evaluation.checks.merge_tags",
    "body": "copilot.evaluation.checks.body",
    "grounding": "copilot.evaluation.grounding.check",
    "voice": "copilot.evaluation.scores.voice",
    "relevance": "copilot.evaluation.scores.relevance",
    "fluency": "copilot.evaluation.scores.fluency",
    "diversity": "copilot.evaluation.scores.diversity",
    "performance": "copilot.evaluation.scores.performance",
    "judge": "copilot.evaluation.scores.judge",
}
_LABELS = {
    "voice": "brand voice",
    "relevance": "relevance to the brief",
    "fluency": "fluent English",
    "performance": "predicted performance",
    "diversity": "distinctness within the set",
    "judge": "judge's rubric",
}


def _optional(name: str, settings: Settings, model: Any = None) -> Evaluator | None:
    """An optional evaluator, or None while its module or trained model is missing or it is
    switched off (the judge without COPILOT_JUDGE or a chat model)."""
    try:
        importlib.import_module(_BUILTIN_MODULES[name])
    except ImportError:
        return None
    if name not in available():
        return None
    try:
        return create(name, settings, model)
    except (FileNotFoundError, Unavailable):
        return None


def load_evaluators(names: Sequence[str], settings: Settings, model: Any = None) -> list[Evaluator]:
    """Create evaluators by name (importing built-in modules registers them); `model` is the
    run's language model for those that grade with one (None: the configured model)."""
    out: list[Evaluator] = []
    for name in names:
        if name in OPTIONAL_SCORES:
            evaluator = _optional(name, settings, model)
            if evaluator is not None:
                out.append(evaluator)
            continue
        module = _BUILTIN_MODULES.get(name)
        if module is not None:
            importlib.import_module(module)
        out.append(create(name, settings, model))
    return out


def _run(
    evaluator: Evaluator, variants: Sequence[Variant], brief: Brief, context: BrandContext
) -> list[CheckResult] | None:
    try:
        results = evaluator.evaluate(variants, brief, context)
    except Unavailable:
        if evaluator.hard:
            raise  # a hard check always answers; one that cannot is a bug
        return None  # nothing usable for this set (the evaluator logged why): leave it out
    except FileNotFoundError:
        if evaluator.name == "performance":
            return None  # the trained model is not there yet: leave the component out
        raise
    if len(results) != len(variants):
        raise RuntimeError(
            f"evaluator {evaluator.name!r} returned {len(results)} results "
            f"for {len(variants)} variants"
        )
    return results


def combine(checks: Sequence[CheckResult], hard: set[str], weights: dict[str, float]) -> float:
    """The 0-100 score of one variant from its check results (skipped ones left out)."""
    checks = [c for c in checks if c.status != "skip"]
    components: dict[str, float] = {}
    hard_scores = [c.score for c in checks if c.name in hard]
    if hard_scores:
        components[HARD_COMPONENT] = sum(hard_scores) / len(hard_scores)
    for c in checks:
        if c.name not in hard and c.name in weights:
            components[c.name] = c.score
    total = sum(weights.get(k, 0.0) for k in components)
    if total <= 0:
        score = 100.0 * (sum(components.values()) / len(components)) if components else 0.0
    else:
        score = 100.0 * sum(weights.get(k, 0.0) * s for k, s in components.items()) / total
    if any(c.status == "fail" for c in checks if c.name in hard):
        score = min(score, FAIL_CAP)
    return round(score, 1)


def _short(message: str, limit: int = 140) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"


def explain(score: float, checks: Sequence[CheckResult], hard: set[str]) -> str:
    """Two to four plain sentences: score, strengths, main problems, whether it can go out."""
    fails = [c for c in checks if c.status == "fail"]
    hard_fails = [c for c in fails if c.name in hard]
    warns = [c for c in checks if c.status == "warn"]
    strengths = [
        f"{_LABELS[c.name]} ({c.score:.2f})"
        for c in checks
        if c.name in _LABELS and c.score >= STRONG and c.status == "pass"
    ]
    sentences = []
    if strengths:
        sentences.append(f"Scores {score:.0f}/100, with strong {' and '.join(strengths)}.")
    else:
        sentences.append(f"Scores {score:.0f}/100.")
    if not fails and not warns:
        ran = "" if all(c.status != "skip" for c in checks) else " that applies"
        sentences.append(f"Every check{ran} passes.")
    else:
        if not hard_fails:
            sentences.append("All hard checks pass.")
        problems = [f"{c.name}: {_short(c.message)}" for c in (fails + warns)[:2]]
        sentences.append("Main problems: " + "; ".join(problems) + ".")
    if hard_fails:
        names = ", ".join(c.name for c in hard_fails)
        sentences.append(f"It cannot be sent as-is: fix the failed {names} check first.")
    return " ".join(sentences)


def evaluate_variants(
    variants: Sequence[Variant],
    brief: Brief,
    context: BrandContext,
    settings: Settings,
    evaluators: Sequence[str | Evaluator] | None = None,
    *,
    model: Any = None,
) -> list[Variant]:
    """Copies of the variants, in order, with `score` (0-100), all `checks` and an `explanation`;
    `model` is the run's language model, which the judge grades with."""
    chosen: list[Evaluator] = []
    for item in evaluators or DEFAULT_EVALUATORS:
        if isinstance(item, str):
            chosen.extend(load_evaluators([item], settings, model))
        else:
            chosen.append(item)
    results: list[list[CheckResult]] = []
    hard = {e.name for e in chosen if e.hard}
    for evaluator in chosen:
        got = _run(evaluator, variants, brief, context)
        if got is not None:
            results.append(got)
    out = []
    for i, variant in enumerate(variants):
        checks = [r[i] for r in results]
        score = combine(checks, hard, settings.eval_weights)
        out.append(
            variant.model_copy(
                update={
                    "score": score,
                    "checks": checks,
                    "explanation": explain(score, checks, hard),
                }
            )
        )
    return out


def hard_failures(variant: Variant, hard: Sequence[str] = HARD_CHECKS) -> list[CheckResult]:
    """The failed hard checks of an evaluated variant (empty: it may be sent)."""
    return [c for c in variant.checks if c.status == "fail" and c.name in hard]
