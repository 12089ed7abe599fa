"""The campaign brief: what a marketer asks for, loaded from YAML or JSON and validated."""

from __future__ import annotations

import re
import reprlib
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from copilot.errors import BriefError
from copilot.io.abconfig import Platform
from copilot.io.loader import MAX_LISTED, read_data
from copilot.text import placeholder_links

#: a brief is a few lines; a file this large is the wrong file (and would be slow to parse)
MAX_BRIEF_BYTES = 1_000_000
#: more contacts than any real segment has: a size above it is a typo (or a unit mix-up)
MAX_SEGMENT_SIZE = 1_000_000_000
_URL = re.compile(r"https?://[^\s<>\"']+", re.I)
#: bidirectional embeddings and overrides (U+202A-U+202E): they reorder what follows them, so the
#: copy shows differently from what was written (links and prices included)
_BIDI_OVERRIDES = frozenset(chr(c) for c in range(0x202A, 0x202F))


def _char_problem(text: str, identifier: bool) -> str | None:
    """The first character a brief field must not hold, described, or None. Control characters
    never belong; in names and links (`identifier`) no invisible formatting character does
    either, while free text keeps the ones real text needs (emoji joiners, RTL marks)."""
    for i, ch in enumerate(text):
        kind = unicodedata.category(ch)
        if identifier:
            bad = kind in ("Cc", "Cf")
        else:
            bad = (kind == "Cc" and ch not in "\t\n\r") or ch in _BIDI_OVERRIDES
        if bad:
            name = unicodedata.name(ch, "control character")
            return f"the invisible character U+{ord(ch):04X} ({name}) at position {i + 1}"
    return None


def _visible(value: Any, identifier: bool = False) -> Any:
    """`value` unchanged when its text is clean; otherwise an error naming the character."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        problem = _char_problem(text, identifier) if isinstance(text, str) else None
        if problem:
            raise PydanticCustomError(
                "invisible_character",
                "contains {problem}; retype the value without it",
                {"problem": problem},
            )
    return value


class Goal(StrEnum):
    welcome = "welcome"
    abandoned_cart = "abandoned_cart"
    re_engagement = "re_engagement"
    lead_nurture = "lead_nurture"
    onboarding = "onboarding"
    post_purchase = "post_purchase"
    promotion = "promotion"
    product_launch = "product_launch"
    win_back = "win_back"
    birthday = "birthday"
    newsletter = "newsletter"


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str | None = None
    lifecycle: Literal["subscriber", "lead", "customer", "lapsed"] | None = None
    engagement: Literal["high", "medium", "low", "inactive"] | None = None
    #: strict: `size: yes` or `size: 1.5` is a mistake, not 1
    size: int | None = Field(default=None, ge=1, le=MAX_SEGMENT_SIZE, strict=True)

    @field_validator("name")
    @classmethod
    def _name_visible(cls, value: str) -> str:
        return _visible(value, identifier=True)

    @field_validator("description")
    @classmethod
    def _text_visible(cls, value: str | None) -> str | None:
        return _visible(value)


class Brief(BaseModel):
    """A campaign brief; `offer` is the only offer the copy may state."""

    model_config = ConfigDict(extra="forbid")

    brand: str = Field(min_length=1)
    goal: Goal
    segment: Segment
    offer: str | None = None
    platform: Platform = "mailchimp"
    tone: str | None = None
    cta: str | None = None
    cta_url: str | None = None
    personalization: list[str] = Field(default_factory=list)
    language: str = "en"

    @field_validator("personalization", mode="before")
    @classmethod
    def _fields_upper(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            # only names are normalised: a nested list or mapping is left for the type check
            return [
                str(v).strip().strip("[]{}*|").upper() if isinstance(v, str | int) else v
                for v in value
                if not isinstance(v, str | int) or str(v).strip()
            ]
        return value

    @field_validator("brand")
    @classmethod
    def _brand_slug(cls, value: str) -> str:
        value = _visible(value.strip(), identifier=True)
        if not value:
            raise PydanticCustomError("blank", "is blank")
        return value

    @field_validator("personalization", "language")
    @classmethod
    def _names_visible(cls, value: Any) -> Any:
        return _visible(value, identifier=True)

    @field_validator("offer", "tone", "cta")
    @classmethod
    def _text_visible(cls, value: str | None) -> str | None:
        return _visible(value)

    @field_validator("cta_url")
    @classmethod
    def _cta_link(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = _visible(value.strip(), identifier=True)
        if not _URL.fullmatch(value):
            raise PydanticCustomError("cta_url", "is not an http:// or https:// link")
        if placeholder_links(value):
            raise PydanticCustomError("cta_url", "is the placeholder link, not a real page")
        return value

    def summary(self) -> str:
        """One line for prompts and logs."""
        seg = self.segment
        bits = [f"goal={self.goal.value}", f"segment={seg.name}"]
        if seg.lifecycle:
            bits.append(f"lifecycle={seg.lifecycle}")
        if seg.engagement:
            bits.append(f"engagement={seg.engagement}")
        return ", ".join(bits)


#: what each field holds, for the fix a message suggests (fields with a fixed set of values
#: list them instead)
_EXPECTED = {
    "brand": "the brand's folder name in the knowledge base, e.g. harbor_bean",
    "goal": "one of " + ", ".join(g.value for g in Goal),
    "segment": "a mapping with at least a name, e.g. segment: {name: new_subscribers}",
    "segment.name": "a short name for the audience, e.g. new_subscribers",
    "segment.description": "one line of text about the audience",
    "segment.size": f"the number of contacts, a whole number from 1 to {MAX_SEGMENT_SIZE:,}",
    "offer": "one line of text: the only offer the copy may state",
    "tone": "one line of text, e.g. warm and helpful",
    "cta": "the button text, e.g. Finish your order",
    "cta_url": "the full link the button opens, e.g. https://shop.example/cart",
    "personalization": "a list of merge field names, e.g. [FNAME]",
    "language": "a language code, e.g. en",
}


def _shown(value: Any) -> str:
    """A rejected value as a message shows it: short and on one line, however large it is
    (reprlib stops early, so a huge or deeply shared YAML structure is never expanded)."""
    short = reprlib.Repr()  # keyword arguments only from Python 3.12
    short.maxstring = short.maxother = 60
    short.maxlist = short.maxdict = 4
    short.maxlevel = 2
    return short.repr(value)


def _part(key: Any) -> str:
    """One step of a field's path; a key that would not print on one line is quoted."""
    return key if isinstance(key, str) and key.isprintable() and key else _shown(key)


def _describe_error(err: Any) -> str:
    loc = ".".join(_part(p) for p in err.get("loc", ())) or "brief"
    # a list item's index is not a field: say which field the list is
    field = ".".join(_part(p) for p in err.get("loc", ()) if not isinstance(p, int)) or "brief"
    given = _shown(err.get("input"))
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        hint = f": give {_EXPECTED[field]}" if field in _EXPECTED else ""
        return f"field '{loc}' is required but missing{hint}"
    if kind == "extra_forbidden":
        return (
            f"field '{loc}' is not a brief field (given {given}); remove it or check its spelling"
        )
    if kind in ("enum", "literal_error"):
        allowed = ctx.get("expected", "")
        return f"field '{loc}': {given} is not allowed; use one of {allowed}"
    own_fix = kind == "invisible_character"
    hint = f"; use {_EXPECTED[field]}" if field in _EXPECTED and not own_fix else ""
    return f"field '{loc}': {err.get('msg', 'invalid')} (given {given}){hint}"


def parse_brief(data: Any, source: str = "brief") -> Brief:
    """Validate a mapping as a Brief, raising BriefError that names each bad field."""
    if data is None:
        raise BriefError(
            f"{source}: the brief is empty; give at least brand, goal and segment "
            "(see examples/welcome.yaml)"
        )
    if not isinstance(data, dict):
        raise BriefError(
            f"{source}: a brief must be a mapping of fields (brand: ..., goal: ..., "
            f"segment: ...), got {type(data).__name__} {_shown(data)}"
        )
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(_describe_error(e) for e in errors[:MAX_LISTED])
        more = f"; and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
        raise BriefError(f"{source}: {problems}{more}") from None


def load_brief(path: str | Path) -> Brief:
    """Load a brief from a YAML or JSON file."""
    p = Path(path)
    if not p.is_file():
        raise BriefError(f"brief file not found: {p} (pass the path of a YAML or JSON brief)")
    # a syntax error names the file and the line (copilot.io.loader), as a BriefError
    data = read_data(p, error=BriefError, max_bytes=MAX_BRIEF_BYTES)
    return parse_brief(data, source=str(p))
