"""Providers are looked up by name; each module registers its factory on import."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from copilot.errors import ConfigError
from copilot.llm.base import LLM
from copilot.settings import Settings

ProviderFactory = Callable[[Settings], LLM]
_PROVIDERS: dict[str, ProviderFactory] = {}
# Modules that register providers; imported lazily so `local` never loads OpenAI code and back.
_PROVIDER_MODULES = {
    "local": "copilot.llm.local",
    "openai": "copilot.llm.openai_api",
    "openai_compatible": "copilot.llm.openai_api",
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
