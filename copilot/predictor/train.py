"""Train the performance model: antisymmetric logistic regression on pairs of A/B arms.

Every pair of arms from the same test and image with different headlines is one example, in both
orders: x = f(A) - f(B) with label "A won" and -x with the opposite label, and no intercept, so
P(A beats B) = 1 - P(B beats A) exactly. f = [MiniLM embedding, standardised hand features scaled
by HAND_WEIGHT, standardised language-model features scaled by LM_WEIGHT]. All pairs are used, weighted by how clear the outcome was (min(|z| / 1.96, 1)),
which beat training on significant pairs alone in grouped cross-validation. Out-of-fold scores
(folds grouped by test) calibrate the win probability and the expected lift. The interval comes
from refits on bootstrap resamples of whole tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from statsmodels.stats.proportion import proportion_confint

from copilot.errors import InputFileError
from copilot.predictor.data import (
    ArmOutcome,
    Pairs,
    data_sha256,
    fold_of,
    form_pairs,
    holdout_mask,
)
from copilot.predictor.features import default_lexicon, feature_matrix, feature_names
from copilot.predictor.model import (
    Accuracy,
    CrossValidation,
    HoldoutReport,
    LMFeatures,
    ModelCard,
    PerformanceModel,
    TrainingData,
)
from copilot.progress import Progress, quiet

#: chosen by 3 x 5-fold CV grouped by test on the training part only (see docs/benchmarks.md)
C_REG = 0.05
HAND_WEIGHT = 0.1
#: the language-model block (640 standardised dims) against the unit-length MiniLM embedding;
#: chosen with C_REG by the same grouped CV on the training part (docs/benchmarks.md)
LM_WEIGHT = 0.05
BOOTSTRAP = 50
FOLDS = 5
SEED = 7
HOLDOUT_FRACTION = 0.2
#: one pair from the brand's own tests counts as much as this many public pairs
BRAND_WEIGHT = 5.0

METHOD = (
    "antisymmetric logistic regression without intercept on f(A) - f(B), "
    "f = [all-MiniLM-L6-v2 embedding, standardised hand-made text features x hand_feature_weight, "
    "standardised mean-pooled hidden states of the language model x lm_features.weight (when "
    "lm_features is set)]; "
    "all pairs within a test and image, weighted by min(|z| / 1.96, 1); "
    "P(A beats B) = sigmoid(win_scale * (s_A - s_B)) with win_scale calibrated out of fold on "
    "significant pairs; expected lift = exp(lift_slope * (s_A - mean s)) - 1"
)
INTERVAL = (
    "2.5th-97.5th percentile over refits on bootstrap resamples of whole tests; it shows how "
    "sure the model is given its training data, not the sampling noise of one send"
)

Embed = Callable[[Sequence[str]], np.ndarray]
#: the steps of a training run, for its progress: embed, cross-validate, refit, hold-out check
STEPS = 4


def cached_embed(encode: Embed, model_name: str, cache_dir: Path) -> Embed:
    """Wrap an encoder with a per-text .npz cache, so only texts not seen before are encoded."""
    key = hashlib.sha256(model_name.encode()).hexdigest()[:16]
    path = cache_dir / f"embeddings-{key}.npz"

    def embed(texts: Sequence[str]) -> np.ndarray:
        known: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        missing = sorted({t for t in texts if t not in known})
        if missing:
            known.update(zip(missing, encode(missing), strict=True))
            cache_dir.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                np.savez(
                    fh,
                    texts=np.asarray(list(known), dtype=str),
                    vectors=np.stack(list(known.values())),
                )
        if not texts:
            return encode([])
        return np.stack([known[t] for t in texts])

    return embed


def log_rates(arms: Sequence[ArmOutcome]) -> np.ndarray:
    """Log click rate of each arm, with +0.5 so zero clicks stay finite."""
    clicks = np.asarray([a.clicks for a in arms], dtype=np.float64)
    shown = np.asarray([a.impressions for a in arms], dtype=np.float64)
    return np.log((clicks + 0.5) / (shown + 0.5))


def outcome_weights(pairs: Pairs) -> np.ndarray:
    """How much a pair says about its winner: 1 from p < 0.05 on, less for closer calls."""
    return np.minimum(np.abs(pairs.z) / 1.959964, 1.0)


def fit_pairwise(x: np.ndarray, pairs: Pairs, weight: np.ndarray, c: float = C_REG) -> np.ndarray:
    """Coefficients w of P(A beats B) = sigmoid(w . (x_A - x_B)), fit on both orders of each pair."""
    keep = weight > 0
    if not keep.any():
        return np.zeros(x.shape[1])
    diff = x[pairs.a[keep]] - x[pairs.b[keep]]
    wins = pairs.a_wins[keep]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(
        np.vstack([diff, -diff]),
        np.r_[wins, ~wins].astype(int),
        sample_weight=np.r_[weight[keep], weight[keep]],
    )
    return np.asarray(model.coef_[0], dtype=np.float64)


def sign_accuracy(diff: np.ndarray, a_wins: np.ndarray) -> float:
    """Share of pairs whose winner has the higher predicted score; a tie counts half."""
    if len(diff) == 0:
        return float("nan")
    correct = np.where(diff == 0, 0.5, (diff > 0) == a_wins)
    return float(np.mean(correct))


def wilson(accuracy: float, n: int) -> tuple[float, float]:
    """Wilson 95% interval of an accuracy over n pairs."""
    if n == 0:
        return (0.0, 1.0)
    lo, hi = proportion_confint(accuracy * n, n, alpha=0.05, method="wilson")
    return (float(lo), float(hi))


def accuracy_report(diff: np.ndarray, a_wins: np.ndarray) -> Accuracy:
    """Accuracy with its Wilson interval."""
    acc = sign_accuracy(diff, a_wins)
    return Accuracy(pairs=len(diff), accuracy=acc, ci95=wilson(acc, len(diff)))


def _fit_win_scale(diff: np.ndarray, a_wins: np.ndarray) -> float:
    """k maximising the likelihood of sigmoid(k * diff) for the observed winners."""
    signed = np.where(a_wins, diff, -diff)
    if len(signed) == 0 or not np.any(signed):
        return 1.0

    def loss(log_k: float) -> float:
        return float(np.mean(np.logaddexp(0.0, -np.exp(log_k) * signed)))

    best = minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded")
    return float(np.exp(best.x))


def _fit_lift_slope(diff: np.ndarray, observed: np.ndarray) -> float:
    """Least-squares slope through the origin of observed log-rate ratio on score difference."""
    denom = float(np.dot(diff, diff))
    if denom == 0:
        return 0.0
    return max(0.0, float(np.dot(diff, observed) / denom))


def cross_validate(
    x: np.ndarray,
    pairs: Pairs,
    weight: np.ndarray,
    pair_tests: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    c: float = C_REG,
) -> tuple[CrossValidation, np.ndarray]:
    """k-fold CV grouped by test over pairs with weight > 0; returns accuracy and out-of-fold diffs.

    Accuracy is measured on each fold's significant pairs; pairs with zero weight are neither
    trained nor scored.
    """
    fold = fold_of(pair_tests, folds, seed)
    used = weight > 0
    oof = np.zeros(len(pairs))
    per_fold: list[float] = []
    for f in range(folds):
        coef = fit_pairwise(x, pairs, np.where(fold == f, 0.0, weight), c)
        in_fold = used & (fold == f)
        oof[in_fold] = (x[pairs.a[in_fold]] - x[pairs.b[in_fold]]) @ coef
        sig = in_fold & pairs.significant
        if sig.any():
            per_fold.append(sign_accuracy(oof[sig], pairs.a_wins[sig]))
    cv = CrossValidation(
        folds=folds,
        mean=float(np.mean(per_fold)) if per_fold else float("nan"),
        sd=float(np.std(per_fold)) if per_fold else float("nan"),
        per_fold=per_fold,
    )
    return cv, oof


@dataclass(frozen=True)
class Design:
    """Rows f(text) of the arms and the standardisation that produced them."""

    x: np.ndarray
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    lm_mean: np.ndarray | None = None
    lm_scale: np.ndarray | None = None


def _standardise(
    block: np.ndarray, fit: np.ndarray, weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(block - mean) / scale with mean and sd from the `fit` rows only, scale = sd / weight."""
    mean = block[fit].mean(axis=0)
    std = block[fit].std(axis=0)
    # a feature constant in training carries no information; keep it at zero
    scale = np.where(std > 1e-9, std, 1.0) / weight
    return (block - mean) / scale, mean, scale


def design_matrix(
    texts: Sequence[str],
    embed: Embed,
    lexicon: dict[str, list[str]],
    fit_rows: np.ndarray,
    lm_embed: Embed | None = None,
) -> Design:
    """f(text) = [embedding, scaled hand features(, scaled LM features)] per text.

    Means and scales come from the texts of `fit_rows` alone, so held-out texts never shape them.
    """
    unique = sorted(set(texts))
    position = {t: i for i, t in enumerate(unique)}
    rows = np.asarray([position[t] for t in texts], dtype=np.int64)
    fit_texts = np.unique(rows[fit_rows])
    emb = np.asarray(embed(unique), dtype=np.float64)
    hand, mean, scale = _standardise(
        feature_matrix(unique, lexicon).astype(np.float64), fit_texts, HAND_WEIGHT
    )
    if lm_embed is None:
        return Design(np.hstack([emb, hand])[rows], mean, scale)
    lm, lm_mean, lm_scale = _standardise(
        np.asarray(lm_embed(unique), dtype=np.float64), fit_texts, LM_WEIGHT
    )
    return Design(np.hstack([emb, hand, lm])[rows], mean, scale, lm_mean, lm_scale)


def design_for(
    arms: Sequence[ArmOutcome], embed: Embed, fit_rows: np.ndarray, lm_embed: Embed | None = None
) -> Design:
    """The design matrix of the arms' headlines with the shipped word lists."""
    return design_matrix(
        [a.headline for a in arms], embed, default_lexicon(), fit_rows, lm_embed=lm_embed
    )


def train_performance_model(
    arms: Sequence[ArmOutcome],
    embed: Embed,
    *,
    embedding_model: str,
    source: str,
    lm_embed: Embed | None = None,
    lm_model: str | None = None,
    source_sha256: str | None = None,
    brand: str | None = None,
    brand_arms: Sequence[ArmOutcome] = (),
    brand_weight: float = BRAND_WEIGHT,
    seed: int = SEED,
    holdout_fraction: float = HOLDOUT_FRACTION,
    c: float = C_REG,
    bootstrap: int = BOOTSTRAP,
    folds: int = FOLDS,
    progress: Progress = quiet,
) -> PerformanceModel:
    """Fit on the non-held-out public tests (+ brand tests), report CV and the held-out accuracy.

    With `lm_embed` (and the name of its model in `lm_model`) the features include the language
    model's hidden states.
    """
    if (lm_embed is None) != (lm_model is None):
        raise ValueError("give lm_embed and lm_model together, or neither")
    if not 0.0 <= holdout_fraction < 1.0:
        raise InputFileError(f"holdout fraction must be in [0, 1), got {holdout_fraction}")
    lexicon = default_lexicon()
    all_arms = [*arms, *brand_arms]
    is_brand = np.r_[np.zeros(len(arms), bool), np.ones(len(brand_arms), bool)]
    test_ids = np.asarray([a.test_id for a in all_arms], dtype=object)
    # brand tests are too few to spare: the holdout measures the public prior only
    held = holdout_mask(list(test_ids), holdout_fraction) & ~is_brand
    pairs = form_pairs(all_arms)
    pair_tests = list(test_ids[pairs.a])
    train_pair = ~held[pairs.a]
    if not (pairs.significant & train_pair).any():
        raise InputFileError(
            f"{source}: no pair of arms within a test and image differs at p < 0.05; "
            "training needs real A/B outcomes (rows test_id, headline, image_id, impressions, "
            "clicks)"
        )
    progress(
        f"{len(all_arms)} arms, {len(set(test_ids))} tests, {len(pairs)} pairs "
        f"({int(pairs.significant.sum())} significant); "
        f"{len(set(test_ids[held]))} tests held out",
        0.0,
    )
    progress("embedding texts (cached after the first run)...", 0.0)
    design = design_for(all_arms, embed, fit_rows=~held, lm_embed=lm_embed)
    x = design.x
    weight = outcome_weights(pairs) * np.where(is_brand[pairs.a], brand_weight, 1.0)
    train_weight = np.where(train_pair, weight, 0.0)

    progress(f"{folds}-fold cross-validation grouped by test on the training part...", 1 / STEPS)
    cv, oof = cross_validate(x, pairs, train_weight, pair_tests, folds=folds, seed=seed, c=c)
    sig = train_pair & pairs.significant
    win_scale = _fit_win_scale(oof[sig], pairs.a_wins[sig])
    r = log_rates(all_arms)
    lift_slope = _fit_lift_slope(oof[train_pair], (r[pairs.a] - r[pairs.b])[train_pair])
    progress(
        f"inner CV accuracy {cv.mean:.3f} ± {cv.sd:.3f}; {bootstrap} bootstrap refits...",
        2 / STEPS,
    )

    coefs = [fit_pairwise(x, pairs, train_weight, c)]
    rng = np.random.default_rng(seed)
    test_index = {t: i for i, t in enumerate(sorted(set(test_ids[~held])))}
    pair_test_index = np.asarray([test_index.get(t, -1) for t in pair_tests], dtype=np.int64)
    for _ in range(bootstrap):
        draw = rng.integers(0, len(test_index), size=len(test_index))
        multiplicity = np.bincount(draw, minlength=len(test_index))
        boot = np.where(pair_test_index >= 0, multiplicity[pair_test_index], 0)
        coefs.append(fit_pairwise(x, pairs, train_weight * boot, c))
    coef = np.vstack(coefs)

    holdout = None
    if held.any():
        eval_pair = pairs.significant & held[pairs.a]
        a, b = pairs.a[eval_pair], pairs.b[eval_pair]
        wins = pairs.a_wins[eval_pair]
        lengths = np.asarray([len(arm.headline) for arm in all_arms], dtype=np.float64)
        holdout = HoldoutReport(
            fraction=holdout_fraction,
            tests=len(set(test_ids[held])),
            model=accuracy_report((x[a] - x[b]) @ coef[0], wins),
            longer_headline=accuracy_report(lengths[a] - lengths[b], wins),
        )
        progress(
            f"held-out accuracy {holdout.model.accuracy:.3f} on {holdout.model.pairs} "
            f"significant pairs (95% CI {holdout.model.ci95[0]:.3f}-{holdout.model.ci95[1]:.3f})",
            1.0,
        )

    lm_dim = 0 if design.lm_mean is None else len(design.lm_mean)
    card = ModelCard(
        method=METHOD,
        interval=INTERVAL,
        embedding_model=embedding_model,
        embedding_dim=x.shape[1] - len(design.feature_mean) - lm_dim,
        hand_features=feature_names(lexicon),
        lexicon=lexicon,
        regularization_c=c,
        hand_feature_weight=HAND_WEIGHT,
        lm_features=(
            LMFeatures(model=lm_model, dim=lm_dim, weight=LM_WEIGHT)
            if lm_model is not None and lm_dim
            else None
        ),
        bootstrap_replicates=bootstrap,
        seed=seed,
        win_scale=win_scale,
        lift_slope=lift_slope,
        training=TrainingData(
            source=source,
            source_sha256=source_sha256,
            data_sha256=data_sha256(all_arms),
            arms=int((~held).sum()),
            tests=len(set(test_ids[~held])),
            pairs=int(train_pair.sum()),
            significant_pairs=int(sig.sum()),
            brand=brand,
            brand_arms=len(brand_arms),
            brand_tests=len({a.test_id for a in brand_arms}),
            brand_weight=brand_weight if brand_arms else 0.0,
        ),
        holdout=holdout,
        inner_cv=cv,
    )
    return PerformanceModel(
        card, coef, design.feature_mean, design.feature_scale, design.lm_mean, design.lm_scale
    )
