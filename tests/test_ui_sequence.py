"""Sequence page: a playbook adapted to the brief on a timeline with delays and branches, every
step's copy and checks, the team documents and spec-valid step drafts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import make_brief

from copilot.generation.sequences.plan import SequencePlan, SequenceStep, StepCTA
from copilot.generation.sequences.playbooks import Branch, ExitRule
from copilot.io.brief import parse_brief
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from ui import state
from ui.testing import open_app, texts
from ui.views import timeline_frames, when


def _step(i: str, at: float, delay: float, angle: str, branches: list[Branch]) -> SequenceStep:
    return SequenceStep(
        id=i,
        day=int(at // 24),
        delay_hours=delay,
        at_hours=at,
        condition="not purchased",
        goal="bring the shopper back",
        angle=angle,
        cta=StepCTA(text="Back to your cart", url="https://example.com/cart"),
        subject=f"Subject of {i}",
        branches=branches,
    )


def _plan() -> SequencePlan:
    steps = [
        _step("reminder", 1, 1, "helpful", [Branch(when="purchased", then="exit")]),
        _step("help", 24, 23, "reassurance", [Branch(when="clicked", then="go_to", target="last")]),
        _step("last", 48, 24, "urgency", []),
    ]
    return SequencePlan(
        playbook="abandoned_cart",
        title="Abandoned cart",
        goal="abandoned_cart",
        platform="mailchimp",
        trigger="cart abandoned",
        exit=[ExitRule(when="purchased", conversion=True)],
        steps=steps,
        brief=parse_brief(
            {"brand": "harbor_bean", "goal": "abandoned_cart", "segment": {"name": "carts"}}
        ),
    )


def test_timeline_has_every_step_the_gaps_between_them_and_the_branches() -> None:
    steps, gaps, branches = timeline_frames(_plan())
    assert list(steps["step"]) == ["1. reminder", "2. help", "3. last"]
    assert list(steps["day"]) == pytest.approx([1 / 24, 1.0, 2.0])
    assert list(gaps["label"]) == ["23 h", "24 h"]
    assert list(branches["rule"]) == [
        "when purchased: exit the sequence",
        "when clicked: go to step 'last'",
    ]
    jump = branches.dropna(subset=["target"]).iloc[0]
    assert jump["target"] == "3. last" and jump["target_day"] == pytest.approx(2.0)


def test_delays_read_as_people_say_them() -> None:
    assert when(1) == "1 h" and when(24) == "24 h" and when(72) == "3 days"


def test_a_goal_without_a_playbook_says_it_is_a_single_send(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    settings = Settings(chroma_path=tmp_path / "c", kb_dir=tidewater_kb, _env_file=None)  # type: ignore[call-arg]
    brief = make_brief(goal="newsletter")
    at = open_app(settings, "sequence", timeout=120, **{state.BRIEF: brief})
    assert not at.exception
    assert "single send" in texts(at)


# a scripted fake model over the real ingested store, so not marked `integration`
def test_planning_a_sequence_shows_timeline_steps_and_drafts(ingested_sample: Settings) -> None:
    brief = parse_brief(
        {
            "brand": "harbor_bean",
            "goal": "abandoned_cart",
            "segment": {"name": "cart_abandoners"},
            "offer": "Free standard shipping on orders over $40",
            "cta_url": "https://harborbean.example/cart",
            "personalization": ["FNAME"],
        }
    )
    llm = FakeLLM(
        lambda _p: (
            " Your cart is still here\nPreheader: Pick up where you left off, roasted to order this week.\n###"
        )
    )
    at = open_app(ingested_sample, "sequence", llm=llm, timeout=900, **{state.BRIEF: brief})
    assert at.selectbox(key="seq_playbook").value == "abandoned_cart"
    at.button(key="FormSubmitter:sequence-Plan the sequence").click().run()
    assert not at.exception, [e.message for e in at.exception]
    plan = at.session_state[state.SEQUENCE]
    assert len(plan.steps) >= 2
    assert at.get("vega_lite_chart")  # the timeline
    step_labels = [e.label for e in at.expander if e.label[0].isdigit()]
    assert len(step_labels) == len(plan.steps)
    downloads = {b.label for b in at.get("download_button")}
    assert {"Team brief (Markdown)", "Steps (CSV)", "Plan (JSON)"} <= downloads
    assert any(label.startswith("Step drafts for Mailchimp") for label in downloads)
    assert "Customer Journeys cannot be created" in texts(at)
