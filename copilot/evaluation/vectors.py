"""Sentence vectors for the soft scores, encoded in batches and shared between evaluators.

Voice and diversity both embed the same variant texts; a small cache keyed by the exact texts
means one encode call serves both when they score the same set. Reference texts (voice guide,
top performers) are cached the same way, so a brand's references are encoded once per process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from copilot.knowledge.embeddings import get_embedder
from copilot.platforms.tags import display_text
from copilot.variants import Variant


def variant_text(variant: Variant) -> str:
    """What a reader sees in the inbox: subject, then preheader, tags shown as sample values."""
    subject = display_text(variant.subject)
    preheader = display_text(variant.preheader)
    return f"{subject}. {preheader}" if preheader else subject


def _raw(model: str, texts: tuple[str, ...]) -> np.ndarray:
    vectors = get_embedder(model).encode(list(texts))
    vectors.setflags(write=False)  # shared between callers through the caches
    return vectors


@lru_cache(maxsize=64)
def _encode(model: str, texts: tuple[str, ...]) -> np.ndarray:
    return _raw(model, texts)


@lru_cache(maxsize=64)
def _encode_references(model: str, texts: tuple[str, ...]) -> np.ndarray:
    return _raw(model, texts)


def encode(model: str, texts: list[str]) -> np.ndarray:
    """Unit vectors (n, dim) for variant texts, one batched call per distinct list of texts."""
    return _encode(model, tuple(texts))


def encode_references(model: str, texts: list[str]) -> np.ndarray:
    """Unit vectors for a brand's reference texts, kept apart so they stay encoded once."""
    return _encode_references(model, tuple(texts))
