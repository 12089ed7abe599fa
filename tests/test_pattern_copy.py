"""The pattern library's copy: every filled line reads as a finished, true line for the brief.

No model: the briefs are the copy benchmark's (benchmarks/data/copy_briefs) with their brands'
files, plus bare briefs (no offer, no call to action, no product) built here, which must still
get enough distinct lines for every goal.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from copilot.evaluation.checks.spam import SpamCheck
from copilot.evaluation.grounding.check import GroundingCheck
from copilot.evaluation.scores.shape import shape_problems
from copilot.generation.angles import ANGLES
from copilot.generation.subjects.patterns import FilledPattern, fill_patterns, patterns_for
from copilot.generation.tags import with_fallbacks
from copilot.io.brief import Brief, Goal, load_brief, parse_brief
from copilot.knowledge.brand import BrandKB, VoiceGuide, load_brand
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import render_tags
from copilot.variants import Variant

ROOT = Path(__file__).parents[1]
BRIEFS = sorted((ROOT / "benchmarks/data/copy_briefs").glob("*.yaml"))
BRAND_DIRS = (ROOT / "brand_kb", ROOT / "benchmarks/brands")
#: claims no pattern may make on its own (only a brief's offer or a brand's facts can)
INVENTED = re.compile(
    r"\b(free|best[- ]sell\w*|handmade|ships? today|limited|last chance|back in stock|hurry|"
    r"act now|urgent|guaranteed?|don't miss)\b",
    re.I,
)


@cache
def _brand(name: str) -> BrandKB:
    for root in BRAND_DIRS:
        if (root / name).is_dir():
            return load_brand(root / name)
    raise AssertionError(f"no brand folder for {name}")


def _bare_brand() -> BrandKB:
    return BrandKB(
        name="acme",  # a short name: the shortest preheaders still reach 40 characters
        folder=Path("."),
        voice=VoiceGuide(text="Plain and friendly."),
        products_text="# Acme: products\n\n- Widget: $10. A small widget.\n",
    )


def _fills(path: Path) -> tuple[Brief, list[FilledPattern]]:
    brief = load_brief(path)
    return brief, fill_patterns(brief, _brand(brief.brand))


def _bare(goal: Goal, fields: list[str]) -> Brief:
    return parse_brief(
        {"brand": "acme", "goal": goal.value, "segment": {"name": "all"}, "personalization": fields}
    )


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", re.sub(r"\{\{.*?\}\}", " ", text.lower())))


def _check_lines(fills: list[FilledPattern]) -> None:
    for p in fills:
        assert shape_problems(p.subject, "subject") == [], (p.pattern, p.subject)
        assert shape_problems(p.preheader, "preheader") == [], (p.pattern, p.preheader)
        subject, preheader = _words(p.subject), _words(p.preheader)
        assert subject and subject != preheader and subject not in preheader, p.pattern
        assert "!" not in p.subject + p.preheader, p.pattern


def test_there_are_benchmark_briefs() -> None:
    assert len(BRIEFS) >= 10


@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_every_fill_of_a_benchmark_brief_is_a_finished_line(path: Path) -> None:
    _brief, fills = _fills(path)
    assert len(fills) >= 5, [p.subject for p in fills]
    _check_lines(fills)
    assert len({p.subject for p in fills}) == len(fills)  # each fill is a distinct subject


@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.stem)
def test_every_fill_of_a_benchmark_brief_is_grounded_and_not_spam(path: Path) -> None:
    brief, fills = _fills(path)
    context = BrandContext(brand=_brand(brief.brand))
    variants = [
        Variant(
            subject=render_tags(with_fallbacks(p.subject), brief.platform, brief.personalization),
            preheader=render_tags(
                with_fallbacks(p.preheader), brief.platform, brief.personalization
            ),
            angle=p.angle,
        )
        for p in fills
    ]
    for check in (GroundingCheck(), SpamCheck()):
        for p, result in zip(fills, check.evaluate(variants, brief, context), strict=True):
            assert result.status == "pass", (check.name, p.pattern, p.subject, result.message)


@pytest.mark.parametrize("goal", list(Goal))
@pytest.mark.parametrize("fields", [[], ["FNAME"]], ids=["no-name", "name"])
def test_a_bare_brief_still_gets_enough_lines(goal: Goal, fields: list[str]) -> None:
    fills = fill_patterns(_bare(goal, fields), _bare_brand())
    assert len(fills) >= 6, [p.subject for p in fills]
    _check_lines(fills)
    assert len({p.subject for p in fills}) == len(fills)
    assert len({p.angle for p in fills}) >= 3


@pytest.mark.parametrize("goal", list(Goal))
def test_each_goal_has_varied_patterns_that_claim_nothing_themselves(goal: Goal) -> None:
    patterns = patterns_for(goal)
    assert 12 <= len(patterns) <= 24
    assert len({p.angle for p in patterns}) >= 4
    assert all(p.angle in ANGLES for p in patterns)
    bare = [p for p in patterns if p.slots() <= {"brand", "name"}]
    assert len(bare) >= 6 and len([p for p in bare if "name" not in p.slots()]) >= 3
    for p in patterns:
        for text in (p.subject, p.preheader):
            words = re.sub(r"\{[a-z_]+\}", "", text)
            assert not INVENTED.search(words), (goal.value, text)
            assert not re.search(r"\d", words), (goal.value, text)
            assert not re.search(r"\b[A-Z]{2,}\b", words), (goal.value, text)  # no shouting
            assert "!" not in words, (goal.value, text)
            # a first name only opens a line, followed by a comma
            assert "{name}" not in text or text.startswith("{name}, "), (goal.value, text)
