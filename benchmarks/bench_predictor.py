"""Predicted-performance model: held-out accuracy, grouped CV beside a plain baseline, throughput.

    python benchmarks/bench_predictor.py [--ab-tests PATH] [--model PATH] [--no-write]

--ab-tests defaults to ../shared/data/upworthy/dev.csv beside the repository (the Upworthy
Research Archive sample; see copilot/predictor/models/README.md for where to get it). The model
defaults to the shipped one. The held-out tests are the ones the model card names (a hash of
test_id), so the held-out figure is recomputed, not copied. Results go to stdout and to
docs/benchmarks.md between the predictor markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.linear_model import LogisticRegression  # noqa: E402

from benchmarks.report import machine, write_section  # noqa: E402
from copilot.evaluation.scores.performance import PerformancePredictor, get_predictor  # noqa: E402
from copilot.knowledge.embeddings import get_embedder  # noqa: E402
from copilot.predictor.benchmark import benchmark_ab_winners  # noqa: E402
from copilot.predictor.data import (  # noqa: E402
    Arm,
    Pairs,
    fold_of,
    form_pairs,
    holdout_mask,
    read_ab_tests,
)
from copilot.predictor.lm_features import cache_key, get_lm_encoder  # noqa: E402
from copilot.predictor.train import (  # noqa: E402
    Embed,
    cached_embed,
    design_for,
    fit_pairwise,
    outcome_weights,
    sign_accuracy,
    wilson,
)
from copilot.settings import Settings  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "upworthy" / "dev.csv"


def plain_baseline(emb: np.ndarray, pairs: Pairs, train: np.ndarray) -> np.ndarray:
    """The reference point: logistic regression on MiniLM embedding differences, significant
    training pairs only, both orders, no intercept, C = 1. Returns coefficients."""
    keep = train & pairs.significant
    diff = emb[pairs.a[keep]] - emb[pairs.b[keep]]
    wins = pairs.a_wins[keep]
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000)
    model.fit(np.vstack([diff, -diff]), np.r_[wins, ~wins].astype(int))
    return np.asarray(model.coef_[0])


def fold_accuracy(x: np.ndarray, coef: np.ndarray, pairs: Pairs, mask: np.ndarray) -> float:
    sel = mask & pairs.significant
    return sign_accuracy((x[pairs.a[sel]] - x[pairs.b[sel]]) @ coef, pairs.a_wins[sel])


def grouped_cv(
    arms: list[Arm],
    embed: Embed,
    dim: int,
    seed: int,
    folds: int = 5,
    lm_embed: Embed | None = None,
) -> dict[str, list[float]]:
    """5-fold CV grouped by test over all arms: this model's recipe vs the plain baseline."""
    tests = [a.test_id for a in arms]
    fold = fold_of(tests, folds, seed)
    pairs = form_pairs(arms)
    pair_fold = fold[pairs.a]
    out: dict[str, list[float]] = {"model": [], "plain": []}
    weights = outcome_weights(pairs)
    for f in range(folds):
        x = design_for(arms, embed, fit_rows=fold != f, lm_embed=lm_embed).x
        train = pair_fold != f
        coef = fit_pairwise(x, pairs, np.where(train, weights, 0.0))
        out["model"].append(fold_accuracy(x, coef, pairs, ~train))
        emb = x[:, :dim]
        out["plain"].append(fold_accuracy(emb, plain_baseline(emb, pairs, train), pairs, ~train))
    return out


def throughput(
    predictor: PerformancePredictor, texts: list[str], rounds: int = 2
) -> dict[str, float]:
    """Pairs/s (texts encoded in the call) and sets of 12 per second, best of `rounds`."""
    half = len(texts) // 2
    a, b = texts[:half], texts[half : 2 * half]
    pair_rates, set_rates = [], []
    sets = [texts[i : i + 12] for i in range(0, min(len(texts), 120), 12)]
    for _ in range(rounds):
        t0 = time.perf_counter()
        predictor.win_probabilities(a, b)
        pair_rates.append(half / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        for s in sets:
            predictor.predict_set(s)
        set_rates.append(len(sets) / (time.perf_counter() - t0))
    scores_only = predictor.model
    emb = predictor.embed(texts[: 2 * half])
    lm = None
    if scores_only.card.lm_features is not None:
        lm = get_lm_encoder(scores_only.card.lm_features.model, Settings().model_cache_dir).encode(
            texts[: 2 * half]
        )
    t0 = time.perf_counter()
    for _ in range(20):
        s = scores_only.scores(emb, texts[: 2 * half], lm)
        _ = s[:half] - s[half:]
    cached = 20 * half / (time.perf_counter() - t0)
    return {
        "pairs_per_s": max(pair_rates),
        "sets12_per_s": max(set_rates),
        "pairs_per_s_embedded": cached,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ab-tests", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    args = parser.parse_args()

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    arms = read_ab_tests(args.ab_tests)
    predictor = get_predictor(settings, path=args.model)
    card = predictor.model.card
    if card.holdout is None:
        sys.exit("this model was trained without a holdout (--holdout 0): nothing to evaluate")
    held = holdout_mask([a.test_id for a in arms], card.holdout.fraction)
    held_arms = [a for a, h in zip(arms, held, strict=True) if h]

    t0 = time.perf_counter()
    report = benchmark_ab_winners(held_arms, predictor, source=str(args.ab_tests))
    print(
        f"held-out: {report.pairs} pairs, accuracy {report.accuracy:.3f} in "
        f"{time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )

    cache = settings.model_cache_dir / "embeddings"
    lm_embed = None
    if card.lm_features is not None:
        lm_encoder = get_lm_encoder(card.lm_features.model, settings.model_cache_dir)
        # the key `copilot model train` caches under, so its features are reused
        lm_embed = cached_embed(lm_encoder.encode, cache_key(card.lm_features.model), cache)
    embedder = get_embedder(settings.embedding_model)
    embed = cached_embed(embedder.encode, settings.embedding_model, cache)
    pairs = form_pairs(arms)
    x = design_for(arms, embed, fit_rows=~held).x
    emb = x[:, : card.embedding_dim]
    plain_coef = plain_baseline(emb, pairs, ~held[pairs.a])
    plain_held = fold_accuracy(emb, plain_coef, pairs, held[pairs.a])
    n_held = report.pairs

    print("5-fold grouped CV on all tests...", file=sys.stderr)
    cv = grouped_cv(arms, embed, card.embedding_dim, seed=card.seed, lm_embed=lm_embed)

    texts = sorted({a.headline for a in held_arms})[:240]
    speed = throughput(predictor, texts)
    t0 = time.perf_counter()
    embedder.encode(texts)
    encode_rate = len(texts) / (time.perf_counter() - t0)
    lm_rate = float("nan")
    if card.lm_features is not None:
        lm_encoder = get_lm_encoder(card.lm_features.model, settings.model_cache_dir)
        t0 = time.perf_counter()
        lm_encoder.encode(texts)
        lm_rate = len(texts) / (time.perf_counter() - t0)
    load = os.getloadavg()[0]

    def ci(acc: float, n: int) -> str:
        lo, hi = wilson(acc, n)
        return f"{lo:.3f}–{hi:.3f}"

    met = "met" if report.accuracy >= 0.70 else "NOT met"
    m, p = cv["model"], cv["plain"]
    diffs = [a - b for a, b in zip(m, p, strict=True)]
    md = f"""## Predicted performance (A/B winner prediction)

Command: `python benchmarks/bench_predictor.py` (data: `{args.ab_tests.name}`, the Upworthy
Research Archive dev split; model: {"shipped" if args.model is None else args.model.name},
trained with `copilot model train --ab-tests ../shared/data/upworthy/dev.csv --out
copilot/predictor/models/performance_prior.npz`). Machine: {machine()}.

Task: for two headlines of the same test and image whose click rates differ at p < 0.05
(pooled two-proportion z-test), which one won? Pairs with identical headlines are skipped.
Held-out = the {card.holdout.tests} tests whose sha256(test_id) falls in the first
{card.holdout.fraction:.0%} (never trained on; hyper-parameters chosen by grouped CV on the rest
only; see the note at the end on how often this split has been scored).

| predictor | held-out accuracy ({n_held} pairs) | 95% CI (Wilson) |
|---|---:|---:|
| this model (shipped) | {report.accuracy:.3f} | {report.ci95[0]:.3f}–{report.ci95[1]:.3f} |
| plain LR on MiniLM embedding differences (reference) | {plain_held:.3f} | {ci(plain_held, n_held)} |
| longer headline | {report.baselines["longer_headline"].accuracy:.3f} | {report.baselines["longer_headline"].ci95[0]:.3f}–{report.baselines["longer_headline"].ci95[1]:.3f} |
| random | 0.500 | {report.baselines["random"].ci95[0]:.3f}–{report.baselines["random"].ci95[1]:.3f} |

Done criterion (held-out accuracy >= 0.70): **{met}**.

5-fold cross-validation grouped by test over all {len({a.test_id for a in arms})} tests (each
fold's features standardised and fitted on the other four):

| predictor | mean ± sd | per fold |
|---|---:|---|
| this model's recipe | {statistics.mean(m):.3f} ± {statistics.pstdev(m):.3f} | {", ".join(f"{v:.3f}" for v in m)} |
| plain LR on embedding differences | {statistics.mean(p):.3f} ± {statistics.pstdev(p):.3f} | {", ".join(f"{v:.3f}" for v in p)} |
| difference (paired) | {statistics.mean(diffs):+.3f} ± {statistics.pstdev(diffs):.3f} | {", ".join(f"{v:+.3f}" for v in diffs)} |

Inner CV on the training part (from the model card): {card.inner_cv.mean:.3f} ±
{card.inner_cv.sd:.3f}. Artefact: `performance_prior.npz` + `.json` card,
{sum(f.stat().st_size for f in (ROOT / "copilot/predictor/models").glob("performance_prior.*")) / 1024:.0f} KB.

Scoring throughput (best of 2; texts are encoded inside the call, which dominates):

| what | rate |
|---|---:|
| pairs scored, {len(texts) // 2} pairs of distinct headlines per call | {speed["pairs_per_s"]:.0f} pairs/s |
| `predict_set` on sets of 12 subjects | {speed["sets12_per_s"]:.1f} sets/s |
| pairs scored from ready embeddings (model only) | {speed["pairs_per_s_embedded"]:.0f} pairs/s |
| raw MiniLM encode of the same {len(texts)} headlines | {encode_rate:.0f} texts/s |
| raw Gemma 3 270M hidden-state features of the same headlines | {lm_rate:.1f} texts/s |

Load average {load:.1f} at the end (the machine is shared; every row slows alike).

Model selection (development notes, not re-run by this script): candidates compared by
3 × 5-fold CV grouped by test on the training part only, mean accuracy on significant pairs:

| candidate | CV accuracy |
|---|---:|
| plain LR on embedding differences, significant pairs, C = 1 (C = 0.3) | 0.686 (0.693) |
| ridge on each arm's log click rate relative to its test (embedding + hand features) | 0.701 |
| same + random-feature RBF kernel on the embedding | 0.704 |
| same + separate embeddings of the headline's two sentences | 0.699 |
| same + four more word lists (third person, media, people, contrast) | 0.702 |
| LR on all pairs weighted min(abs(z)/1.96, 1), embedding + 0.1 × hand features, C = 0.05 (the previous shipped model) | 0.706 (3 seeds: 0.708 ± 0.008) |
| average of the ridge and the chosen LR | 0.708 (not worth a second model) |
| small siamese MLP (32 hidden units) on the same features, other folds | about 0.70 |
| previous model, weights 1 - p, or min(abs(z)/1.96) capped at 1.5 or 2 | 0.706–0.709 |
| previous model as ridge regression on clipped z (alpha 30–300) | 0.702–0.707 |
| previous model + mean of Gemma 3 270M *input* token embeddings (no forward pass) | 0.713 |
| previous model + standardised Gemma features alone, without MiniLM | 0.697 |
| **previous model + 0.05 × standardised mean-pooled Gemma 3 270M last-layer hidden states, C = 0.05** | **0.727 (3 seeds, ± 0.007)** |
| same, Gemma weight 0.02 / 0.035 / 0.1, or C = 0.03 / 0.08 / 0.1 | 0.720 / 0.727 / 0.714, 0.724 / 0.726 / 0.725 |

The held-out split has been scored for two models: the previous one (MiniLM + hand features,
0.687 on these 597 pairs) and this one. The language-model block was chosen on the CV above
(+0.019 over the previous recipe, paired over the same folds) before the held-out split was
scored for it. An earlier candidate (the ridge) was evaluated once on a differently salted 20%
split of tests during development: 0.690; that split overlapped the data used for choosing
hyper-parameters, so the split above is the one reported.
"""
    print(md)
    if not args.no_write:
        print(f"wrote {write_section('predictor', md)}", file=sys.stderr)


if __name__ == "__main__":
    main()
