"""Render an email (headline, blocks, one CTA, optional P.S.) into responsive HTML and plain text.

Copy is written with neutral merge tags ({{FNAME|there}}) and rendered for the platform at the end,
after escaping and sanitising, so tags survive and no generated text can become markup. The footer
(why the reader gets this email, the postal address from the brand KB, unsubscribe and
preferences links) always comes from the layout, never from the model.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, Field

from copilot.errors import BriefError, KnowledgeBaseError
from copilot.evaluation.checks.body import brand_address
from copilot.io.loader import load_model
from copilot.knowledge.brand import BrandKB
from copilot.platforms.tags import canonical_field, display_text, render_tags
from copilot.rendering.sanitise import sanitise_html

LAYOUTS = Path(__file__).parent / "layouts"
REASONS_FILE = Path(__file__).parent / "reasons.yaml"
UNSUBSCRIBE_TAG = "{{UNSUBSCRIBE}}"
PREFERENCES_TAG = "{{UPDATE_PROFILE}}"
GREETING_FALLBACK = "there"
TEXT_WIDTH = 72
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)


class EmailContent(BaseModel):
    """The parts of one email a generator writes (neutral merge tags allowed in the text)."""

    headline: str = Field(min_length=1)
    blocks: list[str] = Field(min_length=1, max_length=6)
    cta_text: str = Field(min_length=1)
    cta_url: str
    ps: str | None = None
    greeting: str | None = None
    subject: str = ""
    preheader: str = ""
    language: str = "en"


class Footer(BaseModel):
    """The mandatory footer: who sends, their postal address, and why the reader gets this."""

    sender_name: str
    postal_address: str
    reason: str


class RenderedEmail(BaseModel):
    """HTML and plain-text parts in the platform's merge-tag syntax."""

    html: str
    text: str
    removed: list[str] = Field(default_factory=list)


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(LAYOUTS)),
        autoescape=select_autoescape(disabled_extensions=("txt.j2",), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def greeting_for(fields: Sequence[str]) -> str | None:
    """'Hi {{FNAME|there}},' when the brief lists a first-name field, else no greeting."""
    if "FNAME" in {canonical_field(f) for f in fields}:
        return f"Hi {{{{FNAME|{GREETING_FALLBACK}}}}},"
    return None


def sender_name(brand: BrandKB) -> str:
    """The brand's name as written in products.md's title, else from its folder name."""
    for line in brand.products_text.splitlines():
        m = re.match(r"^#\s+(.+?)\s*(?::|\s[-–—]\s|$)", line)
        if m:
            return m.group(1).strip()
    return brand.name.replace("_", " ").replace("-", " ").title()


class FooterReasons(BaseModel):
    """reasons.yaml: the footer's reason clause for each goal, and for any other goal."""

    default: str = "you subscribed to email from {sender}"
    goals: dict[str, str] = Field(default_factory=dict)


def reason_for(goal: str, sender: str, override: str | None = None) -> str:
    """The footer's 'you are receiving this email because ...' clause for a goal."""
    reasons = load_model(REASONS_FILE, FooterReasons)
    template = override or reasons.goals.get(goal) or reasons.default
    return template.replace("{sender}", sender).rstrip(".")


def footer_for(brand: BrandKB, goal: str, reason: str | None = None) -> Footer:
    """The footer for a brand: its postal address from products.md (required by law)."""
    address = brand_address(brand.products_text)
    if not address:
        raise KnowledgeBaseError(
            f"brand '{brand.name}': products.md has no postal address; marketing email must show "
            "one. Add a section '## Contact and address' with the street address, then re-run"
        )
    name = sender_name(brand)
    return Footer(
        sender_name=name, postal_address=address[0], reason=reason_for(goal, name, reason)
    )


def check_cta_url(url: str) -> str:
    """Only absolute http(s) links are allowed as the call to action."""
    if not _URL.match(url.strip()):
        raise BriefError(
            f"field 'cta_url': {url!r} is not an http:// or https:// link; give the full URL "
            "of the page the button opens"
        )
    return url.strip()


def _wrap(text: str) -> str:
    # neutral tags have no spaces ({{FNAME|there}}), so wrapping never splits one
    return textwrap.fill(
        " ".join(text.split()), TEXT_WIDTH, break_long_words=False, break_on_hyphens=False
    )


def render_email(
    content: EmailContent, footer: Footer, platform: str, fields: Sequence[str] | None = None
) -> RenderedEmail:
    """HTML (sanitised, responsive) and plain-text parts in `platform` merge-tag syntax.

    `fields` are the contact fields the copy may use (the brief's personalization); a tag for any
    other field raises MergeTagError.
    """
    url = check_cta_url(content.cta_url)
    env = _env()
    fragment = env.get_template("content.html.j2").render(
        greeting=content.greeting,
        headline=content.headline,
        blocks=content.blocks,
        cta_text=content.cta_text,
        cta_url=url,
        ps=content.ps,
    )
    clean = sanitise_html(fragment)
    address = footer.postal_address
    # the address line often starts with the company name; do not print it twice
    footer_name = "" if address.startswith(footer.sender_name) else footer.sender_name
    common = {
        "reason": footer.reason,
        "postal_address": address,
        "footer_name": footer_name,
        "unsubscribe_url": UNSUBSCRIBE_TAG,
        "preferences_url": PREFERENCES_TAG,
    }
    html = env.get_template("email.html.j2").render(
        language=content.language,
        title=display_text(content.subject or content.headline, sample="") or content.headline,
        preheader=content.preheader,
        content_html=Markup(clean.html),
        **common,
    )
    text = env.get_template("email.txt.j2").render(
        greeting=content.greeting,
        headline=" ".join(content.headline.split()),
        blocks=[_wrap(b) for b in content.blocks],
        cta_text=content.cta_text,
        cta_url=url,
        ps=_wrap(content.ps) if content.ps else None,
        **common,
    )
    return RenderedEmail(
        html=render_tags(html, platform, fields),
        text=render_tags(text, platform, fields),
        removed=clean.removed,
    )
