"""The one candidate filter chain (copilot.generation.pipeline): every dropped draft has its
reason, in the order of the chain: render -> other offers -> past lines -> the caller's own
repeats -> near-duplicates -> score -> failures, and a gate holds lines back in reserve."""

from __future__ import annotations

from copilot.evaluation.scoring import hard_failures
from copilot.generation.parsing import Draft
from copilot.generation.pipeline import drop_repeats
from copilot.generation.subjects.generator import SubjectGenerator
from copilot.io.brief import parse_brief
from copilot.knowledge.brand import BrandKB, VoiceGuide
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant
from tests.llm_fakes.fake_llm import FakeLLM

BRIEF = parse_brief(
    {
        "brand": "acme",
        "goal": "abandoned_cart",
        "segment": {"name": "cart_abandoners"},
        "personalization": ["FNAME"],
        "offer": "10% off with TEA10",
    }
)


def _context() -> BrandContext:
    kb = BrandKB(
        name="acme",
        folder=".",  # type: ignore[arg-type]
        voice=VoiceGuide(text="Warm and plain."),
        products_text="Free shipping over $40.",
    )
    past = RetrievedItem(
        id="past_campaigns.csv:1",
        kind="campaign",
        text="Subject: Your cart is waiting",
        source="past_campaigns.csv line 2",
        metadata={"subject": "*|FNAME|*, your cart is waiting", "platform": "mailchimp"},
    )
    return BrandContext(brand=kb, top_performers=[past])


def _score(variants: list[Variant]) -> list[Variant]:
    """Test double for the evaluators: 'tips' fails a soft score, everything else passes."""
    out = []
    for v in variants:
        status = "fail" if "tips" in v.subject else "pass"
        check = CheckResult(name="fluency", status=status, score=0.5, message="reads oddly")
        out.append(v.model_copy(update={"score": 60.0, "checks": [check]}))
    return out


def _gate(v: Variant) -> str:
    return "relevance: off the brief" if "Rainy" in v.subject else ""


def _generator() -> SubjectGenerator:
    return SubjectGenerator(Settings(_env_file=None), FakeLLM([]))  # type: ignore[call-arg]


DRAFTS = [
    Draft(subject="Hi {{LNAME}}, your cart misses you", angle="personalization"),
    Draft(subject="Take 50% off your cart today", angle="urgency"),
    Draft(subject="Your cart is waiting", angle="benefit"),
    Draft(subject="Fresh beans ship free over $40", angle="benefit", strategy="scratch"),
    Draft(subject="Fresh beans ship free over $40!", angle="benefit"),
    Draft(subject="Brewing tips for slow mornings", angle="curiosity"),
    Draft(subject="Rainy day blends are back", angle="curiosity"),
]


def test_every_step_drops_what_it_should_with_its_reason_in_chain_order() -> None:
    gen = _generator()
    out = gen.chain(BRIEF, _context(), _score, gate=_gate).run(list(DRAFTS))
    assert [v.subject for v in out.good] == ["Fresh beans ship free over $40"]
    assert [v.subject for v in out.reserve] == ["Rainy day blends are back"]
    dropped = [(r.subject, r.reason) for r in out.rejected]
    assert [s for s, _ in dropped] == [
        "Hi {{LNAME}}, your cart misses you",
        "Take 50% off your cart today",
        "Your cart is waiting",
        "Fresh beans ship free over $40!",
        "Brewing tips for slow mornings",
    ]
    reasons = [r for _, r in dropped]
    assert "LNAME" in reasons[0]
    assert "50%" in reasons[1]
    assert reasons[2] == "copies a past subject line"
    assert reasons[3].startswith("near-duplicate of 'Fresh beans ship free over $40'")
    assert reasons[4] == "fluency: reads oddly"
    # the generator's own render step noted how the kept line was drafted
    assert gen.strategies == {"Fresh beans ship free over $40": "scratch"}


def test_lines_already_kept_count_as_near_duplicates_and_callers_add_their_own_repeats() -> None:
    kept = [Variant(subject="Fresh beans ship free over $40")]
    no_rainy = drop_repeats({"rainy"}, lambda v: v.subject.split()[0].lower(), "said before")
    chain = _generator().chain(BRIEF, _context(), _score, extra=[no_rainy])
    out = chain.run(list(DRAFTS[3:]), kept)
    assert out.good == [] and out.reserve == []
    assert [r.reason.split(" of ")[0] for r in out.rejected] == [
        "said before",
        "near-duplicate",
        "near-duplicate",
        "fluency: reads oddly",
    ]


def test_which_failures_drop_a_draft_is_the_callers_choice() -> None:
    chain = _generator().chain(BRIEF, _context(), _score, failing=hard_failures)
    out = chain.run([DRAFTS[5]])
    assert [v.subject for v in out.good] == ["Brewing tips for slow mornings"]  # soft fail kept


def test_repeats_within_one_batch_are_dropped_on_request() -> None:
    variants = [Variant(subject="A b"), Variant(subject="a B"), Variant(subject="C d")]
    same = drop_repeats((), lambda v: v.subject.lower(), "repeat", within=True)
    kept, dropped = same(variants)
    assert [v.subject for v in kept] == ["A b", "C d"]
    assert [(r.subject, r.reason) for r in dropped] == [("a B", "repeat")]
