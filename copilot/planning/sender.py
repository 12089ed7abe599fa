"""Sender name, email and postal address for a test, read from the brand folder when not given."""

from __future__ import annotations

import re
from pathlib import Path

from copilot.io.abconfig import Sender

_FILES = ("README.md", "products.md", "voice.md")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LABELLED = re.compile(r"^\s*(?:[-*+]\s+)?\**(postal address|address)\**\s*:\s*(.+\S)\s*$", re.I)
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")


def _address_lines(folder: Path) -> list[tuple[str, int, str]]:
    """(file, line number, text) candidates for the postal address, best first."""
    labelled: list[tuple[str, int, str]] = []
    in_section: list[tuple[str, int, str]] = []
    for name in _FILES:
        path = folder / name
        if not path.is_file():
            continue
        heading = ""
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _LABELLED.match(line)
            if m:
                labelled.append((name, no, m.group(2)))
                continue
            h = _HEADING.match(line)
            if h:
                heading = h.group(1).lower()
                continue
            b = _BULLET.match(line)
            if "address" in heading and b:
                text = b.group(1)
                # a street address has a number and commas, and is not an email/web/phone line
                if (
                    re.search(r"\d", text)
                    and "," in text
                    and not _EMAIL.search(text)
                    and "http" not in text
                    and ":" not in text
                ):
                    in_section.append((name, no, text))
    return labelled + in_section


def _first_email(folder: Path) -> tuple[str, str] | None:
    for name in _FILES:
        path = folder / name
        if not path.is_file():
            continue
        heading = ""
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            h = _HEADING.match(line)
            if h:
                heading = h.group(1).lower()
                continue
            if "contact" in heading or "address" in heading:
                m = _EMAIL.search(line)
                if m:
                    return m.group(0), f"{name} line {no}"
    return None


def sender_from_brand(
    folder: Path,
    brand: str,
    from_name: str | None = None,
    email: str | None = None,
    reply_to: str | None = None,
    postal_address: str | None = None,
) -> Sender:
    """Fill sender fields from the arguments, else from the brand's files (with provenance)."""
    provenance: dict[str, str] = {}
    for field, value in (
        ("from_name", from_name),
        ("email", email),
        ("postal_address", postal_address),
    ):
        if value:
            provenance[field] = "given"
    if not postal_address:
        found = _address_lines(folder)
        if found:
            name, no, postal_address = found[0]
            provenance["postal_address"] = f"{name} line {no}"
    if not from_name:
        first = postal_address.split(",")[0].strip() if postal_address else ""
        if first and not re.search(r"\d", first):
            from_name = first
            provenance["from_name"] = provenance.get("postal_address", "postal address")
        else:
            from_name = brand.replace("_", " ").replace("-", " ").title()
            provenance["from_name"] = "brand folder name"
    if not email:
        hit = _first_email(folder)
        if hit:
            email, where = hit
            provenance["email"] = f"{where} (must be a verified sender on the platform)"
    return Sender(
        from_name=from_name,
        email=email,
        reply_to=reply_to or email,
        postal_address=postal_address,
        provenance=provenance,
    )
