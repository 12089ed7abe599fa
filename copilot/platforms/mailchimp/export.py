"""Mailchimp: a variate (A/B or multivariate) campaign, then its content, via the Marketing API 3.0."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from copilot.io.abconfig import ABConfig, Arm, Platform, Variable
from copilot.platforms.base import ExportPayload, PlannedRequest, PushResult, checked
from copilot.platforms.errors import ExportError, PushError
from copilot.platforms.html import render_body
from copilot.platforms.http import RetryPolicy, VendorAPI
from copilot.platforms.limits import platform_limits
from copilot.platforms.tags import render_tags

NAME: Platform = "mailchimp"
CREATE_PATH = "/campaigns"
CONTENT_PATH = "/campaigns/{campaign_id}/content"
_DC = re.compile(r"^[0-9a-f]{8,}-(?P<dc>[a-z]{2,4}[0-9]{1,3})$", re.I)


def data_center(api_key: SecretStr) -> str:
    """The data centre suffix of a Mailchimp key (KEY-us21 -> us21); never echoes the key."""
    m = _DC.match(api_key.get_secret_value().strip())
    if not m:
        raise ExportError(
            "MAILCHIMP_API_KEY does not look like a Mailchimp key: it should end in the data "
            "centre, like '...-us21' (copy it again from Account > Extras > API keys)"
        )
    return m.group("dc")


def client(
    api_key: SecretStr, base_url: str | None = None, timeout_s: float = 30.0
) -> httpx.Client:
    """An httpx client for the Marketing API (HTTP basic auth, any user name, key as password)."""
    url = base_url or f"https://{data_center(api_key)}.api.mailchimp.com/3.0"
    token = base64.b64encode(f"copilot:{api_key.get_secret_value().strip()}".encode()).decode()
    return httpx.Client(
        base_url=url.rstrip("/"),
        headers={"authorization": f"Basic {token}", "accept": "application/json"},
        timeout=httpx.Timeout(timeout_s),
    )


def _enforce_rules(config: ABConfig) -> dict[Variable, list[str]]:
    """Rules from Mailchimp's prose that its schema does not encode; returns factor levels."""
    if config.platform != NAME:
        # split percentages mean different things per platform; re-size with retarget()
        raise ExportError(
            f"this config was sized for {config.platform}; export it with "
            f"`copilot export --platform {NAME}`, which re-sizes the test first"
        )
    limits = platform_limits(NAME)
    levels = config.levels()
    for variable, values in levels.items():
        if len(values) > limits.max_options_per_variable:
            raise ExportError(
                f"Mailchimp tests at most {limits.max_options_per_variable} options of "
                f"{variable}; the config has {len(values)} (drop arms or plan again)"
            )
    combos = 1
    for values in levels.values():
        combos *= len(values)
    if combos > limits.max_combinations:
        raise ExportError(
            f"Mailchimp allows at most {limits.max_combinations} combinations; the config makes "
            f"{combos}"
        )
    if "from_name" in config.variables:
        missing = [a.label for a in config.arms if not a.reply_to]
        if missing:
            raise ExportError(
                f"arms {', '.join(missing)}: a from_name test needs a reply_to address per arm "
                "(Mailchimp pairs from_names with reply_to_addresses)"
            )
    d = config.design
    if d.platform_split_percent is None or not 10 <= d.platform_split_percent <= 100:
        raise ExportError(
            f"design.platform_split_percent is {d.platform_split_percent}: Mailchimp's test_size "
            "must be a whole percentage from 10 to 100"
        )
    if d.wait_hours < 1:
        raise ExportError("design.wait_hours must be at least 1 (Mailchimp: whole hours > 0)")
    return levels


def _variant_arms(config: ABConfig, variable: Variable) -> list[Arm]:
    """One representative arm per option of `variable`, in option order."""
    seen: dict[str, Arm] = {}
    for arm in config.arms:
        seen.setdefault(arm.value(variable), arm)
    return list(seen.values())


def _content_arms(config: ABConfig) -> list[Arm]:
    """Arms that need their own HTML: one per combination of preheader and body options."""
    copy_vars = [v for v in config.variables if v in ("preheader", "body")]
    if not copy_vars:
        return [config.control]
    seen: dict[tuple[str, ...], Arm] = {}
    for arm in config.arms:
        seen.setdefault(tuple(arm.value(v) for v in copy_vars), arm)
    return list(seen.values())


def build(config: ABConfig) -> ExportPayload:
    """POST /campaigns (type variate) + PUT /campaigns/{campaign_id}/content: spec-valid
    request bodies for the config (raises ExportError/ContractError)."""
    _enforce_rules(config)
    control = config.control
    warnings: list[str] = []
    d = config.design
    tags = lambda text: render_tags(text, NAME)  # noqa: E731 - local shorthand
    variate: dict[str, Any] = {
        "winner_criteria": "clicks" if d.metric == "clicks" else "opens",
        "wait_time": d.wait_hours * 60,
        "test_size": d.platform_split_percent,
    }
    if "subject" in config.variables:
        variate["subject_lines"] = [tags(a.subject) for a in _variant_arms(config, "subject")]
    if "from_name" in config.variables:
        fa = _variant_arms(config, "from_name")
        variate["from_names"] = [a.from_name or config.sender.from_name for a in fa]
        variate["reply_to_addresses"] = [a.reply_to or "" for a in fa]
    if "send_time" in config.variables:
        # Mailchimp 3.0.81 documents "YYYY-MM-DD HH:MM:SS"; the spec marks it date-time.
        variate["send_times"] = [
            a.send_time.isoformat() for a in _variant_arms(config, "send_time") if a.send_time
        ]
        variate["test_size"] = 100
        warnings.append("send_time test: Mailchimp sends to everyone and ignores the winner metric")
    settings: dict[str, Any] = {
        "title": config.title,
        "subject_line": tags(control.subject),
        "from_name": control.from_name or config.sender.from_name,
    }
    if "preheader" not in config.variables and control.preheader:
        settings["preview_text"] = tags(control.preheader)
    reply_to = control.reply_to or config.sender.reply_to or config.sender.email
    if reply_to:
        settings["reply_to"] = reply_to
    else:
        warnings.append(
            "no reply-to address: Mailchimp needs settings.reply_to before the "
            "campaign can be sent (set sender.reply_to in the config)"
        )
    body: dict[str, Any] = {
        "type": "variate",
        "settings": settings,
        "variate_settings": variate,
    }
    if config.audience.mailchimp_list_id:
        recipients: dict[str, Any] = {"list_id": config.audience.mailchimp_list_id}
        if config.audience.mailchimp_segment_id is not None:
            recipients["segment_opts"] = {"saved_segment_id": config.audience.mailchimp_segment_id}
        body["recipients"] = recipients
    else:
        warnings.append(
            "no audience: the draft has no list; choose it in Mailchimp or set "
            "audience.mailchimp_list_id in the config"
        )
    contents = []
    for arm in _content_arms(config):
        item: dict[str, Any] = {
            "content_label": f"{arm.label}",
            "html": render_body(config, arm, NAME),
        }
        if arm.plain_text:
            item["plain_text"] = tags(arm.plain_text)
        if "*|UNSUB|*" not in item["html"]:
            raise ExportError(
                f"arm {arm.label}: its HTML has no unsubscribe link; add *|UNSUB|* "
                "(or leave html empty to use the layout, which has one)"
            )
        contents.append(item)
    requests = [
        checked(
            NAME,
            PlannedRequest(step="create_campaign", method="POST", path=CREATE_PATH, body=body),
        ),
        checked(
            NAME,
            PlannedRequest(
                step="set_content",
                method="PUT",
                path=CONTENT_PATH,
                body={"variate_contents": contents},
            ),
        ),
    ]
    return ExportPayload(
        platform=NAME,
        test_id=config.test_id,
        title=config.title,
        marker=config.marker,
        requests=requests,
        warnings=warnings,
    )


def find_campaign(api: VendorAPI, title: str) -> dict[str, Any] | None:
    """Our own draft, found by its title (which ends in the config's marker)."""
    offset, count = 0, 1000
    while True:
        page = (
            api.call(
                "GET",
                CREATE_PATH,
                params={
                    "type": "variate",
                    "status": "save",
                    "count": count,
                    "offset": offset,
                    "sort_field": "create_time",
                    "sort_dir": "DESC",
                },
            )
            or {}
        )
        for campaign in page.get("campaigns", []):
            if (campaign.get("settings") or {}).get("title") == title:
                return campaign
        offset += count
        if offset >= int(page.get("total_items", 0)):
            return None


def push(
    payload: ExportPayload,
    client: httpx.Client,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> PushResult:
    """Create the campaign once (even across retries and reruns), then set its content."""
    api = VendorAPI(client, NAME, policy, sleep or time.sleep)
    create, content = payload.requests
    campaign, created = api.create_once(
        create.path, create.body, lambda: find_campaign(api, payload.title)
    )
    campaign_id = str((campaign or {}).get("id") or "")
    if not campaign_id:
        raise PushError("mailchimp POST /campaigns: the response has no campaign id")
    api.call("PUT", content.path.format(campaign_id=campaign_id), json=content.body)
    return PushResult(
        platform=NAME,
        campaign_id=campaign_id,
        title=payload.title,
        created=created,
        requests_sent=api.requests_sent,
        steps=[r.step for r in payload.requests],
        warnings=payload.warnings,
    )
