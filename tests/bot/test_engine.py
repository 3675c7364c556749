"""The engine end to end on fakes (hash embedder, classifiers trained on it, a regex guard): what a
visitor and the store see, independent of model quality. Real-model answers: test_answers_real.py."""

from __future__ import annotations

import pytest

from bot.errors import InputError


class RecordingStore:
    """Captures what the engine writes (the conversation log port)."""

    def __init__(self):
        self.exchanges: list[dict] = []

    def log_exchange(self, session_id, **kw):
        self.exchanges.append({"session_id": session_id, **kw})
        return True

    def session_exists(self, session_id):
        return any(e["session_id"] == session_id for e in self.exchanges)


@pytest.mark.parametrize("message, lang, fragment", [
    ("", "en", "empty"), ("   ", "fr", "vide"), ("x" * 2001, "en", "too long"), ("x" * 2001, "fr", "trop long"),
])
def test_bad_input_gets_a_clear_error_in_the_visitors_language(fake_engine, message, lang, fragment):
    with pytest.raises(InputError, match=fragment):
        fake_engine.ask(message, lang=lang)


def test_non_text_input_is_refused(fake_engine):
    with pytest.raises(InputError, match="text"):
        fake_engine.ask(None)


@pytest.mark.parametrize("lang, ai", [("en", "AI system"), ("fr", "système d'IA")])
def test_every_answer_carries_the_ai_disclosure_with_the_policys_dpo(fake_engine, lang, ai):
    a = fake_engine.ask("hello" if lang == "en" else "bonjour", lang=lang)
    assert ai in a.disclosure and "dpo@omneseducation.com" in a.disclosure
    assert "OMNES Education" in a.disclosure  # the organisation comes from the policy profile


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_citations_are_exact_policy_text_with_a_short_label(fake_engine, fake_kb, lang):
    _, retriever = fake_kb
    q = "How long is the footage of video surveillance stored?" if lang == "en" else \
        "Combien de temps les images de vidéosurveillance sont-elles conservées ?"
    a = fake_engine.ask(q, lang=lang)
    assert a.kind in ("answer", "clarification", "refusal")
    for c in a.citations:
        assert retriever.source_text[c.start:c.end] == c.quote
        assert c.label and "/" not in c.label and c.kb == "omnes"
    if a.kind == "refusal":
        assert not a.citations


def test_the_raw_message_never_reaches_the_store_and_evaluation_traffic_is_not_recorded(fake_kb):
    from bot.engine import Engine
    from tests.fakes import FakeGuard

    settings, retriever = fake_kb
    store = RecordingStore()
    engine = Engine(settings, retriever=retriever, guard=FakeGuard(), store=store)
    a = engine.ask("I am jean.dupont@example.com, how long do you keep my data?", lang="en")
    assert a.guard.redacted_message.startswith("I am [EMAIL_ADDRESS]")
    assert len(store.exchanges) == 1
    stored = store.exchanges[0]
    assert "jean.dupont" not in str(stored["visitor"]) and "jean.dupont" not in str(stored["bot"])
    assert stored["exchange_id"] == a.exchange_id
    engine.ask("how long do you keep my data?", lang="en", record=False)
    assert len(store.exchanges) == 1


def test_a_guard_failure_refuses_and_stores_nothing(fake_kb):
    from bot.engine import Engine

    class BrokenGuard:
        def inspect(self, text, lang=None, *, allow=None):
            raise RuntimeError("analysis broke")

    settings, retriever = fake_kb
    store = RecordingStore()
    a = Engine(settings, retriever=retriever, guard=BrokenGuard(), store=store).ask("my email is a@b.fr", lang="en")
    assert a.kind == "refusal" and not a.citations and "a@b.fr" not in a.text
    assert a.guard.redacted_message == "" and not store.exchanges


def test_a_session_keeps_its_id_and_an_unknown_id_starts_a_new_one(fake_engine):
    first = fake_engine.ask("hello", lang="en")
    again = fake_engine.ask("thanks", session_id=first.session_id, lang="en")
    assert again.session_id == first.session_id
    stranger = fake_engine.ask("hello", session_id="never-issued", lang="en")
    assert stranger.session_id != "never-issued"


def test_forgetting_a_session_erases_its_conversation_state(fake_engine):
    a = fake_engine.ask("hello", lang="en")
    assert fake_engine.forget_session(a.session_id) is True
    assert fake_engine.states.load(a.session_id) is None
    assert fake_engine.forget_session(a.session_id) is False


@pytest.mark.parametrize("lang, days", [("en", "30 days"), ("fr", "30 jours")])
def test_the_assistant_answers_about_itself_from_the_running_settings(fake_kb, lang, days):
    from bot.answers import assistant
    from bot.engine import Engine
    from knowledge.query import analyse
    from tests.fakes import FakeGuard

    settings, retriever = fake_kb
    engine = Engine(settings, retriever=retriever, guard=FakeGuard())
    notice = engine.notice()
    q = "how long is this conversation kept?" if lang == "en" else "combien de temps gardez-vous cette conversation ?"
    reply = assistant.answer(analyse(q, lang), notice, lang, {})
    assert reply.kind == "answer" and reply.citations[0].section_id == "assistant/notice"
    texts = " ".join(p for _, p in notice.paragraphs(lang))
    assert days in texts and "dpo@omneseducation.com" in texts


def test_policy_document_covers_every_section_with_exact_offsets(fake_engine, fake_kb):
    _, retriever = fake_kb
    doc = fake_engine.policy_document()
    assert doc.kb == "omnes" and doc.text == retriever.source_text
    ids = {s.section_id for s in doc.sections}
    assert {"cctv/VII-storage", "general/dpo", "cookies/duration"} <= ids
    assert all(0 <= s.start < s.end <= len(doc.text) for s in doc.sections)
