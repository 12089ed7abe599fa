"""Hand-written bad briefs (tests/reliability/corpus/briefs/): each is refused with one line that
names the file, the field or line, and the fix; the CLI shows that line, exit code 2, no
traceback. The one valid file (emoji, right-to-left text, an emoji joiner) loads unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copilot.errors import BriefError
from copilot.io.brief import MAX_BRIEF_BYTES, load_brief

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "corpus" / "briefs"

#: file -> pieces its message must hold (the field or line, and the fix)
EXPECTED: dict[str, list[str]] = {
    "binary.yaml": ["binary file", "saved as UTF-8"],
    "latin1.yaml": ["line 3", "not UTF-8", "byte 0xE9", "save the file as UTF-8"],
    "utf16.yaml": ["UTF-16", "save it as UTF-8"],
    "control_char.yaml": ["line 5", "U+0007", "remove it"],
    "yaml_unclosed.yaml": ["line 4", "not valid YAML", "check the"],
    "yaml_bad_indent.yaml": ["line 3", "not valid YAML", "indentation"],
    "yaml_python_tag.yaml": ["line 5", "not valid YAML", "python/object"],
    "json_trailing_comma.json": ["line 1", "not valid JSON"],
    "deep_nesting.yaml": ["nested too deeply", "brackets"],
    "impossible_date.yaml": ["cannot be read", "month must be in 1..12", "YYYY-MM-DD"],
    "empty.yaml": ["empty", "brand, goal and segment"],
    "top_level_list.yaml": ["must be a mapping", "got list"],
    "missing_goal.yaml": ["field 'goal' is required", "one of welcome"],
    "segment_as_text.yaml": ["field 'segment'", "segment: {name:"],
    "unknown_goal.yaml": ["field 'goal'", "'black_friday'", "'welcome'"],
    "unknown_platform.yaml": ["field 'platform'", "'sendgrid'", "'mailchimp'"],
    "negative_size.yaml": ["field 'segment.size'", "-3", "from 1 to 1,000,000,000"],
    "absurd_size.yaml": ["field 'segment.size'", "10000000000000", "from 1 to"],
    "yes_size.yaml": ["field 'segment.size'", "whole number"],
    "zero_width_brand.yaml": ["field 'brand'", "U+200B", "ZERO WIDTH SPACE", "retype"],
    "rtl_override_offer.yaml": ["field 'offer'", "U+202E", "RIGHT-TO-LEFT OVERRIDE"],
    "cta_url_not_a_link.yaml": ["field 'cta_url'", "https://"],
    "cta_url_placeholder.yaml": ["field 'cta_url'", "placeholder", "real page"],
    "unknown_field.yaml": ["field 'colour'", "not a brief field", "spelling"],
    "alias_bomb.yaml": ["field 'offer'", "valid string", "one line of text"],
}
VALID = "valid_unicode.yaml"
#: a few of the files through the real command line (each run starts a Python process)
THROUGH_CLI = ["binary.yaml", "yaml_unclosed.yaml", "unknown_goal.yaml", "zero_width_brand.yaml"]


def test_every_corpus_file_has_its_expectation() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted([*EXPECTED, VALID])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_brief_is_one_line_naming_the_file_field_and_fix(name: str) -> None:
    path = CORPUS / name
    with pytest.raises(BriefError) as err:
        load_brief(path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    assert len(message) < 1200, message  # a huge or deeply shared value is not echoed whole
    for piece in EXPECTED[name]:
        assert piece in message, message


def test_emoji_right_to_left_text_and_joiners_are_kept_as_written() -> None:
    brief = load_brief(CORPUS / VALID)
    assert brief.offer == "Free shipping \U0001f69a over $40 \u2014 משלוח חינם"
    assert brief.tone == "warm \U0001f468\u200d\U0001f469\u200d\U0001f467 family"
    assert brief.segment.name == "nuevos_suscriptores"


def run_generate(brief: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", "generate", "--brief", str(brief), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *pieces: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout == ""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for piece in pieces:
        assert piece in lines[0], lines[0]


@pytest.mark.parametrize("name", THROUGH_CLI)
def test_the_cli_shows_the_message_and_exits_2(name: str) -> None:
    assert_one_line_error(run_generate(CORPUS / name), *EXPECTED[name])


def test_a_10_mb_brief_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write("brand: harbor_bean\ngoal: welcome\nsegment: {name: all}\noffer: ")
        out.write("x" * (10 * 1024 * 1024))
    assert path.stat().st_size > MAX_BRIEF_BYTES
    with pytest.raises(BriefError, match=r"huge\.yaml: the file is 10\.5 MB.*right file"):
        load_brief(path)
    assert_one_line_error(run_generate(path), "10.5 MB", "check that the path")
