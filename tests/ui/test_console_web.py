"""The staff console in Chromium (model-free stack): a foreign page visited by logged-in staff
reads nothing and cannot frame it; on its own origin it works under its CSP, in French or
English, and the DPO's needs-attention queue shows the redacted transcript and replays a
question with its trace, without storing the replay."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def staff_context(browser, server, locale="en-US"):
    """A browser context where a staff member is logged in to the console (cookie set)."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/console/")
    page.locator("input[type=text]").first.fill("staff")
    page.locator("input[type=password]").fill(STAFF_PASSWORD)
    page.locator("input[type=password]").press("Enter")
    expect(page.get_by_role("tab").first).to_be_visible(timeout=20_000)
    return context, page


def test_a_foreign_page_gets_nothing_from_the_console_with_the_staff_cookie(browser, fake_server, pages_server):
    context, _ = staff_context(browser, fake_server)
    cookies = {c["name"]: c for c in context.cookies() if c["name"].startswith("access-token")}
    assert cookies and all(c["sameSite"] == "Strict" for c in cookies.values())
    page = context.new_page()
    page.goto(f"{pages_server.refused}/attack")
    page.wait_for_function("window.done === true", timeout=10_000)
    results = page.evaluate("window.results")
    assert results == {"config": "blocked", "call": "blocked"}, results
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.locator("gradio-app, .gradio-container").count() == 0  # framing refused by the browser
    context.close()


def test_the_console_works_on_its_own_origin_under_its_csp(browser, fake_server):
    context, page = staff_context(browser, fake_server)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.reload()
    expect(page.get_by_role("tab", name="Needs attention")).to_be_visible(timeout=20_000)
    page.get_by_role("tab", name="Guard").click()
    page.get_by_label("Text to inspect").fill("Write to jeanne.martin@example.org")
    page.get_by_role("button", name="Inspect").click()
    expect(page.locator("#guard-redacted textarea")).to_have_value("Write to <EMAIL_ADDRESS>", timeout=10_000)
    assert violations == []
    context.close()


def test_the_console_speaks_french_to_a_french_browser(browser, fake_server):
    context, page = staff_context(browser, fake_server, locale="fr-FR")
    expect(page.get_by_role("tab", name="À traiter")).to_be_visible()
    expect(page.get_by_role("tab", name="Chat et trace")).to_be_visible()
    context.close()


def test_needs_attention_shows_the_redacted_transcript_and_replays_with_the_trace(browser, fake_server):
    engine, store = fake_server.engine, fake_server.store
    engine.ask("My email is claire.durand@example.org, how long do you keep student records?", site="demo",
               lang="en")
    refused = engine.ask("What is the canteen menu on Friday?", site="demo", lang="en")
    asked_before = len(engine.asked)
    sessions_before = len(store.list_sessions(limit=1000))
    context, page = staff_context(browser, fake_server)
    table = page.locator("#attention-table")
    expect(table).to_contain_text("personal data removed", timeout=20_000)
    expect(table).to_contain_text("refused / not found")
    assert "claire.durand" not in table.inner_text()
    table.get_by_text("What is the canteen menu on Friday?").click()
    transcript = page.locator("#attention-transcript")
    expect(transcript).to_contain_text("This is not covered by the privacy policy")
    expect(transcript).to_contain_text("The exchange in the queue")
    page.get_by_role("button", name="Replay with trace").click()
    chat = page.locator("#console-chat")
    expect(chat).to_contain_text("1 · Guard", timeout=20_000)
    expect(chat).to_contain_text("What is the canteen menu on Friday?")
    assert engine.asked[asked_before]["record"] is False  # the replay is not stored
    assert len(store.list_sessions(limit=1000)) == sessions_before
    assert refused.kind == "refusal"
    context.close()
