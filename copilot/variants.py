"""Typed results shared by generators, evaluators and exporters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

#: "skip": the check does not apply to this variant (the body check on a subject line alone);
#: it is neither a pass nor a failure, and its score counts toward nothing
Status = Literal["pass", "warn", "fail", "skip"]


class CheckResult(BaseModel):
    """One evaluator's verdict on one variant."""

    name: str
    status: Status
    score: float = Field(ge=0.0, le=1.0)
    message: str = ""


class Source(BaseModel):
    """A knowledge-base item a variant drew on, with its measured results when it has them."""

    id: str
    kind: Literal["voice", "product", "campaign"]
    text: str
    metrics: dict[str, float] = Field(default_factory=dict)


class Variant(BaseModel):
    """A subject line + preheader candidate."""

    subject: str
    preheader: str = ""
    angle: str = ""
    body: str | None = None
    sources: list[str] = Field(default_factory=list)
    score: float | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    explanation: str | None = None
