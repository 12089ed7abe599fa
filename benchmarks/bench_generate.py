"""Wall time of `copilot generate` for the abandoned-cart example: cold and with the model warm.

Cold: a fresh `copilot generate --json` process (model and embedder loaded from disk).
Warm: the same generation again inside one process after a first run (models already loaded).
Run: .venv/bin/python benchmarks/bench_generate.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import machine, write_section  # noqa: E402
from copilot.brief import load_brief  # noqa: E402
from copilot.retrieval.ingest import ingest_brand  # noqa: E402
from copilot.settings import Settings  # noqa: E402
from copilot.workflow import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BRIEF = ROOT / "examples" / "abandoned_cart.yaml"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        s = Settings(chroma_path=db, _env_file=None)  # type: ignore[call-arg]
        ingest_brand(ROOT / "brand_kb" / "harbor_bean", s)
        env = {**os.environ, "COPILOT_CHROMA_PATH": str(db)}
        cmd = [sys.executable, "-m", "copilot.cli", "generate", "--brief", str(BRIEF), "--json"]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        cold = time.perf_counter() - t
        cold_out = json.loads(proc.stdout)

        brief = load_brief(BRIEF)
        generate(brief, s)  # load everything once
        t = time.perf_counter()
        warm_out = generate(brief, s)
        warm = time.perf_counter() - t
    u = cold_out["usage"]
    text = "\n".join(
        [
            "## `copilot generate` wall time (abandoned-cart example, embedded model)",
            "",
            f"`python benchmarks/bench_generate.py` · {machine()}",
            "",
            "| run | wall s | variants | model calls | prompt tokens | completion tokens |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| cold (new process) | {cold:.1f} | {len(cold_out['variants'])} | {u['calls']} | "
            f"{u['prompt_tokens']} | {u['completion_tokens']} |",
            f"| warm (model loaded) | {warm:.1f} | {len(warm_out.variants)} | "
            f"{warm_out.usage.calls} | {warm_out.usage.prompt_tokens} | "
            f"{warm_out.usage.completion_tokens} |",
        ]
    )
    print(text)
    write_section("generate", text)


if __name__ == "__main__":
    main()
