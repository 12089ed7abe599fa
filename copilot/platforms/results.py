"""Where results come from: a CSV file, Mailchimp's variate reports, or Brevo's A/B statistics."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copilot.errors import InputFileError
from copilot.io.abconfig import ARM_LABELS, ABConfig, Arm
from copilot.io.results import ABResult, ArmResult
from copilot.platforms.errors import PushError
from copilot.platforms.http import VendorAPI
from copilot.platforms.tags import render_tags

CSV_COLUMNS = ("variant", "recipients", "opens", "clicks")


def _match_arm(name: str, config: ABConfig | None, platform: str | None) -> Arm | None:
    """The config arm a result row or report belongs to: by label, then by subject."""
    if config is None:
        return None
    wanted = name.strip().casefold()
    for arm in config.arms:
        if arm.label.casefold() == wanted:
            return arm
    for arm in config.arms:
        forms = {arm.subject}
        if platform in ("mailchimp", "brevo"):
            forms.add(render_tags(arm.subject, platform))
        if wanted in {f.strip().casefold() for f in forms}:
            return arm
    return None


def _ordered(arms: list[ArmResult], config: ABConfig | None) -> list[ArmResult]:
    """Control first, in the config's arm order when there is one."""
    if config is None:
        return arms
    order = {a.label: i for i, a in enumerate(config.arms)}
    return sorted(arms, key=lambda a: order.get(a.label, len(order)))


def _arm_result(
    label: str, subject: str, preheader: str, recipients: int, opens: int, clicks: int, where: str
) -> ArmResult:
    try:
        return ArmResult(
            label=label,
            subject=subject,
            preheader=preheader,
            recipients=recipients,
            opens=opens,
            clicks=clicks,
        )
    except ValidationError as exc:
        raise InputFileError(f"{where}: {exc.errors()[0]['msg']}") from None


def read_results_csv(
    path: Path, config: ABConfig | None = None, campaign_id: str | None = None
) -> ABResult:
    """Per-variant results from a CSV with columns variant,recipients,opens,clicks."""
    if not path.is_file():
        raise InputFileError(f"results file not found: {path}")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InputFileError(
            f"{path} line 1: missing column(s) {', '.join(missing)}; the header must be "
            f"{','.join(CSV_COLUMNS)} (variant = arm label like A, or the subject line)"
        )
    reader.fieldnames = header
    arms: list[ArmResult] = []
    for row in reader:
        line = reader.line_num
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        numbers: dict[str, int] = {}
        for field in ("recipients", "opens", "clicks"):
            raw = clean.get(field, "").replace(",", "")
            if not raw.isdigit():
                raise InputFileError(
                    f"{path} line {line}: field '{field}' is {clean.get(field)!r}; give a whole "
                    "number >= 0"
                )
            numbers[field] = int(raw)
        name = clean.get("variant", "")
        if not name:
            raise InputFileError(f"{path} line {line}: field 'variant' is empty")
        arm = _match_arm(name, config, config.platform if config else None)
        if config is not None and arm is None:
            known = ", ".join(f"{a.label} ({a.subject!r})" for a in config.arms)
            raise InputFileError(
                f"{path} line {line}: variant {name!r} is not an arm of the config; use a label "
                f"or subject of: {known}"
            )
        label = arm.label if arm else (name if len(name) <= 2 else ARM_LABELS[len(arms)])
        arms.append(
            _arm_result(
                label,
                arm.subject if arm else name,
                arm.preheader if arm else "",
                where=f"{path} line {line}",
                **numbers,
            )
        )
    if len(arms) < 2:
        raise InputFileError(f"{path}: need at least two variants, found {len(arms)}")
    labels = [a.label for a in arms]
    if len(set(labels)) != len(labels):
        raise InputFileError(f"{path}: a variant appears twice ({labels}); give one row per arm")
    return ABResult(
        source="csv",
        campaign_id=campaign_id or (config.test_id if config else path.stem),
        arms=_ordered(arms, config),
    )


def fetch_mailchimp(api: VendorAPI, campaign_id: str, config: ABConfig | None) -> ABResult:
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
        arm = _match_arm(subject, config, "mailchimp") if by_subject else None
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
            _arm_result(
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
        source="mailchimp",
        campaign_id=campaign_id,
        sent_at=sent_at,
        arms=_ordered(arms, config),
        notes=notes,
    )


def _percent(text: Any, where: str) -> float:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*", str(text or "0"))
    if not m:
        raise PushError(f"brevo: {where} is {text!r}, not a percentage")
    return float(m.group(1)) / 100.0


def fetch_brevo(api: VendorAPI, campaign_id: str, config: ABConfig | None) -> ABResult:
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
        arm = _match_arm(subject, config, "brevo")
        if config is not None and arm is None:
            raise PushError(
                f"brevo: subject{version} {subject!r} matches no arm of the config; is this the "
                "campaign the config was exported as?"
            )
        arms.append(
            _arm_result(
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
        source="brevo",
        campaign_id=str(campaign_id),
        sent_at=sent_at,
        arms=_ordered(arms, config),
        notes=notes,
    )
