"""A subject line without a body: the body check reports that it did not run ("skip"), so it is
neither counted as a pass nor averaged into the score; `copilot evaluate` keeps its keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.app.evaluate import EvaluateResult
from copilot.commands.evaluate import render
from copilot.evaluation.scoring import HARD_CHECKS, combine, evaluate_variants, explain
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.settings import DEFAULT_WEIGHTS, Settings
from copilot.variants import CheckResult, Variant

BRIEF = Brief.model_validate({"brand": "demo", "goal": "promotion", "segment": {"name": "all"}})
PRODUCTS = "# Facts\n- Kettle Chai: $16 for a 4 oz tin.\n- Free shipping on orders over $50.\n"
SUBJECT_ONLY = Variant(
    subject="Kettle Chai, $16 a tin",
    preheader="Free shipping on orders over $50, this week and every week.",
)
CHECK_KEYS = {"name", "status", "score", "message"}


@pytest.fixture
def context() -> BrandContext:
    brand = BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text=PRODUCTS)
    return BrandContext(brand=brand)


def evaluated(context: BrandContext) -> Variant:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return evaluate_variants([SUBJECT_ONLY], BRIEF, context, settings, HARD_CHECKS)[0]


def test_the_body_check_on_a_subject_line_is_skipped(context: BrandContext) -> None:
    body = next(c for c in evaluated(context).checks if c.name == "body")
    assert body.status == "skip"
    assert "no body" in body.message


def test_a_skipped_check_does_not_lift_the_score() -> None:
    hard = set(HARD_CHECKS)
    weights = dict(DEFAULT_WEIGHTS)
    ran = [CheckResult(name="spam", status="warn", score=0.5)]
    skip = CheckResult(name="body", status="skip", score=0.0, message="not checked")
    assert combine([*ran, skip], hard, weights) == combine(ran, hard, weights)
    # the old "pass, 1.0" for the missing body averaged a half-score check up to 75
    passed = CheckResult(name="body", status="pass", score=1.0)
    assert combine([*ran, passed], hard, weights) > combine([*ran, skip], hard, weights)


def test_the_explanation_does_not_claim_every_check_passed() -> None:
    checks = [
        CheckResult(name="spam", status="pass", score=1.0),
        CheckResult(name="body", status="skip", score=0.0, message="not checked"),
    ]
    text = explain(100.0, checks, set(HARD_CHECKS))
    assert "Every check that applies passes." in text


def test_evaluate_json_keeps_its_keys_and_says_skip(context: BrandContext) -> None:
    out = EvaluateResult(variants=[evaluated(context)]).to_json()
    checks = out["variants"][0]["checks"]
    assert [c["name"] for c in checks] == list(HARD_CHECKS)  # every check keeps its entry
    assert all(set(c) == CHECK_KEYS for c in checks)
    assert next(c for c in checks if c["name"] == "body")["status"] == "skip"


def test_the_evaluate_table_lists_the_body_as_skipped_not_passed(context: BrandContext) -> None:
    text = render([evaluated(context)])
    assert "skip body: not checked" in text
    passed = next(line for line in text.splitlines() if line.strip().startswith("ok"))
    assert "body" not in passed.split(None, 1)[1].split(", ")
