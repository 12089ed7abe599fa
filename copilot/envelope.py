"""The envelope every drafting result shares: which model wrote it, what was set aside and why,
notes for the marketer, and the usage of the run, with the shared part of its JSON.

Usage lives here, beside the result it belongs to (the model only records it): `UsageRecord` and
the per-call `Completion` it sums; copilot.llm.base imports them back for the model interface.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field


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


class Writer(Protocol):
    """What the envelope reads of the model that wrote a result (an `LLM` has all four)."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    @property
    def prompt_style(self) -> str: ...

    @property
    def tokens_approximate(self) -> bool: ...


def written_by(llm: Writer, usage: UsageRecord) -> dict[str, Any]:
    """The envelope fields of a result `llm` wrote in a run that used `usage`: its model,
    provider, prompt style and the run's usage (the model itself holds none)."""
    usage.tokens_approximate = usage.tokens_approximate or llm.tokens_approximate
    return {
        "model": llm.model,
        "provider": llm.name,
        "prompt_style": llm.prompt_style,
        "usage": usage,
    }


#: what one rejection record is: a dropped subject line, body field, ...
R = TypeVar("R", bound=BaseModel)


class ResultEnvelope(BaseModel, Generic[R]):
    """Model, provider, prompt style, notes, rejected drafts and usage of one drafting run.

    `to_json` is the result's own `payload()` followed by the envelope keys of `json_keys`, in
    that order; a key the payload already holds keeps its place (the subject-line JSON shows the
    model right after the brief).
    """

    model: str = ""
    provider: str = ""
    prompt_style: str = ""
    notes: list[str] = Field(default_factory=list)
    rejected: list[R] = Field(default_factory=list)
    usage: UsageRecord = Field(default_factory=UsageRecord)

    #: the envelope keys `to_json` adds at the top level, in order
    json_keys: ClassVar[tuple[str, ...]] = ("rejected", "notes", "model", "usage")

    def payload(self) -> dict[str, Any]:
        """The result's own keys of `to_json` (each result type says what it holds)."""
        return {}

    def usage_json(self) -> dict[str, Any]:
        """`usage` as the JSON shows it: provider and prompt style, then the totals."""
        return {
            "provider": self.provider,
            "prompt_style": self.prompt_style,
            **self.usage.summary(),
        }

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of the result."""
        shared = {
            "rejected": lambda: [r.model_dump() for r in self.rejected],
            "notes": lambda: self.notes,
            "model": lambda: self.model,
            "usage": self.usage_json,
        }
        out = self.payload()
        for key in self.json_keys:
            if key not in out:
                out[key] = shared[key]()
        return out
