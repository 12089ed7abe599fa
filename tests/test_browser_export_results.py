"""Issue 17 in the browser (headless Debian Chromium driven by Playwright, `streamlit run`
started by the test): the export carries the checked body and refuses a push without one (1),
one merge-tag rule with a legend (7), a default plan the segment can carry (10), plain words on
the export page (9) (item 4 is in test_browser_results_config.py:
it opens its own browser, which cannot run beside this module's).

The export tests run on the real embedded model and a temp store holding the sample brand, with
a local fake Mailchimp (real HTTP) as the push target; the results test needs no model.
Screenshots go to the test's temp dir (path printed).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.builders import MAILCHIMP_KEY
from fakes.mailchimp import FakeMailchimp

from copilot.knowledge.ingest import ingest_brand
from copilot.platforms.contract import load_spec
from copilot.settings import Settings
from scripts.ui_session import (
    browser_page,
    chromium_available,
    fill_brief,
    generate,
    goto,
    open_app,
    scored_variants,
    set_slider,
    snap,
    streamlit_server,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[1]
SEGMENT = 1_800  # a typical small list: the default click test of three lines cannot be powered
BRIEF = {
    "Goal": "abandoned_cart",
    "Offer": "Free standard shipping on orders over $40",
    "Call to action": "Finish your order",
    "CTA link": "https://harborbean.example/cart",
    "Tone": "warm and helpful, no pressure",
    "Segment name": "cart_abandoners",
    "Segment size (recipients)": str(SEGMENT),
    "Personalization fields": "FNAME",
}

pytestmark = [pytest.mark.browser]


def _download(page: Any, button: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).first.click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def _plan(page: Any) -> None:
    page.get_by_role("button", name="Plan the test").click()
    wait_idle(page)


def _preview_text(page: Any) -> str:
    """Text of the email preview on the page (an iframe loaded from a data: URL)."""
    frames = [f for f in page.frames if f.url.startswith("data:text/html")]
    assert frames, "no email preview on the page"
    return str(frames[0].locator("body").inner_text())


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("issue17-shots")
    print(f"screenshots in {path}")
    return path


@pytest.fixture(scope="module")
def fake_mc() -> Iterator[FakeMailchimp]:
    load_spec("mailchimp")
    fake = FakeMailchimp(MAILCHIMP_KEY)
    fake.base_url = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, fake_mc: FakeMailchimp, shots: Path
) -> Iterator[Any]:
    """The app on the sample brand (temp copy, ingested), the brief filled and variants
    generated on the embedded model; Mailchimp pushes go to the fake server."""
    assert chromium_available(), "install the browser first: apt-get install -y chromium"
    base = tmp_path_factory.mktemp("issue17")
    kb = base / "brand_kb"
    kb.mkdir()
    shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
    settings = Settings(chroma_path=base / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
    ingest_brand(kb / "harbor_bean", settings)
    env = {
        "COPILOT_CHROMA_PATH": str(base / "chroma"),
        "COPILOT_KB_DIR": str(kb),
        "MAILCHIMP_API_KEY": MAILCHIMP_KEY,
        "COPILOT_MAILCHIMP_BASE_URL": fake_mc.base_url,  # type: ignore[attr-defined]
        "COPILOT_PUSH_BACKOFF_S": "0",
    }
    with streamlit_server(env, base / "streamlit.log") as url, browser_page() as page:
        open_app(page, url)
        fill_brief(page, BRIEF, n=5, keep=3)
        generate(page)
        snap(page, shots / "0-generated.png")
        assert len(scored_variants(page)) >= 2, "generation gave fewer than two variants"
        yield page


@pytest.mark.integration
def test_10_the_default_plan_fits_a_typical_segment(workspace: Any, shots: Path) -> None:
    page = workspace
    goto(page, "A/B plan & export")
    reason = page.get_by_text(re.compile("instead of the default"))
    reason.wait_for()
    assert f"{SEGMENT:,}" in reason.inner_text()
    _plan(page)
    snap(page, shots / "10-plan.png")
    assert page.get_by_text(re.compile(r"^(OK|Weak but possible): test \d")).count() == 1
    assert page.get_by_text(re.compile("^Refused:")).count() == 0


# browser only, not `integration`: the push target is the local fake Mailchimp
def test_1_a_test_without_a_body_is_not_pushed(
    workspace: Any, fake_mc: FakeMailchimp, shots: Path
) -> None:
    page = workspace
    goto(page, "A/B plan & export")
    _plan(page)
    page.get_by_text(re.compile("^This test has no email body yet")).first.wait_for()
    snap(page, shots / "1-no-body.png")
    assert page.get_by_role(
        "checkbox", name="Yes, create this draft campaign in Mailchimp"
    ).is_disabled()
    assert page.get_by_role("button", name="Push to Mailchimp").is_disabled()
    assert fake_mc.count("POST", "/campaigns") == 0


# browser only, not `integration`: the push target is the local fake Mailchimp
def test_1_the_export_carries_the_checked_body(
    workspace: Any, fake_mc: FakeMailchimp, shots: Path
) -> None:
    page = workspace
    goto(page, "Bodies")
    set_slider(page, "Body variants (distinct angles)", 1)
    page.get_by_role("button", name="Draft bodies").click()
    wait_idle(page)
    checked_html = _download(page, "Download HTML")
    assert "<html" in checked_html

    goto(page, "A/B plan & export")
    _plan(page)
    snap(page, shots / "1-with-body.png")
    payload = json.loads(_download(page, "Download Mailchimp JSON"))
    content = next(r for r in payload["requests"] if r["step"] == "set_content")["body"]
    assert content["variate_contents"][0]["html"] == checked_html
    assert payload["missing_body"] == []

    # Streamlit's label covers the checkbox input: click it as a person would
    page.get_by_text("Yes, create this draft campaign in Mailchimp").click()
    wait_idle(page)
    page.get_by_role("button", name="Push to Mailchimp").click()
    wait_idle(page)
    page.get_by_text(re.compile("Mailchimp draft campaign .* created")).wait_for()
    (campaign_id,) = list(fake_mc.contents)
    assert fake_mc.contents[campaign_id]["variate_contents"][0]["html"] == checked_html


@pytest.mark.integration
def test_7_previews_show_a_sample_contact_and_a_legend_names_the_tags(
    workspace: Any, shots: Path
) -> None:
    page = workspace
    goto(page, "A/B plan & export")
    _plan(page)
    legend = page.get_by_text(re.compile("Previews show a sample contact"))
    legend.first.wait_for()
    assert "*|FNAME|*" in legend.first.inner_text()
    preview = _preview_text(page)
    snap(page, shots / "7-preview.png")
    assert "Hi Alex," in preview
    assert "*|" not in preview and "{{" not in preview


@pytest.mark.integration
def test_9_the_export_page_speaks_plainly(workspace: Any) -> None:
    page = workspace
    goto(page, "A/B plan & export")
    _plan(page)
    shown = page.locator('[data-testid="stMain"]').inner_text()
    assert "postal_address" not in shown
    assert "products.md line" not in shown
    assert "copilot results import" not in shown
    assert " a open " not in shown
