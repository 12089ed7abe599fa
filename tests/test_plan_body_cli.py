"""`copilot plan --body` puts a drafted body (from `copilot bodies --out`) on every arm; the
exported payload carries it byte for byte, and `copilot export --push` refuses a test without a
body before sending anything (local fake Mailchimp over real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fakes.builders import MAILCHIMP_KEY, body_html, sample_variants, variants_json
from fakes.mailchimp import FakeMailchimp
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import InputFileError
from copilot.platforms.errors import ExportError
from copilot.settings import get_settings


@pytest.fixture
def env(tidewater_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("COPILOT_KB_DIR", str(tidewater_kb))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _plan(env: Path, *extra: str) -> Path:
    brief = env / "brief.yaml"
    brief.write_text(
        yaml.safe_dump(
            {
                "brand": "tidewater",
                "goal": "promotion",
                "segment": {"name": "all_customers", "size": 600_000},
                "cta": "Shop the sale",
                "cta_url": "https://tidewater.example/sale",
                "personalization": ["FNAME"],
            }
        ),
        encoding="utf-8",
    )
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "ab.json"
    args = ["plan", "--brief", str(brief), "--variants", str(variants), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    return out


def test_plan_with_a_body_exports_it_byte_for_byte(env: Path) -> None:
    html, text = body_html("mailchimp")
    (env / "body-1.html").write_text(html, encoding="utf-8")
    (env / "body-1.txt").write_text(text, encoding="utf-8")
    config = _plan(env, "--body", str(env / "body-1.html"))
    result = CliRunner().invoke(
        app, ["export", "--platform", "mailchimp", "--config", str(config), "--out", "out"]
    )
    assert result.exit_code == 0, result.output
    content = json.loads((env / "out" / "mailchimp-2-set_content.json").read_text())
    assert content["variate_contents"][0]["html"] == html
    assert content["variate_contents"][0]["plain_text"] == text


def test_a_missing_body_file_is_a_clear_error(env: Path) -> None:
    _plan(env)  # writes the brief and the variants
    result = CliRunner().invoke(
        app,
        ["plan", "--brief", str(env / "brief.yaml"), "--variants", str(env / "v.json")]
        + ["--body", str(env / "nope.html")],
    )
    assert isinstance(result.exception, InputFileError)
    assert "--body" in str(result.exception) and "copilot bodies --out" in str(result.exception)


def test_push_without_a_body_is_refused_before_any_request(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _plan(env)
    fake = FakeMailchimp(MAILCHIMP_KEY)
    base_url = fake.start()
    try:
        monkeypatch.setenv("MAILCHIMP_API_KEY", MAILCHIMP_KEY)
        monkeypatch.setenv("COPILOT_MAILCHIMP_BASE_URL", base_url)
        get_settings.cache_clear()
        result = CliRunner().invoke(
            app, ["export", "--platform", "mailchimp", "--config", str(config), "--push"]
        )
        assert isinstance(result.exception, ExportError)
        assert "no email body yet" in str(result.exception)
        assert "copilot plan --body" in str(result.exception)
        assert fake.count("POST", "/campaigns") == 0
    finally:
        fake.stop()
