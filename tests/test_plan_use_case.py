"""The plan use case the CLI and the export page share: audience, sender and body in one call,
and the sample-size curve as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import body_html, make_brief, planned_config, sample_variants

from copilot.app.plan import (
    AudienceError,
    ChosenBody,
    PlanTestRequest,
    plan_ab_test,
    plan_context,
    read_body,
    sample_size_curve,
)
from copilot.errors import InputFileError
from copilot.planning.power import n_per_arm
from copilot.settings import Settings


def _settings(kb: Path) -> Settings:
    return Settings(_env_file=None, kb_dir=kb)  # type: ignore[call-arg]


def test_one_call_plans_with_audience_sender_and_body(tidewater_kb: Path) -> None:
    context = plan_context(make_brief(), _settings(tidewater_kb))
    html, text = body_html("brevo")
    planned = plan_ab_test(
        context,
        PlanTestRequest(
            variants=sample_variants(),
            platform="brevo",
            list_id="12,31",
            sender_email="news@tidewater.example",
            body=ChosenBody(html=html, text=text),
        ),
    )
    config = planned.plan.config
    assert config is not None and config.platform == "brevo"
    assert config.audience.brevo_list_ids == [12, 31]
    assert planned.sender.email == "news@tidewater.example"
    assert planned.sender.provenance["email"] == "given"
    assert all(arm.html for arm in config.arms)


def test_the_platform_defaults_to_the_briefs_and_reads_its_audience(tidewater_kb: Path) -> None:
    context = plan_context(make_brief(), _settings(tidewater_kb))
    planned = plan_ab_test(
        context, PlanTestRequest(variants=sample_variants(), list_id="a1b2", segment_id=7)
    )
    assert planned.plan.config is not None and planned.plan.platform == "mailchimp"
    assert planned.plan.config.audience.mailchimp_list_id == "a1b2"
    assert planned.plan.config.audience.mailchimp_segment_id == 7


def test_a_bad_audience_and_a_missing_body_file_are_refused(
    tidewater_kb: Path, tmp_path: Path
) -> None:
    context = plan_context(make_brief(), _settings(tidewater_kb))
    with pytest.raises(AudienceError, match="whole numbers"):
        plan_ab_test(
            context,
            PlanTestRequest(variants=sample_variants(), platform="brevo", list_id="news"),
        )
    with pytest.raises(InputFileError, match="file not found"):
        plan_ab_test(
            context,
            PlanTestRequest(variants=sample_variants(), body_file=tmp_path / "nope.html"),
        )


def test_a_body_file_brings_its_plain_text_twin(tmp_path: Path) -> None:
    (tmp_path / "body.html").write_text("<p>Hi</p>", encoding="utf-8")
    (tmp_path / "body.txt").write_text("Hi", encoding="utf-8")
    assert read_body(tmp_path / "body.html") == ChosenBody(html="<p>Hi</p>", text="Hi")


def test_the_curve_falls_with_the_lift_and_stops_below_a_rate_of_one(tidewater_kb: Path) -> None:
    design = planned_config(tidewater_kb).design
    points = sample_size_curve(design)
    assert [p.lift for p in points] == [pytest.approx(s / 100) for s in range(2, 101)]
    needed = [p.n_per_arm for p in points]
    assert needed == sorted(needed, reverse=True)
    at_mde = n_per_arm(design.baseline_rate, 0.1, design.alpha_per_comparison, design.power)
    assert points[8].n_per_arm == at_mde
    high = sample_size_curve(design.model_copy(update={"baseline_rate": 0.6}))
    assert high and max(p.lift for p in high) < 1 / 0.6 - 1
