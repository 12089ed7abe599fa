"""Wall time of `copilot generate` for the abandoned-cart example: cold and with the model warm.

Cold: a fresh `copilot generate --json` process (model and embedder loaded from disk).
Warm: the same generation again inside one process after a first run (models already loaded),
the median of `--runs` runs. `--baseline-rev REV` times the warm runs of that commit too (its
code checked out in a temporary git worktree, imported by a child process in the same session),
so the ratio compares code, not machines or load.
Run: .venv/bin/python benchmarks/bench_generate.py [--runs 3] [--baseline-rev b9a302a]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--worker" not in sys.argv:  # a worker imports the `copilot` its PYTHONPATH names
    sys.path.insert(0, str(ROOT))

BRIEF = ROOT / "examples" / "abandoned_cart.yaml"


def worker(runs: int) -> None:
    """Child process: warm runs with the `copilot` on PYTHONPATH; one JSON line on stdout."""
    from copilot.app.generate import GenerateRequest, generate
    from copilot.io.brief import load_brief
    from copilot.settings import Settings

    s = Settings(_env_file=None)  # type: ignore[call-arg]
    brief = load_brief(BRIEF)
    generate(GenerateRequest(brief=brief), s)  # load everything once
    walls, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = generate(GenerateRequest(brief=brief), s)
        walls.append(time.perf_counter() - t)
    assert out is not None
    import copilot

    u = out.usage
    row = {
        "code": copilot.__file__,
        "walls": walls,
        "variants": len(out.variants),
        "calls": u.calls,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
    }
    print(json.dumps(row))


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def _warm(code: Path, env: dict[str, str], runs: int) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--runs", str(runs)]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(code)},
        cwd=code,  # nothing of this checkout on the path but the code under test
        check=True,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="warm runs per code (median reported)")
    p.add_argument("--baseline-rev", help="also time the warm runs of this commit")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.runs)
        return

    from benchmarks.report import machine, write_section
    from copilot.knowledge.ingest import ingest_brand
    from copilot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        s = Settings(chroma_path=db, _env_file=None)  # type: ignore[call-arg]
        ingest_brand(ROOT / "brand_kb" / "harbor_bean", s)
        env = {**os.environ, "COPILOT_CHROMA_PATH": str(db), "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "copilot.cli", "generate", "--brief", str(BRIEF), "--json"]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        cold = time.perf_counter() - t
        cold_out = json.loads(proc.stdout)
        current = _warm(ROOT, env, args.runs)
        base: dict[str, object] | None = None
        rev = ""
        if args.baseline_rev:
            rev = _git("rev-parse", "--short", args.baseline_rev)
            tree = Path(tmp) / f"base-{rev}"
            _git("worktree", "add", "--detach", str(tree), rev)
            try:
                base = _warm(tree, env, args.runs)
            finally:
                _git("worktree", "remove", "--force", str(tree))
    u = cold_out["usage"]

    def warm_row(label: str, r: dict[str, object]) -> str:
        walls = [float(w) for w in r["walls"]]  # type: ignore[attr-defined]
        return (
            f"| {label} | {statistics.median(walls):.1f} (of {len(walls)}: "
            f"{', '.join(f'{w:.1f}' for w in walls)}) | {r['variants']} | {r['calls']} | "
            f"{r['prompt_tokens']} | {r['completion_tokens']} |"
        )

    lines = [
        "## `copilot generate` wall time (abandoned-cart example, embedded model)",
        "",
        f"`python benchmarks/bench_generate.py --runs {args.runs}"
        + (f" --baseline-rev {rev}" if rev else "")
        + f"` · {machine()} · load average at the end {os.getloadavg()[0]:.1f}",
        "",
        "| run | wall s | variants | model calls | prompt tokens | completion tokens |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| cold (new process) | {cold:.1f} | {len(cold_out['variants'])} | {u['calls']} | "
        f"{u['prompt_tokens']} | {u['completion_tokens']} |",
        warm_row("warm (model loaded), this code", current),
    ]
    if base is not None:
        lines.append(warm_row(f"warm (model loaded), code of {rev}", base))
        cur = statistics.median(float(w) for w in current["walls"])  # type: ignore[attr-defined]
        old = statistics.median(float(w) for w in base["walls"])  # type: ignore[attr-defined]
        lines += ["", f"Warm median, this code / {rev}: {cur / old:.2f}×."]
    text = "\n".join(lines)
    print(text)
    write_section("generate", text)


if __name__ == "__main__":
    main()
