"""The grounding check: every claim in the copy must be stated by the brief's offer or the KB.

The labelled corpora in fixtures/grounding_corpus.yaml (two fictional businesses) measure recall
on invented claims and the false-flag rate on grounded copy; the unit cases below pin down how
forms are normalised and what is not a claim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from copilot.brief import Brief
from copilot.evaluators.claims import extract_claims, facts_from, is_grounded
from copilot.evaluators.grounding import GroundingCheck, source_facts, unsupported
from copilot.retrieval.brand import BrandKB, parse_voice
from copilot.retrieval.context import BrandContext
from copilot.variants import Variant

CORPUS = Path(__file__).resolve().parent / "fixtures" / "grounding_corpus.yaml"
MIN_RECALL = 0.95
MAX_FALSE_FLAGS = 0.05


def load_corpora() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["corpora"]


def measure(corpus: dict[str, Any]) -> tuple[float, float, list[str]]:
    """(recall on invented, false-flag rate on grounded, descriptions of the errors)."""
    facts = source_facts(corpus["offer"], corpus["products"])
    caught = flagged = 0
    errors = []
    invented = [v for v in corpus["variants"] if v["invented"]]
    grounded = [v for v in corpus["variants"] if not v["invented"]]
    for item in corpus["variants"]:
        variant = Variant(
            subject=item["subject"], preheader=item.get("preheader", ""), body=item.get("body")
        )
        bad = unsupported(variant, facts)
        if item["invented"] and bad:
            caught += 1
        if not item["invented"] and bad:
            flagged += 1
        if bool(bad) != item["invented"]:
            label = "missed" if item["invented"] else "false flag"
            errors.append(f"{label}: {item['subject']!r} / {item.get('preheader', '')!r}")
    return caught / len(invented), flagged / len(grounded), errors


def test_corpus_is_large_and_balanced() -> None:
    corpora = load_corpora()
    main, other = corpora["tea_shop"], corpora["bike_shop"]
    assert len(main["variants"]) >= 80 and len(other["variants"]) >= 20
    for corpus in (main, other):
        invented = sum(1 for v in corpus["variants"] if v["invented"])
        assert 0.4 <= invented / len(corpus["variants"]) <= 0.6


@pytest.mark.parametrize("name", ["tea_shop", "bike_shop"])
def test_grounding_recall_and_false_flags(name: str) -> None:
    corpus = load_corpora()[name]
    recall, false_flags, errors = measure(corpus)
    n = len(corpus["variants"])
    print(f"\n{name}: {n} variants, recall on invented {recall:.1%}, false flags {false_flags:.1%}")
    assert recall >= MIN_RECALL, errors
    assert false_flags <= MAX_FALSE_FLAGS, errors


OFFER = "SPRING20: 20% off all teas through Sunday, April 14"
PRODUCTS = """# Demo Tea facts
- Kettle Chai: $16 for a 4 oz tin.
- Moonlit Chamomile: $12 for a 3 oz pouch.
- Free shipping on orders over $50.
- Orders ship within 2 business days.
- Loyalty: earn 1 point per $1; members get a free tin in their birthday month.
- Members also get 50 bonus points in their birthday month.
- 30-day money-back guarantee.
- Demo Tea, 88 Mill Road, Ashby.
"""


def grounded(text: str, offer: str | None = OFFER, products: str = PRODUCTS) -> bool:
    facts = facts_from(offer or "", products)
    return all(is_grounded(c, facts) for c in extract_claims(text))


@pytest.mark.parametrize(
    "text",
    [
        "20% off all teas",
        "twenty percent off all teas",
        "Save 20 percent on chai",
        "Kettle Chai: $16.00 a tin",
        "Kettle Chai for 16 dollars",
        "A 4-ounce tin of Kettle Chai",
        "Free shipping over $50",
        "Spend $50 and shipping's on us",
        "Orders over $50 ship free",
        "Ships within two business days",
        "Ships in 48 hours",
        "Ends April 14th",
        "Ends 4/14",
        "Ends Sunday",
        "Last chance for 20% off",
        "Use SPRING20 at checkout",
        "A free tin in your birthday month",
        "Earn points on every order",
        "30 days to love it, or your money back",
        "50 birthday points are yours",
    ],
)
def test_same_claim_in_other_words_is_grounded(text: str) -> None:
    assert grounded(text), [(c.kind, c.value, c.role) for c in extract_claims(text)]


@pytest.mark.parametrize(
    "text",
    [
        "25% off all teas",
        "twenty-five percent off",
        "Kettle Chai for $12",  # $12 is another product's price
        "Kettle Chai in a 3 oz tin",  # 3 oz is another product's size
        "Free shipping over $40",
        "Free shipping on every order",
        "Ships in 24 hours",
        "Arrives tomorrow",
        "Ends April 21",
        "Ends Saturday",
        "48 hours only",
        "Use SPRING25 at checkout",
        "Double points this week",
        "Lifetime membership",
        "A free mug with every order",
        "Only 4 tins left",
        "Buy one, get one free",
        "Award-winning chai",
        "Join 5,000 tea lovers",
        "Founded in 1999",
        "Sale ends at 8 pm",
        "100 bonus points on your birthday",
    ],
)
def test_invented_claim_is_not_grounded(text: str) -> None:
    assert not grounded(text), [(c.kind, c.value, c.role) for c in extract_claims(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Hi *|FNAME|*, your chai is ready",
        "Hi {{ contact.FIRSTNAME | default:'there' }}",
        "Step 2: warm the pot",
        "Part 1 of 3: how we blend",
        "Caffeine-free evenings with chamomile",
        "Feel free to write back",
        "© 2025 Demo Tea",
        "Your 1st tin, your way",
        "Visit https://demo.example/spring-2025/sale20 today",
    ],
)
def test_not_claims(text: str) -> None:
    from copilot.evaluators.merge_tags import strip_tags

    assert extract_claims(strip_tags(text)) == []


def test_without_an_offer_the_kb_alone_grounds() -> None:
    assert grounded("Free shipping over $50", offer=None)
    assert not grounded("20% off all teas", offer=None)


def test_check_quotes_the_invented_span_and_field() -> None:
    brand = BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text=PRODUCTS)
    brief = Brief.model_validate(
        {"brand": "demo", "goal": "promotion", "segment": {"name": "all"}, "offer": OFFER}
    )
    variants = [
        Variant(subject="20% off all teas", preheader="Ends Sunday, April 14."),
        Variant(subject="Spring tea sale", preheader="Take 30% off with SPRING30 until Friday."),
    ]
    ok, bad = GroundingCheck().evaluate(variants, brief, BrandContext(brand=brand))
    assert ok.status == "pass" and ok.score == 1.0
    assert bad.status == "fail" and bad.score == 0.0
    for span in ('preheader "30%"', 'preheader "SPRING30"', 'preheader "Friday"'):
        assert span in bad.message
