"""A/B plan & export page: the plan and its chart, spec-valid payload previews, push only after
an explicit confirmation, and the key never shown. Runs against a small brand in tmp_path and a
local fake Mailchimp server over real HTTP (no model needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes.builders import MAILCHIMP_KEY, drafted_bodies, make_brief, sample_variants, variant
from fakes.mailchimp import FakeMailchimp
from streamlit.testing.v1 import AppTest

from copilot.io.abconfig import Design
from copilot.platforms.contract import body_problems
from copilot.settings import Settings
from ui import state
from ui.testing import open_app, texts
from ui.views import sample_size_curve

PLAN = "FormSubmitter:plan-Plan the test"


def _settings(tmp_path: Path, kb: Path, **extra: object) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None, **extra)  # type: ignore[call-arg]


def _export(settings: Settings, size: int = 600_000, body: bool = False) -> AppTest:
    brief = make_brief(size=size)
    session: dict[str, object] = {state.BRIEF: brief, state.VARIANTS: sample_variants()}
    if body:
        session[state.BODIES] = drafted_bodies(brief)
    return open_app(settings, "export", timeout=120, **session)


def _plan(at: AppTest) -> AppTest:
    at.button(key=PLAN).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_feasible_plan_shows_verdict_numbers_chart_and_payloads(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    verdicts = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any(re.match(r"(OK|Weak but possible): test 3 subject lines", v) for v in verdicts)
    labels = {m.label for m in at.metric}
    assert {"Baseline rate", "Needed per arm", "Per arm in the test", "Test share"} <= labels
    assert "Sample size against minimum lift" in texts(at)
    downloads = [b.label for b in at.get("download_button")]
    assert "Download Mailchimp JSON" in downloads
    assert "Download the A/B config (JSON)" in downloads
    # Brevo tests two subject lines only: its tab says so instead of offering a payload
    assert any("Brevo tests exactly two subject lines" in e.value for e in at.error)


def test_the_payload_preview_is_valid_against_the_vendor_spec(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    requests = [m.value for m in at.markdown if re.match(r"`(POST|PUT|PATCH) /", str(m.value))]
    bodies = [json.loads(j.value) for j in at.json]
    assert len(requests) == len(bodies) >= 2
    for label, body in zip(requests, bodies, strict=True):
        method, path = label.split(" · ")[0].strip("`").split(" ", 1)
        assert body_problems("mailchimp", method, path, body) == [], label


def test_a_test_the_segment_cannot_power_is_refused_with_ways_out(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _export(_settings(tmp_path, tidewater_kb), size=1200)
    # the default test (3 subject lines on clicks, +10%), which the form does not start from here
    at.radio(key="plan_metric").set_value("clicks")
    at.slider(key="plan_mde").set_value(0.10)
    at.number_input(key="plan_max_variants").set_value(3)
    at = _plan(at)
    assert any(e.value.startswith("Refused:") for e in at.error)
    assert "Ways out" in texts(at)
    assert not [b for b in at.get("download_button") if "Mailchimp" in b.label]


def test_without_a_key_push_is_disabled_and_says_how_to_set_it(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    assert at.checkbox(key="confirm_mailchimp").disabled
    assert at.button(key="push_mailchimp").disabled
    assert "MAILCHIMP_API_KEY is not set" in texts(at)


def test_push_needs_confirmation_then_creates_one_campaign_and_never_shows_the_key(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    fake = FakeMailchimp(MAILCHIMP_KEY)
    base_url = fake.start()
    try:
        settings = _settings(
            tmp_path, tidewater_kb, mailchimp_api_key=MAILCHIMP_KEY, mailchimp_base_url=base_url
        )
        at = _plan(_export(settings, body=True))
        assert "MAILCHIMP_API_KEY is set in the environment" in texts(at)
        assert at.button(key="push_mailchimp").disabled  # not before the confirmation
        at.checkbox(key="confirm_mailchimp").check().run()
        assert not at.button(key="push_mailchimp").disabled
        at.button(key="push_mailchimp").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert any("campaign" in s.value and "created" in s.value for s in at.success)
        assert fake.count("POST", "/campaigns") == 1
        assert not fake.violations()
        shown = texts(at) + "".join(j.value for j in at.json)
        assert MAILCHIMP_KEY not in shown and MAILCHIMP_KEY.split("-")[0] not in shown
    finally:
        fake.stop()


def test_changed_variants_make_the_plan_say_it_is_stale(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    at.session_state[state.VARIANTS] = [*sample_variants(), variant("A brand new line")]
    at.run()
    assert any("changed since this plan" in w.value for w in at.warning)


@pytest.mark.parametrize("baseline", [0.02, 0.3])
def test_sample_size_falls_as_the_minimum_lift_grows(baseline: float) -> None:
    design = Design(
        metric="clicks",
        baseline_rate=baseline,
        baseline_source="given",
        baseline_detail="given",
        mde=0.1,
        alpha=0.05,
        alpha_per_comparison=0.05,
        power=0.8,
        arms=2,
        segment_size=10_000,
        n_per_arm_required=1,
        n_per_arm=1,
        test_recipients=2,
        test_share=0.1,
        wait_hours=4,
        status="ok",
        verdict="",
    )
    curve = sample_size_curve(design)
    needed = list(curve["recipients per arm"])
    assert len(needed) > 10
    assert all(a >= b for a, b in zip(needed, needed[1:], strict=False))
    assert all(baseline * (1 + lift) < 1 for lift in curve["minimum lift"])
