"""Copy as people see it, for every page that shows copy: merge tags filled for a sample contact
(previews), or written in the platform's own syntax (edit boxes, payload views)."""

from __future__ import annotations

from pydantic import BaseModel

from copilot.platforms.tags import NEUTRAL, Tag, display_text, platforms, render_tags, strip_tags

__all__ = [
    "SAMPLE_CONTACT",
    "TagExamples",
    "in_platform_syntax",
    "inbox_text",
    "tag_examples",
    "with_sample_contact",
]

#: the contact every preview is rendered for (a field not listed shows its fallback, or nothing)
SAMPLE_CONTACT = {
    "FNAME": "Alex",
    "LNAME": "Rivera",
    "EMAIL": "alex@example.com",
    "COMPANY": "Rivera & Co",
}


class TagExamples(BaseModel):
    """How a platform writes the tags people meet most: first name, with a fallback, unsubscribe."""

    first_name: str
    with_fallback: str
    unsubscribe: str


def inbox_text(text: str) -> str:
    """A subject as an inbox shows it: merge tags as their fallback or a sample name."""
    return display_text(text)


def with_sample_contact(text: str) -> str:
    """Copy or email HTML as the sample contact receives it: merge tags of any syntax (neutral,
    Mailchimp, Brevo) become the contact's value or the tag's fallback; system tags (unsubscribe,
    web version) become a placeholder link. Layout and spacing are kept."""

    def shown(tag: Tag) -> str:
        if tag.system:
            return "#"
        return SAMPLE_CONTACT.get(tag.field) or tag.fallback or ""

    return strip_tags(text, shown)


def in_platform_syntax(text: str, platform: str) -> str:
    """Neutral tags written in the platform's own syntax (unknown platforms: as written)."""
    if platform not in platforms():
        return text
    return render_tags(text, platform)


def tag_examples(platform: str) -> TagExamples | None:
    """The platform's own syntax for the common tags; None when it has none of its own."""
    if platform not in platforms() or platform == NEUTRAL:
        return None
    return TagExamples(
        first_name=render_tags("{{FNAME}}", platform),
        with_fallback=render_tags("{{FNAME|there}}", platform),
        unsubscribe=render_tags("{{UNSUBSCRIBE}}", platform),
    )
