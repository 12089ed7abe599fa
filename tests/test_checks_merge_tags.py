"""Merge tags: the check (platform syntax, listed fields, fallbacks, placeholders) and the
render/translate library the generator and exporters use."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.checks.merge_tags import MergeTagsCheck
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import (
    MergeTagError,
    display_text,
    find_tags,
    render_tags,
    strip_tags,
    to_neutral,
    translate_tags,
)
from copilot.variants import Variant

CONTEXT = BrandContext(
    brand=BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text="")
)


def brief(platform: str, personalization: list[str]) -> Brief:
    return Brief.model_validate(
        {
            "brand": "demo",
            "goal": "promotion",
            "segment": {"name": "all"},
            "platform": platform,
            "personalization": personalization,
        }
    )


def check(
    subject: str, platform: str, fields: list[str], preheader: str = "", body: str | None = None
):
    variant = Variant(subject=subject, preheader=preheader, body=body)
    return MergeTagsCheck().evaluate([variant], brief(platform, fields), CONTEXT)[0]


@pytest.mark.parametrize(
    "platform,fields,subject,status",
    [
        # valid for the platform, listed, with a fallback
        ("mailchimp", ["FNAME"], "*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*, new chai", "pass"),
        ("brevo", ["FIRSTNAME"], "{{ contact.FIRSTNAME | default:'there' }}, new chai", "pass"),
        ("brevo", ["FNAME"], '{{ contact.FIRSTNAME | default:"friend" }}, new chai', "pass"),
        (
            "brevo",
            ["FIRSTNAME"],
            "{% if contact.FIRSTNAME %}{{ contact.FIRSTNAME }}, {% endif %}new chai",
            "pass",
        ),
        ("mailchimp", [], "New chai, blended this week", "pass"),
        # Mailchimp's fallback is the audience default we cannot see: warn
        ("mailchimp", ["FNAME"], "*|FNAME|*, new chai", "warn"),
        # Brevo without a default: fail
        ("brevo", ["FIRSTNAME"], "{{ contact.FIRSTNAME }}, new chai", "fail"),
        # the other platform's syntax
        ("mailchimp", ["FNAME"], "{{ contact.FIRSTNAME | default:'there' }}, new chai", "fail"),
        ("brevo", ["FIRSTNAME"], "*|FNAME|*, new chai", "fail"),
        # a field the brief does not list
        (
            "mailchimp",
            ["FNAME"],
            "*|IF:CITY|**|CITY|**|ELSE:|*your town*|END:IF|*: new chai",
            "fail",
        ),
        ("mailchimp", [], "*|FNAME|*, new chai", "fail"),
        ("brevo", ["FIRSTNAME"], "{{ contact.LASTNAME | default:'friend' }}, new chai", "fail"),
        # Mailchimp has no inline default
        ("mailchimp", ["FNAME"], "*|FNAME:there|*, new chai", "fail"),
        # unrendered placeholders
        ("mailchimp", ["FNAME"], "[NAME], new chai", "fail"),
        ("mailchimp", ["FNAME"], "[First Name], new chai", "fail"),
        ("mailchimp", ["FNAME"], "{FNAME}, new chai", "fail"),
        ("mailchimp", ["FNAME"], "{{first_name}}, new chai", "fail"),
        ("mailchimp", ["FNAME"], "{{FNAME|there}}, new chai", "fail"),
        ("brevo", ["FIRSTNAME"], "<name>, new chai", "fail"),
        ("brevo", ["FIRSTNAME"], "%FIRSTNAME%, new chai", "fail"),
        # malformed
        ("mailchimp", ["FNAME"], "*|FNAME|, new chai", "fail"),
        ("brevo", ["FIRSTNAME"], "{{ contact.FIRSTNAME, new chai", "fail"),
        # a system tag in a subject
        ("mailchimp", [], "*|UNSUB|* new chai", "fail"),
    ],
)
def test_merge_tag_check(platform: str, fields: list[str], subject: str, status: str) -> None:
    result = check(subject, platform, fields)
    assert result.status == status, result.message


def test_failure_message_quotes_the_tag_and_names_the_fix() -> None:
    result = check("{{ contact.FIRSTNAME }}, new chai", "brevo", ["FIRSTNAME"])
    assert '"{{ contact.FIRSTNAME }}"' in result.message
    assert "default:'there'" in result.message


def test_placeholder_hidden_in_preheader_fails() -> None:
    result = check("New chai", "mailchimp", ["FNAME"], preheader="Hi [Name], it's steeping time")
    assert result.status == "fail" and '"[Name]"' in result.message


def test_body_system_tags_and_links_are_not_placeholders() -> None:
    body = (
        "<style>p{margin:0}</style><p>Hi *|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*,</p>"
        '<p><a href="https://demo.example/shop">[Shop now](x)</a></p>'
        '<a href="*|UNSUB|*">Unsubscribe</a>'
    )
    assert check("New chai", "mailchimp", ["FNAME"], body=body).status == "pass"


NEUTRAL = [
    "Hi {{FNAME}}, new chai",
    "Hi {{FNAME|there}}, new chai",
    "{{FNAME|friend}} {{LNAME}}: your order",
    "{{COMPANY|your team}} gets 10% off",
    "Bye: {{UNSUBSCRIBE}}",
    "No tags at all",
]


@pytest.mark.parametrize("text", NEUTRAL)
@pytest.mark.parametrize("platform", ["mailchimp", "brevo"])
def test_render_then_back_to_neutral_round_trips(text: str, platform: str) -> None:
    rendered = render_tags(text, platform)
    assert to_neutral(rendered, platform) == text


@pytest.mark.parametrize("text", NEUTRAL)
def test_translate_between_platforms_round_trips(text: str) -> None:
    mailchimp = render_tags(text, "mailchimp")
    brevo = translate_tags(mailchimp, "mailchimp", "brevo")
    assert brevo == render_tags(text, "brevo")
    assert translate_tags(brevo, "brevo", "mailchimp") == mailchimp


@pytest.mark.parametrize(
    "neutral,platform,expected",
    [
        ("Hi {{FNAME|there}}", "mailchimp", "Hi *|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*"),
        ("Hi {{FNAME|there}}", "brevo", "Hi {{ contact.FIRSTNAME | default:'there' }}"),
        ("Hi {{FIRST_NAME|there}}", "brevo", "Hi {{ contact.FIRSTNAME | default:'there' }}"),
        ("Hi {{FNAME|y'all}}", "brevo", 'Hi {{ contact.FIRSTNAME | default:"y\'all" }}'),
        ("{{UNSUBSCRIBE}}", "mailchimp", "*|UNSUB|*"),
        ("{{UNSUBSCRIBE}}", "brevo", "{{ unsubscribe }}"),
        ("{{PHONE}}", "brevo", "{{ contact.SMS }}"),
    ],
)
def test_render_syntax(neutral: str, platform: str, expected: str) -> None:
    assert render_tags(neutral, platform) == expected


def test_rendered_copy_passes_the_check() -> None:
    for platform, fields in (("mailchimp", ["FNAME"]), ("brevo", ["FIRSTNAME"])):
        subject = render_tags("{{FNAME|there}}, your chai is steeping", platform, fields)
        assert check(subject, platform, fields).status == "pass"


def test_render_refuses_unlisted_fields() -> None:
    with pytest.raises(MergeTagError, match="CITY"):
        render_tags("Tea in {{CITY|your town}}", "mailchimp", ["FNAME"])


def test_untranslatable_conditional_is_refused() -> None:
    with pytest.raises(MergeTagError, match="conditional"):
        to_neutral("*|IF:FNAME|*Hi *|FNAME|*!*|END:IF|*", "mailchimp")


def test_brevo_has_no_postal_address_tag() -> None:
    with pytest.raises(MergeTagError, match="brevo"):
        render_tags("{{POSTAL_ADDRESS}}", "brevo")


def test_find_tags_reports_fields_fallbacks_and_guards() -> None:
    tags = find_tags("*|IF:FNAME|**|FNAME|**|ELSE:|*you*|END:IF|* *|LNAME|* *|UNSUB|*", "mailchimp")
    assert [(t.field, t.guarded, t.system) for t in tags] == [
        ("FNAME", True, False),
        ("LNAME", False, False),
        ("UNSUBSCRIBE", False, True),
    ]


def test_display_and_strip() -> None:
    assert display_text("Hi {{ contact.FIRSTNAME | default:'friend' }}!") == "Hi friend!"
    assert display_text("Hi *|FNAME|*!") == "Hi Alex!"
    assert "FNAME" not in strip_tags("Hi *|FNAME|*, [NAME] and {{FNAME}}")


@pytest.mark.parametrize("text", ["[Your email address]", "Use code [promo code] today"])
def test_bracketed_template_notes_are_unrendered_placeholders(text: str) -> None:
    from copilot.evaluation.checks.merge_tags import check_text

    assert check_text(text, "subject", "mailchimp", ["FNAME"]).fails
