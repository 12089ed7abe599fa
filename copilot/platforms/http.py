"""Talking to a vendor API: bounded retries with backoff, Retry-After, and create-once semantics."""

from __future__ import annotations

import base64
import binascii
import email.utils
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, Field

from copilot.platforms.errors import PushError
from copilot.settings import Settings

log = logging.getLogger("copilot.platforms")
T = TypeVar("T")
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class RetryPolicy(BaseModel):
    """How hard to try: retries after the first attempt, exponential backoff, a cap on waits."""

    max_retries: int = Field(default=4, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0)
    max_backoff_s: float = Field(default=60.0, ge=0)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (1-based); the server's word wins."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        return min(self.backoff_s * (2 ** (attempt - 1)), self.max_backoff_s)


def retry_policy(settings: Settings) -> RetryPolicy:
    """The push and fetch retry policy from settings."""
    return RetryPolicy(
        max_retries=settings.push_max_retries,
        backoff_s=settings.push_backoff_s,
        max_backoff_s=settings.push_max_backoff_s,
    )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _secrets_of(client: httpx.Client) -> list[str]:
    """Every credential the client sends, so no message can ever carry one."""
    found: list[str] = []
    # httpx.BasicAuth keeps its header on the auth object, not in client.headers
    auth_header = getattr(client.auth, "_auth_header", None)
    for value in (client.headers.get("api-key"), client.headers.get("authorization"), auth_header):
        if not value:
            continue
        found.append(value)
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "basic" and token:
            found.append(token)
            try:
                user_pass = base64.b64decode(token).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                continue
            found.append(user_pass.partition(":")[2])
        elif token:
            found.append(token)
    return [s for s in found if len(s) >= 4]


class VendorAPI:
    """An httpx client plus the retry policy; every error message is scrubbed of credentials.

    `key_env` names the variable holding the key, for the message on 401/403 (default:
    <VENDOR>_API_KEY, the convention every platform follows)."""

    def __init__(
        self,
        client: httpx.Client,
        vendor: str,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        key_env: str | None = None,
    ) -> None:
        self.client = client
        self.vendor = vendor
        self.key_env = key_env or f"{vendor.upper()}_API_KEY"
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.requests_sent = 0
        self._secrets = sorted(_secrets_of(client), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Remove any credential from text meant for people or logs."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _problem(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            data = None
        detail = ""
        if isinstance(data, dict):
            parts = [
                str(data.get(k)) for k in ("title", "detail", "code", "message") if data.get(k)
            ]
            detail = ": " + " - ".join(parts) if parts else ""
            errors = data.get("errors")
            if isinstance(errors, list) and errors:
                detail += " (" + "; ".join(str(e) for e in errors[:5]) + ")"
        return self.redact(f"HTTP {response.status_code}{detail}")

    def _send(
        self, method: str, path: str, json: Any, params: dict[str, Any] | None
    ) -> httpx.Response:
        self.requests_sent += 1
        log.info("%s %s %s", self.vendor, method, path)
        return self.client.request(method, path, json=json, params=params)

    def _wait(self, attempt: int, response: httpx.Response | None, why: str) -> None:
        after = retry_after_seconds(response.headers.get("retry-after")) if response else None
        delay = self.policy.delay(attempt, after)
        log.warning(
            "%s: %s; retry %d/%d in %.1fs",
            self.vendor,
            self.redact(why),
            attempt,
            self.policy.max_retries,
            delay,
        )
        self.sleep(delay)

    def _give_up(self, method: str, path: str, last: str) -> PushError:
        return PushError(
            f"{self.vendor} {method} {path}: gave up after {self.policy.max_retries + 1} "
            f"attempt(s); last: {self.redact(last)}. Nothing else was changed; run the same "
            "command again later (it will not create a duplicate)"
        )

    def _check(self, method: str, path: str, response: httpx.Response) -> Any:
        if response.status_code in (401, 403):
            raise PushError(
                f"{self.vendor} {method} {path}: {self._problem(response)}; check the API key "
                f"in the environment ({self.key_env})"
            )
        if response.status_code >= 400:
            raise PushError(f"{self.vendor} {method} {path}: {self._problem(response)}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PushError(
                f"{self.vendor} {method} {path}: HTTP {response.status_code} with a body that "
                "is not JSON"
            ) from None

    def call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """An idempotent request (GET/PUT/PATCH), retried on 429, 5xx, timeouts and drops."""
        last = ""
        for attempt in range(self.policy.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = self._send(method, path, json, params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = f"{type(exc).__name__} (no response)"
            else:
                if response.status_code not in RETRY_STATUS:
                    return self._check(method, path, response)
                last = self._problem(response)
            if attempt < self.policy.max_retries:
                self._wait(attempt + 1, response, last)
        raise self._give_up(method, path, last)

    def create_once(self, path: str, body: Any, find: Callable[[], T | None]) -> tuple[Any, bool]:
        """POST a new object unless `find` sees it; after any unclear failure look again first.

        Returns (object, created). A timeout, a dropped connection or a 5xx may hide a create
        that did happen, so before every retry we search for our own object by its marker.
        """
        existing = find()
        if existing is not None:
            return existing, False
        last = ""
        for attempt in range(self.policy.max_retries + 1):
            response: httpx.Response | None = None
            try:
                response = self._send("POST", path, body, None)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = f"{type(exc).__name__} (no response)"
            else:
                if response.status_code not in RETRY_STATUS:
                    return self._check("POST", path, response), True
                last = self._problem(response)
            if attempt >= self.policy.max_retries:
                break
            self._wait(attempt + 1, response, last)
            if response is None or response.status_code != 429:
                # 429 means "not processed"; anything else may have created the object
                existing = find()
                if existing is not None:
                    log.info(
                        "%s: found the object created by an attempt whose response was "
                        "lost; not creating it again",
                        self.vendor,
                    )
                    return existing, False
        existing = find()
        if existing is not None:
            return existing, False
        raise self._give_up("POST", path, last)
