"""Results from a CSV file, and the pieces every vendor's fetch shares (arm matching, ordering,
validated rows); each vendor folder's results.py reads its own reports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import ValidationError

from copilot.errors import InputFileError
from copilot.io.abconfig import ARM_LABELS, ABConfig, Arm
from copilot.io.results import ABResult, ArmResult
from copilot.platforms.tags import platforms as tag_syntaxes
from copilot.platforms.tags import render_tags

CSV_COLUMNS = ("variant", "recipients", "opens", "clicks")


def match_arm(name: str, config: ABConfig | None, syntax: str | None) -> Arm | None:
    """The config arm a result row or report belongs to: by label, then by subject (as written,
    or rendered in `syntax`, the merge-tag syntax the report shows)."""
    if config is None:
        return None
    wanted = name.strip().casefold()
    for arm in config.arms:
        if arm.label.casefold() == wanted:
            return arm
    for arm in config.arms:
        forms = {arm.subject}
        if syntax in tag_syntaxes():
            forms.add(render_tags(arm.subject, syntax))
        if wanted in {f.strip().casefold() for f in forms}:
            return arm
    return None


def ordered(arms: list[ArmResult], config: ABConfig | None) -> list[ArmResult]:
    """Control first, in the config's arm order when there is one."""
    if config is None:
        return arms
    order = {a.label: i for i, a in enumerate(config.arms)}
    return sorted(arms, key=lambda a: order.get(a.label, len(order)))


def arm_result(
    label: str, subject: str, preheader: str, recipients: int, opens: int, clicks: int, where: str
) -> ArmResult:
    """One arm's numbers, validated; a bad number names `where` it came from."""
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
        arm = match_arm(name, config, config.platform if config else None)
        if config is not None and arm is None:
            known = ", ".join(f"{a.label} ({a.subject!r})" for a in config.arms)
            raise InputFileError(
                f"{path} line {line}: variant {name!r} is not an arm of the config; use a label "
                f"or subject of: {known}"
            )
        label = arm.label if arm else (name if len(name) <= 2 else ARM_LABELS[len(arms)])
        arms.append(
            arm_result(
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
        arms=ordered(arms, config),
    )
