"""Copy benchmark: how many delivered subject/preheader lines a copy lead would send as is.

For every brief in benchmarks/data/copy_briefs/ and every strategy given, run `generate` on the
embedded default and record each delivered line with the automatic proxies; then write a blind
rating sheet (no strategy column). Ratings are made by reading that sheet against
docs/copy_rubric.md and committed as benchmarks/data/copy_ratings.csv; `--report` joins them with
the runs and writes the "Copy quality" section of docs/benchmarks.md.

Strategies: `baseline` is the code of `--baseline-rev` run from a git worktree in a temporary
folder (PYTHONPATH points there); `current` is the working tree as configured; any other name X is
the working tree with `COPILOT_DRAFT_STRATEGY=X` (see `--strategy-setting`).

Run:    .venv/bin/python benchmarks/bench_copy.py --run-label before --strategies baseline \
            --baseline-rev HEAD
        .venv/bin/python benchmarks/bench_copy.py --run-label after --strategies scratch edit
Report: .venv/bin/python benchmarks/bench_copy.py --report
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
BRIEFS_DIR = DATA / "copy_briefs"
BENCH_BRANDS = ROOT / "benchmarks" / "brands"
SAMPLE_BRANDS = ROOT / "brand_kb"
RUNS_CSV = DATA / "copy_runs.csv"
BRIEF_RUNS_CSV = DATA / "copy_run_briefs.csv"
SHEET_CSV = DATA / "copy_to_rate.csv"
RATINGS_CSV = DATA / "copy_ratings.csv"
SECTION = "copy"
SENDABLE_AT = 4

RUN_COLUMNS = [
    "id",
    "run",
    "strategy",
    "code",
    "brief",
    "brand",
    "goal",
    "platform",
    "rank",
    "subject",
    "preheader",
    "angle",
    "score",
    "fluency",
    "relevance",
    "grounding",
    "voice",
    "fallback",
    "checks",
]
BRIEF_RUN_COLUMNS = [
    "run",
    "strategy",
    "code",
    "brief",
    "brand",
    "requested",
    "delivered",
    "calls",
    "drafted",
    "retries",
    "unusable",
    "rejected",
    "fallbacks",
    "wall_s",
    "notes",
]
SHEET_COLUMNS = ["id", "brand", "brief", "subject", "preheader", "rating", "sendable", "notes"]
RATING_COLUMNS = ["id", "rating", "sendable", "notes"]
_DRAFTED = re.compile(r"^drafted \d+/\d+$")


# -- CSV helpers ------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts; an absent file is empty."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, object]]) -> None:
    """Write rows with exactly `columns` (missing values empty)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in columns})


def append_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    write_csv(path, columns, [*read_csv(path), *rows])


# -- briefs -----------------------------------------------------------------------------------
def brief_summary(data: dict[str, object]) -> str:
    """What a rater needs to know about a brief, in one line."""
    seg = data.get("segment") or {}
    seg_text = seg.get("description") or seg.get("name") if isinstance(seg, dict) else ""
    bits = [f"goal: {data.get('goal')}", f"audience: {seg_text}"]
    bits.append(f"offer: {data.get('offer') or 'none'}")
    if data.get("cta"):
        bits.append(f"CTA: {data.get('cta')}")
    if data.get("tone"):
        bits.append(f"tone: {data.get('tone')}")
    return "; ".join(bits)


def load_brief_data(path: Path) -> dict[str, object]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- running ----------------------------------------------------------------------------------
def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def working_tree_code() -> str:
    """HEAD plus a short digest of the uncommitted changes to the code the run imports."""
    head = git("rev-parse", "--short", "HEAD")
    diff = git("diff", "HEAD", "--", "copilot", "prompts")
    untracked = git("ls-files", "--others", "--exclude-standard", "--", "copilot", "prompts")
    if not diff and not untracked:
        return head
    h = hashlib.sha1(diff.encode())
    for name in untracked.splitlines():
        h.update(name.encode())
        h.update((ROOT / name).read_bytes())
    return f"{head}+wt.{h.hexdigest()[:7]}"


def snapshot_working_tree(tmp: Path) -> Path:
    """A frozen copy of the working tree's package, prompts and specs, so that edits made while a
    run is going (the tree is shared) cannot mix two versions of the code in one run."""
    snap = tmp / "working-tree"
    if not snap.exists():
        for name in ("copilot", "prompts", "specs"):
            if (ROOT / name).is_dir():
                shutil.copytree(
                    ROOT / name, snap / name, ignore=shutil.ignore_patterns("__pycache__")
                )
    return snap


def prepare_kb(tmp: Path) -> Path:
    """One KB folder holding the sample brand and the benchmark brands (generation looks brands
    up under COPILOT_KB_DIR, so benchmark brands outside brand_kb/ need a folder of their own)."""
    kb = tmp / "kb"
    kb.mkdir()
    for folder in [SAMPLE_BRANDS / "harbor_bean", *sorted(BENCH_BRANDS.iterdir())]:
        if folder.is_dir():
            shutil.copytree(folder, kb / folder.name)
    return kb


def ingest_store(code_dir: Path, briefs: list[Path], tmp: Path) -> Path:
    """Ingest the briefs' brands once, with `copilot kb ingest`, into a store for `code_dir`."""
    store = tmp / f"store-{secrets.token_hex(4)}"
    env = worker_env(code_dir, tmp, store, {})
    for brand in sorted({load_brief_data(b)["brand"] for b in briefs}):
        cmd = [sys.executable, "-m", "copilot.cli", "kb", "ingest", str(tmp / "kb" / str(brand))]
        subprocess.run(cmd, env=env, cwd=tmp, check=True, capture_output=True, text=True)
    return store


def worker_env(code_dir: Path, tmp: Path, store: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(code_dir),
        "COPILOT_KB_DIR": str(tmp / "kb"),
        "COPILOT_CHROMA_PATH": str(store / "chroma"),
        **extra,
    }
    env.pop("COPILOT_CHROMA_HOST", None)
    return env


def run_workers(
    code_dir: Path,
    briefs: list[Path],
    env_extra: dict[str, str],
    tmp: Path,
    keep: int,
    n: int | None,
    jobs: int,
) -> list[dict[str, object]]:
    """The briefs split over `jobs` concurrent workers, each generating in a child process that
    imports `copilot` from `code_dir`, on its own copy of one ingested store; outputs in brief
    order."""
    store = ingest_store(code_dir, briefs, tmp)
    started = []
    for i in range(jobs):
        group = briefs[i::jobs]
        if not group:
            continue
        own = store if i == 0 else tmp / f"{store.name}-{i}"
        if i:
            shutil.copytree(store, own)
        out = tmp / f"out-{secrets.token_hex(4)}.jsonl"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(out)]
        cmd += ["--keep", str(keep), *(["--n", str(n)] if n else []), *map(str, group)]
        env = worker_env(code_dir, tmp, own, env_extra)
        started.append((subprocess.Popen(cmd, env=env, cwd=tmp), out))
    for proc, _out in started:
        if proc.wait() != 0:
            raise SystemExit(f"a worker failed with exit code {proc.returncode}")
    outs = [
        json.loads(line)
        for _proc, out in started
        for line in out.read_text(encoding="utf-8").splitlines()
        if line
    ]
    return sorted(outs, key=lambda o: str(o["brief"]))


def _recorder(events: list[str]):
    return lambda message, _frac: events.append(message)


def worker(out_path: Path, brief_paths: list[str], keep: int, n: int | None) -> None:
    """Child process: generate for each brief with the `copilot` on PYTHONPATH, one JSON line each."""
    import copilot
    from copilot.app.generate import GenerateRequest, generate, get_llm
    from copilot.io.brief import load_brief
    from copilot.knowledge.embeddings import get_embedder
    from copilot.settings import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    get_llm(settings)  # load the model first (the workflow's order), then the embedder
    get_embedder(settings.embedding_model)
    with out_path.open("w", encoding="utf-8") as fh:
        for path in brief_paths:
            events: list[str] = []
            brief = load_brief(path)
            t = time.perf_counter()
            request = GenerateRequest(brief=brief, n=n, keep=keep)
            result = generate(request, settings, progress=_recorder(events))
            wall = time.perf_counter() - t
            row = {
                "brief": Path(path).stem,
                "wall_s": round(wall, 2),
                "drafted": sum(1 for e in events if _DRAFTED.match(e)),
                "code_file": copilot.__file__,
                "result": result.to_json(),
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(f"{Path(path).stem}: {len(result.variants)} variants, {wall:.1f}s", flush=True)


def check_of(checks: list[dict[str, object]], word: str) -> dict[str, object] | None:
    for c in checks:
        if word in str(c.get("name", "")):
            return c
    return None


def is_fallback(variant: dict[str, object]) -> bool:
    """Whether a delivered line is canned copy rather than a model draft (if the code says so)."""
    if variant.get("fallback"):
        return True
    origin = str(variant.get("origin") or variant.get("source_kind") or "")
    return "fallback" in origin


def rows_from_output(
    out: dict[str, object], run: str, strategy: str, code: str, keep: int
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Per-line rows and the per-brief row for one generation's output."""
    result = out["result"]
    assert isinstance(result, dict)
    brief = result["brief"]
    variants = result["variants"]
    lines = []
    for rank, v in enumerate(variants, 1):
        checks = v.get("checks") or []
        flu, rel = check_of(checks, "fluency"), check_of(checks, "relevance")
        gro, voi = check_of(checks, "grounding"), check_of(checks, "voice")
        lines.append(
            {
                "run": run,
                "strategy": strategy,
                "code": code,
                "brief": out["brief"],
                "brand": brief["brand"],
                "goal": brief["goal"],
                "platform": brief["platform"],
                "rank": rank,
                "subject": v["subject"],
                "preheader": v.get("preheader", ""),
                "angle": v.get("angle", ""),
                "score": "" if v.get("score") is None else round(float(v["score"]), 1),
                "fluency": "" if flu is None else round(float(flu["score"]), 3),
                "relevance": "" if rel is None else round(float(rel["score"]), 3),
                "grounding": "" if gro is None else gro["status"],
                "voice": "" if voi is None else round(float(voi["score"]), 3),
                "fallback": int(is_fallback(v)),
                "checks": ";".join(f"{c['name']}:{c['status']}:{c['score']:.2f}" for c in checks),
            }
        )
    usage = result.get("usage") or {}
    rejected = result.get("rejected") or []
    calls = int(usage.get("calls") or 0)
    drafted = int(out.get("drafted") or 0)
    per_brief = {
        "run": run,
        "strategy": strategy,
        "code": code,
        "brief": out["brief"],
        "brand": brief["brand"],
        "requested": keep,
        "delivered": len(variants),
        "calls": calls,
        "drafted": drafted or "",
        "retries": max(calls - drafted, 0) if drafted else "",
        "unusable": sum(1 for r in rejected if "unusable" in str(r.get("reason", ""))),
        "rejected": len(rejected),
        "fallbacks": sum(int(x["fallback"]) for x in lines),
        "wall_s": out["wall_s"],
        "notes": " | ".join(result.get("notes") or []),
    }
    return lines, per_brief


def new_ids(count: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        token = secrets.token_hex(3)
        if token not in taken:
            taken.add(token)
            out.append(token)
    return out


def run(args: argparse.Namespace) -> None:
    briefs = sorted(BRIEFS_DIR.glob("*.yaml"))
    if args.briefs:
        briefs = [b for b in briefs if any(re.search(p, b.stem) for p in args.briefs)]
    if not briefs:
        raise SystemExit("no briefs selected")
    with tempfile.TemporaryDirectory(prefix="cc-bench-copy-") as tmp_s:
        tmp = Path(tmp_s)
        prepare_kb(tmp)
        worktree: Path | None = None
        all_lines: list[dict[str, object]] = []
        all_briefs: list[dict[str, object]] = []
        try:
            for strategy in args.strategies:
                env: dict[str, str] = {}
                if strategy == "baseline":
                    rev = git("rev-parse", "--short", args.baseline_rev)
                    if worktree is None:
                        worktree = tmp / f"base-{rev}"
                        git("worktree", "add", "--detach", str(worktree), rev)
                    code_dir, code = worktree, rev
                else:
                    code = working_tree_code()
                    code_dir = snapshot_working_tree(tmp)
                    if strategy != "current":
                        env[args.strategy_setting] = strategy
                print(f"== {args.run_label}/{strategy} ({code})", flush=True)
                outs = run_workers(code_dir, briefs, env, tmp, args.keep, args.n, args.jobs)
                for out in outs:
                    lines, per_brief = rows_from_output(
                        out, args.run_label, strategy, code, args.keep
                    )
                    all_lines.extend(lines)
                    all_briefs.append(per_brief)
        finally:
            if worktree is not None:
                git("worktree", "remove", "--force", str(worktree))
    taken = {r["id"] for r in read_csv(RUNS_CSV)}
    for row, token in zip(all_lines, new_ids(len(all_lines), taken), strict=True):
        row["id"] = token
    append_csv(RUNS_CSV, RUN_COLUMNS, all_lines)
    append_csv(BRIEF_RUNS_CSV, BRIEF_RUN_COLUMNS, all_briefs)
    n_sheet = write_sheet()
    print(f"{len(all_lines)} lines recorded; {n_sheet} lines to rate in {SHEET_CSV.name}")


# -- rating sheet -----------------------------------------------------------------------------
def text_key(row: dict[str, str]) -> tuple[str, str, str]:
    """Identical lines for the same brief get one rating, whichever strategy produced them."""
    return (row["brief"], row["subject"].strip(), row["preheader"].strip())


def write_sheet() -> int:
    """The blind sheet: every distinct line not yet rated, shuffled, without run or strategy."""
    runs = read_csv(RUNS_CSV)
    rated_ids = {r["id"] for r in read_csv(RATINGS_CSV) if r.get("rating", "").strip()}
    rated_keys = {text_key(r) for r in runs if r["id"] in rated_ids}
    summaries = {p.stem: brief_summary(load_brief_data(p)) for p in BRIEFS_DIR.glob("*.yaml")}
    seen: set[tuple[str, str, str]] = set()
    todo = []
    for r in runs:
        key = text_key(r)
        if key in rated_keys or key in seen:
            continue
        seen.add(key)
        todo.append(
            {
                "id": r["id"],
                "brand": r["brand"],
                "brief": summaries.get(r["brief"], r["brief"]),
                "subject": r["subject"],
                "preheader": r["preheader"],
            }
        )
    random.Random(secrets.randbits(32)).shuffle(todo)
    write_csv(SHEET_CSV, SHEET_COLUMNS, todo)
    return len(todo)


# -- report -----------------------------------------------------------------------------------
def parse_rating(row: dict[str, str]) -> tuple[int, bool]:
    """A rating row as (1-5, sendable); sendable defaults to rating >= 4 and must agree with it."""
    rating = int(row["rating"])
    if not 1 <= rating <= 5:
        raise ValueError(f"rating {rating} for {row['id']} is not 1-5")
    flag = (row.get("sendable") or "").strip().lower()
    sendable = rating >= SENDABLE_AT if not flag else flag in ("yes", "y", "true", "1")
    if sendable != (rating >= SENDABLE_AT):
        raise ValueError(f"{row['id']}: sendable={flag!r} disagrees with rating {rating}")
    return rating, sendable


def join_ratings(
    runs: list[dict[str, str]], ratings: list[dict[str, str]]
) -> list[dict[str, object]]:
    """Each run line with its rating (by id, else by an identical rated line for the same brief)."""
    by_id = {r["id"]: parse_rating(r) for r in ratings if (r.get("rating") or "").strip()}
    by_key: dict[tuple[str, str, str], tuple[int, bool]] = {}
    for r in runs:
        if r["id"] in by_id:
            by_key.setdefault(text_key(r), by_id[r["id"]])
    out: list[dict[str, object]] = []
    for r in runs:
        got = by_id.get(r["id"]) or by_key.get(text_key(r))
        out.append({**r, "rating": got[0] if got else None, "sendable": got[1] if got else None})
    return out


def _mean(values: Iterable[object]) -> float | None:
    nums = [float(v) for v in values if v not in ("", None)]
    return statistics.fmean(nums) if nums else None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def arm(row: dict[str, object]) -> str:
    return f"{row['run']}/{row['strategy']}"


def summarise(lines: list[dict[str, object]], briefs: list[dict[str, str]]) -> dict[str, dict]:
    """Per arm: delivered, rated, sendable share, mean rating and the automatic proxies."""
    out: dict[str, dict] = {}
    arms = list(dict.fromkeys([*(arm(r) for r in briefs), *(arm(r) for r in lines)]))  # run order
    for a in arms:
        ls = [r for r in lines if arm(r) == a]
        bs = [r for r in briefs if arm(r) == a]
        rated = [r for r in ls if r["rating"] is not None]
        sendable = sum(1 for r in rated if r["sendable"])
        grounded = [r for r in ls if r["grounding"]]
        walls = [float(b["wall_s"]) for b in bs if b.get("wall_s")]
        out[a] = {
            "briefs": len(bs),
            "requested": sum(int(b["requested"]) for b in bs),
            "delivered": len(ls),
            "full_briefs": sum(1 for b in bs if int(b["delivered"]) >= int(b["requested"])),
            "rated": len(rated),
            "sendable": sendable,
            "pct_sendable": 100.0 * sendable / len(rated) if rated else None,
            "mean_rating": _mean(r["rating"] for r in rated),
            "fluency": _mean(r["fluency"] for r in ls),
            "relevance": _mean(r["relevance"] for r in ls),
            "grounding_pass": (
                100.0 * sum(1 for r in grounded if r["grounding"] == "pass") / len(grounded)
                if grounded
                else None
            ),
            "retries": _mean(b["retries"] for b in bs),
            "calls": _mean(b["calls"] for b in bs),
            "unusable": sum(int(b["unusable"] or 0) for b in bs),
            "fallbacks": sum(int(b["fallbacks"] or 0) for b in bs),
            "wall_median": statistics.median(walls) if walls else None,
            "drafted_by": drafted_by(bs),
        }
    return out


_DRAFTED_BY = re.compile(r"drafting strategy \w+: ([a-z]+ \d+(?:, [a-z]+ \d+)*) of the")


def drafted_by(briefs: list[dict[str, str]]) -> str:
    """Which strategy drafted the delivered lines, summed from the runs' notes ('patterns 40,
    scratch 3'); '–' when the code wrote no such note."""
    counts: dict[str, int] = {}
    for b in briefs:
        m = _DRAFTED_BY.search(b.get("notes") or "")
        for part in m.group(1).split(", ") if m else []:
            name, k = part.split(" ")
            counts[name] = counts.get(name, 0) + int(k)
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "–"


def pct_cell(rows: list[dict[str, object]]) -> str:
    rated = [r for r in rows if r["rating"] is not None]
    if not rated:
        return "–" if not rows else f"unrated ({len(rows)})"
    k = sum(1 for r in rated if r["sendable"])
    return f"{100.0 * k / len(rated):.0f} % ({k}/{len(rated)})"


def report_markdown(lines: list[dict[str, object]], briefs: list[dict[str, str]]) -> str:
    """The "Copy quality" section: overall, per brand and per brief, arms side by side."""
    summary = summarise(lines, briefs)
    arms = list(summary)
    codes = {arm(b): b["code"] for b in briefs}
    out = [
        "## Copy quality (blind-rated subject lines and preheaders, embedded model)",
        "",
        "`python benchmarks/bench_copy.py --report` · ratings by reading against "
        "[copy_rubric.md](copy_rubric.md), blind to the strategy, in "
        "`benchmarks/data/copy_ratings.csv`; runs in `benchmarks/data/copy_runs.csv` and "
        "`copy_run_briefs.csv`. Sendable = rated 4 or 5. Fluency, relevance: mean check score "
        "of the delivered lines (– when the code has no such check); retries: model calls beyond "
        "one per draft; wall s: one brief inside a warm worker process, including any wait for "
        "the CPU on a shared machine (compare model calls when the load differed).",
        "",
        "Arms (run/strategy, code): "
        + "; ".join(f"`{a}` ({codes.get(a, '?')})" for a in arms)
        + ".",
        "",
        "| run/strategy | briefs | delivered / requested | briefs in full | rated | sendable "
        "| % sendable | mean rating | fluency | relevance | grounding pass | model calls / brief "
        "| retries / brief | unusable drafts | fallbacks | median wall s | delivered lines drafted by |",
        "| --- " * 17 + "|",
    ]
    for a, s in summary.items():
        out.append(
            f"| {a} | {s['briefs']} | {s['delivered']} / {s['requested']} | "
            f"{s['full_briefs']}/{s['briefs']} | {s['rated']} | {s['sendable']} | "
            f"{_fmt(s['pct_sendable'], 0)} | {_fmt(s['mean_rating'])} | {_fmt(s['fluency'])} | "
            f"{_fmt(s['relevance'])} | {_fmt(s['grounding_pass'], 0)} % | {_fmt(s['calls'], 1)} | "
            f"{_fmt(s['retries'], 1)} | "
            f"{s['unusable']} | {s['fallbacks']} | {_fmt(s['wall_median'], 1)} | "
            f"{s['drafted_by']} |"
        )
    head = "| " + " | ".join(arms) + " |"
    sep = "| --- " * (len(arms) + 1) + "|"
    out += ["", "% sendable per brand (sendable/rated):", "", "| brand " + head, sep]
    for brand in sorted({str(r["brand"]) for r in briefs}):
        cells = [pct_cell([r for r in lines if r["brand"] == brand and arm(r) == a]) for a in arms]
        out.append(f"| {brand} | " + " | ".join(cells) + " |")
    out += ["", "% sendable per brief (sendable/rated; delivered of requested):", ""]
    out += ["| brief " + head, sep]
    delivered = {(arm(b), b["brief"]): f"{b['delivered']}/{b['requested']}" for b in briefs}
    for brief in sorted({str(r["brief"]) for r in briefs}):
        cells = []
        for a in arms:
            cell = pct_cell([r for r in lines if r["brief"] == brief and arm(r) == a])
            cells.append(f"{cell}; {delivered.get((a, brief), '–')}")
        out.append(f"| {brief} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def report() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.report import write_section

    lines = join_ratings(read_csv(RUNS_CSV), read_csv(RATINGS_CSV))
    text = report_markdown(lines, read_csv(BRIEF_RUNS_CSV))
    print(text)
    write_section(SECTION, text)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--report", action="store_true", help="join ratings and write docs")
    p.add_argument("--sheet", action="store_true", help="rewrite the blind rating sheet only")
    p.add_argument("--run-label", default="run", help="label of this run, e.g. before or after")
    p.add_argument("--strategies", nargs="+", default=["current"])
    p.add_argument("--baseline-rev", default="HEAD", help="commit the 'baseline' strategy runs")
    p.add_argument("--strategy-setting", default="COPILOT_DRAFT_STRATEGY")
    p.add_argument("--briefs", nargs="*", help="regexes on brief file names (default: all)")
    p.add_argument("--keep", type=int, default=5, help="variants requested per brief")
    p.add_argument("--n", type=int, default=None, help="drafts per round (default: settings)")
    p.add_argument("--jobs", type=int, default=1, help="concurrent workers per strategy")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker, args.paths, args.keep, args.n)
    elif args.report:
        report()
    elif args.sheet:
        print(f"{write_sheet()} lines to rate")
    else:
        run(args)


if __name__ == "__main__":
    main()
