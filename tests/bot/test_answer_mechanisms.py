"""Answer mechanisms end to end (real index, real guard): definitions, lists, named entities,
identical paragraphs across audiences, the figure the question asks for, store logging."""

import re

import pytest


@pytest.fixture
def ask(engine):
    def _ask(question, **kw):
        kw.setdefault("session_id", engine.start_session()[0])
        return engine.ask(question, **kw)

    return _ask


@pytest.mark.parametrize("question", ["What is a cookie?", "Qu'est-ce qu'un cookie ?"])
def test_a_definition_question_quotes_the_definition(ask, question):
    a = ask(question)
    assert a.kind == "answer"
    assert re.search(r"small (data )?files?", a.citations[0].quote), a.citations[0].quote


@pytest.mark.parametrize("question", ["Why do you use video surveillance?", "Pourquoi utilisez-vous la vidéosurveillance ?"])
def test_bulleted_purposes_are_answered_as_the_whole_list(ask, retriever, question):
    a = ask(question)
    assert a.kind == "answer" and a.citations[0].section_id == "cctv/II-purposes"
    quote = a.citations[0].quote
    for item in ("safety of people and property", "fire prevention", "safety of buildings", "defend our rights"):
        assert item in quote
    assert quote in retriever.source_text


@pytest.mark.parametrize(
    "question, entity",
    [
        ("Who hosts the website?", "PLATFORM.SH"),
        ("Qui héberge le site ?", "PLATFORM.SH"),
        ("Who is the data controller?", "Organisation et Développement"),
        ("Qui est le responsable du traitement des données ?", "Organisation et Développement"),
        ("Who represents the group in the United Kingdom?", "European Education Centre Ltd."),
        ("Qui représente le groupe au Royaume-Uni ?", "European Education Centre Ltd."),
    ],
)
def test_who_answers_name_the_entity_first(ask, question, entity):
    a = ask(question)
    assert a.kind == "answer"
    assert entity in a.text.split("\n")[0], a.text.split("\n")[0]


@pytest.mark.parametrize("question", ["Do you use AI in chatbots?", "Utilisez-vous l'IA dans les chatbots ?"])
def test_a_paragraph_identical_in_every_audience_is_answered_once(ask, question):
    a = ask(question)
    assert a.kind == "answer", a.text
    assert len({c.section_id for c in a.citations}) == 1
    assert "artificial intelligence" in a.text


@pytest.mark.parametrize("question", ["How long do you keep my data?", "Combien de temps gardez-vous mes données ?"])
def test_different_answers_per_audience_still_ask(ask, question):
    assert ask(question).kind == "clarification"


@pytest.mark.parametrize(
    "question, first",
    [
        ("How long do you store a student's contracts and guarantees?", r"^In short: 2 years"),
        ("Combien de temps conservez-vous les contrats et garanties d'un étudiant ?", r"^En bref : 2 ans"),
        ("How long do you keep invoicing data of business partners?", r"^In short: 10 years"),
        ("Combien de temps conservez-vous les données de facturation des partenaires ?", r"^En bref : 10 ans"),
    ],
)
def test_the_figure_asked_about_comes_first(ask, question, first):
    a = ask(question)
    assert re.search(first, a.text), a.text.split("\n")[0]


@pytest.mark.parametrize(
    "question, section",
    [
        ("How can I refuse cookies?", "cookies/management"),
        ("Comment refuser les cookies ?", "cookies/management"),
        ("How will I know if the privacy policy is updated?", "general/contact"),
        ("Comment saurai-je si la politique de confidentialité est mise à jour ?", "general/contact"),
    ],
)
def test_cookie_refusal_and_policy_updates_are_answered_from_their_section(ask, question, section):
    a = ask(question)
    assert a.kind == "answer", a.text
    assert a.citations[0].section_id == section


class _RecordingStore:
    degraded = False

    def __init__(self):
        self.messages = []

    def create_session(self, site, lang, session_id=None):
        return session_id

    def session_exists(self, session_id):
        return False

    def add_message(self, session_id, role, text, **kw):
        self.messages.append((role, text, kw))


@pytest.mark.parametrize(
    "message, entity, count",
    [
        ("Write to a.dupont@example.com or b.martin@example.org about my data", "EMAIL_ADDRESS", 2),
        ("Écrivez à a.dupont@example.com ou b.martin@example.org au sujet de mes données", "EMAIL_ADDRESS", 2),
    ],
)
def test_the_store_receives_every_finding_not_deduplicated_entities(retriever, guard, message, entity, count):
    from bot.engine import Engine
    from bot.settings import Settings

    store = _RecordingStore()
    engine = Engine(Settings(), retriever=retriever, guard=guard, store=store)
    engine.ask(message)
    role, text, kw = store.messages[0]
    assert role == "visitor" and "example.com" not in str(text)
    assert [f.entity for f in kw["findings"]].count(entity) == count
