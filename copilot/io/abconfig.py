"""The portable A/B configuration: one JSON file that `copilot plan` writes and `copilot export` reads."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from itertools import product
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.errors import InputFileError
from copilot.io.loader import load_file

Variable = Literal["subject", "preheader", "body", "from_name", "send_time"]
Metric = Literal["clicks", "opens"]
Platform = Literal["mailchimp", "brevo"]
PlanStatus = Literal["ok", "weak", "refused"]
BaselineSource = Literal["goal+segment", "goal", "default", "given"]

ALL_VARIABLES: tuple[Variable, ...] = ("subject", "preheader", "body", "from_name", "send_time")
CONFIG_VERSION = 1
ARM_LABELS = "ABCDEFGH"


def subject_only() -> list[Variable]:
    """The default test: subject lines only (one variable at a time)."""
    return ["subject"]


class Arm(BaseModel):
    """One test cell: everything a recipient of this arm sees."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    preheader: str = ""
    #: body copy (plain text paragraphs) rendered into the layout when `html` is absent
    body_text: str | None = None
    html: str | None = None
    plain_text: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    send_time: datetime | None = None
    angle: str = ""
    score: float | None = None
    sources: list[str] = Field(default_factory=list)

    def value(self, variable: Variable) -> str:
        """The arm's value of one test variable, as text (for grouping and display)."""
        if variable == "subject":
            return self.subject
        if variable == "preheader":
            return self.preheader
        if variable == "body":
            return self.html or self.body_text or ""
        if variable == "from_name":
            return f"{self.from_name or ''} <{self.reply_to or ''}>"
        return self.send_time.isoformat() if self.send_time else ""


class Sender(BaseModel):
    """Who the email is from and the postal address every marketing email must carry."""

    model_config = ConfigDict(extra="forbid")

    from_name: str = Field(min_length=1)
    email: str | None = None
    reply_to: str | None = None
    postal_address: str | None = None
    #: where each value came from, e.g. {"postal_address": "products.md line 69"}
    provenance: dict[str, str] = Field(default_factory=dict)


class Audience(BaseModel):
    """Where the campaign goes on each platform; empty means 'choose it in the platform'."""

    model_config = ConfigDict(extra="forbid")

    mailchimp_list_id: str | None = None
    mailchimp_segment_id: int | None = None
    brevo_list_ids: list[int] = Field(default_factory=list)


class WayOut(BaseModel):
    """One honest alternative to a test that cannot reach its power."""

    action: str
    detail: str
    #: the command-line option that takes this way (for the CLI and the Details view)
    option: str | None = None
    #: the plan settings this way changes, so a page can offer it as one button
    metric: Metric | None = None
    max_variants: int | None = None
    mde: float | None = None


class Design(BaseModel):
    """The statistics of the test and the plain-language verdict."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric
    baseline_rate: float = Field(gt=0.0, lt=1.0)
    baseline_source: BaselineSource
    baseline_detail: str
    mde: float = Field(gt=0.0, description="relative lift worth detecting: 0.1 = +10%")
    alpha: float = Field(gt=0.0, lt=1.0)
    alpha_per_comparison: float = Field(gt=0.0, lt=1.0)
    power: float = Field(gt=0.0, lt=1.0)
    arms: int = Field(ge=2)
    segment_size: int = Field(ge=1)
    n_per_arm_required: int = Field(ge=1)
    n_per_arm: int = Field(ge=0, description="recipients per arm the chosen test share gives")
    test_recipients: int = Field(ge=0)
    test_share: float = Field(ge=0.0)
    #: Mailchimp test_size (all arms together) or Brevo splitRule (each arm), in percent
    platform_split_percent: int | None = None
    wait_hours: int = Field(ge=1)
    achieved_power: float | None = None
    min_detectable_lift: float | None = None
    status: PlanStatus
    verdict: str
    warnings: list[str] = Field(default_factory=list)
    ways_out: list[WayOut] = Field(default_factory=list)


class ABConfig(BaseModel):
    """A platform-neutral A/B test: arms, sender, audience and its statistical design."""

    model_config = ConfigDict(extra="forbid")

    version: int = CONFIG_VERSION
    test_id: str = ""
    title: str = ""
    brand: str = Field(min_length=1)
    goal: str
    segment: str
    platform: Platform
    language: str = "en"
    variables: list[Variable] = Field(default_factory=lambda: subject_only(), min_length=1)
    arms: list[Arm] = Field(min_length=2)
    sender: Sender
    audience: Audience = Field(default_factory=Audience)
    cta: str | None = None
    cta_url: str | None = None
    design: Design

    @model_validator(mode="after")
    def _consistent(self) -> ABConfig:
        if len(set(self.variables)) != len(self.variables):
            raise ValueError(f"variables lists a variable twice: {self.variables}")
        labels = [a.label for a in self.arms]
        if len(set(labels)) != len(labels):
            raise ValueError(f"arm labels must be unique, got {labels}")
        fixed = [v for v in ALL_VARIABLES if v not in self.variables]
        for variable in fixed:
            values = {a.value(variable) for a in self.arms}
            if len(values) > 1:
                raise ValueError(
                    f"arms differ in '{variable}', which is not a test variable "
                    f"(variables: {', '.join(self.variables)}); test one variable at a time or "
                    f"add '{variable}' to variables"
                )
        for variable in self.variables:
            if len({a.value(variable) for a in self.arms}) < 2:
                raise ValueError(f"test variable '{variable}' has the same value in every arm")
        if len(self.variables) > 1:
            levels = self.levels()
            expected = 1
            for vals in levels.values():
                expected *= len(vals)
            combos = {tuple(a.value(v) for v in self.variables) for a in self.arms}
            grid = set(product(*levels.values()))
            if expected != len(self.arms) or combos != grid:
                raise ValueError(
                    "a multivariate test needs one arm per combination of the options "
                    f"({' x '.join(str(len(v)) for v in levels.values())} = {expected} arms), "
                    f"got {len(self.arms)}"
                )
        # Always derived from the content: an edited arm is a different test and campaign.
        self.test_id = compute_test_id(self)
        if not self.title:
            self.title = default_title(self)
        elif self.marker not in self.title:
            self.title = f"{self.title.split(' [copilot-')[0]} [{self.marker}]"
        return self

    def levels(self) -> dict[Variable, list[str]]:
        """The distinct options of each test variable, in arm order."""
        out: dict[Variable, list[str]] = {}
        for variable in self.variables:
            seen: list[str] = []
            for arm in self.arms:
                value = arm.value(variable)
                if value not in seen:
                    seen.append(value)
            out[variable] = seen
        return out

    @property
    def control(self) -> Arm:
        """The first arm is the control every other arm is compared with."""
        return self.arms[0]

    @property
    def marker(self) -> str:
        """The tag that lets a push find its own campaign again (no duplicates on retry)."""
        return f"copilot-{self.test_id}"


def compute_test_id(config: ABConfig) -> str:
    """A deterministic id from what is tested, so the same plan always maps to one campaign."""
    material = {
        "brand": config.brand,
        "goal": config.goal,
        "segment": config.segment,
        "platform": config.platform,
        "variables": config.variables,
        "arms": [
            a.model_dump(
                mode="json",
                include={
                    "subject",
                    "preheader",
                    "body_text",
                    "html",
                    "from_name",
                    "reply_to",
                    "send_time",
                },
            )
            for a in config.arms
        ],
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()
    return f"ab-{digest[:12]}"


def default_title(config: ABConfig) -> str:
    """Campaign title shown in the platform; ends with the marker used to find it again."""
    what = "+".join(config.variables)
    return f"{config.brand} {config.goal} / {config.segment} - {what} test [{config.marker}]"


def save_config(config: ABConfig, path: Path) -> Path:
    """Write the configuration as pretty JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def load_config(path: str | Path) -> ABConfig:
    """Read an A/B configuration, naming the bad field when it does not validate."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(
            f"A/B config not found: {p} (write one with `copilot plan --out FILE`)"
        )
    return load_file(p, ABConfig, json_file=True, error=InputFileError)
