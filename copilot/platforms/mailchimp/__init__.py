"""Mailchimp as a platform plugin: variate campaigns, sub-reports and templates through the
Marketing API 3.0. The pieces live in export.py, results.py and templates.py; limits.yaml and
tags.yaml hold its A/B limits and merge-tag syntax."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from copilot.io.abconfig import Audience
from copilot.io.abconfig import Platform as PlatformName
from copilot.platforms.base import Platform, VendorPlatform
from copilot.platforms.mailchimp import export, results, templates
from copilot.settings import Settings


class Mailchimp(VendorPlatform):
    """Mailchimp: see copilot.platforms.base.Platform for what each member promises."""

    name: PlatformName = export.NAME
    label = "Mailchimp"
    key_env = "MAILCHIMP_API_KEY"
    key_format = " (format KEY-dc, e.g. ...-us21)"
    template_note = templates.NOTE
    build = staticmethod(export.build)
    push = staticmethod(export.push)
    fetch = staticmethod(results.fetch)
    sequence_templates = staticmethod(templates.template_requests)

    def api_key(self, settings: Settings) -> SecretStr | None:
        return settings.mailchimp_api_key

    def connect(self, api_key: SecretStr, settings: Settings) -> httpx.Client:
        # no base URL set: the key's data centre names it
        return export.client(api_key, settings.mailchimp_base_url, settings.push_timeout_s)

    def audience(self, list_id: str, segment_id: int | None = None) -> Audience:
        return Audience(mailchimp_list_id=list_id, mailchimp_segment_id=segment_id)


plugin: Platform = Mailchimp()
