"""Brief page: the form or an uploaded brief, generation with progress, and the chat that refines
the variants (kept for the session, every change re-scored).

Generation and chat use FakeLLM (a scripted stand-in named as such), injected through session
state; retrieval and scoring are real (integration) where the test needs them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.builders import make_brief
from streamlit.testing.v1 import AppTest

from copilot.knowledge.brand import load_brand
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant
from tests.llm_fakes.fake_llm import FakeLLM
from ui import state
from ui.testing import open_app, texts

GENERATE = "FormSubmitter:brief-Generate variants"
SUBJECTS = [
    "Your coffee is one click away",
    "Still thinking about that bag?",
    "{{FNAME}}, your roast is saved",
    "What our regulars order next",
    "The roast that sells out first",
    "How to brew your next bag",
    "A note from our roaster",
    "Your beans are still here",
]


def _scripted(subjects: list[str]) -> FakeLLM:
    it = iter(subjects * 20)
    return FakeLLM(
        lambda _p: (
            f" {next(it)}\nPreheader: Every bag is roasted to order and shipped within two days of roasting.\n###"
        )
    )


def _settings(tmp_path: Path, kb: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]


BRIEF_YAML = b"""brand: tidewater
goal: promotion
segment:
  name: all_customers
  size: 600000
offer: 15% off every bag until Sunday
cta: Shop the sale
personalization: [FNAME]
"""


def test_an_uploaded_brief_fills_the_form(tmp_path: Path, tidewater_kb: Path) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), timeout=120)
    at.get("file_uploader")[0].set_value(("promo.yaml", BRIEF_YAML, "application/yaml"))
    at.run()
    at.button(key="use_upload").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[state.BRIEF].offer == "15% off every bag until Sunday"
    assert at.selectbox(key="f_goal").value == "promotion"
    assert at.text_input(key="f_seg_name").value == "all_customers"
    assert at.number_input(key="f_size").value == 600000


def test_a_bad_uploaded_brief_names_the_file_and_the_field(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = open_app(_settings(tmp_path, tidewater_kb), timeout=120)
    bad = BRIEF_YAML.replace(b"goal: promotion", b"goal: flash_sale")
    at.get("file_uploader")[0].set_value(("promo.yaml", bad, "application/yaml"))
    at.run()
    at.button(key="use_upload").click().run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("promo.yaml:") and "'goal'" in message and "flash_sale" in message
    assert "/tmp" not in message


def _with_variants(tmp_path: Path, kb: Path, llm: FakeLLM) -> AppTest:
    """The page with a brief, three scored variants and their context already in the session."""
    brief = make_brief()
    variants = [
        Variant(
            subject=s,
            preheader="Fresh roasts, ten percent off every bag until Sunday.",
            angle=a,
            score=70.0,
            checks=[CheckResult(name="spam", status="pass", score=1.0)],
        )
        for s, a in (
            ("Spring roasts, ten percent off", "benefit"),
            ("Which roast is yours this week?", "question"),
            ("Our regulars already ordered", "social_proof"),
        )
    ]
    context = BrandContext(brand=load_brand(kb / "tidewater"))
    session = {
        state.BRIEF: brief,
        state.VARIANTS: variants,
        state.CONTEXTS: {brief.model_dump_json(): context},
    }
    return open_app(_settings(tmp_path, kb), llm=llm, timeout=600, **session)


def test_an_unclear_chat_request_gets_a_readable_reply_and_changes_nothing(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    llm = _scripted(SUBJECTS)
    at = _with_variants(tmp_path, tidewater_kb, llm)
    before = [v.subject for v in at.session_state[state.VARIANTS]]
    at.chat_input(key="chat_input").set_value("mention the harbour at dawn").run()
    assert not at.exception, [e.message for e in at.exception]
    chat = at.session_state[state.CHAT]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "could not turn" in chat[1]["content"] and "shorter" in chat[1]["content"]
    assert [v.subject for v in at.session_state[state.VARIANTS]] == before
    assert llm.prompts == []  # refused before any model call


@pytest.mark.integration
def test_generate_then_refine_by_chat(ingested_sample: Settings) -> None:
    llm = _scripted(SUBJECTS)
    # the scripted model writes every draft (under `auto` the filled patterns need no call)
    settings = ingested_sample.model_copy(update={"draft_strategy": "scratch"})
    at = open_app(settings, llm=llm, timeout=900)
    at.selectbox(key="f_brand").set_value("harbor_bean")
    at.text_input(key="f_offer").set_value("Free standard shipping on orders over $40")
    at.slider(key="f_n").set_value(4)
    at.slider(key="f_keep").set_value(3)
    at.button(key=GENERATE).click().run()
    assert not at.exception, [e.message for e in at.exception]
    scores = [int(m) for m in re.findall(r"Score \*\*(\d+)\*\*", texts(at))]
    assert len(scores) == 3 and all(0 < s <= 100 for s in scores)
    assert at.session_state[state.RESULT].usage.calls == len(llm.prompts) > 0

    # the chat: "write one more like #2" adds a variant, re-scored with the set
    at.chat_input(key="chat_input").set_value("write one more like #2").run()
    assert not at.exception, [e.message for e in at.exception]
    chat = at.session_state[state.CHAT]
    assert chat[0] == {"role": "user", "content": "write one more like #2"}
    assert chat[1]["content"].startswith("Added #4 like #2"), chat[1]["content"]
    variants = at.session_state[state.VARIANTS]
    assert len(variants) == 4 and all(v.score is not None and v.checks for v in variants)
    assert "★ new" in texts(at)
    # the change can be undone, and the conversation keeps going
    at.button(key="chat_undo").click().run()
    assert [v.subject for v in at.session_state[state.VARIANTS]] == [
        v.subject for v in variants[:3]
    ]
    at.chat_input(key="chat_input").set_value("make #4 shorter").run()
    chat = at.session_state[state.CHAT]
    assert len(chat) == 5 and "no variant #4" in chat[-1]["content"]
