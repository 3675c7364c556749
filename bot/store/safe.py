"""`SafeStore`: the store as the chat engine should use it. Writes never raise a database
failure to the caller: they log a text-free event, set `.degraded = True` with `.reason`, and
return None, so the bot keeps answering while logging is degraded ("conversation logging is
unavailable"). Programming errors still raise: a raw `str` (TypeError), bad arguments
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

    def _write(self, name: str, *args, **kwargs):
        try:
            result = getattr(self.store, name)(*args, **kwargs)
        except StoreError as err:
            self._mark(err)
            return None
        if self.degraded:
            log_event(log, "store.recovered", op=name)
        self.degraded, self.reason = False, None
        return result

    # Writes: never raise a database failure.
    def create_session(self, site, lang, session_id=None):
        """The session id, or None if the store is degraded."""
        return self._write("create_session", site, lang, session_id)

    def add_message(self, session_id, role, text, **kwargs):
        return self._write("add_message", session_id, role, text, **kwargs)

    def add_feedback(self, session_id, rating, comment=None, message_id=None):
        return self._write("add_feedback", session_id, rating, comment, message_id)

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
