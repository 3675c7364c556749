"""Tables of the conversation store (SQLAlchemy Core). Only redacted text is ever stored.

Schema v1:
- `schema_version(id=1, version, applied_at)`: one row; migrations run when it is behind.
- `sessions(id, site, lang, created_at, last_activity_at)`.
- `messages(id, session_id, role, text, kind, citations, latency_ms, created_at)`: `text` is the
  guard's redacted text; `citations` a JSON list of policy section ids.
- `message_findings(message_id, entity, count)`: which entity types the guard found, how often
  (no offsets, no values).
- `feedback(id, session_id, message_id, rating, comment, created_at)`: `comment` is redacted.

Timestamps are naive UTC (`datetime.now(UTC)` without tzinfo) on every backend.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 1

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("site", String(128), nullable=True, index=True),
    Column("lang", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("last_activity_at", DateTime, nullable=False, index=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(32), nullable=True),
    Column("citations", JSON, nullable=False),
    Column("latency_ms", Float, nullable=True),
    Column("created_at", DateTime, nullable=False, index=True),
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
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="SET NULL"), nullable=True),
    Column("rating", String(4), nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", DateTime, nullable=False, index=True),
    sqlite_autoincrement=True,
)

# Migrations: version -> function(connection) bringing the schema from `version` to version+1.
MIGRATIONS: dict[int, object] = {}
