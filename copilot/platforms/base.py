"""The exporter interface, its registry, and the payload/push models shared by every platform."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, Field

from copilot.io.abconfig import ABConfig, Platform
from copilot.platforms.contract import validate_body
from copilot.platforms.http import RetryPolicy


class PlannedRequest(BaseModel):
    """One API call of an export; `path` may hold {campaign_id}, filled in by an earlier step."""

    step: str
    method: Literal["POST", "PUT", "PATCH"]
    path: str
    body: dict[str, Any]


class ExportPayload(BaseModel):
    """Everything a push sends, already validated against the vendor's spec."""

    platform: Platform
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


class PushResult(BaseModel):
    """What a push did on the platform."""

    platform: Platform
    campaign_id: str
    title: str
    created: bool = Field(description="False when an earlier push had already created it")
    requests_sent: int
    steps: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class Exporter(Protocol):
    """Turns a portable A/B config into one platform's API calls and sends them."""

    name: Platform

    def build(self, config: ABConfig) -> ExportPayload: ...

    def push(
        self,
        payload: ExportPayload,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> PushResult: ...


_REGISTRY: dict[str, Callable[[], Exporter]] = {}


def register(name: str) -> Callable[[Callable[[], Exporter]], Callable[[], Exporter]]:
    """Decorator: make an exporter factory available under `name`."""

    def wrap(factory: Callable[[], Exporter]) -> Callable[[], Exporter]:
        _REGISTRY[name] = factory
        return factory

    return wrap


def available() -> list[str]:
    return sorted(_REGISTRY)


def create(name: str) -> Exporter:
    """The exporter registered under `name`."""
    # importing the modules registers them; done here so the registry is never empty
    from copilot.platforms.brevo import export as _brevo  # noqa: F401
    from copilot.platforms.mailchimp import export as _mailchimp  # noqa: F401

    try:
        return _REGISTRY[name]()
    except KeyError:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(available())}") from None


def checked(platform: str, req: PlannedRequest) -> PlannedRequest:
    """Validate a planned request's body against the vendor spec (raises ContractError)."""
    validate_body(platform, req.method, req.path, req.body)
    return req
