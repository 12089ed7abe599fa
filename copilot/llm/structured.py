"""The one structured-output step, and the one retry loop.

`ask_json` asks a chat model for a reply held to a pydantic contract: the contract's JSON schema
goes with the request (the local model and llama_cpp.server decode with a grammar built from it,
OpenAI-style servers get `response_format`), the reply is read and validated, an unusable reply
gets one re-ask that shows the model its answer and what was wrong with it, and a second failure
is a `ModelOutputError` that names the step.

Retrying is control flow: a reader or validator raises `Retry` with the reason, and
`first_valid` draws again. Completion prompts for base models resample through the same loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from copilot.errors import LLMError, ModelOutputError
from copilot.llm.base import LLM, ChatMessage
from copilot.llm.contract import parse_contract

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

#: re-asks after an unusable structured reply (the schema already constrains its shape)
REASKS = 1
#: the most of a rejected answer shown back to the model in the re-ask
MAX_ECHO_CHARS = 2000
#: tokens a chat template adds around each message (role markers)
PER_MESSAGE_TOKENS = 16


class Retry(ValueError):
    """Raised by a reader or validator: this answer cannot be used; the message says why, and
    the re-ask shows it to the model."""

    def __init__(self, reason: str, answer: str = "") -> None:
        super().__init__(reason)
        self.answer = answer


def first_valid(attempts: int, draw: Callable[[int, Retry | None], T]) -> T:
    """`draw(attempt, last_failure)` for attempt 0, 1, ... until one returns without raising
    `Retry`; the last `Retry` propagates when all `attempts` fail."""
    last: Retry | None = None
    for attempt in range(max(1, attempts)):
        try:
            return draw(attempt, last)
        except Retry as exc:
            last = exc
    assert last is not None  # at least one attempt ran and failed
    raise last


def reask_note(reply_shape: str) -> Callable[[str], str]:
    """The default re-ask: what was wrong and the shape to send."""
    return lambda error: (
        f"That answer was not usable ({error}). Reply with the JSON object only: {reply_shape}"
    )


def ask_json(
    llm: LLM,
    messages: list[ChatMessage],
    contract: type[M],
    *,
    step: str,
    reask: Callable[[str], str],
    max_tokens: int,
    seed: int,
    read: Callable[[str], T] | None = None,
    temperature: float | None = None,
    reasks: int = REASKS,
) -> T:
    """The model's reply to `messages`, held to `contract` and read by `read` (default: the
    contract itself); `read` raises `Retry` for an answer it cannot use.

    Raises ModelOutputError naming `step` when the re-ask is unusable too, or when the window
    leaves no room for one.
    """
    schema = contract.model_json_schema()
    reader: Callable[[str], T] = read or (lambda text: parse_contract(text, contract, Retry))  # type: ignore[assignment,return-value]

    def draw(attempt: int, last: Retry | None) -> T:
        convo = messages if last is None else _with_reask(llm, messages, last, reask, max_tokens)
        out = llm.chat(
            convo,
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed + attempt,
            json_mode=True,
            schema=schema,
        )
        try:
            return reader(out.text)
        except Retry as exc:
            raise Retry(str(exc), out.text) from None

    try:
        return first_valid(1 + reasks, draw)
    except Retry as exc:
        again = "a re-ask" if reasks == 1 else f"{reasks} re-asks"
        raise ModelOutputError(
            f"{step}: the model gave no usable JSON, even after {again} ({exc})"
        ) from None
    except _NoRoom as exc:
        raise ModelOutputError(f"{step}: {exc}") from None


class _NoRoom(LLMError):
    """The window has no room for a re-ask."""


def _with_reask(
    llm: LLM,
    messages: list[ChatMessage],
    failure: Retry,
    reask: Callable[[str], str],
    reply_tokens: int,
) -> list[ChatMessage]:
    """The conversation, the rejected answer (shortened to fit the window) and the re-ask."""
    note = ChatMessage(role="user", content=reask(str(failure)))
    used = sum(llm.count_tokens(m.content) for m in [*messages, note])
    room = llm.context_window - reply_tokens - used - (len(messages) + 2) * PER_MESSAGE_TOKENS
    echo = failure.answer[:MAX_ECHO_CHARS].strip() or "(no answer)"
    while len(echo) > 40 and llm.count_tokens(echo) > room:
        echo = echo[: len(echo) // 2] + "…"
    if llm.count_tokens(echo) > room:
        raise _NoRoom(f"no room left in the model's window for a re-ask ({failure})")
    return [*messages, ChatMessage(role="assistant", content=echo), note]
