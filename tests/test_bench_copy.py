"""The copy benchmark's report logic: ratings joined to runs, sendable shares, the tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location(
        "bench_copy", ROOT / "benchmarks" / "bench_copy.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_copy"] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def line(id_, run, strategy, brief, subject, **kw):
    row = {
        "id": id_,
        "run": run,
        "strategy": strategy,
        "code": "abc1234",
        "brief": brief,
        "brand": brief.split("_")[0],
        "goal": "welcome",
        "platform": "mailchimp",
        "rank": "1",
        "subject": subject,
        "preheader": "pre",
        "angle": "benefit",
        "score": "70",
        "fluency": "",
        "relevance": "0.5",
        "grounding": "pass",
        "voice": "0.6",
        "fallback": "0",
        "checks": "",
    }
    row.update(kw)
    return row


def brief_row(run, strategy, brief, delivered, requested=3, **kw):
    row = {
        "run": run,
        "strategy": strategy,
        "code": "abc1234",
        "brief": brief,
        "brand": brief.split("_")[0],
        "requested": str(requested),
        "delivered": str(delivered),
        "calls": "13",
        "drafted": "12",
        "retries": "1",
        "unusable": "0",
        "rejected": "4",
        "fallbacks": "0",
        "wall_s": "20.0",
        "notes": "",
    }
    row.update(kw)
    return row


RUNS = [
    line("a1", "before", "baseline", "hb_cart", "Your cart is here"),
    line("a2", "before", "baseline", "hb_cart", "We're back"),
    line("a3", "before", "baseline", "tb_welcome", "Welcome aboard"),
    line("b1", "after", "edit", "hb_cart", "Your cart is here"),  # same text as a1
    line("b2", "after", "edit", "tb_welcome", "Solo £90 a month"),
    line("b3", "after", "edit", "tb_welcome", "Unrated line"),
]
RATINGS = [
    {"id": "a1", "rating": "5", "sendable": "yes", "notes": ""},
    {"id": "a2", "rating": "2", "sendable": "no", "notes": "off brief"},
    {"id": "a3", "rating": "4", "sendable": "", "notes": ""},
    {"id": "b2", "rating": "1", "sendable": "no", "notes": "wrong period"},
]
BRIEFS = [
    brief_row("before", "baseline", "hb_cart", 2),
    brief_row("before", "baseline", "tb_welcome", 1),
    brief_row("after", "edit", "hb_cart", 1, wall_s="10.0"),
    brief_row("after", "edit", "tb_welcome", 2, wall_s="30.0", retries="3"),
]


def test_join_by_id_and_by_identical_text():
    joined = {r["id"]: r for r in bench.join_ratings(RUNS, RATINGS)}
    assert joined["a1"]["rating"] == 5 and joined["a1"]["sendable"] is True
    assert joined["a3"]["sendable"] is True  # blank sendable follows the rating
    assert joined["b1"]["rating"] == 5  # identical line for the same brief, rated once
    assert joined["b3"]["rating"] is None


def test_same_text_for_another_brief_is_not_shared():
    runs = [*RUNS, line("c1", "after", "edit", "tb_welcome", "Your cart is here")]
    joined = {r["id"]: r for r in bench.join_ratings(runs, RATINGS)}
    assert joined["c1"]["rating"] is None


def test_sendable_flag_must_agree_with_rating():
    with pytest.raises(ValueError, match="disagrees"):
        bench.join_ratings(RUNS, [{"id": "a2", "rating": "2", "sendable": "yes", "notes": ""}])
    with pytest.raises(ValueError, match="not 1-5"):
        bench.join_ratings(RUNS, [{"id": "a2", "rating": "7", "sendable": "", "notes": ""}])


def test_summary_percentages_and_proxies():
    summary = bench.summarise(bench.join_ratings(RUNS, RATINGS), BRIEFS)
    before, after = summary["before/baseline"], summary["after/edit"]
    assert before["delivered"] == 3 and before["requested"] == 6
    assert before["rated"] == 3 and before["sendable"] == 2
    assert before["pct_sendable"] == pytest.approx(200 / 3)
    assert before["mean_rating"] == pytest.approx(11 / 3)
    # b3 is unrated: the share is over rated lines only
    assert after["rated"] == 2 and after["pct_sendable"] == pytest.approx(50.0)
    assert after["wall_median"] == pytest.approx(20.0)
    assert after["retries"] == pytest.approx(2.0)
    assert after["full_briefs"] == 0
    assert after["grounding_pass"] == pytest.approx(100.0)


def test_report_tables_put_arms_side_by_side():
    text = bench.report_markdown(bench.join_ratings(RUNS, RATINGS), BRIEFS)
    assert "| before/baseline | 2 | 3 / 6 |" in text
    assert "| 13.0 | 1.0 |" in text
    assert "| hb | 50 % (1/2) | 100 % (1/1) |" in text
    assert "| tb_welcome | 100 % (1/1); 1/3 | 0 % (0/1); 2/3 |" in text


def test_sheet_is_blind_and_skips_rated_lines(tmp_path, monkeypatch):
    runs, ratings, sheet = tmp_path / "runs.csv", tmp_path / "ratings.csv", tmp_path / "sheet.csv"
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "hb_cart.yaml").write_text(
        "brand: hb\ngoal: abandoned_cart\nsegment: {name: carts}\noffer: Free shipping\n"
    )
    bench.write_csv(runs, bench.RUN_COLUMNS, RUNS)
    bench.write_csv(ratings, bench.RATING_COLUMNS, RATINGS[:1])
    monkeypatch.setattr(bench, "RUNS_CSV", runs)
    monkeypatch.setattr(bench, "RATINGS_CSV", ratings)
    monkeypatch.setattr(bench, "SHEET_CSV", sheet)
    monkeypatch.setattr(bench, "BRIEFS_DIR", briefs)
    assert bench.write_sheet() == 4  # a1 rated, b1 identical to it
    rows = bench.read_csv(sheet)
    assert "strategy" not in rows[0] and "run" not in rows[0]
    assert {r["id"] for r in rows} == {"a2", "a3", "b2", "b3"}
    cart = next(r for r in rows if r["id"] == "a2")
    assert cart["brief"].startswith("goal: abandoned_cart; audience: carts; offer: Free shipping")


def test_drafted_by_sums_the_strategy_notes_of_the_runs():
    briefs = [
        {"notes": "drafting strategy auto: patterns 4, scratch 1 of the 5 returned | other"},
        {"notes": "drafting strategy auto: patterns 5 of the 5 returned"},
        {"notes": ""},
    ]
    assert bench.drafted_by(briefs) == "patterns 9, scratch 1"
    assert bench.drafted_by([{"notes": "no strategy note"}]) == "–"


def test_sequence_copy_table_counts_fallback_over_every_written_part():
    spec = importlib.util.spec_from_file_location(
        "bench_sequence_copy", ROOT / "benchmarks" / "bench_sequence_copy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = [
        {
            "brief": "a",
            "playbook": "welcome",
            "steps": 4,
            "model": 10,
            "patterns": 4,
            "fallback": 2,
            "wall_s": 12.0,
            "failed": [],
        },
        {
            "brief": "b",
            "playbook": "win_back",
            "steps": 3,
            "model": 9,
            "patterns": 3,
            "fallback": 0,
            "wall_s": 8.0,
            "failed": ["sequence_subjects"],
        },
        {"brief": "c", "skipped": "the promotion playbook needs an offer"},
    ]
    text = module.section(rows, "auto")
    assert "| a | welcome | 4 | 10 | 4 | 2 | 12 % | none | 12 |" in text
    assert "| b | win_back | 3 | 9 | 3 | 0 | 0 % | sequence_subjects | 8 |" in text
    assert "skipped: the promotion playbook needs an offer" in text
    assert "| **all** | | 7 | 19 | 7 | 2 | **7 %** | | |" in text
