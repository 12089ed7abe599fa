"""The few errors a person is meant to read: each names the field or line and the fix."""

from __future__ import annotations


class CopilotError(Exception):
    """Base for errors shown to people by the CLI and UI (never a traceback)."""


class BriefError(CopilotError):
    """A brief is missing a field or has a value outside what is allowed."""


class KnowledgeBaseError(CopilotError):
    """A brand folder or one of its files cannot be read or ingested."""


class UnknownBrandError(KnowledgeBaseError):
    """The brief names a brand that is not in the knowledge base."""


class ConfigError(CopilotError):
    """A setting is missing or inconsistent (e.g. provider without a key)."""


class LLMError(CopilotError):
    """The model could not be reached or kept producing unusable output."""


class ModelOutputError(LLMError):
    """The model's output could not be parsed or repaired within the retry budget."""


class InputFileError(CopilotError):
    """A variants/results/config file cannot be read; the message names the line and field."""
