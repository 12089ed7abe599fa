"""The predicted-performance model as `copilot model` and `copilot benchmark` use it: train it on
real A/B outcomes, show what a model file holds, and measure how often it picks real winners."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from copilot.errors import InputFileError
from copilot.evaluation.scores.performance import get_model, get_predictor
from copilot.knowledge.brand import brand_folder, load_brand
from copilot.knowledge.embeddings import get_embedder
from copilot.predictor.benchmark import ABWinnersReport, benchmark_ab_winners
from copilot.predictor.data import ArmOutcome, arms_from_campaigns, read_ab_tests
from copilot.predictor.lm_features import BUNDLED_LM, cache_key, get_lm_encoder
from copilot.predictor.model import ModelCard
from copilot.predictor.train import cached_embed, train_performance_model
from copilot.progress import Progress, quiet
from copilot.settings import Settings

__all__ = [
    "ABWinnersReport",
    "BenchmarkRequest",
    "ModelCard",
    "ShowRequest",
    "TrainRequest",
    "TrainResult",
    "benchmark",
    "show",
    "train",
]


class TrainRequest(BaseModel):
    """What `copilot model train` asks for (its options, with the same defaults)."""

    ab_tests: Path
    #: also learn from this brand's own A/B tests (its past_campaigns.csv)
    brand: str | None = None
    #: where to write the model .npz; None: the model cache, named for the brand or "prior"
    out: Path | None = None
    seed: int = 7
    holdout: float = 0.2
    brand_weight: float = 5.0
    #: add the bundled language model's hidden states to the features
    lm_features: bool = True


class TrainResult(BaseModel):
    """Where the model was written, and whether the settings already point at it."""

    path: Path
    size_bytes: int
    settings_use_it: bool


class ShowRequest(BaseModel):
    """A model file; None: the one the settings use."""

    model: Path | None = None


class BenchmarkRequest(BaseModel):
    """A CSV of A/B arms and the model to judge (None: the one the settings use)."""

    tests: Path
    model: Path | None = None


def _brand_arms(brand: str, settings: Settings, say: Progress) -> list[ArmOutcome]:
    kb = load_brand(brand_folder(settings.kb_dir, brand))
    arms = arms_from_campaigns(kb.campaigns, kb.name)
    if not arms:
        raise InputFileError(
            f"brand {brand!r}: no two rows of past_campaigns.csv share an ab_test_id, "
            "so there is no A/B history to learn from; fill in ab_test_id or drop --brand"
        )
    say(f"brand {brand}: {len(arms)} arms from its own A/B tests", 0.0)
    return arms


def train(
    request: TrainRequest, settings: Settings, *, progress: Progress | None = None
) -> TrainResult:
    """Train on real A/B outcomes (progress reports inner CV and held-out accuracy) and save."""
    say = progress or quiet
    arms = read_ab_tests(request.ab_tests)
    brand_arms = _brand_arms(request.brand, settings, say) if request.brand else []
    cache = settings.model_cache_dir / "embeddings"
    lm_embed = None
    if request.lm_features:
        # the language model loads before torch (the embedder): see app.generate
        lm_encoder = get_lm_encoder(BUNDLED_LM, settings.model_cache_dir, settings.llm_threads)

        def lm_encode(texts: Sequence[str]) -> np.ndarray:
            return lm_encoder.encode(texts, progress=say)

        lm_embed = cached_embed(lm_encode, cache_key(BUNDLED_LM), cache)
    embedder = get_embedder(settings.embedding_model)
    embed = cached_embed(embedder.encode, settings.embedding_model, cache)
    model = train_performance_model(
        arms,
        embed,
        lm_embed=lm_embed,
        lm_model=BUNDLED_LM if request.lm_features else None,
        embedding_model=settings.embedding_model,
        source=request.ab_tests.name,
        source_sha256=hashlib.sha256(request.ab_tests.read_bytes()).hexdigest(),
        brand=request.brand,
        brand_arms=brand_arms,
        brand_weight=request.brand_weight,
        seed=request.seed,
        holdout_fraction=request.holdout,
        progress=say,
    )
    target = (
        request.out or settings.model_cache_dir / "performance" / f"{request.brand or 'prior'}.npz"
    )
    model.save(target)
    return TrainResult(
        path=target,
        size_bytes=target.stat().st_size,
        settings_use_it=request.out is not None and settings.performance_model_path == target,
    )


def show(request: ShowRequest, settings: Settings) -> ModelCard:
    """A model's card: training data, held-out accuracy, cross-validation."""
    return get_model(settings, path=request.model).card


def benchmark(
    request: BenchmarkRequest, settings: Settings, *, progress: Progress | None = None
) -> ABWinnersReport:
    """Predict the winner of every significant pair (p < 0.05) and report the accuracy."""
    say = progress or quiet
    arms = read_ab_tests(request.tests)
    predictor = get_predictor(settings, path=request.model)
    say(f"{len(arms)} arms read from {request.tests}; scoring significant pairs...", 0.0)
    report = benchmark_ab_winners(arms, predictor, source=str(request.tests), progress=say)
    if report.identical_skipped:
        say(f"skipped {report.identical_skipped} pairs whose headlines are identical", 1.0)
    return report
