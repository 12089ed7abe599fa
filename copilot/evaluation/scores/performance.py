"""Predicted performance: the chance a subject line beats another on clicks, and its expected lift.

The model was trained on real headline A/B tests (Upworthy Research Archive) and, optionally, a
brand's own tests; see copilot/predictor/models/README.md. It scores the subject line only: it
learned from headlines, the text people decide to click on, and a preheader has no counterpart in
that data (the other evaluators judge preheaders).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from scipy.special import expit

from copilot.errors import ConfigError
from copilot.evaluation.base import register
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.predictor.model import SHIPPED_MODEL, PerformanceModel, card_path, load_model
from copilot.progress import Progress
from copilot.settings import Settings, get_settings
from copilot.variants import CheckResult, Variant

Encode = Callable[[Sequence[str]], np.ndarray]
#: distinct texts encoded per step when progress is reported
SCORE_CHUNK = 256


class PerformanceEstimate(BaseModel):
    """One variant's predicted standing within its set."""

    text: str
    #: mean probability of beating each other variant of the set (0.5 when alone)
    win_probability: float
    ci95: tuple[float, float]
    #: expected click-rate lift over the set average, e.g. 0.04 = +4%
    expected_lift: float
    lift_ci95: tuple[float, float]


def _interval(point: np.ndarray, replicates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the bootstrap axis (last), widened to contain the point."""
    if replicates.shape[-1] == 0:
        return point, point
    lo = np.percentile(replicates, 2.5, axis=-1)
    hi = np.percentile(replicates, 97.5, axis=-1)
    return np.minimum(lo, point), np.maximum(hi, point)


class PerformancePredictor:
    """A trained model plus the encoders it needs; scores texts in batches.

    `lm_encode` gives the language-model features of models whose card names an LM; it is only
    called for such models.
    """

    def __init__(
        self, model: PerformanceModel, encode: Encode, lm_encode: Encode | None = None
    ) -> None:
        self.model = model
        self._encode = encode
        self._lm_encode = lm_encode
        if model.card.lm_features is not None and lm_encode is None:
            raise ConfigError(
                f"performance model needs language-model features from "
                f"{model.card.lm_features.model!r}, but no LM encoder was given"
            )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of the texts with the model's embedder."""
        return self._encode(list(texts))

    def _score_unique(self, unique: list[str]) -> np.ndarray:
        lm = None
        if self.model.card.lm_features is not None and self._lm_encode is not None:
            lm = self._lm_encode(unique)
        return self.model.scores(self._encode(unique), unique, lm)

    def scores(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """(n, replicates) model scores; each distinct text is encoded once."""
        unique = sorted(set(texts))
        if not unique:
            return np.zeros((0, self.model.coef.shape[0]), dtype=np.float32)
        position = {t: i for i, t in enumerate(unique)}
        if progress is None:
            table = self._score_unique(unique)
        else:
            parts = []
            for start in range(0, len(unique), SCORE_CHUNK):
                parts.append(self._score_unique(unique[start : start + SCORE_CHUNK]))
                done = min(start + SCORE_CHUNK, len(unique))
                progress(f"scored {done}/{len(unique)} distinct headlines", done / len(unique))
            table = np.vstack(parts)
        return table[[position[t] for t in texts]]

    def win_probabilities(
        self, a: Sequence[str], b: Sequence[str], progress: Progress | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(a[i] beats b[i]) with its 95% interval, for many pairs at once."""
        if len(a) != len(b):
            raise ValueError(f"{len(a)} texts on side A but {len(b)} on side B")
        s = self.scores([*a, *b], progress)
        probs = expit(self.model.card.win_scale * (s[: len(a)] - s[len(a) :]))
        lo, hi = _interval(probs[:, 0], probs[:, 1:])
        return probs[:, 0], lo, hi

    def prob_a_beats_b(self, a: str, b: str) -> tuple[float, float, float]:
        """(p, lo, hi): probability that text a gets more clicks than text b, with its interval."""
        p, lo, hi = self.win_probabilities([a], [b])
        return float(p[0]), float(lo[0]), float(hi[0])

    def predict_set(self, texts: Sequence[str]) -> list[PerformanceEstimate]:
        """Each text's mean win probability against the others and its expected lift vs the set."""
        n = len(texts)
        if n == 0:
            return []
        if n == 1:
            return [
                PerformanceEstimate(
                    text=texts[0],
                    win_probability=0.5,
                    ci95=(0.5, 0.5),
                    expected_lift=0.0,
                    lift_ci95=(0.0, 0.0),
                )
            ]
        s = self.scores(texts).astype(np.float64)  # (n, R)
        probs = expit(self.model.card.win_scale * (s[:, None, :] - s[None, :, :]))
        # the diagonal (a text against itself) is exactly 0.5; leave it out of the mean
        win = (probs.sum(axis=1) - 0.5) / (n - 1)
        lift = np.expm1(self.model.card.lift_slope * (s - s.mean(axis=0, keepdims=True)))
        win_lo, win_hi = _interval(win[:, 0], win[:, 1:])
        lift_lo, lift_hi = _interval(lift[:, 0], lift[:, 1:])
        return [
            PerformanceEstimate(
                text=texts[i],
                win_probability=float(win[i, 0]),
                ci95=(float(win_lo[i]), float(win_hi[i])),
                expected_lift=float(lift[i, 0]),
                lift_ci95=(float(lift_lo[i]), float(lift_hi[i])),
            )
            for i in range(n)
        ]


def _explicit(path: Path, what: str) -> Path:
    """A model file a person named: missing files are their mistake, so say how to fix it."""
    path = Path(path).expanduser()
    for needed in (path, card_path(path)):
        if not needed.is_file():
            raise ConfigError(
                f"{what}: {needed} does not exist; train a model with "
                "`copilot model train --ab-tests CSV --out PATH` (it writes PATH and its .json "
                "card), or leave it unset to use the shipped model"
            )
    return path


def model_path(settings: Settings) -> Path:
    """The model file the settings point at: performance_model_path, or the shipped prior."""
    if settings.performance_model_path is None:
        return SHIPPED_MODEL
    return _explicit(settings.performance_model_path, "performance_model_path")


@cache
def _load(path: Path) -> PerformanceModel:
    return load_model(path)


@cache
def _predictor(
    path: Path, embedding_model: str, cache_dir: Path, threads: int | None
) -> PerformancePredictor:
    from copilot.knowledge.embeddings import get_embedder
    from copilot.predictor.lm_features import get_lm_encoder

    model = _load(path)

    def encode(texts: Sequence[str]) -> np.ndarray:
        # the encoders load on first use, not when the predictor is made
        return get_embedder(embedding_model).encode(texts)

    lm_encode = None
    if model.card.lm_features is not None:
        lm_model = model.card.lm_features.model

        def lm_encode(texts: Sequence[str]) -> np.ndarray:
            return get_lm_encoder(lm_model, cache_dir, threads).encode(texts)

    return PerformancePredictor(model, encode, lm_encode)


def get_predictor(
    settings: Settings | None = None, path: Path | None = None
) -> PerformancePredictor:
    """The predictor for these settings (or an explicit model file), loaded once per process."""
    settings = settings or get_settings()
    chosen = _explicit(path, "--model") if path is not None else model_path(settings)
    resolved = chosen.resolve()
    return _predictor(
        resolved, settings.embedding_model, settings.model_cache_dir, settings.llm_threads
    )


def get_model(settings: Settings | None = None, path: Path | None = None) -> PerformanceModel:
    """The model (without its embedder) for these settings or an explicit file."""
    settings = settings or get_settings()
    chosen = _explicit(path, "--model") if path is not None else model_path(settings)
    return _load(chosen.resolve())


def prob_a_beats_b(a: str, b: str, settings: Settings | None = None) -> tuple[float, float, float]:
    """(p, lo, hi): probability that subject a gets more clicks than subject b, 95% interval."""
    return get_predictor(settings).prob_a_beats_b(a, b)


def predict_set(
    texts: Sequence[str], settings: Settings | None = None
) -> list[PerformanceEstimate]:
    """Win probability against the rest of the set and expected lift, per text."""
    return get_predictor(settings).predict_set(texts)


def _message(est: PerformanceEstimate, n: int) -> str:
    if n == 1:
        return f'"{est.text}": the only variant, nothing to compare it with (score 0.5)'
    lo, hi = est.ci95
    message = (
        f'"{est.text}": predicted to beat the rest of the set {est.win_probability:.0%} of the '
        f"time (95% CI {lo:.0%}–{hi:.0%}), expected click lift {est.expected_lift:+.0%} "
        "vs the set average"
    )
    if hi < 0.5:
        message += "; likely to lose to the others"
    return message


@register("performance")
class PerformanceEvaluator:
    """Soft score: mean predicted win probability of each subject against the rest of its set."""

    name = "performance"
    hard = False

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # fail early (FileNotFoundError) when the model file is missing, before any embedding
        _load(model_path(settings).resolve())

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; score = mean win probability against the others."""
        estimates = get_predictor(self._settings).predict_set([v.subject for v in variants])
        return [
            CheckResult(
                name=self.name,
                status="warn" if est.ci95[1] < 0.5 else "pass",
                score=min(1.0, max(0.0, est.win_probability)),
                message=_message(est, len(variants)),
            )
            for est in estimates
        ]
