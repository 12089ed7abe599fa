"""Retrieval for a brief: voice and product chunks, and past top performers ranked by
similarity blended with measured performance, diversified with MMR."""

from __future__ import annotations

from typing import Any

import numpy as np

from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, brand_folder, load_brand
from copilot.knowledge.context import BrandContext, RetrievedItem
from copilot.knowledge.embeddings import Embedder, get_embedder
from copilot.knowledge.mmr import mmr
from copilot.knowledge.store import get_collection
from copilot.settings import Settings

#: weight of similarity vs measured performance when ranking past campaigns
SIMILARITY_WEIGHT = 0.5
GOAL_BONUS = 0.15
SEGMENT_BONUS = 0.1
#: weight of relevance against redundancy in the MMR pick of past campaigns
MMR_LAMBDA = 0.7


def brief_query(brief: Brief) -> str:
    """The text embedded to search the KB for this brief."""
    seg = brief.segment
    parts = [f"{brief.goal.value.replace('_', ' ')} email", f"for {seg.name.replace('_', ' ')}"]
    if seg.description:
        parts.append(seg.description)
    if brief.tone:
        parts.append(f"tone: {brief.tone}")
    if brief.offer:
        parts.append(f"offer: {brief.offer}")
    if brief.cta:
        parts.append(f"call to action: {brief.cta}")
    return ". ".join(parts)


def _percentiles(values: list[float]) -> list[float]:
    """Rank-normalise to [0, 1] within the brand (ties share the mean rank)."""
    if len(values) <= 1:
        return [0.5] * len(values)
    arr = np.asarray(values, dtype=float)
    order = arr.argsort().argsort().astype(float)
    ranks = np.empty_like(order)
    for v in np.unique(arr):
        mask = arr == v
        ranks[mask] = order[mask].mean()
    return list(ranks / (len(values) - 1))


def _query(
    collection: Any, vector: np.ndarray, where: dict[str, Any], n: int
) -> list[dict[str, Any]]:
    if n <= 0:
        return []
    res = collection.query(
        query_embeddings=[vector.tolist()],
        n_results=n,
        where=where,
        include=["documents", "metadatas", "distances", "embeddings"],
    )
    out = []
    for i, doc_id in enumerate(res["ids"][0]):
        out.append(
            {
                "id": doc_id,
                "text": res["documents"][0][i],
                "meta": res["metadatas"][0][i] or {},
                "similarity": 1.0 - float(res["distances"][0][i]),
                "vector": np.asarray(res["embeddings"][0][i], dtype=np.float32),
            }
        )
    return out


def _item(hit: dict[str, Any], kind: str, rank_score: float) -> RetrievedItem:
    meta = hit["meta"]
    metrics = {
        k: float(meta[k])
        for k in (
            "recipients",
            "opens",
            "clicks",
            "open_rate",
            "click_rate",
            "conversions",
            "revenue",
        )
        if k in meta
    }
    where = f"{meta.get('file', '?')}" + (
        f" line {meta['line']}" if "line" in meta else f" § {meta.get('section', '')}"
    )
    return RetrievedItem(
        id=hit["id"],
        kind=kind,  # type: ignore[arg-type]
        text=hit["text"],
        source=where,
        similarity=round(hit["similarity"], 4),
        rank_score=round(rank_score, 4),
        metrics=metrics,
        metadata={k: str(v) for k, v in meta.items() if k not in metrics},
    )


def retrieve(
    brief: Brief,
    kb: BrandKB,
    settings: Settings,
    embedder: Embedder | None = None,
    k: int | None = None,
) -> BrandContext:
    """Retrieve voice, product facts and top performers for the brief from the brand's collection."""
    k = k or settings.retrieval_k
    embedder = embedder or get_embedder(settings.embedding_model)
    collection = get_collection(settings, kb.name, create=False)
    qvec = embedder.encode([brief_query(brief)])[0]
    counts = _counts(collection)

    voice_hits = _query(collection, qvec, {"kind": "voice"}, min(k, counts.get("voice", 0)))
    product_hits = _query(collection, qvec, {"kind": "product"}, min(k, counts.get("product", 0)))

    n_campaigns = counts.get("campaign", 0)
    pool = _query(collection, qvec, {"kind": "campaign"}, min(max(40, 4 * k), n_campaigns))
    top: list[RetrievedItem] = []
    if pool:
        all_meta = (
            collection.get(where={"kind": "campaign"}, include=["metadatas"])["metadatas"] or []
        )
        perf_by_id = _performance(all_meta)
        relevance = []
        for hit in pool:
            meta = hit["meta"]
            perf = perf_by_id.get(
                str(meta.get("campaign_id")) + "|" + str(meta.get("subject")), 0.5
            )
            score = SIMILARITY_WEIGHT * hit["similarity"] + (1 - SIMILARITY_WEIGHT) * perf
            if meta.get("goal") == brief.goal.value:
                score += GOAL_BONUS
            if meta.get("segment") == brief.segment.name:
                score += SEGMENT_BONUS
            relevance.append(score)
        vectors = np.stack([h["vector"] for h in pool])
        picks = mmr(relevance, lambda i, j: float(vectors[i] @ vectors[j]), k, weight=MMR_LAMBDA)
        top = [_item(pool[i], "campaign", relevance[i]) for i in picks]

    return BrandContext(
        brand=kb,
        voice=[_item(h, "voice", h["similarity"]) for h in voice_hits],
        products=[_item(h, "product", h["similarity"]) for h in product_hits],
        top_performers=top,
    )


def _counts(collection: Any) -> dict[str, int]:
    metas = collection.get(include=["metadatas"])["metadatas"] or []
    counts: dict[str, int] = {}
    for meta in metas:
        kind = str((meta or {}).get("kind", ""))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _performance(metas: list[Any]) -> dict[str, float]:
    """Measured performance per sent variant: click rate (70%) and open rate (30%) percentiles."""
    keys = [str(m.get("campaign_id")) + "|" + str(m.get("subject")) for m in metas]
    clicks = _percentiles([float(m.get("click_rate", 0.0)) for m in metas])
    opens = _percentiles([float(m.get("open_rate", 0.0)) for m in metas])
    return {key: 0.7 * c + 0.3 * o for key, c, o in zip(keys, clicks, opens, strict=True)}


def build_context(
    brief: Brief, settings: Settings, embedder: Embedder | None = None
) -> BrandContext:
    """Load the brief's brand from the KB folder and retrieve its context from the store."""
    kb = load_brand(brand_folder(settings.kb_dir, brief.brand))
    return retrieve(brief, kb, settings, embedder=embedder)
