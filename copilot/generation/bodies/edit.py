"""A marketer's edit of a drafted body: their text in, the email re-rendered, re-checked and
re-scored exactly as a drafted one is.

Edit boxes show copy in the platform's own merge-tag syntax; the edit is turned back into neutral
tags before rendering, so the email is written once, for the brief's platform, by the renderer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.errors import CopilotError
from copilot.generation.bodies.generator import BODY_EVALUATORS, BodyVariant, evaluate_bodies
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import MergeTagError, to_neutral
from copilot.rendering.render import EmailContent, footer_for, greeting_for, render_email
from copilot.settings import Settings

#: most paragraphs an email body holds (the renderer's limit)
MAX_BLOCKS = 6


class BodyEditError(CopilotError):
    """An edited body cannot be rendered: an empty field, too many paragraphs, a bad tag or link."""


class BodyEdit(BaseModel):
    """The parts of a body a marketer edits, in the platform's merge-tag syntax."""

    headline: str
    #: the paragraphs, in order
    blocks: list[str] = Field(default_factory=list)
    cta_text: str
    cta_url: str
    ps: str = ""


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text box: a blank line starts a new one; lines inside one are joined."""
    out: list[str] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        joined = " ".join(line.strip() for line in chunk.splitlines() if line.strip())
        if joined:
            out.append(joined)
    return out


def _neutral(text: str, platform: str, where: str) -> str:
    try:
        return to_neutral(text.strip(), platform)
    except MergeTagError as exc:
        raise BodyEditError(f"{where}: {exc}") from None


def apply_edit(
    body: BodyVariant,
    edit: BodyEdit,
    brief: Brief,
    context: BrandContext,
    settings: Settings,
    evaluators: tuple[str, ...] = BODY_EVALUATORS,
) -> BodyVariant:
    """The body with the edited text, rendered for the brief's platform, checked and scored.

    A hard check that fails after the edit is reported on the body (as for any draft), not
    refused: the marketer sees why and edits again.
    """
    if not edit.headline.strip():
        raise BodyEditError("headline: write a headline; it cannot be empty")
    blocks = [b.strip() for b in edit.blocks if b.strip()]
    if not blocks:
        raise BodyEditError("paragraphs: write at least one paragraph")
    if len(blocks) > MAX_BLOCKS:
        raise BodyEditError(
            f"paragraphs: {len(blocks)} paragraphs; an email body holds at most {MAX_BLOCKS}, "
            "so join some of them"
        )
    if not edit.cta_text.strip():
        raise BodyEditError("button text: write the button's words; it cannot be empty")
    platform = brief.platform
    headline = _neutral(edit.headline, platform, "headline")
    neutral_blocks = [_neutral(b, platform, f"paragraph {i + 1}") for i, b in enumerate(blocks)]
    cta_text = _neutral(edit.cta_text, platform, "button text")
    ps = _neutral(edit.ps, platform, "P.S.") if edit.ps.strip() else None
    content = EmailContent(
        headline=headline,
        blocks=neutral_blocks,
        cta_text=cta_text,
        cta_url=edit.cta_url.strip(),
        ps=ps,
        greeting=greeting_for(brief.personalization),
        subject=_neutral(body.subject or "", platform, "subject"),
        preheader=_neutral(body.preheader or "", platform, "preheader"),
        language=brief.language,
    )
    try:
        rendered = render_email(
            content, footer_for(context.brand, brief.goal.value), platform, brief.personalization
        )
    except CopilotError as exc:
        raise BodyEditError(str(exc)) from None
    origin = {k: v for k, v in body.origin.items() if not k.startswith("block")}
    for i, block in enumerate(neutral_blocks):
        before = body.blocks[i] if i < len(body.blocks) else None
        origin[f"block{i + 1}"] = (
            body.origin.get(f"block{i + 1}", "edited") if before == block else "edited"
        )
    if body.headline != headline:
        origin["headline"] = "edited"
    if body.cta_text != cta_text:
        origin["button"] = "edited"
    if ps is None:
        origin.pop("ps", None)
    elif (body.ps or None) != ps:
        origin["ps"] = "edited"
    edited = body.model_copy(
        update={
            "headline": headline,
            "blocks": neutral_blocks,
            "cta_text": cta_text,
            "cta_url": content.cta_url,
            "ps": ps,
            "html": rendered.html,
            "text": rendered.text,
            "origin": origin,
            "notes": [f"sanitiser removed {r}" for r in rendered.removed],
            "score": None,
            "checks": [],
            "explanation": None,
        }
    )
    return evaluate_bodies([edited], brief, context, settings, list(evaluators))[0]
