"""The one interface every chain uses to talk to a language model. The usage it records
(`UsageRecord`, `Completion`) belongs to the results and is defined in copilot.envelope."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from copilot.envelope import Completion, UsageRecord

__all__ = ["LLM", "ChatMessage", "Completion", "PromptStyle", "UsageRecord", "timed"]

PromptStyle = Literal["completion", "chat"]


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class LLM(Protocol):
    """A language model behind one interface: plain completion for base models, chat otherwise."""

    name: str
    model: str
    prompt_style: PromptStyle
    context_window: int
    #: whether `count_tokens` estimates (no exact tokenizer available offline)
    tokens_approximate: bool

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion: ...

    def chat(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int,
        temperature: float | None = None,
        seed: int | None = None,
        json_mode: bool = False,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        """A chat turn. `json_mode` asks for a JSON object; `schema` (a JSON schema, implies
        json_mode) holds the reply to that schema where the backend can constrain decoding."""
        ...

    def count_tokens(self, text: str) -> int: ...


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """Measure wall time of a block; the yielded callable returns seconds so far."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start
