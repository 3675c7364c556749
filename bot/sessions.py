"""Session ids and conversation state for the engine: open, resume, save, forget.

An id the engine does not know (never issued, expired, erased) starts a new session and the answer
carries the new id; an id the state store or the conversation store knows is resumed (the API
opened it, or another server process answered the previous turn)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.catalogue import LANGS
from bot.conversation import State, StateStore
from bot.types import new_session_id

log = logging.getLogger("bot.engine")


class Sessions:
    def __init__(self, states: StateStore, store: Callable[[], object]):
        self.states, self._store = states, store  # `store()`: the engine's current conversation store

    def start(self, site: str | None = None, lang: str | None = None) -> str:
        state = State(new_session_id(), lang=lang if lang in LANGS else None, site=site)
        self.save(state)
        return state.session_id

    def resume(self, session_id: str | None, site: str | None, lang: str | None) -> tuple[State, bool]:
        """(the session's state, whether it was opened now)."""
        if session_id:
            data = self.states.load(session_id)
            if data is not None:
                return State.from_dict(data), False
            if self._store_knows(session_id):
                return State(session_id, lang=lang, site=site), False
        return State(new_session_id(), lang=lang, site=site), True

    def save(self, state: State) -> None:
        self.states.save(state.session_id, state.to_dict())

    def forget(self, session_id: str) -> bool:
        """Drop a session's conversation state (erasure). True if it was known."""
        if not isinstance(session_id, str):
            return False
        known = self.states.load(session_id) is not None
        self.states.forget(session_id)
        return known

    def _store_knows(self, session_id: str) -> bool:
        store = self._store()
        if store is None:
            return False
        try:
            return bool(store.session_exists(session_id))
        except Exception as exc:  # noqa: BLE001 - a store outage must not stop answering
            log.warning("store.session_exists failed: %s", exc.__class__.__name__)
            return False
