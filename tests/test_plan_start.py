"""The plan form starts from a test the segment can carry: the default when it fits, else the
planner's own ways out (fewer arms, opens, a larger lift), with the reason; and a refusal is
written in plain grammar."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import make_brief, sample_variants

from copilot.knowledge.brand import load_brand
from copilot.planning.baseline import planning_defaults
from copilot.planning.design import PlanRequest, plan_test
from copilot.planning.sender import sender_from_brand
from copilot.planning.start import starting_plan


def _plan_status(kb_dir: Path, size: int, metric: str, mde: float, arms: int) -> str:
    folder = kb_dir / "tidewater"
    plan = plan_test(
        make_brief(size=size),
        sample_variants(),
        load_brand(folder).campaigns,
        sender_from_brand(folder, "tidewater"),
        PlanRequest(metric=metric, mde=mde, max_variants=arms),  # type: ignore[arg-type]
        "mailchimp",
    )
    return plan.design.status


def test_a_large_segment_starts_from_the_default(tidewater_kb: Path) -> None:
    campaigns = load_brand(tidewater_kb / "tidewater").campaigns
    start = starting_plan(make_brief(size=600_000), sample_variants(), campaigns)
    assert not start.changed
    assert (start.metric, start.mde, start.max_variants) == (
        "clicks",
        pytest.approx(planning_defaults().mde),
        3,
    )
    assert start.status == "ok" and "fits" in start.reason


@pytest.mark.parametrize("size", [1_800, 5_000, 20_000])
def test_a_typical_list_starts_from_a_plan_it_can_carry(tidewater_kb: Path, size: int) -> None:
    campaigns = load_brand(tidewater_kb / "tidewater").campaigns
    default = planning_defaults().mde
    assert _plan_status(tidewater_kb, size, "clicks", default, 3) == "refused"
    start = starting_plan(make_brief(size=size), sample_variants(), campaigns)
    assert start.changed
    assert start.status in ("ok", "weak")
    # the planner, given these settings, really plans the test
    assert (
        _plan_status(tidewater_kb, size, start.metric, start.mde, start.max_variants)
        == start.status
    )
    assert "instead of the default" in start.reason and f"has {size:,}" in start.reason
    if start.metric == "opens":
        assert "Apple Mail Privacy Protection" in start.reason
    if start.mde > default:
        assert f"+{start.mde:.0%}" in start.reason


def test_fewer_arms_come_before_a_larger_lift(tidewater_kb: Path) -> None:
    """Where two arms on the default lift fit well and three do not, the start drops an arm
    and keeps the lift and the metric."""
    campaigns = load_brand(tidewater_kb / "tidewater").campaigns
    default = planning_defaults().mde
    fits_two = next(
        s
        for s in range(20_000, 1_000_000, 10_000)
        if _plan_status(tidewater_kb, s, "clicks", default, 3) != "ok"
        and _plan_status(tidewater_kb, s, "clicks", default, 2) == "ok"
    )
    start = starting_plan(make_brief(size=fits_two), sample_variants(), campaigns)
    assert (start.metric, start.max_variants) == ("clicks", 2)
    assert start.mde == pytest.approx(default)
    assert "Fewer arms" in start.reason


def test_a_segment_too_small_for_any_test_keeps_the_default_and_says_so(
    tidewater_kb: Path,
) -> None:
    campaigns = load_brand(tidewater_kb / "tidewater").campaigns
    start = starting_plan(make_brief(size=40), sample_variants(), campaigns)
    assert not start.changed and start.status == "refused"
    assert "No test fits" in start.reason


def test_an_opens_refusal_reads_an_open_test(tidewater_kb: Path) -> None:
    folder = tidewater_kb / "tidewater"
    plan = plan_test(
        make_brief(size=300),
        sample_variants(),
        load_brand(folder).campaigns,
        sender_from_brand(folder, "tidewater"),
        PlanRequest(metric="opens"),
        "mailchimp",
    )
    assert plan.design.verdict.startswith("Refused: an open test of")
