"""Tables of the conversation store (SQLAlchemy Core). Only redacted text is ever stored, and
it is stored encrypted with the session's own key (see crypto.py): erasing the key erases the
text in every copy of the database (crypto-shredding).

Schema v2:
- `schema_version(id=1, version, applied_at)`: one row; migrations run when it is behind.
- `meta(name, value)`: per-database secrets (the pepper that hashes rate-limit keys).
- `sessions(id, site, lang, token_hash, created_at, last_activity_at)`: `token_hash` is the
  SHA-256 of the visitor's secret token (the token itself is never stored). Sessions are never
  updated on the write path (conflict-free writes); activity is read from their messages.
- `messages(id, session_id, exchange_id, role, body, kind, citations, latency_ms, created_at)`:
  `body` is the guard's redacted text, encrypted; `citations` a JSON list of section ids.
- `message_findings(message_id, entity, count)`: entity types the guard found (no values).
- `feedback(id, session_id, exchange_id, message_id, rating, comment, created_at, updated_at)`:
  one vote per (session, exchange); `comment` is redacted and encrypted.
- `conversation_state(session_id, body, updated_at)`: the engine's follow-up state (redacted,
  encrypted JSON < 4 KB), erased and expiring with its session.
- `rate_buckets(key, tat, seen)`: shared rate limits (GCRA; keys are peppered hashes).

Timestamps are naive UTC (`datetime.now(UTC)` without tzinfo) on every backend.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

SCHEMA_VERSION = 2

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("site", String(128), nullable=True, index=True),
    Column("lang", String(8), nullable=False),
    Column("token_hash", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("last_activity_at", DateTime, nullable=False, index=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("exchange_id", String(64), nullable=True),
    Column("role", String(8), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("kind", String(32), nullable=True),
    Column("citations", JSON, nullable=False),
    Column("latency_ms", Float, nullable=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Index("ix_messages_session_exchange", "session_id", "exchange_id"),
    sqlite_autoincrement=True,  # ids are never reused after a purge
)

message_findings = Table(
    "message_findings",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("entity", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("exchange_id", String(64), nullable=True),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="SET NULL"), nullable=True),
    Column("rating", String(4), nullable=False),
    Column("comment", LargeBinary, nullable=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("session_id", "exchange_id", name="uq_feedback_session_exchange"),
    sqlite_autoincrement=True,
)

conversation_state = Table(
    "conversation_state",
    metadata,
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("updated_at", DateTime, nullable=False, index=True),
)

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("tat", Float, nullable=False),  # GCRA theoretical arrival time (epoch seconds)
    Column("seen", Float, nullable=False, index=True),  # last request (epoch seconds)
)

# Tables holding a session's data, children first (erasure deletes in this order).
SESSION_CHILDREN = (feedback, conversation_state)
