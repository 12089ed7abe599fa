"""`copilot evaluate`: CSV or generate-JSON in, JSON or a table out, errors naming the line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import InputFileError, UnknownBrandError
from copilot.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]

VOICE = """# Demo Tea voice

Calm, warm and specific about tea.

## Don't
- Don't say "cheap".

## Sample lines
- Kettle Chai is back: cardamom, ginger and cinnamon, blended by hand this week.
- Steep it for four minutes and take a slow morning.
"""
PRODUCTS = """# Demo Tea facts

## Teas
- Kettle Chai: $16 for a 4 oz tin.

## Shipping
- Free shipping on orders over $50.

## Address
- Demo Tea Co., 88 Mill Road, Ashby, VT 05031
"""
BRIEF = """brand: demo_tea
goal: promotion
segment: {name: all_customers}
offer: "CHAI15: 15% off Kettle Chai through Sunday"
platform: mailchimp
personalization: [FNAME]
"""
GOOD = ("Kettle Chai is 15% off this week", "Use CHAI15 through Sunday; orders over $50 ship free.")
BAD = ("Kettle Chai: 40% off, ends tonight", "Use code CHAI40 for a free mug with every order.")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A brand folder, a brief and settings pointing at them (read fresh by the CLI)."""
    brand = tmp_path / "brand_kb" / "demo_tea"
    brand.mkdir(parents=True)
    (brand / "voice.md").write_text(VOICE, encoding="utf-8")
    (brand / "products.md").write_text(PRODUCTS, encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(BRIEF, encoding="utf-8")
    monkeypatch.setenv("COPILOT_KB_DIR", str(tmp_path / "brand_kb"))
    monkeypatch.setenv("COPILOT_CHROMA_PATH", str(tmp_path / "chroma"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["subject,preheader"] + [f'"{s}","{p}"' for s, p in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(app, ["evaluate", *args])


@pytest.mark.integration
def test_csv_to_json_in_input_order(workspace: Path) -> None:
    csv_path = write_csv(workspace / "v.csv", [BAD, GOOD])
    result = run("--brief", str(workspace / "brief.yaml"), "--variants", str(csv_path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bad, good = data["variants"]
    assert [bad["subject"], good["subject"]] == [BAD[0], GOOD[0]]
    for item in (bad, good):
        assert set(item) >= {"subject", "preheader", "score", "checks", "explanation"}
        assert all(set(c) >= {"name", "status", "message"} for c in item["checks"])
    statuses = {c["name"]: c["status"] for c in bad["checks"]}
    assert statuses["grounding"] == "fail"
    assert bad["score"] <= 40 < good["score"]
    assert "cannot be sent as-is" in bad["explanation"]
    assert {c["name"]: c["status"] for c in good["checks"]}["grounding"] == "pass"


@pytest.mark.integration
def test_generate_json_input_and_table_output(workspace: Path) -> None:
    payload = {
        "variants": [
            {"subject": GOOD[0], "preheader": GOOD[1], "angle": "offer", "score": 12.0},
            {"subject": BAD[0], "preheader": BAD[1], "angle": "urgency"},
        ]
    }
    path = workspace / "generated.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = run("--brief", str(workspace / "brief.yaml"), "--variants", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.index(GOOD[0]) < result.stdout.index(BAD[0])
    assert "FAIL grounding" in result.stdout
    assert '"CHAI40"' in result.stdout


@pytest.mark.parametrize(
    "content,expected",
    [
        ("preheader\nHello there\n", ["line 1", "subject"]),
        ("subject,preheadr\nHi,there\n", ["line 1", "preheadr"]),
        ('subject,preheader\n"Fine","ok"\n,"no subject"\n', ["line 3", "subject"]),
        ('subject,preheader\n"Fine","ok"\nA,b,c\n', ["line 3", "more values than columns"]),
        ("subject,preheader\n", ["no variants"]),
    ],
)
def test_bad_csv_names_line_and_column(workspace: Path, content: str, expected: list[str]) -> None:
    path = workspace / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = run("--brief", str(workspace / "brief.yaml"), "--variants", str(path))
    assert isinstance(result.exception, InputFileError)
    for piece in expected:
        assert piece in str(result.exception)


def test_unknown_brand_is_a_clear_error(workspace: Path) -> None:
    (workspace / "other.yaml").write_text(BRIEF.replace("demo_tea", "nope"), encoding="utf-8")
    csv_path = write_csv(workspace / "v.csv", [GOOD])
    result = run("--brief", str(workspace / "other.yaml"), "--variants", str(csv_path))
    assert isinstance(result.exception, UnknownBrandError)
    assert "demo_tea" in str(result.exception)


def test_console_script_prints_error_and_exits_2(workspace: Path) -> None:
    path = workspace / "bad.csv"
    path.write_text("preheader\nHello\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "evaluate", "--brief", str(workspace / "brief.yaml"),
         "--variants", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and "line 1" in proc.stderr
