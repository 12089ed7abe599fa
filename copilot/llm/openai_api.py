"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, LM Studio, llama_cpp.server) over HTTP."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from copilot.errors import ConfigError, LLMError
from copilot.io.loader import read_data
from copilot.llm.base import ChatMessage, Completion, PromptStyle, UsageRecord, timed
from copilot.llm.local import detect_prompt_style
from copilot.llm.registry import register_provider
from copilot.settings import Settings

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_CONTEXT = 8192
_KNOWN_CONTEXT = {"gpt-4o": 128_000, "gpt-4.1": 1_000_000, "gpt-5": 400_000, "gpt-3.5": 16_385}
_COMPLETION_ONLY = ("davinci-002", "babbage-002", "gpt-3.5-turbo-instruct")


@cache
def _prices() -> dict[str, dict[str, float]]:
    path = Path(__file__).with_name("prices.yaml")
    return read_data(path) or {}


def price_of(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Cost in USD for a priced model (longest matching name prefix), else None."""
    table = _prices()
    matches = [name for name in table if model == name or model.startswith(name + "-")]
    if not matches:
        return None
    p = table[max(matches, key=len)]
    return (prompt_tokens * p["input"] + completion_tokens * p["output"]) / 1_000_000


def style_for_remote(model: str) -> PromptStyle:
    """Remote models are chat models unless their name says base/completion-only (or a raw GGUF)."""
    lowered = model.lower()
    if any(lowered.startswith(name) for name in _COMPLETION_ONLY) or "-base" in lowered:
        return "completion"
    if lowered.endswith(".gguf"):
        return detect_prompt_style({}, Path(lowered))
    return "chat"


@cache
def _tiktoken_encoding(model: str) -> Any | None:
    """The tiktoken encoding, or None when its BPE file is not available offline."""
    try:
        import tiktoken

        try:
            return tiktoken.encoding_for_model(model)
        except KeyError:
            return tiktoken.get_encoding("o200k_base")
    except Exception:  # noqa: BLE001 - tiktoken fetches BPE files over the network; offline it may fail in many ways
        return None


class _Refused(Exception):
    """The server answered 400/422 to a request carrying a response_format."""


def _refuses_format(exc: Any) -> bool:
    """Whether an error status says the server does not take this response_format: 400/422, or
    llama_cpp.server's 500 whose message names the field."""
    if exc.status_code in (400, 422):
        return True
    return exc.status_code >= 500 and "response_format" in f"{exc.message} {exc.body}"


def _schema_name(schema: dict[str, Any]) -> str:
    """A response-format name OpenAI accepts (letters, digits, _ and -), from the schema title."""
    title = str(schema.get("title") or "reply")
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in title)[:64] or "reply"


class OpenAILLM:
    """OpenAI's API or any server that speaks it."""

    def __init__(self, settings: Settings, *, compatible: bool) -> None:
        from openai import OpenAI

        self.name = "openai_compatible" if compatible else "openai"
        if compatible:
            if not settings.llm_base_url:
                raise ConfigError(
                    "llm_base_url: openai_compatible needs the server's base URL; set "
                    "COPILOT_LLM_BASE_URL, e.g. http://127.0.0.1:11434/v1 for Ollama"
                )
            if not settings.llm_model:
                raise ConfigError(
                    "llm_model: openai_compatible needs the model name the server serves; "
                    "set COPILOT_LLM_MODEL"
                )
            key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
        else:
            if not settings.openai_api_key or not settings.openai_api_key.get_secret_value():
                raise ConfigError(
                    "openai_api_key: the openai provider needs OPENAI_API_KEY in the environment "
                    "or .env; or use COPILOT_LLM_PROVIDER=local for the embedded model"
                )
            key = settings.openai_api_key.get_secret_value()
        self.model = settings.llm_model or DEFAULT_OPENAI_MODEL
        self._client = OpenAI(
            api_key=key,
            base_url=settings.llm_base_url,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        style = settings.llm_prompt_style
        self.prompt_style: PromptStyle = style_for_remote(self.model) if style == "auto" else style
        self.context_window = settings.llm_context_window or next(
            (n for prefix, n in _KNOWN_CONTEXT.items() if self.model.startswith(prefix)),
            DEFAULT_CONTEXT,
        )
        # how a reply is held to its JSON schema; "auto" settles on the first schema call
        self.schema_dialect = settings.llm_json_schema
        if self.schema_dialect == "auto" and not compatible:
            self.schema_dialect = "json_schema"
        self.temperature = settings.llm_temperature
        self.seed = settings.llm_seed
        self.usage = UsageRecord()
        self._encoding = _tiktoken_encoding(self.model)
        self.usage.tokens_approximate = self._encoding is None

    def count_tokens(self, text: str) -> int:
        """tiktoken when its encoding is available; otherwise a conservative 3 chars per token."""
        if self._encoding is not None:
            return len(self._encoding.encode(text))
        return math.ceil(len(text) / 3)

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion:
        from openai import OpenAIError

        with timed() as elapsed:
            try:
                out = self._client.completions.create(
                    model=self.model,
                    prompt=prompt,
                    max_tokens=max_tokens,
                    stop=(stop or None) and stop[:4],
                    temperature=self.temperature if temperature is None else temperature,
                    seed=self.seed if seed is None else seed,
                )
            except OpenAIError as exc:
                raise LLMError(f"{self.name} completion failed: {exc.__class__.__name__}") from None
            latency = elapsed()
        choice = out.choices[0]
        return self._record(choice.text or "", choice.finish_reason, out.usage, latency)

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
        from openai import APIStatusError

        dialect = self.schema_dialect if schema is not None else "off"
        if dialect == "auto":
            try:
                out = self._chat(messages, max_tokens, temperature, seed, "json_schema", schema)
                self.schema_dialect = "json_schema"
                return out
            except _Refused:
                # llama_cpp.server knows only json_object; it takes the schema beside it
                self.schema_dialect = dialect = "json_object"
        try:
            return self._chat(
                messages, max_tokens, temperature, seed, dialect, schema, json_mode=json_mode
            )
        except _Refused as exc:
            cause = exc.__cause__
            status = cause.status_code if isinstance(cause, APIStatusError) else "?"
            raise LLMError(
                f"{self.name} chat failed: the server refused the request ({status}); "
                "COPILOT_LLM_JSON_SCHEMA=off sends JSON mode without a schema"
            ) from None

    def _chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float | None,
        seed: int | None,
        dialect: str,
        schema: dict[str, Any] | None,
        *,
        json_mode: bool = True,
    ) -> Completion:
        from openai import APIStatusError, OpenAIError

        extra: dict[str, Any] = {}
        if dialect == "json_schema" and schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(schema), "schema": schema, "strict": False},
            }
        elif dialect == "json_object" and schema is not None:
            extra["response_format"] = {"type": "json_object", "schema": schema}
        elif json_mode or schema is not None:
            extra["response_format"] = {"type": "json_object"}
        with timed() as elapsed:
            try:
                out = self._client.chat.completions.create(
                    model=self.model,
                    messages=[m.model_dump() for m in messages],  # type: ignore[misc]
                    max_tokens=max_tokens,
                    temperature=self.temperature if temperature is None else temperature,
                    seed=self.seed if seed is None else seed,
                    **extra,
                )
            except APIStatusError as exc:
                if "response_format" in extra and _refuses_format(exc):
                    raise _Refused from exc
                raise LLMError(f"{self.name} chat failed: {exc.__class__.__name__}") from None
            except OpenAIError as exc:
                raise LLMError(f"{self.name} chat failed: {exc.__class__.__name__}") from None
            latency = elapsed()
        choice = out.choices[0]
        return self._record(choice.message.content or "", choice.finish_reason, out.usage, latency)

    def _record(self, text: str, finish: str | None, usage: Any, latency: float) -> Completion:
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        completion = Completion(
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=latency,
            cost_usd=price_of(self.model, prompt_tokens, completion_tokens)
            if self.name == "openai"
            else None,
            finish_reason=finish,
        )
        self.usage.add(completion)
        return completion


@register_provider("openai")
def _openai(settings: Settings) -> OpenAILLM:
    return OpenAILLM(settings, compatible=False)


@register_provider("openai_compatible")
def _compatible(settings: Settings) -> OpenAILLM:
    return OpenAILLM(settings, compatible=True)
