"""Errors of the export step that a person is meant to read."""

from __future__ import annotations

from copilot.errors import CopilotError


class ExportError(CopilotError):
    """The A/B config breaks a platform rule the vendor's schema does not encode."""


class ContractError(ExportError):
    """A request body does not match the vendor's published API spec."""


class PushError(CopilotError):
    """The vendor refused a request or could not be reached within the retry budget."""


class UnknownPlatformError(CopilotError):
    """A platform name no vendor folder answers to."""


class AudienceError(ExportError):
    """An audience id is not in the form the platform takes (e.g. Brevo list ids are numbers)."""
