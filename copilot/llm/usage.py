"""Usage belongs to the run that made the calls, never to the model object.

A use case opens `run_usage()`; every model call made inside it (in this thread, or in workers
started with a copy of its context, as LangChain's `batch` does) is added to that run's record.
Two runs on one shared model, in two threads or two Streamlit sessions, each see only their own
calls. Remote chat models report through `UsageCallback`, a LangChain callback handler; the
in-process llama.cpp model calls `record` directly.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from copilot.envelope import Completion, UsageRecord

#: the records of the runs open in this context, innermost last (a nested run counts in both)
_RUNS: ContextVar[tuple[UsageRecord, ...]] = ContextVar("copilot_usage_runs", default=())
# batches add from several worker threads to one record
_ADD = threading.Lock()
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def run_usage(*, tokens_approximate: bool = False) -> Iterator[UsageRecord]:
    """A fresh usage record collecting every model call made inside the block."""
    record = UsageRecord(tokens_approximate=tokens_approximate)
    token = _RUNS.set((*_RUNS.get(), record))
    try:
        yield record
    finally:
        _RUNS.reset(token)


def current_usage() -> UsageRecord:
    """The innermost open run's record (a fresh, empty one when no run is open)."""
    runs = _RUNS.get()
    return runs[-1] if runs else UsageRecord()


def metered(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` as one run: the calls it makes are counted in its own record, which the result
    it builds reads with `current_usage()`."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with run_usage():
            return fn(*args, **kwargs)

    return run


def record(completion: Completion) -> None:
    """Add one call to every run open in this context (none open: the call is not counted)."""
    with _ADD:
        for run in _RUNS.get():
            run.add(completion)


class UsageCallback(BaseCallbackHandler):
    """Turns LangChain's model-run events into `Completion`s for the open runs: token counts from
    the response's usage metadata, latency from start to end of each model run, cost when the
    model has a price."""

    def __init__(self, price: Any = None) -> None:
        #: (prompt tokens, completion tokens) -> USD, or None for an unpriced model
        self._price = price
        self._started: dict[UUID, float] = {}

    def on_chat_model_start(
        self, serialized: Any, messages: Any, *, run_id: UUID, **_: Any
    ) -> None:
        self._started[run_id] = time.perf_counter()

    def on_llm_start(self, serialized: Any, prompts: Any, *, run_id: UUID, **_: Any) -> None:
        self._started[run_id] = time.perf_counter()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **_: Any) -> None:
        self._started.pop(run_id, None)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **_: Any) -> None:
        started = self._started.pop(run_id, None)
        latency = time.perf_counter() - started if started is not None else 0.0
        prompt_tokens, completion_tokens, finish = tokens_of(response)
        record(
            Completion(
                text="",  # the caller holds the text; the record keeps counts
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency_s=latency,
                cost_usd=self._price(prompt_tokens, completion_tokens) if self._price else None,
                finish_reason=finish,
            )
        )


def tokens_of(response: LLMResult) -> tuple[int, int, str | None]:
    """(prompt, completion, finish reason) of a LangChain result: the message's usage metadata
    for chat models, the provider's `token_usage` for completion models."""
    prompt = completion = 0
    finish: str | None = None
    for generations in response.generations:
        for generation in generations:
            info = generation.generation_info or {}
            finish = info.get("finish_reason", finish)
            message = getattr(generation, "message", None)  # chat generations only
            meta = getattr(message, "usage_metadata", None)
            if message is not None and meta:
                prompt += int(meta.get("input_tokens", 0))
                completion += int(meta.get("output_tokens", 0))
                finish = message.response_metadata.get("finish_reason", finish)
    if not prompt and not completion:
        usage = (response.llm_output or {}).get("token_usage") or {}
        prompt = int(usage.get("prompt_tokens", 0) or 0)
        completion = int(usage.get("completion_tokens", 0) or 0)
    return prompt, completion, finish
