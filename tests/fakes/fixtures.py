"""Pytest fixtures (load with `pytest_plugins = ["fakes.fixtures"]`): a small brand in
tmp_path, fake Mailchimp and Brevo servers on 127.0.0.1, and httpx clients pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from copilot.platforms.brevo import export as brevo
from copilot.platforms.contract import load_spec
from copilot.platforms.mailchimp import export as mailchimp

from .brevo import FakeBrevo
from .builders import BREVO_KEY, MAILCHIMP_KEY, make_brand
from .mailchimp import FakeMailchimp


@pytest.fixture
def tidewater_kb(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    make_brand(kb)
    return kb


@pytest.fixture
def fake_mailchimp() -> Iterator[FakeMailchimp]:
    load_spec("mailchimp")  # parse the spec before the first request, not inside it
    fake = FakeMailchimp(MAILCHIMP_KEY)
    fake.base_url = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


@pytest.fixture
def fake_brevo() -> Iterator[FakeBrevo]:
    load_spec("brevo")
    fake = FakeBrevo(BREVO_KEY)
    fake.base_url = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


@pytest.fixture
def mailchimp_client(fake_mailchimp: FakeMailchimp) -> Iterator[httpx.Client]:
    with mailchimp.client(
        SecretStr(MAILCHIMP_KEY),
        fake_mailchimp.base_url,  # type: ignore[attr-defined]
        timeout_s=0.5,
    ) as client:
        yield client


@pytest.fixture
def brevo_client(fake_brevo: FakeBrevo) -> Iterator[httpx.Client]:
    with brevo.client(
        SecretStr(BREVO_KEY),
        fake_brevo.base_url,  # type: ignore[attr-defined]
        timeout_s=0.5,
    ) as client:
        yield client
