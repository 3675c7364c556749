"""Encryption at rest and crypto-shredding: stored text is sealed with a per-session key kept in
a separate key store; erasing the session shreds the key, so even a copy of the database taken
before the erasure (a backup) can no longer be read. Staff exports live in a private directory
and go with the session."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import sqlite3
import stat

import pytest

from bot.store import ConversationStore
from bot.store.crypto import ERASED, session_keys
from bot.store.db import utcnow
from tests.store.guarded import guarded


def _canary() -> str:
    return "canary" + secrets.token_hex(6)


def _files(root) -> dict:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _key_forms(key: bytes) -> list[bytes]:
    return [key, key.hex().encode(), base64.b64encode(key), base64.urlsafe_b64encode(key).rstrip(b"=")]


def _raw_key(store, sid) -> bytes:
    with store.keys.db.engine.connect() as conn:
        return conn.execute(session_keys.select().where(session_keys.c.session_id == sid)).one().key


@pytest.mark.parametrize("field", ["message", "comment", "state"])
def test_stored_text_is_never_plain_in_the_database_files(store, privacybot_home, field):
    sid = store.create_session("demo", "fr")
    word = _canary()
    if field == "message":
        store.add_message(sid, "visitor", guarded(f"Ma question {word}"))
    elif field == "comment":
        store.add_feedback(sid, "down", guarded(f"Mon commentaire {word}"), exchange_id="ex-0001")
    else:
        store.save_state(sid, {"last_question": f"question {word}"})
    data = store.export_session(sid)
    readable = repr(data) + repr(store.load_state(sid))
    assert word in readable  # the owner (and staff) read it back
    for path, blob in _files(privacybot_home).items():
        assert word.encode() not in blob, path


def test_erasure_shreds_the_key_so_a_backup_taken_before_is_unreadable(store, privacybot_home, tmp_path):
    sid = store.create_session("demo", "en")
    word = _canary()
    store.add_message(sid, "visitor", guarded(f"My question {word}"))
    key = _raw_key(store, sid)
    store.checkpoint()
    backup = tmp_path / "backup.sqlite3"
    shutil.copy(store.where, backup)  # a backup of the conversation database, before erasure

    store.delete_session(sid)
    for path, blob in _files(privacybot_home).items():  # the key is gone from every file
        assert not any(form in blob for form in _key_forms(key)), path
    restored = ConversationStore(f"sqlite:///{backup}", keys=store.keys)  # the backup, with today's keys
    assert [m["text"] for m in restored.export_session(sid)["messages"]] == [ERASED]
    restored.close()


def test_a_sealed_value_cannot_be_moved_to_another_session(store):
    a, b = store.create_session("demo", "en"), store.create_session("demo", "en")
    store.add_message(a, "visitor", guarded("secret of a"))
    store.add_message(b, "visitor", guarded("text of b"))
    with store._engine.begin() as conn:  # copy a's ciphertext into b's row
        body = conn.exec_driver_sql("SELECT body FROM messages WHERE session_id = ?", (a,)).scalar_one()
        conn.exec_driver_sql("UPDATE messages SET body = ? WHERE session_id = ?", (body, b))
    assert store.export_session(b)["messages"][0]["text"] == ERASED


def test_key_store_is_private_and_separate_from_the_database(store, privacybot_home):
    store.create_session("demo", "en")
    keys = privacybot_home / "keys" / "session-keys.sqlite3"
    assert keys.exists() and stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(store.where)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert "session_keys" not in tables


def _v1_tables():
    """The schema v1 tables (before tokens and encryption), as they were declared."""
    from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

    md = MetaData()
    Table("schema_version", md, Column("id", Integer, primary_key=True, autoincrement=False),
          Column("version", Integer, nullable=False), Column("applied_at", DateTime, nullable=False))
    Table("sessions", md, Column("id", String(64), primary_key=True), Column("site", String(128)),
          Column("lang", String(8), nullable=False), Column("created_at", DateTime, nullable=False),
          Column("last_activity_at", DateTime, nullable=False))
    Table("messages", md, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
          Column("role", String(8), nullable=False), Column("text", Text, nullable=False),
          Column("kind", String(32)), Column("citations", JSON, nullable=False), Column("latency_ms", Float),
          Column("created_at", DateTime, nullable=False), sqlite_autoincrement=True)
    Table("message_findings", md, Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"),
                                         primary_key=True),
          Column("entity", String(64), primary_key=True), Column("count", Integer, nullable=False))
    Table("feedback", md, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
          Column("message_id", Integer, ForeignKey("messages.id", ondelete="SET NULL")),
          Column("rating", String(4), nullable=False), Column("comment", Text),
          Column("created_at", DateTime, nullable=False), sqlite_autoincrement=True)
    return md


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def v1_url(request, privacybot_home):
    if request.param == "sqlite":
        yield f"sqlite:///{privacybot_home / 'conversations.sqlite3'}"
        return
    from tests.store_fixtures import drop_tables

    url = request.getfixturevalue("pg_clean_url")
    drop_tables(url)  # a v1 database starts without v2 tables
    yield url


def test_a_v1_database_is_migrated_and_its_plain_text_disappears(v1_url, privacybot_home):
    from sqlalchemy import create_engine, insert

    from bot.store.db import parse_url

    word, note, now = _canary(), _canary(), utcnow()
    md = _v1_tables()
    engine = create_engine(parse_url(v1_url))
    with engine.begin() as conn:
        md.create_all(conn)
        t = md.tables
        conn.execute(insert(t["schema_version"]).values(id=1, version=1, applied_at=now))
        conn.execute(insert(t["sessions"]).values(id="legacy-0001", site="ece.fr", lang="fr", created_at=now,
                                                  last_activity_at=now))
        conn.execute(insert(t["messages"]).values(session_id="legacy-0001", role="visitor", text=f"old {word}",
                                                  citations=[], created_at=now))
        conn.execute(insert(t["feedback"]).values(session_id="legacy-0001", rating="down", comment=f"note {note}",
                                                  created_at=now))
    engine.dispose()
    store = ConversationStore(v1_url)
    data = store.export_session("legacy-0001")
    assert store.schema_version == 2
    assert data["messages"][0]["text"] == f"old {word}" and data["feedback"][0]["comment"] == f"note {note}"
    assert store.check_access("legacy-0001", "any-token-at-all-0000", "ece.fr") == "forbidden"  # no token yet
    with store._engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM messages").all() + conn.exec_driver_sql(
            "SELECT * FROM feedback").all())
    assert word not in dump and note not in dump  # sealed, plain columns gone
    if store.backend == "sqlite":
        store.checkpoint()
        for p, blob in _files(privacybot_home).items():  # and no page of the file keeps the old text
            assert word.encode() not in blob and note.encode() not in blob, p
    store.close()


@pytest.mark.parametrize("erase, kept", [("a-session-1", set()), ("b-session-2", {"only-a"})])
def test_exports_are_private_and_go_with_their_sessions(store, erase, kept):
    for sid in ("a-session-1", "b-session-2"):
        store.create_session("demo", "en", session_id=sid)
    files = {"only-a": store.exports.write(["a-session-1"], "id,text\nrow,a\n"),
             "both": store.exports.write(["a-session-1", "b-session-2"], "id,text\nrow,a\nrow,b\n")}
    copies = {}
    for name, path in files.items():  # a tool's copy of each file (e.g. Gradio's cache under exports/tmp)
        copies[name] = store.exports.temp_dir / f"cache-{name}" / path.name
        copies[name].parent.mkdir(parents=True)
        shutil.copy(path, copies[name])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.exports.root.stat().st_mode) == 0o700
    store.delete_session(erase)
    assert {n for n, p in files.items() if p.exists()} == kept == {n for n, p in copies.items() if p.exists()}


def test_retention_expires_exports_and_orphan_keys(store):
    sid = store.create_session("demo", "en")
    path = store.exports.write([sid], "x")
    old = path.stat().st_mtime - 2 * 86400
    os.utime(path, (old, old))
    for index in (store.exports.root / ".index").iterdir():
        os.utime(index, (old, old))
    store.keys.ensure(["orphan-key-0001"], utcnow().replace(year=2000))  # a key whose session never committed
    store.purge(30)
    assert not path.exists() and store.keys.cipher("orphan-key-0001") is None
    assert store.keys.cipher(sid) is not None  # live sessions keep theirs
