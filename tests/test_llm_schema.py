"""Schema-constrained chat output: the reply's JSON schema reaches the model, and a backend that
can constrain decoding to it (llama.cpp in-process, llama_cpp.server over HTTP) answers in shape.

The integration tests run the bundled base model in chat mode, the setting in which `copilot
generate` used to exit with "the model gave no usable JSON after 3 tries".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.generation.parsing import ChatDraftList, Draft, DraftList, parse_chat
from copilot.llm.base import ChatMessage
from copilot.llm.contract import parse_contract
from copilot.llm.registry import create_llm
from copilot.llm.structured import ask_json, reask_note
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = "You write email subject lines and preheaders for Harbor Bean, a coffee roaster."
USER = (
    "Write three subject lines with preheaders for the Harvest Sale: 15% off all coffee until "
    'November 30. Reply with JSON: {"variants": [{"subject": ..., "preheader": ..., "angle": ...}]}'
)


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_the_contract_schema_goes_with_every_chat_call_of_the_json_step() -> None:
    """Fake chat model (scripted replies): the first answer is unusable, the repair turn is not."""
    good = json.dumps({"variants": [{"subject": "Harvest Sale: 15% off coffee", "preheader": "x"}]})
    fake = FakeLLM(["not json", good], prompt_style="chat")
    drafts = ask_json(
        fake,
        [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=USER)],
        ChatDraftList,
        step="subject lines",
        read=parse_chat,
        reask=reask_note('{"variants": [...]}'),
        max_tokens=200,
        seed=1,
    )
    assert drafts[0].subject.startswith("Harvest Sale")
    assert fake.schemas == [ChatDraftList.model_json_schema()] * 2


def test_the_chat_schema_bounds_lines_that_the_lenient_parser_would_drop() -> None:
    schema = ChatDraftList.model_json_schema()
    draft = schema["$defs"]["ChatDraft"]["properties"]
    assert draft["subject"]["minLength"] >= 10 and draft["subject"]["maxLength"] <= 100
    assert "strategy" not in draft  # internal bookkeeping is not asked of the model


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`python -m llama_cpp.server` serving the bundled model on 127.0.0.1."""
    from copilot.llm.local import bundled_model_path

    model = bundled_model_path(_settings().model_cache_dir)
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "4096"]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running(cmd, f"http://127.0.0.1:{port}/v1/models", log, timeout_s=180):
        yield f"http://127.0.0.1:{port}/v1", str(model)


def _chat_settings(base_url: str, model: str) -> Settings:
    return _settings(
        llm_provider="openai_compatible",
        llm_base_url=base_url,
        llm_model=model,
        llm_prompt_style="chat",
    )


@pytest.mark.integration
def test_llama_cpp_server_answers_in_the_schema(server: tuple[str, str]) -> None:
    llm = create_llm(_chat_settings(*server))
    assert llm.schema_dialect == "auto"  # type: ignore[attr-defined]
    schema = ChatDraftList.model_json_schema()
    messages = [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=USER)]
    replies = [llm.chat(messages, max_tokens=300, seed=s, schema=schema).text for s in (7, 8, 9)]
    # the server refuses OpenAI's json_schema form; the copilot settles on its json_object form
    assert llm.schema_dialect == "json_object"  # type: ignore[attr-defined]
    for text in replies:
        parse_contract(text, ChatDraftList, ValueError)  # real model output, in the schema as sent
    drafts = [d for text in replies for d in parse_chat_or_none(text)]
    assert drafts, f"no usable draft in {replies}"


def parse_chat_or_none(text: str) -> list[Draft]:
    try:
        return parse_chat(text)
    except ValueError:
        return []


@pytest.mark.integration
def test_the_embedded_model_in_chat_mode_answers_in_the_schema() -> None:
    llm = create_llm(_settings(llm_prompt_style="chat"))
    assert llm.prompt_style == "chat"
    messages = [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=USER)]
    out = llm.chat(messages, max_tokens=300, seed=7, schema=ChatDraftList.model_json_schema())
    parsed = parse_contract(out.text, DraftList, ValueError)
    assert parsed.variants and all(v.subject.strip() for v in parsed.variants)


@pytest.mark.integration
def test_generate_completes_over_llama_cpp_server_in_chat_mode(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """The run that used to exit on "no usable JSON": now every round's JSON parses and the
    copilot delivers checked variants written by the model."""
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
    base_url, model = server
    env = {
        **os.environ,
        "COPILOT_KB_DIR": str(kb),
        "COPILOT_CHROMA_PATH": str(tmp_path / "chroma"),
        "COPILOT_LLM_PROVIDER": "openai_compatible",
        "COPILOT_LLM_BASE_URL": base_url,
        "COPILOT_LLM_MODEL": model,
        "COPILOT_LLM_PROMPT_STYLE": "chat",
    }
    cli = [sys.executable, "-m", "copilot.cli"]
    ingest = subprocess.run(
        [*cli, "kb", "ingest", str(kb / "harbor_bean")], env=env, capture_output=True, text=True
    )
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    proc = subprocess.run(
        [*cli, "generate", "--brief", str(ROOT / "examples" / "promotion.yaml"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["usage"]["provider"] == "openai_compatible"
    assert result["usage"]["prompt_style"] == "chat"
    assert result["variants"], result["rejected"][:5]
    reasons = [r["reason"] for r in result["rejected"]]
    assert not [r for r in reasons if "JSON" in r], reasons  # nothing lost to format
