"""Property-based: whatever a brief file or field holds, loading it gives a Brief or one BriefError
line that names the file and the field; no other exception ever escapes (a traceback)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from copilot.errors import BriefError
from copilot.io.brief import MAX_SEGMENT_SIZE, Brief, load_brief, parse_brief

# no deadline: the machine may be busy; no example database: nothing is written to the work tree
PROPERTY = settings(max_examples=150, deadline=None, database=None)
BASE: dict[str, Any] = {"brand": "harbor_bean", "goal": "welcome", "segment": {"name": "all"}}
FIELDS = [
    "brand",
    "goal",
    "segment",
    "offer",
    "platform",
    "tone",
    "cta",
    "cta_url",
    "personalization",
    "language",
]
FREE_TEXT = ["offer", "tone", "cta"]
BIDI_OVERRIDES = {chr(c) for c in range(0x202A, 0x202F)}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def load_outcome(path: Path) -> Brief | str:
    """The brief, or the message of the BriefError (anything else propagates and fails)."""
    try:
        return load_brief(path)
    except BriefError as exc:
        message = str(exc)
        assert message.startswith(str(path)), message
        assert "\n" not in message, message
        return message


@pytest.fixture(scope="module")
def brief_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("briefs")


@PROPERTY
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json"]))
def test_any_bytes_give_a_brief_or_one_line_error(
    brief_dir: Path, data: bytes, suffix: str
) -> None:
    path = brief_dir / f"brief{suffix}"
    path.write_bytes(data)
    load_outcome(path)


@PROPERTY
@given(text=st.text(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_any_text_gives_a_brief_or_one_line_error(brief_dir: Path, text: str, suffix: str) -> None:
    path = brief_dir / f"brief{suffix}"
    path.write_text(text, encoding="utf-8")
    load_outcome(path)


# YAML that parses, built from scalars and YAML's own tricky words (dates, yes/no, ~, tags)
yaml_words = st.sampled_from(
    ["2026-13-01", "2026-02-30", "yes", "no", "~", "!!binary x", "!!int x", "*a", "&a", "<<: 1"]
)
yaml_lines = st.lists(
    st.tuples(
        st.sampled_from([*FIELDS, "segment.size", "extra"]), yaml_words | st.text(max_size=12)
    ),
    max_size=6,
)


@PROPERTY
@given(lines=yaml_lines)
def test_yaml_with_tricky_values_gives_a_brief_or_one_line_error(
    brief_dir: Path, lines: list[tuple[str, str]]
) -> None:
    path = brief_dir / "brief.yaml"
    head = "brand: harbor_bean\ngoal: welcome\nsegment: {name: all}\n"
    path.write_text(head + "".join(f"{k}: {v}\n" for k, v in lines), encoding="utf-8")
    load_outcome(path)


@PROPERTY
@given(value=json_like)
def test_a_whole_document_of_any_shape_gives_a_brief_or_one_line_error(
    brief_dir: Path, value: Any
) -> None:
    (brief_dir / "doc.yaml").write_text(yaml.safe_dump(value, allow_unicode=True), "utf-8")
    (brief_dir / "doc.json").write_text(json.dumps(value), "utf-8")
    load_outcome(brief_dir / "doc.yaml")
    load_outcome(brief_dir / "doc.json")


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=json_like)
def test_a_bad_value_in_any_field_is_named(field: str, value: Any) -> None:
    try:
        parse_brief({**BASE, field: value})
    except BriefError as exc:
        assert f"field '{field}" in str(exc), str(exc)


def _forbidden_in_text(text: str) -> bool:
    return any(
        (unicodedata.category(c) == "Cc" and c not in "\t\n\r") or c in BIDI_OVERRIDES for c in text
    )


@PROPERTY
@given(field=st.sampled_from(FREE_TEXT), text=st.text(max_size=60))
def test_free_text_is_kept_exactly_unless_it_holds_a_control_character(
    field: str, text: str
) -> None:
    """Emoji, joiners, right-to-left text: kept as written; controls and bidi overrides: named."""
    try:
        brief = parse_brief({**BASE, field: text})
    except BriefError as exc:
        assert _forbidden_in_text(text), str(exc)
        assert f"field '{field}'" in str(exc) and "U+" in str(exc) and "retype" in str(exc)
    else:
        assert not _forbidden_in_text(text)
        assert getattr(brief, field) == text


@PROPERTY
@given(text=st.text(max_size=40))
def test_a_brand_name_has_no_invisible_characters(text: str) -> None:
    name = text.strip()
    invisible = any(unicodedata.category(c) in ("Cc", "Cf") for c in name)
    try:
        brief = parse_brief({**BASE, "brand": text})
    except BriefError as exc:
        assert invisible or not name, str(exc)
        assert "field 'brand'" in str(exc)
    else:
        assert name and not invisible
        assert brief.brand == name


@PROPERTY
@given(size=st.integers(min_value=-(10**20), max_value=10**20))
def test_a_segment_size_outside_1_to_a_billion_is_named_with_the_range(size: int) -> None:
    try:
        brief = parse_brief({**BASE, "segment": {"name": "all", "size": size}})
    except BriefError as exc:
        assert not 1 <= size <= MAX_SEGMENT_SIZE
        assert "field 'segment.size'" in str(exc) and f"1 to {MAX_SEGMENT_SIZE:,}" in str(exc)
    else:
        assert 1 <= size <= MAX_SEGMENT_SIZE
        assert brief.segment.size == size
