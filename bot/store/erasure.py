"""Erasure and retention: a session is erased everywhere at once.

Order matters: the session's key is shredded first (from that moment every copy of its text,
in database pages, WAL, replicas and backups, is unreadable), then its rows are deleted (the
session row is locked first, the same lock order as the writer's), then its staff exports.
Retention does the same for sessions idle longer than the retention period, drops old messages
of sessions still active, keys left without a session, expired exports and stale rate buckets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.errors import InputError, NotFoundError
from bot.logsafe import log_event
from bot.store import models as m
from bot.store.db import utcnow
from bot.store.reads import last_activity, naive_utc

log = logging.getLogger("bot.store")
CHUNK = 500
ORPHAN_KEY_GRACE = timedelta(days=1)  # a key may exist a moment before its session row commits
EXPORT_TTL_S = 24 * 3600.0
BUCKET_TTL_S = 3600.0


def _delete_rows(store, conn, ids: Sequence[str]) -> int:
    if not ids:
        return 0
    lock = select(m.sessions.c.id).where(m.sessions.c.id.in_(ids)).order_by(m.sessions.c.id)
    if store.backend == "postgresql":
        lock = lock.with_for_update()
    ids = list(conn.execute(lock).scalars())
    if not ids:
        return 0
    msg_ids = select(m.messages.c.id).where(m.messages.c.session_id.in_(ids))
    conn.execute(delete(m.feedback).where(m.feedback.c.session_id.in_(ids)))
    conn.execute(delete(m.conversation_state).where(m.conversation_state.c.session_id.in_(ids)))
    conn.execute(delete(m.message_findings).where(m.message_findings.c.message_id.in_(msg_ids)))
    conn.execute(delete(m.messages).where(m.messages.c.session_id.in_(ids)))
    return conn.execute(delete(m.sessions).where(m.sessions.c.id.in_(ids))).rowcount


def erase(store, ids: Sequence[str]) -> int:
    """Shred the keys, delete the rows and exports of these sessions; returns rows deleted."""
    ids = sorted(set(ids))
    n = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        store.keys.shred(chunk)
        n += store.db.run("erase", lambda conn, c=chunk: _delete_rows(store, conn, c))
        store.exports.forget(chunk)
    return n


def delete_session(store, session_id: str) -> None:
    if not store.session_exists(session_id):
        raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
    erase(store, [session_id])
    store.checkpoint()
    log_event(log, "store.session_erased")


def purge(store, older_than_days: int, now: datetime | None = None, *, dry_run: bool = False) -> int:
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 1:
        raise InputError("older_than_days must be a whole number of days ≥ 1.")
    now = naive_utc(now or utcnow())
    cutoff = now - timedelta(days=older_than_days)
    stale = select(m.sessions.c.id).where(last_activity(store.backend) < cutoff)
    if dry_run:
        return store.db.run("purge", lambda conn: conn.execute(
            select(func.count()).select_from(stale.subquery())).scalar_one(), write=False)
    ids = list(store.db.run("purge", lambda conn: conn.execute(stale).scalars().all(), write=False))
    removed = erase(store, ids)
    old = store.db.run("purge", lambda conn: _drop_old_rows(conn, cutoff))
    orphans = _shred_orphan_keys(store, now)
    expired = store.exports.expire(EXPORT_TTL_S)
    store.db.run("purge", lambda conn: conn.execute(delete(m.rate_buckets).where(
        m.rate_buckets.c.seen < time.time() - BUCKET_TTL_S)))
    store.checkpoint()
    log_event(log, "store.purged", sessions=removed, old_messages=old, orphan_keys=orphans, exports=expired,
              days=older_than_days)
    return removed


def _drop_old_rows(conn, cutoff: datetime) -> int:
    """Messages, votes and state older than the cutoff in sessions that are still active."""
    old_msgs = select(m.messages.c.id).where(m.messages.c.created_at < cutoff)
    conn.execute(delete(m.feedback).where(m.feedback.c.updated_at < cutoff))
    conn.execute(update(m.feedback).where(m.feedback.c.message_id.in_(old_msgs)).values(message_id=None))
    conn.execute(delete(m.conversation_state).where(m.conversation_state.c.updated_at < cutoff))
    conn.execute(delete(m.message_findings).where(m.message_findings.c.message_id.in_(old_msgs)))
    return conn.execute(delete(m.messages).where(m.messages.c.created_at < cutoff)).rowcount


def _shred_orphan_keys(store, now: datetime) -> int:
    candidates = store.keys.ids_created_before(now - ORPHAN_KEY_GRACE)
    orphans: list[str] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        have = set(store.db.run("purge", lambda conn, c=chunk: conn.execute(
            select(m.sessions.c.id).where(m.sessions.c.id.in_(c))).scalars().all(), write=False))
        orphans.extend(sid for sid in chunk if sid not in have)
    return store.keys.shred(orphans)
