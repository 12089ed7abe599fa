"""Knowledge base ingest on the real embedder and a real embedded Chroma store."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import KnowledgeBaseError, UnknownBrandError
from copilot.knowledge.brand import brand_folder, load_brand, parse_campaigns
from copilot.knowledge.ingest import brand_stats, ingest_brand
from copilot.settings import Settings

pytestmark = pytest.mark.integration


def test_sample_brand_meets_the_brief(kb_dir: Path) -> None:
    kb = load_brand(kb_dir / "harbor_bean")
    assert len(kb.campaigns) >= 60
    goals = {c.goal for c in kb.campaigns}
    assert len(goals) >= 8
    ab_tests = {c.ab_test_id for c in kb.campaigns if c.ab_test_id}
    assert len(ab_tests) >= 3
    for c in kb.campaigns:
        assert 0.15 <= c.open_rate <= 0.55, c.campaign_id
        assert 0.01 <= c.click_rate <= 0.08, c.campaign_id
    assert kb.voice.donts and kb.voice.vocabulary
    assert "fictional" in (kb_dir / "harbor_bean" / "README.md").read_text().lower()


def test_ingest_is_idempotent(settings: Settings, kb_dir: Path) -> None:
    first = ingest_brand(kb_dir / "harbor_bean", settings)
    second = ingest_brand(kb_dir / "harbor_bean", settings)
    assert first.total == second.total > 60
    assert all(f.added == 0 and f.removed == 0 for f in second.files.values())
    stats = brand_stats("harbor_bean", settings)
    assert stats["campaign"] == len(load_brand(kb_dir / "harbor_bean").campaigns)
    assert stats["voice"] > 0 and stats["product"] > 0


def test_changed_file_replaces_its_old_chunks(settings: Settings, kb_dir: Path) -> None:
    folder = kb_dir / "harbor_bean"
    ingest_brand(folder, settings)
    voice = folder / "voice.md"
    voice.write_text(
        "# Voice\n\n## Personality\nBrisk and nautical.\n\n## Do\n- Say ahoy\n", encoding="utf-8"
    )
    report = ingest_brand(folder, settings)
    assert report.files["voice.md"].removed > 0
    assert report.files["voice.md"].added == 2
    stats = brand_stats("harbor_bean", settings)
    assert stats["voice"] == 2
    assert report.files["products.md"].added == 0  # untouched files are not re-embedded


def test_malformed_csv_row_names_line_and_field_and_writes_nothing(
    settings: Settings, kb_dir: Path
) -> None:
    folder = kb_dir / "harbor_bean"
    ingest_brand(folder, settings)
    before = brand_stats("harbor_bean", settings)
    csv_path = folder / "past_campaigns.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    good = lines[:5]
    bad = lines[5].split(",")
    # corrupt the opens column of the 5th data row (file line 6)
    header = lines[0].split(",")
    bad[header.index("opens")] = "lots"
    csv_path.write_text("\n".join([*good, ",".join(bad), *lines[6:]]) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        ingest_brand(folder, settings)
    message = str(err.value)
    assert "line 6" in message and "'opens'" in message
    assert brand_stats("harbor_bean", settings) == before


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("c1,,2025-01-01,welcome,new,Hi,pre,,100,200,5,,,mailchimp", "'opens' (200) exceeds"),
        ("c1,,yesterday,welcome,new,Hi,pre,,100,20,5,,,mailchimp", "'sent_at'"),
        ("c1,,2025-01-01,welcome,new,,pre,,100,20,5,,,mailchimp", "'subject' is empty"),
        ("c1,,2025-01-01,welcome,new,Hi,pre,,0,0,0,,,mailchimp", "'recipients'"),
        ("c1,,2025-01-01,welcome,new,Hi,pre,,100,20,5,,12x,mailchimp", "'revenue'"),
    ],
)
def test_csv_validation_messages(row: str, needle: str) -> None:
    header = (
        "campaign_id,ab_test_id,sent_at,goal,segment,subject,preheader,body,recipients,"
        "opens,clicks,conversions,revenue,platform"
    )
    with pytest.raises(KnowledgeBaseError) as err:
        parse_campaigns(f"{header}\n{row}\n")
    assert "line 2" in str(err.value) and needle in str(err.value)


def test_missing_columns_are_named() -> None:
    with pytest.raises(KnowledgeBaseError, match="missing column"):
        parse_campaigns("campaign_id,subject\nc1,Hi\n")


def test_empty_brand_folder_is_a_clear_error(settings: Settings, kb_dir: Path) -> None:
    empty = kb_dir / "empty_brand"
    empty.mkdir()
    with pytest.raises(KnowledgeBaseError, match="empty"):
        ingest_brand(empty, settings)


def test_unknown_brand_lists_the_known_ones(kb_dir: Path) -> None:
    with pytest.raises(UnknownBrandError, match="harbor_bean"):
        brand_folder(kb_dir, "no_such_brand")


def test_stats_of_a_brand_never_ingested_says_how_to_fix(settings: Settings) -> None:
    with pytest.raises(KnowledgeBaseError, match="kb ingest"):
        brand_stats("harbor_bean", settings)


def test_cli_ingest_takes_a_brand_name_under_the_kb_dir(tmp_path: Path, kb_dir: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_KB_DIR=str(kb_dir), COPILOT_CHROMA_PATH=str(tmp_path / "chroma"))
    run = [sys.executable, "-m", "copilot.cli", "kb"]
    work = tmp_path / "elsewhere"  # no harbor_bean folder here: the name resolves in the KB dir
    work.mkdir()
    before = subprocess.run(
        [*run, "stats", "harbor_bean"], capture_output=True, text=True, env=env, cwd=work
    )
    assert before.returncode != 0
    # the fix names the configured KB folder, not a hard-coded one
    assert f"copilot kb ingest {kb_dir / 'harbor_bean'}" in before.stderr
    done = subprocess.run(
        [*run, "ingest", "harbor_bean"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "harbor_bean:" in done.stdout and "chunks in the store" in done.stdout
