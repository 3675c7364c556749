"""Bad days: locked, corrupt, full or unreachable databases give a clear StoreError (with a
reason and a fix, no text), and `SafeStore` keeps the bot answering while logging is degraded."""

from __future__ import annotations

import errno
import logging
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import event

from bot.errors import ConfigError, StoreError
from bot.store import ConversationStore, SafeStore, open_safe_store
from tests.store.guarded import guarded
from tests.store_fixtures import _free_port

SECRET = "Zorglub Quentinova diabetes"  # redacted-text marker that must never reach a log line


def _db(home):
    return home / "conversations.sqlite3"


def test_locked_database_is_a_clear_store_error_and_reads_still_work(store, privacybot_home):
    sid = store.create_session(None, "en")
    message = guarded("while locked")  # guard output made first: the timing below is the store's alone
    holder = sqlite3.connect(_db(privacybot_home), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="locked by another process") as err:
            store.add_message(sid, "visitor", message)
        assert time.monotonic() - t0 < 5  # the 1 s lock timeout, not a hang
        assert err.value.reason == "locked" and "while locked" not in str(err.value)
        assert store.health()[0]  # WAL readers are not blocked: the bot can still read
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.add_message(sid, "visitor", guarded("after unlock")) > 0


@pytest.mark.parametrize("content", [b"this is not a database" * 200, b"\x00" * 4096, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_database_file_is_a_clear_error_and_safe_store_degrades(privacybot_home, content):
    _db(privacybot_home).write_bytes(content)
    with pytest.raises(StoreError) as err:
        ConversationStore(f"sqlite:///{_db(privacybot_home)}")
    assert err.value.reason == "corrupt" and "Move" in str(err.value) and "aside" in str(err.value)
    safe = open_safe_store()
    assert safe.degraded and safe.reason == "corrupt"
    ok, detail = safe.health()
    assert not ok and "corrupt" in detail
    # The engine keeps answering: writes return None instead of raising.
    assert safe.create_session(None, "en") is None
    assert safe.add_message("abcdefgh1234", "visitor", guarded("hello")) is None
    assert safe.add_feedback("abcdefgh1234", "up") is None


def _limit_size(store: ConversationStore, pages: int) -> None:
    """Make SQLite's own size limit bite: a genuine 'database or disk is full' error."""
    store._engine.dispose()

    @event.listens_for(store._engine, "connect")
    def _cap(dbapi_conn, _rec):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")


def test_full_database_fails_loudly_in_logs_without_text(store, caplog):
    sid = store.create_session(None, "en")
    store.add_message(sid, "visitor", guarded("fits"))
    _limit_size(store, pages=1)  # smaller than the file already is
    with caplog.at_level(logging.DEBUG, logger="bot"), pytest.raises(StoreError) as err:
        store.add_message(sid, "visitor", guarded(SECRET * 500))
    assert err.value.reason == "disk_full" and "disk is full" in str(err.value)
    records = [r for r in caplog.records if r.name.startswith("bot.store")]
    assert any(r.levelno == logging.ERROR and "reason=disk_full" in r.getMessage() for r in records)
    assert all("Zorglub" not in r.getMessage() and "diabetes" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "exc, reason",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "disk_full"),
        (sqlite3.OperationalError("database or disk is full"), "disk_full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read_only"),
        (sqlite3.DatabaseError("database disk image is malformed"), "corrupt"),
        (OSError(errno.EIO, "I/O error"), "error"),
    ],
)
def test_driver_failures_map_to_reasons_and_safe_store_recovers(store, monkeypatch, caplog, exc, reason):
    sid = store.create_session(None, "fr")
    real_connect = store._engine.connect

    def broken():
        raise exc

    monkeypatch.setattr(store._engine, "connect", broken)
    with pytest.raises(StoreError) as err:
        store.add_message(sid, "visitor", guarded(SECRET))
    assert err.value.reason == reason
    safe = SafeStore(store)
    with caplog.at_level(logging.INFO, logger="bot"):
        assert safe.add_message(sid, "visitor", guarded(SECRET)) is None
    assert safe.degraded and safe.reason == reason and not safe.health()[0]
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(store._engine, "connect", real_connect)
    assert isinstance(safe.add_message(sid, "visitor", guarded("back")), int)
    assert not safe.degraded and safe.health()[0]


def test_safe_store_still_raises_programming_errors(store):
    safe = SafeStore(store)
    sid = safe.create_session(None, "en")
    with pytest.raises(TypeError):
        safe.add_message(sid, "visitor", "raw text is never accepted")
    from bot.errors import NotFoundError

    with pytest.raises(NotFoundError):
        safe.add_message("nosuchsession1", "visitor", guarded("x"))


def test_safe_store_reopens_after_the_database_is_fixed(privacybot_home):
    path = _db(privacybot_home)
    path.write_bytes(b"garbage" * 1000)
    safe = open_safe_store(retry_s=0)
    assert safe.degraded and safe.create_session(None, "en") is None
    path.unlink()
    sid = safe.create_session(None, "en")
    assert sid and not safe.degraded and safe.session_exists(sid)


def test_unreachable_postgres_is_a_clear_error():
    t0 = time.monotonic()
    with pytest.raises(StoreError, match="cannot be reached") as err:
        ConversationStore(f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/nothing", lock_timeout_s=1)
    assert err.value.reason == "unreachable" and time.monotonic() - t0 < 10


@pytest.mark.parametrize("url", ["not a url", "mysql+nosuchdriver://x/y", "oracle://u@h/db"])
def test_bad_database_url_is_a_config_error(url):
    with pytest.raises(ConfigError, match="PRIVACYBOT_DATABASE_URL"):
        ConversationStore(url)


CRASH_WRITER = textwrap.dedent(
    """
    import os, sys
    from bot.store import ConversationStore
    from guards.types import Redacted, _GUARD_TOKEN  # the child stands in for the engine
    store = ConversationStore(sys.argv[1])
    sid = store.create_session(None, "en", session_id="crashtest-0001")
    for i in range(10_000):
        mid = store.add_message(sid, "visitor", Redacted(f"message {i}", _token=_GUARD_TOKEN))
        print(mid, flush=True)  # acknowledged
    """
)


def test_a_crash_mid_write_loses_nothing_acknowledged(any_store):
    url = any_store._engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen([sys.executable, "-c", CRASH_WRITER, url], stdout=subprocess.PIPE, text=True)
    acked = []
    for line in proc.stdout:
        acked.append(int(line))
        if len(acked) == 40:
            proc.kill()  # SIGKILL: no cleanup, no checkpoint, possibly mid-transaction
            break
    proc.wait(timeout=30)
    proc.stdout.close()
    stored = {m["id"] for m in any_store.export_session("crashtest-0001")["messages"]}
    assert set(acked) <= stored
