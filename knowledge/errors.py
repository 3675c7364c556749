"""Errors of the knowledge package. Every message says what went wrong and how to fix it; `code`
is stable (the CLI maps it to an exit status and the HTTP API to a status, in `bot/errors.py`)."""

from __future__ import annotations


class KnowledgeError(Exception):
    code = "knowledge_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(KnowledgeError):
    """A profile, lexicon or model artefact file is invalid."""

    code = "config_error"


class InputError(KnowledgeError):
    """A question or parameter cannot be used as given."""

    code = "bad_request"


class SourceError(InputError):
    """A policy source file is missing, empty, binary or unreadable."""

    code = "bad_source"


class IndexMissingError(KnowledgeError):
    code = "index_missing"


class IndexCorruptError(KnowledgeError):
    code = "index_corrupt"


class ModelMissingError(KnowledgeError):
    """An embedding model package is not installed."""

    code = "model_missing"
