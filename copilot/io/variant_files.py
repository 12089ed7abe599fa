"""Read variants to evaluate from a CSV file (columns subject, preheader, optional body, angle)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from copilot.errors import InputFileError
from copilot.variants import Variant

REQUIRED_COLUMNS = ("subject",)
OPTIONAL_COLUMNS = ("preheader", "body", "angle")


def parse_variants_csv(text: str, source: str = "variants.csv") -> list[Variant]:
    """Parse CSV text into variants; the first bad row raises with its line and column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise InputFileError(
            f"{source} line 1: the file is empty; give a header row: subject,preheader"
        )
    allowed = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    for name in REQUIRED_COLUMNS:
        if name not in header:
            raise InputFileError(
                f"{source} line 1: missing column '{name}'; the header must include "
                f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})"
            )
    for name in header:
        if name not in allowed:
            raise InputFileError(
                f"{source} line 1: unknown column '{name}'; use {', '.join(allowed)}"
            )
    if len(set(header)) != len(header):
        raise InputFileError(f"{source} line 1: a column name appears twice; keep one of each")
    reader.fieldnames = header
    variants: list[Variant] = []
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
        if None in row:
            raise InputFileError(
                f"{source} line {start}: more values than columns; quote fields that contain commas"
            )
        values = {k: (v or "") for k, v in row.items()}
        if not any(v.strip() for v in values.values()):
            continue
        subject = values["subject"].strip()
        if not subject:
            raise InputFileError(
                f"{source} line {start}, column 'subject': empty; every variant needs a subject"
            )
        body = values.get("body", "")
        variants.append(
            Variant(
                subject=subject,
                preheader=values.get("preheader", "").strip(),
                angle=values.get("angle", "").strip(),
                body=body if body.strip() else None,
            )
        )
    if not variants:
        raise InputFileError(f"{source}: no variants below the header; add one row per variant")
    return variants


def read_variants_csv(path: str | Path) -> list[Variant]:
    """Read a variants CSV file (UTF-8, with or without a byte-order mark)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(
            f"variants file not found: {p} (give a CSV or the JSON of `copilot generate --json`)"
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{p}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        ) from None
    return parse_variants_csv(text, source=str(p))
