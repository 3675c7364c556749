"""Errors of the guard package. Every message says what went wrong and how to fix it; `code` is
stable (mapped to an exit status / HTTP status by the caller, see `bot/errors.py`)."""

from __future__ import annotations


class GuardError(Exception):
    """The guard could not analyse a text. Callers fail closed (store nothing raw)."""

    code = "guard_failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(GuardError):
    """The guard's YAML configuration or a lexicon is invalid."""

    code = "config_error"


class ModelMissingError(GuardError):
    """A spaCy model package is not installed."""

    code = "model_missing"
