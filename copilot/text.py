"""Small text helpers the evaluators share: a variant's fields, HTML to text, quoting spans."""

from __future__ import annotations

import html
import re

from copilot.variants import Variant

_SCRIPT_STYLE = re.compile(r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/li|/tr|/td|/table)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
#: the stand-in link a CTA gets when the brief has no cta_url; {name} says which link it stands for
PLACEHOLDER_URL = "https://example.com/replace-with-your-{name}-link"
_HEAD, _TAIL = PLACEHOLDER_URL.split("{name}")
_PLACEHOLDER = re.compile(
    r"https?"
    + re.escape(_HEAD.removeprefix("https"))
    + r"[\w-]+"
    + re.escape(_TAIL)
    + r"""(?:[/?#][^\s"'<>]*)?""",
    re.I,
)


def copy_fields(variant: Variant, with_body: bool = True) -> list[tuple[str, str]]:
    """The variant's non-empty text fields as (field name, text), subject first."""
    fields = [("subject", variant.subject), ("preheader", variant.preheader)]
    if with_body and variant.body:
        fields.append(("body", variant.body))
    return [(name, text) for name, text in fields if text and text.strip()]


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<\s*[a-zA-Z][^>]*>", text))


def drop_scripts(markup: str) -> str:
    """Markup without <script>/<style>/<head> contents and comments (never visible to readers)."""
    return _COMMENT.sub(" ", _SCRIPT_STYLE.sub(" ", markup))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body (block ends become new lines, entities decoded)."""
    if not looks_like_html(markup):
        return markup
    text = _BLOCK_END.sub("\n", drop_scripts(markup))
    text = html.unescape(_TAG.sub(" ", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def quote(text: str, limit: int = 70) -> str:
    """A span in double quotes for a message, shortened in the middle if long."""
    text = " ".join(text.split())
    if len(text) > limit:
        half = (limit - 1) // 2
        text = text[:half].rstrip() + "…" + text[-half:].lstrip()
    return f'"{text}"'


def normalise_quotes(text: str) -> str:
    """Curly quotes and apostrophes as straight ones, so lexicons match either."""
    return text.translate(str.maketrans("’‘“”", "''\"\""))


_BOUNDARY = re.compile(r"[.!?;](?=\s|$)|\n")


def sentence_at(text: str, start: int, end: int) -> tuple[int, str]:
    """Where the sentence (or bullet line) around a span starts, and its text."""
    left = 0
    for m in _BOUNDARY.finditer(text[:start]):
        left = m.end()
    right = _BOUNDARY.search(text, end)
    return left, text[left : right.start() if right else len(text)]


def placeholder_links(text: str) -> list[str]:
    """The stand-in CTA links (PLACEHOLDER_URL) in a body, a payload or a URL, in order: each is
    a link that must be replaced by the real one before anything is sent."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]
