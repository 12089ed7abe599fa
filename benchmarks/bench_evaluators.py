"""Evaluator throughput: variants scored per second, hard checks alone and full scoring, beside the
embedding model's raw encode rate on the same texts.

    python benchmarks/bench_evaluators.py [--rounds 3] [--batch 12] [--no-write]

Variants are the sample brand's 80 past subject + preheader pairs, scored against
examples/promotion.yaml in sets of `--batch` (the size `copilot generate` drafts per round;
diversity is judged within a set). Model loading is done before timing and reported apart.
Results go to stdout and to docs/benchmarks.md between the evaluators markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.evaluation import vectors  # noqa: E402
from copilot.evaluation.scores.performance import get_model  # noqa: E402
from copilot.evaluation.scoring import (  # noqa: E402
    DEFAULT_EVALUATORS,
    HARD_CHECKS,
    evaluate_variants,
    load_evaluators,
)
from copilot.io.brief import load_brief  # noqa: E402
from copilot.knowledge.brand import load_brand  # noqa: E402
from copilot.knowledge.context import BrandContext  # noqa: E402
from copilot.knowledge.embeddings import get_embedder  # noqa: E402
from copilot.predictor.lm_features import get_lm_encoder  # noqa: E402
from copilot.settings import Settings  # noqa: E402
from copilot.variants import Variant  # noqa: E402

START, END = "<!-- evaluators:start -->", "<!-- evaluators:end -->"
DOC = ROOT / "docs" / "benchmarks.md"


def best_rate(n: int, run: Callable[[], None], rounds: int) -> tuple[float, float]:
    """(best, median) items per second over `rounds` timed runs."""
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        run()
        rates.append(n / (time.perf_counter() - t0))
    return max(rates), statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=12)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs alone.")
    args = parser.parse_args()

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    brief = load_brief(ROOT / "examples" / "promotion.yaml")
    kb = load_brand(ROOT / "brand_kb" / "harbor_bean")
    context = BrandContext(brand=kb)
    variants = [Variant(subject=c.subject, preheader=c.preheader) for c in kb.campaigns]
    batches = [variants[i : i + args.batch] for i in range(0, len(variants), args.batch)]
    texts = [vectors.variant_text(v) for v in variants]
    n = len(variants)

    t0 = time.perf_counter()
    embedder = get_embedder(settings.embedding_model)
    embedder.encode(["warm up"])
    load_s = time.perf_counter() - t0
    full_names = [e.name for e in load_evaluators(DEFAULT_EVALUATORS, settings)]
    has_performance = "performance" in full_names

    def hard() -> None:
        for batch in batches:
            evaluate_variants(batch, brief, context, settings, HARD_CHECKS)

    def full() -> None:
        # every round encodes its variants afresh; the brand's references stay encoded, as in
        # a running process
        vectors._encode.cache_clear()
        for batch in batches:
            evaluate_variants(batch, brief, context, settings)

    def encode_batched() -> None:
        for i in range(0, n, args.batch):
            embedder.encode(texts[i : i + args.batch])

    def encode_all() -> None:
        embedder.encode(texts)

    # the performance model also reads each subject with the bundled language model
    subjects = [v.subject for v in variants]
    card = get_model(settings).card if has_performance else None
    lm_name = card.lm_features.model if card and card.lm_features else None

    def encode_lm() -> None:
        if lm_name:
            get_lm_encoder(lm_name, settings.model_cache_dir, settings.llm_threads).encode(subjects)

    full()  # warm-up: reference texts encoded once, regexes compiled, performance model loaded
    hard_rate = best_rate(n, hard, args.rounds)
    full_rate = best_rate(n, full, args.rounds)
    enc_batched = best_rate(n, encode_batched, args.rounds)
    enc_all = best_rate(n, encode_all, args.rounds)
    enc_lm = best_rate(n, encode_lm, args.rounds) if lm_name else None

    rows = [
        ("hard checks only (6 checks)", hard_rate),
        (f"full scoring ({', '.join(full_names)})", full_rate),
        (f"raw encode, batches of {args.batch}", enc_batched),
        (f"raw encode, one batch of {n}", enc_all),
    ]
    if enc_lm is not None:
        rows.append((f"raw {lm_name} hidden-state features of the {n} subjects", enc_lm))
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        START,
        "## Evaluators",
        "",
        f"Command: `python benchmarks/bench_evaluators.py --rounds {args.rounds} "
        f"--batch {args.batch}`. {n} variants (the sample brand's past subject + preheader pairs) "
        f"scored against `examples/promotion.yaml` in sets of {args.batch}; best and median of "
        f"{args.rounds} rounds. Machine: {os.cpu_count()} CPU(s), {platform.machine()}, Python "
        f"{platform.python_version()}, torch threads {threads}, load average {load:.1f} at the "
        f"end (other work on the machine slows every row alike). Embedding model "
        f"`{settings.embedding_model}` loaded once in {load_s:.1f} s before timing.",
        "",
        "| what | variants/s (best) | variants/s (median) |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {best:,.0f} | {median:,.0f} |" for name, (best, median) in rows]
    lines += [
        "",
        "Performance predictor included: "
        + ("yes." if has_performance else "no (its module or trained model was not available).")
        + (
            " Its language-model features (one llama.cpp forward pass per subject) take most of"
            " the full-scoring time."
            if lm_name
            else ""
        ),
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in old and END in old:
        new = old[: old.index(START)] + section + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(new, encoding="utf-8")
    print(f"\nwrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
