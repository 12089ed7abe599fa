"""Knowledge base page: brands and counts, uploads validated as a whole (every bad row named,
nothing half-imported), and what retrieval returns for a brief."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import CAMPAIGNS_CSV, PRODUCTS_MD, VOICE_MD, make_brand

from copilot.settings import Settings
from ui.kb_import import campaign_problems, import_files
from ui.testing import open_app, texts

HEADER = CAMPAIGNS_CSV.splitlines()[0]
GOOD_ROW = "n-001,,2025-08-05,promotion,all_customers,A new roast for August,Fresh this week.,,3000,900,90,,,mailchimp"
MULTILINE_ROW = (
    'n-002,,2025-08-12,promotion,all_customers,Two lines of body,Still fresh.,"First line\n'
    'second line",3000,800,70,,,mailchimp'
)
BAD_NUMBER = "n-003,,2025-08-19,promotion,all_customers,Bad count,Oops.,,lots,800,70,,,mailchimp"
TOO_MANY_CLICKS = (
    "n-004,,2025-08-26,promotion,all_customers,Too many clicks,Oops.,,100,50,500,,,mailchimp"
)


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_every_bad_row_is_named_with_its_line_and_field() -> None:
    text = _csv(GOOD_ROW, MULTILINE_ROW, BAD_NUMBER, TOO_MANY_CLICKS).decode()
    problems = campaign_problems(text)
    assert len(problems) == 2
    # the quoted body spans lines 3-4, so the bad rows are on lines 5 and 6 of the file
    assert problems[0].startswith("past_campaigns.csv line 5:") and "'recipients'" in problems[0]
    assert problems[1].startswith("past_campaigns.csv line 6:") and "'clicks'" in problems[1]


def test_a_missing_column_is_one_problem_not_one_per_row() -> None:
    text = "campaign_id,subject\nx,Hello there\ny,Again\n"
    problems = campaign_problems(text)
    assert len(problems) == 1 and "missing column" in problems[0]


def test_nothing_is_written_when_any_uploaded_file_has_a_problem(tmp_path: Path) -> None:
    folder = make_brand(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    report = import_files(
        tmp_path,
        "tidewater",
        {"voice.md": b"# New voice\n\nShort and kind.\n", "past_campaigns.csv": _csv(BAD_NUMBER)},
    )
    assert not report.ok and report.written == []
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_append_adds_new_rows_and_skips_rows_already_there(tmp_path: Path) -> None:
    folder = make_brand(tmp_path)
    existing = CAMPAIGNS_CSV.splitlines()[1]
    dry = import_files(
        tmp_path, "tidewater", {"past_campaigns.csv": _csv(existing, GOOD_ROW)}, dry_run=True
    )
    assert dry.ok and dry.written == []
    assert "append 1 row(s)" in dry.actions[0] and "1 already there" in dry.actions[0]
    assert "n-001" not in (folder / "past_campaigns.csv").read_text()
    done = import_files(tmp_path, "tidewater", {"past_campaigns.csv": _csv(existing, GOOD_ROW)})
    assert done.ok and done.written == ["past_campaigns.csv"]
    text = (folder / "past_campaigns.csv").read_text()
    assert text.count("n-001") == 1 and text.count(existing.split(",")[0]) == 1


def test_replace_mode_replaces_the_campaigns_file(tmp_path: Path) -> None:
    folder = make_brand(tmp_path)
    report = import_files(
        tmp_path, "tidewater", {"past_campaigns.csv": _csv(GOOD_ROW)}, csv_mode="replace"
    )
    assert report.ok
    rows = (folder / "past_campaigns.csv").read_text().strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("n-001")


def test_a_new_brand_needs_a_voice_or_products_document(tmp_path: Path) -> None:
    only_csv = import_files(tmp_path, "tidal_tea", {"past_campaigns.csv": _csv(GOOD_ROW)})
    assert not only_csv.ok and "brand folder is empty" in only_csv.problems[0]
    assert not (tmp_path / "tidal_tea").exists()
    created = import_files(
        tmp_path,
        "tidal_tea",
        {"voice.md": VOICE_MD.encode(), "products.md": PRODUCTS_MD.encode()},
    )
    assert created.ok and created.new_brand
    assert sorted(p.name for p in (tmp_path / "tidal_tea").iterdir()) == ["products.md", "voice.md"]


@pytest.mark.parametrize(
    ("brand", "uploads", "problem"),
    [
        ("Tidal Tea", {"voice.md": b"x"}, "lower-case letters"),
        ("tidewater", {"voice.md": b"\xff\xfe\x00bad"}, "not UTF-8"),
        ("tidewater", {"voice.md": b"   \n"}, "empty"),
        ("tidewater", {"notes.txt": b"hello"}, "unknown file"),
        ("tidewater", {}, "at least one file"),
    ],
)
def test_bad_uploads_are_named(
    tmp_path: Path, brand: str, uploads: dict[str, bytes], problem: str
) -> None:
    make_brand(tmp_path)
    report = import_files(tmp_path, brand, uploads)
    assert not report.ok and any(problem in p for p in report.problems)


# -- the page ----------------------------------------------------------------------------------


def _settings(tmp_path: Path, kb: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]


def test_the_page_lists_brands_with_their_counts(tmp_path: Path, tidewater_kb: Path) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=120)
    table = at.dataframe[0].value
    row = table[table["brand"] == "tidewater"].iloc[0]
    assert row["past sends"] == 5 and row["in store"] == "not ingested"


def test_checking_an_upload_on_the_page_lists_every_problem_and_writes_nothing(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), "knowledge", timeout=120)
    before = (tidewater_kb / "tidewater" / "past_campaigns.csv").read_bytes()
    at.get("file_uploader")[2].set_value(
        ("past_campaigns.csv", _csv(GOOD_ROW, BAD_NUMBER, TOO_MANY_CLICKS), "text/csv")
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
    at.get("file_uploader")[2].set_value(("past_campaigns.csv", _csv(GOOD_ROW), "text/csv"))
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
