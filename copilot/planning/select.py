"""Choose the variants to test: the best-scored ones that are also clearly different."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copilot.errors import InputFileError
from copilot.io.loader import read_data
from copilot.knowledge.mmr import mmr
from copilot.variants import Variant

_WORD = re.compile(r"[a-z0-9']+")


def load_variants(path: str | Path) -> list[Variant]:
    """Read the JSON `copilot generate --json` prints (or a bare list of variants)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(
            f"variants file not found: {p} (save `copilot generate --json` output to a file)"
        )
    data: Any = read_data(p, json_file=True, error=InputFileError)
    items = data.get("variants") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputFileError(
            f"{p}: expected a 'variants' list (the output of `copilot generate --json`)"
        )
    out: list[Variant] = []
    for i, item in enumerate(items):
        try:
            out.append(Variant.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise InputFileError(f"{p}: variants[{i}].{loc}: {err['msg']}") from None
    return out


def _trigrams(text: str) -> set[str]:
    t = f"  {text.lower().strip()} "
    return {t[i : i + 3] for i in range(len(t) - 2)}


def similarity(a: str, b: str) -> float:
    """Cheap, deterministic text similarity in [0, 1]: mean of word and character-trigram Jaccard."""
    wa, wb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    ta, tb = _trigrams(a), _trigrams(b)
    word = len(wa & wb) / len(wa | wb) if wa | wb else 1.0
    char = len(ta & tb) / len(ta | tb) if ta | tb else 1.0
    return (word + char) / 2.0


def usable(variant: Variant) -> bool:
    """A variant with any failed check is never tested as-is."""
    return not any(c.status == "fail" for c in variant.checks)


def select_variants(
    variants: Sequence[Variant],
    k: int,
    key: Callable[[Variant], str] = lambda v: v.subject,
    near_duplicate: float = 0.75,
    score_weight: float = 0.7,
) -> list[Variant]:
    """Greedy maximal-marginal-relevance pick of up to k usable, distinct variants (best first)."""
    pool = [v for v in variants if usable(v) and key(v).strip()]
    scores = [v.score for v in pool if v.score is not None]
    top = max(scores) if scores else 1.0
    low = min(scores) if scores else 0.0
    span = (top - low) or 1.0

    def relevance(v: Variant) -> float:
        # Unscored variants rank below every scored one.
        return -1.0 if v.score is None else (v.score - low) / span

    # best first, so ties go to the better-scored (then the earlier) variant
    ordered = [v for _, v in sorted(enumerate(pool), key=lambda iv: (-relevance(iv[1]), iv[0]))]
    picks = mmr(
        [relevance(v) for v in ordered],
        lambda i, j: similarity(key(ordered[i]), key(ordered[j])),
        k,
        weight=score_weight,
        too_similar=near_duplicate,
    )
    return [ordered[i] for i in picks]
