"""Import uploaded brand files (voice.md, products.md, past_campaigns.csv): every problem is named,
and nothing is written unless the whole brand folder validates afterwards."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from copilot.errors import KnowledgeBaseError
from copilot.results.feedback import append_outcomes
from copilot.retrieval.brand import (
    CAMPAIGNS_FILE,
    PRODUCTS_FILE,
    VOICE_FILE,
    is_brand_slug,
    load_brand,
    parse_campaigns,
)
from copilot.retrieval.ingest import IngestReport, ingest_brand
from copilot.settings import Settings

CsvMode = Literal["append", "replace"]
DOCS = (VOICE_FILE, PRODUCTS_FILE)
FILES = (VOICE_FILE, PRODUCTS_FILE, CAMPAIGNS_FILE)


class ImportReport(BaseModel):
    """What an import would do (or did), and every problem that stops it."""

    brand: str
    new_brand: bool = False
    problems: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    written: list[str] = Field(default_factory=list)
    ingest: IngestReport | None = None

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


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_files(
    kb_dir: Path,
    brand: str,
    uploads: dict[str, bytes],
    settings: Settings | None = None,
    csv_mode: CsvMode = "append",
    dry_run: bool = False,
) -> ImportReport:
    """Validate uploads against the brand folder they would produce; write and re-ingest if clean.

    `uploads` maps a file name (voice.md, products.md, past_campaigns.csv) to its bytes. CSV rows
    are appended (rows already present, by campaign_id and subject, are skipped) or replace the
    file. With `dry_run`, or when any problem is found, nothing is written.
    """
    brand = brand.strip()
    report = ImportReport(brand=brand)
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
    folder = kb_dir / brand
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
        if dry_run:
            return report
        folder.mkdir(parents=True, exist_ok=True)
        for name in texts:
            _write_atomically(folder / name, (staged / name).read_text(encoding="utf-8"))
            report.written.append(name)
    if settings is not None:
        report.ingest = ingest_brand(folder, settings)
    return report
