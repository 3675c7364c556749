"""The store's behaviour, run against SQLite and a real PostgreSQL server (`any_store`)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.errors import InputError, NotFoundError, StoreError
from bot.store import ConversationStore, models
from bot.store.db import utcnow
from tests.store.guarded import guarded

QUESTIONS = [
    ("en", "How long do you keep my data?"),
    ("fr", "Combien de temps gardez-vous mes données ?"),
]


def _age(store: ConversationStore, table, days: float, **where) -> None:
    """Move rows back in time (test helper: the store always stamps `now`)."""
    then = utcnow() - timedelta(days=days)
    values = {"created_at": then}
    if table is models.sessions:
        values["last_activity_at"] = then
    if table is models.feedback:
        values["updated_at"] = then
    with store._engine.begin() as conn:
        stmt = update(table).values(**values)
        for col, val in where.items():
            stmt = stmt.where(table.c[col] == val)
        conn.execute(stmt)


@pytest.mark.parametrize("lang, question", QUESTIONS)
def test_round_trip_export_is_the_redacted_transcript(any_store, lang, question):
    sid = any_store.create_session("ece.fr", lang)
    q = guarded(question)
    a = guarded("We keep applicant data for two years (see section VII).")
    m1 = any_store.add_message(sid, "visitor", q, findings=["EMAIL_ADDRESS", "EMAIL_ADDRESS", "HEALTH"],
                               latency_ms=3.5)
    m2 = any_store.add_message(sid, "bot", a, kind="answer", citations=["applicants/VII-storage", "visitors/VII"],
                               latency_ms=12)
    fb = any_store.add_feedback(sid, "down", guarded("Not precise enough"), message_id=m2)
    data = any_store.export_session(sid)
    assert json.loads(json.dumps(data)) == data  # JSON-serialisable as is
    assert data["session"]["id"] == sid and data["session"]["lang"] == lang and data["session"]["site"] == "ece.fr"
    assert [(x["id"], x["role"], x["text"]) for x in data["messages"]] == [(m1, "visitor", q.text), (m2, "bot", a.text)]
    assert data["messages"][0]["entities"] == {"EMAIL_ADDRESS": 2, "HEALTH": 1}
    assert data["messages"][1]["citations"] == ["applicants/VII-storage", "visitors/VII"]
    assert data["messages"][1]["kind"] == "answer" and data["messages"][1]["latency_ms"] == 12.0
    assert data["feedback"] == [{"id": fb, "exchange_id": None, "rating": "down",
                                 "comment": guarded("Not precise enough").text, "message_id": m2,
                                 "created": data["feedback"][0]["created"], "updated": data["feedback"][0]["updated"]}]


@pytest.mark.parametrize(
    "call",
    [
        lambda s, sid: s.add_message(sid, "visitor", "raw text"),
        lambda s, sid: s.add_message(sid, "bot", b"raw bytes"),
        lambda s, sid: s.add_message(sid, "visitor", None),
        lambda s, sid: s.add_feedback(sid, "up", "raw comment"),
    ],
    ids=["message-str", "message-bytes", "message-none", "feedback-str"],
)
def test_write_api_rejects_anything_but_guard_output(any_store, call):
    sid = any_store.create_session(None, "en")
    with pytest.raises(TypeError, match="guard"):
        call(any_store, sid)
    assert any_store.export_session(sid)["messages"] == [] and any_store.export_session(sid)["feedback"] == []


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.export_session("nosuchsession1"),
        lambda s: s.delete_session("nosuchsession1"),
        lambda s: s.add_message("nosuchsession1", "visitor", guarded("hello")),
        lambda s: s.add_feedback("nosuchsession1", "up"),
        lambda s: s.export_session("../../etc/passwd"),
        lambda s: s.delete_session(""),
    ],
    ids=["export", "erase", "message", "feedback", "path-like-id", "empty-id"],
)
def test_unknown_session_is_not_found_and_nothing_else_is_touched(any_store, call):
    sid = any_store.create_session("ece.fr", "en")
    any_store.add_message(sid, "visitor", guarded("hello"))
    before = any_store.stats()
    with pytest.raises(NotFoundError) as err:
        call(any_store)
    assert err.value.http_status == 404
    assert any_store.stats() == before
    assert len(any_store.export_session(sid)["messages"]) == 1


def test_feedback_on_a_message_of_another_session_is_not_found(any_store):
    a, b = any_store.create_session(None, "en"), any_store.create_session(None, "fr")
    mid = any_store.add_message(a, "bot", guarded("An answer."))
    with pytest.raises(NotFoundError):
        any_store.add_feedback(b, "up", message_id=mid)
    assert any_store.stats()["feedback"] == {"up": 0, "down": 0}


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda s, sid: s.add_message(sid, "admin", guarded("x")), "role"),
        (lambda s, sid: s.add_message(sid, "bot", guarded("x"), kind="Answer Now"), "kind"),
        (lambda s, sid: s.add_message(sid, "bot", guarded("x"), latency_ms=-1), "latency_ms"),
        (lambda s, sid: s.add_message(sid, "bot", guarded("x"), findings=["my email is a@b.c"]), "findings"),
        (lambda s, sid: s.add_message(sid, "bot", guarded("x"), citations=["line\nbreak"]), "citations"),
        (lambda s, sid: s.add_feedback(sid, "meh"), "rating"),
        (lambda s, sid: s.create_session("ece.fr", "english"), "lang"),
        (lambda s, sid: s.create_session("a site with spaces", "en"), "site"),
        (lambda s, sid: s.create_session(None, "en", session_id="jean.dupont@mail.fr"), "session_id"),
        (lambda s, sid: s.purge(0), "older_than_days"),
        (lambda s, sid: s.list_sessions(rating="5"), "rating"),
        (lambda s, sid: s.list_sessions(limit=0), "limit"),
    ],
)
def test_bad_arguments_are_input_errors_naming_the_field(any_store, call, match):
    sid = any_store.create_session(None, "en")
    with pytest.raises(InputError, match=match):
        call(any_store, sid)


def test_create_session_with_a_given_id_is_idempotent(any_store):
    sid = any_store.create_session("ece.fr", "fr", session_id="client-abc-123")
    assert sid == "client-abc-123"
    any_store.add_message(sid, "visitor", guarded("bonjour"))
    assert any_store.create_session("other.fr", "en", session_id=sid) == sid
    assert any_store.export_session(sid)["session"]["site"] == "ece.fr"  # unchanged
    assert any_store.session_exists(sid) and not any_store.session_exists("client-xyz-999")


def test_delete_session_erases_everything_about_it_and_only_it(any_store):
    keep, gone = any_store.create_session("ece.fr", "en"), any_store.create_session("ece.fr", "fr")
    for sid in (keep, gone):
        mid = any_store.add_message(sid, "visitor", guarded("question"), findings=["HEALTH"])
        any_store.add_feedback(sid, "up", guarded("merci"), message_id=mid)
    any_store.delete_session(gone)
    assert not any_store.session_exists(gone)
    with pytest.raises(NotFoundError):
        any_store.export_session(gone)
    stats = any_store.stats()
    assert (stats["sessions"], stats["messages"], stats["feedback"]["up"], stats["entities"]) == (1, 1, 1, {"HEALTH": 1})
    assert len(any_store.export_session(keep)["messages"]) == 1


@pytest.mark.parametrize("days, idle_days, purged", [(30, 31, 1), (30, 29, 0), (7, 8, 1), (365, 100, 0)])
def test_purge_deletes_conversations_idle_longer_than_retention(any_store, days, idle_days, purged):
    old = any_store.create_session("ece.fr", "en")
    any_store.add_message(old, "visitor", guarded("old question"))
    any_store.add_feedback(old, "up")
    _age(any_store, models.sessions, idle_days, id=old)
    _age(any_store, models.messages, idle_days, session_id=old)
    _age(any_store, models.feedback, idle_days, session_id=old)
    fresh = any_store.create_session("ece.fr", "en")
    any_store.add_message(fresh, "visitor", guarded("new question"))
    assert any_store.purge(days, dry_run=True) == purged
    assert any_store.session_exists(old)  # dry run deleted nothing
    assert any_store.purge(days) == purged
    assert any_store.session_exists(old) is (purged == 0)
    assert any_store.session_exists(fresh)
    assert any_store.stats()["feedback"]["up"] == (0 if purged else 1)


def test_purge_also_drops_old_messages_of_a_still_active_session(any_store):
    sid = any_store.create_session(None, "fr")
    old = any_store.add_message(sid, "visitor", guarded("ancienne"))
    fb = any_store.add_feedback(sid, "down", message_id=old)
    _age(any_store, models.messages, 40, id=old)
    new = any_store.add_message(sid, "visitor", guarded("nouvelle"))
    assert any_store.purge(30) == 0  # the session itself is active
    data = any_store.export_session(sid)
    assert [m["id"] for m in data["messages"]] == [new]
    assert [(f["id"], f["rating"], f["comment"], f["message_id"]) for f in data["feedback"]] == [
        (fb, "down", None, None)]


def test_purge_uses_the_given_clock(any_store):
    sid = any_store.create_session(None, "en")
    any_store.add_message(sid, "visitor", guarded("hello"))
    assert any_store.purge(30, now=utcnow() + timedelta(days=29)) == 0
    assert any_store.purge(30, now=utcnow() + timedelta(days=31)) == 1


def test_list_sessions_filters_by_site_rating_and_dates(any_store):
    a = any_store.create_session("ece.fr", "fr")
    b = any_store.create_session("inseec.com", "en")
    c = any_store.create_session("ece.fr", "en")
    any_store.add_feedback(a, "up")
    any_store.add_feedback(b, "down")
    any_store.add_message(c, "visitor", guarded("hi"))
    _age(any_store, models.sessions, 10, id=a)
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(any_store.list_sessions()) == [c, b, a] or ids(any_store.list_sessions()) == [b, c, a]
    assert set(ids(any_store.list_sessions(site="ece.fr"))) == {a, c}
    assert ids(any_store.list_sessions(rating="down")) == [b]
    assert ids(any_store.list_sessions(until=utcnow() - timedelta(days=5))) == [a]
    assert set(ids(any_store.list_sessions(since=utcnow() - timedelta(days=5)))) == {b, c}
    assert len(any_store.list_sessions(limit=1)) == 1
    row = next(r for r in any_store.list_sessions() if r["id"] == c)
    assert row["messages"] == 1 and row["feedback"] == {"up": 0, "down": 0}


def test_stats_count_roles_kinds_feedback_and_entities(any_store):
    sid = any_store.create_session(None, "en")
    any_store.add_message(sid, "visitor", guarded("q"), findings=["PERSON", "FR_NIR"])
    any_store.add_message(sid, "bot", guarded("a"), kind="refusal")
    any_store.add_message(sid, "visitor", guarded("q2"), findings=["PERSON"])
    any_store.add_message(sid, "bot", guarded("a2"), kind="answer")
    any_store.add_feedback(sid, "up")
    st = any_store.stats()
    assert st["sessions"] == 1 and st["messages"] == 4 and st["by_role"] == {"visitor": 2, "bot": 2}
    assert st["by_kind"] == {"answer": 1, "refusal": 1}
    assert st["entities"] == {"FR_NIR": 1, "PERSON": 2}
    assert st["feedback"] == {"up": 1, "down": 0}


def test_health_reports_backend_and_schema(any_store):
    ok, detail = any_store.health()
    assert ok and any_store.backend in detail and f"schema v{models.SCHEMA_VERSION}" in detail


def test_reopening_keeps_data_and_a_newer_schema_is_refused(any_store):
    sid = any_store.create_session(None, "en")
    any_store.add_message(sid, "visitor", guarded("persisted"))
    url = str(any_store._engine.url.render_as_string(hide_password=False))
    again = ConversationStore(url)
    assert again.export_session(sid)["messages"][0]["text"] == guarded("persisted").text
    with again._engine.begin() as conn:
        conn.execute(update(models.schema_version).values(version=models.SCHEMA_VERSION + 1))
    again.close()
    with pytest.raises(StoreError, match="newer privacybot") as err:
        ConversationStore(url)
    assert err.value.reason == "schema_newer"
