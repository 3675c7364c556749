"""In-memory session memory: bounded (max sessions, LRU eviction) and short-lived (TTL).

A session keeps only what follow-ups need: the language, the site, the last *redacted*
question with its intent and audience, and a pending clarification. Never raw text.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class SessionState:
    session_id: str
    lang: str | None = None
    site: str | None = None
    created: float = field(default_factory=time.monotonic)
    touched: float = field(default_factory=time.monotonic)
    last_question: str | None = None  # redacted text of the last policy question
    last_qtype: str | None = None
    last_audience: str | None = None
    audience: str | None = None  # the visitor said who they are ("as an alumnus")
    pending: dict | None = None  # {"question": redacted text, "qtype": ...} awaiting an audience
    turns: int = 0


class SessionMemory:
    """Thread-safe LRU of SessionState with idle TTL."""

    def __init__(self, *, ttl_s: float = 1800.0, max_sessions: int = 10_000, clock=time.monotonic):
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._clock = clock
        self._data: OrderedDict[str, SessionState] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def new(self, *, lang: str | None = None, site: str | None = None) -> SessionState:
        state = SessionState(secrets.token_urlsafe(12), lang=lang, site=site)
        state.created = state.touched = self._clock()
        with self._lock:
            self._data[state.session_id] = state
            while len(self._data) > self.max_sessions:
                self._data.popitem(last=False)
        return state

    def adopt(self, state: SessionState, session_id: str) -> SessionState:
        """Re-key a fresh state under an id issued earlier (e.g. known to the conversation store)."""
        with self._lock:
            self._data.pop(state.session_id, None)
            state.session_id = session_id
            self._data[session_id] = state
        return state

    def get(self, session_id: str | None) -> SessionState | None:
        """The live session, or None (unknown or expired; an expired one is dropped)."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            state = self._data.get(session_id)
            if state is None:
                return None
            if now - state.touched > self.ttl_s:
                del self._data[session_id]
                return None
            state.touched = now
            self._data.move_to_end(session_id)
            return state

    def forget(self, session_id: str) -> bool:
        """Drop one session's state (erasure). True if it was known."""
        with self._lock:
            return self._data.pop(session_id, None) is not None

    def purge_expired(self) -> int:
        now = self._clock()
        with self._lock:
            dead = [sid for sid, s in self._data.items() if now - s.touched > self.ttl_s]
            for sid in dead:
                del self._data[sid]
        return len(dead)
