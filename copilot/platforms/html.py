"""A minimal, valid email body for arms without their own HTML (richer bodies come from generators)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from copilot.io.abconfig import ABConfig, Arm
from copilot.platforms.errors import ExportError
from copilot.platforms.tags import render_tags

LAYOUTS = Path(__file__).parent / "layouts"
DEFAULT_LAYOUT = "basic.html.j2"
#: neutral system tag; rendered per platform (*|UNSUB|* / {{ unsubscribe }}) after escaping
UNSUBSCRIBE_TAG = "{{UNSUBSCRIBE}}"


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(LAYOUTS)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _paragraphs(arm: Arm, config: ABConfig) -> list[str]:
    text = (arm.body_text or "").strip()
    if not text:
        # no body yet: the preheader (or subject) carries the message until bodies are generated
        text = arm.preheader or arm.subject
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def render_body(config: ABConfig, arm: Arm, platform: str, layout: str = DEFAULT_LAYOUT) -> str:
    """The arm's HTML in the platform's merge-tag syntax, with unsubscribe link and address."""
    if arm.html:
        html = arm.html
    else:
        if not config.sender.postal_address:
            raise ExportError(
                "config field 'sender.postal_address' is empty: marketing email must show the "
                "sender's postal address; add it to the config (or to the brand's products.md "
                "under a heading with 'address', then plan again)"
            )
        from_name = arm.from_name or config.sender.from_name
        address = config.sender.postal_address
        html = (
            _env()
            .get_template(layout)
            .render(
                language=config.language,
                subject=arm.subject,
                preheader=arm.preheader,
                paragraphs=_paragraphs(arm, config),
                cta=config.cta,
                cta_url=config.cta_url,
                from_name=from_name,
                # the address line often starts with the company name; do not print it twice
                footer_name="" if address.startswith(from_name) else from_name,
                postal_address=address,
                unsubscribe_url=UNSUBSCRIBE_TAG,
            )
        )
    return render_tags(html, platform)
