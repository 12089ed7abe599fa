"""Export entry points for the CLI and UI: build (dry run) and push with keys from settings."""

from __future__ import annotations

import httpx

from copilot.errors import ConfigError
from copilot.io.abconfig import ABConfig, Platform
from copilot.planning.content import missing_body
from copilot.planning.design import retarget
from copilot.platforms.base import ExportPayload, PushResult, create
from copilot.platforms.brevo import export as brevo
from copilot.platforms.errors import ExportError
from copilot.platforms.http import RetryPolicy
from copilot.platforms.mailchimp import export as mailchimp
from copilot.settings import Settings

#: why a test without a body is not pushed, and the way out (CLI and UI say the same)
NO_BODY = (
    "this test has no email body yet (arms {arms}), so it would send little more than the "
    "preheader and the footer; draft a body (Bodies page, or `copilot bodies --out DIR`), "
    "choose it for the test (on the export page, or `copilot plan --body FILE.html`) and plan "
    "again"
)


def build_payload(config: ABConfig, platform: Platform) -> ExportPayload:
    """Spec-valid payloads for `platform`, re-sizing the test if it was planned for another."""
    payload = create(platform).build(retarget(config, platform))
    missing = missing_body(config)
    if missing:
        warning = NO_BODY.format(arms=", ".join(missing))
        payload = payload.model_copy(
            update={"missing_body": missing, "warnings": [warning, *payload.warnings]}
        )
    return payload


def retry_policy(settings: Settings) -> RetryPolicy:
    """The push retry policy from settings."""
    return RetryPolicy(
        max_retries=settings.push_max_retries,
        backoff_s=settings.push_backoff_s,
        max_backoff_s=settings.push_max_backoff_s,
    )


def open_client(platform: Platform, settings: Settings) -> httpx.Client:
    """An authenticated client for the platform; the key comes from the environment only."""
    timeout = settings.push_timeout_s
    if platform == "mailchimp":
        if settings.mailchimp_api_key is None or not settings.mailchimp_api_key.get_secret_value():
            raise ConfigError(
                "MAILCHIMP_API_KEY is not set: export it in the environment (format KEY-dc, "
                "e.g. ...-us21) to push; without --push the payloads are only written"
            )
        return mailchimp.client(settings.mailchimp_api_key, settings.mailchimp_base_url, timeout)
    if settings.brevo_api_key is None or not settings.brevo_api_key.get_secret_value():
        raise ConfigError(
            "BREVO_API_KEY is not set: export it in the environment to push; without --push "
            "the payloads are only written"
        )
    return brevo.client(settings.brevo_api_key, settings.brevo_base_url, timeout)


def push_payload(payload: ExportPayload, settings: Settings) -> PushResult:
    """Send a built payload to its platform (creates the campaign at most once); a test
    without a body is refused before anything is sent."""
    with open_client(payload.platform, settings) as client:
        if payload.missing_body:
            raise ExportError(NO_BODY.format(arms=", ".join(payload.missing_body)))
        return create(payload.platform).push(payload, client, retry_policy(settings))
