"""Access and mobile (Chromium, real server, model-free fake engine): reflow at 200 % and 400 %
zoom (WCAG 1.4.10), a phone launcher that never covers the page's last link, a modal panel with
a focus trap, axe-core with no serious or critical finding, and the widget working on a listed
school origin under a strict Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

W = "privacybot-widget"
DONE = f"{W} .pb-bot:not([aria-busy])"
DESKTOP = (1280, 860)


def zoomed(browser, zoom: int, locale: str = "fr-FR"):
    """Browser zoom as the page sees it: a CSS viewport 1/zoom of the window, zoom× pixels."""
    width, height = DESKTOP
    return browser.new_context(viewport={"width": width * 100 // zoom, "height": height * 100 // zoom},
                               device_scale_factor=zoom / 100, locale=locale)


def open_and_ask(page, url: str) -> None:
    page.goto(url)
    page.locator(f"{W} .pb-launcher").click()
    box = page.get_by_label("Votre question sur les données personnelles")
    box.fill("Combien de temps gardez-vous les student records ?")
    box.press("Enter")
    expect(page.locator(DONE)).to_have_count(1, timeout=15_000)


def panel_geometry(page) -> dict:
    return page.evaluate(f"""() => {{
        const r = document.querySelector('{W}').shadowRoot;
        const panel = r.querySelector('.pb-panel'), log = r.querySelector('.pb-log');
        return {{panel: panel.getBoundingClientRect().height, log: log.getBoundingClientRect().height,
                 panelWidth: panel.getBoundingClientRect().width, viewport: innerWidth,
                 overflowX: panel.scrollWidth > panel.clientWidth + 1,
                 modal: r.querySelector('[role=dialog]').getAttribute('aria-modal')}};
    }}""")


@pytest.mark.parametrize("zoom", [200, 400])
def test_the_panel_reflows_at_high_zoom_and_keeps_the_conversation_readable(browser, fake_server, zoom):
    context = zoomed(browser, zoom)
    page = context.new_page()
    open_and_ask(page, f"{fake_server.url}/demo")
    g = panel_geometry(page)
    assert g["log"] >= 0.4 * g["panel"], g
    assert g["panelWidth"] <= g["viewport"] and not g["overflowX"], g
    assert g["modal"] == "true"  # full screen: a modal dialog
    expect(page.locator(DONE).first.locator(".pb-text")).to_be_in_viewport()
    context.close()


@pytest.mark.parametrize("width, height", [(390, 844), (360, 640)])
def test_on_a_phone_the_launcher_is_compact_and_leaves_the_footer_link_clickable(browser, fake_server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True,
                                  locale="fr-FR")
    page = context.new_page()
    page.goto(f"{fake_server.url}/demo")
    launcher = page.locator(f"{W} .pb-launcher")
    expect(launcher).to_be_visible()
    size = launcher.bounding_box()
    assert size["width"] <= 64 and size["height"] <= 64, size
    expect(launcher).to_have_accessible_name("Une question sur vos données ? Demandez à l'assistant")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    link = page.get_by_role("link", name="Mentions légales et politique de confidentialité")
    box = link.bounding_box()
    hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert "Mentions légales" in hit
    link.click(timeout=3000)  # nothing on top of it
    expect(page).to_have_url(f"{fake_server.url}/demo#mentions")
    context.close()


def test_the_full_screen_panel_traps_focus_and_escape_returns_to_the_launcher(browser, fake_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{fake_server.url}/demo")
    page.locator(f"{W} .pb-launcher").click()
    expect(page.get_by_label("Votre question sur les données personnelles")).to_be_focused()
    inside = []
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        inside.append(page.evaluate(f"""() => document.activeElement.tagName === '{W.upper()}'
            && document.querySelector('{W}').shadowRoot.querySelector('.pb-panel')
                 .contains(document.querySelector('{W}').shadowRoot.activeElement)"""))
    assert all(inside), inside
    page.keyboard.press("Escape")
    expect(page.locator(f"{W} .pb-panel")).to_be_hidden()
    expect(page.locator(f"{W} .pb-launcher")).to_be_focused()
    context.close()


@pytest.mark.parametrize("zoom", [100, 200])
def test_axe_finds_nothing_serious_on_the_demo_page_with_the_widget_open(browser, fake_server, zoom):
    from axe_playwright_python.sync_playwright import Axe

    context = zoomed(browser, zoom)
    page = context.new_page()
    open_and_ask(page, f"{fake_server.url}/demo")
    results = Axe().run(page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()


def test_the_widget_works_on_a_listed_school_origin_under_a_strict_csp(browser, fake_server, pages_server):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(f"{pages_server.allowed}/csp/en/school")
    assert "script-src 'self' " + fake_server.url in response.headers["content-security-policy"]
    page.evaluate("""() => { window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective)); }""")
    page.locator(f"{W} .pb-launcher").click()
    box = page.get_by_label("Your question about personal data")
    box.fill("How long do you keep student records?")
    box.press("Enter")
    expect(page.locator(DONE)).to_have_count(1, timeout=15_000)
    expect(page.locator(DONE).first).to_contain_text("Student records are kept for five (5) years")
    colour = page.evaluate(f"""() => getComputedStyle(document.querySelector('{W}').shadowRoot
        .querySelector('.pb-launcher')).backgroundColor""")
    assert colour == "rgb(31, 58, 95)"  # the site's colours applied without inline styles
    assert page.evaluate("window.__csp") == [] and violations == []
    context.close()
