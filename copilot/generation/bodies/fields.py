"""One field of an email body from raw model output: cleaned, length-checked, or refused."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from copilot.generation.parsing import ParseFailure, clean_line


class RejectedField(BaseModel):
    """A model draft of one field that was not used, and why."""

    angle: str
    field: str
    text: str
    reason: str


class FieldRule(BaseModel):
    """Limits of one field kind; `max_tokens` bounds the model call that writes it."""

    label: str
    max_tokens: int
    min_words: int = Field(ge=1)
    max_words: int
    max_chars: int
    sentence: bool = False  # must end as a finished sentence


RULES: dict[str, FieldRule] = {
    "headline": FieldRule(label="Headline", max_tokens=24, min_words=2, max_words=14, max_chars=80),
    "paragraph": FieldRule(
        label="Paragraph", max_tokens=80, min_words=5, max_words=70, max_chars=450, sentence=True
    ),
    "button": FieldRule(label="Button", max_tokens=12, min_words=1, max_words=6, max_chars=32),
    "ps": FieldRule(
        label="P.S.", max_tokens=40, min_words=3, max_words=40, max_chars=240, sentence=True
    ),
}

_LABEL = re.compile(r"^\s*(headline|paragraph|button|p\.?\s?s\.?|subject|cta)\s*[:\-]\s*", re.I)
_BULLET = re.compile(r"^(?:[-*•–]+|\d+[.)])\s+")
_MARKUP = re.compile(r"<[^>]{0,200}>")
_FORBIDDEN = [
    (re.compile(r"https?://|www\.|\b[\w.+-]+@[\w-]+\.[\w.]+", re.I), "a link or email address"),
    (
        re.compile(r"###|\b(goal|angle|audience|headline|paragraph|button)\s*:", re.I),
        "prompt scaffolding",
    ),
    (re.compile(r"\*\|.*?\|\*|\{%.*?%\}|\{\{\s*contact\.", re.S), "platform merge-tag syntax"),
]
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s|$)")


def words(text: str) -> list[str]:
    """Word tokens (for limits and duplicate checks)."""
    return re.findall(r"[A-Za-z0-9'’]+", text)


def normalised(text: str) -> str:
    """Lower-case words only, to compare fields."""
    return " ".join(w.lower() for w in words(text))


def _finish(text: str, rule: FieldRule) -> str:
    """Cut to the last finished sentence within the limit, or refuse."""
    if len(text) > rule.max_chars or not _SENTENCE_END.search(text[-3:] + " "):
        ends = [m.end() for m in _SENTENCE_END.finditer(text[: rule.max_chars])]
        if not ends:
            raise ParseFailure("unfinished sentence")
        text = text[: ends[-1]].strip()
    return text


def clean_field(kind: str, raw: str) -> str:
    """The usable text of one field, or ParseFailure saying why there is none."""
    rule = RULES[kind]
    first = next((ln for ln in raw.split("###")[0].splitlines() if ln.strip()), "")
    text = _MARKUP.sub(" ", first)
    text = _LABEL.sub("", text)
    text = _BULLET.sub("", clean_line(text))
    text = clean_line(text)
    if kind == "ps":
        text = re.sub(r"^p\.?\s?s\.?\s*[:\-]?\s*", "", text, flags=re.I)
    if kind == "button":
        text = text.rstrip(" .!:;,")
    if not text:
        raise ParseFailure(f"empty {rule.label.lower()}")
    for pattern, what in _FORBIDDEN:
        if pattern.search(text):
            raise ParseFailure(f"{rule.label.lower()} contains {what}")
    if rule.sentence:
        text = _finish(text, rule)
    n = len(words(text))
    if n < rule.min_words:
        raise ParseFailure(f"{rule.label.lower()} too short ({n} words)")
    if n > rule.max_words or len(text) > rule.max_chars:
        raise ParseFailure(f"{rule.label.lower()} too long ({n} words, {len(text)} characters)")
    return text
