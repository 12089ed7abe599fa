"""Shared UI state: cached heavy objects and the always-visible model banner."""

from __future__ import annotations

from typing import Any

import streamlit as st

from copilot.errors import CopilotError
from copilot.settings import Settings, get_settings


@st.cache_resource(show_spinner="Loading the language model…")
def cached_llm(settings_json: str) -> Any:
    """The model, loaded once per server process (reruns reuse it)."""
    from copilot.workflow import get_llm

    return get_llm(Settings.model_validate_json(settings_json))


@st.cache_resource(show_spinner="Loading the embedding model…")
def cached_embedder(name: str) -> Any:
    from copilot.retrieval.embeddings import get_embedder

    return get_embedder(name)


def settings() -> Settings:
    return get_settings()


def model_banner() -> None:
    """Which model and provider are in use, and how to switch."""
    s = settings()
    with st.sidebar:
        st.markdown("**Model**")
        if s.llm_provider == "local":
            name = s.llm_model or "Gemma 3 270M (bundled, Q4_K_M)"
            st.caption(f"local llama.cpp · {name}")
            if not s.llm_model:
                st.info(
                    "This is the small embedded demo model: it runs offline but writes rough copy. "
                    "For production copy set `COPILOT_LLM_PROVIDER=openai` with `OPENAI_API_KEY`, "
                    "or `COPILOT_LLM_PROVIDER=openai_compatible` with `COPILOT_LLM_BASE_URL` and "
                    "`COPILOT_LLM_MODEL` (Ollama, vLLM, llama_cpp.server), in the environment or `.env`."
                )
        else:
            st.caption(f"{s.llm_provider} · {s.llm_model or 'default'}")
        st.caption(f"Prompt style: {s.llm_prompt_style}")


def show_error(exc: CopilotError) -> None:
    """People see a readable message, never a traceback."""
    st.error(str(exc), icon="⚠️")
