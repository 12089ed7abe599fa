"""Tokens/s of the local model through the copilot vs llama-cpp-python called directly.

Same GGUF, same prompt (a real subject-line prompt for the sample brand), same sampling settings.
Run: .venv/bin/python benchmarks/bench_llm.py [--runs 5]

`--build LABEL=DIR` (twice or more) compares llama.cpp builds instead: prompt-eval and decode
tokens/s from llama.cpp's own counters, each build in its own child process (DIR is a
`pip install --target` folder holding another llama-cpp-python; an empty DIR is the venv's own),
runs interleaved build by build so load drift hits every build alike. The Makefile's portable
flags were chosen from this comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import machine, write_section  # noqa: E402
from copilot.generation.subjects.generator import COMPLETION_STOP, SubjectGenerator  # noqa: E402
from copilot.io.brief import load_brief  # noqa: E402
from copilot.knowledge.ingest import ingest_brand  # noqa: E402
from copilot.knowledge.retrieve import build_context  # noqa: E402
from copilot.llm.local import LocalLLM  # noqa: E402
from copilot.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_TOKENS = 64


def subject_prompt(s: Settings, llm: LocalLLM) -> str:
    """A real subject-line prompt: the abandoned-cart example on the sample brand."""
    ingest_brand(ROOT / "brand_kb" / "harbor_bean", s)
    brief = load_brief(ROOT / "examples" / "abandoned_cart.yaml")
    return SubjectGenerator(s, llm).render_completion(brief, build_context(brief, s), "benefit")


def measure_build(prompt_file: str, model: str, n_ctx: int, threads: int, runs: int) -> None:
    """Child: one llama.cpp build (whatever `llama_cpp` imports), prompt eval and decode tok/s."""
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=model, n_ctx=n_ctx, n_threads=threads, seed=0, verbose=False, n_gpu_layers=0
    )
    prompt = Path(prompt_file).read_text(encoding="utf-8")
    prompt_tps, decode_tps = [], []
    for run in range(runs + 1):  # run 0 warms up
        llm.reset()  # cold prompt: prompt eval is measured every run
        ctx = llm._ctx.ctx
        llama_cpp.llama_perf_context_reset(ctx)
        llm.create_completion(prompt, max_tokens=MAX_TOKENS, temperature=0.9, seed=run)
        perf = llama_cpp.llama_perf_context(ctx)
        if run:
            prompt_tps.append(perf.n_p_eval / (perf.t_p_eval_ms / 1000))
            decode_tps.append(perf.n_eval / (perf.t_eval_ms / 1000))
    raw = llama_cpp.llama_print_system_info()
    info = raw.decode() if isinstance(raw, bytes) else str(raw)
    print(
        json.dumps(
            {"system_info": info.strip(), "prompt_tps": prompt_tps, "decode_tps": decode_tps}
        )
    )


def compare_builds(builds: list[str], runs: int) -> None:
    """Parent: interleave the builds' child processes, then write the table."""
    labels = [b.split("=", 1)[0] for b in builds]
    dirs = [b.split("=", 1)[1] if "=" in b else "" for b in builds]
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(chroma_path=Path(tmp) / "db", _env_file=None)  # type: ignore[call-arg]
        llm = LocalLLM(s)
        prompt_file = Path(tmp) / "prompt.txt"
        prompt_file.write_text(subject_prompt(s, llm), encoding="utf-8")
        n_prompt = llm.count_tokens(prompt_file.read_text(encoding="utf-8"))
        threads = s.llm_threads or (os.cpu_count() or 1)
        results: dict[str, dict[str, list[float]]] = {
            label: {"prompt_tps": [], "decode_tps": []} for label in labels
        }
        info: dict[str, str] = {}
        loads = []
        for _ in range(runs):
            for label, folder in zip(labels, dirs, strict=True):
                env = dict(os.environ)
                if folder:
                    env["PYTHONPATH"] = os.pathsep.join([folder, str(ROOT)])
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", str(prompt_file), str(llm.path)]
                    + [str(llm.context_window), str(threads), "1"],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                row = json.loads(out.stdout.strip().splitlines()[-1])
                info[label] = row["system_info"]
                for key in ("prompt_tps", "decode_tps"):
                    results[label][key] += row[key]
                loads.append(os.getloadavg()[0])
    base = labels[0]
    med = {label: {k: statistics.median(v) for k, v in r.items()} for label, r in results.items()}
    lines = [
        "## llama.cpp builds: portable (the Makefile's flags) vs AVX-512",
        "",
        f"`python benchmarks/bench_llm.py --runs {runs} "
        + " ".join(f"--build {b.split('=', 1)[0]}=DIR" for b in builds)
        + f"` · {machine()} · Gemma 3 270M Q4_K_M, {n_prompt} prompt tokens (subject lines, "
        f"abandoned cart), up to {MAX_TOKENS} new tokens, {threads} threads, KV cache reset "
        f"before every run, one child process per build per round, rounds interleaved; "
        f"load average {min(loads):.1f}–{max(loads):.1f} during the runs. Tokens/s from "
        "llama.cpp's own counters (llama_perf_context); medians of "
        f"{runs} runs per build. The DIRs are `pip install --target` folders of "
        "llama-cpp-python built with each build's CMAKE_ARGS.",
        "",
        "| build | compiled CPU features (llama.cpp system info) | prompt eval tokens/s | "
        f"decode tokens/s | prompt eval vs {base} | decode vs {base} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label in labels:
        m = med[label]
        feats = " ".join(
            k for k, v in re.findall(r"([A-Z0-9_]+) = ([01])", info[label]) if v == "1"
        )
        lines.append(
            f"| {label} | {feats} | {m['prompt_tps']:.0f} | {m['decode_tps']:.1f} | "
            f"{m['prompt_tps'] / med[base]['prompt_tps']:.2f}× | "
            f"{m['decode_tps'] / med[base]['decode_tps']:.2f}× |"
        )
    text = "\n".join(lines)
    print(text)
    write_section("llm_builds", text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", action="append", default=[], metavar="LABEL=DIR")
    parser.add_argument("--measure", nargs=5, metavar=("PROMPT", "MODEL", "CTX", "THREADS", "RUNS"))
    args = parser.parse_args()
    if args.measure:
        p, model, ctx, threads, runs = args.measure
        measure_build(p, model, int(ctx), int(threads), int(runs))
        return
    if args.build:
        compare_builds(args.build, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(chroma_path=Path(tmp) / "db", _env_file=None)  # type: ignore[call-arg]
        llm = LocalLLM(s)
        prompt = subject_prompt(s, llm)

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
