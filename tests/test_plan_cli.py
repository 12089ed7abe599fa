"""`copilot plan` end to end: reads a brief and `copilot generate --json` output, writes the
portable A/B config, says when a plan is weak, and refuses (non-zero) with the ways out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fakes.builders import sample_variants, variants_json
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import InputFileError
from copilot.io.abconfig import load_config
from copilot.planning.design import PlanError, PlanRefused
from copilot.settings import get_settings


@pytest.fixture
def env(tidewater_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """KB dir from the environment, as a user would set it; settings re-read for this test."""
    monkeypatch.setenv("COPILOT_KB_DIR", str(tidewater_kb))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _brief(tmp: Path, size: int, platform: str = "mailchimp") -> Path:
    path = tmp / f"brief-{size}-{platform}.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "brand": "tidewater",
                "goal": "promotion",
                "platform": platform,
                "segment": {"name": "all_customers", "size": size},
                "cta": "Shop the sale",
                "cta_url": "https://tidewater.example/sale",
            }
        ),
        encoding="utf-8",
    )
    return path


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["plan", *args])


def test_ok_plan_writes_config(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "plans" / "ab.json"
    result = _run(
        "--brief", str(_brief(env, 600_000)), "--variants", str(variants), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: test 3 subject lines on clicks")
    assert "Baseline: click rate 3.05% from the brand's history" in result.stdout
    assert "Ways out" not in result.stdout
    config = load_config(out)
    assert config.design.status == "ok" and len(config.arms) == 3
    assert config.design.mde == 0.10 and config.design.metric == "clicks"
    assert config.sender.postal_address and "9 Quay Road" in config.sender.postal_address


def test_json_output(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    result = _run(
        "--brief",
        str(_brief(env, 600_000)),
        "--variants",
        str(variants),
        "--json",
        "--mde",
        "0.2",
        "--metric",
        "opens",
        "--wait-hours",
        "6",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "ok"
    assert data["config_path"] == "ab_config.json" and (env / "ab_config.json").is_file()
    design = data["design"]
    assert design["metric"] == "opens" and design["mde"] == 0.2 and design["wait_hours"] == 6
    assert any("Apple Mail Privacy Protection" in w for w in design["warnings"])
    assert len(data["arms"]) == 3


def test_refused_plan_exits_non_zero_with_ways_out(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "ab.json"
    result = _run(
        "--brief", str(_brief(env, 12_000)), "--variants", str(variants), "--out", str(out)
    )
    assert isinstance(result.exception, PlanRefused) and result.exit_code != 0
    assert result.stdout.startswith("Refused: a click test of 3 subject lines needs")
    assert "12,000" in result.stdout
    for way in ("fewer variants", "larger minimum lift", "larger segment", "longer test"):
        assert f"- {way}:" in result.stdout
    assert "--mde" in result.stdout
    assert not out.exists()


def test_refused_json_still_reports_numbers(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    result = _run("--brief", str(_brief(env, 12_000)), "--variants", str(variants), "--json")
    assert isinstance(result.exception, PlanRefused)
    data = json.loads(result.stdout)
    assert data["status"] == "refused" and data["config_path"] is None
    assert data["design"]["n_per_arm_required"] > 12_000
    assert len(data["design"]["ways_out"]) >= 4


def test_weak_plan_says_so_in_output_and_file(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "ab.json"
    result = _run(
        "--brief",
        str(_brief(env, 150_000)),
        "--variants",
        str(variants),
        "--max-variants",
        "2",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Weak but possible")
    saved = json.loads(out.read_text())
    assert saved["design"]["status"] == "weak"
    assert saved["design"]["verdict"].startswith("Weak but possible")


def test_brevo_plan_with_list_ids(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "ab.json"
    result = _run(
        "--brief",
        str(_brief(env, 600_000, "brevo")),
        "--variants",
        str(variants),
        "--list-id",
        "12,31",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    config = load_config(out)
    assert config.platform == "brevo" and len(config.arms) == 2
    assert config.audience.brevo_list_ids == [12, 31]
    bad = _run(
        "--brief",
        str(_brief(env, 600_000, "brevo")),
        "--variants",
        str(variants),
        "--list-id",
        "twelve",
    )
    assert bad.exit_code != 0 and "whole numbers" in bad.output


def test_unknown_variable_is_a_clear_error(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    result = _run(
        "--brief", str(_brief(env, 600_000)), "--variants", str(variants), "--variable", "colour"
    )
    assert isinstance(result.exception, PlanError)
    assert "--variables" in str(result.exception) and "colour" in str(result.exception)


def test_bad_variants_file(env: Path) -> None:
    path = env / "v.json"
    path.write_text('{"variants": [{"preheader": "no subject"}]}', encoding="utf-8")
    result = _run("--brief", str(_brief(env, 600_000)), "--variants", str(path))
    assert isinstance(result.exception, InputFileError)
    assert "variants[0].subject" in str(result.exception)


def test_plan_then_export_round_trip(env: Path) -> None:
    variants = variants_json(env / "v.json", sample_variants())
    out = env / "ab.json"
    assert (
        _run(
            "--brief", str(_brief(env, 600_000)), "--variants", str(variants), "--out", str(out)
        ).exit_code
        == 0
    )
    result = CliRunner().invoke(app, ["export", "--platform", "mailchimp", "--config", str(out)])
    assert result.exit_code == 0, result.output
    assert (env / "export" / "mailchimp-manifest.json").is_file()
    assert "dry run" in result.stdout


def test_refused_plan_process_exit_code(env: Path, tidewater_kb: Path) -> None:
    """The real entry point: a refused plan is a non-zero exit with the reason on stderr."""
    variants = variants_json(env / "v.json", sample_variants())
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot.cli",
            "plan",
            "--brief",
            str(_brief(env, 12_000)),
            "--variants",
            str(variants),
        ],
        capture_output=True,
        text=True,
        cwd=env,
        timeout=300,
        env={**os.environ, "COPILOT_KB_DIR": str(tidewater_kb), "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 2
    assert proc.stdout.startswith("Refused")
    assert "error: test refused" in proc.stderr
