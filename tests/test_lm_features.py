"""Language-model features of the performance predictor: the llama.cpp encoder, the model card and
file format with the extra block, and training with it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from copilot.errors import ConfigError
from copilot.evaluation.scores.performance import PerformancePredictor, get_predictor
from copilot.predictor.data import ArmOutcome, read_ab_tests
from copilot.predictor.features import default_lexicon
from copilot.predictor.lm_features import BUNDLED_LM, get_lm_encoder, resolve_gguf
from copilot.predictor.model import SHIPPED_MODEL, load_model
from copilot.predictor.train import design_matrix, train_performance_model
from copilot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "upworthy_sample.csv"


def _hashed(texts: Sequence[str], dim: int, salt: str) -> np.ndarray:
    """Deterministic pseudo-features of each text (a fake encoder: no model involved)."""
    rows = []
    for t in texts:
        seed = int(hashlib.sha256(f"{salt}:{t}".encode()).hexdigest()[:8], 16)
        rows.append(np.random.default_rng(seed).normal(size=dim))
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), dim)


def fake_embed(texts: Sequence[str]) -> np.ndarray:
    """Fake sentence embedder: unit vectors fixed by the text."""
    x = _hashed(texts, 8, "emb")
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9)


def fake_lm(texts: Sequence[str]) -> np.ndarray:
    """Fake LM encoder: 5 features fixed by the text, with a large offset like real hidden states."""
    return _hashed(texts, 5, "lm") * 3.0 + 40.0


@pytest.fixture(scope="module")
def small_arms() -> list[ArmOutcome]:
    arms = read_ab_tests(SAMPLE)
    tests = sorted({a.test_id for a in arms})[:60]
    return [a for a in arms if a.test_id in tests]


@pytest.fixture(scope="module")
def fake_model(small_arms: list[ArmOutcome]):  # type: ignore[no-untyped-def]
    return train_performance_model(
        small_arms,
        fake_embed,
        lm_embed=fake_lm,
        lm_model="fake-lm.gguf",
        embedding_model="fake-embedder",
        source="sample",
        holdout_fraction=0.05,
        bootstrap=3,
    )


# --- format and training, with fake encoders -------------------------------------------------


def test_training_with_lm_features_records_the_block(fake_model) -> None:  # type: ignore[no-untyped-def]
    card = fake_model.card
    assert card.lm_features is not None
    assert (card.lm_features.model, card.lm_features.dim) == ("fake-lm.gguf", 5)
    assert card.embedding_dim == 8
    assert fake_model.coef.shape == (4, 8 + len(card.hand_features) + 5)
    # the block is standardised: the offset of 40 is removed, the spread scaled by sd / weight
    assert np.all(np.abs(fake_model.lm_mean - 40.0) < 3.0)
    sd = fake_model.lm_scale * card.lm_features.weight
    assert np.all((sd > 2.0) & (sd < 4.0))  # the fake's spread is 3


def test_lm_block_is_standardised_on_training_rows_only() -> None:
    texts = ["alpha", "beta", "gamma", "delta"]
    fit = np.array([True, True, True, False])
    d1 = design_matrix(texts, fake_embed, default_lexicon(), fit, lm_embed=fake_lm)

    def shifted(ts: Sequence[str]) -> np.ndarray:
        out = fake_lm(ts)
        out[[i for i, t in enumerate(ts) if t == "delta"]] += 1000.0  # only the held-out text
        return out

    d2 = design_matrix(texts, fake_embed, default_lexicon(), fit, lm_embed=shifted)
    assert d1.lm_mean is not None and d2.lm_mean is not None
    np.testing.assert_allclose(d1.lm_mean, d2.lm_mean)
    np.testing.assert_allclose(d1.lm_scale, d2.lm_scale)  # type: ignore[arg-type]
    np.testing.assert_allclose(d1.x[:3], d2.x[:3])
    assert d1.x.shape[1] == 8 + len(d1.feature_mean) + 5


def test_lm_encoder_and_its_name_go_together(small_arms: list[ArmOutcome]) -> None:
    with pytest.raises(ValueError, match="together"):
        train_performance_model(
            small_arms, fake_embed, lm_embed=fake_lm, embedding_model="e", source="s"
        )


def test_save_load_round_trip_keeps_the_lm_scaling(fake_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = fake_model.save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as arrays:
        assert set(arrays.files) == {"coef", "feature_mean", "feature_scale", "lm_mean", "lm_scale"}
    loaded = load_model(path)
    assert loaded.card == fake_model.card
    np.testing.assert_allclose(loaded.lm_mean, fake_model.lm_mean)
    np.testing.assert_allclose(loaded.lm_scale, fake_model.lm_scale)
    texts = ["One headline", "Another headline entirely"]
    np.testing.assert_allclose(
        loaded.scores(fake_embed(texts), texts, fake_lm(texts)),
        fake_model.scores(fake_embed(texts), texts, fake_lm(texts)),
        rtol=1e-6,
    )


def test_scores_demand_the_lm_block_the_card_names(fake_model) -> None:  # type: ignore[no-untyped-def]
    texts = ["One headline", "Another"]
    with pytest.raises(ConfigError, match="5-dim features from 'fake-lm.gguf'"):
        fake_model.scores(fake_embed(texts), texts)
    with pytest.raises(ConfigError, match="shape"):
        fake_model.scores(fake_embed(texts), texts, fake_lm(texts)[:, :3])
    with pytest.raises(ConfigError, match="no LM encoder"):
        PerformancePredictor(fake_model, fake_embed)
    predictor = PerformancePredictor(fake_model, fake_embed, fake_lm)
    p, lo, hi = predictor.win_probabilities(["A first line"], ["A second line"])
    q, _, _ = predictor.win_probabilities(["A second line"], ["A first line"])
    assert p[0] + q[0] == pytest.approx(1.0, abs=1e-6) and lo[0] <= p[0] <= hi[0]


def test_predictor_reports_progress_in_chunks(fake_model) -> None:  # type: ignore[no-untyped-def]
    predictor = PerformancePredictor(fake_model, fake_embed, fake_lm)
    texts = [f"Headline number {i}" for i in range(600)]
    seen: list[tuple[str, float]] = []
    chunked = predictor.scores(texts, progress=lambda msg, frac: seen.append((msg, frac)))
    assert seen == [(f"scored {n}/600 distinct headlines", n / 600) for n in (256, 512, 600)]
    np.testing.assert_allclose(chunked, predictor.scores(texts), rtol=1e-5, atol=1e-6)


def test_model_without_lm_features_still_loads(fake_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Models trained before the LM block (no lm_features in the card) keep working."""
    card = json.loads(fake_model.card.model_dump_json())
    del card["lm_features"]
    card["embedding_dim"] = 8
    n = 8 + len(card["hand_features"])
    (tmp_path / "old.json").write_text(json.dumps(card), encoding="utf-8")
    with (tmp_path / "old.npz").open("wb") as fh:
        np.savez(
            fh,
            coef=np.ones((2, n), np.float32),
            feature_mean=fake_model.feature_mean,
            feature_scale=fake_model.feature_scale,
        )
    old = load_model(tmp_path / "old.npz")
    assert old.card.lm_features is None
    texts = ["A line", "B line"]
    assert old.scores(fake_embed(texts), texts).shape == (2, 2)
    with pytest.raises(ConfigError, match="takes no language-model features"):
        old.scores(fake_embed(texts), texts, fake_lm(texts))


def test_unknown_feature_models_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not bundled"):
        resolve_gguf("bundled:some-other-model", tmp_path)
    with pytest.raises(ConfigError, match="copilot model train"):
        resolve_gguf(str(tmp_path / "missing.gguf"), tmp_path)


# --- the real encoder and the shipped model -------------------------------------------------


@pytest.mark.integration
def test_real_encoder_is_deterministic_and_batch_independent() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    encoder = get_lm_encoder(BUNDLED_LM, settings.model_cache_dir)
    texts = [
        "You Won't Believe What This Teacher Did",
        "Teacher news",
        "",  # empty text: features of a space, not an error
        "word " * 2000,  # longer than the window: cut, not an error
    ]
    x = encoder.encode(texts)
    assert x.shape == (4, encoder.dim) and encoder.dim == 640
    assert np.isfinite(x).all()
    np.testing.assert_allclose(encoder.encode(texts[:1])[0], x[0], atol=1e-4)
    np.testing.assert_allclose(encoder.encode(texts), x, atol=1e-4)
    # different texts, different features
    assert np.abs(x[0] - x[1]).max() > 0.1


@pytest.mark.integration
def test_shipped_model_uses_lm_features_and_beats_the_target() -> None:
    model = load_model(SHIPPED_MODEL)
    card = model.card
    assert card.lm_features is not None and card.lm_features.model == BUNDLED_LM
    assert card.holdout is not None and card.holdout.model.accuracy >= 0.70
    predictor = get_predictor(Settings(_env_file=None))  # type: ignore[call-arg]
    p, lo, hi = predictor.prob_a_beats_b(
        "This Teacher Did Something Nobody Expected", "Teacher news"
    )
    q, _, _ = predictor.prob_a_beats_b("Teacher news", "This Teacher Did Something Nobody Expected")
    assert p + q == pytest.approx(1.0, abs=1e-6) and lo <= p <= hi
