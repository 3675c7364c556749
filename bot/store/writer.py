"""Conversation writes off the request path: one background thread, a bounded queue, group commit.

    writer = StoreWriter(safe_store, redact=guard.redact)   # usually via SafeStore.start_writer()
    writer.submit(Exchange(...))                             # False: queue full / closed (degraded)
    writer.flush(timeout=5.0)                                # True once everything submitted is committed

Privacy: an `Exchange` is validated when it is built, on the request thread, not only when it
is written. Visitor text must be guard output (`guards.types.Redacted`); a raw `str` raises
TypeError there. The bot's own answer is either `Redacted` too (LLM mode: the engine guards it
on the request path) or a `PolicyText`: extractive answers are built only from catalogue strings
and policy text (never the visitor's words), and the writer passes them through the guard
(`redact`) before they become a `Redacted` and are stored (defence in depth at zero request
latency; repeated answers hit a bounded cache of the guard's output).

Durability: "acknowledged" means committed. `flush()` waits until every exchange submitted
before the call is committed (or has failed, which marks the store degraded). The writer drains
whatever is queued (up to `max_batch` exchanges) into ONE transaction, so under load many
exchanges share one fsync. A database failure marks the SafeStore degraded (text-free log);
the exchanges of that batch are lost, answers keep flowing. An exchange for a session that no
longer exists (erased meanwhile) is dropped alone, so an erased conversation never comes back.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.errors import InputError, NotFoundError, StoreError
from bot.logsafe import log_event
from bot.store.store import check_message_fields
from guards.types import Inspection, Redacted

log = logging.getLogger("bot.store")

_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
DEFAULT_MAX_QUEUE = 2000
DEFAULT_MAX_BATCH = 128
BOT_CACHE_SIZE = 2048


class PolicyText:
    """An extractive answer: catalogue strings and policy text only, no visitor words. The writer
    redacts it with the guard before storing; it never reaches the database as it is."""

    __slots__ = ("_text", "lang")

    def __init__(self, text: str, lang: str = "en"):
        if not isinstance(text, str):
            raise TypeError("PolicyText must be a str built from the catalogue and the policy.")
        self._text, self.lang = text, lang

    @property
    def text(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"PolicyText({len(self._text)} chars)"


@dataclass(frozen=True)
class CreateSession:
    session_id: str
    site: str | None
    lang: str


@dataclass(frozen=True)
class MessageWrite:
    role: str
    text: Redacted | PolicyText
    kind: str | None
    entities: tuple[tuple[str, int], ...]
    sections: tuple[str, ...]
    latency_ms: float | None


@dataclass(frozen=True)
class Exchange:
    """What one question writes: maybe the session row, then its messages, in one transaction."""

    session_id: str
    create: CreateSession | None
    messages: tuple[MessageWrite, ...]


def message(role: str, text, *, kind: str | None = None, findings: Iterable = (), citations: Iterable = (),
            latency_ms: float | None = None) -> MessageWrite:
    """A validated message write. Raises TypeError for anything but guard output (or, for the
    bot, a PolicyText) and InputError for bad arguments, on the caller's thread."""
    from bot.store.store import ROLES, _entity_counts, _section_ids

    if role not in ROLES:
        raise InputError("role must be 'visitor' or 'bot'.")
    inspected: tuple = ()
    if isinstance(text, Inspection):
        text, inspected = text.redacted, tuple(text.findings)
    if not isinstance(text, Redacted) and not (role == "bot" and isinstance(text, PolicyText)):
        raise TypeError(f"{role} text must be guard output (guards.types.Redacted), not {type(text).__name__}: "
                        "pass it through guards.guard.get_guard().inspect() first.")
    check_message_fields(kind, latency_ms)
    counts = _entity_counts(tuple(findings) or inspected)
    return MessageWrite(role, text, kind, tuple(sorted(counts.items())), tuple(_section_ids(citations)),
                        None if latency_ms is None else float(latency_ms))


def exchange(session_id: str, messages: Iterable[MessageWrite], *, create: tuple[str | None, str] | None = None
             ) -> Exchange:
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise InputError("session_id must be 8-64 characters of letters, digits, '-' or '_'.")
    msgs = tuple(messages)
    if not all(isinstance(m, MessageWrite) for m in msgs):
        raise TypeError("messages must be built with bot.store.writer.message().")
    made = None
    if create is not None:
        from bot.store.store import _LANG, _SITE

        site, lang = create
        if site is not None and (not isinstance(site, str) or not _SITE.match(site)):
            raise InputError("site must be a short site key (letters, digits, . _ : -), e.g. 'ece.fr'.")
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise InputError("lang must be a language code such as 'en' or 'fr'.")
        made = CreateSession(session_id, site, lang)
    return Exchange(session_id, made, msgs)


# ------------------------------------------------------------------------------ applying
def _apply(store, conn, item: Exchange, redact_bot: Callable[[PolicyText], Redacted]) -> None:
    """Write one exchange inside an open transaction of `store` (a ConversationStore)."""
    from sqlalchemy import insert, update
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from bot.store import models as m
    from bot.store.store import utcnow

    now = utcnow()
    if item.create is not None:
        dialect_insert = pg_insert if store.backend == "postgresql" else sqlite_insert
        conn.execute(dialect_insert(m.sessions).values(
            id=item.session_id, site=item.create.site, lang=item.create.lang, created_at=now, last_activity_at=now,
        ).on_conflict_do_nothing(index_elements=["id"]))
    if not item.messages:
        return
    store._require_session(conn, item.session_id)  # raises NotFoundError (erased meanwhile)
    for msg in item.messages:
        text = msg.text if isinstance(msg.text, Redacted) else redact_bot(msg.text)
        if not isinstance(text, Redacted):  # the redactor must be the guard
            raise TypeError("the bot-text redactor must return guards.types.Redacted")
        message_id = conn.execute(insert(m.messages).values(
            session_id=item.session_id, role=msg.role, text=text.text, kind=msg.kind, citations=list(msg.sections),
            latency_ms=msg.latency_ms, created_at=now,
        ).returning(m.messages.c.id)).scalar_one()
        if msg.entities:
            conn.execute(insert(m.message_findings), [
                {"message_id": message_id, "entity": e, "count": c} for e, c in msg.entities])
    conn.execute(update(m.sessions).where(m.sessions.c.id == item.session_id).values(last_activity_at=now))


def write_exchanges(store, items: list[Exchange], redact_bot: Callable[[PolicyText], Redacted]) -> list[Exchange]:
    """Write `items` in ONE transaction of `store` (a ConversationStore). If one of them names a
    session that no longer exists, the batch is retried one transaction per exchange and those
    are skipped. Returns the skipped exchanges. Raises StoreError on a database failure."""
    try:
        with store._tx("write_batch") as conn:
            for item in items:
                _apply(store, conn, item, redact_bot)
        return []
    except (NotFoundError, InputError):
        if len(items) == 1:
            return list(items)
    skipped = []
    for item in items:
        try:
            with store._tx("write_exchange") as conn:
                _apply(store, conn, item, redact_bot)
        except (NotFoundError, InputError):
            skipped.append(item)
    return skipped


# ------------------------------------------------------------------------------ the thread
class _BoundedCache:
    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()

    def get_or(self, key, make):
        value = self._data.get(key)
        if value is None:
            value = make()
            self._data[key] = value
            if len(self._data) > self.size:
                self._data.popitem(last=False)
        else:
            self._data.move_to_end(key)
        return value


class StoreWriter:
    """The single background writer of a SafeStore (see the module docstring).

    `safe`: the SafeStore (its `.store` opens the database, `_mark`/`_recovered` track degraded
    state). `redact`: the guard's `redact(text, lang) -> Redacted`, for PolicyText answers.
    `on_unknown_session(session_id)`: called (on the writer thread) when an exchange is dropped
    because its session was erased, e.g. `engine.forget_session`."""

    def __init__(self, safe, *, redact: Callable[..., Redacted] | None = None, max_queue: int = DEFAULT_MAX_QUEUE,
                 max_batch: int = DEFAULT_MAX_BATCH, on_unknown_session: Callable[[str], object] | None = None):
        if max_queue < 1 or max_batch < 1:
            raise ValueError("max_queue and max_batch must be >= 1")
        self._safe = safe
        self._redact = redact
        self._queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self.max_batch = max_batch
        self.on_unknown_session = on_unknown_session
        self._cache = _BoundedCache(BOT_CACHE_SIZE)
        self._cond = threading.Condition()
        self._submitted = 0  # exchanges accepted into the queue
        self._done = 0  # exchanges committed, skipped or lost
        self._closed = False
        self.stats = {"batches": 0, "committed": 0, "skipped": 0, "lost": 0, "rejected": 0, "max_batch_seen": 0}
        self._thread = threading.Thread(target=self._run, name="privacybot-store-writer", daemon=True)
        self._thread.start()

    # -- producer side (request threads) --------------------------------------------------
    def submit(self, item: Exchange) -> bool:
        """Queue one exchange; False (and the store marked degraded) if the queue is full or closed."""
        if not isinstance(item, Exchange):
            raise TypeError("submit() takes a bot.store.writer.Exchange")
        if any(isinstance(m.text, PolicyText) for m in item.messages) and self._redact is None:
            raise TypeError("this writer has no guard to redact PolicyText; pass Redacted text")
        with self._cond:
            if self._closed:
                self.stats["rejected"] += 1
                accepted = False
            else:
                try:
                    self._queue.put_nowait(item)
                    self._submitted += 1
                    accepted = True
                except queue.Full:
                    self.stats["rejected"] += 1
                    accepted = False
        if not accepted:
            self._safe._mark_reason("queue_full" if not self._closed else "writer_closed")
        return accepted

    @property
    def pending(self) -> int:
        with self._cond:
            return self._submitted - self._done

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every exchange submitted before this call is committed (or failed).
        True if that happened within `timeout` seconds."""
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
        self._queue.put(None)  # wake the thread (the queue cannot stay full: it is draining)
        self._thread.join(timeout)
        return flushed

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    # -- consumer side (the writer thread) -------------------------------------------------
    def _redact_bot(self, text: PolicyText) -> Redacted:
        return self._cache.get_or((text.text, text.lang), lambda: self._redact(text.text, lang=text.lang))

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            batch = [] if first is None else [first]
            stop = first is None
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            if batch:
                self._write(batch)

    def _write(self, batch: list[Exchange]) -> None:
        skipped: list[Exchange] = []
        lost = 0
        try:
            # Guard the PolicyText answers before the transaction opens (no lock held meanwhile).
            redacted = {id(m.text): self._redact_bot(m.text) for item in batch for m in item.messages
                        if isinstance(m.text, PolicyText)}
            skipped = write_exchanges(self._safe.store, batch, lambda text: redacted[id(text)])
        except StoreError as err:
            self._safe._mark(err)
            lost = len(batch)
        except Exception as exc:  # noqa: BLE001 - the writer thread must survive anything
            log_event(log, "store.writer_error", level=logging.ERROR, exc=exc)
            self._safe._mark_reason("writer_error")
            lost = len(batch)
        else:
            self._safe._recovered("write_batch")
        if skipped:
            log_event(log, "store.write_skipped", level=logging.WARNING, reason="unknown_session", count=len(skipped))
            for item in skipped:
                if self.on_unknown_session is not None:
                    try:
                        self.on_unknown_session(item.session_id)
                    except Exception as exc:  # noqa: BLE001
                        log_event(log, "store.writer_callback_failed", level=logging.WARNING, exc=exc)
        if lost:
            log_event(log, "store.write_lost", level=logging.ERROR, count=lost)
        with self._cond:
            self.stats["batches"] += 1
            self.stats["committed"] += len(batch) - len(skipped) - lost
            self.stats["skipped"] += len(skipped)
            self.stats["lost"] += lost
            self.stats["max_batch_seen"] = max(self.stats["max_batch_seen"], len(batch))
            self._done += len(batch)
            self._cond.notify_all()
