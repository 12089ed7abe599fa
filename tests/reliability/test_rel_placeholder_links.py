"""A body drafted without the brief's cta_url links to a stand-in (PLACEHOLDER_URL). The body check
flags it and tells the marketer to set cta_url; the dry-run export keeps it but warns (payload,
manifest, stderr); a push is refused before anything reaches the vendor. Real renderer, real
check, real exporters, a local fake Mailchimp over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakes.builders import MAILCHIMP_KEY, body_html, make_brief, planned_config
from fakes.mailchimp import FakeMailchimp

from copilot.app.export import build_payload, push_payload
from copilot.evaluation.checks.body import BodyCheck
from copilot.generation.bodies.generator import placeholder_url
from copilot.io.abconfig import ABConfig, save_config
from copilot.knowledge.brand import load_brand
from copilot.knowledge.context import BrandContext
from copilot.planning.design import neutral_tags
from copilot.platforms.errors import ExportError
from copilot.settings import Settings
from copilot.text import placeholder_links
from copilot.variants import CheckResult, Variant

ROOT = Path(__file__).resolve().parents[2]


def rendered(cta_url: str, platform: str = "mailchimp") -> tuple[str, str]:
    """A body as the body writer renders it (HTML, text), linking its button to `cta_url`."""
    return body_html(platform, cta_url)


def body_check(html: str, kb_dir: Path) -> CheckResult:
    context = BrandContext(brand=load_brand(kb_dir / "tidewater"))
    variant = Variant(subject="Harvest Sale: 15% off every bag", body=html)
    return BodyCheck().evaluate([variant], make_brief(), context)[0]


def config_with_body(kb_dir: Path, html: str, text: str) -> ABConfig:
    """A planned test whose arms all send this body (as the export page attaches one)."""
    data = planned_config(kb_dir, "mailchimp").model_dump(mode="json")
    for arm in data["arms"]:
        arm.update(html=neutral_tags(html), plain_text=neutral_tags(text), body_text=None)
    data["test_id"] = ""
    return ABConfig.model_validate(data)


@pytest.mark.parametrize("name", ["cta", "order_page", "join_link"])
def test_every_link_the_generator_stands_in_is_found(name: str) -> None:
    url = placeholder_url(name)
    assert placeholder_links(url) == [url]
    assert placeholder_links(f'<a href="{url}?utm_source=x">Go</a>') == [f"{url}?utm_source=x"]


@pytest.mark.parametrize(
    "url", ["https://example.com/cart", "https://tidewater.example/sale", "https://example.com/"]
)
def test_real_links_are_not_placeholders(url: str) -> None:
    assert placeholder_links(f'<a href="{url}">Go</a> {url}') == []


def test_the_body_check_flags_the_placeholder_and_names_cta_url(tidewater_kb: Path) -> None:
    good = body_check(rendered("https://tidewater.example/sale")[0], tidewater_kb)
    assert good.status == "pass", good.message
    flagged = body_check(rendered(placeholder_url())[0], tidewater_kb)
    assert flagged.status != "pass" and flagged.score < good.score
    assert placeholder_url() in flagged.message
    assert "set cta_url in the brief" in flagged.message


def test_a_named_placeholder_asks_for_the_real_page(tidewater_kb: Path) -> None:
    html = rendered("https://tidewater.example/sale")[0].replace(
        "https://tidewater.example/sale", placeholder_url("review_page")
    )
    flagged = body_check(html, tidewater_kb)
    assert flagged.status != "pass"
    assert placeholder_url("review-page") in flagged.message and "real page" in flagged.message


def test_the_dry_run_keeps_the_placeholder_and_warns(tidewater_kb: Path, tmp_path: Path) -> None:
    payload = build_payload(
        config_with_body(tidewater_kb, *rendered(placeholder_url())), "mailchimp"
    )
    assert payload.placeholder_links() == [placeholder_url()]
    assert any(placeholder_url() in w and "cta_url" in w for w in payload.warnings)
    manifest = json.loads(payload.write(tmp_path / "out")[0].read_text("utf-8"))
    assert any(placeholder_url() in w for w in manifest["warnings"])


def test_a_real_link_gives_no_placeholder_warning(tidewater_kb: Path) -> None:
    html, text = rendered("https://tidewater.example/sale")
    payload = build_payload(config_with_body(tidewater_kb, html, text), "mailchimp")
    assert payload.placeholder_links() == []
    assert not any("placeholder" in w for w in payload.warnings)


def test_a_push_with_a_placeholder_is_refused_before_anything_is_sent(
    tidewater_kb: Path, tmp_path: Path, fake_mailchimp: FakeMailchimp
) -> None:
    payload = build_payload(
        config_with_body(tidewater_kb, *rendered(placeholder_url())), "mailchimp"
    )
    settings = Settings(
        chroma_path=tmp_path / "chroma",
        kb_dir=tidewater_kb,
        mailchimp_api_key=MAILCHIMP_KEY,
        mailchimp_base_url=fake_mailchimp.base_url,  # type: ignore[attr-defined]
        _env_file=None,  # type: ignore[call-arg]
    )
    with pytest.raises(ExportError, match=r"placeholder.*set cta_url in the brief"):
        push_payload(payload, settings)
    assert fake_mailchimp.count("POST", "/campaigns") == 0
    assert not fake_mailchimp.campaigns


def _export(config: Path, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    args = ["export", "--platform", "mailchimp", "--config", str(config), *extra]
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=config.parent,
        env=env,
    )


def test_the_cli_warns_on_a_dry_run_and_refuses_the_push(
    tidewater_kb: Path, tmp_path: Path, fake_mailchimp: FakeMailchimp
) -> None:
    config = save_config(
        config_with_body(tidewater_kb, *rendered(placeholder_url())), tmp_path / "ab.json"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MAILCHIMP_API_KEY": MAILCHIMP_KEY,
        "COPILOT_MAILCHIMP_BASE_URL": fake_mailchimp.base_url,  # type: ignore[attr-defined]
        "COPILOT_PUSH_BACKOFF_S": "0",
    }
    dry = _export(config, "--out", str(tmp_path / "out"), env=env)
    assert dry.returncode == 0, dry.stderr
    warnings = [ln for ln in dry.stderr.splitlines() if placeholder_url() in ln]
    assert warnings and warnings[0].startswith("warning: ")
    assert (tmp_path / "out" / "mailchimp-manifest.json").is_file()

    push = _export(config, "--push", env=env)
    assert push.returncode == 2, push.stderr
    assert "Traceback" not in push.stderr
    assert "error: " in push.stderr and "set cta_url in the brief" in push.stderr
    assert fake_mailchimp.count("POST", "/campaigns") == 0
