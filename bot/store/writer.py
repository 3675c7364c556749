"""Conversation writes off the request threads: one background thread, a bounded queue, group
commit, and a ticket per item so that the caller knows when its write is durable.

    writer = safe.start_writer(redact=guard.redact)
    ticket = writer.submit(item, timeout=2.0)     # None: still full after 2 s (back-pressure)
    ticket.wait(5.0)                              # "ok" once committed; None if not in time

Durability: "acknowledged" means committed. Callers wait on their ticket (many tickets share
one transaction, i.e. one fsync, under load). A full queue makes the caller wait for room
(back-pressure) instead of dropping the write; if there is still no room in time, or the commit
does not happen in time, the caller is told (nothing is ever dropped silently). A waiter that
gives up before its item is picked up cancels it, so what the visitor was told stays true.

Failures: a value the database refuses fails only its own item ("invalid"), the rest of the
batch commits. A database failure marks the SafeStore degraded (text-free log) and the batch is
retried once; then its items fail. An item whose session no longer exists (erased meanwhile)
is skipped alone ("unknown_session"), so an erased conversation never comes back.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable

from bot.errors import StoreError
from bot.logsafe import log_event
from bot.store.writes import Exchange, PolicyText, exchange, message

log = logging.getLogger("bot.store")

DEFAULT_MAX_QUEUE = 4096
DEFAULT_MAX_BATCH = 256
RETRY_DELAY_S = 0.25

__all__ = ["DEFAULT_MAX_BATCH", "DEFAULT_MAX_QUEUE", "Exchange", "PolicyText", "StoreWriter", "Ticket", "exchange",
           "message"]


class Ticket:
    """One queued item's fate: None while pending, then "ok", "unknown_session", "invalid",
    "failed" or "cancelled"."""

    __slots__ = ("item", "status", "_done", "_lock", "started")

    def __init__(self, item):
        self.item = item
        self.status: str | None = None
        self.started = False
        self._done = threading.Event()
        self._lock = threading.Lock()

    def _begin(self) -> bool:
        with self._lock:
            if self.status == "cancelled":
                return False
            self.started = True
            return True

    def _finish(self, status: str) -> None:
        self.status = status
        self._done.set()

    def wait(self, timeout: float | None) -> str | None:
        """The final status, or None if not known within `timeout` (an item not yet picked up is
        then cancelled: it will not be written)."""
        if self._done.wait(timeout):
            return self.status
        with self._lock:
            if not self.started:
                self.status = "cancelled"
                self._done.set()
                return "cancelled"
        return None


class StoreWriter:
    """The single background writer of a SafeStore (see the module docstring).

    `safe`: the SafeStore (its `.store` opens the database; `_mark`/`_recovered` track the
    degraded state). `on_unknown_session(session_id)`: called when an item is skipped because
    its session was erased (e.g. the engine forgets its memory of it)."""

    def __init__(self, safe, *, max_queue: int = DEFAULT_MAX_QUEUE, max_batch: int = DEFAULT_MAX_BATCH,
                 on_unknown_session: Callable[[str], object] | None = None, redact=None):
        if max_queue < 1 or max_batch < 1:
            raise ValueError("max_queue and max_batch must be >= 1")
        self._safe = safe
        self.redact = redact
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self.max_batch = max_batch
        self.on_unknown_session = on_unknown_session
        self._cond = threading.Condition()
        self._submitted = 0
        self._done = 0
        self._closed = False
        self._batch_started: float | None = None
        self.stats = {"batches": 0, "committed": 0, "skipped": 0, "invalid": 0, "failed": 0, "cancelled": 0,
                      "rejected": 0, "max_batch_seen": 0}
        self._thread = threading.Thread(target=self._run, name="privacybot-store-writer", daemon=True)
        self._thread.start()

    # -- producer side (request threads) --------------------------------------------------
    def submit(self, item, *, timeout: float = 2.0) -> Ticket | None:
        """Queue one item, waiting up to `timeout` s for room (back-pressure). None if the
        queue is still full (or the writer is closed): the caller must say it was not saved."""
        ticket = Ticket(item)
        with self._cond:
            if self._closed:
                self.stats["rejected"] += 1
                return None
            self._submitted += 1
        try:
            self._queue.put(ticket, timeout=max(0.0, timeout))
        except queue.Full:
            with self._cond:
                self._submitted -= 1
                self.stats["rejected"] += 1
            log_event(log, "store.queue_full", level=logging.WARNING)
            return None
        return ticket

    @property
    def pending(self) -> int:
        with self._cond:
            return self._submitted - self._done

    def stalled_for(self) -> float:
        """Seconds the current batch has been in the database (0.0 when idle)."""
        started = self._batch_started
        return 0.0 if started is None else time.monotonic() - started

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every item submitted before this call is done. True if within `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._submitted
            while self._done < target:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float | None = 10.0) -> bool:
        """Flush, then stop the thread. Later submits are refused. True if everything was written."""
        flushed = self.flush(timeout)
        with self._cond:
            self._closed = True
        with contextlib.suppress(queue.Full):  # the thread is draining it
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)
        return flushed

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    # -- consumer side (the writer thread) -------------------------------------------------
    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            batch = [] if first is None else [first]
            stop = first is None
            while len(batch) < self.max_batch:
                try:
                    ticket = self._queue.get_nowait()
                except queue.Empty:
                    break
                if ticket is None:
                    stop = True
                    break
                batch.append(ticket)
            if batch:
                self._write(batch)

    def _write(self, batch: list[Ticket]) -> None:
        live = [t for t in batch if t._begin()]
        results: dict[str, int] = {"cancelled": len(batch) - len(live)}
        self._batch_started = time.monotonic()
        try:
            for attempt in (0, 1):
                try:
                    outcomes = self._safe.store.write([t.item for t in live]) if live else {}
                except StoreError as err:
                    self._safe._mark(err)
                    if attempt == 0:
                        time.sleep(RETRY_DELAY_S)
                        continue
                    outcomes = {i: "failed" for i in range(len(live))}
                except Exception as exc:  # noqa: BLE001 - the writer thread must survive anything
                    log_event(log, "store.writer_error", level=logging.ERROR, exc=exc)
                    self._safe._mark_reason("writer_error")
                    outcomes = {i: "failed" for i in range(len(live))}
                else:
                    self._safe._recovered("write_batch")  # the store works (a record may not)
                break
        finally:
            self._batch_started = None
        for i, ticket in enumerate(live):
            status = outcomes.get(i, "ok")
            results[status] = results.get(status, 0) + 1
            ticket._finish(status)
            if status == "unknown_session" and self.on_unknown_session is not None:
                try:
                    self.on_unknown_session(ticket.item.session_id)
                except Exception as exc:  # noqa: BLE001
                    log_event(log, "store.writer_callback_failed", level=logging.WARNING, exc=exc)
        for status in ("failed", "invalid"):
            if results.get(status):
                log_event(log, f"store.write_{status}", level=logging.ERROR, count=results[status])
        with self._cond:
            self.stats["batches"] += 1
            self.stats["committed"] += results.get("ok", 0)
            self.stats["skipped"] += results.get("unknown_session", 0)
            for key in ("invalid", "failed", "cancelled"):
                self.stats[key] += results.get(key, 0)
            self.stats["max_batch_seen"] = max(self.stats["max_batch_seen"], len(batch))
            self._done += len(batch)
            self._cond.notify_all()
