"""Variants page: table with scores and checks, why each scored as it did (breakdown, explanation,
the past campaigns it drew on with their metrics), picks for the test, a chart of score
components, and inline edits that re-score the whole set."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import make_brief
from streamlit.testing.v1 import AppTest

from copilot.knowledge.brand import load_brand
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant
from ui import state
from ui.testing import open_app, texts
from ui.views import components_frame, variants_frame

SOURCE = "past_campaigns.csv:t-002"


def _checks(spam: str = "pass", voice: float = 0.8) -> list[CheckResult]:
    return [
        CheckResult(name="subject_length", status="pass", score=1.0, message="fits"),
        CheckResult(
            name="spam",
            status=spam,  # type: ignore[arg-type]
            score=1.0 if spam == "pass" else 0.0,
            message="no spam signals" if spam == "pass" else "'FREE' is a trigger word",
        ),
        CheckResult(name="voice", status="pass", score=voice, message="voice fit"),
    ]


def _variants() -> list[Variant]:
    return [
        Variant(
            subject="*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*, ten percent off every bag",
            preheader="Until Sunday, on every roast we make.",
            angle="personalization",
            score=81.0,
            checks=_checks(),
            explanation="Scores 81/100. Every check passes.",
            sources=[SOURCE],
        ),
        Variant(
            subject="Our spring roasts, a little cheaper",
            preheader="Ten percent off every bag until Sunday.",
            angle="benefit",
            score=74.0,
            checks=_checks(voice=0.6),
            sources=[SOURCE],
        ),
        Variant(
            subject="FREE coffee for everyone",
            preheader="Not really, but ten percent off.",
            angle="curiosity",
            score=38.0,
            checks=_checks(spam="fail"),
        ),
    ]


def _context(kb: Path) -> BrandContext:
    item = RetrievedItem(
        id=SOURCE,
        kind="campaign",
        text="Ten percent off every bag until Sunday",
        source="past_campaigns.csv line 3",
        metrics={"open_rate": 0.2917, "click_rate": 0.031, "recipients": 24000.0},
        metadata={
            "subject": "Ten percent off every bag until Sunday",
            "goal": "promotion",
            "segment": "all_customers",
        },
    )
    return BrandContext(brand=load_brand(kb / "tidewater"), top_performers=[item])


def _page(tmp_path: Path, kb: Path) -> AppTest:
    brief = make_brief()
    session = {
        state.BRIEF: brief,
        state.VARIANTS: _variants(),
        state.CONTEXTS: {brief.model_dump_json(): _context(kb)},
    }
    settings = Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
    return open_app(settings, "variants", timeout=300, **session)


def test_table_shows_inbox_preview_score_and_checks(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _page(tmp_path, tidewater_kb)
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    assert list(table["#"]) == [1, 2, 3]
    assert table.loc[0, "inbox"] == "Alex, ten percent off every bag"  # a sample first name
    assert table.loc[2, "checks"].startswith("✗ spam")
    # a variant failing a hard check is not picked for the test by default
    assert list(table["test"]) == [True, True, False]
    assert "2 of 3 picked for the test" in texts(at)


def test_each_variant_explains_its_score_and_its_sources(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _page(tmp_path, tidewater_kb)
    assert [e.label.split(" · ")[0] for e in at.expander] == ["#1", "#2", "#3"]
    first = at.expander[0]
    assert "Every check passes" in " ".join(i.value for i in first.info)
    frames = [d.value for d in first.dataframe]
    breakdown, sources = frames[0], frames[1]
    assert set(breakdown["check"]) == {"subject_length", "spam", "voice"}
    assert sources.loc[0, "open rate"] == pytest.approx(0.2917)
    assert sources.loc[0, "subject"] == "Ten percent off every bag until Sunday"
    assert "red-badge" in at.expander[2].markdown[0].value  # the failed spam check


def test_score_components_chart_has_one_cell_per_variant_and_check() -> None:
    frame = components_frame(_variants())
    assert len(frame) == 9
    assert set(frame["variant"]) == {"#1", "#2", "#3"}
    assert frame[(frame["variant"] == "#3") & (frame["check"] == "spam")]["score"].iloc[0] == 0.0
    assert list(variants_frame(_variants(), [0])["test"]) == [True, False, False]


@pytest.mark.integration
def test_an_inline_edit_is_rescored_with_the_whole_set(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _page(tmp_path, tidewater_kb)
    form = at.expander[1]
    form.text_input[0].set_value("BUY NOW!!! FREE coffee, LIMITED time")
    form.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    edited = at.session_state[state.VARIANTS]
    assert edited[1].subject == "BUY NOW!!! FREE coffee, LIMITED time"
    # every variant was re-scored by the real evaluators (new checks, not the injected ones)
    for v in edited:
        assert v.score is not None and v.explanation
        assert {"merge_tags", "grounding", "preheader"} <= {c.name for c in v.checks}
    assert any(c.name == "spam" and c.status == "fail" for c in edited[1].checks)
    table = at.dataframe[0].value
    assert "✗" in table.loc[1, "checks"]
