"""Split a brand's files into retrievable chunks with stable ids."""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel, Field

from copilot.knowledge.brand import PastCampaign

MAX_CHARS = 700


class Chunk(BaseModel):
    id: str
    text: str
    metadata: dict[str, str | int | float | bool] = Field(default_factory=dict)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split on blank lines / bullets so no chunk exceeds `limit` characters (when possible)."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in re.split(r"\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        if current and len(current) + len(block) + 1 > limit:
            parts.append(current)
            current = block
        else:
            current = f"{current}\n{block}" if current else block
    if current:
        parts.append(current)
    return parts


def markdown_chunks(text: str, file: str, kind: str) -> list[Chunk]:
    """One chunk per level-2/3 section (split further when long), prefixed by its heading."""
    chunks: list[Chunk] = []
    heading = ""
    buf: list[str] = []
    sections: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = re.match(r"^#{1,3}\s+(.*?)\s*#*\s*$", line)
        if m:
            sections.append((heading, "\n".join(buf).strip()))
            heading, buf = m.group(1).strip(), []
        else:
            buf.append(line)
    sections.append((heading, "\n".join(buf).strip()))
    for heading, body in sections:
        if not body:
            continue
        for i, part in enumerate(_split_long(body)):
            content = f"{heading}\n{part}" if heading else part
            chunks.append(
                Chunk(
                    id=f"{file}:{_digest(heading)}:{i}:{_digest(content)}",
                    text=content,
                    metadata={"kind": kind, "file": file, "section": heading or "intro"},
                )
            )
    return chunks


def campaign_text(row: PastCampaign) -> str:
    """What is embedded for a past campaign: what the reader saw first."""
    text = f"Subject: {row.subject}\nPreheader: {row.preheader}"
    if row.body:
        text += f"\nBody: {row.body[:400]}"
    return text


def campaign_chunks(rows: list[PastCampaign], file: str) -> list[Chunk]:
    """One chunk per sent variant, carrying its measured results."""
    chunks = []
    for row in rows:
        text = campaign_text(row)
        meta: dict[str, str | int | float | bool] = {
            "kind": "campaign",
            "file": file,
            "line": row.line,
            "campaign_id": row.campaign_id,
            "ab_test_id": row.ab_test_id or "",
            "sent_at": row.sent_at,
            "goal": row.goal,
            "segment": row.segment,
            "subject": row.subject,
            "preheader": row.preheader,
            "platform": row.platform,
            "recipients": row.recipients,
            "opens": row.opens,
            "clicks": row.clicks,
            "open_rate": round(row.open_rate, 6),
            "click_rate": round(row.click_rate, 6),
        }
        if row.conversions is not None:
            meta["conversions"] = row.conversions
        if row.revenue is not None:
            meta["revenue"] = row.revenue
        chunks.append(
            Chunk(
                id=f"{file}:{_digest(row.key)}:{_digest(text + str(meta))}",
                text=text,
                metadata=meta,
            )
        )
    return chunks
