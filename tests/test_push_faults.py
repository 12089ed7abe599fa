"""Push under injected faults, against local fake Mailchimp and Brevo servers over real HTTP:
bounded retries with backoff, Retry-After honoured, timeouts, dropped responses, and never a
duplicate campaign. Keys never appear in logs, errors, files or output."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.builders import BREVO_KEY, FAST, MAILCHIMP_KEY, planned_config, with_body

from copilot.app.export import build_payload
from copilot.platforms import registry
from copilot.platforms.base import ExportPayload, PushResult
from copilot.platforms.errors import PushError
from copilot.platforms.http import RetryPolicy, VendorAPI, retry_after_seconds

CREATE = {"mailchimp": "/campaigns", "brevo": "/emailCampaigns"}
KEYS = {"mailchimp": MAILCHIMP_KEY, "brevo": BREVO_KEY}


@pytest.fixture(params=["mailchimp", "brevo"])
def vendor(request: pytest.FixtureRequest, tidewater_kb: Path) -> dict[str, Any]:
    """The fake server, a client for it and a built payload, for each platform."""
    platform = request.param
    fake = request.getfixturevalue(f"fake_{platform}")
    client = request.getfixturevalue(f"{platform}_client")
    payload = build_payload(planned_config(tidewater_kb, platform, max_variants=2), platform)
    return {"platform": platform, "fake": fake, "client": client, "payload": payload}


def _push(
    v: dict[str, Any], policy: RetryPolicy = FAST, sleeps: list[float] | None = None
) -> PushResult:
    recorder = sleeps if sleeps is not None else []
    return registry.get(v["platform"]).push(v["payload"], v["client"], policy, recorder.append)


def _campaigns(v: dict[str, Any]) -> dict:
    return v["fake"].campaigns


def _assert_one_campaign(v: dict[str, Any], result: PushResult) -> None:
    assert list(map(str, _campaigns(v))) == [result.campaign_id]
    assert v["fake"].violations() == []
    if v["platform"] == "mailchimp":
        assert v["fake"].contents[result.campaign_id] == v["payload"].requests[1].body


def test_429_retry_after_is_honoured(vendor: dict[str, Any]) -> None:
    vendor["fake"].inject("429", "POST", CREATE[vendor["platform"]], times=2, retry_after="1")
    sleeps: list[float] = []
    result = _push(vendor, sleeps=sleeps)
    assert sleeps[:2] == [1.0, 1.0]  # the server's word, not our backoff (0 s here)
    assert vendor["fake"].count("POST", CREATE[vendor["platform"]]) == 3
    _assert_one_campaign(vendor, result)


def test_retry_after_capped_by_policy(vendor: dict[str, Any]) -> None:
    vendor["fake"].inject("429", "POST", CREATE[vendor["platform"]], retry_after="3600")
    sleeps: list[float] = []
    _push(vendor, RetryPolicy(max_retries=2, backoff_s=0.0, max_backoff_s=2.0), sleeps)
    assert sleeps[0] == 2.0


def test_backoff_is_exponential_and_bounded(vendor: dict[str, Any]) -> None:
    vendor["fake"].inject("503", "POST", CREATE[vendor["platform"]], times=3)
    sleeps: list[float] = []
    result = _push(vendor, RetryPolicy(max_retries=4, backoff_s=0.01, max_backoff_s=0.03), sleeps)
    assert sleeps == [0.01, 0.02, 0.03]
    _assert_one_campaign(vendor, result)


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_error_before_processing_is_retried(vendor: dict[str, Any], kind: str) -> None:
    vendor["fake"].inject(kind, "POST", CREATE[vendor["platform"]], times=2)
    result = _push(vendor)
    assert result.created is True
    _assert_one_campaign(vendor, result)


@pytest.mark.parametrize("kind", ["500_after", "timeout", "drop"])
def test_lost_response_after_create_does_not_duplicate(vendor: dict[str, Any], kind: str) -> None:
    """The server created the campaign but the client never heard: look before retrying."""
    vendor["fake"].inject(kind, "POST", CREATE[vendor["platform"]])
    result = _push(vendor)
    assert vendor["fake"].count("POST", CREATE[vendor["platform"]]) == 1
    assert result.created is False  # found, not created again
    _assert_one_campaign(vendor, result)


def test_faults_on_the_lookup_are_retried(vendor: dict[str, Any]) -> None:
    path = CREATE[vendor["platform"]]
    vendor["fake"].inject("drop", "POST", path)
    vendor["fake"].inject("503", "GET", path, times=2)
    vendor["fake"].inject("timeout", "GET", path, times=1)
    result = _push(vendor)
    _assert_one_campaign(vendor, result)


def test_mailchimp_content_put_survives_faults(
    fake_mailchimp, mailchimp_client, tidewater_kb: Path
) -> None:
    payload = build_payload(planned_config(tidewater_kb, "mailchimp"), "mailchimp")
    fake_mailchimp.inject("drop", "PUT", r"/campaigns/.+/content")
    fake_mailchimp.inject("500", "PUT", r"/campaigns/.+/content")
    fake_mailchimp.inject("timeout", "PUT", r"/campaigns/.+/content")
    result = registry.get("mailchimp").push(payload, mailchimp_client, FAST, lambda s: None)
    assert len(fake_mailchimp.campaigns) == 1
    assert fake_mailchimp.contents[result.campaign_id] == payload.requests[1].body
    assert fake_mailchimp.count("PUT", r"/campaigns/.+/content") == 4


def test_persistent_outage_gives_up_then_rerun_creates_once(vendor: dict[str, Any]) -> None:
    path = CREATE[vendor["platform"]]
    vendor["fake"].inject("500", "POST", path, times=100)
    policy = RetryPolicy(max_retries=2, backoff_s=0.0)
    with pytest.raises(PushError) as info:
        _push(vendor, policy)
    message = str(info.value)
    assert "gave up after 3 attempt(s)" in message and "HTTP 500" in message
    assert "will not create a duplicate" in message
    assert vendor["fake"].count("POST", path) == 3
    assert _campaigns(vendor) == {}
    vendor["fake"].faults.clear()
    first = _push(vendor)
    second = _push(vendor)
    assert first.created and not second.created
    _assert_one_campaign(vendor, first)


def test_timeouts_every_time_end_in_a_clear_error_and_one_campaign(vendor: dict[str, Any]) -> None:
    path = CREATE[vendor["platform"]]
    vendor["fake"].inject("timeout", "POST", path, times=1, delay=1.5)
    vendor["fake"].inject("500_after", "POST", path, times=5)
    result = _push(vendor)  # the first attempt created it: later lookups find it
    assert vendor["fake"].count("POST", path) == 1
    _assert_one_campaign(vendor, result)


def test_wrong_key_fails_fast_without_leaking(vendor: dict[str, Any]) -> None:
    platform = vendor["platform"]
    fake = vendor["fake"]
    wrong = "deadbeef" * 4 + "-us9" if platform == "mailchimp" else "xkeysib-wrong"
    from pydantic import SecretStr

    from copilot.platforms.brevo import export as brevo
    from copilot.platforms.mailchimp import export as mailchimp

    maker = mailchimp.client if platform == "mailchimp" else brevo.client
    with maker(SecretStr(wrong), fake.base_url, timeout_s=0.5) as client:
        with pytest.raises(PushError) as info:
            registry.get(platform).push(vendor["payload"], client, FAST, lambda s: None)
    message = str(info.value)
    assert "HTTP 401" in message
    assert ("MAILCHIMP_API_KEY" if platform == "mailchimp" else "BREVO_API_KEY") in message
    assert wrong not in message
    assert len(fake.seen) == 1  # no retries on an auth error


def test_keys_never_in_logs_errors_or_output(
    vendor: dict[str, Any], caplog, capsys, tmp_path: Path
) -> None:
    key = KEYS[vendor["platform"]]
    path = CREATE[vendor["platform"]]
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log requests at DEBUG
    vendor["fake"].inject("drop", "POST", path)
    vendor["fake"].inject("429", "GET", path, retry_after="0")
    result = _push(vendor)
    vendor["fake"].inject("500", "POST", path, times=100)
    vendor["fake"].campaigns.clear()
    with pytest.raises(PushError) as info:
        _push(vendor, RetryPolicy(max_retries=1, backoff_s=0.0))
    files = vendor["payload"].write(tmp_path / "out")
    out = capsys.readouterr()
    everything = "\n".join(
        [
            caplog.text,
            str(info.value),
            out.out,
            out.err,
            result.model_dump_json(),
            vendor["payload"].model_dump_json(),
            *(p.read_text() for p in files),
        ]
    )
    assert "HTTP Request" in caplog.text or "POST" in caplog.text  # logs were captured
    assert key not in everything
    assert key.split("-")[0] not in everything


def test_vendor_echoing_the_key_is_redacted() -> None:
    key = "0123456789abcdef" * 2 + "-us21"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"title": "Invalid Resource", "detail": f"key {key} is not allowed here"}
        )

    client = httpx.Client(
        transport=httpx.MockTransport(handler),
        base_url="https://x.test",
        auth=httpx.BasicAuth("copilot", key),
    )
    api = VendorAPI(client, "mailchimp", FAST, lambda s: None)
    with pytest.raises(PushError) as info:
        api.call("GET", "/campaigns")
    assert key not in str(info.value)
    assert "***" in str(info.value)


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert (
        retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now)
        == 30.0
    )
    assert (
        retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now)
        == 0.0
    )
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_cli_push_uses_env_keys_and_prints_no_secret(
    tidewater_kb: Path, fake_mailchimp, tmp_path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.io.abconfig import save_config
    from copilot.settings import get_settings

    config = with_body(planned_config(tidewater_kb, "mailchimp"))  # a test without one is refused
    config_path = save_config(config, tmp_path / "ab.json")
    monkeypatch.setenv("MAILCHIMP_API_KEY", MAILCHIMP_KEY)
    monkeypatch.setenv("COPILOT_MAILCHIMP_BASE_URL", fake_mailchimp.base_url)
    monkeypatch.setenv("COPILOT_PUSH_BACKOFF_S", "0")
    monkeypatch.setenv("COPILOT_PUSH_TIMEOUT_S", "0.5")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        fake_mailchimp.inject("drop", "POST", "/campaigns")
        runner = CliRunner()
        args = ["export", "--platform", "mailchimp", "--config", str(config_path), "--push"]
        first = runner.invoke(app, args)
        second = runner.invoke(app, args)
    finally:
        get_settings.cache_clear()
        assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "already there (not created again)" in first.output + second.output
    assert len(fake_mailchimp.campaigns) == 1
    assert MAILCHIMP_KEY not in first.output + second.output
    assert not (tmp_path / "export").exists()  # --push without --out writes no files


def test_cli_push_without_key_explains(tidewater_kb: Path, tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.errors import ConfigError
    from copilot.io.abconfig import save_config
    from copilot.settings import get_settings

    config_path = save_config(planned_config(tidewater_kb, "brevo"), tmp_path / "ab.json")
    monkeypatch.delenv("BREVO_API_KEY", raising=False)
    monkeypatch.delenv("COPILOT_BREVO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["export", "--platform", "brevo", "--config", str(config_path), "--push"]
        )
    finally:
        get_settings.cache_clear()
    assert isinstance(result.exception, ConfigError)
    assert "BREVO_API_KEY is not set" in str(result.exception)


def test_payload_type_roundtrips(vendor: dict[str, Any]) -> None:
    payload: ExportPayload = vendor["payload"]
    assert ExportPayload.model_validate_json(payload.model_dump_json()) == payload
