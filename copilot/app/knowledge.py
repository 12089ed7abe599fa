"""The knowledge base as `copilot kb` and the Knowledge base page use it: which brands there are,
ingest, counts, uploads with a validation report, backups, and what retrieval returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, model_validator

from copilot.errors import KnowledgeBaseError
from copilot.io.brief import Brief
from copilot.knowledge.brand import (
    CAMPAIGNS_FILE,
    PRODUCTS_FILE,
    VOICE_FILE,
    brand_folder,
    brand_folders,
    brand_names,
    load_brand,
)
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.knowledge.embeddings import Embedder, get_embedder
from copilot.knowledge.ingest import IngestReport, brand_stats, ingest_brand
from copilot.knowledge.retrieve import build_context
from copilot.knowledge.store import get_client
from copilot.knowledge.upload import (
    Backup,
    CsvMode,
    UploadReport,
    import_files,
    list_backups,
    restore_backup,
)
from copilot.progress import Progress
from copilot.settings import Settings

__all__ = [
    "CAMPAIGNS_FILE",
    "PRODUCTS_FILE",
    "VOICE_FILE",
    "Backup",
    "BrandContext",
    "BrandRequest",
    "BrandStats",
    "BrandSummary",
    "UploadReport",
    "IngestReport",
    "IngestRequest",
    "RestoreRequest",
    "RetrieveRequest",
    "RetrievedItem",
    "UploadRequest",
    "backups",
    "brands",
    "embedder",
    "ingest",
    "is_ingested",
    "open_store",
    "overview",
    "restore",
    "retrieve",
    "stats",
    "upload",
]


class IngestRequest(BaseModel):
    """A brand folder anywhere (or a bare brand name, as `copilot kb ingest` takes it), or a
    known brand by name."""

    folder: Path | None = None
    brand: str | None = None

    @model_validator(mode="after")
    def _one_of_them(self) -> IngestRequest:
        if (self.folder is None) == (self.brand is None):
            raise ValueError("give a brand folder or a brand name")
        return self


class BrandRequest(BaseModel):
    """One brand, by name."""

    brand: str


class BrandStats(BaseModel):
    """Chunk counts by kind (voice, product, campaign, ab_tests, total) of an ingested brand."""

    brand: str
    counts: dict[str, int]


class BrandSummary(BaseModel):
    """One brand as the Knowledge base page lists it: what its files hold and what the store has.
    `problem` names a file that cannot be read (the counts are then empty)."""

    brand: str
    folder: Path
    problem: str = ""
    voice_rules: int = 0
    past_sends: int = 0
    ab_tests: int = 0
    recipients: int = 0
    #: chunk counts in the store; None: not ingested
    chunks: dict[str, int] | None = None


class UploadRequest(BaseModel):
    """Uploaded files (voice.md, products.md, past_campaigns.csv -> bytes) for a brand."""

    brand: str
    files: dict[str, bytes]
    csv_mode: CsvMode = "append"
    #: validate and report only; nothing is written or ingested
    dry_run: bool = False
    #: an import that removes past sends is written only with this
    confirm_loss: bool = False


class RestoreRequest(BaseModel):
    """Put back the files of one of a brand's backups (the Undo of an import)."""

    brand: str
    stamp: str


class RetrieveRequest(BaseModel):
    """What retrieval would return for this brief."""

    brief: Brief


def ingest(
    request: IngestRequest, settings: Settings, *, progress: Progress | None = None
) -> IngestReport:
    """Chunk and embed a brand folder into its collection (idempotent); a bare name that is not
    a folder here is looked up among the known brands."""
    if request.brand is not None:
        folder = brand_folder(settings.kb_dir, request.brand)
    else:
        assert request.folder is not None
        folder = request.folder
        if not folder.exists() and len(folder.parts) == 1:
            folder = brand_folders(settings.kb_dir).get(str(folder), folder)
    return ingest_brand(folder, settings, progress=progress)


def stats(request: BrandRequest, settings: Settings) -> BrandStats:
    """Chunk counts of an ingested brand (a clear error when it was never ingested)."""
    return BrandStats(brand=request.brand, counts=brand_stats(request.brand, settings))


def is_ingested(request: BrandRequest, settings: Settings) -> bool:
    """True when the brand's files are in the store (retrieval can use them)."""
    try:
        return brand_stats(request.brand, settings).get("total", 0) > 0
    except KnowledgeBaseError:
        return False


def overview(settings: Settings) -> list[BrandSummary]:
    """Every brand with its counts; a broken file is named, not fatal."""
    out = []
    for name, folder in brand_folders(settings.kb_dir).items():
        row = BrandSummary(brand=name, folder=folder)
        try:
            kb = load_brand(folder)
        except KnowledgeBaseError as exc:
            out.append(row.model_copy(update={"problem": str(exc)}))
            continue
        row.voice_rules = len(kb.voice.dos) + len(kb.voice.donts)
        row.past_sends = len(kb.campaigns)
        row.ab_tests = len({c.ab_test_id for c in kb.campaigns if c.ab_test_id})
        row.recipients = sum(c.recipients for c in kb.campaigns)
        try:
            row.chunks = brand_stats(name, settings)
        except KnowledgeBaseError:
            row.chunks = None
        out.append(row)
    return out


def upload(request: UploadRequest, settings: Settings) -> UploadReport:
    """Validate uploads against the brand folder they would produce; unless a dry run, write
    them and re-ingest the brand when every file is clean."""
    return import_files(
        settings.kb_dir,
        request.brand,
        request.files,
        settings=None if request.dry_run else settings,
        csv_mode=request.csv_mode,
        dry_run=request.dry_run,
        confirm_loss=request.confirm_loss,
    )


def backups(request: BrandRequest, settings: Settings) -> list[Backup]:
    """The brand's import backups, newest first."""
    return list_backups(settings.kb_dir, request.brand)


def restore(request: RestoreRequest, settings: Settings) -> UploadReport:
    """Undo an import: its backup's files back in place, then re-ingested."""
    return restore_backup(settings.kb_dir, request.brand, request.stamp, settings=settings)


def retrieve(request: RetrieveRequest, settings: Settings) -> BrandContext:
    """The brand context generation would see for the brief."""
    return build_context(request.brief, settings)


def embedder(settings: Settings) -> Embedder:
    """The sentence embedder, loaded once per process."""
    return get_embedder(settings.embedding_model)


def open_store(settings: Settings) -> Any:
    """The Chroma client, opened once per process and location."""
    return get_client(settings)


def brands(settings: Settings) -> list[str]:
    """Every brand's name: the KB directory's folders and the ones ingested from elsewhere."""
    return brand_names(settings.kb_dir)
