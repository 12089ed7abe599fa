"""End to end in headless Debian Chromium (Playwright's Python package, the system browser at
/usr/bin/chromium; never `playwright install`), against `streamlit run ui/app.py` on 127.0.0.1
started and stopped by the test, on the real embedded model and a temp store holding the sample
brand: fill a brief, generate, see at least three scored variants, refine once by chat, open the
export page, download the Mailchimp JSON and validate it against the vendor's spec.

Screenshots of each step go to the test's temp dir (path printed) for a person to look at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from copilot.knowledge.ingest import ingest_brand
from copilot.platforms.contract import body_problems
from copilot.settings import Settings
from scripts.ui_session import (
    browser_page,
    chromium_available,
    fill_brief,
    generate,
    goto,
    open_app,
    refine,
    scored_variants,
    snap,
    streamlit_server,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[1]
BRIEF = {
    "Goal": "abandoned_cart",
    "Offer": "Free standard shipping on orders over $40",
    "Call to action": "Finish your order",
    "CTA link": "https://harborbean.example/cart",
    "Tone": "warm and helpful, no pressure",
    "Segment name": "cart_abandoners",
    # large enough that a click test of three subject lines can reach its power
    "Segment size (recipients)": "250000",
    "Personalization fields": "FNAME",
}

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A temp KB with the sample brand, ingested into a temp store (the repo's stay untouched)."""
    base = tmp_path_factory.mktemp("e2e")
    kb = base / "brand_kb"
    kb.mkdir()
    shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
    settings = Settings(chroma_path=base / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
    ingest_brand(kb / "harbor_bean", settings)
    return {"COPILOT_CHROMA_PATH": str(base / "chroma"), "COPILOT_KB_DIR": str(kb)}


def test_brief_to_validated_mailchimp_json(app_env: dict[str, str], tmp_path: Path) -> None:
    assert chromium_available(), "install the browser first: apt-get install -y chromium"
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"screenshots in {shots}")
    with streamlit_server(app_env, tmp_path / "streamlit.log") as url, browser_page() as page:
        open_app(page, url)
        fill_brief(page, BRIEF, n=5, keep=3)
        generate(page)
        snap(page, shots / "1-generated.png")
        scores = scored_variants(page)
        assert len(scores) >= 3, f"expected three scored variants, page shows {scores}"
        assert all(0 < s <= 100 for s in scores)
        assert page.get_by_text("Traceback").count() == 0

        reply = refine(page, "make #1 shorter")
        snap(page, shots / "2-refined.png")
        assert reply.startswith(("Rewrote #1", "No change")), reply
        after = scored_variants(page)
        assert len(after) == len(scores)  # the set is still there, every variant scored

        goto(page, "A/B plan & export")
        page.get_by_role("button", name="Plan the test").click()
        wait_idle(page)
        download_button = page.get_by_role("button", name="Download Mailchimp JSON")
        download_button.wait_for()
        snap(page, shots / "3-export.png")
        with page.expect_download() as info:
            download_button.click()
        path = Path(info.value.path())
        payload = json.loads(path.read_text(encoding="utf-8"))

    assert payload["platform"] == "mailchimp"
    requests = payload["requests"]
    assert [r["method"] for r in requests][:2] == ["POST", "PUT"]
    for req in requests:
        problems = body_problems("mailchimp", req["method"], req["path"], req["body"])
        assert problems == [], f"{req['method']} {req['path']}: {problems}"
    create = requests[0]["body"]
    assert create["type"] == "variate"
    assert len(create["variate_settings"]["subject_lines"]) >= 2
