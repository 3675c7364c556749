"""`ConversationStore`: sessions, redacted messages and feedback behind one small interface.

SQLite (WAL, synchronous=FULL, secure_delete, one commit per write) by default, PostgreSQL when
the URL says so. The write API takes only guard output (`guards.types.Redacted`, or an
`Inspection`); a `str` raises TypeError. Database failures raise a text-free `StoreError`
(with `.reason`: disk_full, locked, corrupt, read_only, unreachable, ...); unknown ids raise
`NotFoundError` and touch nothing.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from bot.errors import ConfigError, InputError, NotFoundError, StoreError
from bot.logsafe import log_event
from bot.store import models as m
from bot.store.failures import store_error
from guards.types import Inspection, Redacted

log = logging.getLogger("bot.store")

ROLES = ("visitor", "bot")
RATINGS = ("up", "down")
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
_ENTITY = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
_KIND = re.compile(r"^[a-z][a-z_]{0,31}$")
_DB_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error, OSError)
try:  # psycopg is optional for SQLite-only installs
    import psycopg

    _DB_ERRORS += (psycopg.Error,)
except ImportError:  # pragma: no cover
    pass


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


def _text_of(value, what: str) -> tuple[str, tuple]:
    """The redacted text (and the guard's findings when an Inspection is given)."""
    if isinstance(value, Inspection):
        return value.redacted.text, tuple(value.findings)
    if isinstance(value, Redacted):
        return value.text, ()
    raise TypeError(
        f"{what} must be guard output (guards.types.Redacted), not {type(value).__name__}: "
        "pass the text through guards.guard.get_guard().redact() or .inspect() first."
    )


def _entity_counts(findings: Iterable) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        entity = f.get("entity") if isinstance(f, dict) else getattr(f, "entity", f)
        if not isinstance(entity, str) or not _ENTITY.match(entity):
            raise InputError("findings must be guard Findings (or entity names like 'EMAIL_ADDRESS').")
        counts[entity] = counts.get(entity, 0) + 1
    return counts


def _section_ids(citations: Iterable) -> list[str]:
    out: list[str] = []
    for c in citations:
        sid = c.get("section_id") if isinstance(c, dict) else getattr(c, "section_id", c)
        if not isinstance(sid, str) or not sid.strip() or len(sid) > 200 or "\n" in sid:
            raise InputError("citations must be Citations or policy section ids (non-empty, one line, ≤200 chars).")
        out.append(sid)
    return out


def check_message_fields(kind, latency_ms) -> None:
    """Validate a message's `kind` and `latency_ms` (shared by direct and background writes)."""
    if kind is not None and (not isinstance(kind, str) or not _KIND.match(kind)):
        raise InputError("kind must be a short lower-case name such as 'answer' or 'refusal'.")
    if latency_ms is not None and (isinstance(latency_ms, bool) or not isinstance(latency_ms, (int, float))
                                   or latency_ms < 0):
        raise InputError("latency_ms must be a non-negative number or None.")


class ConversationStore:
    """The conversation store. Thread-safe; one instance per process is enough.

    `url`: a SQLAlchemy URL (`sqlite:///path`, `postgresql+psycopg://user@host/db`).
    `lock_timeout_s`: how long a SQLite write waits for a lock before raising StoreError."""

    def __init__(self, url: str, *, lock_timeout_s: float = 5.0):
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError("The database URL is not a valid SQLAlchemy URL. Fix PRIVACYBOT_DATABASE_URL, "
                              "e.g. sqlite:///var/conversations.sqlite3 or postgresql+psycopg://user@host/db.") from None
        self.backend = parsed.get_backend_name()
        if self.backend == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the installed driver
        self.where = parsed.render_as_string(hide_password=True)
        self._lock_timeout_s = lock_timeout_s
        self._checkpoint_lock = threading.Lock()
        try:
            self._engine = self._make_engine(parsed)
        except (NoSuchModuleError, ImportError, ArgumentError):
            raise ConfigError(f"Unsupported database URL '{self.where}'. Use sqlite:///PATH or "
                              "postgresql+psycopg://USER@HOST/DB in PRIVACYBOT_DATABASE_URL.") from None
        self._init_schema()

    # ---------------------------------------------------------------- engine & schema
    def _make_engine(self, url):
        if self.backend == "sqlite":
            database = url.database or ""
            memory = database in ("", ":memory:") or database.startswith("file::memory:")
            if not memory:
                path = Path(database)
                self.where = str(path)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise store_error("open", exc, str(path)) from None
            kwargs = {"connect_args": {"timeout": self._lock_timeout_s, "check_same_thread": False}}
            if memory:
                kwargs["poolclass"] = StaticPool
            engine = create_engine(url, **kwargs)
            busy_ms = int(self._lock_timeout_s * 1000)

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_conn, _record):
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin)
                cur = dbapi_conn.cursor()
                try:
                    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
                    if not memory:
                        cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute("PRAGMA synchronous=FULL")  # acknowledged = on disk, even on power loss
                    cur.execute("PRAGMA foreign_keys=ON")
                    cur.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten, not just unlinked
                finally:
                    cur.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn):
                # Writers take the lock up front (no read-then-upgrade deadlock between threads).
                immediate = conn.get_execution_options().get("privacybot_write", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                             connect_args={"connect_timeout": max(1, int(self._lock_timeout_s))})

    @contextmanager
    def _tx(self, op: str, *, write: bool = True) -> Iterator[Connection]:
        """One transaction: commit on success, rollback + StoreError on a database failure."""
        try:
            with self._engine.connect() as conn:
                if write:
                    conn.execution_options(privacybot_write=True)
                with conn.begin():
                    yield conn
        except (NotFoundError, InputError, TypeError, StoreError):
            raise
        except _DB_ERRORS as exc:
            raise store_error(op, exc, self.where) from None

    def _init_schema(self) -> None:
        with self._tx("schema setup") as conn:
            if self.backend == "postgresql":  # several replicas may start together
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243519)")
            m.metadata.create_all(conn, checkfirst=True)
            row = conn.execute(select(m.schema_version.c.version).where(m.schema_version.c.id == 1)).first()
            if row is None:
                conn.execute(insert(m.schema_version).values(id=1, version=m.SCHEMA_VERSION, applied_at=utcnow()))
                version = m.SCHEMA_VERSION
            else:
                version = row.version
            if version > m.SCHEMA_VERSION:
                raise store_error("schema setup", None, self.where, reason="schema_newer")
            while version < m.SCHEMA_VERSION:
                m.MIGRATIONS[version](conn)
                version += 1
                conn.execute(update(m.schema_version).where(m.schema_version.c.id == 1)
                             .values(version=version, applied_at=utcnow()))
        self.schema_version = version

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------- sessions
    def create_session(self, site: str | None, lang: str, session_id: str | None = None) -> str:
        """Create a session (or return `session_id` unchanged if it already exists)."""
        if site is not None and (not isinstance(site, str) or not _SITE.match(site)):
            raise InputError("site must be a short site key (letters, digits, . _ : -), e.g. 'ece.fr'.")
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise InputError("lang must be a language code such as 'en' or 'fr'.")
        if session_id is None:
            session_id = uuid.uuid4().hex
        elif not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
            raise InputError("session_id must be 8-64 characters of letters, digits, '-' or '_'.")
        now = utcnow()
        dialect_insert = pg_insert if self.backend == "postgresql" else sqlite_insert
        with self._tx("create_session") as conn:
            # ON CONFLICT DO NOTHING: a concurrent create (another replica) is not an error.
            created = conn.execute(dialect_insert(m.sessions).values(
                id=session_id, site=site, lang=lang, created_at=now, last_activity_at=now,
            ).on_conflict_do_nothing(index_elements=["id"])).rowcount
        if not created:
            return session_id
        log_event(log, "store.session_created", session=session_id, site=site, lang=lang)
        return session_id

    def session_exists(self, session_id: str) -> bool:
        if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
            return False
        with self._tx("session_exists", write=False) as conn:
            return conn.execute(select(m.sessions.c.id).where(m.sessions.c.id == session_id)).first() is not None

    def _require_session(self, conn: Connection, session_id: str) -> None:
        if not isinstance(session_id, str) or not _SESSION_ID.match(session_id) or conn.execute(
                select(m.sessions.c.id).where(m.sessions.c.id == session_id)).first() is None:
            raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")

    # ---------------------------------------------------------------- writes
    def add_message(self, session_id: str, role: str, text: Redacted, *, kind: str | None = None,
                    findings: Iterable = (), citations: Iterable = (), latency_ms: float | None = None) -> int:
        """Store one redacted message; returns its id. `text` must be guard output."""
        body, inspected = _text_of(text, "text")
        if role not in ROLES:
            raise InputError("role must be 'visitor' or 'bot'.")
        check_message_fields(kind, latency_ms)
        counts = _entity_counts(tuple(findings) or inspected)
        sections = _section_ids(citations)
        now = utcnow()
        with self._tx("add_message") as conn:
            self._require_session(conn, session_id)
            message_id = conn.execute(insert(m.messages).values(
                session_id=session_id, role=role, text=body, kind=kind, citations=sections,
                latency_ms=None if latency_ms is None else float(latency_ms), created_at=now,
            ).returning(m.messages.c.id)).scalar_one()
            if counts:
                conn.execute(insert(m.message_findings), [
                    {"message_id": message_id, "entity": e, "count": c} for e, c in sorted(counts.items())])
            conn.execute(update(m.sessions).where(m.sessions.c.id == session_id).values(last_activity_at=now))
        log_event(log, "store.message_added", level=logging.DEBUG, session=session_id, message_id=message_id,
                  role=role, kind=kind, entities=sorted(counts))
        return message_id

    def add_feedback(self, session_id: str, rating: str, comment: Redacted | None = None,
                     message_id: int | None = None) -> int:
        """Store a thumbs up/down with an optional redacted comment; returns the feedback id."""
        body = None if comment is None else _text_of(comment, "comment")[0]
        if rating not in RATINGS:
            raise InputError("rating must be 'up' or 'down'.")
        if message_id is not None and (isinstance(message_id, bool) or not isinstance(message_id, int)):
            raise InputError("message_id must be an integer message id or None.")
        now = utcnow()
        with self._tx("add_feedback") as conn:
            self._require_session(conn, session_id)
            if message_id is not None and conn.execute(select(m.messages.c.id).where(
                    m.messages.c.id == message_id, m.messages.c.session_id == session_id)).first() is None:
                raise NotFoundError("Unknown message id for this session; rate a message of the same session.")
            feedback_id = conn.execute(insert(m.feedback).values(
                session_id=session_id, message_id=message_id, rating=rating, comment=body, created_at=now,
            ).returning(m.feedback.c.id)).scalar_one()
            conn.execute(update(m.sessions).where(m.sessions.c.id == session_id).values(last_activity_at=now))
        log_event(log, "store.feedback_added", session=session_id, feedback_id=feedback_id, rating=rating,
                  has_comment=body is not None)
        return feedback_id

    # ---------------------------------------------------------------- access & erasure
    def export_session(self, session_id: str) -> dict:
        """Everything stored about a session (redacted), JSON-serialisable (right of access)."""
        with self._tx("export_session", write=False) as conn:
            self._require_session(conn, session_id)
            s = conn.execute(select(m.sessions).where(m.sessions.c.id == session_id)).one()
            msgs = conn.execute(select(m.messages).where(m.messages.c.session_id == session_id)
                                .order_by(m.messages.c.id)).all()
            found: dict[int, dict[str, int]] = {}
            for row in conn.execute(select(m.message_findings).join(m.messages).where(
                    m.messages.c.session_id == session_id).order_by(m.message_findings.c.entity)):
                found.setdefault(row.message_id, {})[row.entity] = row.count
            fb = conn.execute(select(m.feedback).where(m.feedback.c.session_id == session_id)
                              .order_by(m.feedback.c.id)).all()
        return {
            "session": {"id": s.id, "site": s.site, "lang": s.lang, "created": _iso(s.created_at),
                        "last_activity": _iso(s.last_activity_at)},
            "messages": [{"id": r.id, "role": r.role, "text": r.text, "kind": r.kind,
                          "entities": found.get(r.id, {}), "citations": list(r.citations or []),
                          "latency_ms": r.latency_ms, "created": _iso(r.created_at)} for r in msgs],
            "feedback": [{"id": r.id, "rating": r.rating, "comment": r.comment, "message_id": r.message_id,
                          "created": _iso(r.created_at)} for r in fb],
        }

    def delete_session(self, session_id: str) -> None:
        """Erase a session and everything about it (right to erasure)."""
        with self._tx("delete_session") as conn:
            self._require_session(conn, session_id)
            ids = select(m.sessions.c.id).where(m.sessions.c.id == session_id)
            self._delete_sessions(conn, ids)
        self._checkpoint()
        log_event(log, "store.session_erased", session=session_id)

    @staticmethod
    def _delete_sessions(conn: Connection, session_ids) -> int:
        session_ids = session_ids.scalar_subquery() if hasattr(session_ids, "scalar_subquery") else session_ids
        msg_ids = select(m.messages.c.id).where(m.messages.c.session_id.in_(session_ids))
        conn.execute(delete(m.feedback).where(m.feedback.c.session_id.in_(session_ids)))
        conn.execute(delete(m.message_findings).where(m.message_findings.c.message_id.in_(msg_ids)))
        conn.execute(delete(m.messages).where(m.messages.c.session_id.in_(session_ids)))
        return conn.execute(delete(m.sessions).where(m.sessions.c.id.in_(session_ids))).rowcount

    def purge(self, older_than_days: int, now: datetime | None = None, *, dry_run: bool = False) -> int:
        """Delete sessions idle for more than `older_than_days` days, and any message or feedback
        older than that in sessions still active. Returns the number of sessions deleted (or that
        would be, with `dry_run`)."""
        if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 1:
            raise InputError("older_than_days must be a whole number of days ≥ 1.")
        cutoff = _naive_utc(now or utcnow()) - timedelta(days=older_than_days)
        stale = select(m.sessions.c.id).where(m.sessions.c.last_activity_at < cutoff)
        with self._tx("purge", write=not dry_run) as conn:
            if dry_run:
                return conn.execute(select(func.count()).select_from(stale.subquery())).scalar_one()
            removed = self._delete_sessions(conn, stale)
            old_msgs = select(m.messages.c.id).where(m.messages.c.created_at < cutoff)
            conn.execute(delete(m.feedback).where(m.feedback.c.created_at < cutoff))
            conn.execute(update(m.feedback).where(m.feedback.c.message_id.in_(old_msgs)).values(message_id=None))
            conn.execute(delete(m.message_findings).where(m.message_findings.c.message_id.in_(old_msgs)))
            old = conn.execute(delete(m.messages).where(m.messages.c.created_at < cutoff)).rowcount
        self._checkpoint()
        log_event(log, "store.purged", sessions=removed, old_messages=old, days=older_than_days)
        return removed

    def _checkpoint(self) -> None:
        """SQLite: fold the WAL into the database and truncate it, so erased rows do not linger
        in the -wal file. Best effort (a busy reader only delays it)."""
        if self.backend != "sqlite":
            return
        with self._checkpoint_lock:
            try:
                raw = self._engine.raw_connection()
                try:
                    cur = raw.cursor()
                    cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = cur.fetchone()[0]
                    cur.close()
                finally:
                    raw.close()
                if busy:
                    log_event(log, "store.checkpoint_busy", level=logging.WARNING)
            except _DB_ERRORS as exc:
                log_event(log, "store.checkpoint_failed", level=logging.WARNING, exc_type=type(exc).__name__)

    # ---------------------------------------------------------------- staff views
    def list_sessions(self, site: str | None = None, since: datetime | None = None, until: datetime | None = None,
                      rating: str | None = None, limit: int = 100) -> list[dict]:
        """Sessions, newest first, with message and feedback counts. Filters combine (AND)."""
        if rating is not None and rating not in RATINGS:
            raise InputError("rating filter must be 'up' or 'down'.")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise InputError("limit must be between 1 and 10000.")
        n_msgs = (select(func.count()).select_from(m.messages)
                  .where(m.messages.c.session_id == m.sessions.c.id).scalar_subquery())

        def n_rating(r):
            return (select(func.count()).select_from(m.feedback)
                    .where(m.feedback.c.session_id == m.sessions.c.id, m.feedback.c.rating == r).scalar_subquery())

        q = select(m.sessions, n_msgs.label("n_messages"), n_rating("up").label("n_up"),
                   n_rating("down").label("n_down"))
        if site is not None:
            q = q.where(m.sessions.c.site == site)
        if since is not None:
            q = q.where(m.sessions.c.created_at >= _naive_utc(since))
        if until is not None:
            q = q.where(m.sessions.c.created_at < _naive_utc(until))
        if rating is not None:
            q = q.where(m.sessions.c.id.in_(select(m.feedback.c.session_id).where(m.feedback.c.rating == rating)))
        q = q.order_by(m.sessions.c.created_at.desc(), m.sessions.c.id).limit(limit)
        with self._tx("list_sessions", write=False) as conn:
            rows = conn.execute(q).all()
        return [{"id": r.id, "site": r.site, "lang": r.lang, "created": _iso(r.created_at),
                 "last_activity": _iso(r.last_activity_at), "messages": r.n_messages,
                 "feedback": {"up": r.n_up, "down": r.n_down}} for r in rows]

    def stats(self) -> dict:
        """Counts for dashboards: sessions, messages by role and kind, feedback, entities found."""
        with self._tx("stats", write=False) as conn:
            n_sessions = conn.execute(select(func.count()).select_from(m.sessions)).scalar_one()
            oldest = conn.execute(select(func.min(m.sessions.c.created_at))).scalar_one()
            roles = dict(conn.execute(select(m.messages.c.role, func.count()).group_by(m.messages.c.role)).all())
            kinds = dict(conn.execute(select(m.messages.c.kind, func.count()).where(m.messages.c.kind.is_not(None))
                                      .group_by(m.messages.c.kind)).all())
            ratings = dict(conn.execute(select(m.feedback.c.rating, func.count()).group_by(m.feedback.c.rating)).all())
            entities = dict(conn.execute(select(m.message_findings.c.entity, func.sum(m.message_findings.c.count))
                                         .group_by(m.message_findings.c.entity)).all())
        return {
            "backend": self.backend, "schema_version": self.schema_version,
            "sessions": n_sessions, "oldest_session": _iso(oldest),
            "messages": sum(roles.values()), "by_role": {r: roles.get(r, 0) for r in ROLES},
            "by_kind": dict(sorted(kinds.items())),
            "feedback": {r: ratings.get(r, 0) for r in RATINGS},
            "entities": {k: int(v) for k, v in sorted(entities.items())},
        }

    def health(self) -> tuple[bool, str]:
        """(ok, detail) without raising: can the database be read right now?"""
        try:
            with self._tx("health check", write=False) as conn:
                version = conn.execute(select(m.schema_version.c.version)).scalar_one_or_none()
        except StoreError as err:
            return False, err.message
        return True, f"{self.backend} ok (schema v{version})"
