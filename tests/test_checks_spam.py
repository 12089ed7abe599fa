"""The spam check: trigger lexicon, ALL-CAPS, punctuation runs, emoji and the brand's don'ts."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.checks.spam import SpamCheck, brand_rules, count_emoji, lexicon
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.variants import Variant

BRIEF = Brief.model_validate({"brand": "demo", "goal": "promotion", "segment": {"name": "all"}})

VOICE = """# Demo Tea voice

## Don't

- Don't say "cheap", "bargain" or “steal”; give the exact price instead.
- Don't write words in ALL CAPS, except codes such as STEEP15 and acronyms such as USA.
- Don't put an exclamation mark in a subject line, and use at most one in a whole email.
- Don't use more than one emoji in a subject line, and none in preheaders.
- Don't fake a thread with "Re:" prefixes.
"""


def context(voice: str = "") -> BrandContext:
    brand = BrandKB(name="demo", folder=Path("."), voice=parse_voice(voice), products_text="")
    return BrandContext(brand=brand)


def check(subject: str, preheader: str = "", voice: str = "", body: str | None = None):
    variant = Variant(subject=subject, preheader=preheader, body=body)
    return SpamCheck().evaluate([variant], BRIEF, context(voice))[0]


@pytest.mark.parametrize(
    "subject,preheader,status",
    [
        ("Fresh chai, blended this week", "Cardamom, ginger and cinnamon in every tin.", "pass"),
        ("Free shipping on orders over $50", "Tins, pouches and samplers all count.", "pass"),
        ("Act now: guaranteed results", "You're a winner", "fail"),
        ("Limited time only, click here", "", "fail"),
        ("Last chance, don't miss out", "Hurry.", "warn"),
        ("FREE shipping this week", "", "warn"),
        ("SPRING SALE STARTS NOW", "", "fail"),
        ("Fresh chai!!", "", "warn"),
        ("Fresh chai!!!", "", "fail"),
        ("Save $$ on chai", "", "warn"),
        ("Save $$$ on chai", "", "fail"),
        ("Tea time 🍵🌿🫖", "", "warn"),
        ("Tea 🍵🌿🫖🍋🍯🎉", "", "fail"),
    ],
)
def test_generic_spam_signals(subject: str, preheader: str, status: str) -> None:
    result = check(subject, preheader)
    assert result.status == status, result.message
    assert 0.0 <= result.score <= 1.0


def test_message_quotes_the_offending_words() -> None:
    result = check("Act now: guaranteed results")
    assert '"Act now"' in result.message and '"guaranteed results"' in result.message


@pytest.mark.parametrize(
    "subject",
    [
        "Made in the USA, shipped from VT",  # short acronyms
        "Hi *|FNAME|*, fresh chai is here",  # a merge tag is not shouting
        "Hi {{ contact.FIRSTNAME | default:'there' }}, fresh chai",
        "Use STEEP15 for 15% off",  # codes are not shouting
    ],
)
def test_not_shouting(subject: str) -> None:
    assert check(subject).status == "pass"


@pytest.mark.parametrize(
    "subject,preheader,status",
    [
        ("A cheap way to better tea", "", "fail"),
        ("Tea at a bargain", "", "fail"),
        ("A steal of a chai", "", "fail"),
        ("Re: your tea order", "", "fail"),
        ("We're here: fresh chai", "", "pass"),  # "re:" inside a word is not the prefix
        ("NEW chai for spring", "", "fail"),
        ("Use STEEP15 in the USA", "", "pass"),
        ("Fresh chai is here!", "", "fail"),
        ("Fresh chai is here", "Steep it slowly!", "pass"),
        ("Fresh chai 🍵", "Cardamom and ginger.", "pass"),
        ("Fresh chai 🍵🌿", "Cardamom and ginger.", "fail"),
        ("Fresh chai", "Cardamom and ginger 🌿", "fail"),
    ],
)
def test_brand_donts(subject: str, preheader: str, status: str) -> None:
    result = check(subject, preheader, voice=VOICE)
    assert result.status == status, result.message
    if status == "fail":
        assert "brand" in result.message


def test_brand_dont_limit_covers_the_whole_email() -> None:
    body = "<p>Steep it slowly! Then steep another!</p>"
    result = check("Fresh chai is here", "Cardamom and ginger.", voice=VOICE, body=body)
    assert result.status == "fail"
    assert "the email has 2 exclamation mark(s)" in result.message


def test_rules_read_from_donts() -> None:
    rules = brand_rules(parse_voice(VOICE).model_copy())
    assert {"cheap", "bargain", "steal", "re:"} <= set(rules.phrases)
    assert rules.caps_rule is not None and {"STEEP15", "USA"} <= rules.caps_allowed
    assert {(lim.scope, lim.limit) for lim in rules.exclamation} == {("subject", 0), ("total", 1)}
    assert {(lim.scope, lim.limit) for lim in rules.emoji} == {("subject", 1), ("preheader", 0)}


def test_a_bullet_with_several_rules_keeps_each_limit_to_its_own_clause() -> None:
    voice = "# Voice\n\n## Don't\n- No ALL CAPS and no more than one exclamation mark.\n"
    rules = brand_rules(parse_voice(voice).model_copy())
    # the "No" of the caps clause is not an exclamation limit
    assert {(lim.scope, lim.limit) for lim in rules.exclamation} == {("total", 1)}
    assert rules.caps_rule is not None
    assert check("Tune-up time!", "Book before the trails dry out.", voice=voice).status == "pass"
    failed = check("Tune-up time!", "Book before the trails dry out!", voice=voice)
    assert failed.status == "fail" and "2 exclamation mark(s)" in failed.message


def test_lexicon_is_data_with_weights() -> None:
    lex = lexicon()
    assert len(lex.triggers) >= 80
    assert all(0 < w <= 5 for w in lex.triggers.values())
    assert lex.thresholds.warn < lex.thresholds.fail


def test_emoji_sequences_count_once() -> None:
    assert count_emoji("👩‍👩‍👧 👍🏽 plain") == 2
    assert count_emoji("no emoji here") == 0
