"""The `fluency` score against labelled lines, and what it adds to the time of scoring a set.

    python benchmarks/bench_fluency.py [--fit] [--rounds 3] [--sets 6] [--no-write]

Reads tests/fixtures/fluency_corpus.yaml (lines labelled fluent or not, split into calibration
and held-out parts before anything was tuned) with the bundled Gemma 3 270M, and reports for each
part the AUC of the score and of its readings alone (mean token log-probability, order gain,
repeated words), the accuracy of the warn threshold and what the floor drops. `--fit` refits the
logistic constants of copilot/evaluation/scores/fluency.py on the calibration part and prints them
(paste them there and re-run). Timing: the sample brand's past subject + preheader pairs scored
against examples/promotion.yaml in sets of 12 with every default evaluator, with and without
fluency, runs interleaved, model loading done before, lines never read before (the score
remembers lines it has read, which makes the generator's second scoring of its chosen set free). Results go to stdout and to
docs/benchmarks.md between the fluency markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.report import machine, write_section  # noqa: E402
from copilot.evaluation.scores import fluency  # noqa: E402
from copilot.evaluation.scoring import DEFAULT_EVALUATORS, evaluate_variants  # noqa: E402
from copilot.io.brief import load_brief  # noqa: E402
from copilot.knowledge.brand import load_brand  # noqa: E402
from copilot.knowledge.context import BrandContext  # noqa: E402
from copilot.settings import Settings  # noqa: E402
from copilot.variants import Variant  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "fluency_corpus.yaml"
PARTS = ("calibration", "held_out")
SET_SIZE = 12


def read_part(items: list[dict], settings: Settings) -> tuple[np.ndarray, list]:
    labels = np.array([bool(i["fluent"]) for i in items])
    return labels, fluency.score_lines([str(i["text"]) for i in items], settings)


def fit(labels: np.ndarray, lines: list) -> tuple[float, float, float]:
    """(order weight, repeat weight, bias) of a logistic fit on lines long enough to reverse."""
    rows = [
        (ln.order_gain, ln.repeats, y)
        for ln, y in zip(lines, labels, strict=True)
        if ln.order_gain is not None
    ]
    x = np.array([[g, r] for g, r, _ in rows])
    y = np.array([t for _, _, t in rows])
    model = LogisticRegression(C=10.0).fit(x, y)
    return float(model.coef_[0][0]), float(model.coef_[0][1]), float(model.intercept_[0])


def auc(labels: np.ndarray, values: list[float]) -> float:
    return float(roc_auc_score(labels, values))


def quality_rows(parts: dict[str, tuple[np.ndarray, list]]) -> list[str]:
    rows = []
    for name in PARTS:
        labels, lines = parts[name]
        score = [ln.score for ln in lines]
        gain = [ln.order_gain if ln.order_gain is not None else 0.0 for ln in lines]
        warn = np.array(score) >= fluency.WARN_BELOW
        dropped = np.array(score) < fluency.FLOOR
        rows.append(
            f"| {name} | {len(lines)} ({int(labels.sum())} fluent) | {auc(labels, score):.3f} | "
            f"{auc(labels, [ln.mean_logprob for ln in lines]):.3f} | {auc(labels, gain):.3f} | "
            f"{auc(labels, [-ln.repeats for ln in lines]):.3f} | {(warn == labels).mean():.3f} | "
            f"{int(dropped.sum())} ({int((dropped & labels).sum())} fluent) |"
        )
    return rows


def timing(settings: Settings, rounds: int, n_sets: int) -> tuple[float, float, float]:
    """Median seconds per set of 12: every default evaluator without fluency, with it, and
    fluency alone."""
    brief = load_brief(ROOT / "examples" / "promotion.yaml")
    brand = load_brand(ROOT / "brand_kb" / "harbor_bean")
    context = BrandContext(brand=brand)
    pairs = [Variant(subject=c.subject, preheader=c.preheader) for c in brand.campaigns]
    sets = [pairs[i : i + SET_SIZE] for i in range(0, len(pairs) - SET_SIZE + 1, SET_SIZE)]
    sets = sets[:n_sets]
    without = [e for e in DEFAULT_EVALUATORS if e != "fluency"]
    runs: dict[str, list[float]] = {"without": [], "with": [], "alone": []}
    names = {"without": without, "with": list(DEFAULT_EVALUATORS), "alone": ["fluency"]}
    for group in sets[:1]:  # warm-up: models and references loaded outside the timing
        evaluate_variants(group, brief, context, settings, names["with"])
    for _ in range(rounds):
        for key, evaluators in names.items():
            for group in sets:
                fluency._memo.cache_clear()  # fresh lines: time the reading, not the memo
                t0 = time.perf_counter()
                evaluate_variants(group, brief, context, settings, evaluators)
                runs[key].append(time.perf_counter() - t0)
    return (
        statistics.median(runs["without"]),
        statistics.median(runs["with"]),
        statistics.median(runs["alone"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="Refit the constants and print them.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", type=int, default=6, help="Sets of 12 timed per round.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    corpus = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    parts = {name: read_part(corpus[name], settings) for name in PARTS}
    if args.fit:
        w_order, w_repeat, bias = fit(*parts["calibration"])
        print(f"ORDER_WEIGHT = {w_order:.3f}\nREPEAT_WEIGHT = {w_repeat:.3f}\nBIAS = {bias:.3f}")
        return
    quality = [
        "| part | lines | AUC of the score | AUC mean log-prob alone | AUC order gain alone | "
        f"AUC repeats alone | accuracy at {fluency.WARN_BELOW} | dropped below floor "
        f"{fluency.FLOOR} |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        *quality_rows(parts),
    ]
    print("\n".join(quality), flush=True)
    before, after, alone = timing(settings, args.rounds, args.sets)
    load = os.getloadavg()[0]
    lines = [
        "## Fluency score (labelled lines, embedded model)",
        "",
        f"Command: `python benchmarks/bench_fluency.py --rounds {args.rounds} --sets {args.sets}`. "
        f"{machine()}; load average {load:.1f} at the end (other work on the machine slows "
        "every timing alike). Lines: `tests/fixtures/fluency_corpus.yaml`, labelled by reading "
        "and split before tuning; the constants of `copilot/evaluation/scores/fluency.py` "
        f"(order weight {fluency.ORDER_WEIGHT}, repeat weight {fluency.REPEAT_WEIGHT}, bias "
        f"{fluency.BIAS}) come from `--fit` on the calibration part only.",
        "",
        *quality,
        "",
        f"Scoring the sample brand's past subject + preheader pairs in {args.sets} sets of "
        f"{SET_SIZE} (every default evaluator; median over {args.rounds} round(s)):",
        "",
        "| what | seconds per set of 12 |",
        "|---|---:|",
        f"| without fluency | {before:.2f} |",
        f"| with fluency | {after:.2f} |",
        f"| fluency alone (every line read as written and reversed) | {alone:.2f} |",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        print(f"written to {write_section('fluency', text)}")


if __name__ == "__main__":
    main()
