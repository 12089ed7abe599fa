"""Combining check results into a 0-100 score, the explanation, and the default evaluator set."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from copilot.evaluation.scoring import (
    DEFAULT_EVALUATORS,
    FAIL_CAP,
    HARD_CHECKS,
    HARD_COMPONENT,
    SOFT_SCORES,
    combine,
    evaluate_variants,
    explain,
    hard_failures,
    load_evaluators,
)
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.settings import DEFAULT_WEIGHTS, Settings
from copilot.variants import CheckResult, Status, Variant

HARD = set(HARD_CHECKS)


def c(name: str, status: Status, score: float, message: str = "") -> CheckResult:
    return CheckResult(name=name, status=status, score=score, message=message or f"{name} {status}")


def test_weights_renormalise_over_components_present() -> None:
    weights = {"hard_checks": 0.5, "voice": 0.25, "performance": 0.25}
    checks = [c("spam", "pass", 1.0), c("grounding", "pass", 0.5), c("voice", "pass", 0.6)]
    # hard mean 0.75 (w 0.5) and voice 0.6 (w 0.25); performance absent
    assert combine(checks, HARD, weights) == pytest.approx(
        100 * (0.5 * 0.75 + 0.25 * 0.6) / 0.75, abs=0.1
    )


def test_every_soft_score_is_weighted_and_none_outweighs_the_hard_checks() -> None:
    assert set(DEFAULT_WEIGHTS) == {HARD_COMPONENT, *SOFT_SCORES}
    assert all(DEFAULT_WEIGHTS[name] > 0 for name in SOFT_SCORES)
    assert max(DEFAULT_WEIGHTS[name] for name in SOFT_SCORES) < DEFAULT_WEIGHTS[HARD_COMPONENT]


def test_a_failed_soft_score_does_not_cap_the_score() -> None:
    checks = [c("spam", "pass", 1.0), c("fluency", "fail", 0.05), c("voice", "pass", 0.8)]
    w = dict(DEFAULT_WEIGHTS)
    expected = 100 * (w["hard_checks"] + 0.05 * w["fluency"] + 0.8 * w["voice"])
    expected /= w["hard_checks"] + w["fluency"] + w["voice"]
    assert combine(checks, HARD, w) == pytest.approx(expected, abs=0.1)
    assert combine(checks, HARD, w) < combine(
        [c("spam", "pass", 1.0), c("voice", "pass", 0.8)], HARD, w
    )


def test_unweighted_soft_scores_do_not_count() -> None:
    checks = [c("spam", "pass", 1.0), c("novelty", "warn", 0.0)]
    assert combine(checks, HARD, dict(DEFAULT_WEIGHTS)) == 100.0


def test_hard_failure_caps_the_score() -> None:
    checks = [c("spam", "pass", 1.0), c("grounding", "fail", 0.9), c("voice", "pass", 1.0)]
    assert combine(checks, HARD, dict(DEFAULT_WEIGHTS)) == FAIL_CAP
    soft_fail = [c("spam", "pass", 1.0), c("voice", "fail", 0.9)]
    assert combine(soft_fail, HARD, dict(DEFAULT_WEIGHTS)) > FAIL_CAP


def test_explanation_names_strengths_problems_and_verdict() -> None:
    checks = [
        c("grounding", "fail", 0.0, 'not stated: subject "20%" (discount 20%)'),
        c("subject_length", "warn", 0.6, "subject is 60 characters"),
        c("voice", "pass", 0.85, "voice fit 0.85"),
    ]
    text = explain(40.0, checks, HARD)
    assert "brand voice (0.85)" in text
    assert '"20%"' in text and "subject is 60 characters" in text
    assert "cannot be sent as-is" in text
    assert 2 <= text.count(". ") + 1 <= 4


def test_explanation_of_a_clean_variant() -> None:
    text = explain(88.0, [c("spam", "pass", 1.0), c("voice", "pass", 0.9)], HARD)
    assert "cannot be sent" not in text and "Every check passes" in text


class ConstantEvaluator:
    """A stand-in evaluator (an input to the combiner, not the code under test)."""

    def __init__(self, name: str, hard: bool, statuses: list[Status], score: float) -> None:
        self.name, self.hard, self.statuses, self.score = name, hard, statuses, score

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        return [c(self.name, s, self.score) for s in self.statuses]


BRIEF = Brief.model_validate({"brand": "demo", "goal": "promotion", "segment": {"name": "all"}})
PRODUCTS = "# Facts\n- Kettle Chai: $16 for a 4 oz tin.\n- Free shipping on orders over $50.\n"
VOICE = "# Voice\n## Sample lines\n- Fresh chai, blended by hand this week.\n- Steep slowly.\n"


@pytest.fixture
def context() -> BrandContext:
    brand = BrandKB(name="demo", folder=Path("."), voice=parse_voice(VOICE), products_text=PRODUCTS)
    return BrandContext(brand=brand)


def test_evaluate_variants_keeps_order_and_copies(context: BrandContext) -> None:
    variants = [Variant(subject="A"), Variant(subject="B")]
    evaluators = [
        ConstantEvaluator("grounding", True, ["pass", "fail"], 1.0),
        ConstantEvaluator("voice", False, ["pass", "pass"], 0.8),
    ]
    out = evaluate_variants(variants, BRIEF, context, Settings(_env_file=None), evaluators)  # type: ignore[call-arg]
    assert [v.subject for v in out] == ["A", "B"]
    assert variants[0].score is None  # inputs untouched
    assert out[0].score is not None and out[0].score > FAIL_CAP
    assert out[1].score == FAIL_CAP
    assert [x.name for x in hard_failures(out[1])] == ["grounding"]
    assert hard_failures(out[0]) == []
    assert "cannot be sent as-is" in (out[1].explanation or "")


def test_hard_checks_alone_by_name(context: BrandContext) -> None:
    variants = [
        Variant(
            subject="Kettle Chai, $16 a tin",
            preheader="Free shipping on orders over $50, this week and every week.",
        ),
        Variant(subject="Kettle Chai, 40% off!!!", preheader="Use code CHAI40"),
    ]
    out = evaluate_variants(variants, BRIEF, context, Settings(_env_file=None), HARD_CHECKS)  # type: ignore[call-arg]
    assert [x.name for x in out[0].checks] == list(HARD_CHECKS)
    assert hard_failures(out[0]) == [] and out[0].score is not None and out[0].score > 95
    assert {x.name for x in hard_failures(out[1])} == {"spam", "grounding"}
    assert out[1].score == FAIL_CAP


def test_performance_is_optional() -> None:
    loaded = load_evaluators(["performance"], Settings(_env_file=None))  # type: ignore[call-arg]
    assert [e.name for e in loaded] in ([], ["performance"])


@pytest.mark.integration
def test_default_evaluators_on_real_embedder(context: BrandContext) -> None:
    variants = [
        Variant(
            subject="Fresh chai, blended by hand this week",
            preheader="Kettle Chai is $16 a tin, and orders over $50 ship free.",
            angle="product",
        ),
        Variant(
            subject="Fresh chai, blended by hand this week!",
            preheader="Kettle Chai is $16 a tin, and orders over $50 ship free.",
            angle="product",
        ),
        Variant(
            subject="WIN BIG: 50% off chai, ends tonight",
            preheader="Use code CHAI50",
            angle="urgency",
        ),
    ]
    out = evaluate_variants(variants, BRIEF, context, Settings(_env_file=None))  # type: ignore[call-arg]
    names = [x.name for x in out[0].checks]
    optional = ("performance", "judge")  # the judge is off by default
    expected = [n for n in DEFAULT_EVALUATORS if n not in optional]
    assert [n for n in names if n not in optional] == expected
    assert "judge" not in names
    assert all(v.score is not None and 0 <= v.score <= 100 for v in out)
    assert out[0].score > out[2].score
    assert "near-duplicate of variant 2" in next(
        x.message for x in out[0].checks if x.name == "diversity"
    )
    assert out[2].score <= FAIL_CAP
