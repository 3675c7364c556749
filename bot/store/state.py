"""The engine's conversation state (audience, pending clarification, last question/topic) in the
conversation store, so that every server process sees it: `bot.conversation.StateStore`.

    from bot.store.state import state_store
    states = state_store(settings, store=engine_store)   # None without PRIVACYBOT_DATABASE_URL
    states.save(session_id, {"audience": "students"})
    states.load(session_id)   # -> {"audience": "students"} in any process
    states.forget(session_id)

The state is JSON (< 4 KB), redacted text only, encrypted with the session's key, erased with
the session and expiring with it (retention). A save is committed before it returns (the next
turn may land on another process). Database failures never raise: `load` returns None (the
turn is answered without context) and `save`/`forget` are best effort, logged text-free.
An unknown session (never opened through the API, erased) has no state: save is ignored.
"""

from __future__ import annotations

import logging

from bot.errors import StoreError
from bot.logsafe import log_event

log = logging.getLogger("bot.store")


class SqlStateStore:
    """`load(session_id) -> dict | None`, `save(session_id, data)`, `forget(session_id)` on a
    SafeStore (or a plain ConversationStore)."""

    def __init__(self, store):
        self.store = store

    def load(self, session_id: str) -> dict | None:
        try:
            return self.store.load_state(session_id)
        except StoreError as err:
            log_event(log, "store.state_unavailable", level=logging.WARNING, op="load",
                      reason=getattr(err, "reason", None))
            return None

    def save(self, session_id: str, data: dict) -> None:
        """Store `data` (InputError if it is not a JSON object under 4 KB)."""
        self._write(session_id, data)

    def forget(self, session_id: str) -> None:
        self._write(session_id, None)

    def _write(self, session_id: str, data: dict | None) -> None:
        try:
            self.store.save_state(session_id, data)
        except StoreError as err:
            log_event(log, "store.state_unavailable", level=logging.WARNING, op="save" if data else "forget",
                      reason=getattr(err, "reason", None))


def state_store(settings=None, *, store=None) -> SqlStateStore | None:
    """The shared state store when a database URL is configured (several processes may serve one
    conversation), else None: keep the engine's in-process default. `store`: the SafeStore the
    engine already has (default: the process-wide one from `bot.store.shared_store`)."""
    if settings is None:
        from bot.settings import get_settings

        settings = get_settings()
    if not settings.database_url:
        return None
    if store is None:
        from bot.store import shared_store

        store = shared_store(settings)
    return SqlStateStore(store)
