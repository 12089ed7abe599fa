"""Write one benchmark's results into its own marked section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Each section is written by the script named in it; re-run the script to refresh it.\n"
    "Speed is measured here, never asserted in tests.\n"
)


def machine() -> str:
    """A one-line description of where the numbers were taken."""
    return f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, {platform.machine()}"


def write_section(name: str, markdown: str) -> Path:
    """Replace the `<!-- name:start -->` … `<!-- name:end -->` block (or append it)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else HEADER
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    return DOC
