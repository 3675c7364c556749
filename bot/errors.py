"""The error hierarchy. Every message says what went wrong *and how to fix it*.

Each package owns its errors (`knowledge/errors.py`, `guards/errors.py`, this module for the bot,
the store and the UI); all of them carry a stable `code`. This module is the one table that maps a
code to an HTTP status and a CLI exit status: `http_status(exc)`, `exit_code(exc)`. `ERRORS` is the
tuple to catch them all. The CLI prints `Error: <message>` on one line and exits non-zero; the HTTP
API answers `{"error": {"code", "message"}}`. Messages never contain user text.
"""

from __future__ import annotations

from guards.errors import GuardError as _LeafGuardError
from knowledge.errors import KnowledgeError


class PrivacybotError(Exception):
    """Base class. `code` is stable (used by the API and tests); the message is for humans."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(PrivacybotError):
    """Settings or a config file are invalid."""

    code = "config_error"
    exit_code = 2


class InputError(PrivacybotError):
    """The user's input (question, file, JSON line) cannot be used as given."""

    code = "bad_request"
    http_status = 400
    exit_code = 2


class SourceError(InputError):
    """A knowledge source file is missing, empty, binary or unreadable."""

    code = "bad_source"


class IndexMissingError(PrivacybotError):
    """No index was built for the requested knowledge base."""

    code = "index_missing"
    http_status = 503
    exit_code = 3


class IndexCorruptError(PrivacybotError):
    """The index on disk cannot be read."""

    code = "index_corrupt"
    http_status = 503
    exit_code = 3


class ModelMissingError(PrivacybotError):
    """A model package (embeddings, spaCy) is not installed."""

    code = "model_missing"
    http_status = 503
    exit_code = 4


class NotFoundError(PrivacybotError):
    """An id (session, knowledge base) does not exist."""

    code = "not_found"
    http_status = 404
    exit_code = 5


class StoreError(PrivacybotError):
    """The conversation store cannot be written or read (locked, corrupt, disk full)."""

    code = "store_unavailable"
    http_status = 503
    exit_code = 6


# code -> (HTTP status, exit status). One table for every package's errors.
STATUS: dict[str, tuple[int, int]] = {
    "error": (500, 1),
    "knowledge_error": (500, 1),
    "config_error": (500, 2),
    "bad_request": (400, 2),
    "bad_source": (400, 2),
    "index_missing": (503, 3),
    "index_corrupt": (503, 3),
    "model_missing": (503, 4),
    "not_found": (404, 5),
    "forbidden": (403, 5),
    "store_unavailable": (503, 6),
    "guard_failed": (500, 7),
    "timeout": (504, 1),
    "not_ready": (503, 1),
    "rate_limited": (429, 1),
}

ERRORS = (PrivacybotError, KnowledgeError, _LeafGuardError)


def _status(exc: BaseException) -> tuple[int, int]:
    return STATUS.get(getattr(exc, "code", "error"), (500, 1))


def http_status(exc: BaseException) -> int:
    """The HTTP status for any package's error (a subclass may override with `http_status`)."""
    own = getattr(type(exc), "http_status", None)
    return own if isinstance(exc, PrivacybotError) and own else _status(exc)[0]


def exit_code(exc: BaseException) -> int:
    own = getattr(type(exc), "exit_code", None)
    return own if isinstance(exc, PrivacybotError) and own else _status(exc)[1]


def message_of(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc)


def as_privacybot(exc: BaseException) -> PrivacybotError:
    """A leaf package's error (knowledge, guards) as the bot's class with the same code and message,
    for callers that catch `PrivacybotError` (the HTTP API, the console)."""
    if isinstance(exc, PrivacybotError):
        return exc
    code = getattr(exc, "code", "error")
    cls = next((c for c in (IndexMissingError, IndexCorruptError, ModelMissingError, SourceError, InputError,
                            ConfigError, NotFoundError, StoreError) if c.code == code), PrivacybotError)
    return cls(message_of(exc))
