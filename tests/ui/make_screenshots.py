"""Regenerate the documentation screenshots with the real engine (not a test):

    PRIVACYBOT_HOME=var .venv/bin/python -m tests.ui.make_screenshots [docs]

Needs an ingested index in PRIVACYBOT_HOME (`privacybot ingest`) and Debian's Chromium. Writes
docs/widget.png, widget-phone.png, widget-zoom200.png, policy.png and console.png (the console's
needs-attention queue after a few real questions, one refused, one with an e-mail address)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.ui.conftest import CHROMIUM_ARGS, STAFF_PASSWORD, LiveServer, free_port

W = "privacybot-widget"
DONE = f"{W} .pb-bot:not([aria-busy])"


def ask(page, label: str, text: str) -> None:
    before = page.locator(DONE).count()
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Enter")
    expect(page.locator(DONE)).to_have_count(before + 1, timeout=120_000)


def main(out: Path) -> None:
    from bot.engine import Engine
    from bot.settings import load_settings
    from bot.store import open_store
    from ui.server import create_app

    scratch = Path(tempfile.mkdtemp(prefix="privacybot-shots-"))
    settings = load_settings(console_password=STAFF_PASSWORD, database_url=f"sqlite:///{scratch / 'c.sqlite3'}")
    store = open_store(settings)
    engine = Engine(settings, store=store)
    engine.warm_up()
    server = LiveServer(create_app(settings, engine=engine, store=store, console=True, background_writes=False),
                        free_port()).start()
    fr = "Votre question sur les données personnelles"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="fr-FR")
            page.goto(f"{server.url}/demo")
            page.locator(f"{W} .pb-launcher").click()
            ask(page, fr, "Combien de temps gardez-vous les images de vidéosurveillance ?")
            page.screenshot(path=str(out / "widget.png"))
            with page.context.expect_page() as info:
                page.locator(f"{DONE} a.pb-policy-link").first.click()
            policy = info.value
            policy.set_viewport_size({"width": 1000, "height": 700})
            policy.wait_for_load_state()
            policy.screenshot(path=str(out / "policy.png"))
            ask(page, fr, "Je m'appelle Claire, mon e-mail est claire.durand@example.org : qui est le DPO ?")
            ask(page, fr, "Quel est le menu de la cantine vendredi ?")

            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2,
                                     locale="fr-FR")
            phone.goto(f"{server.url}/demo")
            expect(phone.locator(f"{W} .pb-launcher")).to_be_visible()
            phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            phone.wait_for_timeout(300)
            phone.screenshot(path=str(out / "widget-phone.png"))

            zoom = browser.new_page(viewport={"width": 640, "height": 430}, device_scale_factor=2, locale="fr-FR")
            zoom.goto(f"{server.url}/demo")
            zoom.locator(f"{W} .pb-launcher").click()
            ask(zoom, fr, "Qui est le délégué à la protection des données ?")
            zoom.screenshot(path=str(out / "widget-zoom200.png"))

            staff = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
            staff.goto(f"{server.url}/console/")
            staff.locator("input[type=text]").first.fill("dpo")
            staff.locator("input[type=password]").fill(STAFF_PASSWORD)
            staff.locator("input[type=password]").press("Enter")
            expect(staff.locator("#attention-table")).to_contain_text("retirées", timeout=60_000)
            staff.locator("#attention-table").get_by_text("cantine").click()
            expect(staff.locator("#attention-transcript")).to_contain_text("Visiteur", timeout=20_000)
            staff.screenshot(path=str(out / "console.png"), full_page=True)
            browser.close()
    finally:
        server.stop()
        store.close()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    target.mkdir(exist_ok=True)
    main(target)
    print(f"screenshots written to {target}/")
