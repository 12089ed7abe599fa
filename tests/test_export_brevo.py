"""Brevo export: a 2-subject A/B campaign, valid against the vendored OpenAPI spec (read with a
YAML loader that keeps 5E+1 a number), Brevo's prose rules enforced, pushed to a fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fakes.builders import FAST, make_brief, planned_config, sample_variants, variant

from copilot.app.export import build_payload
from copilot.io.abconfig import ABConfig
from copilot.planning.design import PlanError
from copilot.platforms import registry
from copilot.platforms.contract import body_problems, default_specs_dir, load_spec, read_spec_file
from copilot.platforms.errors import ExportError

SPEC = default_specs_dir() / "brevo-openapi.yaml"


def _body(config: ABConfig) -> dict:
    payload = build_payload(config, "brevo")
    assert [r.step for r in payload.requests] == ["create_campaign"]
    return payload.requests[0].body


def test_loader_keeps_exponent_numbers_as_numbers() -> None:
    schema = load_spec("brevo")["components"]["schemas"]["createEmailCampaign"]["properties"]
    assert schema["splitRule"]["maximum"] == 50
    assert isinstance(schema["splitRule"]["maximum"], float)
    assert schema["increaseRate"]["maximum"] == 100
    # the trap this loader avoids: YAML 1.1 reads "5E+1" as a string
    plain = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert (
        plain["components"]["schemas"]["createEmailCampaign"]["properties"]["splitRule"]["maximum"]
        == "5E+1"
    )


def test_loader_matches_openapi_spec_validator_reader() -> None:
    from openapi_spec_validator.readers import read_from_filename

    theirs, _ = read_from_filename(str(SPEC))
    # the reader turns integer response codes into strings; compare as JSON text
    assert json.dumps(read_spec_file(SPEC), sort_keys=True) == json.dumps(theirs, sort_keys=True)


def test_two_subject_test_is_spec_valid(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "brevo", size=600_000)
    body = _body(config)
    assert body_problems("brevo", "POST", "/emailCampaigns", body) == []
    assert body["abTesting"] is True
    assert body["subjectA"] == config.arms[0].subject
    assert body["subjectB"] == config.arms[1].subject
    assert body["subjectA"] != body["subjectB"]
    assert 1 <= body["splitRule"] <= 50
    assert body["winnerCriteria"] == "click"
    assert body["winnerDelay"] == 4
    assert body["sender"] == {"name": "Tidewater Coffee Co.", "email": "hello@tidewater.example"}
    assert body["tag"] == config.marker
    assert "{{ unsubscribe }}" in body["htmlContent"]
    assert "9 Quay Road" in body["htmlContent"]


def test_split_rule_is_per_version_share(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "brevo", size=600_000)
    body = _body(config)
    n = config.design.n_per_arm
    # each version gets splitRule% of the list, and that covers the planned sample
    assert 600_000 * body["splitRule"] // 100 == n
    assert n >= config.design.n_per_arm_required


def test_opens_metric_maps_to_open(tidewater_kb: Path) -> None:
    body = _body(planned_config(tidewater_kb, "brevo", size=600_000, metric="opens"))
    assert body["winnerCriteria"] == "open"


def test_everyone_in_test_omits_winner_settings(tidewater_kb: Path) -> None:
    # 3% baseline, +10%: 53,182 per version, just under half of 106,400, so splitRule is 50
    config = planned_config(tidewater_kb, "brevo", size=106_400, baseline_rate=0.03)
    assert config.design.platform_split_percent == 50
    body = _body(config)
    assert "winnerCriteria" not in body and "winnerDelay" not in body
    assert body_problems("brevo", "POST", "/emailCampaigns", body) == []


def test_three_arm_config_refused_for_brevo(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    assert len(config.arms) == 3
    with pytest.raises(ExportError, match="exactly two subject lines"):
        build_payload(config, "brevo")


def test_preheader_test_refused_for_brevo(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", max_variants=2, variables=["preheader"])
    with pytest.raises(ExportError, match="compares subject lines only"):
        build_payload(config, "brevo")


def test_plan_for_brevo_refuses_preheader_variable(tidewater_kb: Path) -> None:
    with pytest.raises(PlanError, match="brevo cannot test preheader"):
        planned_config(tidewater_kb, "brevo", variables=["preheader"])


def test_equal_subjects_refused(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "brevo")
    data = config.model_dump(mode="json")
    data["arms"][1]["subject"] = data["arms"][0]["subject"].upper()
    data["arms"][1]["preheader"] = data["arms"][0]["preheader"]
    with pytest.raises(ExportError, match="subjectA and subjectB to differ"):
        build_payload(ABConfig.model_validate(data), "brevo")


def test_missing_sender_email_refused(tidewater_kb: Path) -> None:
    data = planned_config(tidewater_kb, "brevo").model_dump(mode="json")
    data["sender"]["email"] = None
    with pytest.raises(ExportError, match="sender.email"):
        build_payload(ABConfig.model_validate(data), "brevo")


def test_mailchimp_plan_retargeted_to_brevo(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", max_variants=2)
    body = _body(config)
    # Mailchimp's test_size is for all arms, Brevo's splitRule per arm: the split is re-sized
    assert body["splitRule"] == pytest.approx(config.design.platform_split_percent / 2, abs=1)
    assert body_problems("brevo", "POST", "/emailCampaigns", body) == []


def test_merge_tags_rendered_in_brevo_syntax(tidewater_kb: Path) -> None:
    vs = sample_variants()
    vs[0] = variant("{{FNAME|friend}}, 15% off every bag", "Use HARVEST15.", 90)
    body = _body(
        planned_config(tidewater_kb, "brevo", variants=vs, brief=make_brief(platform="brevo"))
    )
    assert body["subjectA"] == "{{ contact.FIRSTNAME | default:'friend' }}, 15% off every bag"


def test_push_creates_one_campaign(tidewater_kb: Path, fake_brevo, brevo_client) -> None:
    payload = build_payload(planned_config(tidewater_kb, "brevo"), "brevo")
    exporter = registry.get("brevo")
    first = exporter.push(payload, brevo_client, FAST)
    assert first.created is True
    stored = fake_brevo.campaigns[int(first.campaign_id)]
    assert stored["subjectA"] == payload.requests[0].body["subjectA"]
    again = exporter.push(payload, brevo_client, FAST)
    assert again.created is False and again.campaign_id == first.campaign_id
    assert len(fake_brevo.campaigns) == 1
    assert fake_brevo.violations() == []


def test_fake_server_rejects_out_of_range_split(fake_brevo, brevo_client) -> None:
    response = brevo_client.post(
        "/emailCampaigns",
        json={"name": "x", "sender": {"email": "a@b.example"}, "abTesting": True, "splitRule": 51},
    )
    assert response.status_code == 400
    assert "splitRule" in response.json()["message"]
    assert fake_brevo.campaigns == {}


def test_exporter_refuses_config_sized_for_another_platform(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", max_variants=2)
    with pytest.raises(ExportError, match="sized for mailchimp"):
        registry.get("brevo").build(config)
