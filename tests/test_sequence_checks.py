"""Sequence-level checks: each passes on a sound plan and fails on the fault it exists for."""

from __future__ import annotations

import pytest

from copilot.generation.sequences.checks import (
    DEFAULT_MAX_SENDS_PER_WEEK,
    check_sequence,
    discount_policy,
    distinct_angles,
    distinct_subjects,
    exit_on_conversion,
    sends_per_week,
)
from copilot.generation.sequences.plan import SequencePlan, SequenceStep, StepCTA
from copilot.generation.sequences.playbooks import ExitRule
from copilot.io.brief import parse_brief

OFFER = "SAVE10: 10% off your next order"


def step(
    sid: str,
    at_hours: float,
    *,
    angle: str | None = None,
    subject: str | None = None,
    body: str = "<p>We kept your cart for you.</p>",
    incentive: bool = False,
) -> SequenceStep:
    return SequenceStep(
        id=sid,
        day=int(at_hours // 24),
        delay_hours=0,
        at_hours=at_hours,
        condition="always",
        goal="remind",
        angle=angle or f"angle {sid}",
        incentive=incentive,
        cta=StepCTA(text="Go", url="https://shop.example"),
        subject=subject or f"Subject for {sid}",
        preheader="A preheader that is long enough to read as one.",
        body_html=body,
    )


def plan(steps: list[SequenceStep], exits: list[ExitRule] | None = None, offer: str | None = None):
    brief = parse_brief(
        {"brand": "shop", "goal": "abandoned_cart", "segment": {"name": "carts"}, "offer": offer}
    )
    return brief, SequencePlan(
        playbook="abandoned_cart",
        title="Abandoned cart",
        goal="abandoned_cart",
        platform="mailchimp",
        trigger="leaves the cart",
        exit=exits or [ExitRule(when="buys", conversion=True)],
        steps=steps,
        brief=brief,
    )


def statuses(results) -> dict[str, str]:
    return {r.name: r.status for r in results}


def test_a_sound_plan_passes_every_check() -> None:
    steps = [
        step("a", 1),
        step("b", 24),
        step("c", 48, incentive=True, body="<p>Take 10% off with SAVE10.</p>"),
    ]
    brief, p = plan(steps, offer=OFFER)
    assert set(statuses(check_sequence(p, brief)).values()) == {"pass"}


def test_shared_angle_fails() -> None:
    result = distinct_angles([step("a", 0, angle="Reminder"), step("b", 24, angle="reminder")])
    assert result.status == "fail" and "'a' and 'b'" in result.message


def test_discount_without_an_offer_fails() -> None:
    steps = [step("a", 0), step("b", 48, body="<p>Here is 15% off your cart.</p>")]
    result = discount_policy(steps, None)
    assert result.status == "fail" and "no offer" in result.message


def test_discount_above_the_offer_fails() -> None:
    steps = [
        step("a", 0, incentive=True, body="<p>Take 10% off.</p>"),
        step("b", 48, incentive=True, body="<p>Now take 20% off.</p>"),  # escalates past it
    ]
    result = discount_policy(steps, OFFER)
    assert result.status == "fail" and "above the offer's 10%" in result.message


def test_discount_outside_the_incentive_steps_fails() -> None:
    steps = [step("a", 0, body="<p>Take 10% off with SAVE10.</p>"), step("b", 48, incentive=True)]
    result = discount_policy(steps, OFFER)
    assert result.status == "fail" and "outside the playbook's incentive step" in result.message


def test_a_code_the_offer_does_not_state_fails() -> None:
    steps = [step("a", 0, incentive=True, body="<p>Use code WELCOME20 at checkout.</p>")]
    result = discount_policy(steps, OFFER)
    assert result.status == "fail" and "offer does not" in result.message


def test_no_exit_on_conversion_fails() -> None:
    result = exit_on_conversion([ExitRule(when="unsubscribes")])
    assert result.status == "fail"
    assert exit_on_conversion([ExitRule(when="buys", conversion=True)]).status == "pass"


def test_too_many_sends_in_a_week_fails_and_the_limit_is_a_parameter() -> None:
    steps = [step(str(i), 24 * i) for i in range(5)]  # five sends in five days
    result = sends_per_week(steps)
    assert DEFAULT_MAX_SENDS_PER_WEEK == 4
    assert result.status == "fail" and "5 sends in the 7 days from day 0" in result.message
    assert sends_per_week(steps, max_per_week=5).status == "pass"
    spaced = [step(str(i), 72 * i) for i in range(5)]  # every three days
    assert sends_per_week(spaced).status == "pass"


def test_a_repeated_subject_fails_even_in_another_tag_syntax() -> None:
    steps = [
        step("a", 0, subject="*|FNAME|*, your cart is waiting"),
        step("b", 48, subject="{{FNAME|there}}, your cart is waiting!"),
    ]
    result = distinct_subjects(steps)
    assert result.status == "fail" and "'b' repeats the subject of step 'a'" in result.message


@pytest.mark.parametrize(
    ("name", "steps", "exits", "offer"),
    [
        ("sequence_angles", [step("a", 0, angle="x"), step("b", 48, angle="x")], None, None),
        ("sequence_discounts", [step("a", 0, body="<p>20% off</p>")], None, None),
        ("sequence_exit", [step("a", 0)], [ExitRule(when="unsubscribes")], None),
        ("sequence_frequency", [step(str(i), 10 * i) for i in range(5)], None, None),
        (
            "sequence_subjects",
            [step("a", 0, subject="Hi"), step("b", 48, subject="hi")],
            None,
            None,
        ),
    ],
)
def test_check_sequence_reports_each_fault(name, steps, exits, offer) -> None:
    brief, p = plan(steps, exits, offer)
    results = statuses(check_sequence(p, brief))
    assert results[name] == "fail"
    assert [n for n, s in results.items() if s == "fail"] == [name]
