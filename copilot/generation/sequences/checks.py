"""Sequence-level checks: what no single email's checks can see.

- sequence_angles: no two steps share an angle (each email must earn its send).
- sequence_discounts: incentives only when the brief states an offer, never above it, and only in
  the playbook's incentive steps, so readers do not learn to wait for a bigger discount.
- sequence_exit: the plan exits on conversion (nobody who bought keeps getting "come back" mail).
- sequence_frequency: sends in any rolling 7 days stay at or under a limit. Every step is counted
  whatever its condition, so this is an upper bound for any one contact.
- sequence_subjects: no step repeats another's subject (compared as the inbox shows them).
"""

from __future__ import annotations

from collections.abc import Sequence

from copilot.evaluation.grounding.facts import facts_from, is_grounded
from copilot.generation.bodies.fields import normalised
from copilot.generation.offer_rules import discount_value, incentives
from copilot.generation.sequences.plan import SequencePlan, SequenceStep
from copilot.generation.sequences.playbooks import ExitRule
from copilot.io.brief import Brief
from copilot.platforms.tags import strip_tags
from copilot.variants import CheckResult

#: default cap on sends in any rolling 7 days; the lead wires COPILOT_MAX_SENDS_PER_WEEK to it
DEFAULT_MAX_SENDS_PER_WEEK = 4
WEEK_HOURS = 168.0


def _result(name: str, problems: list[str], ok: str) -> CheckResult:
    if problems:
        return CheckResult(name=name, status="fail", score=0.0, message="; ".join(problems))
    return CheckResult(name=name, status="pass", score=1.0, message=ok)


def distinct_angles(steps: Sequence[SequenceStep]) -> CheckResult:
    """No two steps share an angle."""
    seen: dict[str, str] = {}
    problems = []
    for s in steps:
        key = normalised(s.angle.replace("_", " "))
        if key in seen:
            problems.append(f"steps '{seen[key]}' and '{s.id}' share the angle {s.angle!r}")
        else:
            seen[key] = s.id
    return _result("sequence_angles", problems, f"{len(steps)} steps, {len(seen)} distinct angles")


def discount_policy(steps: Sequence[SequenceStep], offer: str | None) -> CheckResult:
    """Incentives only with an offer, never above it, only in incentive steps."""
    problems: list[str] = []
    facts = facts_from(offer) if offer else None
    offered: dict[str, float] = {}
    for claim in incentives(offer or ""):
        value = discount_value(claim)
        if value is not None:
            offered[claim.kind] = max(value, offered.get(claim.kind, 0.0))
    for s in steps:
        for claim in incentives(s.copy_text()):
            what = f"step '{s.id}' states {claim.describe()}"
            if facts is None:
                problems.append(f"{what} but the brief has no offer")
                continue
            value = discount_value(claim)
            if value is not None and claim.kind in offered and value > offered[claim.kind]:
                problems.append(
                    f"{what}, above the offer's {_fmt(claim.kind, offered[claim.kind])}"
                )
            elif not is_grounded(claim, facts):
                problems.append(f"{what}, which the brief's offer does not")
            elif not s.incentive:
                problems.append(f"{what} outside the playbook's incentive step(s)")
    where = [s.id for s in steps if incentives(s.copy_text())]
    ok = (
        f"incentives only in {', '.join(where)}, within the offer"
        if where
        else "no step states a discount or code"
    )
    return _result("sequence_discounts", problems, ok)


def _fmt(kind: str, value: float) -> str:
    number = f"{value:g}"
    return f"{number}%" if kind == "percent" else f"${value:.2f}"


def exit_on_conversion(exits: Sequence[ExitRule]) -> CheckResult:
    """At least one exit rule fires on conversion."""
    conv = [e.when for e in exits if e.conversion]
    if not conv:
        return _result(
            "sequence_exit",
            ["no exit on conversion: contacts who convert would keep getting these emails"],
            "",
        )
    return _result("sequence_exit", [], f"exits on conversion: {'; '.join(conv)}")


def sends_per_week(
    steps: Sequence[SequenceStep], max_per_week: int = DEFAULT_MAX_SENDS_PER_WEEK
) -> CheckResult:
    """No rolling 7-day window holds more than `max_per_week` sends."""
    times = sorted(s.at_hours for s in steps)
    worst, start = 0, 0.0
    for i, t in enumerate(times):
        n = sum(1 for u in times[i:] if u < t + WEEK_HOURS)
        if n > worst:
            worst, start = n, t
    if worst > max_per_week:
        return _result(
            "sequence_frequency",
            [
                f"{worst} sends in the 7 days from day {start / 24:g}; the limit is "
                f"{max_per_week} a week (space the steps out or drop one)"
            ],
            "",
        )
    return _result(
        "sequence_frequency", [], f"at most {worst} send(s) in any 7 days (limit {max_per_week})"
    )


def distinct_subjects(steps: Sequence[SequenceStep]) -> CheckResult:
    """No two steps have the same subject as the inbox shows it."""
    seen: dict[str, str] = {}
    problems = []
    for s in steps:
        key = normalised(strip_tags(s.subject))  # merge tags aside, as words
        if not key:
            problems.append(f"step '{s.id}' has no subject")
        elif key in seen:
            problems.append(f"step '{s.id}' repeats the subject of step '{seen[key]}'")
        else:
            seen[key] = s.id
    return _result("sequence_subjects", problems, "every step has its own subject")


def check_sequence(
    plan: SequencePlan, brief: Brief, max_sends_per_week: int | None = None
) -> list[CheckResult]:
    """Every sequence-level check on a plan, in a fixed order."""
    limit = max_sends_per_week or DEFAULT_MAX_SENDS_PER_WEEK
    return [
        distinct_angles(plan.steps),
        discount_policy(plan.steps, brief.offer),
        exit_on_conversion(plan.exit),
        sends_per_week(plan.steps, limit),
        distinct_subjects(plan.steps),
    ]
