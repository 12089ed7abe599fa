"""The result envelope every drafting result shares (copilot.envelope): the JSON each command
prints keeps its documented keys in their documented order, and a result names the model that
wrote it and the usage of its run."""

from __future__ import annotations

import json

from copilot.envelope import Completion, UsageRecord, written_by
from copilot.generation.bodies.fields import RejectedField
from copilot.generation.bodies.generator import BodyResult, BodyVariant
from copilot.generation.pipeline import Rejected
from copilot.generation.refine.generator import Change, RefineResult
from copilot.generation.refine.request import RefineInstruction
from copilot.generation.sequences.plan import SequencePlan
from copilot.generation.sequences.playbooks import ExitRule
from copilot.generation.subjects.generator import GenerationResult
from copilot.io.brief import parse_brief
from copilot.progress import scaled
from copilot.variants import CheckResult, Variant
from tests.llm_fakes.fake_llm import FakeLLM

BRIEF = parse_brief({"brand": "shop", "goal": "abandoned_cart", "segment": {"name": "carts"}})
USAGE_KEYS = [
    "provider",
    "prompt_style",
    "calls",
    "prompt_tokens",
    "completion_tokens",
    "latency_s",
    "completion_tokens_per_s",
    "cost_usd",
    "tokens_approximate",
]
VARIANT = Variant(
    subject="Your beans are waiting",
    preheader="Free shipping over $40.",
    angle="benefit",
    sources=["past_campaigns.csv:1"],
    score=61.0,
    checks=[CheckResult(name="spam", status="pass", score=1.0, message="ok")],
    explanation="clear",
)


def _usage() -> UsageRecord:
    usage = UsageRecord()
    usage.add(Completion(text="x", prompt_tokens=12, completion_tokens=4, latency_s=0.5))
    return usage


def _envelope() -> dict[str, object]:
    return {"model": "m.gguf", "provider": "local", "prompt_style": "completion", "usage": _usage()}


def test_generate_json_keys_and_order() -> None:
    result = GenerationResult(
        brief=BRIEF,
        variants=[VARIANT],
        rejected=[Rejected(subject="Nope", reason="copies a past subject line")],
        notes=["a note"],
        **_envelope(),  # type: ignore[arg-type]
    )
    out = result.to_json()
    assert list(out) == ["brief", "model", "variants", "rejected", "notes", "usage"]
    assert list(out["variants"][0]) == [
        "subject",
        "preheader",
        "angle",
        "sources",
        "score",
        "checks",
        "explanation",
    ]
    assert out["rejected"] == [
        {"subject": "Nope", "preheader": "", "reason": "copies a past subject line"}
    ]
    assert list(out["usage"]) == USAGE_KEYS
    assert out["usage"]["provider"] == "local" and out["usage"]["calls"] == 1
    json.dumps(out)


def test_bodies_json_keys_and_order() -> None:
    body = BodyVariant(
        angle="benefit",
        headline="H",
        blocks=["B"],
        cta_text="Go",
        cta_url="u",
        html="<p>",
        text="t",
    )
    result = BodyResult(
        brief=BRIEF,
        variants=[body],
        rejected=[RejectedField(angle="benefit", field="ps", text="x", reason="spam")],
        notes=["n"],
        **_envelope(),  # type: ignore[arg-type]
    )
    out = result.to_json()
    assert list(out) == ["variants", "rejected", "notes", "model", "usage"]
    assert out["variants"] == [body.to_json()]
    assert list(out["usage"]) == USAGE_KEYS


def test_sequence_json_nests_the_notes_and_shows_no_rejected_fields() -> None:
    plan = SequencePlan(
        playbook="abandoned_cart",
        title="Abandoned cart",
        goal="abandoned_cart",
        platform="mailchimp",
        trigger="cart abandoned",
        exit=[ExitRule(when="purchased", conversion=True)],
        steps=[],
        notes=["fallback copy: 0 of 0 parts (0%)"],
        rejected=[RejectedField(angle="a", field="headline", text="x", reason="r")],
        brief=BRIEF,
        **_envelope(),  # type: ignore[arg-type]
    )
    out = plan.to_json()
    assert list(out) == ["sequence", "brief", "model", "usage"]
    assert list(out["sequence"]) == [
        "playbook",
        "title",
        "goal",
        "platform",
        "trigger",
        "exit",
        "steps",
        "adaptations",
        "checks",
        "notes",
    ]
    assert out["sequence"]["notes"] == ["fallback copy: 0 of 0 parts (0%)"]
    assert out["model"] == "m.gguf" and list(out["usage"]) == USAGE_KEYS


def test_refine_json_has_the_set_what_changed_and_the_envelope() -> None:
    instruction = RefineInstruction(
        request="shorter", mode="rewrite", replace=[0], angles=["benefit"], lengths=["short"]
    )
    old = VARIANT.model_copy(update={"subject": "Your coffee beans are waiting for you"})
    result = RefineResult(
        request="shorter",
        instruction=instruction,
        variants=[VARIANT],
        changes=[Change(index=0, kind="rewritten", replaces=old)],
        reply="Rewrote #1.",
        **_envelope(),  # type: ignore[arg-type]
    )
    out = result.to_json()
    assert list(out) == [
        "request",
        "reply",
        "variants",
        "changes",
        "rejected",
        "notes",
        "model",
        "usage",
    ]
    assert out["changes"][0]["replaces"]["subject"] == old.subject
    json.dumps(out)


def test_a_result_names_the_model_that_wrote_it() -> None:
    llm = FakeLLM([])
    usage = UsageRecord()
    fields = written_by(llm, usage)
    assert fields == {
        "model": llm.model,
        "provider": llm.name,
        "prompt_style": llm.prompt_style,
        "usage": usage,
    }


def test_a_part_of_the_work_reports_its_share_of_the_whole() -> None:
    seen: list[tuple[str, float]] = []
    part = scaled(lambda msg, frac: seen.append((msg, frac)), 0.5, 0.75)
    part("half of the second part", 0.5)
    part("done", 1.0)
    assert seen == [("half of the second part", 0.625), ("done", 0.75)]
