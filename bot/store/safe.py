"""`SafeStore`: the store as the chat engine should use it. Writes never raise a database
failure to the caller: they log a text-free event, set `.degraded = True` with `.reason`, and
return None, so the bot keeps answering while logging is degraded ("conversation logging is
unavailable"). With `start_writer()` the conversation writes go to one background thread
(bounded queue, group commit, `flush()`; see writer.py). Programming errors still raise: a raw `str` (TypeError), bad arguments
(InputError), an unknown session (NotFoundError). Reads (export, list, stats) raise StoreError:
they serve staff and the visitor's own rights requests, where a silent empty answer would lie.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.errors import StoreError
from bot.logsafe import log_event

log = logging.getLogger("bot.store")


class SafeStore:
    """Wrap a ConversationStore (or a factory that opens one, retried at most every
    `retry_s` seconds while it fails)."""

    def __init__(self, store=None, *, factory: Callable[[], object] | None = None, retry_s: float = 30.0,
                 reason: str | None = None):
        self._store = store
        self._factory = factory
        self._retry_s = retry_s
        self._last_try = time.monotonic() if store is None else 0.0
        self._lock = threading.Lock()
        self.degraded = store is None
        self.reason: str | None = reason if store is None else None

    @property
    def store(self):
        """The underlying store, opening it if needed; raises StoreError while unavailable."""
        if self._store is None:
            with self._lock:
                if self._store is None and self._factory is not None and (
                        time.monotonic() - self._last_try >= self._retry_s):
                    self._last_try = time.monotonic()
                    try:
                        self._store = self._factory()
                    except StoreError as err:
                        self._mark(err)
            if self._store is None:
                raise StoreError(f"Conversation store unavailable ({self.reason or 'not opened'}); "
                                 "answers keep working, conversations are not being logged.")
        return self._store

    def _mark(self, err: StoreError) -> None:
        self.degraded = True
        self.reason = getattr(err, "reason", "error")
        log_event(log, "store.degraded", level=logging.ERROR, reason=self.reason, op=getattr(err, "op", None))

    def _mark_reason(self, reason: str) -> None:
        """Degraded for a reason that is not a database error (queue_full, writer_error)."""
        if not (self.degraded and self.reason == reason):
            log_event(log, "store.degraded", level=logging.ERROR, reason=reason)
        self.degraded, self.reason = True, reason

    def _recovered(self, op: str) -> None:
        if self.degraded:
            log_event(log, "store.recovered", op=op)
        self.degraded, self.reason = False, None

    def _write(self, name: str, *args, **kwargs):
        try:
            result = getattr(self.store, name)(*args, **kwargs)
        except StoreError as err:
            self._mark(err)
            return None
        self._recovered(name)
        return result

    # -- background writer (see bot/store/writer.py) -------------------------------------------
    _writer = None

    def start_writer(self, *, redact=None, max_queue: int | None = None, max_batch: int | None = None,
                     on_unknown_session=None):
        """Move conversation writes to one background thread with group commit (the server does
        this; the CLI writes synchronously). `redact(text, lang=)` is the guard's, used for
        `PolicyText` answers. Idempotent: returns the running writer."""
        from bot.store.writer import DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUE, StoreWriter

        with self._lock:
            if self._writer is None or not self._writer.alive:
                self._writer = StoreWriter(self, redact=redact, max_queue=max_queue or DEFAULT_MAX_QUEUE,
                                           max_batch=max_batch or DEFAULT_MAX_BATCH,
                                           on_unknown_session=on_unknown_session)
            return self._writer

    @property
    def writer(self):
        return self._writer

    @property
    def background(self) -> bool:
        """True when writes are queued to the background writer."""
        return self._writer is not None and self._writer.alive

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every queued write is committed (or failed). True if done within `timeout`."""
        return True if self._writer is None else self._writer.flush(timeout)

    def close_writer(self, timeout: float | None = 10.0) -> bool:
        """Flush and stop the background writer (server shutdown). Later writes are synchronous."""
        writer, self._writer = self._writer, None
        return True if writer is None else writer.close(timeout)

    def log_exchange(self, session_id, *, visitor, bot, findings=(), kind=None, citations=(), latency_ms=None,
                     create=None) -> bool:
        """Store one question and its answer together (one transaction). `visitor` must be guard
        output; `bot` guard output or a `PolicyText` (background writer only). With the writer
        running this only validates and queues (True if queued); otherwise it writes now (True if
        written). False means the store is degraded; never raises a database failure."""
        from bot.store.writer import exchange, message

        item = exchange(session_id, (
            message("visitor", visitor, findings=findings),
            message("bot", bot, kind=kind, citations=citations, latency_ms=latency_ms),
        ), create=create)
        writer = self._writer
        if writer is not None and writer.alive:
            return writer.submit(item)
        from bot.store.writer import PolicyText, write_exchanges

        if isinstance(bot, PolicyText):
            raise TypeError("a PolicyText answer needs the background writer (start_writer(redact=...)); "
                            "pass the guard's Redacted text instead")
        try:
            skipped = write_exchanges(self.store, [item], lambda text: text)
        except StoreError as err:
            self._mark(err)
            return False
        if skipped:
            from bot.errors import NotFoundError

            raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
        self._recovered("log_exchange")
        return True

    # Writes: never raise a database failure.
    def create_session(self, site, lang, session_id=None):
        """The session id, or None if the store is degraded. With the background writer and a
        given `session_id`, the row is queued (committed before that session's messages)."""
        writer = self._writer
        if session_id is not None and writer is not None and writer.alive:
            from bot.store.writer import exchange

            return session_id if writer.submit(exchange(session_id, (), create=(site, lang))) else None
        return self._write("create_session", site, lang, session_id)

    def add_message(self, session_id, role, text, **kwargs):
        self.flush()  # keep the session's order (its creation may still be queued)
        return self._write("add_message", session_id, role, text, **kwargs)

    def add_feedback(self, session_id, rating, comment=None, message_id=None):
        self.flush()  # the session and its messages may still be queued
        return self._write("add_feedback", session_id, rating, comment, message_id)

    # Reads and erasure see every acknowledged write: flush first (an erased session can then not
    # be re-created by a write still in the queue).
    def export_session(self, session_id):
        self.flush()
        return self.store.export_session(session_id)

    def delete_session(self, session_id):
        self.flush()
        return self.store.delete_session(session_id)

    def session_exists(self, session_id):
        self.flush()
        return self.store.session_exists(session_id)

    def list_sessions(self, *args, **kwargs):
        self.flush()
        return self.store.list_sessions(*args, **kwargs)

    def stats(self):
        self.flush()
        return self.store.stats()

    def purge(self, *args, **kwargs):
        self.flush()
        return self.store.purge(*args, **kwargs)

    def health(self) -> tuple[bool, str]:
        try:
            store = self.store
        except StoreError as err:
            return False, err.message
        ok, detail = store.health()
        return (ok and not self.degraded), (detail if not self.degraded else f"degraded: {self.reason}; {detail}")

    def __getattr__(self, name):  # reads and everything else: delegate (may raise StoreError)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.store, name)


def open_safe_store(settings=None, *, retry_s: float = 30.0) -> SafeStore:
    """Open the configured store without ever raising a StoreError: if the database is locked,
    corrupt or unreachable, the SafeStore starts degraded and retries every `retry_s` seconds."""
    from bot.store import open_store

    def factory():
        return open_store(settings)

    try:
        return SafeStore(factory(), factory=factory, retry_s=retry_s)
    except StoreError as err:
        safe = SafeStore(None, factory=factory, retry_s=retry_s)
        safe._mark(err)
        return safe
