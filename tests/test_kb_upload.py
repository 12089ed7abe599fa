"""Uploaded brand files are validated as a whole: every bad row named with its line and field,
nothing written unless the brand folder validates afterwards, new rows appended once."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import (
    BAD_NUMBER,
    CAMPAIGNS_CSV,
    GOOD_ROW,
    MULTILINE_ROW,
    PRODUCTS_MD,
    TOO_MANY_CLICKS,
    VOICE_MD,
    make_brand,
    upload_csv,
)

from copilot.knowledge.brand import is_brand_slug
from copilot.knowledge.upload import campaign_problems, import_files


def test_every_bad_row_is_named_with_its_line_and_field() -> None:
    text = upload_csv(GOOD_ROW, MULTILINE_ROW, BAD_NUMBER, TOO_MANY_CLICKS).decode()
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
        {
            "voice.md": b"# New voice\n\nShort and kind.\n",
            "past_campaigns.csv": upload_csv(BAD_NUMBER),
        },
    )
    assert not report.ok and report.written == []
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_append_adds_new_rows_and_skips_rows_already_there(tmp_path: Path) -> None:
    folder = make_brand(tmp_path)
    existing = CAMPAIGNS_CSV.splitlines()[1]
    dry = import_files(
        tmp_path, "tidewater", {"past_campaigns.csv": upload_csv(existing, GOOD_ROW)}, dry_run=True
    )
    assert dry.ok and dry.written == []
    assert "append 1 row(s)" in dry.actions[0] and "1 already there" in dry.actions[0]
    assert "n-001" not in (folder / "past_campaigns.csv").read_text()
    done = import_files(
        tmp_path, "tidewater", {"past_campaigns.csv": upload_csv(existing, GOOD_ROW)}
    )
    assert done.ok and done.written == ["past_campaigns.csv"]
    text = (folder / "past_campaigns.csv").read_text()
    assert text.count("n-001") == 1 and text.count(existing.split(",")[0]) == 1


def test_replace_mode_replaces_the_campaigns_file(tmp_path: Path) -> None:
    folder = make_brand(tmp_path)
    report = import_files(
        tmp_path,
        "tidewater",
        {"past_campaigns.csv": upload_csv(GOOD_ROW)},
        csv_mode="replace",
        confirm_loss=True,
    )
    assert report.ok
    rows = (folder / "past_campaigns.csv").read_text().strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("n-001")
    assert report.backup is not None and report.backup.replaced == ["past_campaigns.csv"]


def test_a_new_brand_needs_a_voice_or_products_document(tmp_path: Path) -> None:
    only_csv = import_files(tmp_path, "tidal_tea", {"past_campaigns.csv": upload_csv(GOOD_ROW)})
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


@pytest.mark.parametrize(
    ("name", "ok"),
    [("harbor_bean", True), ("tidal-tea2", True), ("Tidal Tea", False), ("_x", False), ("", False)],
)
def test_brand_names_are_lower_case_slugs(name: str, ok: bool) -> None:
    assert is_brand_slug(name) is ok
