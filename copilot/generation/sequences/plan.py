"""The SequencePlan: a playbook adapted to a brief, with copy for every step and its checks."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from copilot.envelope import ResultEnvelope
from copilot.generation.bodies.fields import RejectedField
from copilot.generation.sequences.playbooks import Branch, ExitRule, Step
from copilot.io.brief import Brief
from copilot.variants import CheckResult


class StepCTA(BaseModel):
    text: str
    url: str


class SequenceStep(BaseModel):
    """One email of the plan: when it goes, to whom, what it does, and its copy."""

    id: str
    day: int = Field(ge=0, description="whole days after the trigger")
    delay_hours: float = Field(ge=0, description="hours after the previous step (or trigger)")
    at_hours: float = Field(ge=0, description="hours after the trigger")
    condition: str
    goal: str
    angle: str
    incentive: bool = False
    cta: StepCTA
    subject: str = ""
    preheader: str = ""
    headline: str = ""
    body_html: str = ""
    body_text: str = ""
    branches: list[Branch] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    score: float | None = None
    explanation: str | None = None
    #: which parts the model wrote and which came from the playbook's fallback copy
    origin: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def copy_text(self) -> str:
        """Subject, preheader and HTML body together (what the sequence checks read)."""
        return "\n".join([self.subject, self.preheader, self.body_html])

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of one step."""
        return {
            "id": self.id,
            "day": self.day,
            "delay_hours": self.delay_hours,
            "at_hours": self.at_hours,
            "condition": self.condition,
            "goal": self.goal,
            "angle": self.angle,
            "incentive": self.incentive,
            "cta": self.cta.model_dump(),
            "subject": self.subject,
            "preheader": self.preheader,
            "headline": self.headline,
            "body_html": self.body_html,
            "body_text": self.body_text,
            "branches": [
                {**b.model_dump(exclude_none=True), "rule": b.describe()} for b in self.branches
            ],
            "checks": [c.model_dump() for c in self.checks],
            "score": self.score,
            "explanation": self.explanation,
            "origin": self.origin,
            "notes": self.notes,
        }


class Adaptation(BaseModel):
    """One change made to the playbook for this brief, and why."""

    action: Literal["drop", "move", "add", "change"]
    step: str
    reason: str
    by: Literal["rule", "model"] = "rule"


class SequencePlan(ResultEnvelope[RejectedField]):
    """What `copilot sequence` returns (`rejected`: the body fields drafted and not used)."""

    playbook: str
    title: str
    goal: str
    platform: str
    trigger: str
    exit: list[ExitRule]
    steps: list[SequenceStep]
    adaptations: list[Adaptation] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    brief: Brief

    #: the notes are part of "sequence"; the rejected fields are not in the JSON
    json_keys: ClassVar[tuple[str, ...]] = ("model", "usage")

    def payload(self) -> dict[str, Any]:
        """`{"sequence": {goal, trigger, exit, steps: [...]}}` plus the brief; the envelope adds
        model and usage."""
        return {
            "sequence": {
                "playbook": self.playbook,
                "title": self.title,
                "goal": self.goal,
                "platform": self.platform,
                "trigger": self.trigger,
                "exit": [e.model_dump() for e in self.exit],
                "steps": [s.to_json() for s in self.steps],
                "adaptations": [a.model_dump() for a in self.adaptations],
                "checks": [c.model_dump() for c in self.checks],
                "notes": self.notes,
            },
            "brief": self.brief.model_dump(mode="json"),
        }


def schedule(steps: list[Step]) -> list[tuple[float, float]]:
    """(hours after the trigger, hours after the previous send) for each step, in order.

    A delay counted from the trigger never sends before the previous step: it waits for it.
    """
    out: list[tuple[float, float]] = []
    previous = 0.0
    for i, step in enumerate(steps):
        if step.delay_from == "trigger" or i == 0:
            at = max(step.delay_hours, previous)
        else:
            at = previous + step.delay_hours
        out.append((at, at - previous if i else at))
        previous = at
    return out
