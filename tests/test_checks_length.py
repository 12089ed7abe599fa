"""Subject length and preheader checks: each limit passes on one side and fires on the other."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.checks.length import PreheaderCheck, SubjectLengthCheck
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.variants import Variant

BRIEF = Brief.model_validate({"brand": "demo", "goal": "newsletter", "segment": {"name": "all"}})
CONTEXT = BrandContext(
    brand=BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text="")
)
WORDS = "fresh tea blended by hand in small batches every week for slow mornings and long talks "


def text_of(n: int) -> str:
    """Readable text of exactly n characters (no trailing space)."""
    out = (WORDS * (n // len(WORDS) + 2))[:n]
    return out[:-1] + "s" if out.endswith(" ") else out


def subject_check(subject: str) -> tuple[str, str]:
    result = SubjectLengthCheck().evaluate([Variant(subject=subject)], BRIEF, CONTEXT)[0]
    return result.status, result.message


@pytest.mark.parametrize(
    "length,status",
    [
        (20, "pass"),
        (35, "pass"),
        (36, "pass"),
        (50, "pass"),
        (51, "warn"),
        (90, "warn"),
        (91, "fail"),
    ],
)
def test_subject_length_limits(length: int, status: str) -> None:
    got, message = subject_check(text_of(length))
    assert got == status
    assert f"{length} characters" in message


def test_empty_subject_fails() -> None:
    assert subject_check("   ")[0] == "fail"


def test_subject_message_quotes_what_mobile_shows() -> None:
    subject = text_of(45)
    status, message = subject_check(subject)
    assert status == "pass"
    assert f'"{subject[:35].rstrip()}…"' in message


@pytest.mark.parametrize(
    "tagged,shown",
    [
        # a guarded Mailchimp field counts as a four-letter sample name ("Alex, " + 50)
        ("*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*, " + text_of(50), 56),
        # a Brevo field counts as its default ("there, " + 50)
        ("{{ contact.FIRSTNAME | default:'there' }}, " + text_of(50), 57),
    ],
)
def test_merge_tag_counts_as_shown_not_as_code(tagged: str, shown: int) -> None:
    assert len(tagged) > 90
    status, message = subject_check(tagged)
    assert status == "warn"
    assert f"{shown} characters" in message


def preheader_check(preheader: str, subject: str = "Your spring tea letter") -> tuple[str, str]:
    variant = Variant(subject=subject, preheader=preheader)
    result = PreheaderCheck().evaluate([variant], BRIEF, CONTEXT)[0]
    return result.status, result.message


@pytest.mark.parametrize(
    "length,status",
    [
        (0, "fail"),
        (12, "warn"),
        (39, "warn"),
        (40, "pass"),
        (90, "pass"),
        (130, "pass"),
        (131, "fail"),
    ],
)
def test_preheader_length_limits(length: int, status: str) -> None:
    assert preheader_check(text_of(length) if length else "")[0] == status


@pytest.mark.parametrize(
    "subject,preheader,status",
    [
        ("Fresh chai is back in stock", "Fresh chai is back in stock", "fail"),
        ("Fresh chai is back in stock", "Fresh chai is back in stock!!", "fail"),
        ("Fresh chai is back", "Fresh chai is back, and it ships tomorrow from Ashby", "fail"),
        ("Fresh chai is back in stock", "Fresh chai is back in stock again", "fail"),
        ("Our fresh chai is back", "fresh chai is back with our cardamom", "warn"),
        (
            "Fresh chai is back in stock",
            "Cardamom, ginger and cinnamon, blended by hand this week",
            "pass",
        ),
    ],
)
def test_preheader_must_not_repeat_subject(subject: str, preheader: str, status: str) -> None:
    got, message = preheader_check(preheader, subject)
    assert got == status, message
