"""The sidebar's setup status: the same checks as `copilot doctor`, in plain words."""

from __future__ import annotations

import streamlit as st

from copilot.app.doctor import Check, Report, check_bundled_model, check_provider, run_checks
from copilot.settings import Settings


@st.cache_resource(show_spinner=False, ttl=600)
def _model_check() -> Check:
    # the one slow check (a child process runs the bundled model): once per server process,
    # refreshed every 10 minutes
    return check_bundled_model()


@st.cache_resource(show_spinner=False, ttl=600)
def _provider_check(provider: str, base_url: str | None, model: str | None, _s: Settings) -> Check:
    # a remote provider answers a one-token request: once per configuration every 10 minutes
    return check_provider(_s)


def status_report(settings: Settings) -> Report:
    """Every `copilot doctor` check except loading the embedder here (the pages load it after the
    LLM: torch's thread pool loaded first slows llama.cpp); the slow checks are cached."""
    quick = run_checks(settings, model=False, embedder=False, provider=False).checks
    at = next((i + 1 for i, c in enumerate(quick) if c.name == "llama.cpp build"), len(quick))
    slow = [_model_check()]
    if settings.llm_provider != "local" or settings.llm_model:
        key = (settings.llm_provider, settings.llm_base_url, settings.llm_model)
        slow.append(_provider_check(*key, settings))
    return Report([*quick[:at], *slow, *quick[at:]])


def render_status(settings: Settings) -> None:
    """A one-line verdict with the checks behind an expander; a failure opens it."""
    with st.spinner("Checking the setup..."):
        report = status_report(settings)
    failed = [c for c in report.checks if not c.ok and c.required]
    if failed:
        st.error(f"Setup problem: {failed[0].name}. See Setup status.", icon=":material/error:")
    else:
        st.caption(":material/check_circle: Setup OK")
    with st.expander("Setup status", expanded=bool(failed), icon=":material/health_and_safety:"):
        for check in report.checks:
            st.caption(check.line())
        st.caption("The same checks run in a terminal: `copilot doctor`.")
