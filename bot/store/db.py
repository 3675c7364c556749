"""Database plumbing shared by the conversation store and the key store: engines with safe
settings per backend, and transactions that retry what a retry can fix.

SQLite: WAL (or a rollback journal for the key store), synchronous=FULL (acknowledged = on
disk), foreign keys, secure_delete (erased rows are overwritten), BEGIN IMMEDIATE for writers.
PostgreSQL: psycopg 3, bounded pool with a short checkout timeout, server-side statement and
lock timeouts. A deadlock or serialization failure is retried (jittered back-off); any other
database failure becomes a text-free `StoreError` (see failures.py).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.pool import StaticPool

from bot.errors import ConfigError, InputError, NotFoundError, StoreError
from bot.store.failures import store_error

T = TypeVar("T")
DB_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, sqlite3.Error, OSError)
try:  # psycopg is optional for SQLite-only installs
    import psycopg

    DB_ERRORS += (psycopg.Error,)
    _PG_RECORD_ERRORS: tuple[type[BaseException], ...] = (psycopg.IntegrityError, psycopg.DataError)
except ImportError:  # pragma: no cover
    _PG_RECORD_ERRORS = ()
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
RETRIES = 4


def utcnow() -> datetime:
    """Naive UTC, the form every stored timestamp takes on every backend."""
    return datetime.now(UTC).replace(tzinfo=None)


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("The database URL is not a valid SQLAlchemy URL. Fix PRIVACYBOT_DATABASE_URL, "
                          "e.g. sqlite:///var/conversations.sqlite3 or postgresql+psycopg://user@host/db.") from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the installed driver
    return parsed


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the transaction can simply run again."""
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


def is_record_error(exc: BaseException) -> bool:
    """The database refused one value (a constraint, a type, an encoding), not the whole store."""
    if isinstance(exc, (IntegrityError, DataError, sqlite3.IntegrityError, sqlite3.DataError, *_PG_RECORD_ERRORS)):
        return True
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        return True  # failed while binding a parameter (e.g. text no codec accepts)
    orig = getattr(exc, "orig", None)
    return orig is not None and orig is not exc and is_record_error(orig)


class Database:
    """One SQLAlchemy engine and its transactions. `journal`: "wal" (conversations) or
    "delete" (the key store: no WAL copy of a deleted key survives the transaction)."""

    def __init__(self, url: str, *, lock_timeout_s: float = 5.0, journal: str = "wal", private: bool = False):
        parsed = parse_url(url)
        self.backend = parsed.get_backend_name()
        self.where = parsed.render_as_string(hide_password=True)
        self.lock_timeout_s = lock_timeout_s
        self.journal = journal
        self.private = private  # a new SQLite directory is created owner-only (the key store)
        try:
            self.engine = self._make_engine(parsed)
        except (NoSuchModuleError, ImportError, ArgumentError):
            raise ConfigError(f"Unsupported database URL '{self.where}'. Use sqlite:///PATH or "
                              "postgresql+psycopg://USER@HOST/DB in PRIVACYBOT_DATABASE_URL.") from None

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL or an in-memory database)."""
        return Path(self.where) if self.backend == "sqlite" and self.where.startswith("/") else None

    def _make_engine(self, url) -> Engine:
        if self.backend != "sqlite":
            timeout_ms = int(self.lock_timeout_s * 1000)
            options = (f"-c statement_timeout={max(timeout_ms * 2, 10_000)} -c lock_timeout={timeout_ms} "
                       "-c idle_in_transaction_session_timeout=60000")
            return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8,
                                 pool_timeout=max(1.0, self.lock_timeout_s), pool_recycle=1800,
                                 connect_args={"connect_timeout": max(1, int(self.lock_timeout_s)),
                                               "options": options})
        database = url.database or ""
        memory = database in ("", ":memory:") or database.startswith("file::memory:")
        if not memory:
            path = Path(database).resolve()
            self.where = str(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if self.private else 0o777)
            except OSError as exc:
                raise store_error("open", exc, str(path)) from None
        kwargs: dict = {"connect_args": {"timeout": self.lock_timeout_s, "check_same_thread": False}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        busy_ms = int(self.lock_timeout_s * 1000)
        journal = "WAL" if self.journal == "wal" else "DELETE"

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout={busy_ms}")
                if not memory:
                    cur.execute(f"PRAGMA journal_mode={journal}")
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

    @contextmanager
    def tx(self, op: str, *, write: bool = True, _retry: bool = False) -> Iterator[Connection]:
        """One transaction: commit on success, rollback + StoreError on a database failure."""
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(privacybot_write=True)
                with conn.begin():
                    yield conn
        except (NotFoundError, InputError, TypeError, StoreError):
            raise
        except DB_ERRORS as exc:
            if _retry and is_retryable(exc):
                raise _Retry() from None
            err = store_error(op, exc, self.where)
            err.record = is_record_error(exc)  # type: ignore[attr-defined]
            raise err from None

    def run(self, op: str, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        """`fn(conn)` in one transaction, run again (up to RETRIES times, jittered back-off) on
        a deadlock or serialization failure."""
        for attempt in range(RETRIES + 1):
            try:
                with self.tx(op, write=write, _retry=True) as conn:
                    return fn(conn)
            except _Retry:
                if attempt == RETRIES:
                    raise store_error(op, None, self.where, reason="conflict") from None
                time.sleep(random.uniform(0.005, 0.03) * (2 ** attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.engine.dispose()


class _Retry(Exception):
    """Internal: the transaction hit a deadlock or serialization failure."""
