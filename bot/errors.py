"""The error hierarchy. Every message says what went wrong *and how to fix it*.

The CLI prints `Error: <message>` on one line and exits non-zero; the HTTP API maps `code`
and `http_status` to `{"error": {"code", "message"}}`. Messages never contain user text.
"""

from __future__ import annotations


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


class GuardError(PrivacybotError):
    """The guard could not analyse a text. Callers fail closed (store a placeholder)."""

    code = "guard_failed"
    http_status = 500
    exit_code = 7
