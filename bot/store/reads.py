"""Staff and visitor reads of the conversation store: export (right of access), list, stats.
Text is decrypted with the session's key here; an erased key reads as `[erased]`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from bot.errors import InputError, NotFoundError
from bot.store import models as m
from bot.store.crypto import unseal
from bot.store.writes import RATINGS, ROLES, SESSION_ID


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


def naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def last_activity(backend: str) -> ColumnElement:
    """A session's last activity: its newest message, vote or state write (sessions are never
    updated on the write path, so two processes never contend for a session row)."""
    created = m.sessions.c.created_at
    newest = [func.coalesce(select(func.max(t.c[col])).where(t.c.session_id == m.sessions.c.id).scalar_subquery(),
                            created)
              for t, col in ((m.messages, "created_at"), (m.feedback, "updated_at"),
                             (m.conversation_state, "updated_at"))]
    greatest = func.greatest if backend == "postgresql" else func.max  # SQLite's max(a, b, ...) is scalar
    return greatest(created, *newest)


def export_session(store, session_id: str) -> dict:
    def run(conn):
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
        s = conn.execute(select(m.sessions, last_activity(store.backend).label("activity"))
                         .where(m.sessions.c.id == session_id)).first()
        if s is None:
            raise NotFoundError("Unknown session id. List sessions with `privacybot sessions list`.")
        msgs = conn.execute(select(m.messages).where(m.messages.c.session_id == session_id)
                            .order_by(m.messages.c.id)).all()
        found: dict[int, dict[str, int]] = {}
        for row in conn.execute(select(m.message_findings).join(m.messages).where(
                m.messages.c.session_id == session_id).order_by(m.message_findings.c.entity)):
            found.setdefault(row.message_id, {})[row.entity] = row.count
        fb = conn.execute(select(m.feedback).where(m.feedback.c.session_id == session_id)
                          .order_by(m.feedback.c.id)).all()
        return s, msgs, found, fb

    s, msgs, found, fb = store.db.run("export_session", run, write=False)
    cipher = store.keys.cipher(session_id)
    return {
        "session": {"id": s.id, "site": s.site, "lang": s.lang, "created": _iso(s.created_at),
                    "last_activity": _iso(s.activity)},
        "messages": [{"id": r.id, "exchange_id": r.exchange_id, "role": r.role,
                      "text": unseal(cipher, session_id, "message", r.body), "kind": r.kind,
                      "entities": found.get(r.id, {}), "citations": list(r.citations or []),
                      "latency_ms": r.latency_ms, "created": _iso(r.created_at)} for r in msgs],
        "feedback": [{"id": r.id, "exchange_id": r.exchange_id, "rating": r.rating,
                      "comment": unseal(cipher, session_id, "comment", r.comment), "message_id": r.message_id,
                      "created": _iso(r.created_at), "updated": _iso(r.updated_at)} for r in fb],
    }


def list_sessions(store, site=None, since=None, until=None, rating=None, limit: int = 100) -> list[dict]:
    if rating is not None and rating not in RATINGS:
        raise InputError("rating filter must be 'up' or 'down'.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise InputError("limit must be between 1 and 10000.")
    n_msgs = (select(func.count()).select_from(m.messages)
              .where(m.messages.c.session_id == m.sessions.c.id).scalar_subquery())

    def n_rating(r):
        return (select(func.count()).select_from(m.feedback)
                .where(m.feedback.c.session_id == m.sessions.c.id, m.feedback.c.rating == r).scalar_subquery())

    q = select(m.sessions.c.id, m.sessions.c.site, m.sessions.c.lang, m.sessions.c.created_at,
               last_activity(store.backend).label("activity"), n_msgs.label("n_messages"), n_rating("up").label("n_up"),
               n_rating("down").label("n_down"))
    if site is not None:
        q = q.where(m.sessions.c.site == site)
    if since is not None:
        q = q.where(m.sessions.c.created_at >= naive_utc(since))
    if until is not None:
        q = q.where(m.sessions.c.created_at < naive_utc(until))
    if rating is not None:
        q = q.where(m.sessions.c.id.in_(select(m.feedback.c.session_id).where(m.feedback.c.rating == rating)))
    q = q.order_by(m.sessions.c.created_at.desc(), m.sessions.c.id).limit(limit)
    rows = store.db.run("list_sessions", lambda conn: conn.execute(q).all(), write=False)
    return [{"id": r.id, "site": r.site, "lang": r.lang, "created": _iso(r.created_at),
             "last_activity": _iso(r.activity), "messages": r.n_messages,
             "feedback": {"up": r.n_up, "down": r.n_down}} for r in rows]


def stats(store) -> dict:
    def run(conn):
        n_sessions = conn.execute(select(func.count()).select_from(m.sessions)).scalar_one()
        oldest = conn.execute(select(func.min(m.sessions.c.created_at))).scalar_one()
        roles = dict(conn.execute(select(m.messages.c.role, func.count()).group_by(m.messages.c.role)).all())
        kinds = dict(conn.execute(select(m.messages.c.kind, func.count()).where(m.messages.c.kind.is_not(None))
                                  .group_by(m.messages.c.kind)).all())
        ratings = dict(conn.execute(select(m.feedback.c.rating, func.count()).group_by(m.feedback.c.rating)).all())
        entities = dict(conn.execute(select(m.message_findings.c.entity, func.sum(m.message_findings.c.count))
                                     .group_by(m.message_findings.c.entity)).all())
        return n_sessions, oldest, roles, kinds, ratings, entities

    n_sessions, oldest, roles, kinds, ratings, entities = store.db.run("stats", run, write=False)
    return {
        "backend": store.backend, "schema_version": store.schema_version,
        "sessions": n_sessions, "oldest_session": _iso(oldest),
        "messages": sum(roles.values()), "by_role": {r: roles.get(r, 0) for r in ROLES},
        "by_kind": dict(sorted(kinds.items())),
        "feedback": {r: ratings.get(r, 0) for r in RATINGS},
        "entities": {k: int(v) for k, v in sorted(entities.items())},
    }


def exchange_counts(store, session_ids) -> dict[str, int]:
    """Stored exchanges (visitor messages) per session, for the given ids (load and fault
    accounting: acknowledged vs stored)."""
    ids = sorted(set(session_ids))
    out: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update(store.db.run("exchange_counts", lambda conn, c=chunk: conn.execute(
            select(m.messages.c.session_id, func.count()).where(
                m.messages.c.session_id.in_(c), m.messages.c.role == "visitor")
            .group_by(m.messages.c.session_id)).all(), write=False))
    return out
