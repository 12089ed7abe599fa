"""Shared fixtures: real things built in temp dirs (a KB copy, a Chroma store, settings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copilot.settings import Settings

# local fake vendor servers and the small "tidewater" brand used by the export/results tests
pytest_plugins = ["fakes.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_BRAND = ROOT / "brand_kb" / "harbor_bean"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A KB folder holding a copy of the sample brand (tests may change it freely)."""
    kb = tmp_path / "brand_kb"
    kb.mkdir()
    shutil.copytree(SAMPLE_BRAND, kb / "harbor_bean")
    return kb


@pytest.fixture
def settings(tmp_path: Path, kb_dir: Path) -> Settings:
    """Settings pointing at a fresh embedded Chroma store and the temp KB."""
    return Settings(
        chroma_path=tmp_path / "chroma",
        kb_dir=kb_dir,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def ingested_sample(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One ingested copy of the sample brand shared by read-only tests (embedding is slow)."""
    from copilot.knowledge.ingest import ingest_brand

    base = tmp_path_factory.mktemp("sample")
    kb = base / "brand_kb"
    kb.mkdir()
    shutil.copytree(SAMPLE_BRAND, kb / "harbor_bean")
    s = Settings(chroma_path=base / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
    ingest_brand(kb / "harbor_bean", s)
    return s
