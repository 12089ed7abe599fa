"""Small helpers shared by CLI commands: stderr progress and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any


def info(message: str) -> None:
    """Progress and status go to stderr so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def progress(message: str, fraction: float) -> None:
    """A progress report (copilot.progress.Progress) as one stderr line: `[ 40%] message`."""
    info(f"[{fraction:4.0%}] {message}")


def print_json(payload: Any) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
