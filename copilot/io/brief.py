"""The campaign brief: what a marketer asks for, loaded from YAML or JSON and validated."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from copilot.errors import BriefError
from copilot.io.abconfig import Platform
from copilot.io.loader import read_data


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
    size: int | None = Field(default=None, ge=1)


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
            return [str(v).strip().strip("[]{}*|").upper() for v in value if str(v).strip()]
        return value

    @field_validator("brand")
    @classmethod
    def _brand_slug(cls, value: str) -> str:
        return value.strip()

    def summary(self) -> str:
        """One line for prompts and logs."""
        seg = self.segment
        bits = [f"goal={self.goal.value}", f"segment={seg.name}"]
        if seg.lifecycle:
            bits.append(f"lifecycle={seg.lifecycle}")
        if seg.engagement:
            bits.append(f"engagement={seg.engagement}")
        return ", ".join(bits)


def _describe_error(err: Any) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "brief"
    given = err.get("input")
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"field '{loc}' is required but missing"
    if kind == "extra_forbidden":
        return (
            f"field '{loc}' is not a brief field (given {given!r}); remove it or check its spelling"
        )
    if kind in ("enum", "literal_error"):
        allowed = ctx.get("expected", "")
        return f"field '{loc}': {given!r} is not allowed; use one of {allowed}"
    return f"field '{loc}': {err.get('msg', 'invalid')} (given {given!r})"


def parse_brief(data: Any, source: str = "brief") -> Brief:
    """Validate a mapping as a Brief, raising BriefError that names each bad field."""
    if not isinstance(data, dict):
        raise BriefError(
            f"{source}: a brief must be a mapping of fields, got {type(data).__name__}"
        )
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe_error(e) for e in exc.errors())
        raise BriefError(f"{source}: {problems}") from None


def load_brief(path: str | Path) -> Brief:
    """Load a brief from a YAML or JSON file."""
    p = Path(path)
    if not p.is_file():
        raise BriefError(f"brief file not found: {p} (pass the path of a YAML or JSON brief)")
    # a syntax error names the file and the line (copilot.io.loader), as a BriefError
    return parse_brief(read_data(p, error=BriefError), source=str(p))
