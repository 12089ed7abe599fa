"""The installed llama.cpp is the portable build, and a crash of the model is a report, not a dump.

The build test reads the flags the build was configured with (ggml-config.cmake), not the CPU's
features, so a change to native tuning or AMX fails here on any machine, with or without AMX.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.llm import selftest

ROOT = Path(__file__).resolve().parents[1]


def makefile_flags() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if ln.startswith("LLAMA_CMAKE_ARGS"))
    return dict(re.findall(r"-D(GGML_[A-Z0-9_]+)=(\S+)", line))


def test_installed_llama_cpp_was_not_built_with_native_tuning_or_amx():
    flags = selftest.build_flags()
    assert flags, "the installed llama.cpp records no GGML options (ggml-config.cmake)"
    assert flags["GGML_NATIVE"] == "OFF"
    for name in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16", "GGML_AVX512"):
        assert flags.get(name, "OFF") == "OFF", name
    features = selftest.compiled_features(selftest.system_info())
    assert features.get("AVX2") is True  # the portable baseline is really compiled in
    assert not [k for k, on in features.items() if on and (k.startswith("AMX") or "AVX512" in k)]
    assert selftest.portability_problems(flags, selftest.system_info()) == []


def test_installed_build_has_the_flags_the_makefile_names():
    wanted = makefile_flags()
    assert wanted["GGML_NATIVE"] == "OFF" and wanted["GGML_AMX_INT8"] == "OFF"
    built = selftest.build_flags()
    assert {k: built.get(k) for k in wanted} == wanted


def test_portability_problems_name_native_builds_and_amx():
    native = selftest.portability_problems({"GGML_NATIVE": "ON"}, "AVX2 = 1 | AMX_INT8 = 1")
    assert any("native tuning" in p for p in native)
    assert any("AMX_INT8" in p for p in native)
    amx_flag = selftest.portability_problems({"GGML_NATIVE": "OFF", "GGML_AMX_TILE": "ON"}, "")
    assert amx_flag == ["built with GGML_AMX_TILE=ON"]
    assert selftest.portability_problems({"GGML_NATIVE": "OFF"}, "AVX2 = 1 | AVX512 = 0") == []


def test_a_model_crash_becomes_one_line_with_the_system_info_and_the_fix():
    crash = (
        "import os, signal; print('SYSTEM_INFO: CPU : AVX2 = 1 | AMX_INT8 = 1', flush=True); "
        "os.kill(os.getpid(), signal.SIGSEGV)"
    )
    check = selftest.run_child([sys.executable, "-c", crash], timeout_s=60)
    assert not check.ok
    assert check.returncode == -11
    line = selftest.failure_line(check)
    assert "killed by SIGSEGV" in line
    assert "AVX2 = 1 | AMX_INT8 = 1" in line
    assert "make install" in line
    assert "\n" not in line


def test_a_child_that_fails_names_its_last_words():
    check = selftest.run_child(
        [sys.executable, "-c", "import sys; sys.exit('no GGUF at /nowhere.gguf')"], timeout_s=60
    )
    assert not check.ok and check.returncode == 1
    assert "exit code 1" in check.summary and "/nowhere.gguf" in check.summary


@pytest.mark.integration
def test_selftest_runs_the_bundled_model_in_a_child():
    proc = subprocess.run(
        [sys.executable, "-m", "copilot.llm.selftest"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("llama.cpp runs the model (")
    assert "AVX2 = 1" in proc.stdout
