"""Wall time of a five-step sequence (the onboarding playbook) on the embedded model.

    python benchmarks/bench_sequence.py [--write-doc]

Ingests the sample brand into a temporary Chroma store (not timed), then times one full
`copilot sequence` run in-process: retrieval, model load, adaptation, subject and body copy for
all five steps, and every check. `--write-doc` replaces the sequence section of
docs/benchmarks.md with the result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.brief import parse_brief  # noqa: E402
from copilot.generators.sequences import run_sequence  # noqa: E402
from copilot.retrieval.ingest import ingest_brand  # noqa: E402
from copilot.settings import Settings  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- sequence:start -->", "<!-- sequence:end -->"
BRIEF = {
    "brand": "harbor_bean",
    "goal": "onboarding",
    "segment": {
        "name": "new_subscription",
        "description": "Customers who started a coffee subscription this week.",
        "lifecycle": "customer",
        "engagement": "high",
        "size": 600,
    },
    "platform": "mailchimp",
    "tone": "warm and practical",
    "cta": "Manage your subscription",
    "cta_url": "https://harborbean.example/account",
    "personalization": ["FNAME"],
}


def measure() -> dict[str, object]:
    """One timed run; returns the numbers for the doc."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "brand_kb"
        shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
        settings = Settings(chroma_path=Path(tmp) / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
        ingest_brand(kb / "harbor_bean", settings)
        brief = parse_brief(BRIEF)
        start = time.perf_counter()
        plan = run_sequence(
            brief,
            settings,
            progress=lambda m, f: print(f"[{f:4.0%}] {m}", file=sys.stderr, flush=True),
        )
        wall = time.perf_counter() - start
    usage = plan.usage
    return {
        "playbook": plan.playbook,
        "steps": len(plan.steps),
        "wall_s": round(wall, 1),
        "llm_calls": usage.get("calls"),
        "llm_latency_s": round(float(usage.get("latency_s") or 0.0), 1),
        "completion_tokens": usage.get("completion_tokens"),
        "model_written_parts": sum(
            1 for s in plan.steps for v in s.origin.values() if v == "model"
        ),
        "fallback_parts": sum(1 for s in plan.steps for v in s.origin.values() if v == "fallback"),
        "sequence_checks": {c.name: c.status for c in plan.checks},
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }


def section(result: dict[str, object]) -> str:
    """The Markdown section for docs/benchmarks.md."""
    return "\n".join(
        [
            START,
            "## Five-step sequence on the embedded model",
            "",
            "`python benchmarks/bench_sequence.py` times one in-process `copilot sequence` run "
            "of the onboarding playbook (five steps) for the sample brand on the bundled Gemma 3 "
            "270M (llama.cpp, CPU): retrieval, model load, subject and body copy for every step "
            "(two subject drafts, headline and two blocks each), and all checks.",
            "",
            "| steps | wall time | model calls | model time | tokens out | parts by the model "
            "/ fallback | CPUs | load (1 min) |",
            "|---|---|---|---|---|---|---|---|",
            f"| {result['steps']} | {result['wall_s']} s | {result['llm_calls']} | "
            f"{result['llm_latency_s']} s | {result['completion_tokens']} | "
            f"{result['model_written_parts']} / {result['fallback_parts']} | {result['cpus']} | "
            f"{result['load_avg_1m']} |",
            "",
            f"The model wrote {result['completion_tokens']} tokens in {result['llm_latency_s']} s "
            f"of calls ({_rate(result)} tokens/s); almost all of the wall time is model time. "
            "The load average shows how busy the shared machine was at the end: the same run "
            "on an idle machine is correspondingly faster.",
            "",
            "Sequence checks: "
            + ", ".join(f"{k} {v}" for k, v in dict(result["sequence_checks"]).items())  # type: ignore[call-overload]
            + ".",
            END,
        ]
    )


def _rate(result: dict[str, object]) -> str:
    tokens = float(result["completion_tokens"] or 0)  # type: ignore[arg-type]
    seconds = float(result["llm_latency_s"] or 0)  # type: ignore[arg-type]
    return f"{tokens / seconds:.1f}" if seconds else "-"


def write_doc(text: str) -> None:
    """Replace (or append) the sequence section, leaving other sections alone."""
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else "# Benchmarks\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-doc", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    result = measure()
    print(json.dumps(result, indent=2))
    if args.write_doc:
        write_doc(section(result))


if __name__ == "__main__":
    main()
