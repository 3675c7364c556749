"""`ConversationStore`: sessions, redacted messages, feedback and conversation state behind one
small interface, on SQLite (default) or PostgreSQL.

The write API takes only guard output (`guards.types.Redacted`, or an `Inspection`); a `str`
raises TypeError. Stored text is sanitised (sanitize.py) and sealed with the session's own key
(crypto.py). Sessions carry a secret token (only its SHA-256 is stored) and the site they were
opened for; `check_access` is what the HTTP API asks before it reads, continues or erases one.
Database failures raise a text-free `StoreError` (`.reason`: disk_full, locked, corrupt,
read_only, unreachable, timeout, ...); unknown ids raise `NotFoundError` and touch nothing.
Session ids and tokens are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update

from bot.errors import NotFoundError, StoreError
from bot.logsafe import log_event
from bot.store import erasure, reads
from bot.store import models as m
from bot.store.crypto import KeyStore, unseal
from bot.store.db import DB_ERRORS, Database, utcnow
from bot.store.exports import ExportDir
from bot.store.failures import store_error
from bot.store.migrations import AFTER, MIGRATIONS
from bot.store.writes import (
    RATINGS,
    ROLES,
    SESSION_ID,
    check_message_fields,
    check_session_id,
    check_site_lang,
    exchange,
    feedback_id,
    feedback_write,
    message,
    state_write,
    write_items,
)
from bot.types import new_session_id

log = logging.getLogger("bot.store")
TOKEN_BYTES = 32
__all__ = ["ConversationStore", "RATINGS", "ROLES", "check_message_fields", "token_hash", "utcnow"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def visitor_session(site: str | None, lang: str) -> tuple[object, str, str]:
    """(the write that creates it, id, secret token) for a new visitor session."""
    check_site_lang(site, lang)
    session_id, token = new_session_id(), secrets.token_urlsafe(TOKEN_BYTES)
    return exchange(session_id, (), create=(site, lang, token_hash(token))), session_id, token


def _default_home() -> Path:
    from bot.settings import get_settings

    return get_settings().home


class ConversationStore:
    """The conversation store. Thread-safe; one instance per process is enough.

    `url`: a SQLAlchemy URL (`sqlite:///path`, `postgresql+psycopg://user@host/db`).
    `keys`: the key store (a KeyStore or its URL); default a SQLite file in `keys/` next to the
    SQLite database, or under PRIVACYBOT_HOME for PostgreSQL. `exports`: the private directory
    for staff exports (default `exports/` beside it). `lock_timeout_s`: how long a write waits
    for a lock (SQLite) or a pooled connection / row lock (PostgreSQL)."""

    def __init__(self, url: str, *, lock_timeout_s: float = 5.0, keys: KeyStore | str | None = None,
                 exports: ExportDir | Path | None = None):
        self.db = Database(url, lock_timeout_s=lock_timeout_s)
        self.backend, self.where = self.db.backend, self.db.where
        base = self.db.path.parent if self.db.path is not None else None
        if self.backend != "sqlite":
            base = _default_home()
        if isinstance(keys, KeyStore):
            self.keys = keys
        else:
            self.keys = KeyStore(keys or (f"sqlite:///{base / 'keys' / 'session-keys.sqlite3'}" if base else "sqlite://"),
                                 lock_timeout_s=lock_timeout_s)
        if isinstance(exports, ExportDir):
            self.exports = exports
        else:
            self.exports = ExportDir(Path(exports) if exports else (base or _default_home()) / "exports")
        self._checkpoint_lock = threading.Lock()
        self._init_schema()

    # ---------------------------------------------------------------- engine & schema
    @property
    def _engine(self):
        return self.db.engine

    def _tx(self, op: str, *, write: bool = True):
        return self.db.tx(op, write=write)

    def _init_schema(self) -> None:
        now = utcnow()

        def setup(conn) -> tuple[int, int]:
            if self.backend == "postgresql":  # several replicas may start together
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243519)")
            m.metadata.create_all(conn, checkfirst=True)
            row = conn.execute(select(m.schema_version.c.version).where(m.schema_version.c.id == 1)).first()
            if row is None:
                conn.execute(insert(m.schema_version).values(id=1, version=m.SCHEMA_VERSION, applied_at=now))
                start = version = m.SCHEMA_VERSION
            else:
                start = version = row.version
            if version > m.SCHEMA_VERSION:
                raise store_error("schema_setup", None, self.where, reason="schema_newer")
            while version < m.SCHEMA_VERSION:
                MIGRATIONS[version](self, conn, now)
                version += 1
                conn.execute(update(m.schema_version).where(m.schema_version.c.id == 1)
                             .values(version=version, applied_at=now))
            if conn.execute(select(m.meta.c.name).where(m.meta.c.name == "pepper")).first() is None:
                conn.execute(insert(m.meta).values(name="pepper", value=secrets.token_bytes(32)))
            return start, version

        start, self.schema_version = self.db.run("schema_setup", setup)
        for version in range(start, self.schema_version):
            AFTER[version](self)
            log_event(log, "store.migrated", to_version=version + 1)
        self.pepper = self.db.run("schema_setup", lambda conn: conn.execute(
            select(m.meta.c.value).where(m.meta.c.name == "pepper")).scalar_one(), write=False)

    def close(self) -> None:
        self.db.close()
        self.keys.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, items: list) -> dict[int, str]:
        """Apply validated write items (bot.store.writes) in one transaction; see write_items."""
        return write_items(self, items, utcnow())

    # ---------------------------------------------------------------- sessions
    def create_session(self, site: str | None, lang: str, session_id: str | None = None) -> str:
        """Create a session without a visitor token (staff tools, CLI, tests), or return
        `session_id` unchanged if it already exists."""
        session_id = new_session_id() if session_id is None else check_session_id(session_id)
        check_site_lang(site, lang)
        self.write([exchange(session_id, (), create=(site, lang))])
        return session_id

    def open_session(self, site: str | None, lang: str) -> tuple[str, str]:
        """A new session for a visitor: (id, secret token). Only the token's hash is stored; the
        token is what proves, later, that a request comes from the same visitor."""
        item, session_id, token = visitor_session(site, lang)
        self.write([item])
        return session_id, token

    def check_access(self, session_id: str | None, token: str | None, site: str | None) -> str:
        """"ok"; "unknown" (no such session: never issued, expired or erased); or "forbidden"
        (it exists but the token is missing or wrong, or it belongs to another site)."""
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return "unknown"
        row = self.db.run("check_access", lambda conn: conn.execute(
            select(m.sessions.c.token_hash, m.sessions.c.site).where(m.sessions.c.id == session_id)).first(),
            write=False)
        if row is None:
            return "unknown"
        given = token_hash(token) if isinstance(token, str) and token else ""
        if not row.token_hash or not hmac.compare_digest(given, row.token_hash) or row.site != site:
            return "forbidden"
        return "ok"

    def session_exists(self, session_id: str) -> bool:
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return False
        return self.db.run("session_exists", lambda conn: conn.execute(
            select(m.sessions.c.id).where(m.sessions.c.id == session_id)).first() is not None, write=False)

    # ---------------------------------------------------------------- synchronous writes
    def add_message(self, session_id: str, role: str, text, *, kind: str | None = None, findings: Iterable = (),
                    citations: Iterable = (), latency_ms: float | None = None) -> int:
        """Store one redacted message; returns its id. `text` must be guard output."""
        item = exchange(check_session_id(session_id), (message(role, text, kind=kind, findings=findings,
                                                               citations=citations, latency_ms=latency_ms),))
        ids: dict[int, list[int]] = {}
        now = utcnow()

        def run(conn):
            from bot.store.writes import apply_batch

            ids.clear()
            return apply_batch(self, conn, [item], now, ids_out=ids)

        if self.db.run("add_message", run):
            raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
        return ids[0][0]

    def add_feedback(self, session_id: str, rating: str, comment=None, message_id: int | None = None, *,
                     exchange_id: str | None = None) -> int:
        """A thumbs up/down with an optional redacted comment; returns the feedback id. With an
        `exchange_id` there is one vote per (session, exchange): a later vote replaces the rating,
        a later comment replaces the comment, a bare vote keeps the comment."""
        item = feedback_write(session_id, rating, comment, exchange_id=exchange_id, message_id=message_id)
        now = utcnow()

        def run(conn):
            from bot.store.writes import apply_batch

            if apply_batch(self, conn, [item], now):
                raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
            return feedback_id(conn, item)

        return self.db.run("add_feedback", run)

    # ---------------------------------------------------------------- conversation state
    def load_state(self, session_id: str) -> dict | None:
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            return None
        blob = self.db.run("load_state", lambda conn: conn.execute(select(m.conversation_state.c.body).where(
            m.conversation_state.c.session_id == session_id)).scalar_one_or_none(), write=False)
        if blob is None:
            return None
        text = unseal(self.keys.cipher(session_id), session_id, "state", blob)
        try:
            data = json.loads(text) if text else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def save_state(self, session_id: str, data: dict | None) -> bool:
        """Store (or with None remove) the state; False if the session does not exist."""
        return not self.write([state_write(session_id, data)])

    # ---------------------------------------------------------------- reads (reads.py)
    def export_session(self, session_id: str) -> dict:
        """Everything stored about a session (redacted, decrypted), JSON-serialisable."""
        return reads.export_session(self, session_id)

    def list_sessions(self, site: str | None = None, since: datetime | None = None, until: datetime | None = None,
                      rating: str | None = None, limit: int = 100) -> list[dict]:
        """Sessions, newest first, with message and feedback counts. Filters combine (AND)."""
        return reads.list_sessions(self, site=site, since=since, until=until, rating=rating, limit=limit)

    def stats(self) -> dict:
        return reads.stats(self)

    def exchange_counts(self, session_ids) -> dict[str, int]:
        """Stored exchanges per session id (ids with none are absent)."""
        return reads.exchange_counts(self, session_ids)

    # ---------------------------------------------------------------- erasure (erasure.py)
    def delete_session(self, session_id: str) -> None:
        """Erase a session everywhere: its key (crypto-shredding), rows, state, exports."""
        erasure.delete_session(self, session_id)

    def purge(self, older_than_days: int, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Delete sessions idle for more than `older_than_days` days (and old messages and feedback
        of sessions still active); returns the number of sessions deleted (or that would be)."""
        return erasure.purge(self, older_than_days, now, dry_run=dry_run)

    def checkpoint(self) -> None:
        """SQLite: fold the WAL into the database and truncate it (best effort)."""
        if self.backend != "sqlite":
            return
        with self._checkpoint_lock:
            try:
                raw = self.db.engine.raw_connection()
                try:
                    cur = raw.cursor()
                    cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = cur.fetchone()[0]
                    cur.close()
                finally:
                    raw.close()
                if busy:
                    log_event(log, "store.checkpoint_busy", level=logging.WARNING)
            except DB_ERRORS as exc:
                log_event(log, "store.checkpoint_failed", level=logging.WARNING, exc_type=type(exc).__name__)

    # ---------------------------------------------------------------- health
    def health(self) -> tuple[bool, str]:
        """(ok, detail) without raising: can the database and the key store be read now?"""
        try:
            version = self.db.run("health_check", lambda conn: conn.execute(
                select(m.schema_version.c.version)).scalar_one_or_none(), write=False)
            self.keys.health()
        except StoreError as err:
            return False, err.message
        return True, f"{self.backend} ok (schema v{version})"

    def write_probe(self) -> None:
        """Raise StoreError unless a small write commits now (insert and delete one row)."""
        def run(conn):
            conn.execute(insert(m.meta).values(name="probe-" + secrets.token_hex(4), value=secrets.token_bytes(1024)))
            conn.execute(delete(m.meta).where(m.meta.c.name.like("probe-%")))

        self.db.run("write_probe", run)
