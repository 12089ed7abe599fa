"""Features of one headline or subject line for the predicted-performance model."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import RootModel

from copilot.io.loader import load_file, load_model

LEXICON_FILE = Path(__file__).parent / "models" / "text_features.yaml"

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")
_SENTENCE_END = re.compile(r"[.?!]+(?:\s|$)")
_DOUBLE_QUOTES = ('"', "“", "”")
_DASHES = (" - ", "—", "–", ":")

#: Names of the features that do not come from a word list, in vector order.
SHAPE_FEATURES: tuple[str, ...] = (
    "log_chars",
    "words",
    "mean_word_len",
    "question",
    "exclamation",
    "has_number",
    "starts_with_number",
    "quotes",
    "dash_or_colon",
    "ellipsis",
    "sentences",
    "commas",
    "title_case_share",
    "all_caps_words",
    "hashtag",
)


class Lexicon(RootModel[dict[str, list[str]]]):
    """A word-list file: feature name -> its words (matched in lower case)."""

    def lowered(self) -> dict[str, list[str]]:
        return {name: [w.lower() for w in words] for name, words in self.root.items()}


@cache
def default_lexicon() -> dict[str, list[str]]:
    """The word lists shipped in text_features.yaml."""
    return load_model(LEXICON_FILE, Lexicon).lowered()


def load_lexicon(path: Path) -> dict[str, list[str]]:
    """Read and validate a {feature name: [words]} YAML file."""
    return load_file(path, Lexicon).lowered()


def feature_names(lexicon: Mapping[str, Sequence[str]]) -> list[str]:
    """Feature names in the order text_features() returns them."""
    return list(SHAPE_FEATURES) + [f"lex_{name}" for name in lexicon]


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def text_features(text: str, lexicon: Mapping[str, Sequence[str]]) -> list[float]:
    """Hand-made features of one text (shape, punctuation, capitalisation, word lists)."""
    words = _words(text)
    lower = [w.lower().replace("’", "'") for w in words]
    alpha = [w for w in words if w[0].isalpha()]
    n_words = len(words)
    shape = [
        math.log1p(len(text)),
        float(n_words),
        sum(len(w) for w in words) / n_words if n_words else 0.0,
        float("?" in text),
        float("!" in text),
        float(any(ch.isdigit() for ch in text)),
        float(bool(words) and words[0][0].isdigit()),
        float(any(q in text for q in _DOUBLE_QUOTES)),
        float(any(d in text for d in _DASHES)),
        float("..." in text or "…" in text),
        float(len(_SENTENCE_END.findall(text.strip()))),
        float(text.count(",")),
        sum(w[0].isupper() for w in alpha) / len(alpha) if alpha else 0.0,
        float(sum(len(w) > 1 and w.isupper() for w in alpha)),
        float("#" in text),
    ]
    counts = []
    for words_of_list in lexicon.values():
        vocab = set(words_of_list)
        # capped so one list cannot dominate through a long repetitive line
        counts.append(float(min(sum(w in vocab for w in lower), 3)))
    return shape + counts


def feature_matrix(texts: Sequence[str], lexicon: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Hand-made features of many texts as an (n, k) float32 array."""
    k = len(feature_names(lexicon))
    if not texts:
        return np.zeros((0, k), dtype=np.float32)
    return np.asarray([text_features(t, lexicon) for t in texts], dtype=np.float32)
