"""`SafeStore`: the store as the server uses it, with a clear answer to "was it saved?".

- `log_exchange(...)` returns True only once the exchange is committed (durable). When it
  cannot be (the store is down, the disk is full, the queue stays full, the commit does not
  happen within `ack_timeout_s`), it raises `StoreError`, so the caller tells the visitor in
  that very answer. It never drops anything silently.
- Circuit breaker: a database failure, or a batch stuck in the database longer than
  `stall_s`, marks the store degraded. While degraded, calls fail at once (no visitor waits on
  a stalled database) and a background prober checks every `probe_s` seconds, with a real read
  and a small write, whether the store works again. `health()` tells the truth meanwhile.
- Staff writes (`add_message`, `add_feedback`, `create_session`) keep their old contract:
  None instead of a database failure. Reads (export, list, stats) raise StoreError: they serve
  staff and the visitor's own rights requests, where a silent empty answer would lie.
Programming errors still raise: a raw `str` (TypeError), bad arguments (InputError).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.errors import NotFoundError, StoreError
from bot.logsafe import log_event
from bot.store.writes import exchange, message, state_write

log = logging.getLogger("bot.store")
ACK_TIMEOUT_S = 5.0
QUEUE_WAIT_S = 2.0
# A batch in the database longer than this means the database is not answering (a busy CPU
# makes commits slower, not 5 s slower): the circuit opens until the prober sees it answer.
STALL_S = 5.0
REDACT_CACHE = 2048


class SafeStore:
    """Wrap a ConversationStore (or a `factory` that opens one, retried every `retry_s` seconds
    while it fails)."""

    def __init__(self, store=None, *, factory: Callable[[], object] | None = None, retry_s: float = 30.0,
                 reason: str | None = None, ack_timeout_s: float = ACK_TIMEOUT_S, stall_s: float = STALL_S,
                 probe_s: float = 1.0):
        self._store = store
        self._factory = factory
        self._retry_s = retry_s
        self._last_try = time.monotonic() if store is None else 0.0
        self._lock = threading.Lock()
        self.degraded = store is None
        self.reason: str | None = reason if store is None else None
        self.ack_timeout_s, self.stall_s, self.probe_s = ack_timeout_s, stall_s, probe_s
        self._writer = None
        self._prober: threading.Thread | None = None
        self._redacted: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self._stop = threading.Event()

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
                                 "answers keep working, conversations are not being saved.")
        return self._store

    # -- degraded state -----------------------------------------------------------------------
    def _mark(self, err: StoreError) -> None:
        self._mark_reason(getattr(err, "reason", "error"), op=getattr(err, "op", None))

    def _mark_reason(self, reason: str, op: str | None = None) -> None:
        if not (self.degraded and self.reason == reason):
            log_event(log, "store.degraded", level=logging.ERROR, reason=reason, op=op)
        self.degraded, self.reason = True, reason

    def _recovered(self, op: str) -> None:
        if self.degraded:
            log_event(log, "store.recovered", op=op)
        self.degraded, self.reason = False, None

    def _check_available(self) -> None:
        """Fail fast while degraded (the prober reopens the circuit) or while a batch is stuck."""
        writer = self._writer
        if writer is not None and writer.stalled_for() > self.stall_s:
            self._mark_reason("timeout")
        if self.degraded and self.background:
            raise StoreError(f"Conversation store unavailable ({self.reason}); this conversation is not "
                             "being saved right now. Try again in a minute.")

    # -- background writer and prober -----------------------------------------------------------
    def start_writer(self, *, redact=None, max_queue: int | None = None, max_batch: int | None = None,
                     on_unknown_session=None):
        """Move writes to one background thread with group commit (the server does this; the CLI
        writes synchronously), and start the prober. `redact(text, lang=)` is the guard's, for
        `PolicyText` answers. Idempotent: returns the running writer."""
        from bot.store.writer import DEFAULT_MAX_BATCH, DEFAULT_MAX_QUEUE, StoreWriter

        with self._lock:
            if self._writer is None or not self._writer.alive:
                self._writer = StoreWriter(self, redact=redact, max_queue=max_queue or DEFAULT_MAX_QUEUE,
                                           max_batch=max_batch or DEFAULT_MAX_BATCH,
                                           on_unknown_session=on_unknown_session)
            elif redact is not None:
                self._writer.redact = redact
            if self._prober is None or not self._prober.is_alive():
                self._stop.clear()
                self._prober = threading.Thread(target=self._probe_loop, name="privacybot-store-prober", daemon=True)
                self._prober.start()
            return self._writer

    def _probe_loop(self) -> None:
        while not self._stop.wait(self.probe_s):
            writer = self._writer
            if writer is not None and writer.stalled_for() > self.stall_s:
                self._mark_reason("timeout")
            if self.degraded:
                try:
                    self.health()
                except Exception as exc:  # noqa: BLE001 - the prober must survive anything
                    log_event(log, "store.probe_failed", level=logging.WARNING, exc=exc)

    @property
    def writer(self):
        return self._writer

    @property
    def background(self) -> bool:
        return self._writer is not None and self._writer.alive

    def flush(self, timeout: float | None = 5.0) -> bool:
        return True if self._writer is None else self._writer.flush(timeout)

    def close_writer(self, timeout: float | None = 10.0) -> bool:
        """Flush and stop the writer and the prober (shutdown). Later writes are synchronous."""
        self._stop.set()
        writer, self._writer = self._writer, None
        return True if writer is None else writer.close(timeout)

    # -- durable writes -------------------------------------------------------------------------
    def commit(self, items: list, *, timeout: float | None = None) -> dict[int, str]:
        """Write `items` durably: {index: "unknown_session" | "invalid"} for those refused.
        Raises StoreError when they could not be committed within `timeout` (never drops)."""
        timeout = self.ack_timeout_s if timeout is None else timeout
        writer = self._writer
        if writer is None or not writer.alive:
            try:
                return self.store.write(items)
            except StoreError as err:
                self._mark(err)
                raise
        self._check_available()
        deadline = time.monotonic() + timeout
        tickets = []
        for item in items:
            ticket = writer.submit(item, timeout=min(QUEUE_WAIT_S, max(0.0, deadline - time.monotonic())))
            if ticket is None:
                raise StoreError("The conversation store is saturated; this message was not saved. "
                                 "Try again in a moment.")
            tickets.append(ticket)
        out: dict[int, str] = {}
        for i, ticket in enumerate(tickets):
            status = ticket.wait(max(0.0, deadline - time.monotonic()))
            if status in ("unknown_session", "invalid"):
                out[i] = status
            elif status != "ok":
                if status is None:
                    self._check_available()
                raise StoreError(f"Conversation store unavailable ({self.reason or 'timeout'}); this message "
                                 "was not saved. Try again in a minute.")
        return out

    def log_exchange(self, session_id, *, visitor, bot, findings=(), kind=None, citations=(), latency_ms=None,
                     create=None, exchange_id=None, timeout: float | None = None) -> bool:
        """Store one question and its answer together (one transaction). `visitor` must be guard
        output; `bot` guard output or a `PolicyText` (redacted here, on the caller's thread, with
        the guard given to start_writer). Returns True once committed. Raises StoreError if it
        could not be committed (tell the visitor), NotFoundError if the session was erased."""
        guard = getattr(self._writer, "redact", None)
        redact = functools.partial(self._redact_policy, guard) if guard is not None else None
        item = exchange(session_id, (
            message("visitor", visitor, findings=findings),
            message("bot", bot, kind=kind, citations=citations, latency_ms=latency_ms, redact=redact),
        ), create=create, exchange_id=exchange_id)
        refused = self.commit([item], timeout=timeout)
        if refused.get(0) == "unknown_session":
            raise NotFoundError("Unknown session id: this conversation was erased or has expired.")
        if refused.get(0) == "invalid":
            raise StoreError("The conversation store refused this message; it was not saved.")
        return True

    def _redact_policy(self, guard, text: str, lang: str | None = None):
        """The guard's redaction of an extractive answer, from a bounded cache: answers are built
        from the same policy passages, so most repeat even when the questions never do."""
        key = (text, lang)
        with self._cache_lock:
            hit = self._redacted.get(key)
            if hit is not None:
                self._redacted.move_to_end(key)
                return hit
        value = guard(text, lang=lang)
        with self._cache_lock:
            self._redacted[key] = value
            while len(self._redacted) > REDACT_CACHE:
                self._redacted.popitem(last=False)
        return value

    def open_session(self, site, lang) -> tuple[str, str]:
        """A new visitor session (id, token), committed. Raises StoreError when unavailable."""
        from bot.store.store import visitor_session

        item, session_id, token = visitor_session(site, lang)
        self.commit([item])
        return session_id, token

    def check_access(self, session_id, token, site) -> str:
        self._check_available()
        return self._read("check_access", session_id, token, site)

    # -- conversation state (bot/store/state.py wraps these) -------------------------------------
    def load_state(self, session_id):
        self._check_available()
        return self._read("load_state", session_id)

    def save_state(self, session_id, data) -> bool:
        return not self.commit([state_write(session_id, data)])

    # -- staff writes: None instead of a database failure ----------------------------------------
    def _write(self, name: str, *args, **kwargs):
        try:
            result = getattr(self.store, name)(*args, **kwargs)
        except StoreError as err:
            self._mark(err)
            return None
        self._recovered(name)
        return result

    def create_session(self, site, lang, session_id=None):
        """The session id, or None if the store is degraded."""
        if session_id is not None and self.background:
            try:
                self.commit([exchange(session_id, (), create=(site, lang))])
            except StoreError:
                return None
            return session_id
        return self._write("create_session", site, lang, session_id)

    def add_message(self, session_id, role, text, **kwargs):
        return self._write("add_message", session_id, role, text, **kwargs)

    def add_feedback(self, session_id, rating, comment=None, message_id=None, *, exchange_id=None):
        return self._write("add_feedback", session_id, rating, comment, message_id, exchange_id=exchange_id)

    # -- reads and erasure: every acknowledged write is already committed (no flush needed) ------
    def _read(self, name: str, *args, **kwargs):
        try:
            return getattr(self.store, name)(*args, **kwargs)
        except StoreError as err:
            if getattr(err, "reason", None) in ("unreachable", "timeout", "disk_full", "read_only", "corrupt"):
                self._mark(err)
            raise

    def export_session(self, session_id):
        return self._read("export_session", session_id)

    def delete_session(self, session_id):
        return self._read("delete_session", session_id)

    def session_exists(self, session_id):
        self._check_available()
        return self._read("session_exists", session_id)

    def list_sessions(self, *args, **kwargs):
        return self._read("list_sessions", *args, **kwargs)

    def stats(self):
        return self._read("stats")

    def purge(self, *args, **kwargs):
        return self._read("purge", *args, **kwargs)

    def health(self) -> tuple[bool, str]:
        """(ok, detail): the store can be read now and, if it was degraded, written again."""
        try:
            store = self.store
        except StoreError as err:
            return False, err.message
        writer = self._writer
        if writer is not None and writer.stalled_for() > self.stall_s:
            self._mark_reason("timeout")
            return False, "degraded: timeout (a write is stuck in the database)"
        ok, detail = store.health()
        if ok and self.degraded:
            try:
                store.write_probe()
            except StoreError as err:
                self._mark(err)
                return False, f"degraded: {self.reason}; {detail}"
            self._recovered("probe")
        elif not ok:
            self._mark_reason("unreachable")
        return ok and not self.degraded, detail if ok else f"degraded: {self.reason}; {detail}"

    def __getattr__(self, name):  # everything else: delegate (may raise StoreError)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.store, name)


def open_safe_store(settings=None, *, retry_s: float = 5.0) -> SafeStore:
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
