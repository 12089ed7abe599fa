"""Wall time of a five-step sequence (the onboarding playbook) on the embedded model.

    python benchmarks/bench_sequence.py [--write-doc]

Ingests the sample brand into a temporary Chroma store with `copilot kb ingest` (not timed), then
times `copilot sequence --brief <onboarding brief> --json` as a separate process, the way a person
runs it: process start, retrieval, model load, adaptation, subject and body copy for all five steps,
and every check. `--write-doc` replaces the sequence section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
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


def _copilot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
    )


def measure() -> dict[str, object]:
    """One timed CLI run; returns the numbers for the doc."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        kb = base / "brand_kb"
        shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
        brief = base / "onboarding.yaml"
        brief.write_text(yaml.safe_dump(BRIEF, sort_keys=False), encoding="utf-8")
        env = {
            **os.environ,
            "COPILOT_CHROMA_PATH": str(base / "chroma"),
            "COPILOT_KB_DIR": str(kb),
            "PYTHONPATH": str(ROOT),
        }
        _copilot(["kb", "ingest", str(kb / "harbor_bean")], env, base)
        start = time.perf_counter()
        proc = _copilot(["sequence", "--brief", str(brief), "--json"], env, base)
        wall = time.perf_counter() - start
    out = json.loads(proc.stdout)
    usage = out["usage"]
    steps = out["sequence"]["steps"]
    origins = [v for s in steps for v in s["origin"].values()]
    return {
        "command": "copilot sequence --brief onboarding.yaml --json",
        "playbook": out["sequence"]["playbook"],
        "steps": len(steps),
        "wall_s": round(wall, 1),
        "llm_calls": usage.get("calls"),
        "llm_latency_s": round(float(usage.get("latency_s") or 0.0), 1),
        "completion_tokens": usage.get("completion_tokens"),
        "model_written_parts": origins.count("model"),
        "fallback_parts": origins.count("fallback"),
        "sequence_checks": {c["name"]: c["status"] for c in out["sequence"]["checks"]},
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
            "`python benchmarks/bench_sequence.py` ingests the sample brand (not timed) and times "
            "`copilot sequence --brief <onboarding brief> --json` as its own process: the "
            "onboarding playbook (five steps) on the bundled Gemma 3 270M (llama.cpp, CPU), with "
            "process start, retrieval, model load, subject and body copy for every step (two "
            "subject drafts, headline and two blocks each) and all checks.",
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
