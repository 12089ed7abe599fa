"""Briefs: examples load; every kind of bad input names the field, what was given and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copilot.errors import BriefError
from copilot.io.brief import Goal, load_brief, parse_brief

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_there_are_at_least_four_example_briefs() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_briefs_are_valid(path: Path) -> None:
    brief = load_brief(path)
    assert brief.brand == "harbor_bean"
    assert isinstance(brief.goal, Goal)


def _base() -> dict:
    return {"brand": "acme", "goal": "welcome", "segment": {"name": "new"}}


def test_minimal_brief_has_defaults() -> None:
    brief = parse_brief(_base())
    assert brief.platform == "mailchimp"
    assert brief.language == "en"
    assert brief.personalization == []


def test_personalization_is_normalised_to_field_names() -> None:
    brief = parse_brief({**_base(), "personalization": ["[FNAME]", "lname"]})
    assert brief.personalization == ["FNAME", "LNAME"]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"goal": "black_friday"}, ["goal", "black_friday", "abandoned_cart"]),
        ({"platform": "sendgrid"}, ["platform", "sendgrid", "mailchimp"]),
        ({"segment": {"name": "x", "lifecycle": "vip"}}, ["segment.lifecycle", "vip"]),
        ({"segment": {"name": "x", "size": -5}}, ["segment.size"]),
        ({"colour": "red"}, ["colour", "not a brief field"]),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(patch: dict, expected: list[str]) -> None:
    with pytest.raises(BriefError) as err:
        parse_brief({**_base(), **patch})
    for piece in expected:
        assert piece in str(err.value)


@pytest.mark.parametrize("field", ["brand", "goal", "segment"])
def test_missing_required_fields_are_named(field: str) -> None:
    data = _base()
    del data[field]
    with pytest.raises(BriefError, match=f"field '{field}' is required"):
        parse_brief(data)


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("brand: acme\ngoal: welcome\nsegment: {name: [unclosed\n", encoding="utf-8")
    with pytest.raises(BriefError, match=r"line \d+"):
        load_brief(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BriefError, match="not found"):
        load_brief(tmp_path / "nope.yaml")


def test_cli_rejects_a_bad_brief_with_one_line_and_no_traceback() -> None:
    bad = ROOT / "tests" / "fixtures" / "briefs" / "bad_goal.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "generate", "--brief", str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "goal" in lines[0]
    assert proc.stdout == ""
