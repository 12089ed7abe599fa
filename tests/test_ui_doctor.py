"""The sidebar's setup status shows `copilot doctor`'s checks, and a failure with its fix."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from copilot.settings import Settings
from ui.testing import open_app, texts

pytestmark = pytest.mark.integration  # the model check runs the bundled model in a child process


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_sidebar_says_the_setup_is_ok_with_every_check(tmp_path: Path, kb_dir: Path) -> None:
    s = Settings(chroma_path=tmp_path / "chroma", kb_dir=kb_dir, _env_file=None)  # type: ignore[call-arg]
    at = open_app(s, timeout=300)
    assert not at.exception, [e.message for e in at.exception]
    shown = texts(at)
    assert "Setup OK" in shown and "Setup problem" not in shown
    assert "✓ llama.cpp build: portable" in shown
    assert "✓ bundled model (Gemma 3 270M): loads, completes and embeds" in shown
    assert "✗ brand harbor_bean (optional): not ingested — fix: run `copilot kb ingest" in shown


def test_a_failed_check_is_named_with_its_fix(tmp_path: Path, kb_dir: Path) -> None:
    s = Settings(
        chroma_host="127.0.0.1",
        chroma_port=closed_port(),
        kb_dir=kb_dir,
        _env_file=None,  # type: ignore[call-arg]
    )
    at = open_app(s, timeout=300)
    shown = texts(at)
    assert "Setup problem: vector store" in shown
    assert "Setup OK" not in shown
    line = next(ln for ln in shown.splitlines() if ln.startswith("✗ vector store:"))
    assert "not reachable" in line and "— fix: start it with `chroma run" in line
