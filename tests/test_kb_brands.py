"""Which brands exist and where their files are: one answer (copilot.knowledge.brand) for every
command and page, a brand ingested from a folder outside COPILOT_KB_DIR included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.builders import make_brand, make_brief, sample_variants, variants_json
from typer.testing import CliRunner

from copilot.app.doctor import check_brands
from copilot.app.knowledge import brands, overview
from copilot.cli import app
from copilot.errors import UnknownBrandError
from copilot.knowledge.brand import (
    REGISTRY_FILE,
    brand_folder,
    brand_folders,
    brand_names,
    brand_path,
    register_brand,
)
from copilot.knowledge.retrieve import build_context
from copilot.settings import Settings, get_settings


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A KB directory holding one brand folder of its own."""
    kb_dir = tmp_path / "kb"
    make_brand(kb_dir, "harbour")
    return kb_dir


def test_a_brand_registered_from_outside_is_found_by_every_lookup(tmp_path: Path, kb: Path) -> None:
    outside = make_brand(tmp_path / "elsewhere", "tidewater")
    register_brand(kb, outside)
    assert brand_folder(kb, "tidewater") == outside.resolve()
    assert brand_path(kb, "tidewater") == outside.resolve()
    assert brand_names(kb) == ["harbour", "tidewater"]
    assert brand_folders(kb) == {"harbour": kb / "harbour", "tidewater": outside.resolve()}
    # one small JSON file beside the brand folders, written whole (no temp file left behind)
    assert sorted(p.name for p in kb.iterdir()) == ["brands.json", "harbour"]
    saved = json.loads((kb / REGISTRY_FILE).read_text(encoding="utf-8"))
    assert saved == {"brands": {"tidewater": str(outside.resolve())}}


def test_an_unknown_brand_names_the_registered_ones_too(tmp_path: Path, kb: Path) -> None:
    register_brand(kb, make_brand(tmp_path / "elsewhere", "tidewater"))
    with pytest.raises(UnknownBrandError, match="known brands: harbour, tidewater"):
        brand_folder(kb, "no_such_brand")


def test_without_a_registry_the_kb_folders_are_the_brands(kb: Path) -> None:
    assert brand_names(kb) == ["harbour"]
    assert brand_path(kb, "new_brand") == kb / "new_brand"  # where a new brand's files go
    with pytest.raises(UnknownBrandError, match="known brands: harbour"):
        brand_folder(kb, "tidewater")


def test_a_brand_ingested_again_from_the_kb_dir_drops_its_old_place(
    tmp_path: Path, kb: Path
) -> None:
    outside = make_brand(tmp_path / "elsewhere", "tidewater")
    register_brand(kb, outside)
    inside = make_brand(kb, "tidewater")
    register_brand(kb, inside)
    assert brand_folder(kb, "tidewater") == inside
    saved = json.loads((kb / REGISTRY_FILE).read_text(encoding="utf-8"))
    assert saved == {"brands": {}}


def test_a_later_ingest_from_another_folder_replaces_the_first(tmp_path: Path, kb: Path) -> None:
    register_brand(kb, make_brand(tmp_path / "one", "tidewater"))
    second = make_brand(tmp_path / "two", "tidewater")
    register_brand(kb, second)
    assert brand_folder(kb, "tidewater") == second.resolve()


def test_a_registered_folder_that_is_gone_says_to_ingest_it_again(tmp_path: Path, kb: Path) -> None:
    outside = make_brand(tmp_path / "elsewhere", "tidewater")
    register_brand(kb, outside)
    outside.rename(tmp_path / "moved")
    assert brand_names(kb) == ["harbour"]
    with pytest.raises(UnknownBrandError, match="no longer there.*kb ingest"):
        brand_folder(kb, "tidewater")


def test_registering_creates_a_missing_kb_dir(tmp_path: Path) -> None:
    kb_dir = tmp_path / "not_yet"
    outside = make_brand(tmp_path / "elsewhere", "tidewater")
    register_brand(kb_dir, outside)
    assert brand_names(kb_dir) == ["tidewater"]


def test_an_ingest_request_names_a_folder_or_a_brand() -> None:
    from pydantic import ValidationError

    from copilot.app.knowledge import IngestRequest

    with pytest.raises(ValidationError, match="a brand folder or a brand name"):
        IngestRequest()
    with pytest.raises(ValidationError, match="a brand folder or a brand name"):
        IngestRequest(folder=Path("x"), brand="x")


@pytest.fixture
def cli_env(tmp_path: Path, kb: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings the CLI reads from the environment: the KB dir above, a fresh store."""
    monkeypatch.setenv("COPILOT_KB_DIR", str(kb))
    monkeypatch.setenv("COPILOT_CHROMA_PATH", str(tmp_path / "chroma"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# the real embedder and store (as the UI tests' ingested_sample), no language model
def test_a_brand_ingested_from_outside_is_found_by_the_commands_and_pages(
    tmp_path: Path, cli_env: Settings
) -> None:
    outside = make_brand(tmp_path / "elsewhere", "tidewater")
    cli = CliRunner()
    done = cli.invoke(app, ["kb", "ingest", str(outside)])
    assert done.exit_code == 0, done.output
    assert "tidewater:" in done.stdout and "chunks in the store" in done.stdout
    counts = cli.invoke(app, ["kb", "stats", "tidewater", "--json"])
    assert counts.exit_code == 0, counts.output
    assert json.loads(counts.stdout)["total"] > 0
    # a bare name now re-ingests the folder it came from
    again = cli.invoke(app, ["kb", "ingest", "tidewater"])
    assert again.exit_code == 0, again.output
    assert "0 added, 0 removed" in again.stdout
    # what `copilot sequence`, `generate` and `bodies` do first: the brand's files and context
    context = build_context(make_brief(), cli_env)
    assert context.brand.folder == outside.resolve() and context.top_performers
    # a command that reads the brand's files and history without a model
    brief = tmp_path / "brief.json"
    brief.write_text(make_brief().model_dump_json(), encoding="utf-8")
    variants = variants_json(tmp_path / "variants.json", sample_variants())
    out = tmp_path / "ab_config.json"
    plan = cli.invoke(
        app,
        ["plan", "--brief", str(brief), "--variants", str(variants), "--out", str(out), "--json"],
    )
    assert not isinstance(plan.exception, UnknownBrandError), plan.exception
    assert plan.exit_code == 0, plan.output
    # the pages' brand lists and the doctor's
    assert brands(cli_env) == ["harbour", "tidewater"]
    listed = {b.brand: b for b in overview(cli_env)}
    assert listed["tidewater"].chunks and listed["tidewater"].past_sends > 0
    checks = {c.name: c for c in check_brands(cli_env)}
    assert checks["brand tidewater"].ok
    assert checks["brand harbour"].fix == f"run `copilot kb ingest {cli_env.kb_dir / 'harbour'}`"
