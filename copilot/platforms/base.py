"""The Platform protocol every vendor folder implements, and the payload/push models they share.

A vendor is one folder under copilot/platforms/ (mailchimp/, brevo/) whose `__init__.py` exposes
`plugin`, an object satisfying `Platform`; copilot/platforms/registry.py finds the folders. This
module names no vendor, so a third one is a new folder and nothing else.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, Field, SecretStr

from copilot.errors import ConfigError
from copilot.io.abconfig import ABConfig, Audience, Sender
from copilot.io.abconfig import Platform as PlatformName
from copilot.io.results import ABResult
from copilot.platforms.contract import validate_body
from copilot.platforms.http import RetryPolicy, VendorAPI
from copilot.platforms.limits import PlatformLimits, platform_limits
from copilot.platforms.tags import translate_tags
from copilot.settings import Settings
from copilot.text import placeholder_links


class PlannedRequest(BaseModel):
    """One API call of an export; `path` may hold {campaign_id}, filled in by an earlier step."""

    step: str
    method: Literal["POST", "PUT", "PATCH"]
    path: str
    body: dict[str, Any]


class ExportPayload(BaseModel):
    """Everything a push sends, already validated against the vendor's spec."""

    platform: PlatformName
    test_id: str
    title: str
    marker: str
    requests: list[PlannedRequest]
    warnings: list[str] = Field(default_factory=list)
    #: arms that have no email body yet; such a payload is a dry run only, never pushed
    missing_body: list[str] = Field(default_factory=list)

    def write(self, out_dir: Path) -> list[Path]:
        """Dry run: one JSON file per request plus a manifest; returns the files written."""
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        manifest: dict[str, Any] = {
            "platform": self.platform,
            "test_id": self.test_id,
            "title": self.title,
            "marker": self.marker,
            "warnings": self.warnings,
            "requests": [],
        }
        for i, req in enumerate(self.requests, start=1):
            name = f"{self.platform}-{i}-{req.step}.json"
            path = out_dir / name
            path.write_text(json.dumps(req.body, indent=2, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
            manifest["requests"].append(
                {"step": req.step, "method": req.method, "path": req.path, "body_file": name}
            )
        mpath = out_dir / f"{self.platform}-manifest.json"
        mpath.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return [mpath, *written]

    def placeholder_links(self) -> list[str]:
        """The stand-in links (copilot.text.PLACEHOLDER_URL) anywhere in the request bodies, each
        once: a payload that has any must not be pushed until they are replaced."""
        found = [
            url
            for r in self.requests
            for text in _strings(r.body)
            for url in placeholder_links(text)
        ]
        return list(dict.fromkeys(found))


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like request body (the copy sits at different depths per vendor)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class PushResult(BaseModel):
    """What a push did on the platform."""

    platform: PlatformName
    campaign_id: str
    title: str
    created: bool = Field(description="False when an earlier push had already created it")
    requests_sent: int
    steps: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class TemplateDraft(BaseModel):
    """One sequence step as a vendor template: its names and copy, tags still in `syntax`."""

    step: str = Field(description="the request's step name")
    name: str = Field(description="the template's name, ending in the sequence marker")
    subject: str
    html: str
    syntax: str = Field(description="the merge-tag syntax the copy is written in")
    tag: str = Field(description="the sequence id")

    def copy_for(self, text: str, syntax: str) -> str:
        """`text` (this draft's subject or HTML) with its merge tags in `syntax`."""
        return text if self.syntax == syntax else translate_tags(text, self.syntax, syntax)


@runtime_checkable
class Platform(Protocol):
    """One sending platform: what it is called, what its A/B test allows, and how campaigns,
    results and sequence drafts travel to and from it."""

    @property
    def name(self) -> PlatformName:
        """The name configs, briefs and flags use (also its folder's name)."""
        ...

    @property
    def label(self) -> str:
        """The name as people write it ("Mailchimp")."""
        ...

    @property
    def tag_syntax(self) -> str:
        """Its merge-tag syntax key in copilot/platforms/tags.py."""
        ...

    @property
    def key_env(self) -> str:
        """The environment variable holding its API key."""
        ...

    @property
    def limits(self) -> PlatformLimits:
        """What its A/B feature allows."""
        ...

    @property
    def template_note(self) -> str:
        """What a person must still do with its sequence templates (a payload warning)."""
        ...

    def has_key(self, settings: Settings) -> bool:
        """Whether settings hold a non-empty API key for it."""
        ...

    def client(self, settings: Settings) -> httpx.Client:
        """An authenticated client from settings; ConfigError names the variable when unset."""
        ...

    def audience(self, list_id: str, segment_id: int | None = None) -> Audience:
        """The config's audience from a list id as typed (AudienceError when it cannot be)."""
        ...

    def build(self, config: ABConfig) -> ExportPayload:
        """Spec-valid requests for a config sized for it (ExportError/ContractError)."""
        ...

    def push(
        self,
        payload: ExportPayload,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> PushResult:
        """Send a built payload, creating the campaign at most once (PushError)."""
        ...

    def fetch_results(
        self,
        campaign_id: str,
        config: ABConfig | None,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> ABResult:
        """Per-arm numbers of a finished A/B campaign (PushError when it has none)."""
        ...

    def sequence_templates(
        self, drafts: Sequence[TemplateDraft], sender: Sender | None
    ) -> list[PlannedRequest]:
        """Spec-valid create-template requests, one per draft (ExportError/ContractError)."""
        ...


class VendorPlatform(ABC):
    """What the vendor plugins share: limits and tags found by the platform's name, the API key
    looked up in settings, and results fetched through VendorAPI. A plugin names its key, how
    to connect with it, its audience ids and its modules' functions."""

    name: PlatformName
    label: str
    key_env: str
    #: how the key looks, for the message when it is missing (" (format ...)" or "")
    key_format: str = ""
    template_note: str

    @property
    def tag_syntax(self) -> str:
        # a vendor's tags.yaml sits in its folder, so its syntax key is the platform's name
        return self.name

    @property
    def limits(self) -> PlatformLimits:
        return platform_limits(self.name)

    @abstractmethod
    def api_key(self, settings: Settings) -> SecretStr | None:
        """The platform's key in settings (None when unset)."""

    @abstractmethod
    def connect(self, api_key: SecretStr, settings: Settings) -> httpx.Client:
        """A client authenticated with `api_key`, at the endpoint settings give."""

    @abstractmethod
    def fetch(self, api: VendorAPI, campaign_id: str, config: ABConfig | None) -> ABResult:
        """Read a finished A/B campaign's numbers through `api`."""

    def has_key(self, settings: Settings) -> bool:
        key = self.api_key(settings)
        return key is not None and bool(key.get_secret_value())

    def client(self, settings: Settings) -> httpx.Client:
        key = self.api_key(settings)
        if key is None or not key.get_secret_value():
            raise ConfigError(
                f"{self.key_env} is not set: export it in the environment{self.key_format} to "
                "push; without --push the payloads are only written"
            )
        return self.connect(key, settings)

    def fetch_results(
        self,
        campaign_id: str,
        config: ABConfig | None,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> ABResult:
        api = VendorAPI(client, self.name, policy, sleep or time.sleep, self.key_env)
        return self.fetch(api, campaign_id, config)


def checked(platform: str, req: PlannedRequest) -> PlannedRequest:
    """Validate a planned request's body against the vendor spec (raises ContractError)."""
    validate_body(platform, req.method, req.path, req.body)
    return req
