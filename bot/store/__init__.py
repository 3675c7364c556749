"""The conversation store: redacted sessions, messages and feedback (see store.py).

    from bot.store import open_store, open_safe_store
    store = open_store()                      # settings.effective_database_url
    sid = store.create_session("ece.fr", "fr")
    store.add_message(sid, "visitor", inspection.redacted, findings=inspection.findings)
"""

from __future__ import annotations

from bot.store.safe import SafeStore, open_safe_store
from bot.store.store import RATINGS, ROLES, ConversationStore


def open_store(settings=None, *, lock_timeout_s: float = 5.0) -> ConversationStore:
    """The store configured by settings (`PRIVACYBOT_DATABASE_URL`, else SQLite under home).
    Raises StoreError (locked, corrupt, unreachable) or ConfigError (bad URL)."""
    if settings is None:
        from bot.settings import get_settings

        settings = get_settings()
    return ConversationStore(settings.effective_database_url, lock_timeout_s=lock_timeout_s)


__all__ = ["ConversationStore", "SafeStore", "open_store", "open_safe_store", "ROLES", "RATINGS"]
