"""Brevo: one email campaign with its built-in subject-line A/B test (POST /emailCampaigns)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from copilot.io.abconfig import ABConfig, Platform
from copilot.platforms.base import ExportPayload, PlannedRequest, PushResult, checked
from copilot.platforms.errors import ExportError, PushError
from copilot.platforms.html import render_body
from copilot.platforms.http import RetryPolicy, VendorAPI
from copilot.platforms.limits import platform_limits
from copilot.platforms.tags import find_tags, render_tags

NAME: Platform = "brevo"
CREATE_PATH = "/emailCampaigns"


def client(
    api_key: SecretStr, base_url: str = "https://api.brevo.com/v3", timeout_s: float = 30.0
) -> httpx.Client:
    """An httpx client for Brevo API v3 (key in the `api-key` header)."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers={"api-key": api_key.get_secret_value().strip(), "accept": "application/json"},
        timeout=httpx.Timeout(timeout_s),
    )


def _enforce_rules(config: ABConfig) -> None:
    """Brevo's A/B rules that its schema leaves to prose."""
    if config.platform != NAME:
        # split percentages mean different things per platform; re-size with retarget()
        raise ExportError(
            f"this config was sized for {config.platform}; export it with "
            f"`copilot export --platform {NAME}`, which re-sizes the test first"
        )
    limits = platform_limits(NAME)
    if config.variables != ["subject"]:
        raise ExportError(
            f"Brevo's A/B test compares subject lines only; this config varies "
            f"{', '.join(config.variables)} (plan again with --variable subject, or export to "
            "Mailchimp)"
        )
    if len(config.arms) != 2:
        raise ExportError(
            f"Brevo tests exactly two subject lines (A and B); the config has {len(config.arms)} "
            "arms (plan again with --max-variants 2)"
        )
    a, b = (render_tags(arm.subject, NAME) for arm in config.arms)
    if a.strip().casefold() == b.strip().casefold():
        raise ExportError(
            f"Brevo needs subjectA and subjectB to differ; both arms have the subject {a!r}"
        )
    d = config.design
    rng = limits.split_percent_per_arm
    assert rng is not None
    if d.platform_split_percent is None or not rng.min <= d.platform_split_percent <= (
        rng.max or 50
    ):
        raise ExportError(
            f"design.platform_split_percent is {d.platform_split_percent}: Brevo's splitRule (the "
            f"share of the list in EACH version) must be {rng.min}-{rng.max} percent"
        )
    if limits.wait_hours.max is not None and not 1 <= d.wait_hours <= limits.wait_hours.max:
        raise ExportError(
            f"design.wait_hours is {d.wait_hours}: Brevo's winnerDelay must be 1-"
            f"{limits.wait_hours.max} hours"
        )
    if not config.sender.email:
        raise ExportError(
            "config field 'sender.email' is empty: Brevo needs the sender's email (a verified "
            "sender in your Brevo account); plan again with --sender-email or edit the config"
        )


def build(config: ABConfig) -> ExportPayload:
    """POST /emailCampaigns with abTesting, subjectA/subjectB, splitRule and winner settings: a
    spec-valid create-campaign body (raises ExportError/ContractError)."""
    _enforce_rules(config)
    d = config.design
    control, challenger = config.arms
    warnings: list[str] = []
    body: dict[str, Any] = {
        "name": config.title,
        "tag": config.marker,
        "sender": {"name": config.sender.from_name, "email": config.sender.email},
        "htmlContent": render_body(config, control, NAME),
        "abTesting": True,
        "subjectA": render_tags(control.subject, NAME),
        "subjectB": render_tags(challenger.subject, NAME),
        "splitRule": d.platform_split_percent,
    }
    if "{{ unsubscribe }}" not in body["htmlContent"]:
        raise ExportError(
            "the HTML has no unsubscribe link; add {{ unsubscribe }} (or leave "
            "html empty to use the layout, which has one)"
        )
    if d.platform_split_percent != 50:
        # at 50% each, everyone is in the test and Brevo ignores the winner settings
        body["winnerCriteria"] = "click" if d.metric == "clicks" else "open"
        body["winnerDelay"] = d.wait_hours
    else:
        warnings.append("splitRule 50: everyone is in the test, no winner is sent")
    if control.preheader:
        body["previewText"] = render_tags(control.preheader, NAME)
    for field in ("subjectA", "subjectB", "previewText"):
        bare = [
            t.raw
            for t in find_tags(body.get(field, ""), NAME)
            if not t.system and t.fallback is None
        ]
        if bare:
            # Brevo prints nothing for a missing value; a fallback avoids "Hi ,"
            warnings.append(
                f"{field}: {', '.join(bare)} has no fallback; contacts without "
                "the value see it blank (write e.g. {{FNAME|there}} in the copy)"
            )
    if config.sender.reply_to:
        body["replyTo"] = config.sender.reply_to
    if config.audience.brevo_list_ids:
        body["recipients"] = {"listIds": list(config.audience.brevo_list_ids)}
    else:
        warnings.append(
            "no audience: the draft has no list; choose it in Brevo or set "
            "audience.brevo_list_ids in the config"
        )
    request = checked(
        NAME, PlannedRequest(step="create_campaign", method="POST", path=CREATE_PATH, body=body)
    )
    return ExportPayload(
        platform=NAME,
        test_id=config.test_id,
        title=config.title,
        marker=config.marker,
        requests=[request],
        warnings=warnings,
    )


def find_campaign(api: VendorAPI, title: str, marker: str) -> dict[str, Any] | None:
    """Our own draft, found by its name and tag."""
    offset, limit = 0, 100
    while True:
        page = (
            api.call(
                "GET",
                CREATE_PATH,
                params={
                    "status": "draft",
                    "limit": limit,
                    "offset": offset,
                    "sort": "desc",
                    "excludeHtmlContent": "true",
                },
            )
            or {}
        )
        campaigns = page.get("campaigns") or []
        for campaign in campaigns:
            if campaign.get("name") == title or campaign.get("tag") == marker:
                return campaign
        offset += limit
        if not campaigns or offset >= int(page.get("count", 0)):
            return None


def push(
    payload: ExportPayload,
    client: httpx.Client,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> PushResult:
    """Create the campaign once, even when a retry follows a lost response."""
    api = VendorAPI(client, NAME, policy, sleep or time.sleep)
    (create,) = payload.requests
    campaign, created = api.create_once(
        create.path,
        create.body,
        lambda: find_campaign(api, payload.title, payload.marker),
    )
    campaign_id = str((campaign or {}).get("id") or "")
    if not campaign_id:
        raise PushError("brevo POST /emailCampaigns: the response has no campaign id")
    return PushResult(
        platform=NAME,
        campaign_id=campaign_id,
        title=payload.title,
        created=created,
        requests_sent=api.requests_sent,
        steps=[create.step],
        warnings=payload.warnings,
    )
