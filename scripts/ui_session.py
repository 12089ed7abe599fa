"""Drive the Streamlit UI in headless Chromium: start and stop `streamlit run`, fill the brief,
generate, refine, move between pages. Shared by the browser test and `make screenshots`.

The browser is the system's Chromium (Debian package `chromium`), driven by Playwright's Python
package; `playwright install` is never needed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: the model's first call and a round of drafts can take minutes on a shared 2-core machine
LONG_MS = 20 * 60 * 1000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free 127.0.0.1 port; yields its URL, stops it after."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "ui" / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited early: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Playwright page in the system Chromium, with downloads enabled."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def wait_idle(page: Any, timeout_ms: int = LONG_MS) -> None:
    """Wait until the script run finished: Streamlit shows its status widget (with a Stop
    button) about half a second into a run and removes it at the end."""
    widget = page.locator('[data-testid="stStatusWidget"]')
    try:
        widget.wait_for(state="attached", timeout=3000)
    except PlaywrightTimeout:
        pass  # a short run can end before the widget shows
    widget.wait_for(state="detached", timeout=timeout_ms)
    page.wait_for_timeout(300)


def open_app(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Campaign brief").wait_for(timeout=120_000)
    wait_idle(page)


def goto(page: Any, title: str) -> None:
    """Open a page from the sidebar navigation by its title."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    wait_idle(page)


def fill(page: Any, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def set_slider(page: Any, label: str, value: int) -> None:
    """Move a Streamlit slider with the keyboard until it shows `value`."""
    slider = page.get_by_role("slider", name=label)  # an <input type="range">
    slider.focus()
    for _ in range(60):
        now = int(float(slider.input_value()))
        if now == value:
            return
        slider.press("ArrowRight" if now < value else "ArrowLeft")
        page.wait_for_timeout(50)
    raise AssertionError(f"slider {label!r} did not reach {value}")


def fill_brief(page: Any, brief: dict[str, str], n: int, keep: int) -> None:
    """Fill the brief form (text fields by label, choices by selectbox) and the draft counts."""
    for label in ("Brand", "Goal", "Platform", "Lifecycle", "Engagement"):
        if label in brief:
            choose(page, label, brief[label])
    for label, value in brief.items():
        if label not in ("Brand", "Goal", "Platform", "Lifecycle", "Engagement"):
            fill(page, label, value)
    set_slider(page, "Drafts per round", n)
    set_slider(page, "Variants to keep", keep)


def generate(page: Any) -> None:
    page.get_by_role("button", name="Generate variants").click()
    wait_idle(page)


SCORED = re.compile(r"Score (\d+)")


def scored_variants(page: Any) -> list[int]:
    """Scores of the variants listed on the Brief page."""
    texts = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    return [int(m.group(1)) for t in texts if (m := SCORED.search(t))]


def refine(page: Any, request: str) -> str:
    """Send a chat request; returns the assistant's reply."""
    before = page.locator('[data-testid="stChatMessage"]').count()
    box = page.get_by_placeholder(re.compile("^Refine"))
    box.fill(request)
    box.press("Enter")
    page.locator('[data-testid="stChatMessage"]').nth(before + 1).wait_for(timeout=LONG_MS)
    wait_idle(page)
    reply = page.locator('[data-testid="stChatMessage"]').nth(before + 1)
    return str(reply.locator('[data-testid="stMarkdownContainer"]').first.inner_text())


def snap(page: Any, path: Path, width: int = 1400) -> Path:
    """A PNG of the whole page: Streamlit scrolls inside its main container, not the document,
    so the viewport is grown to the content's height first."""
    page.wait_for_timeout(800)  # expanders and charts finish opening before they are measured
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('[data-testid="stAppViewContainer"]');
            const side = document.querySelector('[data-testid="stSidebarContent"]');
            return Math.max(main ? main.scrollHeight : 0, side ? side.scrollHeight : 0, 900);
        }"""
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(600)  # charts and iframes re-lay out at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})
    return path
