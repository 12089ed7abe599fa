"""Shared UI state: settings, cached heavy objects, the session's work, errors and progress.

Pages read everything through these helpers, so tests can inject a FakeLLM or temp-dir settings
through `st.session_state` (keys LLM_KEY and SETTINGS_KEY) instead of patching library modules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from copilot.app.generate import LLM, BrandContext, get_llm
from copilot.app.knowledge import RetrieveRequest, embedder, open_store, retrieve
from copilot.errors import CopilotError
from copilot.io.brief import Brief
from copilot.settings import Settings, get_settings
from copilot.variants import Variant

# session-state keys (one place, so pages and tests agree); `data_` keeps them apart from
# widget and form keys, which Streamlit forbids assigning
SETTINGS_KEY = "settings_override"
LLM_KEY = "llm_override"
BRIEF = "data_brief"
RESULT = "data_generation"
VARIANTS = "data_variants"
PICKED = "data_picked"
TABLE = "variants_table"
CHAT = "data_chat"
UNDO = "data_undo"
CONTEXTS = "data_contexts"
BODIES = "data_bodies"
SEQUENCE = "data_sequence"
PLAN = "data_plan"
PUSH = "data_push_status"
RESULTS = "data_ab_result"

BUNDLED_NAME = "Gemma 3 270M (bundled, Q4_K_M)"


@st.cache_resource(show_spinner="Loading the embedding model…")
def cached_embedder(_settings: Settings, name: str) -> Any:
    """The sentence-transformers model, loaded once per server process (`name` is the key)."""
    return embedder(_settings)


@st.cache_resource(show_spinner="Opening the knowledge base…")
def cached_store(settings_json: str) -> Any:
    """The Chroma client, opened once per server process and location."""
    return open_store(Settings.model_validate_json(settings_json))


@st.cache_resource
def _model_lock() -> threading.Lock:
    return threading.Lock()


@contextmanager
def using_model() -> Iterator[LLM]:
    """The session's model for one long call; sessions share the in-process model and
    llama.cpp must not run two generations at once, so calls take turns."""
    with _model_lock():
        yield llm()


def settings() -> Settings:
    """The session's settings: an injected override (tests) or the process settings."""
    override = st.session_state.get(SETTINGS_KEY)
    return override if isinstance(override, Settings) else get_settings()


def llm() -> LLM:
    """The session's model: an injected one (tests) or the app's model, created once per server
    process; usage is per run, so every generation or refinement reports only its own calls."""
    override = st.session_state.get(LLM_KEY)
    if override is not None:
        return override  # type: ignore[no-any-return]
    with st.spinner("Loading the language model…"):  # shown only when it takes a while
        return get_llm(settings())


def warm_up() -> None:
    """Load the embedder and open the store before the first long call (each shows a spinner)."""
    s = settings()
    cached_embedder(s, s.embedding_model)
    cached_store(s.model_dump_json())


def brief() -> Brief | None:
    return st.session_state.get(BRIEF)


def variants() -> list[Variant]:
    return list(st.session_state.get(VARIANTS) or [])


def set_variants(new: list[Variant]) -> None:
    """Replace the working set; picks that point past its end are dropped."""
    st.session_state[VARIANTS] = list(new)
    if PICKED in st.session_state:
        st.session_state[PICKED] = [i for i in st.session_state[PICKED] if i < len(new)]
    st.session_state.pop(TABLE, None)  # the table editor's state describes the old rows


def picked() -> list[int]:
    """Indexes of the variants chosen for the test (default: every one without a failed check)."""
    if PICKED in st.session_state:
        return list(st.session_state[PICKED])
    return [i for i, v in enumerate(variants()) if not any(c.status == "fail" for c in v.checks)]


def context_for(the_brief: Brief) -> BrandContext:
    """Retrieved context for a brief, once per brief per session (re-scoring needs it often).
    A page that drafts takes the model first (`using_model`), then this: the model loads before
    the embedder, as in every use case (see copilot.app.generate)."""
    cache: dict[str, BrandContext] = st.session_state.setdefault(CONTEXTS, {})
    key = the_brief.model_dump_json()
    if key not in cache:
        warm_up()
        with st.spinner("Retrieving brand context…"):
            cache[key] = retrieve(RetrieveRequest(brief=the_brief), settings())
    return cache[key]


def forget_contexts() -> None:
    """Drop cached retrievals (after the knowledge base changed)."""
    st.session_state[CONTEXTS] = {}


def show_error(exc: CopilotError) -> None:
    """People see a readable message, never a traceback."""
    st.error(str(exc), icon=":material/error:")


@contextmanager
def readable_errors() -> Iterator[None]:
    """Show the library's errors meant for people as messages; anything else is a bug."""
    try:
        yield
    except CopilotError as exc:
        show_error(exc)


def progress_bar(start: str = "Starting…") -> tuple[Callable[[str, float], None], Any]:
    """A progress bar and the (message, fraction) callback the library reports to."""
    bar = st.progress(0.0, text=start)

    def report(message: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    return report, bar


def need_variants() -> bool:
    """True when there are variants; otherwise says where to make them."""
    if variants() and brief() is not None:
        return True
    st.info(
        "No variants yet: fill in a brief and generate them on the Brief page.",
        icon=":material/edit_note:",
    )
    st.page_link("pages/brief.py", label="Go to the Brief page", icon=":material/edit_note:")
    return False


def model_banner() -> None:
    """The sidebar: which model writes the copy (plain words; setup detail behind "Details"),
    a place for status blocks, and the brief in work."""
    with st.sidebar:
        _model_block()
        _status_block()
        _brief_block()


def _model_block() -> None:
    s = settings()
    override = st.session_state.get(LLM_KEY)
    st.markdown("**Model**")
    if override is not None:
        st.caption(f"{override.name} · {override.model} (injected for this session)")
    elif s.llm_provider == "local":
        st.caption(s.llm_model or BUNDLED_NAME)
        if not s.llm_model:
            st.info(
                "This is the small embedded demo model: it runs on this computer without a "
                "network, but its copy is rough, and only the variants that pass every check "
                "are kept. For production copy, have a larger model connected (see Details).",
                icon=":material/info:",
            )
    else:
        where = f" at {s.llm_base_url}" if s.llm_base_url else ""
        st.caption(f"{s.llm_provider} · {s.llm_model or 'default model'}{where}")
    with st.expander("Details", icon=":material/tune:"):
        st.caption(
            f"Provider `{s.llm_provider}` · prompt style `{s.llm_prompt_style}` · "
            f"embeddings `{s.embedding_model}`"
        )
        st.caption(
            "To switch models set `COPILOT_LLM_PROVIDER=openai` with `OPENAI_API_KEY`, or "
            "`COPILOT_LLM_PROVIDER=openai_compatible` with `COPILOT_LLM_BASE_URL` and "
            "`COPILOT_LLM_MODEL` (Ollama, vLLM, LM Studio, llama_cpp.server), in the "
            "environment or `.env`, then restart the app."
        )


def _status_block() -> None:
    """The setup status (`copilot doctor`'s checks); pages add nothing here."""
    from ui.doctor_panel import render_status

    render_status(settings())


def _brief_block() -> None:
    current = brief()
    if current is not None:
        st.markdown("**Brief**")
        st.caption(
            f"{current.brand} · {current.goal.value} · {current.segment.name} · {current.platform}"
        )
        if variants():
            st.caption(f"{len(variants())} variants in the working set")
