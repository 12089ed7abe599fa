"""Brevo results: an A/B campaign's per-version rates and how many were delivered."""

from __future__ import annotations

import re
from typing import Any

from copilot.io.abconfig import ABConfig
from copilot.io.results import ABResult, ArmResult
from copilot.platforms.brevo.export import NAME
from copilot.platforms.errors import PushError
from copilot.platforms.http import VendorAPI
from copilot.platforms.results import arm_result, match_arm, ordered


def _percent(text: Any, where: str) -> float:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*", str(text or "0"))
    if not m:
        raise PushError(f"brevo: {where} is {text!r}, not a percentage")
    return float(m.group(1)) / 100.0


def fetch(api: VendorAPI, campaign_id: str, config: ABConfig | None) -> ABResult:
    """Brevo's A/B result (per-version rates) and campaign statistics (how many were sent)."""
    campaign = (
        api.call("GET", f"/emailCampaigns/{campaign_id}", params={"statistics": "globalStats"})
        or {}
    )
    if not campaign.get("abTesting"):
        raise PushError(f"brevo: campaign {campaign_id} is not an A/B test campaign")
    ab = api.call("GET", f"/emailCampaigns/{campaign_id}/abTestCampaignResult") or {}
    stats = (campaign.get("statistics") or {}).get("globalStats") or {}
    sent = int(stats.get("delivered") or stats.get("sent") or 0)
    split = int(campaign.get("splitRule") or 50)
    winner_state = str(ab.get("winningVersion") or "notAvailable")
    # Brevo gives rates per version, not counts. Before the winner goes out only the two test
    # groups have been sent (half each); afterwards each group is splitRule% of everything sent.
    per_version = (
        sent // 2
        if winner_state in ("pending", "notAvailable") or split >= 50
        else round(sent * split / 100)
    )
    notes = [
        f"Brevo reports per-version rates only: recipients per version estimated as "
        f"{per_version:,} from {sent:,} delivered and splitRule {split}%; use --csv with exact "
        "counts if you have them"
    ]
    statistics = ab.get("statistics") or {}
    arms: list[ArmResult] = []
    for version in ("A", "B"):
        key = f"Version {version}"
        subject = str(campaign.get(f"subject{version}") or "")
        opens = round(
            per_version * _percent((statistics.get("openers") or {}).get(key), f"openers[{key}]")
        )
        clicks = round(
            per_version * _percent((statistics.get("clicks") or {}).get(key), f"clicks[{key}]")
        )
        arm = match_arm(subject, config, NAME)
        if config is not None and arm is None:
            raise PushError(
                f"brevo: subject{version} {subject!r} matches no arm of the config; is this the "
                "campaign the config was exported as?"
            )
        arms.append(
            arm_result(
                arm.label if arm else version,
                arm.subject if arm else subject,
                arm.preheader if arm else "",
                per_version,
                opens,
                clicks,
                where=f"brevo version {version}",
            )
        )
    sent_at = str(campaign.get("sentDate") or campaign.get("scheduledAt") or "") or None
    return ABResult(
        source=NAME,
        campaign_id=str(campaign_id),
        sent_at=sent_at,
        arms=ordered(arms, config),
        notes=notes,
    )
