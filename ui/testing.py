"""Open the app in Streamlit's AppTest with injected settings, model and session data.

Tests hand the app what it would otherwise build (a FakeLLM, temp-dir settings, a brief and its
variants) through `st.session_state`, the same door the pages read from; no module is patched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from copilot.settings import Settings
from ui import state

APP = Path(__file__).resolve().with_name("app.py")


def open_app(
    settings: Settings,
    page: str | None = None,
    llm: Any = None,
    timeout: float = 600,
    **session: Any,
) -> AppTest:
    """The app run once with `session` data in place, then switched to `pages/<page>.py`."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.session_state[state.SETTINGS_KEY] = settings
    if llm is not None:
        at.session_state[state.LLM_KEY] = llm
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts, headings), one string."""
    parts: list[str] = []
    for kind in (
        "title",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("expander",):
        parts += [str(e.label) for e in getattr(at, kind)]
    return "\n".join(parts)
