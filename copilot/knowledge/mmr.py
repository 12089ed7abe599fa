"""Maximal marginal relevance: pick relevant items that are not near-copies of earlier picks.

One greedy pick serves retrieval (past campaigns by embedding similarity) and the choice of the
variants to test (by text similarity): each step takes the item with the highest
`weight * relevance - (1 - weight) * (its largest similarity to an item already picked)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: weight of relevance against redundancy when a caller gives none
WEIGHT = 0.7


def mmr(
    relevance: Sequence[float],
    similarity: Callable[[int, int], float],
    k: int,
    *,
    weight: float = WEIGHT,
    too_similar: float | None = None,
) -> list[int]:
    """Indexes of up to `k` items, in the order picked. `similarity(i, j)` compares items i and
    j; an item at least `too_similar` to one already picked is never picked (so fewer than `k`
    may come back). Ties go to the item that comes first."""
    chosen: list[int] = []
    candidates = list(range(len(relevance)))
    while candidates and len(chosen) < k:
        best: int | None = None
        best_value = 0.0
        for i in candidates:
            sims = [similarity(i, j) for j in chosen]
            redundancy = max(sims, default=0.0)
            if too_similar is not None and sims and redundancy >= too_similar:
                continue
            value = weight * relevance[i] - (1 - weight) * redundancy
            if best is None or value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        candidates.remove(best)
    return chosen
