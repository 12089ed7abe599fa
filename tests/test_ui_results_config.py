"""Results page with an uploaded A/B config: the config fills the form (brand, goal, segment,
platform, metric), and a verdict on the other metric uses a sample sized for that metric, not
the plan's figure for the one it was planned on. Small brand in tmp_path; no model needed."""

from __future__ import annotations

from pathlib import Path

from fakes.builders import make_brief, planned_config
from streamlit.testing.v1 import AppTest

from copilot.io.abconfig import ABConfig
from copilot.io.results import ABResult, ArmResult
from copilot.results.importer import planned_sample
from copilot.settings import Settings
from ui import state
from ui.testing import open_app, texts

JUDGE = "FormSubmitter:results-Judge the test"
RESULTS = b"variant,recipients,opens,clicks\nA,30000,9000,600\nB,30000,9300,690\n"


def _settings(tmp_path: Path, kb: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]


def _opens_config(kb: Path, segment: str = "all_customers") -> ABConfig:
    brief = make_brief(size=600_000, segment={"name": segment, "size": 600_000})
    return planned_config(kb, max_variants=2, metric="opens", brief=brief)


def _upload(at: AppTest, config: ABConfig) -> AppTest:
    at.radio(key="res_config_choice").set_value("upload a config").run()
    at.get("file_uploader")[0].set_value(
        ("ab_config.json", config.model_dump_json().encode(), "application/json")
    )
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_an_uploaded_config_fills_the_form(tmp_path: Path, tidewater_kb: Path) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "results", timeout=120)  # no brief
    assert at.text_input(key="res_brand").value == ""
    config = _opens_config(tidewater_kb)
    at = _upload(at, config)
    assert at.text_input(key="res_brand").value == "tidewater"
    assert at.text_input(key="res_segment").value == "all_customers"
    assert at.selectbox(key="res_goal").value == config.goal
    assert at.radio(key="res_metric").value == "opens"
    assert at.selectbox(key="res_platform").value == "mailchimp"
    # a different config fills it again
    other = _opens_config(tidewater_kb, segment="lapsed_90d")
    at.get("file_uploader")[0].set_value(
        ("other.json", other.model_dump_json().encode(), "application/json")
    )
    at.run()
    assert at.text_input(key="res_segment").value == "lapsed_90d"


def test_the_config_wins_over_the_brief_and_typed_values_stay(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    brief = make_brief(size=5_000, segment={"name": "someone_else", "size": 5_000})
    at = open_app(_settings(tmp_path, tidewater_kb), "results", timeout=120, **{state.BRIEF: brief})
    assert at.text_input(key="res_segment").value == "someone_else"
    at = _upload(at, _opens_config(tidewater_kb))
    assert at.text_input(key="res_segment").value == "all_customers"
    at.text_input(key="res_segment").set_value("all_customers_eu")
    at.get("file_uploader")[-1].set_value(("results.csv", RESULTS, "text/csv"))
    at.button(key=JUDGE).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.text_input(key="res_segment").value == "all_customers_eu"
    assert at.session_state[state.RESULTS]["segment"] == "all_customers_eu"


def test_a_clicks_verdict_on_an_opens_plan_uses_a_clicks_sample(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    config = _opens_config(tidewater_kb)
    at = _upload(open_app(_settings(tmp_path, tidewater_kb), "results", timeout=120), config)
    at.radio(key="res_metric").set_value("clicks")
    at.get("file_uploader")[-1].set_value(("results.csv", RESULTS, "text/csv"))
    at.button(key=JUDGE).click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    assert f"Planned {config.design.n_per_arm_required:,} per arm" not in shown
    assert "was sized on opens; for clicks" in shown


def test_planned_sample_follows_the_metric_judged(tidewater_kb: Path) -> None:
    config = _opens_config(tidewater_kb)
    result = ABResult(
        source="csv",
        campaign_id="t",
        arms=[
            ArmResult(label="A", subject="a", recipients=30000, opens=9000, clicks=600),
            ArmResult(label="B", subject="b", recipients=30000, opens=9300, clicks=690),
        ],
    )
    same, source = planned_sample(result, "opens", config)
    assert same == config.design.n_per_arm_required and source == f"plan {config.test_id}"
    clicks, why = planned_sample(result, "clicks", config)
    # a ~2% click rate needs far more recipients than a ~30% open rate for the same lift
    assert clicks > 5 * same
    assert "sized on opens" in why and "+10% lift" in why and "2.15% click rate" in why
