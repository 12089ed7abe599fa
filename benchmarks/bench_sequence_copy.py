"""Who writes a sequence's copy: the model, a filled pattern or the playbook's fallback copy.

For every brief in benchmarks/data/copy_briefs/ (three brands, several goals) whose goal has a
playbook it can run, write the whole sequence on the embedded default (`copilot sequence`'s
library call, model loaded once) and count, over every step, the written parts (subject,
headline, body blocks; the CTA text given by the brief or playbook is not counted) by origin.
Writes the "Sequence copy" section of docs/benchmarks.md.

Run: .venv/bin/python benchmarks/bench_sequence_copy.py [--briefs REGEX ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.report import write_section  # noqa: E402

BRIEFS_DIR = ROOT / "benchmarks" / "data" / "copy_briefs"
BRANDS = [ROOT / "brand_kb" / "harbor_bean", *sorted((ROOT / "benchmarks" / "brands").iterdir())]
SECTION = "sequence_copy"
ORIGINS = ("model", "patterns", "fallback")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--briefs", nargs="*", help="regexes on brief file names (default: all)")
    args = p.parse_args(argv)
    briefs = sorted(BRIEFS_DIR.glob("*.yaml"))
    if args.briefs:
        briefs = [b for b in briefs if any(re.search(x, b.stem) for x in args.briefs)]
    with tempfile.TemporaryDirectory(prefix="cc-bench-seq-") as tmp_s:
        tmp = Path(tmp_s)
        os.environ["COPILOT_KB_DIR"] = str(tmp / "kb")
        os.environ["COPILOT_CHROMA_PATH"] = str(tmp / "chroma")
        for folder in BRANDS:
            if folder.is_dir():
                shutil.copytree(folder, tmp / "kb" / folder.name)

        from copilot.app.generate import get_llm
        from copilot.app.sequence import SequenceRequest, run_sequence
        from copilot.errors import CopilotError
        from copilot.io.brief import load_brief
        from copilot.knowledge.ingest import ingest_brand
        from copilot.settings import Settings

        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        get_llm(settings)  # the model before the embedder (the workflow's order)
        for folder in sorted((tmp / "kb").iterdir()):
            ingest_brand(folder, settings)
        rows: list[dict[str, object]] = []
        for path in briefs:
            brief = load_brief(path)
            t = time.perf_counter()
            try:
                plan = run_sequence(SequenceRequest(brief=brief), settings)
            except CopilotError as exc:
                print(f"{path.stem}: skipped ({exc})", flush=True)
                rows.append({"brief": path.stem, "skipped": str(exc)})
                continue
            wall = time.perf_counter() - t
            counts = Counter(o for s in plan.steps for o in s.origin.values() if o in ORIGINS)
            failed = [c.name for c in plan.checks if c.status == "fail"]
            rows.append(
                {
                    "brief": path.stem,
                    "playbook": plan.playbook,
                    "steps": len(plan.steps),
                    **{o: counts.get(o, 0) for o in ORIGINS},
                    "wall_s": wall,
                    "failed": failed,
                }
            )
            print(f"{path.stem}: {plan.playbook}, {dict(counts)}, {wall:.0f}s", flush=True)
    text = section(rows, settings.draft_strategy)
    print(text)
    write_section(SECTION, text)


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f} %" if whole else "–"


def section(rows: list[dict[str, object]], strategy: str) -> str:
    done = [r for r in rows if "skipped" not in r]
    total = {o: sum(int(r[o]) for r in done) for o in ORIGINS}  # type: ignore[call-overload]
    parts = sum(total.values())
    out = [
        "## Sequence copy: who wrote each part (embedded model)",
        "",
        f"`python benchmarks/bench_sequence_copy.py` · {date.today().isoformat()} · "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"load average at the end {os.getloadavg()[0]:.1f} · drafting strategy `{strategy}`. "
        "Every brief of `benchmarks/data/copy_briefs/` whose playbook can run, the whole "
        "sequence written by `run_sequence`; parts are subjects, headlines and body blocks "
        "(the CTA text given by the brief or playbook is not counted). `patterns`: a "
        "subject filled from the pattern library for the step's brief; `fallback`: the "
        "playbook's canned copy, used when the model's drafts failed twice.",
        "",
        "| brief | playbook | steps | model | patterns | fallback | fallback share | "
        "failed sequence checks | wall s |",
        "| --- " * 9 + "|",
    ]
    for r in rows:
        if "skipped" in r:
            out.append(f"| {r['brief']} | skipped: {r['skipped']} | | | | | | | |")
            continue
        n = sum(int(r[o]) for o in ORIGINS)  # type: ignore[call-overload]
        out.append(
            f"| {r['brief']} | {r['playbook']} | {r['steps']} | {r['model']} | {r['patterns']} | "
            f"{r['fallback']} | {_pct(int(r['fallback']), n)} | "  # type: ignore[call-overload]
            f"{', '.join(r['failed']) or 'none'} | {float(r['wall_s']):.0f} |"  # type: ignore[arg-type]
        )
    out.append(
        f"| **all** | | {sum(int(r['steps']) for r in done)} | {total['model']} | "  # type: ignore[call-overload]
        f"{total['patterns']} | {total['fallback']} | **{_pct(total['fallback'], parts)}** | | |"
    )
    return "\n".join(out)


if __name__ == "__main__":
    main()
