"""Import uploaded brand files (voice.md, products.md, past_campaigns.csv): every problem is named,
and nothing is written unless the whole brand folder validates afterwards.

An import that would drop past sends (a "replace" of past_campaigns.csv) says what it drops and
needs `confirm_loss`; every file an import overwrites is first copied into a dated backup
(`<brand>/.backups/<stamp>/`), which `restore_backup` puts back (the Undo).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from copilot.errors import KnowledgeBaseError
from copilot.knowledge.brand import (
    CAMPAIGNS_FILE,
    PRODUCTS_FILE,
    VOICE_FILE,
    PastCampaign,
    brand_path,
    is_brand_slug,
    load_brand,
    parse_campaigns,
    write_atomically,
)
from copilot.knowledge.feedback import append_outcomes
from copilot.knowledge.ingest import IngestReport, ingest_brand
from copilot.settings import Settings

CsvMode = Literal["append", "replace"]
DOCS = (VOICE_FILE, PRODUCTS_FILE)
FILES = (VOICE_FILE, PRODUCTS_FILE, CAMPAIGNS_FILE)
BACKUPS = ".backups"
MANIFEST = "manifest.json"


class Loss(BaseModel):
    """What an import removes from the brand's history (past sends no longer in the file)."""

    rows: int = 0
    ab_tests: int = 0
    recipients: int = 0
    #: past sends before and after the import
    before: int = 0
    after: int = 0

    def describe(self) -> str:
        """Plain words, e.g. 'removes 78 of 80 past sends, including 14 A/B tests ...'."""
        tests = f", including {self.ab_tests} A/B test(s)" if self.ab_tests else ""
        return (
            f"removes {self.rows} of the {self.before} past sends in {CAMPAIGNS_FILE}{tests} "
            f"and their measured results ({self.recipients:,} recipients, results fed back from "
            f"earlier tests included); {self.after} past send(s) remain"
        )


class Backup(BaseModel):
    """One dated backup of the files an import overwrote or created."""

    stamp: str
    replaced: list[str] = Field(default_factory=list)
    created: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)


class UploadReport(BaseModel):
    """What an import would do (or did), and every problem that stops it."""

    brand: str
    new_brand: bool = False
    problems: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    written: list[str] = Field(default_factory=list)
    ingest: IngestReport | None = None
    #: past sends the import removes (None: it removes none)
    loss: Loss | None = None
    #: the backup of the files this import overwrote (None for a new brand or a dry run)
    backup: Backup | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def campaign_problems(text: str, source: str = CAMPAIGNS_FILE) -> list[str]:
    """Every bad row of a past-campaigns CSV (not only the first), each with its line and field."""
    try:
        header = next(csv.reader(io.StringIO(text)))
    except StopIteration:
        return [f"{source}: the file is empty; it needs a header row and campaign rows"]
    try:
        parse_campaigns(",".join(header) + "\n", source=source)
    except KnowledgeBaseError as exc:
        return [str(exc)]  # a header problem makes every row meaningless
    problems = []
    reader = csv.reader(io.StringIO(text))
    next(reader)
    line_pattern = re.compile(rf"^{re.escape(source)} line \d+")
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerow(record)
        try:
            parse_campaigns(buf.getvalue(), source=source)
        except KnowledgeBaseError as exc:
            # each row is checked on its own, so put back its line number in the real file
            problems.append(line_pattern.sub(f"{source} line {line}", str(exc)))
    return problems


def _decode(name: str, data: bytes) -> tuple[str | None, str | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{name}: not UTF-8 text; save it as UTF-8 (plain text or Markdown)"
    if not text.strip():
        return None, f"{name}: the file is empty"
    return text, None


def _stage(folder: Path, staging: Path) -> Path:
    staged = staging / folder.name
    staged.mkdir()
    for name in FILES:
        if (folder / name).is_file():
            shutil.copy2(folder / name, staged / name)
    return staged


def _csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip() for h in reader.fieldnames or []]
    return [
        {k: (v or "").strip() for k, v in row.items() if k}
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]


def _loss(old: list[PastCampaign], new: list[PastCampaign]) -> Loss | None:
    kept = {c.key for c in new}
    gone = [c for c in old if c.key not in kept]
    if not gone:
        return None
    tests_before = {c.ab_test_id for c in old if c.ab_test_id}
    tests_after = {c.ab_test_id for c in new if c.ab_test_id}
    return Loss(
        rows=len(gone),
        ab_tests=len(tests_before - tests_after),
        recipients=sum(c.recipients for c in gone),
        before=len(old),
        after=len(new),
    )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d_%H%M%S_%f")


def _back_up(folder: Path, names: list[str], actions: list[str]) -> Backup:
    """Copy the files about to be written into a new dated backup folder, with a manifest."""
    backup = Backup(stamp=_stamp(), actions=list(actions))
    target = folder / BACKUPS / backup.stamp
    target.mkdir(parents=True)
    for name in names:
        if (folder / name).is_file():
            shutil.copy2(folder / name, target / name)
            backup.replaced.append(name)
        else:
            backup.created.append(name)
    (target / MANIFEST).write_text(backup.model_dump_json(indent=2), encoding="utf-8")
    return backup


def list_backups(kb_dir: Path, brand: str) -> list[Backup]:
    """The brand's import backups, newest first (a backup with an unreadable manifest is skipped)."""
    root = brand_path(kb_dir, brand) / BACKUPS
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir(), reverse=True):
        try:
            found.append(Backup.model_validate(json.loads((path / MANIFEST).read_text("utf-8"))))
        except (OSError, ValueError):
            continue
    return found


def restore_backup(
    kb_dir: Path, brand: str, stamp: str, settings: Settings | None = None
) -> UploadReport:
    """Undo an import: put back the files its backup holds, remove the ones it created, re-ingest.

    The files as they are now are backed up first, so a restore can itself be undone.
    """
    report = UploadReport(brand=brand)
    folder = brand_path(kb_dir, brand)
    backup = next((b for b in list_backups(kb_dir, brand) if b.stamp == stamp), None)
    if backup is None:
        report.problems.append(f"no backup {stamp!r} for brand {brand!r}; nothing was restored")
        return report
    source = folder / BACKUPS / stamp
    with tempfile.TemporaryDirectory() as tmp:
        staged = _stage(folder, Path(tmp))
        for name in backup.replaced:
            shutil.copy2(source / name, staged / name)
        for name in backup.created:
            (staged / name).unlink(missing_ok=True)
        try:
            load_brand(staged)
        except KnowledgeBaseError as exc:
            report.problems.append(str(exc).replace(str(staged), brand))
            return report
        names = [*backup.replaced, *backup.created]
        report.backup = _back_up(folder, names, [f"undo of the import of {stamp}"])
        for name in backup.replaced:
            write_atomically(folder / name, (staged / name).read_text(encoding="utf-8"))
            report.written.append(name)
        for name in backup.created:
            (folder / name).unlink(missing_ok=True)
    report.actions.append(
        "restored "
        + ", ".join(backup.replaced or ["nothing"])
        + f" as before the import of {stamp}"
    )
    if settings is not None:
        report.ingest = ingest_brand(folder, settings)
    return report


def import_files(
    kb_dir: Path,
    brand: str,
    uploads: dict[str, bytes],
    settings: Settings | None = None,
    csv_mode: CsvMode = "append",
    dry_run: bool = False,
    confirm_loss: bool = False,
) -> UploadReport:
    """Validate uploads against the brand folder they would produce; write and re-ingest if clean.

    `uploads` maps a file name (voice.md, products.md, past_campaigns.csv) to its bytes. CSV rows
    are appended (rows already present, by campaign_id and subject, are skipped) or replace the
    file. With `dry_run`, or when any problem is found, nothing is written. An import that removes
    past sends (`report.loss`) is written only with `confirm_loss`; the files it overwrites are
    kept in a dated backup (`report.backup`) that `restore_backup` puts back.
    """
    brand = brand.strip()
    report = UploadReport(brand=brand)
    if not is_brand_slug(brand):
        report.problems.append(
            f"brand name {brand!r}: use lower-case letters, digits, - or _ (e.g. harbor_bean)"
        )
        return report
    unknown = sorted(set(uploads) - set(FILES))
    if unknown:
        report.problems.append(f"unknown file(s) {', '.join(unknown)}; upload {', '.join(FILES)}")
    if not uploads:
        report.problems.append("choose at least one file to upload")
    folder = brand_path(kb_dir, brand)
    report.new_brand = not folder.is_dir()
    texts: dict[str, str] = {}
    for name, data in uploads.items():
        text, problem = _decode(name, data)
        if problem:
            report.problems.append(problem)
        elif text is not None:
            texts[name] = text
    if CAMPAIGNS_FILE in texts:
        report.problems += campaign_problems(texts[CAMPAIGNS_FILE])
    if report.problems:
        return report
    with tempfile.TemporaryDirectory() as tmp:
        staged = _stage(folder, Path(tmp)) if not report.new_brand else Path(tmp) / brand
        staged.mkdir(exist_ok=True)
        for name in DOCS:
            if name in texts:
                (staged / name).write_text(texts[name], encoding="utf-8")
                report.actions.append(f"{'add' if report.new_brand else 'replace'} {name}")
        old_rows: list[PastCampaign] = []
        if CAMPAIGNS_FILE in texts and (staged / CAMPAIGNS_FILE).is_file():
            try:
                old_rows = parse_campaigns(
                    (staged / CAMPAIGNS_FILE).read_text(encoding="utf-8-sig")
                )
            except KnowledgeBaseError:
                old_rows = []  # a broken current file has no history to lose; it is backed up
        if CAMPAIGNS_FILE in texts:
            if csv_mode == "replace" or not (staged / CAMPAIGNS_FILE).is_file():
                (staged / CAMPAIGNS_FILE).write_text(texts[CAMPAIGNS_FILE], encoding="utf-8")
                rows = len(parse_campaigns(texts[CAMPAIGNS_FILE]))
                report.actions.append(f"write {CAMPAIGNS_FILE} with {rows} row(s)")
            else:
                try:
                    appended = append_outcomes(staged, _csv_rows(texts[CAMPAIGNS_FILE]))
                except KnowledgeBaseError as exc:
                    report.problems.append(
                        str(exc).replace(str(staged / CAMPAIGNS_FILE), CAMPAIGNS_FILE)
                    )
                    return report
                report.actions.append(
                    f"append {appended.added} row(s) to {CAMPAIGNS_FILE}"
                    + (f" ({appended.skipped} already there, skipped)" if appended.skipped else "")
                )
        try:
            load_brand(staged)  # the folder as it would be after the import
        except KnowledgeBaseError as exc:
            report.problems.append(str(exc).replace(str(staged), brand))
            return report
        if old_rows:
            new_rows = parse_campaigns((staged / CAMPAIGNS_FILE).read_text(encoding="utf-8-sig"))
            report.loss = _loss(old_rows, new_rows)
        if dry_run:
            return report
        if report.loss is not None and not confirm_loss:
            report.problems.append(
                f"this import {report.loss.describe()}; confirm that this is what you want "
                "(the current file is kept as a dated backup), or append the rows instead"
            )
            return report
        folder.mkdir(parents=True, exist_ok=True)
        if not report.new_brand:
            report.backup = _back_up(folder, sorted(texts), report.actions)
        for name in texts:
            write_atomically(folder / name, (staged / name).read_text(encoding="utf-8"))
            report.written.append(name)
    if settings is not None:
        report.ingest = ingest_brand(folder, settings)
    return report
