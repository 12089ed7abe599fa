"""Mailchimp results: a variate campaign's combinations and their sub-reports."""

from __future__ import annotations

from typing import Any

from copilot.io.abconfig import ARM_LABELS, ABConfig
from copilot.io.results import ABResult, ArmResult
from copilot.platforms.errors import PushError
from copilot.platforms.http import VendorAPI
from copilot.platforms.mailchimp.export import NAME
from copilot.platforms.results import arm_result, match_arm, ordered


def fetch(api: VendorAPI, campaign_id: str, config: ABConfig | None) -> ABResult:
    """A variate campaign's combinations and their sub-reports (unique opens and clicks)."""
    campaign = api.call("GET", f"/campaigns/{campaign_id}") or {}
    variate = campaign.get("variate_settings") or {}
    subjects: list[str] = list(variate.get("subject_lines") or [])
    combos: list[dict[str, Any]] = list(variate.get("combinations") or [])
    reports = (api.call("GET", f"/reports/{campaign_id}/sub-reports") or {}).get("reports") or []
    if not reports:
        raise PushError(
            f"mailchimp: campaign {campaign_id} has no per-combination reports yet (is the test "
            "finished?); or export the numbers and use --csv"
        )
    by_subject = len({r.get("subject_line") for r in reports}) == len(reports)
    arms: list[ArmResult] = []
    notes: list[str] = []
    for i, report in enumerate(reports):
        subject = str(report.get("subject_line") or "")
        arm = match_arm(subject, config, NAME) if by_subject else None
        if arm is None and config is not None and not by_subject and i < len(config.arms):
            arm = config.arms[i]  # same subject everywhere: combinations come in arm order
        if config is not None and arm is None:
            raise PushError(
                f"mailchimp: sub-report subject {subject!r} matches no arm of the config; is "
                "this the campaign the config was exported as?"
            )
        recipients = int(report.get("emails_sent") or 0)
        if not recipients and i < len(combos):
            recipients = int(combos[i].get("recipients") or 0)
        opens = int((report.get("opens") or {}).get("unique_opens") or 0)
        clicks = int((report.get("clicks") or {}).get("unique_subscriber_clicks") or 0)
        label = arm.label if arm else ARM_LABELS[i]
        arms.append(
            arm_result(
                label,
                arm.subject if arm else subject,
                arm.preheader if arm else "",
                recipients,
                opens,
                clicks,
                where=f"mailchimp report {report.get('id', i)}",
            )
        )
    if (
        subjects
        and len(subjects) != len(arms)
        and "subject" in (config.variables if config else ["subject"])
    ):
        notes.append(f"{len(subjects)} subject lines but {len(arms)} reports")
    sent_at = str(campaign.get("send_time") or "") or None
    return ABResult(
        source=NAME,
        campaign_id=campaign_id,
        sent_at=sent_at,
        arms=ordered(arms, config),
        notes=notes,
    )
