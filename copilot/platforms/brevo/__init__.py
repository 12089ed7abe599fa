"""Brevo as a platform plugin: subject-line A/B campaigns, their statistics and email templates
through API v3. The pieces live in export.py, results.py and templates.py; limits.yaml and
tags.yaml hold its A/B limits and merge-tag syntax."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from copilot.io.abconfig import Audience
from copilot.io.abconfig import Platform as PlatformName
from copilot.platforms.base import Platform, VendorPlatform
from copilot.platforms.brevo import export, results, templates
from copilot.platforms.errors import AudienceError
from copilot.settings import Settings


class Brevo(VendorPlatform):
    """Brevo: see copilot.platforms.base.Platform for what each member promises."""

    name: PlatformName = export.NAME
    label = "Brevo"
    key_env = "BREVO_API_KEY"
    template_note = templates.NOTE
    build = staticmethod(export.build)
    push = staticmethod(export.push)
    fetch = staticmethod(results.fetch)
    sequence_templates = staticmethod(templates.template_requests)

    def api_key(self, settings: Settings) -> SecretStr | None:
        return settings.brevo_api_key

    def connect(self, api_key: SecretStr, settings: Settings) -> httpx.Client:
        return export.client(api_key, settings.brevo_base_url, settings.push_timeout_s)

    def audience(self, list_id: str, segment_id: int | None = None) -> Audience:
        """Brevo list ids, comma-separated; Brevo has no saved segments (`segment_id` unused)."""
        try:
            ids = [int(x) for x in list_id.split(",") if x.strip()]
        except ValueError:
            raise AudienceError(
                f"{list_id!r}: Brevo list ids are whole numbers, comma-separated (e.g. 12,31)"
            ) from None
        return Audience(brevo_list_ids=ids)


plugin: Platform = Brevo()
