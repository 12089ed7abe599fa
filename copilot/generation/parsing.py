"""Turn raw model output into subject/preheader drafts, repairing what can be repaired."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from copilot.llm.contract import parse_contract
from copilot.llm.structured import Retry

MAX_SUBJECT_CHARS = 150
MAX_PREHEADER_CHARS = 200
#: (fewest, most) characters a chat model is held to when its backend takes a schema
CHAT_SUBJECT_CHARS = (16, 80)
CHAT_PREHEADER_CHARS = (24, 120)
_QUOTES = "\"'“”‘’`"
#: a subject ending on one of these was cut off mid-phrase ("Free shipping on")
_DANGLING = frozenset("a an and the to of on for with at in by or but your our my I from".split())


class Draft(BaseModel):
    subject: str
    preheader: str = ""
    angle: str = ""
    #: how it was drafted (scratch, edit, patterns; chat for a chat model's answer)
    strategy: str = ""


class DraftList(BaseModel):
    """What a chat model must return (the structured-output contract)."""

    variants: list[Draft] = Field(min_length=1)


class ChatDraft(BaseModel):
    """One draft as a chat model is asked to write it: the bounds go into the JSON schema, so a
    backend that constrains decoding cannot stop at one word or run past a line's length."""

    subject: str = Field(min_length=CHAT_SUBJECT_CHARS[0], max_length=CHAT_SUBJECT_CHARS[1])
    preheader: str = Field(min_length=CHAT_PREHEADER_CHARS[0], max_length=CHAT_PREHEADER_CHARS[1])
    angle: str = Field(default="", max_length=24)


class ChatDraftList(BaseModel):
    """The schema sent with a chat drafting call (answers are read leniently, as DraftList, and
    checked draft by draft, so one bad line never costs the others)."""

    variants: list[ChatDraft] = Field(min_length=1, max_length=8)


class ParseFailure(Retry):
    """The output could not be turned into a usable draft; the message says why (raising it
    makes the one retry loop, `copilot.llm.structured.first_valid`, draw again)."""


def clean_line(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(_QUOTES).strip()
    return re.sub(r"^(subject|preheader)\s*[:\-]\s*", "", text, flags=re.I).strip(_QUOTES).strip()


def parse_completion(text: str, angle: str) -> Draft:
    """Parse the continuation of a few-shot block: '<subject>\\nPreheader: <preheader>'."""
    body = text.split("###")[0]
    lines = [ln for ln in body.splitlines() if ln.strip()]
    if not lines:
        raise ParseFailure("empty output")
    if re.match(r"\s*(preheader|goal|audience|angle)\s*:", lines[0], flags=re.I):
        raise ParseFailure("no subject line (the model skipped to another field)")
    subject = clean_line(lines[0])
    preheader = ""
    for ln in lines[1:]:
        m = re.match(r"\s*preheader\s*:\s*(.*)$", ln, flags=re.I)
        if m:
            preheader = clean_line(m.group(1))
            break
        if re.match(r"\s*(goal|audience|angle|subject)\s*:", ln, flags=re.I):
            break
    if not preheader and " | " in subject:  # repair: both on one line
        subject, _, preheader = (clean_line(s) for s in subject.partition(" | "))
    return validate_draft(Draft(subject=subject, preheader=preheader, angle=angle))


def validate_draft(draft: Draft) -> Draft:
    """Reject drafts that are empty or over-long; trim harmless whitespace/quotes."""
    subject = clean_line(draft.subject)
    preheader = clean_line(draft.preheader)
    if not subject:
        raise ParseFailure("empty subject")
    words = re.findall(r"[A-Za-z0-9']+", re.sub(r"\{\{.*?\}\}|\*\|.*?\|\*|\[.*?\]", " ", subject))
    if len(words) < 2:
        raise ParseFailure(f"subject {subject!r} has fewer than two words of its own")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise ParseFailure(f"subject over {MAX_SUBJECT_CHARS} characters")
    if words and (words[-1] in _DANGLING or words[-1].lower() in _DANGLING - {"i"}):
        raise ParseFailure(f"subject {subject!r} stops mid-phrase")
    if len(preheader) > MAX_PREHEADER_CHARS:
        preheader = preheader[:MAX_PREHEADER_CHARS].rsplit(" ", 1)[0]  # repair: cut at a word
    return Draft(
        subject=subject,
        preheader=preheader,
        angle=draft.angle.strip().lower(),
        strategy=draft.strategy,
    )


def parse_chat(text: str) -> list[Draft]:
    """Parse a chat model's JSON answer against the DraftList contract."""
    parsed = parse_contract(text, DraftList, ParseFailure, list_key="variants")
    drafts = []
    for d in parsed.variants:
        try:
            drafts.append(validate_draft(d))
        except ParseFailure:
            continue
    if not drafts:
        raise ParseFailure("no usable variant in the JSON")
    return drafts
