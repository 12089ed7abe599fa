"""The app shell: every page opens on an empty session, the model banner, readable errors.

AppTest runs the real app script; settings point at temp dirs (injected through session state).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from ui.testing import open_app, texts
from ui.views import md_escape

PAGES = ["brief", "variants", "bodies", "sequence", "export", "results", "knowledge"]


@pytest.fixture
def ui_settings(tmp_path: Path, kb_dir: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb_dir, _env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_exception(ui_settings: Settings, page: str) -> None:
    at = open_app(ui_settings, page, timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{page} has no title"


def test_pages_that_need_variants_say_where_to_make_them(ui_settings: Settings) -> None:
    for page in ("variants", "bodies", "export"):
        at = open_app(ui_settings, page, timeout=120)
        assert "generate them on the Brief page" in texts(at)


def test_banner_names_the_embedded_demo_model_and_how_to_switch(ui_settings: Settings) -> None:
    at = open_app(ui_settings, timeout=120)
    shown = texts(at)
    assert "Gemma 3 270M" in shown
    assert "small embedded demo model" in shown
    assert "COPILOT_LLM_PROVIDER=openai" in shown and "openai_compatible" in shown


def test_banner_shows_a_remote_provider_and_its_server(tmp_path: Path, kb_dir: Path) -> None:
    remote = Settings(
        chroma_path=tmp_path / "chroma",
        kb_dir=kb_dir,
        llm_provider="openai_compatible",
        llm_model="llama3.1",
        llm_base_url="http://127.0.0.1:11434/v1",
        _env_file=None,  # type: ignore[call-arg]
    )
    shown = texts(open_app(remote, timeout=120))
    assert "openai_compatible · llama3.1 at http://127.0.0.1:11434/v1" in shown
    assert "small embedded demo model" not in shown


def test_an_injected_model_is_named_in_the_banner(ui_settings: Settings) -> None:
    at = open_app(ui_settings, llm=FakeLLM([]), timeout=120)
    assert "fake · fake-model (injected for this session)" in texts(at)


def test_a_bad_brief_is_a_readable_message_not_a_traceback(ui_settings: Settings) -> None:
    at = open_app(ui_settings, timeout=120)
    at.text_input(key="f_seg_name").set_value("")
    at.button(key="FormSubmitter:brief-Generate variants").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "segment.name" in errors[0]
    assert "Traceback" not in errors[0]


def test_markdown_escaping_keeps_merge_tags_and_prices_as_typed() -> None:
    assert md_escape("*|FNAME|*, $40 off_now") == r"\*\|FNAME\|\*, \$40 off\_now"
