"""Regenerate docs/screenshots/: one PNG of every page of the web UI, driven in headless Chromium.

It runs the real thing on the embedded default model: a temporary copy of the sample brand is
ingested into a temporary store, `streamlit run ui/app.py` is started on a free 127.0.0.1 port,
and the browser fills a brief, generates, refines by chat, drafts a body and a sequence, plans
and exports the test, judges a results CSV and previews retrieval. Nothing in the repository's
brand_kb/ or .copilot/ is touched. Expect 10-20 minutes on a 2-core laptop.

    python scripts/screenshots.py [--out docs/screenshots] [--n 5] [--keep 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.ui_session import (  # noqa: E402
    LONG_MS,
    browser_page,
    fill_brief,
    generate,
    goto,
    open_app,
    refine,
    scored_variants,
    set_slider,
    snap,
    streamlit_server,
    wait_idle,
)

BRIEF = {
    "Goal": "abandoned_cart",
    "Offer": "Free standard shipping on orders over $40",
    "Call to action": "Finish your order",
    "CTA link": "https://harborbean.example/cart",
    "Tone": "warm and helpful, no pressure",
    "Segment name": "cart_abandoners",
    "Segment description": "Shoppers who left coffee in their cart in the last 24 hours",
    "Segment size (recipients)": "250000",
    "Personalization fields": "FNAME",
}
# an illustrative finished test (recipients, opens, clicks per arm): arm B clicks best, clearly
ILLUSTRATIVE_ARMS = [(30000, 9350, 2030), (30000, 9420, 2390), (30000, 9120, 1990)]


def results_csv(arms: int) -> str:
    """A results CSV for the planned arms (A, B, ...), from the illustrative numbers."""
    rows = ["variant,recipients,opens,clicks"]
    for label, (n, opens, clicks) in zip("ABCDEFGH", ILLUSTRATIVE_ARMS[:arms], strict=False):
        rows.append(f"{label},{n},{opens},{clicks}")
    return "\n".join(rows) + "\n"


def prepare(tmp: Path) -> dict[str, str]:
    """A temp KB holding the sample brand, ingested into a temp store; the server's env."""
    from copilot.knowledge.ingest import ingest_brand
    from copilot.settings import Settings

    kb = tmp / "brand_kb"
    kb.mkdir()
    shutil.copytree(ROOT / "brand_kb" / "harbor_bean", kb / "harbor_bean")
    settings = Settings(chroma_path=tmp / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]
    ingest_brand(kb / "harbor_bean", settings)
    return {"COPILOT_CHROMA_PATH": str(tmp / "chroma"), "COPILOT_KB_DIR": str(kb)}


def click(page: object, name: str) -> None:
    page.get_by_role("button", name=name).first.click()  # type: ignore[attr-defined]
    wait_idle(page)


def run(out: Path, n: int, keep: int) -> list[Path]:
    """Drive every page and write one PNG each into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    started = time.monotonic()

    def say(what: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {what}", flush=True)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        say("ingesting the sample brand into a temporary store")
        env = prepare(tmp)
        with streamlit_server(env, tmp / "streamlit.log") as url, browser_page() as page:
            open_app(page, url)
            say("generating variants on the embedded model")
            fill_brief(page, BRIEF, n=n, keep=keep)
            generate(page)
            if len(scored_variants(page)) < 2:
                raise SystemExit("generation gave fewer than two variants; see the page")
            say("refining by chat")
            refine(page, "make #1 shorter")
            shots.append(snap(page, out / "brief.png"))

            goto(page, "Variants")
            page.locator('[data-testid="stExpander"]').first.locator("summary").click()
            shots.append(snap(page, out / "variants.png"))

            say("drafting a body")
            goto(page, "Bodies")
            set_slider(page, "Body variants (distinct angles)", 1)
            click(page, "Draft bodies")
            page.get_by_text("Body 1", exact=False).first.wait_for(timeout=LONG_MS)
            shots.append(snap(page, out / "bodies.png"))

            say("planning a sequence")
            goto(page, "Sequence")
            set_slider(page, "Subject drafts per step", 1)
            click(page, "Plan the sequence")
            page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=LONG_MS)
            shots.append(snap(page, out / "sequence.png"))

            say("planning and exporting the A/B test")
            goto(page, "A/B plan & export")
            click(page, "Plan the test")
            page.get_by_text("Sample size against minimum lift").wait_for()
            verdict = page.locator('[data-testid="stAlert"]').filter(
                has_text=re.compile(r"test \d+ subject lines")
            )
            found = re.search(r"test (\d+) ", verdict.first.inner_text())
            arms = int(found.group(1)) if found else 2
            requests = page.locator('[data-testid="stExpander"]')
            requests.filter(has_text="Details: the API requests").first.locator("summary").click()
            shots.append(snap(page, out / "export.png"))

            say("judging a results CSV")
            goto(page, "Results")
            csv_path = tmp / "results.csv"
            csv_path.write_text(results_csv(arms), encoding="utf-8")
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(
                str(csv_path)
            )
            wait_idle(page)
            click(page, "Judge the test")
            shots.append(snap(page, out / "results.png"))

            say("previewing retrieval")
            goto(page, "Knowledge base")
            click(page, "Retrieve")
            page.get_by_text("Top performers").first.wait_for()
            shots.append(snap(page, out / "knowledge.png"))
    say(f"wrote {len(shots)} screenshots to {out}")
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--n", type=int, default=5, help="drafts per round")
    parser.add_argument("--keep", type=int, default=3, help="variants to keep")
    args = parser.parse_args()
    run(args.out, args.n, args.keep)


if __name__ == "__main__":
    main()
