"""`copilot config`: effective settings from the environment and .env, secrets never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SECRET = "sk-" + "test-secret-value-1234567890"  # fake, key-shaped


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    full.pop("OPENAI_API_KEY", None)
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full,
        timeout=120,
    )


def test_config_masks_secrets_and_reads_env(tmp_path: Path) -> None:
    proc = _run(
        ["config", "--json"],
        tmp_path,
        {"OPENAI_API_KEY": SECRET, "COPILOT_LLM_PROVIDER": "openai", "COPILOT_GEN_N": "20"},
    )
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["openai_api_key"] == "********"
    assert data["llm_provider"] == "openai" and data["gen_n"] == 20


def test_config_reads_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"COPILOT_CHROMA_HOST=chroma.internal\nBREVO_API_KEY={SECRET}\n", encoding="utf-8"
    )
    proc = _run(["config"], tmp_path, {})
    assert proc.returncode == 0, proc.stderr
    assert "chroma.internal" in proc.stdout
    assert SECRET not in proc.stdout + proc.stderr


def test_bad_setting_is_a_readable_error(tmp_path: Path) -> None:
    proc = _run(["config"], tmp_path, {"COPILOT_LLM_PROVIDER": "skynet"})
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "llm_provider" in proc.stderr.lower()
