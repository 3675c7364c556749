"""What the store writes, validated on the caller's thread, and how a batch of it is applied.

Items: `Exchange` (a question and its answer, maybe creating the session first),
`StateWrite` (the engine's follow-up state, or its removal) and `FeedbackWrite` (one vote per
(session, exchange), a comment attached to it). Text arrives as guard output (`Redacted`), is
sanitised for the database (sanitize.py) and sealed with the session's key (crypto.py) only
inside the transaction.

Conflict-free writes: a batch inserts sessions and messages, and upserts state and feedback
rows in session-id order after taking a KEY SHARE lock on every session it touches (also in
id order); it never updates a session row. Two processes' batches therefore never wait on each
other in a cycle, and erasure (which locks the session row first) cannot deadlock with them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.errors import InputError, StoreError
from bot.store import models as m
from bot.store.crypto import seal
from bot.store.sanitize import db_text
from guards.types import Inspection, Redacted

ROLES = ("visitor", "bot")
RATINGS = ("up", "down")
STATE_MAX_BYTES = 4096
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
EXCHANGE_ID = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
SITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
_ENTITY = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
_KIND = re.compile(r"^[a-z][a-z_]{0,31}$")


class PolicyText:
    """An extractive answer: catalogue strings and policy text only, no visitor words. It is
    passed through the guard (`redact`) before it is queued; it never reaches the database as is."""

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


# ------------------------------------------------------------------------------ validation
def check_session_id(session_id) -> str:
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise InputError("session_id must be 8-64 characters of letters, digits, '-' or '_'.")
    return session_id


def check_exchange_id(exchange_id) -> str | None:
    if exchange_id is not None and (not isinstance(exchange_id, str) or not EXCHANGE_ID.match(exchange_id)):
        raise InputError("exchange_id must be 4-64 characters of letters, digits, '-' or '_' (Answer.exchange_id).")
    return exchange_id


def check_site_lang(site, lang) -> None:
    if site is not None and (not isinstance(site, str) or not SITE.match(site)):
        raise InputError("site must be a short site key (letters, digits, . _ : -), e.g. 'ece.fr'.")
    if not isinstance(lang, str) or not LANG.match(lang):
        raise InputError("lang must be a language code such as 'en' or 'fr'.")


def check_message_fields(kind, latency_ms) -> None:
    if kind is not None and (not isinstance(kind, str) or not _KIND.match(kind)):
        raise InputError("kind must be a short lower-case name such as 'answer' or 'refusal'.")
    if latency_ms is not None and (isinstance(latency_ms, bool) or not isinstance(latency_ms, (int, float))
                                   or latency_ms < 0):
        raise InputError("latency_ms must be a non-negative number or None.")


def redacted_text(value, what: str) -> tuple[str, tuple]:
    """(sanitised redacted text, the guard's findings when an Inspection is given)."""
    if isinstance(value, Inspection):
        return db_text(value.redacted.text), tuple(value.findings)
    if isinstance(value, Redacted):
        return db_text(value.text), ()
    raise TypeError(f"{what} must be guard output (guards.types.Redacted), not {type(value).__name__}: "
                    "pass the text through guards.guard.get_guard().redact() or .inspect() first.")


def entity_counts(findings: Iterable) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for f in findings:
        entity = f.get("entity") if isinstance(f, dict) else getattr(f, "entity", f)
        if not isinstance(entity, str) or not _ENTITY.match(entity):
            raise InputError("findings must be guard Findings (or entity names like 'EMAIL_ADDRESS').")
        counts[entity] = counts.get(entity, 0) + 1
    return tuple(sorted(counts.items()))


def section_ids(citations: Iterable) -> tuple[str, ...]:
    out: list[str] = []
    for c in citations:
        sid = c.get("section_id") if isinstance(c, dict) else getattr(c, "section_id", c)
        if not isinstance(sid, str) or not sid.strip() or len(sid) > 200 or "\n" in sid:
            raise InputError("citations must be Citations or policy section ids (non-empty, one line, ≤200 chars).")
        out.append(db_text(sid))
    return tuple(out)


# ------------------------------------------------------------------------------ items
@dataclass(frozen=True)
class NewSession:
    session_id: str
    site: str | None
    lang: str
    token_hash: str | None = None


@dataclass(frozen=True)
class MessageWrite:
    role: str
    text: str  # redacted, sanitised
    kind: str | None
    entities: tuple[tuple[str, int], ...]
    sections: tuple[str, ...]
    latency_ms: float | None


@dataclass(frozen=True)
class Exchange:
    """What one question writes: maybe the session row, then its messages, in one transaction."""

    session_id: str
    create: NewSession | None
    messages: tuple[MessageWrite, ...]
    exchange_id: str | None = None


@dataclass(frozen=True)
class StateWrite:
    session_id: str
    data: str | None  # JSON text; None removes the state


@dataclass(frozen=True)
class FeedbackWrite:
    session_id: str
    exchange_id: str | None
    rating: str
    comment: str | None
    message_id: int | None


def message(role: str, text, *, kind=None, findings: Iterable = (), citations: Iterable = (), latency_ms=None,
            redact: Callable[..., Redacted] | None = None) -> MessageWrite:
    """A validated message write. Visitor text must be guard output; the bot's may also be a
    PolicyText, redacted here with `redact` (the guard's) on the caller's thread."""
    if role not in ROLES:
        raise InputError("role must be 'visitor' or 'bot'.")
    if role == "bot" and isinstance(text, PolicyText):
        if redact is None:
            raise TypeError("a PolicyText answer needs the guard's redact(); pass Redacted text instead")
        text = redact(text.text, lang=text.lang)
    body, inspected = redacted_text(text, f"{role} text")
    check_message_fields(kind, latency_ms)
    return MessageWrite(role, body, kind, entity_counts(tuple(findings) or inspected), section_ids(citations),
                        None if latency_ms is None else float(latency_ms))


def exchange(session_id: str, messages: Iterable[MessageWrite], *, create: tuple | None = None,
             exchange_id: str | None = None) -> Exchange:
    check_session_id(session_id)
    msgs = tuple(messages)
    if not all(isinstance(x, MessageWrite) for x in msgs):
        raise TypeError("messages must be built with bot.store.writes.message().")
    made = None
    if create is not None:
        site, lang = create[0], create[1]
        check_site_lang(site, lang)
        made = NewSession(session_id, site, lang, create[2] if len(create) > 2 else None)
    return Exchange(session_id, made, msgs, check_exchange_id(exchange_id))


def state_write(session_id: str, data: dict | None) -> StateWrite:
    check_session_id(session_id)
    if data is None:
        return StateWrite(session_id, None)
    if not isinstance(data, dict):
        raise InputError("conversation state must be a dict (JSON object).")
    try:
        text = db_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    except (TypeError, ValueError):
        raise InputError("conversation state must be JSON-serialisable (str, numbers, lists, dicts).") from None
    if len(text.encode("utf-8")) >= STATE_MAX_BYTES:
        raise InputError(f"conversation state must stay under {STATE_MAX_BYTES} bytes as JSON; keep only "
                         "what follow-ups need (audience, pending clarification, last question).")
    return StateWrite(session_id, text)


def feedback_write(session_id, rating, comment=None, *, exchange_id=None, message_id=None) -> FeedbackWrite:
    check_session_id(session_id)
    if rating not in RATINGS:
        raise InputError("rating must be 'up' or 'down'.")
    if message_id is not None and (isinstance(message_id, bool) or not isinstance(message_id, int)):
        raise InputError("message_id must be an integer message id or None.")
    body = None if comment is None else redacted_text(comment, "comment")[0]
    return FeedbackWrite(session_id, check_exchange_id(exchange_id), rating, body, message_id)


# ------------------------------------------------------------------------------ applying
def _upsert(backend: str):
    return pg_insert if backend == "postgresql" else sqlite_insert


def apply_batch(store, conn, items: list, now, ids_out: dict | None = None) -> dict[int, str]:
    """Write `items` inside the open transaction `conn` of `store` (a ConversationStore).
    Returns {index: "unknown_session"} for items skipped because their session does not exist
    (erased meanwhile); everything else is written (`ids_out[index]`: the new message ids).
    Raises NotFoundError for feedback on a message of another session."""
    ins = _upsert(store.backend)
    creates = sorted({it.create.session_id: it.create for it in items if isinstance(it, Exchange) and it.create}
                     .values(), key=lambda c: c.session_id)
    for c in creates:
        conn.execute(ins(m.sessions).values(id=c.session_id, site=c.site, lang=c.lang, token_hash=c.token_hash,
                                            created_at=now, last_activity_at=now)
                     .on_conflict_do_nothing(index_elements=["id"]))
    touched = sorted({it.session_id for it in items if not (isinstance(it, Exchange) and not it.messages)})
    q = select(m.sessions.c.id).where(m.sessions.c.id.in_(touched)).order_by(m.sessions.c.id)
    if store.backend == "postgresql":
        q = q.with_for_update(key_share=True)  # the same lock order in every process
    existing = set(conn.execute(q).scalars()) if touched else set()
    ciphers = store.keys.ciphers(existing)
    skipped: dict[int, str] = {}
    rows, findings, owners = [], [], []
    live = []
    for i, it in enumerate(items):
        if isinstance(it, Exchange) and not it.messages:
            continue
        if it.session_id not in existing or it.session_id not in ciphers:
            skipped[i] = "unknown_session"
            continue
        live.append((i, it))
    for i, it in ((i, x) for i, x in live if isinstance(x, Exchange)):
        cipher = ciphers[it.session_id]
        for msg in it.messages:
            rows.append({"session_id": it.session_id, "exchange_id": it.exchange_id, "role": msg.role,
                         "body": seal(cipher, it.session_id, "message", msg.text), "kind": msg.kind,
                         "citations": list(msg.sections), "latency_ms": msg.latency_ms, "created_at": now})
            findings.append(msg.entities)
            owners.append(i)
    if rows:
        ids = conn.execute(insert(m.messages).returning(m.messages.c.id, sort_by_parameter_order=True),
                           rows).scalars().all()
        if ids_out is not None:
            for owner, mid in zip(owners, ids, strict=True):
                ids_out.setdefault(owner, []).append(mid)
        found = [{"message_id": mid, "entity": e, "count": c} for mid, ents in zip(ids, findings, strict=True)
                 for e, c in ents]
        if found:
            conn.execute(insert(m.message_findings), found)
    for it in sorted((x for _, x in live if isinstance(x, StateWrite)), key=lambda x: x.session_id):
        _apply_state(conn, ins, it, ciphers[it.session_id], now)
    for it in sorted((x for _, x in live if isinstance(x, FeedbackWrite)),
                     key=lambda x: (x.session_id, x.exchange_id or "")):
        _apply_feedback(conn, ins, it, ciphers[it.session_id], now)
    return skipped


def _apply_state(conn, ins, it: StateWrite, cipher, now) -> None:
    table = m.conversation_state
    if it.data is None:
        conn.execute(table.delete().where(table.c.session_id == it.session_id))
        return
    body = seal(cipher, it.session_id, "state", it.data)
    conn.execute(ins(table).values(session_id=it.session_id, body=body, updated_at=now)
                 .on_conflict_do_update(index_elements=["session_id"], set_={"body": body, "updated_at": now}))


def _apply_feedback(conn, ins, it: FeedbackWrite, cipher, now) -> None:
    from bot.errors import NotFoundError

    fb = m.feedback
    message_id = it.message_id
    if message_id is not None and conn.execute(select(m.messages.c.id).where(
            m.messages.c.id == message_id, m.messages.c.session_id == it.session_id)).first() is None:
        raise NotFoundError("Unknown message id for this session; rate a message of the same session.")
    if message_id is None and it.exchange_id is not None:
        message_id = conn.execute(select(m.messages.c.id).where(
            m.messages.c.session_id == it.session_id, m.messages.c.exchange_id == it.exchange_id,
            m.messages.c.role == "bot").limit(1)).scalar_one_or_none()
    comment = None if it.comment is None else seal(cipher, it.session_id, "comment", it.comment)
    values = {"session_id": it.session_id, "exchange_id": it.exchange_id, "message_id": message_id,
              "rating": it.rating, "comment": comment, "created_at": now, "updated_at": now}
    if it.exchange_id is None:  # a vote on the whole conversation (staff flags, older clients)
        conn.execute(insert(fb).values(**values))
        return
    changes = {"rating": it.rating, "updated_at": now}
    if comment is not None:
        changes["comment"] = comment  # a later comment replaces the earlier one; a bare vote keeps it
    if message_id is not None:
        changes["message_id"] = message_id
    conn.execute(ins(fb).values(**values).on_conflict_do_update(
        index_elements=["session_id", "exchange_id"], set_=changes))


def feedback_id(conn, it: FeedbackWrite) -> int | None:
    fb = m.feedback
    q = select(fb.c.id).where(fb.c.session_id == it.session_id)
    q = q.where(fb.c.exchange_id == it.exchange_id) if it.exchange_id else q.where(fb.c.exchange_id.is_(None))
    return conn.execute(q.order_by(fb.c.id.desc()).limit(1)).scalar_one_or_none()


def write_items(store, items: list, now) -> dict[int, str]:
    """Write `items` in ONE transaction of `store`. When the batch fails because of one record
    (a value the database refuses), each item is retried alone so that only that record is
    refused: {index: "unknown_session" | "invalid"}. Raises StoreError when the store itself
    fails (unreachable, disk full, ...)."""
    store.keys.ensure((it.create.session_id for it in items if isinstance(it, Exchange) and it.create), now)
    try:
        return store.db.run("write_batch", lambda conn: apply_batch(store, conn, items, now))
    except StoreError as err:
        if not getattr(err, "record", False) or len(items) == 1:
            if getattr(err, "record", False):
                return {0: "invalid"}
            raise
    out: dict[int, str] = {}
    for i, it in enumerate(items):
        try:
            got = store.db.run("write_item", lambda conn, it=it: apply_batch(store, conn, [it], now))
        except StoreError as err:
            if not getattr(err, "record", False):
                raise
            out[i] = "invalid"
        else:
            if got:
                out[i] = got[0]
    return out


__all__ = ["Exchange", "FeedbackWrite", "MessageWrite", "NewSession", "PolicyText", "StateWrite", "apply_batch",
           "exchange", "feedback_write", "message", "state_write", "write_items"]
