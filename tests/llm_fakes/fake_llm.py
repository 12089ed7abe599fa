"""FakeLLM: a scripted stand-in for a language model, for deterministic unit tests only.

It implements the copilot's LLM interface and replays canned outputs in order, recording the
prompts it was given so tests can inspect them. Integration tests use the real embedded model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from copilot.llm.base import ChatMessage, Completion, PromptStyle
from copilot.llm.usage import record


class FakeLLM:
    name = "fake"
    tokens_approximate = False

    def __init__(
        self,
        outputs: Iterable[str] | Callable[[str], str],
        prompt_style: PromptStyle = "completion",
        context_window: int = 4096,
    ) -> None:
        self.model = "fake-model"
        self.prompt_style: PromptStyle = prompt_style
        self.context_window = context_window
        self._outputs = outputs if callable(outputs) else iter(list(outputs))
        self.prompts: list[str] = []
        #: the JSON schema each chat call carried (None: none)
        self.schemas: list[dict | None] = []

    def _next(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if callable(self._outputs):
            return self._outputs(prompt)
        return next(self._outputs, "")

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def complete(self, prompt: str, *, max_tokens: int, stop=None, temperature=None, seed=None):
        text = self._next(prompt)
        out = Completion(
            text=text,
            prompt_tokens=self.count_tokens(prompt),
            completion_tokens=self.count_tokens(text),
        )
        record(out)  # into the open run's usage, as real models do
        return out

    def chat(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int,
        temperature=None,
        seed=None,
        json_mode=False,
        schema=None,
    ):
        self.schemas.append(schema)
        prompt = "\n".join(f"{m.role}: {m.content}" for m in messages)
        text = self._next(prompt)
        out = Completion(
            text=text,
            prompt_tokens=self.count_tokens(prompt),
            completion_tokens=self.count_tokens(text),
        )
        record(out)  # into the open run's usage, as real models do
        return out
