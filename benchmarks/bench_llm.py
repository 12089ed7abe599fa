"""Tokens/s of the local model through the copilot vs llama-cpp-python called directly.

Same GGUF, same prompt (a real subject-line prompt for the sample brand), same sampling settings.
Run: .venv/bin/python benchmarks/bench_llm.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import machine, write_section  # noqa: E402
from copilot.brief import load_brief  # noqa: E402
from copilot.generators.subjects import COMPLETION_STOP, SubjectGenerator  # noqa: E402
from copilot.llm.local import LocalLLM  # noqa: E402
from copilot.retrieval.ingest import ingest_brand  # noqa: E402
from copilot.retrieval.retrieve import build_context  # noqa: E402
from copilot.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_TOKENS = 64


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(chroma_path=Path(tmp) / "db", _env_file=None)  # type: ignore[call-arg]
        ingest_brand(ROOT / "brand_kb" / "harbor_bean", s)
        brief = load_brief(ROOT / "examples" / "abandoned_cart.yaml")
        llm = LocalLLM(s)
        prompt = SubjectGenerator(s, llm).render_completion(
            brief, build_context(brief, s), "benefit"
        )

        from llama_cpp import Llama

        direct = Llama(
            model_path=str(llm.path),
            n_ctx=llm.context_window,
            n_threads=s.llm_threads or (os.cpu_count() or 1),
            seed=s.llm_seed or 0,
            verbose=False,
        )

        def via_copilot(seed: int) -> tuple[float, int, int]:
            llm._llama.reset()  # cold prompt each run: measure prompt eval too
            out = llm.complete(prompt, max_tokens=MAX_TOKENS, stop=COMPLETION_STOP, seed=seed)
            return out.latency_s, out.prompt_tokens, out.completion_tokens

        def via_direct(seed: int) -> tuple[float, int, int]:
            direct.reset()
            t = time.perf_counter()
            out = direct.create_completion(
                prompt,
                max_tokens=MAX_TOKENS,
                stop=COMPLETION_STOP,
                temperature=s.llm_temperature,
                seed=seed,
                repeat_penalty=1.1,
            )
            u = out["usage"]  # type: ignore[index]
            return time.perf_counter() - t, u["prompt_tokens"], u["completion_tokens"]

        # interleave the two paths run by run, so drift in machine load hits both alike
        via_copilot(0)
        via_direct(0)
        results: dict[str, list[tuple[float, int, int]]] = {"copilot": [], "direct": []}
        for seed in range(1, args.runs + 1):
            results["copilot"].append(via_copilot(seed))
            results["direct"].append(via_direct(seed))
        labels = {
            "copilot": "copilot (LocalLLM.complete)",
            "direct": "llama-cpp-python direct",
        }
        rows = []
        for key, label in labels.items():
            lat, ptoks, ctoks = zip(*results[key], strict=True)
            tps = [(p + c) / t for p, c, t in zip(ptoks, ctoks, lat, strict=True)]
            rows.append(
                (
                    label,
                    statistics.median(lat),
                    ptoks[0],
                    statistics.mean(ctoks),
                    statistics.median(tps),
                    sum(ctoks) / sum(lat),
                )
            )
        load = os.getloadavg()[0]
    lines = [
        "## Local model: copilot vs llama-cpp-python direct",
        "",
        f"`python benchmarks/bench_llm.py --runs {args.runs}` · {machine()} · Gemma 3 270M Q4_K_M, "
        f"n_ctx {llm.context_window}, same prompt (subject lines, abandoned cart), temperature "
        f"{s.llm_temperature}, max {MAX_TOKENS} new tokens, KV cache reset before every run, "
        f"runs interleaved; load average at the end {load:.1f}.",
        "",
        "| path | median latency s | prompt tokens | mean completion tokens | median (prompt+completion) tokens/s | completion tokens/s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, lat, p, c, tps, ctps in rows:
        lines.append(f"| {label} | {lat:.2f} | {p} | {c:.1f} | {tps:.0f} | {ctps:.1f} |")
    text = "\n".join(lines)
    print(text)
    write_section("llm", text)


if __name__ == "__main__":
    main()
