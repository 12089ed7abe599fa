"""`copilot doctor`: one line per check with its fix, JSON on request, keys never shown."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.app.doctor import Check, Report, check_keys, run_checks
from copilot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def fake_key() -> str:
    return "-".join(["0123456789abcdef" * 2, "us21"])  # built at run time: no key-shaped literal


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_line_says_what_failed_and_the_fix():
    bad = Check("vector store", False, "not reachable", "start the server")
    assert bad.line() == "✗ vector store: not reachable — fix: start the server"
    good = Check("python", True, "3.11.7", "unused fix")
    assert good.line() == "✓ python: 3.11.7"
    optional = Check("Brevo key", False, "not set", "set BREVO_API_KEY", required=False)
    assert optional.line().startswith("✗ Brevo key (optional): not set")


def test_only_required_checks_decide_the_exit():
    optional_fail = Check("Brevo key", False, "not set", required=False)
    assert Report([Check("python", True, "ok"), optional_fail]).ok
    assert not Report([Check("python", False, "2.7"), optional_fail]).ok
    payload = Report([optional_fail]).to_json()
    assert payload["ok"] is True and payload["checks"][0]["required"] is False


def test_vendor_keys_are_reported_as_set_never_shown():
    key = fake_key()
    settings = Settings(mailchimp_api_key=key, _env_file=None)  # type: ignore[call-arg]
    checks = {c.name: c for c in check_keys(settings)}
    assert checks["Mailchimp key"].ok and checks["Mailchimp key"].detail == "set (********)"
    assert not checks["Brevo key"].ok and "BREVO_API_KEY" in checks["Brevo key"].fix
    assert key not in json.dumps(Report(list(checks.values())).to_json())


def test_an_unreachable_chroma_server_fails_with_the_fix(tmp_path: Path):
    settings = Settings(
        chroma_host="127.0.0.1",
        chroma_port=free_port(),
        kb_dir=tmp_path,
        _env_file=None,  # type: ignore[call-arg]
    )
    report = run_checks(settings, model=False)
    store = next(c for c in report.checks if c.name == "vector store")
    assert not store.ok and "not reachable" in store.detail and "chroma run" in store.fix
    assert not report.ok


def _doctor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        COPILOT_CHROMA_PATH=str(tmp_path / "chroma"),
        COPILOT_KB_DIR=str(ROOT / "brand_kb"),
        MAILCHIMP_API_KEY=fake_key(),
    )
    env.pop("COPILOT_CHROMA_HOST", None)
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", "doctor", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )


@pytest.mark.integration
def test_doctor_passes_on_this_install_and_prints_one_json_object(tmp_path: Path):
    proc = _doctor(tmp_path, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is True
    for name in ("python", "packages", "llama.cpp build", "embedding model", "vector store"):
        assert checks[name]["ok"], checks[name]
    model = checks["bundled model (Gemma 3 270M)"]
    assert model["ok"] and "child process" in model["detail"]
    assert "GGML_NATIVE=OFF" in checks["llama.cpp build"]["detail"]
    assert checks["brand harbor_bean"]["ok"] is False  # a fresh store: not ingested, and says so
    assert "copilot kb ingest" in checks["brand harbor_bean"]["fix"]
    assert fake_key() not in proc.stdout + proc.stderr


@pytest.mark.integration
def test_doctor_text_is_one_line_per_check(tmp_path: Path):
    proc = _doctor(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "all required checks pass"
    assert all(line[0] in "✓✗" for line in lines[:-1])
    assert any(line.startswith("✓ llama.cpp build: portable") for line in lines)
    assert fake_key() not in proc.stdout + proc.stderr
