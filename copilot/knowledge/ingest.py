"""Ingest a brand folder into its Chroma collection: idempotent, file by file, all or nothing per file."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from copilot.knowledge.brand import (
    CAMPAIGNS_FILE,
    PRODUCTS_FILE,
    VOICE_FILE,
    load_brand,
    register_brand,
)
from copilot.knowledge.chunking import Chunk, campaign_chunks, markdown_chunks
from copilot.knowledge.embeddings import get_embedder
from copilot.knowledge.store import get_collection
from copilot.progress import Progress, quiet
from copilot.settings import Settings


class FileReport(BaseModel):
    added: int = 0
    removed: int = 0
    kept: int = 0


class IngestReport(BaseModel):
    brand: str
    files: dict[str, FileReport] = Field(default_factory=dict)
    total: int = 0


def _chunks_for(folder: Path) -> dict[str, list[Chunk]]:
    """Parse every file first, so a bad file stops the ingest before anything is written."""
    kb = load_brand(folder)  # validates the CSV all-or-nothing
    out: dict[str, list[Chunk]] = {}
    if (folder / VOICE_FILE).is_file():
        out[VOICE_FILE] = markdown_chunks(kb.voice.text, VOICE_FILE, "voice")
    if (folder / PRODUCTS_FILE).is_file():
        out[PRODUCTS_FILE] = markdown_chunks(kb.products_text, PRODUCTS_FILE, "product")
    if (folder / CAMPAIGNS_FILE).is_file():
        out[CAMPAIGNS_FILE] = campaign_chunks(kb.campaigns, CAMPAIGNS_FILE)
    return out


def ingest_brand(
    folder: str | Path, settings: Settings, progress: Progress | None = None
) -> IngestReport:
    """Embed the brand's files into its collection; unchanged chunks are kept, stale ones removed."""
    say = progress or quiet
    path = Path(folder)
    brand = path.resolve().name
    per_file = _chunks_for(path)
    embedder = get_embedder(settings.embedding_model)
    collection = get_collection(settings, brand)
    report = IngestReport(brand=brand)
    existing = collection.get(include=["metadatas"])
    by_file: dict[str, set[str]] = {}
    for doc_id, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False):
        by_file.setdefault(str((meta or {}).get("file", "")), set()).add(doc_id)
    files = sorted(set(by_file) | set(per_file))
    for done, file in enumerate(files):
        chunks = per_file.get(file, [])
        old = by_file.get(file, set())
        new_ids = {c.id for c in chunks}
        fresh = [c for c in chunks if c.id not in old]
        stale = sorted(old - new_ids)
        if fresh:
            say(f"{brand}/{file}: embedding {len(fresh)} chunk(s)", done / len(files))
            vectors = embedder.encode([c.text for c in fresh])
            # upsert before delete: a crash in between leaves extra chunks, never missing ones
            for start in range(0, len(fresh), 256):
                batch = fresh[start : start + 256]
                collection.upsert(
                    ids=[c.id for c in batch],
                    documents=[c.text for c in batch],
                    metadatas=[c.metadata for c in batch],
                    embeddings=vectors[start : start + len(batch)].tolist(),
                )
        if stale:
            collection.delete(ids=stale)
        report.files[file] = FileReport(
            added=len(fresh), removed=len(stale), kept=len(new_ids) - len(fresh)
        )
        say(
            f"{brand}/{file}: +{len(fresh)} -{len(stale)} ={len(new_ids) - len(fresh)}",
            (done + 1) / len(files),
        )
    report.total = collection.count()
    # every later lookup of the brand's files finds this folder, wherever it is
    register_brand(settings.kb_dir, path)
    return report


def brand_stats(brand: str, settings: Settings) -> dict[str, int]:
    """Chunk counts by kind for an ingested brand."""
    collection = get_collection(settings, brand, create=False)
    metas = collection.get(include=["metadatas"])["metadatas"] or []
    counts: dict[str, int] = {"voice": 0, "product": 0, "campaign": 0}
    ab_tests: set[str] = set()
    for meta in metas:
        kind = str((meta or {}).get("kind", "other"))
        counts[kind] = counts.get(kind, 0) + 1
        if meta and meta.get("ab_test_id"):
            ab_tests.add(str(meta["ab_test_id"]))
    counts["ab_tests"] = len(ab_tests)
    counts["total"] = len(metas)
    return counts
