"""Sequence playbooks: multi-step email flows kept as YAML data in copilot/generation/sequences/data/playbooks/.

Each playbook names its trigger, exit criteria (at least one on conversion), the bounds an
adaptation must stay within, and its steps: delay (from the trigger or the previous step),
condition, goal, angle, CTA, branch rules, and claim-free fallback copy. Files are validated when
loaded; an error names the file, the field and the fix.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.errors import ConfigError, CopilotError
from copilot.io.brief import Brief, Goal
from copilot.io.loader import load_file, shown

PLAYBOOK_DIR = Path(__file__).parent / "data" / "playbooks"
#: placeholders fallback copy may use; {offer} only in incentive steps
PLACEHOLDERS = {"sender", "offer"}
_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepCopy(_Strict):
    """Fallback copy for a step: used when every model draft fails the checks."""

    subject: str = Field(min_length=1, max_length=60)
    preheader: str = Field(min_length=40, max_length=130)
    headline: str = Field(min_length=1, max_length=80)
    blocks: list[str] = Field(min_length=2, max_length=4)

    def texts(self) -> list[str]:
        return [self.subject, self.preheader, self.headline, *self.blocks]


class StepCTA(_Strict):
    """Button text, and where it links: the brief's cta_url, or a named placeholder link."""

    text: str = Field(min_length=1, max_length=32)
    link: str = "brief"
    #: use the brief's own `cta` text instead of `text` when the brief gives one
    brief_text: bool = True


class Branch(_Strict):
    """A rule that moves a contact: e.g. when 'purchased' then 'exit'."""

    when: str = Field(min_length=1)
    then: Literal["exit", "go_to", "skip_next", "hand_off", "unsubscribe"]
    target: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _target(self) -> Branch:
        if (self.then == "go_to") != (self.target is not None):
            raise ValueError("a 'go_to' branch needs a target step id (and only go_to has one)")
        return self

    def describe(self) -> str:
        """'when clicked: go to step pick' in words."""
        actions = {
            "exit": "exit the sequence",
            "go_to": f"go to step '{self.target}'",
            "skip_next": "skip the next step",
            "hand_off": "hand off to sales and exit",
            "unsubscribe": "unsubscribe (list hygiene)",
        }
        text = f"when {self.when}: {actions[self.then]}"
        return f"{text} ({self.note})" if self.note else text


class StepChange(_Strict):
    """What replaces an incentive step's fields when the brief has no offer."""

    angle: str
    goal: str
    copy_: StepCopy = Field(alias="copy")
    cta: StepCTA | None = None
    reason: str


class Step(_Strict):
    """One email of a playbook."""

    id: str
    delay_hours: float = Field(ge=0, le=24 * 120)
    delay_from: Literal["trigger", "previous"] = "previous"
    condition: str = "always"
    goal: str = Field(min_length=1)
    angle: str = Field(min_length=1)
    cta: StepCTA
    incentive: bool = False
    #: incentive steps only: drop the step, or change it, when the brief states no offer
    if_no_offer: Literal["drop"] | StepChange | None = None
    branches: list[Branch] = Field(default_factory=list)
    copy_: StepCopy = Field(alias="copy")

    @model_validator(mode="after")
    def _rules(self) -> Step:
        if not _SLUG.match(self.id):
            raise ValueError(f"step id {self.id!r} must be a lower-case slug like 'last_call'")
        if self.incentive and self.if_no_offer is None:
            raise ValueError(
                f"step {self.id}: an incentive step must say what happens without an offer "
                "(if_no_offer: drop, or the fields that replace it)"
            )
        if not self.incentive and self.if_no_offer is not None:
            raise ValueError(f"step {self.id}: if_no_offer is only for incentive steps")
        texts = self.copy_.texts()
        if isinstance(self.if_no_offer, StepChange):
            texts += self.if_no_offer.copy_.texts()
        for text in texts:
            for name in _PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    raise ValueError(
                        f"step {self.id}: unknown placeholder {{{name}}} in {text!r}; use "
                        f"{', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}"
                    )
        offer_texts = self.copy_.texts()
        if "{offer}" in " ".join(offer_texts) and not self.incentive:
            raise ValueError(f"step {self.id}: only incentive steps may state {{offer}}")
        if isinstance(self.if_no_offer, StepChange) and "{offer}" in " ".join(
            self.if_no_offer.copy_.texts()
        ):
            raise ValueError(f"step {self.id}: the no-offer copy cannot state {{offer}}")
        return self


class ExitRule(_Strict):
    """When a contact leaves the sequence; `conversion` marks the goal being reached."""

    when: str = Field(min_length=1)
    conversion: bool = False


class Condition(_Strict):
    """Brief facts an adaptation rule looks at; every given field must match."""

    offer: Literal["present", "absent"] | None = None
    lifecycle: list[str] | None = None
    engagement: list[str] | None = None
    personalization: Literal["present", "absent"] | None = None

    def matches(self, brief: Brief) -> bool:
        """Whether the brief meets every stated part of the condition."""
        seg = brief.segment
        checks = [
            self.offer is None or (self.offer == "present") == bool(brief.offer),
            self.lifecycle is None or seg.lifecycle in self.lifecycle,
            self.engagement is None or seg.engagement in self.engagement,
            self.personalization is None
            or (self.personalization == "present") == bool(brief.personalization),
        ]
        return all(checks)


class AdaptRule(_Strict):
    """A rule-based adaptation: when the brief matches, drop or move a step, with the reason."""

    when: Condition
    action: Literal["drop", "move"]
    step: str
    after: str | None = None  # move: the step it goes after ('' or None: to the front)
    reason: str = Field(min_length=1)


class Bounds(_Strict):
    min_steps: int = Field(ge=1)
    max_steps: int = Field(ge=1, le=10)


class Playbook(_Strict):
    """A multi-step email flow grounded in common practice."""

    name: str
    title: str
    goals: list[Goal] = Field(default_factory=list)
    description: str
    practice: str = Field(min_length=1, description="the common practice the playbook follows")
    trigger: str
    why: str = Field(min_length=1, description="footer: why the reader gets these emails")
    requires_offer: bool = False
    exit: list[ExitRule] = Field(min_length=1)
    bounds: Bounds
    steps: list[Step] = Field(min_length=1)
    adapt: list[AdaptRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Playbook:
        ids = [s.id for s in self.steps]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"step ids must be unique; repeated: {dupes}")
        angles = [s.angle.lower() for s in self.steps]
        if len(set(angles)) != len(angles):
            raise ValueError("no two steps may share an angle")
        if not any(e.conversion for e in self.exit):
            raise ValueError("exit needs at least one rule with conversion: true")
        if self.steps[0].delay_from != "trigger":
            raise ValueError(f"step {ids[0]}: the first step's delay_from must be 'trigger'")
        if not self.bounds.min_steps <= len(self.steps) <= self.bounds.max_steps:
            raise ValueError(
                f"{len(self.steps)} steps is outside bounds "
                f"{self.bounds.min_steps}-{self.bounds.max_steps}"
            )
        for step in self.steps:
            for b in step.branches:
                if b.target is not None and b.target not in ids:
                    raise ValueError(f"step {step.id}: branch target {b.target!r} is not a step id")
        for rule in self.adapt:
            for ref in (rule.step, rule.after):
                if ref and ref not in ids:
                    raise ValueError(f"adapt rule names unknown step {ref!r}")
        return self


def _load_file(path: Path) -> Playbook:
    # not load_model: the folder is read once per process by _load_all
    playbook = load_file(path, Playbook)
    if playbook.name != path.stem:
        raise ConfigError(
            f"{shown(path)}: field 'name' is {playbook.name!r}; it must match the file "
            f"name {path.stem!r}"
        )
    return playbook


def load_playbooks(folder: Path = PLAYBOOK_DIR) -> dict[str, Playbook]:
    """Every playbook in the folder by name (read and validated once per folder)."""
    return dict(_load_all(str(folder)))


@cache
def _load_all(folder: str) -> tuple[tuple[str, Playbook], ...]:
    paths = sorted(Path(folder).glob("*.yaml"))
    if not paths:
        raise ConfigError(f"no playbooks in {folder}")
    return tuple((p.stem, _load_file(p)) for p in paths)


def get_playbook(name: str, folder: Path = PLAYBOOK_DIR) -> Playbook:
    """One playbook by name."""
    books = load_playbooks(folder)
    try:
        return books[name]
    except KeyError:
        raise CopilotError(
            f"playbook {name!r} does not exist; use one of {', '.join(sorted(books))}"
        ) from None


def playbook_for(brief: Brief, folder: Path = PLAYBOOK_DIR) -> Playbook:
    """The playbook for the brief's goal; goals without a sequence say so plainly."""
    books = load_playbooks(folder)
    matches = [b for b in books.values() if brief.goal in b.goals]
    if not matches:
        raise CopilotError(
            f"goal '{brief.goal.value}' is a single send, not a sequence: there is no multi-step "
            "playbook for it. Write each issue with `copilot generate` and `copilot bodies`, or "
            f"run a sequence anyway with --playbook ({', '.join(sorted(books))})"
        )
    book = matches[0]
    if book.requires_offer and not brief.offer:
        raise CopilotError(
            f"the {book.name} playbook needs an offer and the brief has none; add `offer` to "
            "the brief (the only offer the copy may state)"
        )
    return book
