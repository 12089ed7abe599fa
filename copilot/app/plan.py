"""`plan`: variants in, an honest A/B test out (arms, sample size, split, wait and a verdict),
with the sender and audience it goes to and the body every arm sends. `copilot plan` and the
export page both call `plan_ab_test`; the page also starts its form from `start_plan`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.errors import InputFileError
from copilot.io.abconfig import Audience, Design, Sender
from copilot.io.abconfig import Platform as PlatformName
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, brand_folder, load_brand
from copilot.planning.baseline import PlanningDefaults, planning_defaults
from copilot.planning.content import ChosenBody, attach_body
from copilot.planning.design import (
    ABPlan,
    PlanError,
    PlanRefused,
    PlanRequest,
    plan_test,
    render_plan,
)
from copilot.planning.power import n_per_arm
from copilot.planning.select import load_variants
from copilot.planning.sender import sender_from_brand
from copilot.planning.start import StartingPlan, starting_plan
from copilot.platforms import registry
from copilot.platforms.errors import AudienceError
from copilot.settings import Settings
from copilot.variants import Variant

__all__ = [
    "ABPlan",
    "AudienceError",
    "ChosenBody",
    "CurvePoint",
    "PlanContext",
    "PlanError",
    "PlanRefused",
    "PlanRequest",
    "PlanTestRequest",
    "PlannedTest",
    "PlanningDefaults",
    "StartingPlan",
    "default_sender",
    "load_variants",
    "plan_ab_test",
    "plan_context",
    "planning_defaults",
    "read_body",
    "render_plan",
    "sample_size_curve",
    "start_plan",
]


class PlanContext(BaseModel):
    """What every plan for a brief stands on: the brief and its brand's folder and history."""

    brief: Brief
    folder: Path
    brand: BrandKB


class PlanTestRequest(BaseModel):
    """A plan asked for: the candidates, the design knobs, where it goes and what it sends.
    None means "use the default" (the brief's platform, the brand's sender, no audience)."""

    variants: list[Variant]
    design: PlanRequest = Field(default_factory=PlanRequest)
    platform: PlatformName | None = None
    #: the audience as typed: a Mailchimp list id, or Brevo list ids comma-separated
    list_id: str | None = None
    segment_id: int | None = None
    from_name: str | None = None
    sender_email: str | None = None
    reply_to: str | None = None
    postal_address: str | None = None
    #: the email every arm sends: a drafted body, or the .html file `copilot bodies` wrote
    body: ChosenBody | None = None
    body_file: Path | None = None


class PlannedTest(BaseModel):
    """The plan (its config absent when refused) and the sender it was planned with."""

    plan: ABPlan
    sender: Sender


class CurvePoint(BaseModel):
    """Recipients per arm needed to detect one minimum relative lift."""

    lift: float
    n_per_arm: int


def plan_context(brief: Brief, settings: Settings) -> PlanContext:
    """The brief's brand folder and history (UnknownBrandError when it is not in the KB)."""
    folder = brand_folder(settings.kb_dir, brief.brand)
    return PlanContext(brief=brief, folder=folder, brand=load_brand(folder))


def default_sender(context: PlanContext) -> Sender:
    """The sender the brand's files give (with where each field came from)."""
    return sender_from_brand(context.folder, context.brand.name)


def start_plan(
    context: PlanContext, variants: Sequence[Variant], platform: PlatformName | None = None
) -> StartingPlan:
    """The settings a plan form starts from: the default plan if the segment carries it, else
    the first way out that fits (see planning.start.starting_plan)."""
    return starting_plan(
        context.brief, variants, context.brand.campaigns, platform or context.brief.platform
    )


def read_body(path: Path) -> ChosenBody:
    """A drafted body from `copilot bodies --out`: the HTML file and its plain-text twin."""
    if not path.is_file():
        raise InputFileError(
            f"--body {path}: file not found (write bodies with `copilot bodies --out DIR`)"
        )
    text = path.with_suffix(".txt")
    return ChosenBody(
        html=path.read_text(encoding="utf-8"),
        text=text.read_text(encoding="utf-8") if text.is_file() else None,
    )


def plan_ab_test(context: PlanContext, request: PlanTestRequest) -> PlannedTest:
    """Design the test for the request's platform (default: the brief's); a body, when given,
    becomes every arm's email. Raises PlanError, AudienceError, InputFileError."""
    target = request.platform or context.brief.platform
    audience = Audience()
    if request.list_id:
        audience = registry.get(target).audience(request.list_id, request.segment_id)
    sender = sender_from_brand(
        context.folder,
        context.brand.name,
        from_name=request.from_name,
        email=request.sender_email,
        reply_to=request.reply_to,
        postal_address=request.postal_address,
    )
    plan = plan_test(
        context.brief,
        request.variants,
        context.brand.campaigns,
        sender,
        request.design,
        target,
        audience,
    )
    body = request.body
    if body is None and request.body_file is not None:
        body = read_body(request.body_file)
    if body is not None:
        plan = attach_body(plan, body)
    return PlannedTest(plan=plan, sender=sender)


def sample_size_curve(design: Design) -> list[CurvePoint]:
    """Recipients per arm needed for each minimum relative lift from +2% to +100% (while the
    lifted rate stays below 1), at the plan's baseline, per-comparison alpha and power."""
    points: list[CurvePoint] = []
    for step in range(2, 101):
        lift = step / 100
        if design.baseline_rate * (1 + lift) >= 1.0:
            break
        points.append(
            CurvePoint(
                lift=lift,
                n_per_arm=n_per_arm(
                    design.baseline_rate, lift, design.alpha_per_comparison, design.power
                ),
            )
        )
    return points
