"""One server, several schools: each site names its own policy (`kb`) and policy page
(`policy_url`), validated at load; answers, citations and the /policy/<kb> page come from that
school's policy (model-free fake engines, one per knowledge base)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.errors import ConfigError
from tests.ui.conftest import fake_sites
from tests.ui.fakes import OTHER_SCHOOL, FakeEngine
from ui.policy_page import PolicyDoc, Section, parse_hl, policy_document, render_policy, section_anchor
from ui.sites import load_sites


@pytest.fixture
def two_schools(fake_stack, monkeypatch):
    """The app as `privacybot serve` builds it (no injected engine): bot.factory.get_engine gives
    the fake engine of each knowledge base."""
    import bot.factory
    from ui.server import create_app

    settings, store, _ = fake_stack
    engines = {"demo_school": FakeEngine(store=store), "other_school": FakeEngine("other_school", OTHER_SCHOOL, store=store)}
    monkeypatch.setattr(bot.factory, "get_engine", lambda s=None, kb=None: engines[kb or s.kb])
    app = create_app(settings, store=store, sites=fake_sites("https://www.school.test", other_kb="other_school"),
                     background_writes=False)
    with TestClient(app, base_url="http://bot.test") as client:
        yield client


@pytest.mark.parametrize("site, expected, section", [
    ("demo", "five (5) years after graduation", "general/how-long-we-keep-student-data"),
    ("other", "two (2) years after the end of the admission campaign", "general/how-long-we-keep-your-data"),
])
def test_two_schools_on_one_server_answer_from_their_own_policy(two_schools, site, expected, section):
    r = two_schools.post("/api/chat", json={"message": "How long do you keep application files and student records?",
                                            "site": site, "lang": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert expected in body["text"]
    assert [c["section_id"] for c in body["citations"]] == [section]


@pytest.mark.parametrize("site, kb, title", [("demo", "demo_school", "Demo Business School"),
                                             ("other", "other_school", "Example School of Design")])
def test_each_school_config_and_policy_page_point_to_its_own_policy(two_schools, site, kb, title):
    config = two_schools.get(f"/api/config?site={site}").json()
    assert config["kb"] == kb and config["policy_url"] is None
    page = two_schools.get(f"/policy/{kb}")
    assert page.status_code == 200 and title in page.text


def test_an_unknown_policy_is_a_404(two_schools):
    r = two_schools.get("/policy/nobody")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("entry, message", [
    ({"kb": "Bad Name"}, "'sites.demo.kb'"),
    ({"policy_url": "http://www.school.fr/privacy"}, "use https"),
    ({"policy_url": "javascript:alert(1)"}, "absolute URL"),
    ({"policy_url": "https://user:pw@www.school.fr/"}, "absolute URL"),
])
def test_site_policy_settings_are_validated_with_a_fix(tmp_path, entry, message):
    import yaml

    from ui.sites import DEFAULT_SITES_FILE

    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["sites"]["demo"].update(entry)
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_sites(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_trusted_proxies_must_be_addresses(tmp_path):
    import yaml

    from ui.sites import DEFAULT_SITES_FILE

    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["server"]["trusted_proxies"] = ["my-proxy.local"]
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="IP address or network"):
        load_sites(path)


def test_a_site_policy_url_replaces_the_server_page_in_the_widget_config(fake_stack):
    import yaml

    from ui.server import create_app
    from ui.sites import DEFAULT_SITES_FILE, SitesConfig

    settings, store, engine = fake_stack
    data = yaml.safe_load(DEFAULT_SITES_FILE.read_text(encoding="utf-8"))
    data["sites"]["demo"]["policy_url"] = "https://www.demo-school.test/confidentialite"
    app = create_app(settings, engine=engine, store=store, guard=engine.guard, sites=SitesConfig(**data),
                     background_writes=False)
    with TestClient(app) as c:
        assert c.get("/api/config?site=demo").json()["policy_url"] == "https://www.demo-school.test/confidentialite"


TEXT = "Intro\nFirst heading\nAlpha beta gamma.\nSecond <heading>\nDelta & epsilon.\n"
DOC = PolicyDoc("k", "Title <b>", TEXT, [
    Section("general/first", "First heading", TEXT.index("Alpha"), TEXT.index("Second") - 1, "general"),
    Section("general/second", "Second <heading>", TEXT.index("Delta"), len(TEXT) - 1, "general"),
])


def span(word: str) -> str:
    return f"{TEXT.index(word)}-{TEXT.index(word) + len(word)}"


@pytest.mark.parametrize("hl, marked", [(span("beta "), "beta "), (span("& epsilon"), "& epsilon"), ("0-0", None),
                                         ("5-999", None), ("x", None), (None, None)])
def test_the_policy_page_marks_only_a_valid_span(hl, marked):
    page = render_policy(DOC, hl=parse_hl(hl, len(DOC.text)))
    if marked is None:
        assert "<mark" not in page
    else:
        assert f'<mark id="hl">{marked.replace("&", "&amp;")}</mark>' in page


def test_the_policy_page_has_one_anchor_per_section_and_escapes_everything():
    page = render_policy(DOC, lang="fr")
    assert 'id="general-first"' in page and 'id="general-second"' in page
    assert "<b>" not in page and "Second &lt;heading&gt;" in page and "Delta &amp; epsilon" in page
    assert '<html lang="fr">' in page and "Sommaire" in page
    assert section_anchor("students/VII-storage") == "students-VII-storage"


def test_the_policy_document_comes_from_the_engine_when_it_offers_one():
    class Engine:
        def policy_document(self):
            return DOC

    assert policy_document(Engine()) == DOC
    fake = FakeEngine()
    doc = policy_document(fake)
    assert doc.kb == "demo_school" and doc.title == "# Privacy policy of the Demo Business School"
    for s in doc.sections:
        assert doc.text[s.start:s.start + 10] in fake.retriever.source_text


def test_the_real_engines_policy_document_renders_with_its_title_and_sections(fake_engine):
    """The page `privacybot serve` shows: the engine's own document (not a UI fake) becomes a page
    whose title is the policy's first line and with one anchor per section, in the exact text."""
    doc = policy_document(fake_engine)
    assert doc.title and doc.title in doc.text and doc.sections
    for s in doc.sections:
        assert 0 <= s.start < s.end <= len(doc.text) and s.audience
    page = render_policy(doc, lang="en")
    assert f'id="{section_anchor(doc.sections[0].section_id)}"' in page
