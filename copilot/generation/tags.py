"""Merge tags in drafted copy: past lines shown to a model in neutral tags, subjects compared
without their tags, and bare first-name tags given a fallback before rendering."""

from __future__ import annotations

import re

from copilot.platforms.tags import MergeTagError, to_neutral

#: what a name field shows when a contact has none (Brevo renders it inline)
DEFAULT_FALLBACK = "there"
_BARE_NAME = re.compile(r"\{\{\s*(FNAME|FIRSTNAME|FIRST_NAME|NAME)\s*\}\}", re.I)


def neutral_line(text: str, platform: str) -> str:
    """A past line in neutral tags; one whose tags cannot be translated is shown tag-free."""
    try:
        return to_neutral(text, platform)
    except MergeTagError:
        return re.sub(r"\{\{.*?\}\}|\*\|.*?\|\*", "", text).strip()


def subject_key(text: str, platform: str) -> str:
    """Compare subjects by their words only (merge tags, case and punctuation aside)."""
    bare = re.sub(r"\{\{.*?\}\}", " ", neutral_line(text, platform))
    return " ".join(re.findall(r"[a-z0-9]+", bare.lower()))


def with_fallbacks(text: str) -> str:
    """Give bare first-name tags a fallback so no reader sees an empty greeting."""
    return _BARE_NAME.sub(lambda m: f"{{{{{m.group(1).upper()}|{DEFAULT_FALLBACK}}}}}", text)
