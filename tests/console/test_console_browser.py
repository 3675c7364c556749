"""Real browser: log in, ask a question, open the Sources step, screenshot."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.console.conftest import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "console.png"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _login(page, url, password):
    page.goto(url)
    page.locator("input[type=text]").first.fill("staff")
    page.locator("input[type=password]").fill(password)
    page.locator("input[type=password]").press("Enter")


def test_wrong_password_keeps_the_login_form(browser, console_url):
    page = browser.new_page()
    _login(page, console_url, "not-the-password")
    page.get_by_text(re.compile("incorrect credentials", re.I)).wait_for(timeout=15_000)
    assert page.locator("#console-message").count() == 0
    page.close()


def test_staff_asks_opens_sources_and_gets_a_screenshot(browser, console_url, privacybot_home):
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    _login(page, console_url, STAFF_PASSWORD)
    page.get_by_role("tab", name="Chat and trace").click(timeout=30_000)
    box = page.locator("#console-message textarea")
    box.wait_for(timeout=30_000)
    box.fill("How long do you keep the data of job applicants? My email is jeanne.martin@example.org")
    page.locator("#console-send").click()
    chat = page.locator("#console-chat")
    sources = chat.get_by_text("Sources", exact=False).first
    sources.wait_for(timeout=60_000)
    assert "jeanne.martin@example.org" not in chat.inner_text()
    assert "EMAIL_ADDRESS" in chat.inner_text()
    sources.click()
    table_head = chat.get_by_text("BM25").first
    table_head.wait_for(timeout=10_000)
    assert table_head.is_visible()  # the step opened: its table of scores is shown
    sources.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shot = Path(os.environ["PRIVACYBOT_HOME"]) / "reports" / "screenshots" / "console.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("PRIVACYBOT_UPDATE_DOCS_SCREENSHOT") or not DOCS_SHOT.exists():
        DOCS_SHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SHOT)
    page.close()
