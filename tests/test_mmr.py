"""Maximal marginal relevance (copilot.knowledge.mmr), the one diversified pick behind retrieval
and the choice of variants to test."""

from __future__ import annotations

from copilot.knowledge.mmr import mmr

SIMS = {(0, 1): 0.9, (0, 2): 0.1, (1, 2): 0.2}


def _similarity(i: int, j: int) -> float:
    return SIMS[(min(i, j), max(i, j))]


def test_a_near_copy_of_a_pick_comes_after_a_different_item() -> None:
    assert mmr([1.0, 0.8, 0.7], _similarity, k=3) == [0, 2, 1]
    assert mmr([1.0, 0.8, 0.7], _similarity, k=2) == [0, 2]


def test_an_item_too_similar_to_a_pick_is_never_picked() -> None:
    assert mmr([1.0, 0.8, 0.7], _similarity, k=3, too_similar=0.8) == [0, 2]


def test_relevance_alone_with_full_weight_and_ties_to_the_first() -> None:
    assert mmr([0.5, 0.9, 0.9], _similarity, k=3, weight=1.0) == [1, 2, 0]
    # a tie goes to the earlier item
    assert mmr([1.0, 1.0], lambda i, j: 0.0, k=1) == [0]
    assert mmr([], _similarity, k=2) == []
