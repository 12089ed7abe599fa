"""Merge tags through the export path: copy written for one platform is stored neutral in the A/B
config and rendered for the other platform's payload; translating back gives the original.
(The syntax data and the translation functions live in copilot/platforms/tags.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import make_brief, planned_config, variant

from copilot.app.export import build_payload
from copilot.platforms.tags import translate_tags

MAILCHIMP_SUBJECTS = [
    "*|FNAME|*, your Harvest Sale bag is waiting",
    "*|IF:FNAME|**|FNAME|**|ELSE:|*Friend*|END:IF|*, 15% off every bag",
]
BREVO_SUBJECTS = [
    "{{ contact.FIRSTNAME }}, your Harvest Sale bag is waiting",
    "{{ contact.FIRSTNAME | default:'Friend' }}, 15% off every bag",
]


def _variants(subjects: list[str]) -> list:
    return [variant(subjects[0], "Use HARVEST15.", 80), variant(subjects[1], "Use HARVEST15.", 75)]


def test_config_stores_neutral_tags(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", variants=_variants(MAILCHIMP_SUBJECTS))
    assert [a.subject for a in config.arms] == [
        "{{FNAME}}, your Harvest Sale bag is waiting",
        "{{FNAME|Friend}}, 15% off every bag",
    ]


def test_mailchimp_copy_exported_to_brevo_and_back(tidewater_kb: Path) -> None:
    config = planned_config(
        tidewater_kb, "mailchimp", max_variants=2, variants=_variants(MAILCHIMP_SUBJECTS)
    )
    body = build_payload(config, "brevo").requests[0].body
    assert [body["subjectA"], body["subjectB"]] == BREVO_SUBJECTS
    back = [translate_tags(s, "brevo", "mailchimp") for s in (body["subjectA"], body["subjectB"])]
    assert back == MAILCHIMP_SUBJECTS


def test_brevo_copy_exported_to_mailchimp_and_back(tidewater_kb: Path) -> None:
    config = planned_config(
        tidewater_kb,
        "brevo",
        brief=make_brief(platform="brevo"),
        variants=_variants(BREVO_SUBJECTS),
    )
    body = build_payload(config, "mailchimp").requests[0].body
    subjects = body["variate_settings"]["subject_lines"]
    assert subjects == MAILCHIMP_SUBJECTS
    assert [translate_tags(s, "mailchimp", "brevo") for s in subjects] == BREVO_SUBJECTS


@pytest.mark.parametrize(
    "platform,tag", [("mailchimp", 'href="*|UNSUB|*"'), ("brevo", 'href="{{ unsubscribe }}"')]
)
def test_layout_unsubscribe_tag_per_platform(tidewater_kb: Path, platform: str, tag: str) -> None:
    config = planned_config(tidewater_kb, platform, max_variants=2)
    payload = build_payload(config, platform)
    html = (
        payload.requests[0].body.get("htmlContent")
        or payload.requests[1].body["variate_contents"][0]["html"]
    )
    assert tag in html
    assert "{{UNSUBSCRIBE}}" not in html  # no neutral tag leaks into a payload


@pytest.mark.parametrize("text", MAILCHIMP_SUBJECTS + ["No tags at all", "*|LNAME|* & *|FNAME|*"])
def test_round_trip_mailchimp_brevo_mailchimp(text: str) -> None:
    assert translate_tags(translate_tags(text, "mailchimp", "brevo"), "brevo", "mailchimp") == text


def test_brevo_warns_about_tags_without_fallback(tidewater_kb: Path) -> None:
    config = planned_config(
        tidewater_kb, "mailchimp", max_variants=2, variants=_variants(MAILCHIMP_SUBJECTS)
    )
    warnings = build_payload(config, "brevo").warnings
    assert any(w.startswith("subjectA: {{ contact.FIRSTNAME }} has no fallback") for w in warnings)
    assert not any(w.startswith("subjectB") for w in warnings)
