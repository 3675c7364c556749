"""The engine's store path: with background writes the answer does not wait for the database and
runs the guard once on the request thread (extractive answers are guarded by the writer); what
is stored is the same redacted conversation; forgotten or erased sessions start a new one."""

from __future__ import annotations

import threading

import pytest

from bot.settings import Settings
from bot.store import SafeStore


class CountingGuard:
    """The real guard, counting the texts it inspects per thread."""

    def __init__(self, guard):
        self._guard = guard
        self.calls: list[str] = []

    def inspect(self, text, lang=None):
        self.calls.append(threading.current_thread().name)
        return self._guard.inspect(text, lang=lang)

    def redact(self, text, lang=None):
        return self.inspect(text, lang=lang).redacted


@pytest.fixture
def make_engine(retriever, guard, store):
    engines = []

    def build(background: bool = True, llm=None):
        from bot.engine import Engine

        counting = CountingGuard(guard)
        eng = Engine(Settings(), retriever=retriever, guard=counting, store=SafeStore(store), llm=llm)
        if background:
            assert eng.start_background_writes() is True
        engines.append(eng)
        return eng, counting

    yield build
    for eng in engines:
        eng.store.close_writer(5)


@pytest.mark.parametrize("message, lang, raw, entity", [
    ("I am jean.dupont@example.com. How long do you keep CCTV footage?", "en", "jean.dupont@example.com",
     "EMAIL_ADDRESS"),
    ("Je m'appelle Claire, mon numéro est 06 12 34 56 78. Combien de temps gardez-vous les images ?", "fr",
     "06 12 34 56 78", "PHONE_NUMBER"),
])
@pytest.mark.parametrize("background", [True, False])
def test_stored_conversation_is_redacted_with_or_without_the_writer(make_engine, store, guard, message, lang, raw,
                                                                    entity, background):
    eng, _ = make_engine(background)
    sid, _ = eng.start_session(site="ece.fr", lang=lang)
    a = eng.ask(message, session_id=sid, lang=lang)
    assert a.trace["store"] == "ok" and a.session_id == sid
    assert eng.flush_store(5)
    msgs = store.export_session(sid)["messages"]
    assert [m["role"] for m in msgs] == ["visitor", "bot"]
    assert raw not in msgs[0]["text"] and f"[{entity}]" in msgs[0]["text"]
    assert entity in msgs[0]["entities"]
    assert msgs[1]["text"] == guard.redact(a.text, lang=a.lang).text  # the bot text went through the guard
    assert msgs[1]["kind"] == a.kind and msgs[1]["citations"] == [c.section_id for c in a.citations]


@pytest.mark.parametrize("message, lang", [
    ("How long do you keep CCTV footage?", "en"),
    ("Qui est le délégué à la protection des données ?", "fr"),
])
def test_extractive_answer_guards_only_the_visitor_on_the_request_thread(make_engine, message, lang):
    eng, counting = make_engine(background=True)
    a = eng.ask(message, lang=lang)
    request_thread = threading.current_thread().name
    assert counting.calls.count(request_thread) == 1  # the visitor's message only
    assert eng.flush_store(5)
    assert "privacybot-store-writer" in counting.calls  # the bot's text: guarded by the writer
    assert a.timings_ms["store"] < 50  # queued, not committed, on the request path


def test_llm_answer_is_guarded_on_the_request_thread(make_engine):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    model = GenericFakeChatModel(messages=iter([AIMessage(
        content="Video surveillance images are kept for 30 days and then deleted.")]))
    eng, counting = make_engine(background=True, llm=model)
    a = eng.ask("How long do you keep CCTV footage?")
    assert a.trace["llm"] == "used"
    assert counting.calls.count(threading.current_thread().name) == 2  # visitor + the LLM's text


@pytest.mark.parametrize("lang, question", [("en", "How long do you keep CCTV footage?"),
                                            ("fr", "Combien de temps gardez-vous les images de vidéosurveillance ?")])
def test_forgotten_session_keeps_its_id_while_stored_and_erased_one_starts_anew(make_engine, store, lang, question):
    eng, _ = make_engine(background=True)
    first = eng.ask(question, lang=lang)
    sid = first.session_id
    assert eng.forget_session(sid) is True and eng.forget_session(sid) is False
    assert eng.ask(question, session_id=sid, lang=lang).session_id == sid  # resumed from the store
    eng.forget_session(sid)
    eng.store.delete_session(sid)
    again = eng.ask(question, session_id=sid, lang=lang)
    assert again.session_id != sid and again.trace["store"] == "ok"
    assert eng.flush_store(5)
    assert not store.session_exists(sid)
    assert [m["role"] for m in store.export_session(again.session_id)["messages"]] == ["visitor", "bot"]


def test_write_for_an_erased_session_makes_the_engine_forget_it(make_engine, store):
    eng, _ = make_engine(background=True)
    sid = eng.ask("Who is the DPO?").session_id
    assert eng.flush_store(5)
    store.delete_session(sid)  # erased behind the engine's back (another worker, staff console)
    eng.ask("And for students?", session_id=sid)
    assert eng.flush_store(5)
    assert eng.sessions.get(sid) is None and not store.session_exists(sid)
    assert eng.ask("Who is the DPO?", session_id=sid).session_id != sid
