"""The widget as visitors use it (Chromium, real server, model-free fake engine): readable
answers, honest failures, feedback, deletion, language, copy and download.

Playwright CSS locators pierce the widget's open shadow root."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import checked_page

pytestmark = pytest.mark.browser

W = "privacybot-widget"
DONE = f"{W} .pb-bot:not([aria-busy])"
LABEL = {"fr": "Votre question sur les données personnelles", "en": "Your question about personal data"}
QUESTION = {"fr": "Combien de temps gardez-vous les student records ?", "en": "How long do you keep student records?"}


@pytest.fixture
def page(browser, fake_server):
    with checked_page(browser) as pg:
        yield pg


def open_widget(page, url: str):
    page.goto(url)
    launcher = page.locator(f"{W} .pb-launcher")
    expect(launcher).to_be_visible()
    launcher.click()
    return launcher


def ask(page, text: str, lang: str = "fr"):
    before = page.locator(DONE).count()
    page.get_by_label(LABEL[lang]).fill(text)
    page.get_by_label(LABEL[lang]).press("Enter")
    expect(page.locator(DONE)).to_have_count(before + 1, timeout=15_000)
    return page.locator(DONE).nth(before)


def in_widget(page, script: str):
    return page.evaluate(f"() => {{ const r = document.querySelector('{W}').shadowRoot; {script} }}")


def test_a_long_reply_opens_at_its_first_line_and_each_quote_appears_once(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    answer = ask(page, QUESTION["fr"])
    top = in_widget(page, """const log = r.querySelector('.pb-log').getBoundingClientRect();
        const msg = r.querySelectorAll('.pb-bot')[0].getBoundingClientRect();
        return {logTop: log.top, logBottom: log.bottom, msgTop: msg.top, msgBottom: msg.bottom};""")
    assert top["msgBottom"] > top["logBottom"], "the test answer must be longer than the message area"
    assert top["logTop"] - 1 <= top["msgTop"] < top["logBottom"] - 40, "the reply must be shown from its first line"
    quote = "Student records are kept for five (5) years after graduation"
    assert answer.inner_text().count(quote) == 1
    assert answer.locator(".pb-source").inner_text().startswith("Source : How long we keep student data")
    assert "§" not in answer.inner_text() and "general/" not in answer.inner_text()


def test_the_citation_opens_the_policy_at_the_highlighted_passage(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    answer = ask(page, QUESTION["fr"])
    link = answer.locator("a.pb-policy-link")
    href = link.get_attribute("href")
    assert re.search(r"/policy/demo_school\?hl=\d+-\d+&lang=fr#general-how-long-we-keep-student-data$", href)
    with page.context.expect_page() as info:
        link.click()
    policy = info.value
    policy.wait_for_load_state()
    mark = policy.locator("mark#hl")
    expect(mark).to_have_text("Student records are kept for five (5) years after graduation, then archived for "
                              "thirty (30) years for diploma certificates")
    expect(mark).to_be_in_viewport()
    assert policy.evaluate("location.hash") == "#general-how-long-we-keep-student-data"
    policy.close()


@pytest.mark.parametrize("text, clean", [
    ("Voir https://www.cnil.fr/fr/plaintes”.", "https://www.cnil.fr/fr/plaintes"),
    ("See https://www.cnil.fr/en/complaints).", "https://www.cnil.fr/en/complaints"),
])
def test_links_in_answers_leave_out_the_closing_punctuation(page, fake_server, text, clean):
    page.goto(f"{fake_server.url}/demo")
    page.route("**/api/chat/stream", lambda route: route.fulfill(
        status=200, content_type="text/event-stream",
        body=f'event: meta\ndata: {{"session_id": "sessionabcdef12", "kind": "answer", "lang": "fr", "guard": {{}}}}\n\n'
             f"event: token\ndata: {json.dumps({'text': text})}\n\nevent: done\ndata: {{}}\n\n"))
    page.locator(f"{W} .pb-launcher").click()
    answer = ask(page, "Où porter plainte ?")
    assert answer.locator("a").first.get_attribute("href") == clean


def test_a_failed_send_keeps_the_text_and_retry_sends_it(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    page.route("**/api/chat/stream", lambda route: route.abort("internetdisconnected"))
    box = page.get_by_label(LABEL["fr"])
    box.fill(QUESTION["fr"])
    box.press("Enter")
    alert = page.locator(f"{W} .pb-alert[role=alert]")
    expect(alert).to_contain_text("L'assistant est injoignable")
    expect(box).to_have_value(QUESTION["fr"])
    assert page.locator(f"{W} .pb-user").count() == 0
    page.unroute("**/api/chat/stream")
    alert.get_by_role("button", name="Réessayer").click()
    expect(page.locator(DONE)).to_have_count(1, timeout=15_000)
    expect(box).to_have_value("")
    expect(alert).to_have_count(0)


@pytest.mark.parametrize("status, headers, expected", [
    (429, {"Retry-After": "7"}, "Merci de patienter 7 s"),
    (503, {}, "erreur 503"),
    (500, {}, "erreur 500"),
])
def test_server_refusals_get_a_clear_message_and_a_retry(page, fake_server, status, headers, expected):
    open_widget(page, f"{fake_server.url}/demo")
    page.route("**/api/chat/stream", lambda route: route.fulfill(
        status=status, headers=headers, content_type="application/json",
        body=json.dumps({"error": {"code": "rate_limited" if status == 429 else "internal_error", "message": "x"}})))
    box = page.get_by_label(LABEL["fr"])
    box.fill("Qui est le DPO ?")
    box.press("Enter")
    alert = page.locator(f"{W} .pb-alert[role=alert]")
    expect(alert).to_contain_text(expected)
    expect(alert.get_by_role("button", name="Réessayer")).to_be_visible()
    expect(box).to_have_value("Qui est le DPO ?")


@pytest.mark.parametrize("failure", ["unreachable", "server error"])
def test_when_the_config_call_fails_the_widget_says_so_instead_of_vanishing(page, fake_server, failure):
    if failure == "unreachable":  # the assistant's server is down: config and health both fail
        page.route(re.compile(r"/(api/config|healthz)"), lambda route: route.abort("connectionrefused"))
    else:
        page.route("**/api/config**", lambda route: route.fulfill(status=502, body="Bad gateway"))
    page.goto(f"{fake_server.url}/demo")
    launcher = page.locator(f"{W} .pb-launcher")
    expect(launcher).to_be_visible()
    launcher.click()
    expect(page.locator(f"{W} [role=alert]")).to_contain_text("injoignable")
    page.unroute_all()
    page.locator(f"{W} .pb-retry").click()
    expect(page.get_by_label(LABEL["fr"])).to_be_attached()


def test_feedback_is_confirmed_only_by_the_server_and_is_one_vote_with_its_comment(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    answer = ask(page, QUESTION["fr"])
    up, down = answer.locator(".pb-thumb").nth(0), answer.locator(".pb-thumb").nth(1)
    page.route("**/api/feedback", lambda route: route.abort("connectionrefused"))
    up.click()
    expect(answer.locator(".pb-thanks")).to_have_text("Votre avis n'a pas pu être envoyé. Merci de réessayer.")
    expect(up).to_have_attribute("aria-pressed", "false")
    page.unroute("**/api/feedback")
    down.click()
    expect(answer.locator(".pb-thanks")).to_have_text("Merci pour votre retour.")
    expect(down).to_have_attribute("aria-pressed", "true")
    answer.get_by_label("Que manquait-il").fill("La durée pour les anciens élèves")
    answer.get_by_role("button", name="Envoyer l'avis").click()
    expect(answer.locator(".pb-comment-form")).to_have_count(0)
    expect(answer).to_contain_text("votre commentaire a été ajouté")
    session = json.loads(page.evaluate("sessionStorage.getItem('privacybot:demo:session')"))
    votes = fake_server.store.export_session(session["id"])["feedback"]
    assert [(v["rating"], v["comment"]) for v in votes] == [("down", "La durée pour les anciens élèves")]


def test_delete_asks_first_and_cancel_keeps_the_conversation(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    ask(page, QUESTION["fr"])
    session = json.loads(page.evaluate("sessionStorage.getItem('privacybot:demo:session')"))
    trash = page.get_by_role("button", name="Supprimer cette conversation")
    trash.click()
    dialog = page.locator(f"{W} [role=alertdialog]")
    expect(dialog).to_contain_text("C'est définitif")
    dialog.get_by_role("button", name="Annuler").click()
    expect(page.locator(DONE)).to_have_count(1)
    assert fake_server.store.session_exists(session["id"])
    trash.click()
    dialog.get_by_role("button", name="Oui, supprimer").click()
    expect(page.locator(f"{W} .pb-status")).to_contain_text("Conversation supprimée")
    expect(page.locator(DONE)).to_have_count(0)
    assert not fake_server.store.session_exists(session["id"])


def test_one_announcement_per_finished_answer_and_the_disclosure_describes_the_dialog(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    described = in_widget(page, """const d = r.querySelector('[role=dialog]');
        return d.getAttribute('aria-describedby').split(' ').map(id => r.getElementById(id).textContent).join(' ');""")
    assert "Je suis un assistant IA" in described and "Merci de ne pas partager" in described
    assert in_widget(page, "return r.querySelectorAll('.pb-log[aria-live], .pb-log[role=log]').length") == 0
    in_widget(page, """window.__spoken = [];
        r.querySelectorAll('[aria-live]').forEach(n => new MutationObserver(() => {
          if (n.textContent.trim()) window.__spoken.push(n.textContent); }).observe(n, {childList: true, subtree: true,
          characterData: true}));""")
    ask(page, QUESTION["fr"])
    page.wait_for_timeout(300)
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0].startswith("Assistant: Selon la politique")


@pytest.mark.parametrize("locale, page_lang, placeholder", [
    ("en-GB", "fr", "E.g. How long do you keep my data?"),  # an English visitor on a French page
    ("fr-FR", "en", "Ex. : Combien de temps gardez-vous mes données ?"),
])
def test_the_interface_follows_the_visitor_not_the_page(browser, fake_server, pages_server, locale, page_lang, placeholder):
    context = browser.new_context(locale=locale)
    pg = context.new_page()
    pg.goto(f"{pages_server.allowed}/{page_lang}/school")
    pg.locator(f"{W} .pb-launcher").click()
    expect(pg.locator(f"{W} textarea.pb-input")).to_have_attribute("placeholder", placeholder)
    context.close()


def test_the_language_switch_sets_interface_and_answer_language_and_is_remembered(page, fake_server):
    open_widget(page, f"{fake_server.url}/demo")
    page.get_by_role("button", name=re.compile("English")).click()
    box = page.get_by_label(LABEL["en"])
    expect(box).to_have_attribute("placeholder", "E.g. How long do you keep my data?")
    with page.expect_request("**/api/chat/stream") as req:
        ask(page, QUESTION["fr"], lang="en")
    assert req.value.post_data_json["lang"] == "en"
    page.reload()
    page.locator(f"{W} .pb-launcher").click()
    expect(page.get_by_label(LABEL["en"])).to_be_visible()
    page.evaluate("localStorage.clear()")


def test_starter_question_copy_and_transcript_download(browser, fake_server):
    context = browser.new_context(locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    open_widget(pg, f"{fake_server.url}/demo")
    pg.get_by_role("button", name="How can I have my data deleted?").click()
    expect(pg.locator(DONE)).to_have_count(1, timeout=15_000)
    answer = pg.locator(DONE).first
    answer.get_by_role("button", name="Copy the answer").click()
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("According to the policy:") and "/policy/demo_school?hl=" in copied
    with pg.expect_download() as info:
        pg.get_by_role("button", name="Download the conversation").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "How can I have my data deleted?" in text and "According to the policy" in text
    context.close()
