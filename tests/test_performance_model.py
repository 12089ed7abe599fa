"""Predicted performance: training on real A/B arms, antisymmetry, no test leaking across the split,
the shipped artefact, brand history and the `performance` evaluator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportions_ztest

from copilot.errors import ConfigError, InputFileError
from copilot.evaluation.base import create
from copilot.evaluation.scores.performance import PerformancePredictor, get_predictor
from copilot.io.brief import parse_brief
from copilot.knowledge.brand import load_brand, parse_campaigns
from copilot.knowledge.context import BrandContext
from copilot.knowledge.embeddings import get_embedder
from copilot.predictor.data import (
    ArmOutcome,
    arms_from_campaigns,
    fold_of,
    form_pairs,
    holdout_mask,
    parse_ab_tests,
    read_ab_tests,
    two_proportion_z,
)
from copilot.predictor.model import SHIPPED_MODEL, PerformanceModel, load_model
from copilot.predictor.train import cached_embed, train_performance_model
from copilot.settings import Settings
from copilot.variants import Variant

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "upworthy_sample.csv"
# the sample's tests all hash below 0.17, so a small fraction still holds some of them out
HOLDOUT = 0.05


def _settings(tmp: Path) -> Settings:
    return Settings(model_cache_dir=tmp, _env_file=None)  # type: ignore[call-arg]


def _train(arms: list[ArmOutcome], cache: Path, **kwargs: object) -> PerformanceModel:
    settings = _settings(cache)
    embedder = get_embedder(settings.embedding_model)
    embed = cached_embed(embedder.encode, settings.embedding_model, cache / "embeddings")
    return train_performance_model(
        arms,
        embed,
        embedding_model=settings.embedding_model,
        source=SAMPLE.name,
        holdout_fraction=HOLDOUT,
        bootstrap=5,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def sample_arms() -> list[ArmOutcome]:
    return read_ab_tests(SAMPLE)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("perf-cache")


@pytest.fixture(scope="module")
def sample_model(sample_arms: list[ArmOutcome], cache_dir: Path) -> PerformanceModel:
    return _train(sample_arms, cache_dir)


@pytest.fixture(scope="module")
def sample_predictor(
    sample_model: PerformanceModel, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> PerformancePredictor:
    path = sample_model.save(tmp_path_factory.mktemp("model") / "sample.npz")
    return get_predictor(_settings(cache_dir), path=path)


# --- pairs, significance and the split (no model needed) -------------------------------------


def test_z_test_matches_statsmodels() -> None:
    cases = [(120, 3506, 75, 3465), (10, 1000, 12, 1000), (0, 500, 9, 480), (37, 3114, 37, 3114)]
    z, p = two_proportion_z(*(np.array(col) for col in zip(*cases, strict=True)))
    for (c1, n1, c2, n2), zi, pi in zip(cases, z, p, strict=True):
        ref_z, ref_p = proportions_ztest([c1, c2], [n1, n2])
        assert zi == pytest.approx(ref_z)
        assert pi == pytest.approx(ref_p)


def test_pairs_stay_within_test_and_image_and_skip_identical_headlines() -> None:
    arms = parse_ab_tests(
        "test_id,headline,image_id,impressions,clicks\n"
        "t1,Alpha,i1,1000,100\n"
        "t1,Beta,i1,1000,50\n"
        "t1,Gamma,i2,1000,10\n"  # other image: never paired with Alpha/Beta
        "t1,Alpha,i1,1000,60\n"  # same text as line 2: skipped
        "t2,Delta,i1,1000,90\n"  # other test: never paired
    )
    pairs = form_pairs(arms)
    got = {(arms[a].headline, arms[b].headline) for a, b in zip(pairs.a, pairs.b, strict=True)}
    assert got == {("Alpha", "Beta"), ("Beta", "Alpha")}
    assert pairs.identical_skipped == 1
    assert all(arms[a].line != arms[b].line for a, b in zip(pairs.a, pairs.b, strict=True))


def test_split_keeps_every_test_on_one_side(sample_arms: list[ArmOutcome]) -> None:
    ids = [a.test_id for a in sample_arms]
    held = holdout_mask(ids, HOLDOUT)
    folds = fold_of(ids, 5, seed=7)
    held_tests = {t for t, h in zip(ids, held, strict=True) if h}
    train_tests = {t for t, h in zip(ids, held, strict=True) if not h}
    assert held_tests and train_tests and not held_tests & train_tests
    for f in range(5):
        in_f = {t for t, k in zip(ids, folds, strict=True) if k == f}
        out_f = {t for t, k in zip(ids, folds, strict=True) if k != f}
        assert not in_f & out_f


def test_bad_holdout_fraction_is_refused(sample_arms: list[ArmOutcome]) -> None:
    with pytest.raises(InputFileError, match="holdout fraction"):
        train_performance_model(
            sample_arms,
            lambda t: np.zeros((len(t), 4)),
            embedding_model="x",
            source="s",
            holdout_fraction=1.0,
        )


def test_brand_history_becomes_arms_of_its_own_tests() -> None:
    header = (
        "campaign_id,ab_test_id,sent_at,goal,segment,subject,preheader,recipients,opens,clicks,"
        "platform\n"
    )
    rows = parse_campaigns(
        header
        + "c1,ab1,2025-01-02,promotion,all,Fresh roast is here,,1000,300,40,mailchimp\n"
        + "c2,ab1,2025-01-02,promotion,all,Your beans are waiting,,1000,310,70,mailchimp\n"
        + "c3,,2025-02-01,newsletter,all,February news,,900,200,20,mailchimp\n"
        + "c4,ab2,2025-03-01,promotion,all,Only one arm,,500,100,9,mailchimp\n"
    )
    arms = arms_from_campaigns(rows, "demo")
    assert [(a.test_id, a.headline, a.impressions, a.clicks) for a in arms] == [
        ("demo:ab1", "Fresh roast is here", 1000, 40),
        ("demo:ab1", "Your beans are waiting", 1000, 70),
    ]


# --- training on the vendored sample with the real embedder -------------------------------


@pytest.mark.integration
def test_trained_model_loads_and_predicts(
    sample_model: PerformanceModel, sample_predictor: PerformancePredictor
) -> None:
    card = sample_predictor.model.card
    assert card.holdout is not None and card.holdout.model.pairs > 0
    assert 0.0 <= card.holdout.model.accuracy <= 1.0
    assert card.inner_cv is not None and len(card.inner_cv.per_fold) == 5
    assert len(card.training.data_sha256) == 64 and card.seed == 7
    assert card.hand_features[0] == "log_chars"
    np.testing.assert_array_equal(sample_predictor.model.coef, sample_model.coef)
    p, lo, hi = sample_predictor.prob_a_beats_b(
        "This Teacher Did Something Nobody Expected", "Teacher news"
    )
    assert 0.0 < p < 1.0 and lo <= p <= hi
    # identical texts: no evidence either way
    assert sample_predictor.prob_a_beats_b("Same words", "Same words") == (0.5, 0.5, 0.5)


@pytest.mark.integration
def test_probabilities_are_antisymmetric(sample_predictor: PerformancePredictor) -> None:
    a = ["Why These Kids Are Smiling", "7 Facts About Water", "A Letter To My Younger Self"]
    b = [
        "You Need To See What Happens Next",
        "Water facts",
        "She Wrote A Letter. Then It Went Viral.",
    ]
    p_ab, lo_ab, hi_ab = sample_predictor.win_probabilities(a, b)
    p_ba, lo_ba, hi_ba = sample_predictor.win_probabilities(b, a)
    np.testing.assert_allclose(p_ab + p_ba, 1.0, atol=1e-6)
    np.testing.assert_allclose(lo_ab, 1.0 - hi_ba, atol=1e-6)
    np.testing.assert_allclose(hi_ab, 1.0 - lo_ba, atol=1e-6)


@pytest.mark.integration
def test_set_estimates(sample_predictor: PerformancePredictor) -> None:
    texts = ["Meet The Man Who Fixes Bikes For Free", "Bike repair", "Why He Fixes Bikes"]
    estimates = sample_predictor.predict_set(texts)
    assert [e.text for e in estimates] == texts
    # pairwise probabilities sum to one, so the set's mean win probability is exactly 1/2
    assert np.mean([e.win_probability for e in estimates]) == pytest.approx(0.5, abs=1e-6)
    for e in estimates:
        assert e.ci95[0] <= e.win_probability <= e.ci95[1]
        assert e.lift_ci95[0] <= e.expected_lift <= e.lift_ci95[1]
    best = max(estimates, key=lambda e: e.win_probability)
    assert best.expected_lift == max(e.expected_lift for e in estimates)
    alone = sample_predictor.predict_set(["Only one"])[0]
    assert (alone.win_probability, alone.expected_lift) == (0.5, 0.0)


@pytest.mark.integration
def test_held_out_tests_never_reach_training(
    sample_arms: list[ArmOutcome], sample_model: PerformanceModel, cache_dir: Path
) -> None:
    """Rewrite every held-out arm (text and outcome): a model that leaked them would change."""
    held = holdout_mask([a.test_id for a in sample_arms], HOLDOUT)
    changed = [
        a.model_copy(
            update={"headline": "Rewritten: " + a.headline, "clicks": a.impressions - a.clicks}
        )
        if h
        else a
        for a, h in zip(sample_arms, held, strict=True)
    ]
    other = _train(changed, cache_dir)
    # only float noise allowed (the encoder's output can depend on how texts are batched)
    np.testing.assert_allclose(other.coef, sample_model.coef, atol=1e-5)
    np.testing.assert_allclose(other.feature_mean, sample_model.feature_mean)
    assert other.card.inner_cv and sample_model.card.inner_cv
    assert other.card.inner_cv.per_fold == pytest.approx(sample_model.card.inner_cv.per_fold)
    assert other.card.holdout != sample_model.card.holdout


@pytest.mark.integration
def test_brand_tests_shift_the_model(
    sample_arms: list[ArmOutcome], sample_model: PerformanceModel, cache_dir: Path
) -> None:
    brand_arms = [
        ArmOutcome(test_id=f"demo:ab{i}", headline=win, impressions=2000, clicks=160)
        for i, (win, _) in enumerate(BRAND_TESTS)
    ] + [
        ArmOutcome(test_id=f"demo:ab{i}", headline=lose, impressions=2000, clicks=80)
        for i, (_, lose) in enumerate(BRAND_TESTS)
    ]
    model = _train(sample_arms, cache_dir, brand="demo", brand_arms=brand_arms)
    t = model.card.training
    assert (t.brand, t.brand_tests, t.brand_arms) == (
        "demo",
        len(BRAND_TESTS),
        2 * len(BRAND_TESTS),
    )
    settings = _settings(cache_dir)
    before = PerformancePredictor(sample_model, get_embedder(settings.embedding_model).encode)
    after = PerformancePredictor(model, get_embedder(settings.embedding_model).encode)
    wins, loses = zip(*BRAND_TESTS, strict=True)
    p_before, _, _ = before.win_probabilities(list(wins), list(loses))
    p_after, _, _ = after.win_probabilities(list(wins), list(loses))
    # the brand's own winners become more likely to win than under the public prior alone
    assert p_after.mean() > p_before.mean()
    # brand tests are never held out: the held-out set is the public one alone
    assert model.card.holdout and sample_model.card.holdout
    assert model.card.holdout.tests == sample_model.card.holdout.tests
    assert model.card.holdout.model.pairs == sample_model.card.holdout.model.pairs


BRAND_TESTS = [
    ("Your espresso kit ships today", "Espresso kit shipping update"),
    ("Your next bag of beans is ready", "Bean subscription reminder"),
    ("Your cold brew guide is inside", "Cold brew guide"),
    ("Your tasting notes are in", "Tasting notes for March"),
]


@pytest.mark.integration
def test_training_is_deterministic(
    sample_arms: list[ArmOutcome], sample_model: PerformanceModel, cache_dir: Path
) -> None:
    again = _train(sample_arms, cache_dir)
    np.testing.assert_allclose(again.coef, sample_model.coef, rtol=1e-6, atol=1e-8)
    assert again.card == sample_model.card


@pytest.mark.integration
def test_train_command_with_brand_writes_model_and_card(tmp_path: Path) -> None:
    brand = tmp_path / "kb" / "demo"
    brand.mkdir(parents=True)
    (brand / "voice.md").write_text("# Voice\n\n## Do\n- be warm\n", encoding="utf-8")
    (brand / "products.md").write_text("# Products\n\nBeans.\n", encoding="utf-8")
    lines = [
        "campaign_id,ab_test_id,sent_at,goal,segment,subject,preheader,recipients,opens,clicks,"
        "platform"
    ]
    for i, (win, lose) in enumerate(BRAND_TESTS):
        lines.append(f"w{i},ab{i},2025-01-0{i + 1},promotion,all,{win},,2000,600,160,mailchimp")
        lines.append(f"l{i},ab{i},2025-01-0{i + 1},promotion,all,{lose},,2000,600,80,mailchimp")
    (brand / "past_campaigns.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(load_brand(brand).campaigns) == 2 * len(BRAND_TESTS)
    out = tmp_path / "demo.npz"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_KB_DIR=str(tmp_path / "kb"), COPILOT_MODEL_CACHE_DIR=str(tmp_path / "c"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot.cli",
            "model",
            "train",
            "--ab-tests",
            str(SAMPLE),
            "--brand",
            "demo",
            "--out",
            str(out),
            "--holdout",
            str(HOLDOUT),
            # the LM block is covered by test_train_command_with_lm_features (and is slow)
            "--no-lm-features",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "held-out accuracy" in proc.stderr
    card = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert card["lm_features"] is None
    assert card["training"]["brand"] == "demo"
    assert card["training"]["brand_tests"] == len(BRAND_TESTS)
    assert card["training"]["source_sha256"] and card["holdout"]["model"]["pairs"] > 0
    loaded = load_model(out)
    assert loaded.coef.shape[0] == card["bootstrap_replicates"] + 1


@pytest.mark.integration
def test_train_command_with_lm_features(tmp_path: Path) -> None:
    """The default: Gemma hidden states join the features, and `model show` says so."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    tests = sorted({row.split(",", 1)[0] for row in lines[1:]})[:25]
    subset = tmp_path / "subset.csv"
    subset.write_text(
        "\n".join([lines[0], *(r for r in lines[1:] if r.split(",", 1)[0] in tests)]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "lm.npz"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_MODEL_CACHE_DIR=str(tmp_path / "c"))
    run = [sys.executable, "-m", "copilot.cli", "model"]
    proc = subprocess.run(
        [*run, "train", "--ab-tests", str(subset), "--out", str(out), "--holdout", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert "language-model features" in proc.stderr
    card = load_model(out).card
    assert card.lm_features is not None
    assert (card.lm_features.model, card.lm_features.dim) == ("bundled:gemma-3-270m-q4_k_m", 640)
    show = subprocess.run(
        [*run, "show", "--model", str(out)], capture_output=True, text=True, env=env, timeout=120
    )
    assert show.returncode == 0, show.stderr
    assert "640 hidden-state features of bundled:gemma-3-270m-q4_k_m" in show.stdout


def test_train_command_refuses_brand_without_ab_history(tmp_path: Path) -> None:
    brand = tmp_path / "kb" / "solo"
    brand.mkdir(parents=True)
    (brand / "voice.md").write_text("# Voice\n", encoding="utf-8")
    (brand / "past_campaigns.csv").write_text(
        "campaign_id,ab_test_id,sent_at,goal,segment,subject,preheader,recipients,opens,clicks,"
        "platform\nc1,,2025-01-01,promotion,all,Hello,,100,10,1,mailchimp\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_KB_DIR=str(tmp_path / "kb"), COPILOT_MODEL_CACHE_DIR=str(tmp_path / "c"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot.cli",
            "model",
            "train",
            "--ab-tests",
            str(SAMPLE),
            "--brand",
            "solo",
            "--out",
            str(tmp_path / "m.npz"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "ab_test_id" in proc.stderr and "Traceback" not in proc.stderr


# --- the shipped artefact and the evaluator -------------------------------------------------


def test_shipped_model_is_small_safe_and_documented() -> None:
    card_file = SHIPPED_MODEL.with_suffix(".json")
    assert SHIPPED_MODEL.stat().st_size + card_file.stat().st_size < 5 * 1024 * 1024
    with np.load(SHIPPED_MODEL, allow_pickle=False) as arrays:
        assert set(arrays.files) == {
            "coef",
            "feature_mean",
            "feature_scale",
            "lm_mean",
            "lm_scale",
        }
    card = load_model(SHIPPED_MODEL).card
    assert card.holdout is not None and card.training.source_sha256
    attribution = (SHIPPED_MODEL.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "10.1038/s41597-021-00934-7" in attribution and "osf.io/jd64p" in attribution


def test_missing_model_files_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.npz")
    settings = Settings(performance_model_path=tmp_path / "absent.npz", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="copilot model train"):
        create("performance", settings)
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    (tmp_path / "broken.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.json"):
        load_model(tmp_path / "broken.npz")


@pytest.mark.integration
def test_performance_evaluator_scores_a_set(tmp_path: Path) -> None:
    import copilot.evaluation.scores.performance  # noqa: F401  (registers the evaluator)

    evaluator = create("performance", _settings(tmp_path))
    assert (evaluator.name, evaluator.hard) == ("performance", False)
    brief = parse_brief({"brand": "demo", "goal": "promotion", "segment": {"name": "all"}})
    kb = tmp_path / "demo"
    kb.mkdir()
    (kb / "voice.md").write_text("# Voice\n", encoding="utf-8")
    context = BrandContext(brand=load_brand(kb))
    variants = [
        Variant(subject="The Surprising Reason Our Beans Taste Better", preheader="Roasted Monday"),
        Variant(subject="Coffee update", preheader="Roasted Monday"),
        Variant(subject="Why Your Morning Cup Deserves Better", preheader="Fresh beans inside"),
    ]
    results = evaluator.evaluate(variants, brief, context)
    assert [r.name for r in results] == ["performance"] * 3
    assert np.mean([r.score for r in results]) == pytest.approx(0.5, abs=1e-6)
    for v, r in zip(variants, results, strict=True):
        assert v.subject in r.message and "95% CI" in r.message and "lift" in r.message
        assert r.status in ("pass", "warn")
    single = evaluator.evaluate(variants[:1], brief, context)
    assert single[0].score == 0.5 and single[0].status == "pass"
