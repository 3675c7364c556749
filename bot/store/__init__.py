"""The conversation store: redacted, encrypted sessions, messages, feedback and conversation
state (see store.py), on SQLite by default or PostgreSQL (`PRIVACYBOT_DATABASE_URL`).

    from bot.store import open_store, shared_store
    store = open_store()                          # settings.effective_database_url
    sid, token = store.open_session("demo", "fr")  # a visitor session and its secret token
    safe = shared_store(settings)                 # the process-wide SafeStore the server uses

Where things live: the database (`PRIVACYBOT_DATABASE_URL`, default `conversations.sqlite3`
under PRIVACYBOT_HOME); the per-session keys (`PRIVACYBOT_KEYSTORE_URL`, default
`keys/session-keys.sqlite3` under PRIVACYBOT_HOME); staff exports (`PRIVACYBOT_EXPORTS_DIR`,
default `exports/` under PRIVACYBOT_HOME).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from bot.store.safe import SafeStore, open_safe_store
from bot.store.store import RATINGS, ROLES, ConversationStore

_SHARED: dict[str, SafeStore] = {}
_SHARED_LOCK = threading.Lock()


def store_locations(settings) -> dict:
    """The database URL, key-store URL and exports directory these settings point to."""
    home = Path(settings.home)
    keys = getattr(settings, "keystore_url", None) or os.environ.get("PRIVACYBOT_KEYSTORE_URL") \
        or f"sqlite:///{home / 'keys' / 'session-keys.sqlite3'}"
    exports = getattr(settings, "exports_dir", None) or os.environ.get("PRIVACYBOT_EXPORTS_DIR") or home / "exports"
    return {"url": settings.effective_database_url, "keys": keys, "exports": Path(exports)}


def open_store(settings=None, *, lock_timeout_s: float = 5.0) -> ConversationStore:
    """The store configured by settings. Raises StoreError (locked, corrupt, unreachable) or
    ConfigError (bad URL)."""
    if settings is None:
        from bot.settings import get_settings

        settings = get_settings()
    where = store_locations(settings)
    return ConversationStore(where["url"], lock_timeout_s=lock_timeout_s, keys=where["keys"],
                             exports=where["exports"])


def shared_store(settings=None) -> SafeStore:
    """One SafeStore per database per process (every engine and the API share its writer)."""
    if settings is None:
        from bot.settings import get_settings

        settings = get_settings()
    key = f"{settings.effective_database_url}|{store_locations(settings)['keys']}"
    with _SHARED_LOCK:
        safe = _SHARED.get(key)
        if safe is None:
            safe = _SHARED[key] = open_safe_store(settings)
        return safe


__all__ = ["ConversationStore", "SafeStore", "open_store", "open_safe_store", "shared_store", "store_locations",
           "ROLES", "RATINGS"]
