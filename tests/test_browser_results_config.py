"""Issue 17, item 4, in the browser (headless Debian Chromium driven by Playwright, `streamlit run`
started by the test): an uploaded A/B config fills the results form, and a clicks verdict on an
opens plan does not quote the opens plan's size. Needs no model: the small "tidewater" brand.

Its own module: Playwright's sync API cannot start while another module's browser is still open.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.builders import make_brand, make_brief, planned_config

from scripts.ui_session import (
    browser_page,
    chromium_available,
    goto,
    open_app,
    snap,
    streamlit_server,
    wait_idle,
)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def results_env(tmp_path: Path) -> dict[str, str]:
    kb = tmp_path / "kb"
    make_brand(kb)
    return {"COPILOT_CHROMA_PATH": str(tmp_path / "chroma"), "COPILOT_KB_DIR": str(kb)}


def test_4_an_uploaded_config_fills_the_results_form(
    results_env: dict[str, str], tmp_path: Path
) -> None:
    assert chromium_available(), "install the browser first: apt-get install -y chromium"
    kb = Path(results_env["COPILOT_KB_DIR"])
    config = planned_config(kb, max_variants=2, metric="opens", brief=make_brief(size=600_000))
    config_file = tmp_path / "ab_config.json"
    config_file.write_text(config.model_dump_json(indent=2), encoding="utf-8")
    results = tmp_path / "results.csv"
    results.write_text(
        "variant,recipients,opens,clicks\nA,30000,9000,600\nB,30000,9300,690\n", encoding="utf-8"
    )
    with streamlit_server(results_env, tmp_path / "streamlit.log") as url, browser_page() as page:
        open_app(page, url)
        goto(page, "Results")
        page.get_by_text("upload a config", exact=True).click()
        wait_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(config_file)
        )
        wait_idle(page)
        page.get_by_text(re.compile("^Filled in from the A/B config")).wait_for()
        assert page.get_by_label("Brand", exact=True).input_value() == "tidewater"
        assert page.get_by_label("Segment", exact=True).input_value() == "all_customers"
        assert page.get_by_role("radio", name="opens").is_checked()

        page.get_by_role("radio", name="clicks").last.check(force=True)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(
            str(results)
        )
        page.get_by_role("button", name="Judge the test").click()
        wait_idle(page)
        snap(page, tmp_path / "4-results.png")
        assert page.get_by_text("give the brand and segment").count() == 0
        page.get_by_text("Details", exact=True).last.click()
        page.wait_for_timeout(500)
        shown = page.locator('[data-testid="stMain"]').inner_text()
        assert "was sized on opens; for clicks" in shown
        assert f"Planned {config.design.n_per_arm_required:,} per arm" not in shown
