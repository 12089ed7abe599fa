"""Sequence steps as platform drafts: one template per step, valid against the vendors' specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.generation.sequences.generator import SequenceCopy, generate_sequence
from copilot.generation.sequences.playbooks import get_playbook
from copilot.io.abconfig import Sender
from copilot.platforms.brevo.templates import PATH as BREVO_PATH
from copilot.platforms.contract import body_problems
from copilot.platforms.errors import ExportError
from copilot.platforms.mailchimp.templates import PATH as MAILCHIMP_PATH
from copilot.platforms.sequence_drafts import NAME_LIMIT, build_sequence_drafts, sequence_id
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from tests.test_bodies import make_brief, make_context

HARD_AND_HEADER = ("subject_length", "preheader", "spam", "merge_tags", "body", "grounding")
SENDER = Sender(
    from_name="Tidewater Tea Co.",
    email="hello@tidewater.example",
    reply_to="hello@tidewater.example",
)


@pytest.fixture(scope="module")
def plan():
    """A welcome plan for Mailchimp written from fallback copy (FakeLLM gives nothing usable)."""
    return generate_sequence(
        make_brief(goal="welcome", offer="TEA10: 10% off a first order for new subscribers"),
        Settings(_env_file=None, llm_max_retries=0),  # type: ignore[call-arg]
        llm=FakeLLM(lambda _p: ""),
        context=make_context(),
        playbook=get_playbook("welcome"),
        copy=SequenceCopy(subject_drafts=1),
        evaluators=HARD_AND_HEADER,
    )


def test_mailchimp_drafts_are_templates_valid_against_the_spec(plan, tmp_path: Path) -> None:
    payload = build_sequence_drafts(plan, "mailchimp")
    assert len(payload.requests) == len(plan.steps) == 4
    for req, step in zip(payload.requests, plan.steps, strict=True):
        assert (req.method, req.path) == ("POST", MAILCHIMP_PATH)
        assert body_problems("mailchimp", "POST", MAILCHIMP_PATH, req.body) == []
        assert req.body["html"] == step.body_html and "*|UNSUB|*" in req.body["html"]
        assert len(req.body["name"]) <= NAME_LIMIT and step.id in req.body["name"]
    assert any("cannot be" in w and "public API" in w for w in payload.warnings)
    written = payload.write(tmp_path)
    manifest = json.loads((tmp_path / "mailchimp-manifest.json").read_text(encoding="utf-8"))
    assert [r["step"] for r in manifest["requests"]][0] == "step1_hello_template"
    assert len(written) == 5


def test_brevo_drafts_translate_tags_and_carry_subject_and_sender(plan) -> None:
    payload = build_sequence_drafts(plan, "brevo", SENDER)
    for req, step in zip(payload.requests, plan.steps, strict=True):
        body = req.body
        assert step.id in body["templateName"]
        assert (req.method, req.path) == ("POST", BREVO_PATH)
        assert body_problems("brevo", "POST", BREVO_PATH, body) == []
        assert "{{ unsubscribe }}" in body["htmlContent"] and "*|" not in body["htmlContent"]
        assert "{{ contact.FIRSTNAME | default:'there' }}" in body["htmlContent"]
        assert "*|" not in body["subject"] and body["subject"]
        assert body["sender"] == {"name": SENDER.from_name, "email": SENDER.email}
        assert body["tag"] == sequence_id(plan)
    assert payload.platform == "brevo"


def test_brevo_needs_a_sender_email(plan) -> None:
    with pytest.raises(ExportError, match="sender's email"):
        build_sequence_drafts(plan, "brevo", Sender(from_name="Tidewater Tea Co."))


def test_the_sequence_id_is_stable_and_changes_with_the_copy(plan) -> None:
    assert sequence_id(plan) == sequence_id(plan.model_copy())
    changed = plan.model_copy(
        update={"steps": [plan.steps[0].model_copy(update={"subject": "Other"}), *plan.steps[1:]]}
    )
    assert sequence_id(changed) != sequence_id(plan)


def test_drafts_need_only_the_plan_shape() -> None:
    """Any object shaped like a plan drafts (platforms needs nothing from generation)."""
    from dataclasses import dataclass, field

    from fakes.builders import make_brief

    @dataclass
    class Step:
        id: str
        subject: str
        body_html: str

    @dataclass
    class Plan:
        playbook: str = "welcome"
        title: str = "Welcome"
        platform: str = "mailchimp"
        brief: object = field(default_factory=make_brief)
        steps: list[Step] = field(default_factory=list)

    plan = Plan(steps=[Step("hello", "Hi *|FNAME|*", "<p>Hi *|FNAME|*</p><p>*|UNSUB|*</p>")])
    payload = build_sequence_drafts(plan, "brevo", SENDER)  # type: ignore[arg-type]
    (request,) = payload.requests
    assert request.body["subject"] == "Hi {{ contact.FIRSTNAME }}"
    assert "{{ unsubscribe }}" in request.body["htmlContent"]
    assert payload.warnings[0].startswith("Brevo templates")


def test_drafts_go_only_to_a_platform_with_a_plugin(plan) -> None:
    with pytest.raises(ExportError, match="sequence drafts go to mailchimp or brevo"):
        build_sequence_drafts(plan, "klaviyo")  # type: ignore[arg-type]
