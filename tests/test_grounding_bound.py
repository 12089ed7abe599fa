"""Numbers are bound to what they count: a price to its period, a duration to its object, a
number word to the thing it counts; and a promise is a claim that needs a source.

fixtures/bound_numbers_corpus.yaml holds labelled variants for four fictional businesses; the
`held_out` ones were written before the rules and not used to tune them. The unit cases are the
issue's examples, measured against facts like the ones it describes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from copilot.evaluation.grounding.check import GroundingCheck, source_facts, unsupported
from copilot.evaluation.grounding.extract import extract_claims
from copilot.evaluation.grounding.facts import facts_from, is_grounded
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.variants import Variant

CORPUS = Path(__file__).resolve().parent / "fixtures" / "bound_numbers_corpus.yaml"
#: least recall on invented and most false flags on grounded copy, per split
FLOORS = {"tuning": (0.95, 0.05), "held_out": (0.75, 0.1)}


def load_corpora() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["corpora"]


def measure(split: str) -> tuple[float, float, list[str]]:
    """(recall on invented, false-flag rate on grounded, the errors) on one split."""
    caught = flagged = invented = grounded = 0
    errors = []
    for name, corpus in load_corpora().items():
        if corpus["split"] != split:
            continue
        facts = source_facts(corpus["offer"], corpus["products"])
        for item in corpus["variants"]:
            variant = Variant(subject=item["subject"], preheader=item.get("preheader", ""))
            bad = unsupported(variant, facts)
            invented += item["invented"]
            grounded += not item["invented"]
            caught += bool(bad) and item["invented"]
            flagged += bool(bad) and not item["invented"]
            if bool(bad) != item["invented"]:
                label = "missed" if item["invented"] else "false flag"
                errors.append(f"{label} in {name}: {item['subject']!r} / {item['preheader']!r}")
    return caught / invented, flagged / grounded, errors


def test_corpus_has_both_splits() -> None:
    corpora = load_corpora()
    for split in FLOORS:
        items = [v for c in corpora.values() if c["split"] == split for v in c["variants"]]
        assert len(items) >= 20
        assert 0.3 <= sum(v["invented"] for v in items) / len(items) <= 0.7


@pytest.mark.parametrize("split", list(FLOORS))
def test_bound_numbers_recall_and_false_flags(split: str) -> None:
    recall, false_flags, errors = measure(split)
    print(f"\nbound numbers {split}: recall {recall:.1%}, false flags {false_flags:.1%}")
    least_recall, most_false_flags = FLOORS[split]
    assert recall >= least_recall, errors
    assert false_flags <= most_false_flags, errors


# --- the issue's software brand -------------------------------------------------------------

OFFER = "2 months free when you switch to yearly billing (Solo £90 a year)"
PRODUCTS = """# Ledgerly facts
- Solo £9 a month, Studio £19 a month.
- Every plan starts with a 30-day free trial.
"""


def check(subject: str, preheader: str = "", offer: str = OFFER) -> tuple[str, str]:
    kb = BrandKB(
        name="ledgerly", folder=Path("ledgerly"), voice=parse_voice(""), products_text=PRODUCTS
    )
    brief = Brief.model_validate(
        {"brand": "ledgerly", "goal": "promotion", "segment": {"name": "solo"}, "offer": offer}
    )
    (result,) = GroundingCheck().evaluate(
        [Variant(subject=subject, preheader=preheader)], brief, BrandContext(brand=kb)
    )
    return result.status, result.message


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("Solo £90 a month, Studio £190", 'subject "£90 a month" (price £90.00 a month)'),
        ("One month free with yearly billing", 'subject "One month" (free duration 720h)'),
        ("2 month free trial on every plan", 'subject "2 month" (free duration 1440h (trial))'),
        ("No sign up required", 'subject "No sign up required" (promise (no signup))'),
        ("A month free when you go yearly", 'subject "A month" (free duration 720h)'),
        ("Solo for £9 a year", "price £9.00 a year"),
        ("No card needed, cancel anytime", "promise (no card)"),
    ],
)
def test_issue_examples_fail_and_say_why(subject: str, why: str) -> None:
    status, message = check(subject)
    assert status == "fail"
    assert why in message


@pytest.mark.parametrize(
    "subject",
    [
        "2 months free when you switch to yearly",
        "Two months free with yearly billing",
        "Solo £90 a year, or £9 a month",
        "Solo £90/year on yearly billing",
        "A 30-day free trial on every plan",
        "Try any plan free for 30 days",
        "Solo £90",  # no period stated: any period of the same amount
    ],
)
def test_the_same_facts_with_their_unit_period_and_object_pass(subject: str) -> None:
    status, message = check(subject)
    assert status == "pass", message


def test_a_promise_in_the_brief_offer_is_a_source() -> None:
    assert check("No card needed", offer="30-day free trial, no card needed")[0] == "pass"
    assert check("No card needed")[0] == "fail"


def test_a_preheader_free_period_may_take_its_object_from_the_subject() -> None:
    assert check("Your free trial is ready", "30 days of Ledgerly on us.")[0] == "pass"
    assert check("Your free trial is ready", "90 days of Ledgerly on us.")[0] == "fail"


@pytest.mark.parametrize(
    ("text", "products", "grounded"),
    [
        # a number word is a number, like a digit
        ("Three recipes a week", "- 3 recipes for 2 people.", True),
        ("Four recipes a week", "- 3 recipes for 2 people.", False),
        ("Two bottle cages fit every frame", "- 2-year warranty on every frame.", True),
        # a number word counting an offer is bound to the thing the source counts
        ("Two free bottle cages", "- A free bottle cage with any bike. 2-year warranty.", False),
        ("Two free bottle cages with any bike", "- Two free bottle cages with any bike.", True),
        ("Three bonus samples", "- 3 bonus samples with every order.", True),
    ],
)
def test_number_words_are_numbers_and_offer_counts_are_bound(
    text: str, products: str, grounded: bool
) -> None:
    facts = facts_from("", products)
    claims = extract_claims(text)
    assert any(c.kind == "number" for c in claims)
    assert all(is_grounded(c, facts) for c in claims) is grounded


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("£9 a month", "month"),
        ("£9/mo", "month"),
        ("$90 per year", "year"),
        ("£90 annually", "year"),
        ("£32 a week", "week"),
        ("£9 per seat a month", "month"),
        ("£9", ""),
    ],
)
def test_money_periods_are_read(text: str, period: str) -> None:
    (money,) = [c for c in extract_claims(text) if c.kind == "money"]
    assert money.period == period


def test_durations_carry_what_they_count() -> None:
    (trial,) = [c for c in extract_claims("A 30-day free trial") if c.kind == "duration"]
    (warranty,) = [c for c in extract_claims("A 2-year warranty") if c.kind == "duration"]
    assert trial.objects[0] == "trial" and warranty.objects[0] == "warranty"
    facts = facts_from("", "- Free returns within 14 days.")
    (claim,) = [c for c in extract_claims("A 14-day warranty") if c.kind == "duration"]
    assert not is_grounded(claim, facts)


def test_a_source_naming_no_object_may_ground_a_duration_that_names_one() -> None:
    # products.md often states the number under a heading ("## Subscription") that the
    # sentence itself does not repeat; a source that says it is something else still fails
    facts = facts_from("", "## Subscription\n- Delivery every 2 or 4 weeks; you choose.")
    claims = extract_claims("Your subscription, every 2 or 4 weeks")
    assert all(is_grounded(c, facts) for c in claims)
    trial = facts_from("", "- 2 weeks free when you switch to yearly billing.")
    (claim,) = [c for c in extract_claims("A 2 week free trial") if c.kind == "duration"]
    assert not is_grounded(claim, trial)


def test_one_phrase_may_state_two_promises() -> None:
    facts = facts_from("", "- Skip, swap your roast, pause or cancel any time from your account.")
    kinds = {c.value for c in facts.of("promise")}
    assert kinds == {"pause_anytime", "cancel_anytime"}
    for text in ("Skip a bag any time", "Cancel anytime"):
        assert all(is_grounded(c, facts) for c in extract_claims(text))
    assert not all(is_grounded(c, facts) for c in extract_claims("No contract, ever"))
