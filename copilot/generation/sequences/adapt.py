"""Adapt a playbook to a brief within its bounds: drop, move, add or change steps, each with a reason.

Rules come first and always apply: an incentive step without an offer is dropped or changed as the
playbook says, then the playbook's own `adapt` rules (segment lifecycle, engagement, ...). A chat
model may then propose up to MAX_MODEL_CHANGES more as JSON (validated by pydantic); a proposal
that breaks a bound (step count, unique ids and angles, no new incentives, the weekly send cap) is
refused and the refusal is noted. Base models get the rules only: they cannot plan reliably.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from copilot.errors import CopilotError, ModelOutputError
from copilot.generation.bodies.fields import normalised
from copilot.generation.parsing import ParseFailure
from copilot.generation.sequences.checks import DEFAULT_MAX_SENDS_PER_WEEK, WEEK_HOURS
from copilot.generation.sequences.plan import Adaptation, schedule
from copilot.generation.sequences.playbooks import Playbook, Step, StepChange, StepCopy, StepCTA
from copilot.io.brief import Brief
from copilot.llm.base import LLM, ChatMessage
from copilot.llm.contract import parse_contract
from copilot.llm.structured import ask_json, reask_note
from copilot.prompts import render
from copilot.settings import Settings

MAX_MODEL_CHANGES = 3
MAX_ADDED_DELAY_HOURS = 24 * 14
CHAT_MAX_TOKENS = 700
#: claim-free copy for a step a model adds (the model writes the real copy afterwards)
ADDED_STEP_COPY = StepCopy(
    subject="A short note from {sender}",
    preheader="One more thing we thought you would want to know about, in a few short lines.",
    headline="One more thing",
    blocks=[
        "We wanted to share one more thing with you.",
        "Have a look when you have a moment, and reply if you have a question.",
    ],
)


class NewStep(BaseModel):
    id: str
    delay_hours: float = Field(ge=0, le=MAX_ADDED_DELAY_HOURS)
    condition: str = "always"
    goal: str = Field(min_length=1)
    angle: str = Field(min_length=1)
    cta: str = Field(min_length=1, max_length=32)


class ProposedChange(BaseModel):
    """One change to the playbook a chat model proposes (applied only if it passes `_try`)."""

    action: Literal["drop", "move", "add"]
    step: str
    after: str | None = None
    reason: str = Field(min_length=3)
    new_step: NewStep | None = None


class ChangeList(BaseModel):
    """What a chat model must return (the structured-output contract)."""

    changes: list[ProposedChange] = Field(default_factory=list, max_length=MAX_MODEL_CHANGES)


def _apply_change(step: Step, change: StepChange) -> Step:
    update: dict[str, object] = {
        "angle": change.angle,
        "goal": change.goal,
        "incentive": False,
        "if_no_offer": None,
        "copy_": change.copy_,
    }
    if change.cta is not None:
        update["cta"] = change.cta
    return step.model_copy(update=update)


def adapt_by_rules(playbook: Playbook, brief: Brief) -> tuple[list[Step], list[Adaptation]]:
    """The playbook's steps after the offer rule and its own `adapt` rules, with reasons."""
    steps = list(playbook.steps)
    notes: list[Adaptation] = []
    if not brief.offer:
        for step in list(steps):
            if not step.incentive:
                continue
            if step.if_no_offer == "drop":
                steps.remove(step)
                notes.append(
                    Adaptation(
                        action="drop",
                        step=step.id,
                        reason="the brief states no offer, so this incentive step is dropped",
                    )
                )
            elif isinstance(step.if_no_offer, StepChange):
                steps[steps.index(step)] = _apply_change(step, step.if_no_offer)
                notes.append(
                    Adaptation(action="change", step=step.id, reason=step.if_no_offer.reason)
                )
    for rule in playbook.adapt:
        if not rule.when.matches(brief):
            continue
        ids = [s.id for s in steps]
        if rule.step not in ids:
            continue  # already dropped by an earlier rule
        if rule.action == "drop":
            if len(steps) - 1 < playbook.bounds.min_steps:
                continue  # the bound wins; the step stays
            steps = [s for s in steps if s.id != rule.step]
        else:
            moving = steps.pop(ids.index(rule.step))
            at = 0 if not rule.after else [s.id for s in steps].index(rule.after) + 1
            steps.insert(at, moving)
        notes.append(Adaptation(action=rule.action, step=rule.step, reason=rule.reason))
    if len(steps) < playbook.bounds.min_steps or not steps:
        raise CopilotError(
            f"the {playbook.name} playbook needs at least {playbook.bounds.min_steps} steps, but "
            f"only {len(steps)} apply to this brief (add an offer to the brief, or choose another "
            "playbook with --playbook)"
        )
    if steps[0].delay_from != "trigger":
        steps[0] = steps[0].model_copy(update={"delay_from": "trigger"})
    return steps, notes


def _weekly_max(steps: list[Step]) -> int:
    times = [at for at, _ in schedule(steps)]
    return max(
        (sum(1 for u in times[i:] if u < t + WEEK_HOURS) for i, t in enumerate(sorted(times))),
        default=0,
    )


def _try(
    change: ProposedChange, steps: list[Step], playbook: Playbook, max_per_week: int
) -> tuple[list[Step] | None, str]:
    """The steps with the change applied, or None and why it was refused."""
    ids = [s.id for s in steps]
    out = list(steps)
    if change.action == "drop":
        if change.step not in ids:
            return None, f"there is no step {change.step!r}"
        if len(steps) - 1 < playbook.bounds.min_steps:
            return None, f"the playbook needs at least {playbook.bounds.min_steps} steps"
        out = [s for s in steps if s.id != change.step]
    elif change.action == "move":
        if change.step not in ids or (change.after and change.after not in ids):
            return None, "it names a step that does not exist"
        moving = out.pop(ids.index(change.step))
        at = 0 if not change.after else [s.id for s in out].index(change.after) + 1
        out.insert(at, moving)
    else:
        new = change.new_step
        if new is None:
            return None, "an 'add' needs new_step"
        if len(steps) + 1 > playbook.bounds.max_steps:
            return None, f"the playbook allows at most {playbook.bounds.max_steps} steps"
        slug = normalised(new.id).replace(" ", "_")[:40] or "added"
        if slug in ids:
            return None, f"step id {slug!r} exists already"
        if normalised(new.angle) in {normalised(s.angle) for s in steps}:
            return None, f"the angle {new.angle!r} is taken by another step"
        if change.after and change.after not in ids:
            return None, f"there is no step {change.after!r} to add it after"
        step = Step(
            id=slug if slug[0].isalpha() else f"step_{slug}",
            delay_hours=new.delay_hours,
            condition=new.condition,
            goal=new.goal,
            angle=new.angle,
            cta=StepCTA(text=new.cta),
            copy=ADDED_STEP_COPY,
        )
        at = len(out) if not change.after else ids.index(change.after) + 1
        out.insert(at, step)
    if out[0].delay_from != "trigger":
        out[0] = out[0].model_copy(update={"delay_from": "trigger"})
    if _weekly_max(out) > max_per_week:
        return None, f"it would send more than {max_per_week} emails in a week"
    return out, ""


def parse_changes(text: str) -> ChangeList:
    """Parse a chat model's JSON answer against the ChangeList contract."""
    return parse_contract(text, ChangeList, ParseFailure)


def adapt_by_model(
    playbook: Playbook,
    steps: list[Step],
    brief: Brief,
    llm: LLM,
    settings: Settings,
    max_per_week: int = DEFAULT_MAX_SENDS_PER_WEEK,
) -> tuple[list[Step], list[Adaptation], list[str]]:
    """Ask a chat model for up to MAX_MODEL_CHANGES changes; apply those within the bounds."""
    try:
        answer = ask_json(
            llm,
            [
                ChatMessage(role="system", content=render("sequence_adapt_system.j2")),
                ChatMessage(
                    role="user",
                    content=render(
                        "sequence_adapt_user.j2",
                        playbook=playbook,
                        steps=steps,
                        timing=schedule(steps),
                        brief=brief,
                        max_changes=MAX_MODEL_CHANGES,
                        max_per_week=max_per_week,
                    ),
                ),
            ],
            ChangeList,
            step="sequence adaptation",
            read=parse_changes,
            reask=reask_note('{"changes": [...]} (an empty list is fine).'),
            max_tokens=CHAT_MAX_TOKENS,
            seed=settings.llm_seed or 0,
        )
    except ModelOutputError as exc:
        return steps, [], [f"the model's adaptation was not usable ({exc}); playbook kept"]
    applied: list[Adaptation] = []
    refused: list[str] = []
    for change in answer.changes:
        new, why = _try(change, steps, playbook, max_per_week)
        if new is None:
            refused.append(f"refused the model's {change.action} of {change.step!r}: {why}")
            continue
        steps = new
        applied.append(
            Adaptation(action=change.action, step=change.step, reason=change.reason, by="model")
        )
    return steps, applied, refused
