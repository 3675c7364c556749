"""The engine's ports: what it needs from the guard, the conversation log and a chat model. Any
object with these methods plugs in (tests pass fakes; `bot.store` and `guards` are the real ones)."""

from __future__ import annotations

from typing import Protocol


class Inspection(Protocol):
    text: str  # the redacted text
    findings: tuple
    lang: str
    failed: bool

    @property
    def redacted(self): ...


class Guard(Protocol):
    def inspect(self, text: str, lang: str | None = None, *, allow: frozenset[str] | None = None) -> Inspection: ...

    def redact(self, text: str, lang: str | None = None, *, allow: frozenset[str] | None = None): ...


class ConversationLog(Protocol):
    def log_exchange(self, session_id: str, *, visitor, findings: tuple, bot, kind: str, citations: tuple,
                     latency_ms: float | None, exchange_id: str | None = None): ...

    def session_exists(self, session_id: str) -> bool: ...


class ChatModel(Protocol):
    def invoke(self, messages): ...
