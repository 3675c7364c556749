"""Schema migrations: `MIGRATIONS[v](store, conn, now)` brings the schema from v to v+1 inside
the schema transaction; `AFTER[v](store)` runs once it is committed (outside any transaction).

v1 -> v2: session tokens, exchange ids, one vote per (session, exchange), and encryption at
rest: every stored text is sealed with a new per-session key, the plain-text columns are
dropped, then the tables are rewritten (SQLite VACUUM, PostgreSQL VACUUM FULL) so that no page
of the database file keeps the old plain text.
"""

from __future__ import annotations

from sqlalchemy import text

from bot.store.crypto import seal


def _types(backend: str) -> tuple[str, str]:
    return ("BYTEA", "TIMESTAMP WITHOUT TIME ZONE") if backend == "postgresql" else ("BLOB", "DATETIME")


def v1_to_v2(store, conn, now) -> None:
    blob, stamp = _types(store.backend)
    for stmt in (
        "ALTER TABLE sessions ADD COLUMN token_hash VARCHAR(64)",
        "ALTER TABLE messages ADD COLUMN exchange_id VARCHAR(64)",
        f"ALTER TABLE messages ADD COLUMN body {blob}",
        "ALTER TABLE feedback ADD COLUMN exchange_id VARCHAR(64)",
        f"ALTER TABLE feedback ADD COLUMN updated_at {stamp}",
        f"ALTER TABLE feedback ADD COLUMN comment_sealed {blob}",
    ):
        conn.exec_driver_sql(stmt)
    session_ids = list(conn.execute(text("SELECT id FROM sessions ORDER BY id")).scalars())
    store.keys.ensure(session_ids, now)
    ciphers = store.keys.ciphers(session_ids)
    for mid, sid, body in conn.execute(text("SELECT id, session_id, text FROM messages")).all():
        conn.execute(text("UPDATE messages SET body = :b WHERE id = :i"),
                     {"b": seal(ciphers[sid], sid, "message", body or ""), "i": mid})
    for fid, sid, comment in conn.execute(text("SELECT id, session_id, comment FROM feedback")).all():
        sealed = None if comment is None else seal(ciphers[sid], sid, "comment", comment)
        conn.execute(text("UPDATE feedback SET comment_sealed = :c WHERE id = :i"), {"c": sealed, "i": fid})
    conn.exec_driver_sql("UPDATE feedback SET updated_at = created_at")
    for stmt in (
        "ALTER TABLE messages DROP COLUMN text",
        "ALTER TABLE feedback DROP COLUMN comment",
        "ALTER TABLE feedback RENAME COLUMN comment_sealed TO comment",
        "CREATE INDEX ix_messages_session_exchange ON messages (session_id, exchange_id)",
        "CREATE UNIQUE INDEX uq_feedback_session_exchange ON feedback (session_id, exchange_id)",
    ):
        conn.exec_driver_sql(stmt)


def rewrite_tables(store) -> None:
    """Rewrite the database so freed pages holding the old plain text are gone."""
    if store.backend == "postgresql":
        with store.db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("messages", "feedback"):
                conn.exec_driver_sql(f"VACUUM FULL {table}")
        return
    raw = store.db.engine.raw_connection()  # VACUUM cannot run inside the BEGIN we issue
    try:
        raw.driver_connection.execute("VACUUM")
    finally:
        raw.close()
    store.checkpoint()


MIGRATIONS = {1: v1_to_v2}
AFTER = {1: rewrite_tables}
