"""The trained performance model as data: coefficients (.npz) plus a JSON model card, no pickle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from copilot.errors import ConfigError
from copilot.io.loader import load_file
from copilot.predictor.features import feature_matrix, feature_names

FORMAT = "campaign-copilot/performance-model"
FORMAT_VERSION = 1
SHIPPED_MODEL = Path(__file__).parent / "models" / "performance_prior.npz"


class TrainingData(BaseModel):
    """What the model was trained on."""

    source: str
    source_sha256: str | None = None
    data_sha256: str
    arms: int
    tests: int
    pairs: int
    significant_pairs: int
    brand: str | None = None
    brand_arms: int = 0
    brand_tests: int = 0
    brand_weight: float = 0.0


class Accuracy(BaseModel):
    """Accuracy at picking the winner of significant pairs, with a Wilson 95% interval."""

    pairs: int
    accuracy: float
    ci95: tuple[float, float]


class HoldoutReport(BaseModel):
    """The once-only evaluation on tests the model never saw."""

    fraction: float
    tests: int
    model: Accuracy
    longer_headline: Accuracy


class CrossValidation(BaseModel):
    """Cross-validation grouped by test: accuracy on the significant pairs of each fold."""

    folds: int
    mean: float
    sd: float
    per_fold: list[float]


class LMFeatures(BaseModel):
    """The language-model block of the features: which model, how wide, how strongly weighted."""

    model: str = Field(description="'bundled:gemma-3-270m-q4_k_m' or the path of a GGUF file")
    dim: int = Field(gt=0)
    pooling: str = "mean"
    weight: float = Field(gt=0, description="scale of the standardised block against the embedding")


class ModelCard(BaseModel):
    """Metadata stored beside the coefficients: how to rebuild features and how it was trained."""

    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    method: str
    interval: str
    embedding_model: str
    embedding_dim: int
    hand_features: list[str]
    lexicon: dict[str, list[str]]
    regularization_c: float
    hand_feature_weight: float
    #: None for models trained on the sentence embedding and hand features alone
    lm_features: LMFeatures | None = None
    bootstrap_replicates: int
    seed: int
    win_scale: float = Field(gt=0, description="P(A beats B) = sigmoid(win_scale * (s_A - s_B))")
    lift_slope: float = Field(ge=0, description="expected log click-rate ratio per unit of s")
    training: TrainingData
    holdout: HoldoutReport | None = None
    inner_cv: CrossValidation | None = None


class PerformanceModel:
    """Linear score s(text) = w . [embedding, scaled hand features, scaled LM features], with
    bootstrap refits. The LM block is there only when the card names an `lm_features` model."""

    def __init__(
        self,
        card: ModelCard,
        coef: np.ndarray,
        feature_mean: np.ndarray,
        feature_scale: np.ndarray,
        lm_mean: np.ndarray | None = None,
        lm_scale: np.ndarray | None = None,
    ) -> None:
        self.card = card
        #: row 0 is the fit on all training data, rows 1.. are the bootstrap refits
        self.coef = np.asarray(coef, dtype=np.float32)
        self.feature_mean = np.asarray(feature_mean, dtype=np.float32)
        self.feature_scale = np.asarray(feature_scale, dtype=np.float32)
        lm_dim = card.lm_features.dim if card.lm_features else 0
        self.lm_mean = np.asarray(np.zeros(lm_dim) if lm_mean is None else lm_mean, np.float32)
        self.lm_scale = np.asarray(np.ones(lm_dim) if lm_scale is None else lm_scale, np.float32)
        if self.lm_mean.shape != (lm_dim,) or self.lm_scale.shape != (lm_dim,):
            raise ConfigError(
                f"performance model: language-model scaling has shape {self.lm_mean.shape}, "
                f"expected ({lm_dim},); retrain with `copilot model train`"
            )
        expected = card.embedding_dim + len(card.hand_features) + lm_dim
        if self.coef.ndim != 2 or self.coef.shape[1] != expected:
            raise ConfigError(
                f"performance model: coefficients have shape {self.coef.shape}, "
                f"expected (replicates, {expected}); retrain with `copilot model train`"
            )

    def hand_features(self, texts: Sequence[str]) -> np.ndarray:
        """Standardised hand-made features, as during training."""
        raw = feature_matrix(texts, self.card.lexicon)
        return (raw - self.feature_mean) / self.feature_scale

    def scores(
        self, embeddings: np.ndarray, texts: Sequence[str], lm: np.ndarray | None = None
    ) -> np.ndarray:
        """(n, replicates) scores; column 0 is the point estimate. `lm` holds the language-model
        features of the texts when the card names an LM, and must be None otherwise."""
        if embeddings.shape[1] != self.card.embedding_dim:
            raise ConfigError(
                f"performance model expects {self.card.embedding_dim}-dim embeddings from "
                f"{self.card.embedding_model!r}, got {embeddings.shape[1]}; set "
                "COPILOT_EMBEDDING_MODEL to that model or retrain with `copilot model train`"
            )
        blocks = [embeddings.astype(np.float32), self.hand_features(texts)]
        spec = self.card.lm_features
        if spec is not None:
            if lm is None or lm.shape != (len(texts), spec.dim):
                got = "none" if lm is None else f"shape {lm.shape}"
                raise ConfigError(
                    f"performance model expects {spec.dim}-dim features from {spec.model!r} "
                    f"for {len(texts)} texts, got {got}"
                )
            blocks.append((lm.astype(np.float32) - self.lm_mean) / self.lm_scale)
        elif lm is not None:
            raise ConfigError("performance model: this model takes no language-model features")
        return np.hstack(blocks) @ self.coef.T

    def save(self, path: Path) -> Path:
        """Write `path` (.npz arrays) and its model card `path.with_suffix('.json')`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            lm = (
                {"lm_mean": self.lm_mean, "lm_scale": self.lm_scale}
                if self.card.lm_features is not None
                else {}
            )
            np.savez_compressed(
                fh,
                coef=self.coef,
                feature_mean=self.feature_mean,
                feature_scale=self.feature_scale,
                **lm,  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
            )
        card_path(path).write_text(self.card.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path


def card_path(path: Path) -> Path:
    """Where the model card of a coefficients file lives."""
    return Path(path).with_suffix(".json")


def load_model(path: Path) -> PerformanceModel:
    """Read a model saved by PerformanceModel.save; ConfigError names the file and the fix."""
    path = Path(path)
    meta = card_path(path)
    if not path.is_file() or not meta.is_file():
        missing = path if not path.is_file() else meta
        raise FileNotFoundError(
            f"performance model file not found: {missing}; train one with "
            "`copilot model train --ab-tests CSV --out PATH`"
        )
    card = load_file(meta, ModelCard, json_file=True)
    if card.format != FORMAT or card.format_version != FORMAT_VERSION:
        raise ConfigError(
            f"{meta}: format {card.format} v{card.format_version} is not "
            f"{FORMAT} v{FORMAT_VERSION}; retrain with `copilot model train`"
        )
    if feature_names(card.lexicon) != list(card.hand_features):
        raise ConfigError(
            f"{meta}: its feature list does not match this version of the copilot; retrain with "
            "`copilot model train`"
        )
    try:
        with np.load(path, allow_pickle=False) as arrays:
            lm = card.lm_features is not None
            return PerformanceModel(
                card,
                arrays["coef"],
                arrays["feature_mean"],
                arrays["feature_scale"],
                arrays["lm_mean"] if lm else None,
                arrays["lm_scale"] if lm else None,
            )
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the model coefficients ({exc})") from None
