"""Knowledge base page: brands and counts, an upload's problems listed with nothing written, and
what retrieval returns for a brief. The import itself is tested in test_kb_upload.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import BAD_NUMBER, GOOD_ROW, TOO_MANY_CLICKS, upload_csv

from copilot.settings import Settings
from ui.testing import open_app, texts


def _settings(tmp_path: Path, kb: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]


def test_the_page_lists_brands_with_their_counts(tmp_path: Path, tidewater_kb: Path) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=120)
    table = at.dataframe[0].value
    row = table[table["brand"] == "tidewater"].iloc[0]
    assert row["past sends"] == 5 and row["in store"] == "not ingested"


def test_a_brand_ingested_from_outside_the_kb_folder_is_listed_and_can_be_picked(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    from fakes.builders import make_brand

    from copilot.knowledge.brand import register_brand

    register_brand(tidewater_kb, make_brand(tmp_path / "elsewhere", "driftwood"))
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert list(at.dataframe[0].value["brand"]) == ["driftwood", "tidewater"]
    assert "driftwood" in at.selectbox(key="kb_ingest_brand").options


def test_checking_an_upload_on_the_page_lists_every_problem_and_writes_nothing(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=120)
    before = (tidewater_kb / "tidewater" / "past_campaigns.csv").read_bytes()
    at.get("file_uploader")[2].set_value(
        ("past_campaigns.csv", upload_csv(GOOD_ROW, BAD_NUMBER, TOO_MANY_CLICKS), "text/csv")
    )
    at.run()
    at.button(key="kb_import").click().run()
    assert not at.exception
    assert any("Nothing was imported: 2 problem(s)" in e.value for e in at.error)
    shown = texts(at)
    assert "line 3" in shown and "line 4" in shown
    assert (tidewater_kb / "tidewater" / "past_campaigns.csv").read_bytes() == before


@pytest.mark.integration
def test_import_on_the_page_ingests_and_retrieval_shows_metrics(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=600)
    at.get("file_uploader")[2].set_value(("past_campaigns.csv", upload_csv(GOOD_ROW), "text/csv"))
    at.run()
    at.button(key="kb_import").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Imported into tidewater" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert table[table["brand"] == "tidewater"].iloc[0]["past sends"] == 6
    at.selectbox(key="kb_q_goal").set_value("promotion")
    at.text_input(key="kb_q_segment").set_value("all_customers")
    at.button(key="FormSubmitter:kb_preview-Retrieve").click().run()
    assert not at.exception, [e.message for e in at.exception]
    top = at.dataframe[1].value
    assert len(top) >= 1
    assert top["click rate"].between(0, 1).all() and top["open rate"].notna().all()
    assert set(top["goal"]) >= {"promotion"}
