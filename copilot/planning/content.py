"""The email a planned test sends: the drafted body the marketer chose, on every arm, exactly as
it was previewed and checked (only its merge tags are kept neutral, rendered per platform)."""

from __future__ import annotations

from pydantic import BaseModel

from copilot.io.abconfig import ABConfig, Arm
from copilot.planning.design import ABPlan, PlanError, neutral_tags


class ChosenBody(BaseModel):
    """A finished body: its HTML and plain text (any platform's tags) and the preheader it was
    written with (its HTML carries that preheader as hidden preview text)."""

    html: str
    text: str | None = None
    preheader: str | None = None
    failed_checks: list[str] = []


def missing_body(config: ABConfig) -> list[str]:
    """Labels of the arms that have no body of their own (neither HTML nor body text)."""
    return [a.label for a in config.arms if not ((a.html or "").strip() or (a.body_text or ""))]


def _with_body(arm: Arm, body: ChosenBody, keep_preheader: bool) -> Arm:
    data = arm.model_dump()
    data.update(html=neutral_tags(body.html), plain_text=neutral_tags(body.text), body_text=None)
    if body.preheader and not keep_preheader:
        # the HTML's hidden preview text is this preheader: the platform's must say the same
        data["preheader"] = neutral_tags(body.preheader)
    return Arm.model_validate(data)


def attach_body(plan: ABPlan, body: ChosenBody) -> ABPlan:
    """The plan with `body` as every arm's email; refuses a body with a failed hard check and
    a test whose arms differ in their body (each arm then needs its own)."""
    if body.failed_checks:
        raise PlanError(
            f"the chosen body fails {', '.join(body.failed_checks)}: fix it or choose another "
            "body, then plan again"
        )
    if "body" in plan.variables:
        raise PlanError(
            "this test compares bodies, so each arm keeps its own; choose a body only for "
            "subject-line tests"
        )
    keep = "preheader" in plan.variables
    arms = [_with_body(a, body, keep) for a in plan.arms]
    config = None
    if plan.config is not None:
        data = plan.config.model_dump(mode="json")
        data["arms"] = [a.model_dump(mode="json") for a in arms]
        data["test_id"] = ""  # derived again from the new content
        config = ABConfig.model_validate(data)
    return plan.model_copy(update={"arms": arms, "config": config})
