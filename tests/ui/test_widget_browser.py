"""The widget as a visitor uses it: real uvicorn server, real engine, Debian's Chromium.

Playwright CSS locators pierce the widget's open shadow root, so `W + " .pb-bot"` finds the
assistant's messages inside <privacybot-widget>."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.conftest import checked_page

pytestmark = pytest.mark.browser

W = "privacybot-widget"
DONE = f"{W} .pb-bot:not([aria-busy])"
FR_LABEL = "Votre question sur les données personnelles"
EN_LABEL = "Your question about personal data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(browser, live_server):
    with checked_page(browser) as pg:
        yield pg


def open_demo(page, live_server):
    page.goto(f"{live_server.url}/demo")
    launcher = page.locator(f"{W} .pb-launcher")
    expect(launcher).to_be_visible()
    return launcher


def ask(page, label: str, text: str, *, timeout: float = 60_000) -> object:
    """Type and send with the keyboard; wait until the answer is complete. Returns the message."""
    before = page.locator(DONE).count()
    box = page.get_by_label(label)
    box.fill(text)
    with page.expect_response(re.compile(r"/api/chat/stream$")) as info:
        box.press("Enter")
    assert info.value.headers["content-type"].startswith("text/event-stream")
    expect(page.locator(DONE)).to_have_count(before + 1, timeout=timeout)
    return page.locator(DONE).nth(before)


def count_text_updates(page) -> None:
    page.evaluate("""() => {
      const log = document.querySelector('privacybot-widget').shadowRoot.querySelector('.pb-log');
      window.__updates = 0;
      new MutationObserver(ms => { for (const m of ms) {
        const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
        if (el && el.closest('.pb-bot .pb-text')) window.__updates++; } })
        .observe(log, {subtree: true, childList: true, characterData: true});
    }""")


@pytest.mark.parametrize(
    "lang, phrase, notice",
    [("fr", "Je suis un assistant IA", "Merci de ne pas partager d'informations sensibles"),
     ("en", "I am an AI assistant", "Please do not share sensitive information")],
)
def test_disclosure_and_sensitive_data_notice_come_before_the_first_message(browser, live_server, pages_server,
                                                                           lang, phrase, notice):
    with checked_page(browser, locale=f"{lang}-FR") as page:  # the visitor's browser language
        if lang == "fr":
            launcher = open_demo(page, live_server)
        else:  # an English school page on another, listed origin: cross-origin embedding (CORS)
            page.goto(f"{pages_server.allowed}/en/school")
            launcher = page.locator(f"{W} .pb-launcher")
        disclosure_first(page, launcher, phrase, notice)


def disclosure_first(page, launcher, phrase, notice):
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator(f"{W} .pb-disclosure")).to_contain_text(phrase)
    expect(page.locator(f"{W} .pb-sensitive")).to_contain_text(notice)
    expect(page.locator(f"{W} .pb-msg")).to_have_count(0)
    assert page.locator(f"{W} .pb-log[aria-live]").count() == 0  # one announcement per answer instead
    expect(dialog).to_have_attribute("aria-describedby", "pb-disclosure pb-sensitive")


def test_french_and_english_questions_stream_in_with_expandable_citations(page, live_server, privacybot_home):
    open_demo(page, live_server).click()
    count_text_updates(page)
    fr = ask(page, FR_LABEL, "Combien de temps gardez-vous les images de vidéosurveillance ?")
    assert page.evaluate("window.__updates") > 3  # the text arrived in several chunks
    expect(fr.locator(".pb-text")).to_contain_text("30 jours")
    source = fr.locator(".pb-source").first
    expect(source).to_contain_text("Source : Vidéosurveillance · Conservation")
    assert "cctv/" not in fr.inner_text() and "§" not in fr.inner_text()
    href = source.locator("a").get_attribute("href")
    assert re.search(r"/policy/omnes\?(hl=\d+-\d+&)?lang=fr#cctv-VII-storage$", href), href

    en = ask(page, FR_LABEL, "Who is the Data Protection Officer?")
    expect(en.locator(".pb-text")).to_contain_text("Data Protection Officer")
    expect(en.locator(".pb-text a").first).to_have_attribute("href", re.compile(r"^mailto:[^@\s]+@[^@\s]+$"))
    expect(en.locator(".pb-source").first).to_contain_text("Source")

    shots = privacybot_home / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "widget.png"))
    assert (shots / "widget.png").stat().st_size > 10_000
    docs = ROOT / "docs" / "widget.png"
    if not docs.exists():  # once, for the README
        docs.parent.mkdir(exist_ok=True)
        shutil.copy(shots / "widget.png", docs)


def test_audience_clarification_offers_quick_replies(page, live_server):
    open_demo(page, live_server).click()
    clarify = ask(page, FR_LABEL, "Combien de temps conservez-vous mes données ?")
    chips = clarify.locator(".pb-chip")
    expect(chips.first).to_be_visible()
    assert "Étudiant / candidat" in chips.all_inner_texts()
    chips.filter(has_text="Étudiant / candidat").click()
    expect(page.locator(DONE)).to_have_count(2, timeout=60_000)
    answer = page.locator(DONE).nth(1)
    expect(answer).to_have_attribute("data-kind", "answer")
    expect(answer.locator("a.pb-policy-link").first).to_have_attribute("href", re.compile(r"#students-VII-storage$"))


def test_keyboard_only_open_ask_expand_and_escape_returns_focus(page, live_server):
    page.goto(f"{live_server.url}/demo")
    expect(page.locator(f"{W} .pb-launcher")).to_be_visible()
    active = "() => { const h = document.activeElement; return h && h.tagName === 'PRIVACYBOT-WIDGET' ? " \
             "(h.shadowRoot.activeElement && h.shadowRoot.activeElement.className) : (h && h.tagName) }"
    for _ in range(30):  # Tab through the school page until the launcher has focus
        page.keyboard.press("Tab")
        if page.evaluate(active) == "pb-launcher":
            break
    assert page.evaluate(active) == "pb-launcher"
    outline = page.evaluate("() => getComputedStyle(document.querySelector('privacybot-widget')"
                            ".shadowRoot.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "pb-input"
    before = page.locator(DONE).count()
    page.keyboard.type("data derived from videosurveillance and videoprotection systems is stored for a period")
    page.keyboard.press("Enter")
    expect(page.locator(DONE)).to_have_count(before + 1, timeout=60_000)
    assert page.evaluate(active) == "pb-input"  # focus stays in the input after the answer
    for _ in range(40):  # Shift+Tab back to the citation's policy link
        page.keyboard.press("Shift+Tab")
        if page.evaluate(active) == "pb-policy-link":
            break
    assert page.evaluate(active) == "pb-policy-link"
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator(f"{W} .pb-launcher")).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(active) == "pb-launcher"


@pytest.mark.parametrize(
    "label, message, raw, placeholder, notice",
    [
        (FR_LABEL, "J'ai du diabète, mon e-mail est jean.dupont@gmail.com : pouvez-vous supprimer mes données ?",
         "jean.dupont@gmail.com", "[EMAIL_ADDRESS]", "retiré"),
        (FR_LABEL, "I am pregnant and my phone is 06 12 34 56 78, can I access my data?",
         "06 12 34 56 78", "[PHONE_NUMBER]", "removed"),
    ],
)
def test_guard_notice_shows_what_was_removed(page, live_server, label, message, raw, placeholder, notice):
    open_demo(page, live_server).click()
    ask(page, label, message)
    user = page.locator(f"{W} .pb-user").last
    expect(user.locator(".pb-text")).to_contain_text(placeholder)
    expect(user.locator(".pb-text")).not_to_contain_text(raw)
    expect(user.locator(".pb-notice")).to_contain_text(notice)
    stored = page.evaluate("() => JSON.stringify(sessionStorage)")
    assert raw not in stored


def test_a_feedback_comment_is_stored_redacted_on_the_rated_answer(page, live_server):
    open_demo(page, live_server).click()
    answer = ask(page, FR_LABEL, "Qui est le délégué à la protection des données ?")
    session = json.loads(page.evaluate("() => sessionStorage.getItem('privacybot:demo:session')"))
    with page.expect_response(re.compile(r"/api/feedback$")) as info:
        answer.get_by_role("button", name="Cette réponse ne m'a pas aidé").click()
    assert info.value.status == 200
    expect(answer.get_by_role("button", name="Cette réponse ne m'a pas aidé")).to_have_attribute("aria-pressed", "true")
    answer.locator("textarea.pb-comment").fill("Pas clair. Écrivez-moi à paul.martin@example.org")
    answer.get_by_role("button", name="Envoyer l'avis").click()
    expect(answer).to_contain_text("votre commentaire a été ajouté")
    export = httpx.get(f"{live_server.url}/api/sessions/{session['id']}",
                       headers={"X-Session-Token": session.get("token") or ""}).json()
    comments = [f["comment"] for f in export["feedback"] if f["comment"]]
    assert comments and "paul.martin" not in json.dumps(export) and "[EMAIL_ADDRESS]" in comments[0]


HOST_PROBES = {
    "body": ["fontFamily", "color", "backgroundColor", "lineHeight", "margin"],
    "h2": ["color", "borderBottomColor", "fontSize"],
    "#apply": ["backgroundColor", "textTransform", "borderRadius"],
    "p": ["marginBottom", "color"],
    "blockquote": ["fontStyle", "color"],
    "nav a": ["color", "textDecorationLine"],
}
PROBE_JS = """(probes) => Object.fromEntries(Object.entries(probes).map(([sel, props]) => {
  const cs = getComputedStyle(document.querySelector(sel));
  return [sel, Object.fromEntries(props.map(p => [p, cs[p]]))]; }))"""


def test_host_page_styles_are_untouched_and_cannot_reach_the_widget(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    bare = context.new_page()
    bare.route(re.compile(r"/widget\.js$"), lambda route: route.abort())  # the page without the widget
    bare.goto(f"{live_server.url}/demo")
    without = bare.evaluate(PROBE_JS, HOST_PROBES)
    page = context.new_page()
    open_demo(page, live_server).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate(PROBE_JS, HOST_PROBES) == without
    assert page.evaluate("() => document.styleSheets.length") == bare.evaluate("() => document.styleSheets.length")
    # The page styles every <button> gold, uppercase, with !important: the widget's are unaffected.
    send = page.locator(f"{W} .pb-send")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(31, 58, 95)"  # demo primary
    assert send.evaluate("b => getComputedStyle(b).textTransform") == "none"
    assert page.locator(f"{W} .pb-input").evaluate("i => getComputedStyle(i).borderStyle") == "solid"
    context.close()


def test_no_serious_or_critical_accessibility_violations(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    open_demo(page, live_server).click()
    ask(page, FR_LABEL, "Combien de temps gardez-vous les images de vidéosurveillance ?")
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []


@pytest.mark.parametrize("width, height", [(390, 844), (360, 640)])
def test_mobile_panel_is_full_screen_with_16px_inputs(browser, live_server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/demo")
    page.locator(f"{W} .pb-launcher").click()
    box = page.get_by_role("dialog").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, width, height)
    size = page.locator(f"{W} .pb-input").evaluate("i => parseFloat(getComputedStyle(i).fontSize)")
    assert size >= 16
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    context.close()


def _refusals(live_server) -> float:
    text = httpx.get(f"{live_server.url}/metrics").text
    m = re.search(r'^privacybot_errors_total\{code="origin_not_allowed"\} ([0-9.]+)$', text, re.M)
    return float(m.group(1)) if m else 0.0


def test_a_site_not_in_the_allowlist_gets_no_widget(page, live_server, pages_server):
    before = _refusals(live_server)
    with page.expect_console_message(lambda m: "privacybot: widget disabled" in m.text):
        page.goto(f"{pages_server.refused}/copy")
    assert _refusals(live_server) == before + 1  # the server said 403 (without CORS headers)
    assert page.locator(f"{W} .pb-launcher").count() == 0
    assert page.evaluate("() => document.querySelector('privacybot-widget').shadowRoot.childElementCount") == 0
