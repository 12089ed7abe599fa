"""The package runs when installed as a wheel, away from the repository.

`pip install .` (not editable) into a fresh venv, then `copilot kb ingest` and `copilot generate` on
the sample brand from a temporary directory outside the repo, on the real embedded model. The
llama-cpp-python wheel is the one `make install` built for these flags (`make -s llama-wheels`), and
the other dependencies come from pip's cache, so nothing is compiled twice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
TORCH = "torch==2.13.0"  # as the Makefile pins it: an unpinned torch pulls a CUDA build


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd[:3])} ... exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


def llama_wheel_dir() -> Path:
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "llama-wheels"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = Path(out)
    assert list(folder.glob("llama_cpp_python-*.whl")), f"no llama-cpp-python wheel in {folder}"
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv holding the package as a wheel installs it, and a clean environment."""
    base = tmp_path_factory.mktemp("wheel")
    venv = base / "venv"
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", str(base)),
        "LANG": "C.UTF-8",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for key in ("PIP_CONFIG_FILE", "PIP_CACHE_DIR", "PIP_FIND_LINKS", "PIP_INDEX_URL"):
        if key in os.environ:
            env[key] = os.environ[key]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    run([*pip, "--upgrade", "pip"], base, env, 600)
    run([*pip, TORCH], base, env, 1200)
    run(
        [
            *pip,
            "-c",
            str(ROOT / "constraints.txt"),
            "--find-links",
            str(llama_wheel_dir()),
            str(ROOT),
        ],
        base,
        env,
        1800,
    )
    return venv, env


def test_an_installed_wheel_ingests_and_generates_outside_the_repo(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    venv, env = installed
    work = tmp_path / "elsewhere"
    (work / "kb").mkdir(parents=True)
    shutil.copytree(ROOT / "brand_kb" / "harbor_bean", work / "kb" / "harbor_bean")
    shutil.copy(ROOT / "examples" / "promotion.yaml", work / "brief.yaml")
    env = {
        **env,
        "COPILOT_KB_DIR": str(work / "kb"),
        "COPILOT_CHROMA_PATH": str(work / "chroma"),
    }
    python = str(venv / "bin" / "python")

    # the package imported is the installed copy, with its data files, not the repository's
    where = run(
        [
            python,
            "-c",
            "import copilot, importlib.resources as r; print(copilot.__file__); "
            "print(r.files('copilot.prompts').joinpath('subjects_completion.j2').is_file()); "
            "print(r.files('copilot.platforms').joinpath('specs', 'brevo-openapi.yaml').is_file())",
        ],
        work,
        env,
        120,
    ).split()
    assert Path(where[0]).is_relative_to(venv), where[0]
    assert not Path(where[0]).is_relative_to(ROOT)
    assert where[1:] == ["True", "True"]

    copilot = str(venv / "bin" / "copilot")
    ingest = run([copilot, "kb", "ingest", str(work / "kb" / "harbor_bean")], work, env, 600)
    assert "harbor_bean" in ingest

    out = run(
        [copilot, "generate", "--brief", "brief.yaml", "--n", "6", "--keep", "3", "--json"],
        work,
        env,
        900,
    )
    result = json.loads(out)
    assert result["brief"]["brand"] == "harbor_bean"
    assert len(result["variants"]) >= 1
    for variant in result["variants"]:
        assert variant["subject"].strip()
        assert variant["checks"], "every delivered variant carries its checks"
