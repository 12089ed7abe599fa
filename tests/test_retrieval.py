"""Retrieval on the real embedder and Chroma: embedded and server modes, ranking, metrics, sources."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from copilot.io.brief import parse_brief
from copilot.knowledge.ingest import ingest_brand
from copilot.knowledge.mmr import mmr
from copilot.knowledge.retrieve import build_context
from copilot.settings import Settings
from tests.servers import free_port, running

pytestmark = pytest.mark.integration


def _brief(goal: str = "abandoned_cart", segment: str = "cart_abandoners") -> object:
    return parse_brief(
        {
            "brand": "harbor_bean",
            "goal": goal,
            "segment": {"name": segment, "description": "left coffee in the cart"},
        }
    )


def test_top_performers_carry_metrics_and_sources(ingested_sample: Settings) -> None:
    ctx = build_context(_brief(), ingested_sample)
    assert ctx.voice and ctx.products and ctx.top_performers
    for item in ctx.top_performers:
        assert item.kind == "campaign"
        assert {"open_rate", "click_rate", "recipients"} <= set(item.metrics)
        assert item.source.startswith("past_campaigns.csv line ")
    goals = [i.metadata["goal"] for i in ctx.top_performers]
    assert goals.count("abandoned_cart") >= len(goals) // 2


def test_ranking_blends_similarity_with_measured_performance(ingested_sample: Settings) -> None:
    ctx = build_context(_brief(), ingested_sample)
    same_goal = [i for i in ctx.top_performers if i.metadata["goal"] == "abandoned_cart"]
    # the best-clicking abandoned-cart email of the brand is among the retrieved items
    kb = ctx.brand
    best = max((c for c in kb.campaigns if c.goal == "abandoned_cart"), key=lambda c: c.click_rate)
    assert best.subject in {i.metadata["subject"] for i in same_goal}


def test_results_are_diversified() -> None:
    import numpy as np

    vecs = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    picks = mmr([1.0, 0.99, 0.6], lambda i, j: float(vecs[i] @ vecs[j]), k=2)
    assert picks == [0, 2]  # the exact copy of the first pick loses to a different item


def test_other_goal_retrieves_other_campaigns(ingested_sample: Settings) -> None:
    a = build_context(_brief(), ingested_sample)
    b = build_context(_brief("re_engagement", "lapsed_90d"), ingested_sample)
    assert {i.id for i in a.top_performers} != {i.id for i in b.top_performers}


def test_chroma_server_mode(tmp_path: Path, kb_dir: Path) -> None:
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    cmd = [str(chroma), "run", "--path", str(tmp_path / "server-db"), "--host", "127.0.0.1"]
    cmd += ["--port", str(port)]
    with running(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat", tmp_path / "chroma.log"):
        s = Settings(chroma_host="127.0.0.1", chroma_port=port, kb_dir=kb_dir, _env_file=None)  # type: ignore[call-arg]
        first = ingest_brand(kb_dir / "harbor_bean", s)
        again = ingest_brand(kb_dir / "harbor_bean", s)
        assert first.total == again.total > 60
        ctx = build_context(_brief(), s)
        assert ctx.top_performers and ctx.voice
    assert not (tmp_path / "chroma").exists()  # nothing went to the embedded store


def test_empty_knowledge_base_gives_empty_context(tmp_path: Path, kb_dir: Path) -> None:
    brand = kb_dir / "tiny"
    brand.mkdir()
    (brand / "voice.md").write_text("# Voice\n\n## Personality\nCalm.\n", encoding="utf-8")
    shutil.rmtree(kb_dir / "harbor_bean")
    s = Settings(chroma_path=tmp_path / "db", kb_dir=kb_dir, _env_file=None)  # type: ignore[call-arg]
    ingest_brand(brand, s)
    brief = parse_brief({"brand": "tiny", "goal": "welcome", "segment": {"name": "all"}})
    ctx = build_context(brief, s)
    assert ctx.top_performers == [] and ctx.products == [] and len(ctx.voice) == 1
