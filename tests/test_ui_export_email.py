"""A/B plan & export page, as a marketer meets it: the test carries the body drafted on the
Bodies page (and cannot be pushed without one), the form starts from a plan the segment can
carry and says why, ways out are buttons, and merge tags follow one rule (previews show a
sample contact, the platform column and payloads the platform's syntax, with a legend).
Small brand in tmp_path, a local fake Mailchimp over real HTTP; no model needed."""

from __future__ import annotations

from pathlib import Path

from fakes.builders import MAILCHIMP_KEY, body_html, drafted_bodies, make_brief, variant
from fakes.mailchimp import FakeMailchimp
from streamlit.testing.v1 import AppTest

from copilot.app.export import build_payload
from copilot.planning.design import neutral_tags
from copilot.settings import Settings
from ui import state
from ui.testing import open_app, texts

PLAN = "FormSubmitter:plan-Plan the test"


def _settings(tmp_path: Path, kb: Path, **extra: object) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None, **extra)  # type: ignore[call-arg]


def _variants() -> list:
    return [
        variant("{{FNAME|there}}, the Harvest Sale is on", "Use HARVEST15 through Sunday.", 82),
        variant("Our autumn roasts are 15% off", "Use HARVEST15 through Sunday.", 74),
        variant("A quieter week, a cheaper bag", "Use HARVEST15 through Sunday.", 66),
    ]


def _export(settings: Settings, size: int = 600_000, body: bool = True) -> AppTest:
    brief = make_brief(size=size)
    session: dict[str, object] = {state.BRIEF: brief, state.VARIANTS: _variants()}
    if body:
        session[state.BODIES] = drafted_bodies(brief)
    return open_app(settings, "export", timeout=120, **session)


def _plan(at: AppTest) -> AppTest:
    at.button(key=PLAN).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_planned_test_carries_the_drafted_body(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    plan, _ = at.session_state[state.PLAN]
    assert plan.config is not None
    html, _text = body_html("mailchimp")
    assert {a.html for a in plan.config.arms} == {neutral_tags(html)}
    payload = build_payload(plan.config, "mailchimp")
    assert payload.requests[1].body["variate_contents"][0]["html"] == html
    assert not any("no email body" in e.value for e in at.error)
    assert at.get("iframe")  # the email every arm sends, previewed


def test_without_a_body_the_page_says_so_and_push_stays_off_even_with_a_key(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    fake = FakeMailchimp(MAILCHIMP_KEY)
    base_url = fake.start()
    try:
        settings = _settings(
            tmp_path, tidewater_kb, mailchimp_api_key=MAILCHIMP_KEY, mailchimp_base_url=base_url
        )
        at = _plan(_export(settings, body=False))
        assert any("No email body yet" in w.value for w in at.warning)
        assert any("no email body yet" in e.value for e in at.error)
        assert at.checkbox(key="confirm_mailchimp").disabled
        assert at.button(key="push_mailchimp").disabled
        assert fake.count("POST", "/campaigns") == 0
    finally:
        fake.stop()


def test_a_typical_list_starts_from_a_plan_it_can_carry(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _export(_settings(tmp_path, tidewater_kb), size=1_800)
    reason = [i.value for i in at.info if "instead of the default" in i.value]
    assert reason and "1,800" in reason[0]
    at = _plan(at)
    plan, _ = at.session_state[state.PLAN]
    assert plan.design.status != "refused", plan.design.verdict
    assert not any(e.value.startswith("Refused") for e in at.error)


def test_a_way_out_is_a_button_that_plans_again(tmp_path: Path, tidewater_kb: Path) -> None:
    # three arms cannot reach their power on this segment, two can
    at = _export(_settings(tmp_path, tidewater_kb), size=120_000)
    at.radio(key="plan_metric").set_value("clicks")
    at.slider(key="plan_mde").set_value(0.10)
    at.number_input(key="plan_max_variants").set_value(3)
    at = _plan(at)
    assert at.session_state[state.PLAN][0].design.status == "refused"
    fewer = [b for b in at.button if b.label.startswith("Plan with 2 variants")]
    assert fewer, [b.label for b in at.button]
    fewer[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    plan, _ = at.session_state[state.PLAN]
    assert len(plan.arms) == 2
    assert at.number_input(key="plan_max_variants").value == 2


def test_arms_show_the_sample_contact_and_the_platform_syntax_with_a_legend(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    table = at.dataframe[0].value
    assert table.loc[0, "subject"] == "Alex, the Harvest Sale is on"
    assert "*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*" in table.loc[0, "subject in Mailchimp"]
    assert not any("{{" in str(v) for v in table["subject"])
    assert "`*|FNAME|*` first name" in texts(at)


def test_developer_detail_sits_behind_details(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _plan(_export(_settings(tmp_path, tidewater_kb)))
    visible = "\n".join(
        [str(c.value) for c in at.main.caption] + [str(m.value) for m in at.main.markdown]
    )
    expanders = {e.label for e in at.expander}
    assert "Details: the API key" in expanders and "Details: the API requests" in expanders
    assert "Mailchimp is not connected" in texts(at)
    assert "products.md line" not in texts(at)  # provenance in plain words
    assert "Postal address: the brand's product facts (products.md, line" in texts(at)
    assert "postal_address" not in texts(at)
    assert "copilot results import" not in visible.split("Details")[0]


def test_a_body_drafted_after_a_visit_is_chosen_for_the_test(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _export(_settings(tmp_path, tidewater_kb), body=False)
    assert at.selectbox(key="plan_body").value == -1
    at.session_state[state.BODIES] = drafted_bodies(make_brief(size=600_000))
    at.run()
    assert at.selectbox(key="plan_body").value == 0
    at = _plan(at)
    plan, _ = at.session_state[state.PLAN]
    assert plan.config is not None and not any(a.html is None for a in plan.config.arms)
