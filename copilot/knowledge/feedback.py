"""Feed results back: append each arm to the brand's past_campaigns.csv, then re-ingest it."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from copilot.errors import KnowledgeBaseError
from copilot.io.abconfig import ABConfig
from copilot.io.results import ABResult
from copilot.knowledge.brand import (
    CAMPAIGN_COLUMNS,
    CAMPAIGNS_FILE,
    parse_campaigns,
    write_atomically,
)

_BOM = "\ufeff"


class AppendReport(BaseModel):
    """What the append did."""

    path: Path
    added: int
    skipped: int
    rows: list[dict[str, str]]


def outcome_rows(
    result: ABResult,
    goal: str,
    segment: str,
    platform: str,
    ab_test_id: str,
    sent_at: str | None = None,
) -> list[dict[str, str]]:
    """One past_campaigns.csv row per arm (winners and losers alike; the numbers tell which)."""
    day = (sent_at or result.sent_at or date.today().isoformat())[:10]
    rows = []
    for arm in result.arms:
        if arm.recipients < 1:
            continue
        rows.append(
            {
                # one id per arm: arms of a preheader or body test share their subject line
                "campaign_id": f"{result.campaign_id}-{arm.label}",
                "ab_test_id": ab_test_id,
                "sent_at": day,
                "goal": goal,
                "segment": segment,
                "subject": arm.subject,
                "preheader": arm.preheader,
                "body": "",
                "recipients": str(arm.recipients),
                "opens": str(arm.opens),
                "clicks": str(arm.clicks),
                "conversions": "",
                "revenue": "",
                "platform": platform,
            }
        )
    return rows


def append_outcomes(folder: Path, rows: list[dict[str, str]]) -> AppendReport:
    """Append rows not already present (same campaign_id and subject), atomically and validated."""
    path = folder / CAMPAIGNS_FILE
    raw = path.read_text(encoding="utf-8") if path.is_file() else ""
    bom = raw.startswith(_BOM)
    text = raw[1:] if bom else raw
    if not text.strip():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(CAMPAIGN_COLUMNS)
        text = buf.getvalue()
    existing = parse_campaigns(text, source=str(path))
    keys = {c.key for c in existing}
    header = next(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in header]
    fresh = [r for r in rows if f"{r['campaign_id']}|{r['subject']}" not in keys]
    # de-duplicate within the batch too
    seen: set[str] = set()
    unique = []
    for r in fresh:
        key = f"{r['campaign_id']}|{r['subject']}"
        if key not in seen:
            seen.add(key)
            unique.append(r)
    report = AppendReport(
        path=path, added=len(unique), skipped=len(rows) - len(unique), rows=unique
    )
    if not unique:
        return report
    newline = "\r\n" if "\r\n" in text else "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=header, extrasaction="ignore", restval="", lineterminator=newline
    )
    for r in unique:
        writer.writerow(r)
    combined = text if text.endswith(("\n", "\r")) else text + newline
    combined += buf.getvalue()
    # validate the whole file before it replaces the old one: nothing is ever half-written
    try:
        parse_campaigns(combined, source=f"{path} (after appending results)")
    except KnowledgeBaseError as exc:
        raise KnowledgeBaseError(f"results not appended, the file is unchanged: {exc}") from None
    write_atomically(path, (_BOM if bom else "") + combined)
    return report


def ab_test_id_for(result: ABResult, config: ABConfig | None) -> str:
    """The id that groups the arms of one test in the KB."""
    return config.test_id if config is not None else f"{result.source}-{result.campaign_id}"
