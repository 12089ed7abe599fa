"""Mailchimp export: a 3-subject variate campaign, valid against the vendored OpenAPI spec,
with Mailchimp's prose-only rules enforced in our code, pushed to a local fake server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes.builders import FAST, planned_config, sample_variants, variant
from pydantic import SecretStr

from copilot.app.export import build_payload
from copilot.io.abconfig import ABConfig
from copilot.platforms import registry
from copilot.platforms.contract import body_problems
from copilot.platforms.errors import ContractError, ExportError
from copilot.platforms.mailchimp.export import data_center


def _bodies(config: ABConfig) -> tuple[dict, dict]:
    payload = build_payload(config, "mailchimp")
    assert [r.step for r in payload.requests] == ["create_campaign", "set_content"]
    return payload.requests[0].body, payload.requests[1].body


def test_three_subject_test_is_spec_valid(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    create_body, content_body = _bodies(config)
    # independent re-check against the spec, on top of the exporter's own
    assert body_problems("mailchimp", "POST", "/campaigns", create_body) == []
    assert body_problems("mailchimp", "PUT", "/campaigns/{campaign_id}/content", content_body) == []
    assert create_body["type"] == "variate"
    vs = create_body["variate_settings"]
    assert len(vs["subject_lines"]) == 3
    assert len(set(vs["subject_lines"])) == 3
    assert vs["winner_criteria"] == "clicks"
    assert vs["wait_time"] % 60 == 0 and vs["wait_time"] >= 240
    assert 10 <= vs["test_size"] <= 100
    assert vs["test_size"] == config.design.platform_split_percent
    assert create_body["settings"]["title"].endswith(f"[{config.marker}]")


def test_subject_test_keeps_one_preheader_and_one_content(tidewater_kb: Path) -> None:
    create_body, content_body = _bodies(planned_config(tidewater_kb, "mailchimp"))
    # one variable at a time: the preheader is a campaign setting, the content is shared
    assert create_body["settings"]["preview_text"] == "Use HARVEST15 through Sunday."
    assert len(content_body["variate_contents"]) == 1


def test_layout_html_has_unsubscribe_address_and_escaped_copy(tidewater_kb: Path) -> None:
    vs = sample_variants()
    vs[0] = variant("Harvest Sale: 15% off every bag", "Beans & <b>more</b>", 82)
    _, content = _bodies(planned_config(tidewater_kb, "mailchimp", variants=vs))
    html = content["variate_contents"][0]["html"]
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert 'href="*|UNSUB|*"' in html
    assert "9 Quay Road, Saltmarsh, ME 04001, USA" in html
    assert "Beans &amp; &lt;b&gt;more&lt;/b&gt;" in html  # autoescaped
    assert "<b>more</b>" not in html
    assert 'href="https://tidewater.example/sale"' in html


def test_merge_tags_rendered_in_mailchimp_syntax(tidewater_kb: Path) -> None:
    vs = sample_variants()
    vs[0] = variant("{{FNAME|Friend}}, 15% off every bag", "Use HARVEST15.", 90)
    create_body, _ = _bodies(planned_config(tidewater_kb, "mailchimp", variants=vs))
    first = create_body["variate_settings"]["subject_lines"][0]
    assert first == "*|IF:FNAME|**|FNAME|**|ELSE:|*Friend*|END:IF|*, 15% off every bag"


def test_four_subjects_are_refused_by_our_rules(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    extra = config.arms[0].model_copy(update={"label": "D", "subject": "A fourth subject line"})
    data = config.model_dump(mode="json")
    data["arms"].append(extra.model_dump(mode="json"))
    bigger = ABConfig.model_validate(data)
    with pytest.raises(ExportError, match="at most 3 options of subject"):
        build_payload(bigger, "mailchimp")


def test_test_size_outside_range_is_refused(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    data = config.model_dump(mode="json")
    data["design"]["platform_split_percent"] = 5
    with pytest.raises(ExportError, match="test_size must be a whole percentage from 10 to 100"):
        build_payload(ABConfig.model_validate(data), "mailchimp")


def test_contract_catches_a_body_the_spec_forbids() -> None:
    body = {"type": "variate", "variate_settings": {"winner_criteria": "ctr", "test_size": "20"}}
    problems = body_problems("mailchimp", "POST", "/campaigns", body)
    assert any("winner_criteria" in p and "'ctr' is not one of" in p for p in problems)
    assert any("test_size" in p and "not of type 'integer'" in p for p in problems)
    from copilot.platforms.contract import validate_body

    with pytest.raises(ContractError, match="winner_criteria"):
        validate_body("mailchimp", "POST", "/campaigns", body)


def test_missing_postal_address_is_a_clear_error(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    data = config.model_dump(mode="json")
    data["sender"]["postal_address"] = None
    with pytest.raises(ExportError, match="sender.postal_address"):
        build_payload(ABConfig.model_validate(data), "mailchimp")


def test_data_center_from_key_and_bad_key_message_hides_key() -> None:
    assert data_center(SecretStr("0123456789abcdef" * 2 + "-us21")) == "us21"
    secret = "not-a-mailchimp-key-zzz"
    with pytest.raises(ExportError) as info:
        data_center(SecretStr(secret))
    assert secret not in str(info.value)


def test_push_creates_campaign_and_content_once(
    tidewater_kb: Path, fake_mailchimp, mailchimp_client
) -> None:
    payload = build_payload(planned_config(tidewater_kb, "mailchimp"), "mailchimp")
    exporter = registry.get("mailchimp")
    first = exporter.push(payload, mailchimp_client, FAST)
    assert first.created is True
    assert list(fake_mailchimp.campaigns) == [first.campaign_id]
    stored = fake_mailchimp.campaigns[first.campaign_id]
    assert (
        stored["variate_settings"]["subject_lines"]
        == payload.requests[0].body["variate_settings"]["subject_lines"]
    )
    assert fake_mailchimp.contents[first.campaign_id] == payload.requests[1].body
    # a second run (e.g. the user pressed enter twice) finds the draft instead of duplicating
    again = exporter.push(payload, mailchimp_client, FAST)
    assert again.created is False
    assert again.campaign_id == first.campaign_id
    assert len(fake_mailchimp.campaigns) == 1
    assert fake_mailchimp.violations() == []


def test_fake_server_rejects_requests_that_break_the_spec(fake_mailchimp, mailchimp_client) -> None:
    response = mailchimp_client.post(
        "/campaigns", json={"type": "variate", "variate_settings": {"wait_time": "4h"}}
    )
    assert response.status_code == 400
    assert "winner_criteria" in response.json()["detail"]
    assert fake_mailchimp.campaigns == {}
    assert len(fake_mailchimp.violations()) == 1


def test_cli_dry_run_writes_valid_payloads(tidewater_kb: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.io.abconfig import save_config

    config_path = save_config(planned_config(tidewater_kb, "mailchimp"), tmp_path / "ab.json")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "export",
            "--platform",
            "mailchimp",
            "--config",
            str(config_path),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["push"] is None
    manifest = json.loads((out / "mailchimp-manifest.json").read_text())
    assert [r["path"] for r in manifest["requests"]] == [
        "/campaigns",
        "/campaigns/{campaign_id}/content",
    ]
    for req in manifest["requests"]:
        body = json.loads((out / req["body_file"]).read_text())
        assert body_problems("mailchimp", req["method"], req["path"], body) == []
    assert re.search(r"copilot-ab-[0-9a-f]{12}", manifest["title"])
