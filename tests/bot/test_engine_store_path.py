"""The engine's one write path to the conversation store (fakes for models, the real SQLite store):
what is stored is the redacted exchange, committed before the answer is returned, with or without
the background writer; a session the store erased is not resurrected."""

from __future__ import annotations

import pytest

from bot.store import SafeStore


@pytest.fixture
def make_engine(fake_kb, store):
    engines = []

    def build(background: bool):
        from bot.engine import Engine
        from tests.fakes import FakeGuard

        settings, retriever = fake_kb
        eng = Engine(settings, retriever=retriever, guard=FakeGuard(), store=SafeStore(store))
        if background:
            assert eng.start_background_writes() is True
        engines.append(eng)
        return eng

    yield build
    for eng in engines:
        eng.store.close_writer(5)


@pytest.mark.parametrize("message, lang, raw, entity", [
    ("I am jean.dupont@example.com. How long do you keep video surveillance images?", "en",
     "jean.dupont@example.com", "EMAIL_ADDRESS"),
    ("Mon numéro est 06 12 34 56 78. Combien de temps gardez-vous les images ?", "fr", "06 12 34 56 78",
     "PHONE_NUMBER"),
])
@pytest.mark.parametrize("background", [True, False])
def test_the_stored_exchange_is_redacted_and_committed_before_the_answer(make_engine, store, message, lang, raw,
                                                                           entity, background):
    eng = make_engine(background)
    a = eng.ask(message, lang=lang)
    assert a.trace["store"] == "ok"
    msgs = store.export_session(a.session_id)["messages"]  # no flush: acknowledged = committed
    assert [m["role"] for m in msgs] == ["visitor", "bot"]
    assert raw not in msgs[0]["text"] and f"[{entity}]" in msgs[0]["text"]
    assert entity in msgs[0]["entities"]
    assert msgs[1]["kind"] == a.kind and msgs[1]["citations"] == [c.section_id for c in a.citations]


def test_evaluation_traffic_is_not_stored(make_engine, store):
    eng = make_engine(background=True)
    a = eng.ask("how long do you keep my data?", lang="en", record=False)
    assert not store.session_exists(a.session_id)


def test_an_erased_session_is_told_not_saved_and_never_resurrected(make_engine, store):
    eng = make_engine(background=True)
    sid = eng.ask("who is the data protection officer?", lang="en").session_id
    assert store.session_exists(sid)
    store.delete_session(sid)  # erased behind the engine's back (another process, the console)
    eng.forget_session(sid)
    again = eng.ask("who is the data protection officer?", session_id=sid, lang="en")
    assert again.session_id != sid and not store.session_exists(sid)
    assert again.trace["store"] == "ok" and store.session_exists(again.session_id)


def test_a_failed_write_tells_the_visitor_in_that_answer(fake_kb):
    from bot.engine import Engine
    from bot.errors import StoreError
    from tests.fakes import FakeGuard

    class FullDisk:
        def log_exchange(self, *a, **kw):
            raise StoreError("disk full")

        def session_exists(self, sid):
            return False

    settings, retriever = fake_kb
    a = Engine(settings, retriever=retriever, guard=FakeGuard(), store=FullDisk()).ask("hello", lang="fr")
    assert a.trace["store"] == "error" and "historique" in a.text
