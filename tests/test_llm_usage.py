"""Usage belongs to the run that made the calls: two runs sharing one model each see their own.

The model here is FakeLLM, a scripted fake (named as such); it reports calls exactly as the real
models do, through copilot.llm.usage.record.
"""

from __future__ import annotations

import sys
import threading

import pytest

from copilot.errors import ConfigError
from copilot.generation.subjects.generator import generate_subjects
from copilot.llm.registry import create_llm
from copilot.llm.usage import current_usage, metered, run_usage
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_two_threads_on_one_shared_model_each_count_only_their_own_calls() -> None:
    shared = FakeLLM(lambda prompt: prompt.upper())
    start = threading.Barrier(2)
    seen: dict[str, tuple[int, int]] = {}

    @metered
    def run(name: str, calls: int) -> None:
        start.wait()  # both runs call the model at the same time
        for i in range(calls):
            shared.complete(f"{name} {i} " + "word " * (i + 1), max_tokens=8)
        usage = current_usage()
        seen[name] = (usage.calls, usage.prompt_tokens)

    threads = [
        threading.Thread(target=run, args=("a", 3)),
        threading.Thread(target=run, args=("b", 5)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # FakeLLM counts words: "<name> <i>" plus i + 1 words
    assert seen["a"] == (3, sum(2 + i + 1 for i in range(3)))
    assert seen["b"] == (5, sum(2 + i + 1 for i in range(5)))


def test_a_nested_run_counts_in_the_outer_run_too_and_no_run_counts_nothing() -> None:
    llm = FakeLLM(["x", "y", "z"])
    llm.complete("outside any run", max_tokens=4)
    with run_usage() as outer:
        llm.complete("one", max_tokens=4)
        with run_usage() as inner:
            llm.complete("two", max_tokens=4)
    assert (outer.calls, inner.calls) == (2, 1)


def test_a_generation_reports_its_calls_not_those_before_it() -> None:
    from tests.test_generate_subjects import SUBJECTS, _brief, _context, _pass_all, _scripted

    llm = FakeLLM(_scripted(SUBJECTS))
    first = generate_subjects(
        _brief(),
        _settings(draft_strategy="scratch"),
        llm=llm,
        context=_context(),
        score=_pass_all,
        n=2,
        keep=1,
    )
    before = len(llm.prompts)
    second = generate_subjects(
        _brief(),
        _settings(draft_strategy="scratch"),
        llm=llm,
        context=_context(),
        score=_pass_all,
        n=2,
        keep=1,
    )
    assert first.usage.calls == before > 0
    assert second.usage.calls == len(llm.prompts) - before


@pytest.mark.parametrize(
    ("provider", "module"), [("anthropic", "langchain_anthropic"), ("ollama", "langchain_ollama")]
)
def test_a_provider_without_its_integration_package_names_the_pip_extra(
    provider: str, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    with pytest.raises(ConfigError, match=rf"pip install 'campaign-copilot\[{provider}\]'"):
        create_llm(_settings(llm_provider=provider, llm_model="some-model"))
