"""Encryption at rest with one key per session, so that erasing a session's key makes its text
unreadable in every copy of the conversation database: heap pages, WAL, replicas, backups
(crypto-shredding).

The keys live in a separate small database, the key store (default: a SQLite file under
`PRIVACYBOT_HOME/keys/`, directory 0700, file 0600), never in the conversation database.
The key store runs with a rollback journal (no WAL) and `secure_delete`, so a deleted key is
overwritten in the file and no journal keeps a copy after the transaction. Back it up on a
short rotation (or not at all: losing it makes stored conversations unreadable, nothing else).

Text is sealed with AES-256-GCM: `version byte | 12-byte nonce | ciphertext+tag`, with the
session id and the field ("message", "comment", "state") as associated data, so a sealed
value cannot be moved to another session or field without failing authentication.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, delete, insert, select

from bot.store.db import Database

KEY_BYTES = 32
_VERSION = b"\x01"
ERASED = "[erased]"

key_metadata = MetaData()
session_keys = Table(
    "session_keys",
    key_metadata,
    Column("session_id", String(64), primary_key=True),
    Column("key", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
)


def _aad(session_id: str, field: str) -> bytes:
    return f"privacybot:{field}:{session_id}".encode()


def seal(cipher: AESGCM, session_id: str, field: str, text: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return _VERSION + nonce + cipher.encrypt(nonce, text.encode("utf-8"), _aad(session_id, field))


def unseal(cipher: AESGCM | None, session_id: str, field: str, blob: bytes | None) -> str | None:
    """The plain text, or `ERASED` when the key is gone or the value does not authenticate."""
    if blob is None:
        return None
    if cipher is None or len(blob) < 29 or blob[:1] != _VERSION:
        return ERASED
    try:
        return cipher.decrypt(blob[1:13], blob[13:], _aad(session_id, field)).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        return ERASED


class KeyStore:
    """Per-session data keys. Thread- and process-safe; keys are cached in memory (bounded,
    `cache_ttl_s`) because every write and read needs one."""

    def __init__(self, url: str, *, lock_timeout_s: float = 5.0, cache_size: int = 20_000,
                 cache_ttl_s: float = 300.0):
        self.db = Database(url, lock_timeout_s=lock_timeout_s, journal="delete", private=True)
        path = self.db.path
        self.db.run("key_store_setup", lambda conn: key_metadata.create_all(conn, checkfirst=True))
        if path is not None and path.exists():
            os.chmod(path, 0o600)
        self._cache: OrderedDict[str, tuple[AESGCM, float]] = OrderedDict()
        self._cache_size, self._ttl = cache_size, cache_ttl_s
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return self.db.where

    # -- cache ------------------------------------------------------------------------------
    def _cached(self, session_id: str) -> AESGCM | None:
        with self._lock:
            hit = self._cache.get(session_id)
            if hit is None or time.monotonic() - hit[1] > self._ttl:
                self._cache.pop(session_id, None)
                return None
            self._cache.move_to_end(session_id)
            return hit[0]

    def _remember(self, session_id: str, key: bytes) -> AESGCM:
        cipher = AESGCM(key)
        with self._lock:
            self._cache[session_id] = (cipher, time.monotonic())
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return cipher

    def forget_cached(self, session_ids: Iterable[str]) -> None:
        with self._lock:
            for sid in session_ids:
                self._cache.pop(sid, None)

    # -- keys -------------------------------------------------------------------------------
    def ensure(self, session_ids: Iterable[str], now: datetime) -> None:
        """Create a key for every id that has none (one transaction; idempotent)."""
        wanted = sorted(set(session_ids))
        if not wanted:
            return

        def run(conn):
            have = set(conn.execute(select(session_keys.c.session_id)
                                    .where(session_keys.c.session_id.in_(wanted))).scalars())
            new = [{"session_id": sid, "key": secrets.token_bytes(KEY_BYTES), "created_at": now}
                   for sid in wanted if sid not in have]
            if new:
                conn.execute(insert(session_keys), new)
            return new

        for row in self.db.run("create_session_key", run):
            self._remember(row["session_id"], row["key"])

    def ciphers(self, session_ids: Iterable[str]) -> dict[str, AESGCM]:
        """The cipher of each id that has a key (erased sessions have none)."""
        out: dict[str, AESGCM] = {}
        missing = []
        for sid in set(session_ids):
            cipher = self._cached(sid)
            if cipher is None:
                missing.append(sid)
            else:
                out[sid] = cipher
        if missing:
            rows = self.db.run("read_session_keys", lambda conn: conn.execute(
                select(session_keys.c.session_id, session_keys.c.key)
                .where(session_keys.c.session_id.in_(sorted(missing)))).all(), write=False)
            for sid, key in rows:
                out[sid] = self._remember(sid, key)
        return out

    def cipher(self, session_id: str) -> AESGCM | None:
        return self.ciphers([session_id]).get(session_id)

    def shred(self, session_ids: Iterable[str]) -> int:
        """Delete these keys for good (the file pages are overwritten: secure_delete)."""
        ids = sorted(set(session_ids))
        self.forget_cached(ids)
        if not ids:
            return 0
        n = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            n += self.db.run("erase_session_keys", lambda conn, c=chunk: conn.execute(
                delete(session_keys).where(session_keys.c.session_id.in_(c))).rowcount)
        return n

    def ids_created_before(self, cutoff: datetime) -> list[str]:
        return list(self.db.run("list_session_keys", lambda conn: conn.execute(
            select(session_keys.c.session_id).where(session_keys.c.created_at < cutoff)).scalars().all(),
            write=False))

    def health(self) -> None:
        """Raise StoreError if the key store cannot be read."""
        self.db.run("key_store_check", lambda conn: conn.execute(select(session_keys.c.session_id).limit(1)).all(),
                    write=False)

    def close(self) -> None:
        self.db.close()
