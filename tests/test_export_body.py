"""The exported email is the email: a planned test carries the body the marketer chose, exactly
as it was rendered and checked (only the tag syntax follows the platform), and a test without a
body is never pushed. Real renderer, real exporters, a local fake Mailchimp over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import MAILCHIMP_KEY, make_brief, sample_variants
from fakes.mailchimp import FakeMailchimp

from copilot.app.export import build_payload, push_payload
from copilot.errors import CopilotError
from copilot.knowledge.brand import load_brand
from copilot.planning.content import ChosenBody, attach_body, missing_body
from copilot.planning.design import ABPlan, PlanError, PlanRequest, plan_test
from copilot.planning.sender import sender_from_brand
from copilot.platforms.errors import ExportError
from copilot.platforms.tags import translate_tags
from copilot.rendering.render import EmailContent, Footer, render_email
from copilot.settings import Settings

PREHEADER = "Your roast is waiting, shipping is on us over $40."


def _body_html(platform: str = "mailchimp") -> tuple[str, str]:
    """A body as the Bodies page drafts it: rendered by the real renderer with a goal footer."""
    content = EmailContent(
        headline="Your bag is still in the cart",
        blocks=["Hi {{FNAME|there}}, the Harvest roast you picked is set aside.", "Come back."],
        cta_text="Finish your order",
        cta_url="https://tidewater.example/cart",
        greeting="Hi {{FNAME|there}},",
        subject="Still thinking it over?",
        preheader=PREHEADER,
    )
    footer = Footer(
        sender_name="Tidewater Coffee",
        postal_address="Tidewater Coffee Co., 9 Quay Road, Saltmarsh, ME 04001, USA",
        reason="you started an order with Tidewater Coffee",
    )
    out = render_email(content, footer, platform, ["FNAME"])
    return out.html, out.text


def _plan(kb_dir: Path, size: int = 600_000) -> ABPlan:
    folder = kb_dir / "tidewater"
    kb = load_brand(folder)
    plan = plan_test(
        make_brief(size=size),
        sample_variants(),
        kb.campaigns,
        sender_from_brand(folder, "tidewater"),
        PlanRequest(max_variants=2),
        "mailchimp",
    )
    assert plan.config is not None, plan.design.verdict
    return plan


def test_the_mailchimp_payload_sends_the_chosen_body_byte_for_byte(tidewater_kb: Path) -> None:
    html, text = _body_html("mailchimp")
    plan = attach_body(_plan(tidewater_kb), ChosenBody(html=html, text=text, preheader=PREHEADER))
    assert plan.config is not None
    payload = build_payload(plan.config, "mailchimp")
    content = payload.requests[1].body["variate_contents"][0]
    assert content["html"] == html
    assert content["plain_text"] == text
    assert "because you started an order" in content["html"]
    assert payload.missing_body == []
    # the platform's preview text is the preheader the body's HTML carries
    assert payload.requests[0].body["settings"]["preview_text"] == PREHEADER
    assert all(a.preheader == PREHEADER for a in plan.arms)


def test_the_brevo_payload_sends_the_same_body_in_brevo_tags(tidewater_kb: Path) -> None:
    html, text = _body_html("mailchimp")
    plan = attach_body(_plan(tidewater_kb), ChosenBody(html=html, text=text, preheader=PREHEADER))
    assert plan.config is not None
    payload = build_payload(plan.config, "brevo")
    sent = payload.requests[0].body["htmlContent"]
    assert sent == translate_tags(html, "mailchimp", "brevo")
    assert sent == _body_html("brevo")[0]  # what the renderer writes for Brevo directly
    assert "*|" not in sent and "{{ contact.FIRSTNAME | default:'there' }}" in sent


def test_a_new_body_is_a_new_test_and_campaign(tidewater_kb: Path) -> None:
    plan = _plan(tidewater_kb)
    html, text = _body_html()
    with_body = attach_body(plan, ChosenBody(html=html, text=text))
    assert plan.config is not None and with_body.config is not None
    assert with_body.config.test_id != plan.config.test_id
    assert with_body.config.marker in with_body.config.title


def test_without_a_body_the_payload_says_so_and_a_push_is_refused(
    tidewater_kb: Path, tmp_path: Path
) -> None:
    plan = _plan(tidewater_kb)
    assert plan.config is not None
    assert missing_body(plan.config) == ["A", "B"]
    payload = build_payload(plan.config, "mailchimp")
    assert payload.missing_body == ["A", "B"]
    assert "no email body yet" in payload.warnings[0]
    fake = FakeMailchimp(MAILCHIMP_KEY)
    base_url = fake.start()
    try:
        settings = Settings(
            chroma_path=tmp_path / "chroma",
            kb_dir=tidewater_kb,
            mailchimp_api_key=MAILCHIMP_KEY,
            mailchimp_base_url=base_url,
            _env_file=None,  # type: ignore[call-arg]
        )
        with pytest.raises(ExportError, match="no email body yet.*draft a body"):
            push_payload(payload, settings)
        assert fake.count("POST", "/campaigns") == 0
        assert not fake.campaigns
    finally:
        fake.stop()


def test_a_body_that_fails_a_check_is_refused(tidewater_kb: Path) -> None:
    html, text = _body_html()
    with pytest.raises(PlanError, match="fails grounding"):
        attach_body(_plan(tidewater_kb), ChosenBody(html=html, failed_checks=["grounding"]))


def test_a_body_test_keeps_each_arms_own_body(tidewater_kb: Path) -> None:
    plan = _plan(tidewater_kb).model_copy(update={"variables": ["body"]})
    with pytest.raises(CopilotError, match="compares bodies"):
        attach_body(plan, ChosenBody(html=_body_html()[0]))
