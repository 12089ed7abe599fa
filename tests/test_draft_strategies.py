"""Drafting strategies for base models: the pattern library, the draft grammar, the strategy mix
and the brief's-offer gate.

Unit tests use FakeLLM (a scripted stand-in, named as such) and brands built here; the grammar
is compiled by llama.cpp's own GBNF parser. The integration test runs the embedded model.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copilot.errors import ConfigError
from copilot.generation.subjects.generator import (
    SubjectGenerator,
    generate_subjects,
    plan_strategies,
)
from copilot.generation.subjects.grammar import draft_grammar, offer_tokens
from copilot.generation.subjects.patterns import (
    SLOTS,
    brief_products,
    fill_patterns,
    lower_start,
    offer_clause,
    patterns_for,
    product_entry,
    slot_values,
)
from copilot.io.brief import Goal, parse_brief
from copilot.knowledge.brand import BrandKB, VoiceGuide
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.llm.usage import run_usage
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant
from tests.llm_fakes.fake_llm import FakeLLM

PRODUCTS = """# Ridgeway Cycles: products and facts

## Bikes
- Ridgeline Gravel: $1,450. Aluminium frame, 40 mm tyres.
- Town Runner: $690. A city bike with mudguards and a rack.

## Services
- Workshop tune-up: $65, booked online.
- Free bottle cage with any bike bought online.
"""


def _brand() -> BrandKB:
    return BrandKB(
        name="ridgeway_cycles",
        folder=Path("."),
        voice=VoiceGuide(text="Friendly and plain."),
        products_text=PRODUCTS,
    )


def _brief(**kw: object):
    data: dict[str, object] = {
        "brand": "ridgeway_cycles",
        "goal": "abandoned_cart",
        "segment": {"name": "cart_abandoners"},
        "offer": "Free bottle cage with any bike bought online",
        "cta": "Finish your order",
        "personalization": ["FNAME"],
    }
    data.update(kw)
    return parse_brief(data)


def _context() -> BrandContext:
    past = RetrievedItem(
        id="past_campaigns.csv:3",
        kind="campaign",
        text="Subject: Your bike is waiting",
        source="past_campaigns.csv line 4",
        metrics={"open_rate": 0.4, "click_rate": 0.05},
        metadata={
            "subject": "Your bike is waiting",
            "preheader": "Pick up where you left off.",
            "goal": "abandoned_cart",
            "segment": "cart_abandoners",
            "platform": "mailchimp",
        },
    )
    return BrandContext(brand=_brand(), top_performers=[past])


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, llm_max_retries=1, **kw)  # type: ignore[call-arg]


def _pass_all(variants: list[Variant]) -> list[Variant]:
    return [
        v.model_copy(
            update={"score": 50.0, "checks": [CheckResult(name="x", status="pass", score=1.0)]}
        )
        for v in variants
    ]


# -- the pattern library ------------------------------------------------------------------------


@pytest.mark.parametrize("goal", list(Goal))
def test_every_goal_has_patterns_that_fill_without_gaps(goal: Goal) -> None:
    patterns = patterns_for(goal)
    assert len(patterns) >= 6
    assert len({p.angle for p in patterns}) >= 4  # several angles, not one shape repeated
    brief = _brief(goal=goal.value, cta="Try Ridgeline Gravel")
    filled = fill_patterns(brief, _brand())
    assert len(filled) >= 5, [p.subject for p in filled]
    for p in filled:
        text = f"{p.subject} {p.preheader}"
        assert not re.search(r"\{[a-z_]+\}", text), text  # no unfilled slot
        assert len(p.subject) <= 60 and 40 <= len(p.preheader) <= 130
        # the only numbers are the offer's and the product's price from products.md ($1,450),
        # and the pattern text itself names nothing
        rest = text.replace(brief.offer or "", "").replace("$1,450", "")
        assert not re.search(r"\d", rest), text


def test_a_slot_the_brief_cannot_fill_drops_the_pattern() -> None:
    brief = _brief(offer=None, cta="Keep me on the list", personalization=[])
    filled = fill_patterns(brief, _brand())
    assert filled  # patterns that need none of them remain
    for p in filled:
        text = f"{p.subject} {p.preheader}"
        assert "{{" not in text and "Keep me on the list" not in text
        assert "bottle cage" not in text


def test_products_are_taken_from_entries_of_the_brands_facts() -> None:
    brief = _brief(goal="product_launch", cta="Try Ridgeline Gravel", tone="Workshop Tune-Up Day")
    assert brief_products(brief, _brand()) == ["Ridgeline Gravel"]
    launch = fill_patterns(brief, _brand())
    assert any("Ridgeline Gravel" in p.subject for p in launch)


def test_offer_slots_take_the_first_clause_and_keep_codes_as_written() -> None:
    assert offer_clause("HARVEST15: 15% off all coffee (12 oz bags), November 1 to 30") == (
        "HARVEST15: 15% off all coffee"
    )
    assert offer_clause("50 bonus points, plus a free drink") == "50 bonus points"
    assert lower_start("Free shipping over $40") == "free shipping over $40"
    assert lower_start("WELCOME10: 10% off") == "WELCOME10: 10% off"
    assert lower_start("A free Lip Rescue") == "a free Lip Rescue"


def test_a_bad_pattern_file_names_the_field(tmp_path: Path) -> None:
    for goal in Goal:
        (tmp_path / f"{goal.value}.yaml").write_text(
            (
                Path(__file__).parents[1]
                / "copilot/generation/subjects/data/patterns"
                / f"{goal.value}.yaml"
            ).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    (tmp_path / "welcome.yaml").write_text(
        "goal: welcome\npatterns:\n"
        + "".join(
            f"  - {{angle: benefit, subject: 'Hi {{price}}', preheader: 'x {i}'}}\n"
            for i in range(4)
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"welcome.yaml: field 'patterns.0'.*unknown slot"):
        patterns_for(Goal.welcome, tmp_path)
    assert "price" not in SLOTS


# -- the draft grammar --------------------------------------------------------------------------


def test_the_grammar_compiles_and_allows_only_the_offers_numbers() -> None:
    from llama_cpp import LlamaGrammar

    brief = _brief(offer="HARVEST15: 15% off all coffee, November 1 to 30, 2026")
    assert set(offer_tokens(brief)) >= {"HARVEST15", "15%", "2026"}
    free = draft_grammar(brief)
    picks = draft_grammar(brief, ["Ready to stock up?"], ['The "Harvest" sale is on, café too.'])
    for text in (free, picks):
        assert LlamaGrammar.from_string(text, verbose=False) is not None
    assert '"{{FNAME}}"' in free and "[0-9]" not in free
    assert 'subject ::= "Ready to stock up?"' in picks


# -- strategies ---------------------------------------------------------------------------------


def test_auto_picks_every_filled_pattern_then_lets_the_model_draft() -> None:
    plan = plan_strategies("auto", 12, fills=8)
    assert plan[:8] == ["patterns"] * 8 and plan[8:] == ["scratch", "edit", "scratch", "edit"]
    assert plan_strategies("auto", 4, fills=9) == ["patterns"] * 4
    assert plan_strategies("auto", 2) == ["scratch", "edit"]  # nothing filled: the model drafts
    assert plan_strategies("edit", 3, fills=5) == ["edit"] * 3


def test_each_strategy_shows_the_model_its_own_frame() -> None:
    seen: list[str] = []

    def answer(prompt: str) -> str:
        seen.append(prompt)
        first = "Your bike is still in the cart" if len(seen) == 1 else "Questions about sizing?"
        return f" {first}\nPreheader: Pick up where you left off.\n###"

    context = _context()
    for strategy in ("patterns", "edit", "scratch"):
        seen.clear()
        generate_subjects(
            _brief(),
            _settings(draft_strategy=strategy),
            llm=FakeLLM(answer),
            context=context,
            score=_pass_all,
            n=2,
            keep=2,
        )
        prompt = seen[0]
        assert prompt.endswith("Subject:")
        if strategy == "patterns":  # filled shapes for this brief, in neutral tags
            assert "Free bottle cage with any bike bought online." in prompt
            assert "{{FNAME}}, you left something in your cart" in prompt
        elif strategy == "edit":
            assert "Rewrite of: Your bike is waiting" in prompt
        else:
            assert "Rewrite of" not in prompt and "you left something in your cart" not in prompt


def test_auto_drafts_every_filled_pattern_then_the_model_and_notes_say_who_wrote_what() -> None:
    subjects = ["Your bike is ready when you are", "Questions about sizing?"]
    lines = iter([f" {s}\nPreheader: Pick up where you left off, any time.\n" for s in subjects])
    fills = fill_patterns(_brief(), _brand())
    llm = FakeLLM(lambda _p: next(lines))
    gen = SubjectGenerator(_settings(draft_strategy="auto"), llm)
    drafts, rejected = gen.draft(_brief(), _context(), len(fills) + 2, 0)
    assert not rejected
    assert [d.strategy for d in drafts] == ["patterns"] * len(fills) + ["scratch", "edit"]
    assert len(llm.prompts) == 2  # pattern picks cost no call
    # the model's subjects carry a pattern preheader
    model = [d for d in drafts if d.subject in subjects]
    assert len(model) == 2 and all(d.preheader in {f.preheader for f in fills} for d in model)
    result = generate_subjects(
        _brief(),
        _settings(draft_strategy="auto"),
        llm=FakeLLM(lambda _p: " Questions about sizing?\nPreheader: Ask us, any time.\n"),
        context=_context(),
        score=_pass_all,
        n=len(fills) + 2,
        keep=3,
    )
    assert "drafting strategy auto: patterns 3 of the 3 returned" in result.notes


def test_auto_delivers_filled_patterns_before_better_scored_model_lines() -> None:
    fills = fill_patterns(_brief(), _brand())
    model_subject = "Your bike is ready when you are"

    def score_model_higher(variants: list[Variant]) -> list[Variant]:
        return [
            v.model_copy(update={"score": 99.0 if v.subject == model_subject else 50.0})
            for v in _pass_all(variants)
        ]

    result = generate_subjects(
        _brief(),
        _settings(draft_strategy="auto"),
        llm=FakeLLM(lambda _p: f" {model_subject}\nPreheader: Pick up where you left off.\n"),
        context=_context(),
        score=score_model_higher,
        n=len(fills) + 1,
        keep=3,
    )
    assert len(result.variants) == 3
    assert model_subject not in [v.subject for v in result.variants]
    # the lines carrying the brief's offer, call to action or product come first
    generic = {f.subject for f in fills if not f.specific}
    assert sum(f.specific for f in fills) >= 3 and generic
    assert not generic & {v.subject for v in result.variants}
    # with a single strategy the score alone decides
    scratch = generate_subjects(
        _brief(),
        _settings(draft_strategy="scratch"),
        llm=FakeLLM(lambda _p: f" {model_subject}\nPreheader: Pick up where you left off.\n"),
        context=_context(),
        score=score_model_higher,
        n=2,
        keep=1,
    )
    assert [v.subject for v in scratch.variants] == [model_subject]


def test_a_discount_the_brief_does_not_offer_is_rejected() -> None:
    outputs = iter(
        [
            " Take 20% off your bike today\nPreheader: Use code SAVE20 at checkout for your bike.\n",
            " Your bike is still in the cart\nPreheader: A free bottle cage comes with it.\n",
        ]
    )
    result = generate_subjects(
        _brief(),
        _settings(draft_strategy="scratch"),
        llm=FakeLLM(lambda _p: next(outputs, "")),
        context=_context(),
        score=_pass_all,
        n=2,
        keep=2,
    )
    assert [v.subject for v in result.variants] == ["Your bike is still in the cart"]
    assert any("brief's offer does not" in r.reason for r in result.rejected)


# -- the embedded model -------------------------------------------------------------------------


@pytest.mark.integration
def test_the_embedded_model_writes_its_own_subjects_under_the_grammar(ingested_sample) -> None:
    from copilot.app.generate import get_llm
    from copilot.generation.subjects.generator import SubjectGenerator
    from copilot.knowledge.retrieve import build_context

    s = ingested_sample.model_copy(
        update={"draft_strategy": "scratch", "draft_grammar": True, "llm_max_retries": 2}
    )
    llm = get_llm(s)
    brief = parse_brief(
        {
            "brand": "harbor_bean",
            "goal": "abandoned_cart",
            "segment": {"name": "cart_abandoners"},
            "offer": "Free standard shipping on orders over $40",
            "cta": "Finish your order",
            "personalization": ["FNAME"],
        }
    )
    context = build_context(brief, s)
    gen = SubjectGenerator(s, llm)
    with run_usage() as usage:
        drafts, rejected = gen.draft_angles(
            brief, context, ["benefit", "question", "curiosity"], 11
        )
    assert len(drafts) == 3 and not rejected
    # the grammar wastes no call on format: every answer is a subject and a preheader line
    for call in usage.per_call:
        assert re.fullmatch(r" [^\n]+\nPreheader: [^\n]+\n", call.text), call.text
    fills = {p.subject for p in fill_patterns(brief, context.brand)}
    past = {c.subject for c in context.brand.campaigns}
    for d in drafts:
        # the model's own text, not a pattern line or a past line
        assert d.subject not in fills and d.subject not in past and d.strategy == "scratch"
        assert not re.search(r"\d", d.subject.replace("$40", ""))  # no invented number
        assert d.preheader


def test_product_slots_carry_the_facts_entry_word_for_word() -> None:
    brand = _brand()
    assert product_entry("Town Runner", brand) == ("$690", "A city bike with mudguards and a rack")
    # a first sentence without a price is not a detail; a description that is not a noun
    # phrase does not fit the shapes that use it
    assert product_entry("Ridgeline Gravel", brand) == ("$1,450", "")
    assert product_entry("Workshop tune-up", brand) == ("$65", "")  # to the first comma
    assert product_entry("Unknown Bike", brand) == ("", "")
    values = slot_values(_brief(cta="Ride the Town Runner"), brand, ["FNAME"])
    assert values["product"] == "Town Runner" and values["product_detail"] == "$690"
    assert values["product_about_lower"] == "a city bike with mudguards and a rack"
