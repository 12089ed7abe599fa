"""Providers are looked up by name; each module registers its factory on import."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import import_module

from pydantic import SecretStr

from copilot.errors import ConfigError
from copilot.llm.base import LLM
from copilot.settings import Settings

ProviderFactory = Callable[[Settings], LLM]
_PROVIDERS: dict[str, ProviderFactory] = {}
# Modules that register providers; imported lazily so `local` never loads OpenAI code and back.
_PROVIDER_MODULES = {
    "local": "copilot.llm.local",
    "openai": "copilot.llm.remote",
    "openai_compatible": "copilot.llm.remote",
    "anthropic": "copilot.llm.remote",
    "ollama": "copilot.llm.remote",
}


def register_provider(name: str) -> Callable[[ProviderFactory], ProviderFactory]:
    """Decorator: make a provider factory available under `name`."""

    def wrap(factory: ProviderFactory) -> ProviderFactory:
        _PROVIDERS[name] = factory
        return factory

    return wrap


def create_llm(settings: Settings) -> LLM:
    """Build the provider the settings name."""
    name = settings.llm_provider
    if name not in _PROVIDERS and name in _PROVIDER_MODULES:
        import_module(_PROVIDER_MODULES[name])
    try:
        factory = _PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(_PROVIDER_MODULES))
        raise ConfigError(f"llm_provider: {name!r} is unknown; use one of {known}") from None
    return factory(settings)


def _config_key(settings: Settings) -> str:
    """The settings as JSON with secrets in clear: `model_dump_json` masks them, and a model
    rebuilt from masked settings would send "**********" as its API key."""
    data = settings.model_dump(mode="json")
    for name, value in settings:
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
    return json.dumps(data, sort_keys=True)


@cache
def _shared(config_key: str) -> LLM:
    return create_llm(Settings.model_validate(json.loads(config_key)))


def shared_llm(settings: Settings) -> LLM:
    """The configured model, created once per process per configuration and shared by everything
    that uses it in a run (drafting, the judge); its usage record is not reset here."""
    return _shared(_config_key(settings))
