"""The one interface every chain uses to talk to a language model, and the usage it records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, Protocol

from pydantic import BaseModel, Field

PromptStyle = Literal["completion", "chat"]


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class Completion(BaseModel):
    """One model call: its text and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = None
    finish_reason: str | None = None


class UsageRecord(BaseModel):
    """Totals across the calls of one run (what `copilot generate --json` reports as usage)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = None
    tokens_approximate: bool = False
    per_call: list[Completion] = Field(default_factory=list)

    def add(self, completion: Completion) -> None:
        self.calls += 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.latency_s += completion.latency_s
        if completion.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + completion.cost_usd
        self.per_call.append(completion)

    @property
    def completion_tokens_per_s(self) -> float:
        return self.completion_tokens / self.latency_s if self.latency_s > 0 else 0.0

    def summary(self) -> dict[str, object]:
        """A compact dict for JSON output (without the per-call list)."""
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_s": round(self.latency_s, 3),
            "completion_tokens_per_s": round(self.completion_tokens_per_s, 2),
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6),
            "tokens_approximate": self.tokens_approximate,
        }


class LLM(Protocol):
    """A language model behind one interface: plain completion for base models, chat otherwise."""

    name: str
    model: str
    prompt_style: PromptStyle
    context_window: int
    usage: UsageRecord

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
    ) -> Completion: ...

    def count_tokens(self, text: str) -> int: ...


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """Measure wall time of a block; the yielded callable returns seconds so far."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start
