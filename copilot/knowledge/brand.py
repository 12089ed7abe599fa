"""Which brands exist and where their files are; a brand folder (voice.md, products.md,
past_campaigns.csv) read into typed, validated data.

A brand is a folder in the KB directory (COPILOT_KB_DIR), or a folder elsewhere that was ingested
(`copilot kb ingest /any/path/brand`): ingest records such a folder in the KB directory's
`brands.json`, and every lookup here reads it, so all commands and pages find the same brands.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.errors import KnowledgeBaseError, UnknownBrandError
from copilot.io.loader import load_file

VOICE_FILE = "voice.md"
PRODUCTS_FILE = "products.md"
CAMPAIGNS_FILE = "past_campaigns.csv"
#: in the KB directory: brands ingested from folders outside it, by name
REGISTRY_FILE = "brands.json"

CAMPAIGN_COLUMNS = [
    "campaign_id",
    "ab_test_id",
    "sent_at",
    "goal",
    "segment",
    "subject",
    "preheader",
    "body",
    "recipients",
    "opens",
    "clicks",
    "conversions",
    "revenue",
    "platform",
]
REQUIRED_COLUMNS = [c for c in CAMPAIGN_COLUMNS if c not in ("body", "conversions", "revenue")]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class PastCampaign(BaseModel):
    """One sent variant with its measured results."""

    campaign_id: str
    ab_test_id: str | None = None
    sent_at: str
    goal: str
    segment: str
    subject: str
    preheader: str = ""
    body: str | None = None
    recipients: int = Field(ge=1)
    opens: int = Field(ge=0)
    clicks: int = Field(ge=0)
    conversions: int | None = None
    revenue: float | None = None
    platform: str = ""
    line: int = 0

    @property
    def open_rate(self) -> float:
        return self.opens / self.recipients

    @property
    def click_rate(self) -> float:
        return self.clicks / self.recipients

    @property
    def key(self) -> str:
        """Stable identity of a sent variant (used to avoid duplicates on re-import)."""
        return f"{self.campaign_id}|{self.subject}"


class VoiceGuide(BaseModel):
    """The brand's voice: free text plus the lists the evaluators use."""

    text: str
    dos: list[str] = Field(default_factory=list)
    donts: list[str] = Field(default_factory=list)
    vocabulary: list[str] = Field(default_factory=list)
    sample_lines: list[str] = Field(default_factory=list)


class BrandKB(BaseModel):
    """Everything the copilot knows about one brand, as read from its folder."""

    name: str
    folder: Path
    voice: VoiceGuide
    products_text: str
    campaigns: list[PastCampaign] = Field(default_factory=list)


def _sections(markdown: str) -> dict[str, str]:
    """Split markdown into {lower-cased heading: body} for level-2/3 headings."""
    out: dict[str, str] = {}
    current = ""
    buf: list[str] = []
    for line in markdown.splitlines():
        m = re.match(r"^#{2,3}\s+(.*?)\s*#*\s*$", line)
        if m:
            out[current] = "\n".join(buf).strip()
            current = m.group(1).strip().lower()
            buf = []
        else:
            buf.append(line)
    out[current] = "\n".join(buf).strip()
    return out


def _bullets(body: str) -> list[str]:
    items = []
    for line in body.splitlines():
        m = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$", line)
        if m:
            items.append(m.group(1).strip().strip('"“”'))
    return items


def _find(sections: dict[str, str], *keys: str) -> str:
    for heading, body in sections.items():
        h = heading.replace("’", "'")
        if any(h.startswith(k) for k in keys):
            return body
    return ""


def parse_voice(text: str) -> VoiceGuide:
    """Parse voice.md; lists come from headings 'Do', "Don't", 'Vocabulary', 'Sample lines'."""
    sections = _sections(text)
    donts = _bullets(_find(sections, "don't", "dont", "do not", "avoid"))
    dos = _bullets(_find(sections, "do\n", "do ", "dos") or sections.get("do", ""))
    vocab_body = _find(sections, "vocabulary", "words we use")
    vocabulary = _bullets(vocab_body)
    if not vocabulary and vocab_body:
        vocabulary = [w.strip() for w in re.split(r"[,;\n]", vocab_body) if w.strip()]
    samples = _bullets(_find(sections, "sample lines", "sample", "examples"))
    return VoiceGuide(text=text, dos=dos, donts=donts, vocabulary=vocabulary, sample_lines=samples)


def _int_field(row: dict[str, str], field: str, line: int, required: bool) -> int | None:
    raw = (row.get(field) or "").strip().replace(",", "")
    if not raw:
        if required:
            raise KnowledgeBaseError(
                f"{CAMPAIGNS_FILE} line {line}: field '{field}' is empty; give a whole number"
            )
        return None
    try:
        value = float(raw)
    except ValueError:
        raise KnowledgeBaseError(
            f"{CAMPAIGNS_FILE} line {line}: field '{field}' is {raw!r}, not a number; "
            "give a whole number"
        ) from None
    if value < 0 or value != int(value):
        raise KnowledgeBaseError(
            f"{CAMPAIGNS_FILE} line {line}: field '{field}' is {raw!r}; give a whole number >= 0"
        )
    return int(value)


def parse_campaigns(text: str, source: str = CAMPAIGNS_FILE) -> list[PastCampaign]:
    """Parse past_campaigns.csv all-or-nothing; the first bad row raises with its line and field."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise KnowledgeBaseError(
            f"{source} line 1: missing column(s) {', '.join(missing)}; "
            f"the header must include {', '.join(REQUIRED_COLUMNS)}"
        )
    reader.fieldnames = header
    rows: list[PastCampaign] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise KnowledgeBaseError(
                f"{source} line {line}: more values than columns; quote fields that contain commas"
            )
        clean = {k: (v or "").strip() for k, v in row.items()}
        if not any(clean.values()):
            continue
        for field in ("campaign_id", "sent_at", "goal", "segment", "subject"):
            if not clean.get(field):
                raise KnowledgeBaseError(
                    f"{source} line {line}: field '{field}' is empty; fill it in"
                )
        try:
            datetime.fromisoformat(clean["sent_at"].replace("Z", "+00:00"))
        except ValueError:
            raise KnowledgeBaseError(
                f"{source} line {line}: field 'sent_at' is {clean['sent_at']!r}; "
                "use an ISO date like 2025-03-14 or 2025-03-14T09:00"
            ) from None
        recipients = _int_field(clean, "recipients", line, required=True)
        opens = _int_field(clean, "opens", line, required=True)
        clicks = _int_field(clean, "clicks", line, required=True)
        conversions = _int_field(clean, "conversions", line, required=False)
        assert recipients is not None and opens is not None and clicks is not None
        if recipients < 1:
            raise KnowledgeBaseError(f"{source} line {line}: field 'recipients' must be at least 1")
        if opens > recipients:
            raise KnowledgeBaseError(
                f"{source} line {line}: field 'opens' ({opens}) exceeds recipients ({recipients})"
            )
        if clicks > recipients:
            raise KnowledgeBaseError(
                f"{source} line {line}: field 'clicks' ({clicks}) exceeds recipients ({recipients})"
            )
        revenue_raw = clean.get("revenue", "")
        revenue = None
        if revenue_raw:
            try:
                revenue = float(revenue_raw.replace(",", "").lstrip("$€£"))
            except ValueError:
                raise KnowledgeBaseError(
                    f"{source} line {line}: field 'revenue' is {revenue_raw!r}; give a number"
                ) from None
        rows.append(
            PastCampaign(
                campaign_id=clean["campaign_id"],
                ab_test_id=clean.get("ab_test_id") or None,
                sent_at=clean["sent_at"],
                goal=clean["goal"],
                segment=clean["segment"],
                subject=clean["subject"],
                preheader=clean.get("preheader", ""),
                body=clean.get("body") or None,
                recipients=recipients,
                opens=opens,
                clicks=clicks,
                conversions=conversions,
                revenue=revenue,
                platform=clean.get("platform", ""),
                line=line,
            )
        )
    return rows


def is_brand_slug(name: str) -> bool:
    """Whether `name` can name a brand (its folder): lower-case letters, digits, - or _."""
    return bool(_SLUG.match(name))


class BrandRegistry(BaseModel):
    """The KB directory's `brands.json`: brands whose folder is outside it, name -> folder."""

    brands: dict[str, Path] = Field(default_factory=dict)


def write_atomically(path: Path, text: str) -> None:
    """Write a file so a reader sees the old or the new text, never half of it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before it replaces the old file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_registry(kb_dir: Path) -> BrandRegistry:
    """The brands registered from outside the KB directory (none when there is no registry)."""
    path = kb_dir / REGISTRY_FILE
    return load_file(path, BrandRegistry) if path.is_file() else BrandRegistry()


def _inside(kb_dir: Path, folder: Path) -> bool:
    return folder.resolve().parent == kb_dir.resolve()


def register_brand(kb_dir: Path, folder: Path) -> None:
    """Record where an ingested brand's files are: a folder outside the KB directory is added to
    its registry (replacing an earlier folder of that name); one inside it needs no entry, and
    one left over from an earlier ingest from elsewhere is dropped."""
    name = folder.resolve().name
    registry = read_registry(kb_dir)
    if _inside(kb_dir, folder):
        if name not in registry.brands:
            return
        del registry.brands[name]
    else:
        if registry.brands.get(name) == folder.resolve():
            return
        registry.brands[name] = folder.resolve()
    kb_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(kb_dir / REGISTRY_FILE, registry.model_dump_json(indent=2) + "\n")


def brand_folders(kb_dir: Path) -> dict[str, Path]:
    """Every brand, name -> folder: the KB directory's folders, then the registered ones (a
    registered folder is the one last ingested under its name), sorted by name."""
    found = {p.name: p for p in kb_dir.iterdir() if p.is_dir()} if kb_dir.is_dir() else {}
    found.update({n: f for n, f in read_registry(kb_dir).brands.items() if f.is_dir()})
    return dict(sorted(found.items()))


def brand_names(kb_dir: Path) -> list[str]:
    """The names of every brand (see `brand_folders`)."""
    return list(brand_folders(kb_dir))


def brand_path(kb_dir: Path, brand: str) -> Path:
    """Where a brand's files are: its registered folder, else its folder in the KB directory
    (where a new brand's files go)."""
    registered = read_registry(kb_dir).brands.get(brand)
    return registered if registered is not None and registered.is_dir() else kb_dir / brand


def brand_folder(kb_dir: Path, brand: str) -> Path:
    """The folder of a brand, or a clear error listing the known brands."""
    if not is_brand_slug(brand):
        raise UnknownBrandError(
            f"brand {brand!r} is not a valid brand name; use lower-case letters, digits, - or _"
        )
    folder = brand_path(kb_dir, brand)
    if not folder.is_dir():
        gone = read_registry(kb_dir).brands.get(brand)
        if gone is not None:
            raise UnknownBrandError(
                f"brand {brand!r} was ingested from {gone}, which is no longer there; "
                f"ingest it again from where its folder is now (`copilot kb ingest FOLDER`)"
            )
        known = brand_names(kb_dir)
        hint = f"known brands: {', '.join(known)}" if known else f"no brands in {kb_dir}"
        raise UnknownBrandError(f"brand {brand!r} is not in the knowledge base ({hint})")
    return folder


def load_brand(folder: str | Path) -> BrandKB:
    """Read and validate a brand folder; raises KnowledgeBaseError naming the file and fix."""
    path = Path(folder)
    if not path.is_dir():
        raise UnknownBrandError(f"brand folder not found: {path}")
    name = path.resolve().name
    if not is_brand_slug(name):
        raise KnowledgeBaseError(
            f"brand folder name {name!r} must be lower-case letters, digits, - or _ (rename it)"
        )
    voice_path = path / VOICE_FILE
    products_path = path / PRODUCTS_FILE
    if not voice_path.is_file() and not products_path.is_file():
        raise KnowledgeBaseError(
            f"{path}: the brand folder is empty; add {VOICE_FILE} and {PRODUCTS_FILE} "
            f"(and optionally {CAMPAIGNS_FILE})"
        )
    voice_text = voice_path.read_text(encoding="utf-8") if voice_path.is_file() else ""
    products_text = products_path.read_text(encoding="utf-8") if products_path.is_file() else ""
    campaigns_path = path / CAMPAIGNS_FILE
    campaigns: list[PastCampaign] = []
    if campaigns_path.is_file():
        campaigns = parse_campaigns(campaigns_path.read_text(encoding="utf-8-sig"))
    return BrandKB(
        name=name,
        folder=path,
        voice=parse_voice(voice_text),
        products_text=products_text,
        campaigns=campaigns,
    )
