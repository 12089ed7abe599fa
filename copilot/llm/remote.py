"""Remote models, each behind LangChain's chat-model interface.

`openai` and `openai_compatible` (vLLM, Ollama's /v1, LM Studio, llama_cpp.server) go through
langchain-openai's `ChatOpenAI`, and base models through its completion class `OpenAI`; other
providers (`anthropic`, `ollama`) through `init_chat_model` when their integration package is
installed. Every call reports its usage to the run that made it (`UsageCallback`); the model object
holds no per-run state, so one instance serves concurrent runs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache, partial
from importlib import import_module
from pathlib import Path
from typing import Any

from copilot.errors import ConfigError, LLMError
from copilot.io.loader import read_data
from copilot.llm.base import ChatMessage, Completion, PromptStyle, timed
from copilot.llm.local import detect_prompt_style
from copilot.llm.registry import register_provider
from copilot.llm.usage import UsageCallback, tokens_of
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


#: providers reached through `init_chat_model`: (integration module, pip extra, the keyword
#: their chat model takes for the reply's length)
_INTEGRATIONS = {
    "anthropic": ("langchain_anthropic", "anthropic", "max_tokens"),
    "ollama": ("langchain_ollama", "ollama", "num_predict"),
}


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


def _openai_key(settings: Settings, compatible: bool) -> str:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
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
        return key or "none"  # local servers take any key
    if not key:
        raise ConfigError(
            "openai_api_key: the openai provider needs OPENAI_API_KEY in the environment "
            "or .env; or use COPILOT_LLM_PROVIDER=local for the embedded model"
        )
    return key


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return int(status) if isinstance(status, int) else None


class RemoteLLM:
    """A remote model: chat through a LangChain chat model, completion (base models) through a
    LangChain completion model where the provider has one."""

    def __init__(
        self,
        settings: Settings,
        *,
        name: str,
        model: str,
        chat_model: Any,
        completion_model: Any = None,
        openai_style: bool,
        price: Callable[[int, int], float | None] | None = None,
        length_key: str = "max_tokens",
    ) -> None:
        self.name = name
        self.model = model
        self._chat_model = chat_model
        self._completion_model = completion_model
        #: whether requests take OpenAI's fields (seed, response_format)
        self._openai_style = openai_style
        self._price = price
        style = settings.llm_prompt_style
        self.prompt_style: PromptStyle = style_for_remote(model) if style == "auto" else style
        self.context_window = settings.llm_context_window or next(
            (n for prefix, n in _KNOWN_CONTEXT.items() if model.startswith(prefix)),
            DEFAULT_CONTEXT,
        )
        # how a reply is held to its JSON schema; "auto" settles on the first schema call
        self.schema_dialect = settings.llm_json_schema if openai_style else "structured"
        if self.schema_dialect == "auto" and name == "openai":
            self.schema_dialect = "json_schema"
        self.temperature = settings.llm_temperature
        self.seed = settings.llm_seed
        #: the keyword the chat model takes for the reply's length
        self._length_key = length_key
        self._encoding = _tiktoken_encoding(model)
        self.tokens_approximate = self._encoding is None

    def count_tokens(self, text: str) -> int:
        """tiktoken when its encoding is available; otherwise a conservative 3 chars per token."""
        if self._encoding is not None:
            return len(self._encoding.encode(text))
        return math.ceil(len(text) / 3)

    def _config(self) -> dict[str, Any]:
        return {"callbacks": [UsageCallback(self._price)], "run_name": f"copilot:{self.name}"}

    def _sampling(self, max_tokens: int, temperature: float | None, seed: int | None) -> dict:
        out: dict[str, Any] = {
            self._length_key: max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
        }
        if self._openai_style:
            out["seed"] = self.seed if seed is None else seed
        if self.name == "openai_compatible":
            # ChatOpenAI sends the length as OpenAI's max_completion_tokens, which
            # llama_cpp.server (and older vLLM) ignore: they read max_tokens
            out["extra_body"] = {"max_tokens": max_tokens}
        return out

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion:
        if self._completion_model is None:
            raise LLMError(
                f"{self.name} has no completion endpoint for base models; set "
                "COPILOT_LLM_PROMPT_STYLE=chat"
            )
        with timed() as elapsed:
            try:
                result = self._completion_model.generate(
                    [prompt],
                    stop=(stop or None) and stop[:4],
                    callbacks=self._config()["callbacks"],
                    **self._sampling(max_tokens, temperature, seed),
                )
            except Exception as exc:  # noqa: BLE001 - every provider error becomes one LLMError
                raise self._failed("completion", exc) from None
            latency = elapsed()
        prompt_tokens, completion_tokens, finish = tokens_of(result)
        return _priced(
            result.generations[0][0].text or "",
            prompt_tokens,
            completion_tokens,
            latency,
            finish,
            self._price,
        )

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
        ask = partial(self._chat, messages, max_tokens, temperature, seed)
        if schema is not None and self.schema_dialect == "structured":
            return self._structured(messages, max_tokens, temperature, schema)
        dialect = self.schema_dialect if schema is not None else "off"
        if dialect == "auto":
            try:
                out = ask(self._format("json_schema", schema, json_mode))
                self.schema_dialect = "json_schema"
                return out
            except _Refused:
                # llama_cpp.server knows only json_object; it takes the schema beside it
                self.schema_dialect = dialect = "json_object"
        try:
            return ask(self._format(dialect, schema, json_mode))
        except _Refused as exc:
            status = _status_of(exc.__cause__) if exc.__cause__ else None
            raise LLMError(
                f"{self.name} chat failed: the server refused the request ({status or '?'}); "
                "COPILOT_LLM_JSON_SCHEMA=off sends JSON mode without a schema"
            ) from None

    @staticmethod
    def _format(dialect: str, schema: dict[str, Any] | None, json_mode: bool) -> dict[str, Any]:
        if dialect == "json_schema" and schema is not None:
            return {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": _schema_name(schema),
                        "schema": schema,
                        "strict": False,
                    },
                }
            }
        if dialect == "json_object" and schema is not None:
            return {"response_format": {"type": "json_object", "schema": schema}}
        if json_mode or schema is not None:
            return {"response_format": {"type": "json_object"}}
        return {}

    def _chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float | None,
        seed: int | None,
        extra: dict[str, Any],
    ) -> Completion:
        with timed() as elapsed:
            sampling = self._sampling(max_tokens, temperature, seed)
            # response_format rides in the body: given to ChatOpenAI itself, it takes the
            # client's parse() path, which raises on a reply cut at max_tokens instead of
            # returning it (the re-ask shows the model what went wrong)
            body = {**sampling.pop("extra_body", {}), **extra}
            try:
                reply = self._chat_model.invoke(
                    _lc_messages(messages),
                    config=self._config(),
                    **sampling,
                    **({"extra_body": body} if body else {}),
                )
            except Exception as exc:  # noqa: BLE001 - every provider error becomes one LLMError
                status = _status_of(exc)
                if "response_format" in extra and status is not None and _refuses_format(exc):
                    raise _Refused from exc
                raise self._failed("chat", exc) from None
            latency = elapsed()
        return _from_message(reply, latency, self._price)

    def _structured(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float | None,
        schema: dict[str, Any],
    ) -> Completion:
        """A provider's own structured output (tool calling or JSON schema, its choice), as
        the JSON text the contract reads."""
        bound = self._chat_model.bind(**self._sampling(max_tokens, temperature, None))
        runnable = bound.with_structured_output(schema, include_raw=True)
        with timed() as elapsed:
            try:
                out = runnable.invoke(_lc_messages(messages), config=self._config())
            except Exception as exc:  # noqa: BLE001 - every provider error becomes one LLMError
                raise self._failed("chat", exc) from None
            latency = elapsed()
        parsed, raw = out.get("parsed"), out.get("raw")
        done = _from_message(raw, latency, self._price) if raw is not None else Completion(text="")
        if parsed is not None:
            text = json.dumps(parsed if isinstance(parsed, dict) else parsed.model_dump())
            done = done.model_copy(update={"text": text})
        return done

    def _failed(self, what: str, exc: BaseException) -> LLMError:
        """One line naming the call and the error class (and status), never the request."""
        status = _status_of(exc)
        detail = f"HTTP {status}" if status else exc.__class__.__name__
        return LLMError(f"{self.name} {what} failed: {detail}")


def _lc_messages(messages: list[ChatMessage]) -> list[tuple[str, str]]:
    """Our messages as LangChain's (role, content) pairs ("assistant" is its "ai")."""
    return [("ai" if m.role == "assistant" else m.role, m.content) for m in messages]


def _from_message(
    reply: Any, latency: float, price: Callable[[int, int], float | None] | None
) -> Completion:
    meta = getattr(reply, "usage_metadata", None) or {}
    return _priced(
        reply.content if isinstance(reply.content, str) else "",
        int(meta.get("input_tokens", 0)),
        int(meta.get("output_tokens", 0)),
        latency,
        (getattr(reply, "response_metadata", None) or {}).get("finish_reason"),
        price,
    )


def _priced(
    text: str,
    prompt_tokens: int,
    completion_tokens: int,
    latency: float,
    finish: str | None,
    price: Callable[[int, int], float | None] | None,
) -> Completion:
    return Completion(
        text=text,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_s=latency,
        cost_usd=price(prompt_tokens, completion_tokens) if price else None,
        finish_reason=finish,
    )


def _openai_llm(settings: Settings, *, compatible: bool) -> RemoteLLM:
    from langchain_openai import ChatOpenAI, OpenAI

    key = _openai_key(settings, compatible)
    name = "openai_compatible" if compatible else "openai"
    model = settings.llm_model or DEFAULT_OPENAI_MODEL
    common: dict[str, Any] = {
        "model": model,
        "api_key": key,
        "base_url": settings.llm_base_url,
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
    }
    return RemoteLLM(
        settings,
        name=name,
        model=model,
        chat_model=ChatOpenAI(**common),
        completion_model=OpenAI(**common),
        openai_style=True,
        price=None if compatible else partial(price_of, model),
    )


def _integration_llm(settings: Settings, provider: str) -> RemoteLLM:
    """A provider through `init_chat_model`; ConfigError naming the pip extra when its
    integration package is not installed."""
    module, extra, length_key = _INTEGRATIONS[provider]
    try:
        from langchain.chat_models import init_chat_model

        import_module(module)
    except ImportError:
        raise ConfigError(
            f"llm_provider: {provider} needs its LangChain integration, which is not installed; "
            f"run: pip install 'campaign-copilot[{extra}]'"
        ) from None
    if not settings.llm_model:
        raise ConfigError(f"llm_model: the {provider} provider needs COPILOT_LLM_MODEL")
    kwargs: dict[str, Any] = {}
    if provider == "anthropic":
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
        if not key:
            raise ConfigError(
                "anthropic_api_key: the anthropic provider needs ANTHROPIC_API_KEY in the "
                "environment or .env"
            )
        kwargs |= {"api_key": key, "timeout": settings.llm_timeout_s}
        kwargs["max_retries"] = settings.llm_max_retries
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    chat_model = init_chat_model(settings.llm_model, model_provider=provider, **kwargs)
    return RemoteLLM(
        settings,
        name=provider,
        model=settings.llm_model,
        chat_model=chat_model,
        openai_style=False,
        length_key=length_key,
    )


@register_provider("openai")
def _openai(settings: Settings) -> RemoteLLM:
    return _openai_llm(settings, compatible=False)


@register_provider("openai_compatible")
def _compatible(settings: Settings) -> RemoteLLM:
    return _openai_llm(settings, compatible=True)


@register_provider("anthropic")
def _anthropic(settings: Settings) -> RemoteLLM:
    return _integration_llm(settings, "anthropic")


@register_provider("ollama")
def _ollama(settings: Settings) -> RemoteLLM:
    return _integration_llm(settings, "ollama")
