"""Prove that the installed llama.cpp runs a GGUF model on this CPU, in a child process.

A llama.cpp compiled for another CPU (native tuning, ggml's AMX kernels) dies with SIGSEGV or
SIGILL on its first matrix multiply. Run in a child, that is a one-line report naming the build
and the fix instead of a core dump in the middle of a test suite or a page. `make install` ends with
`python -m copilot.llm.selftest`; `copilot doctor` runs the same check.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

#: what a person runs to get a portable build; the flags themselves live in the Makefile only
REBUILD_FIX = (
    "rebuild llama-cpp-python with the project's portable flags: `rm -rf .venv && make install` "
    "(the flags are LLAMA_CMAKE_ARGS in the Makefile; see the README's Troubleshooting)"
)
#: CPU features that must never be compiled in: ggml's AMX kernels crash on some AMX CPUs
FORBIDDEN_FEATURES = ("AMX_INT8", "AMX_TILE", "AMX_BF16")
_INFO_PREFIX = "SYSTEM_INFO: "
_OK_LINE = "SELFTEST OK"


@dataclass(frozen=True)
class ModelCheck:
    """What the child process reported: ok, or how it died, with the build it saw."""

    ok: bool
    summary: str
    system_info: str = ""
    returncode: int | None = None
    output: str = field(default="", repr=False)


def system_info() -> str:
    """llama.cpp's own report of the CPU features it was compiled with (`AVX2 = 1 | ...`)."""
    import llama_cpp

    raw = llama_cpp.llama_print_system_info()
    return (raw.decode() if isinstance(raw, bytes) else str(raw)).strip()


def compiled_features(info: str) -> dict[str, bool]:
    """`{"AVX2": True, "AVX512": False, ...}` from a system-info string."""
    return {name: value == "1" for name, value in re.findall(r"([A-Z0-9_]+) = ([01])", info)}


@cache
def build_flags() -> dict[str, str]:
    """The GGML_* CMake options the installed llama.cpp was configured with.

    ggml installs `ggml-config.cmake` with every GGML_* option expanded; that records the flags of
    the build itself, whatever CPU this is (system info only shows features, and a native build on
    a CPU without AVX-512 looks portable there).
    """
    from importlib import metadata

    try:
        files = metadata.files("llama-cpp-python") or []
    except metadata.PackageNotFoundError:
        return {}
    found = [f for f in files if f.name == "ggml-config.cmake"]
    if not found:
        return {}
    text = Path(str(found[0].locate())).read_text(encoding="utf-8", errors="replace")
    return dict(re.findall(r'set\((GGML_[A-Z0-9_]+)\s+"?([^")\s]*)"?\)', text))


def portability_problems(flags: dict[str, str], info: str) -> list[str]:
    """Why a build is not portable: native tuning, or AMX kernels compiled in."""
    problems = []
    if not flags:
        problems.append("the build records no GGML options (ggml-config.cmake missing)")
    elif flags.get("GGML_NATIVE", "").upper() not in ("OFF", "0", "FALSE", "NO"):
        problems.append(f"built with native tuning (GGML_NATIVE={flags.get('GGML_NATIVE', '?')})")
    for name in FORBIDDEN_FEATURES:
        if flags.get(f"GGML_{name}", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
            problems.append(f"built with GGML_{name}=ON")
    amx = [name for name, on in compiled_features(info).items() if on and name.startswith("AMX")]
    if amx:
        problems.append(f"AMX kernels compiled in ({', '.join(amx)})")
    return problems


def describe_exit(returncode: int) -> str:
    """`killed by SIGSEGV` for a signal, `exit code 3` otherwise."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def run_child(argv: list[str], *, timeout_s: float = 300.0) -> ModelCheck:
    """Run a check program and turn how it ended into a ModelCheck; never raises for a crash."""
    env = dict(os.environ, PYTHONFAULTHANDLER="")  # a crash is reported here, not as a dump
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return ModelCheck(False, f"the model check did not finish in {timeout_s:.0f} s")
    out = proc.stdout + proc.stderr
    info = next(
        (
            line[len(_INFO_PREFIX) :].strip()
            for line in proc.stdout.splitlines()
            if line.startswith(_INFO_PREFIX)
        ),
        "",
    )
    if proc.returncode == 0 and _OK_LINE in proc.stdout:
        return ModelCheck(True, "loads, completes and embeds", info, 0, out)
    last = next((ln.strip() for ln in reversed(out.splitlines()) if ln.strip()), "")
    summary = f"llama.cpp {describe_exit(proc.returncode)} running the model"
    if proc.returncode > 0 and last:
        summary += f": {last[:300]}"
    return ModelCheck(False, summary, info, proc.returncode, out)


def check_model(model_path: Path | None = None, *, timeout_s: float = 300.0) -> ModelCheck:
    """One short completion and one embedding-mode call of a GGUF (default: the bundled model)."""
    argv = [sys.executable, "-m", "copilot.llm.selftest", "--child"]
    if model_path is not None:
        argv += ["--model", str(model_path)]
    return run_child(argv, timeout_s=timeout_s)


def failure_line(check: ModelCheck) -> str:
    """The one line a person reads when the check failed: what died, on which build, the fix."""
    info = check.system_info or "unknown (llama.cpp did not start)"
    return f"{check.summary}; llama.cpp system info: {info}; fix: {REBUILD_FIX}"


def _child(model: str | None) -> int:
    import llama_cpp

    from copilot.llm.local import bundled_model_path, quiet_native_stderr
    from copilot.settings import Settings

    print(_INFO_PREFIX + system_info(), flush=True)
    path = Path(model) if model else bundled_model_path(Settings().model_cache_dir)
    with quiet_native_stderr():
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=256, n_threads=1, verbose=False)
    out = llm.create_completion("Subject: Your order", max_tokens=4, temperature=0.0)
    text = out["choices"][0]["text"]  # type: ignore[index]
    del llm
    with quiet_native_stderr():
        emb = llama_cpp.Llama(
            model_path=str(path),
            embedding=True,
            pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
            n_ctx=256,
            n_threads=1,
            verbose=False,
        )
    vector = emb.embed("Free shipping this week", normalize=False)
    if not vector:
        print("embedding-mode call returned no vector", flush=True)
        return 3
    print(f"{_OK_LINE}: completion {text!r}, embedding dim {len(vector)}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m copilot.llm.selftest`: exit 0 when the model runs, 1 with one line when not."""
    args = list(sys.argv[1:] if argv is None else argv)
    model = args[args.index("--model") + 1] if "--model" in args else None
    if "--child" in args:
        return _child(model)
    check = check_model(Path(model) if model else None)
    if not check.ok:
        print(f"error: {failure_line(check)}", file=sys.stderr)
        return 1
    problems = portability_problems(build_flags(), check.system_info)
    if problems:
        print(
            f"error: llama.cpp is not a portable build: {'; '.join(problems)}; fix: {REBUILD_FIX}"
        )
        return 1
    print(f"llama.cpp runs the model ({check.system_info})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
