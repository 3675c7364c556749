"""Turn database failures into a text-free `StoreError` with a reason code and a fix.

Driver exceptions can carry SQL parameters (i.e. stored text) in their message, so their
`str()` is inspected here only to classify and is never logged, shown or chained."""

from __future__ import annotations

import errno
import logging

from bot.errors import StoreError
from bot.logsafe import log_event

log = logging.getLogger("bot.store")

# reason -> (what happened, how to fix). `{where}` is the database location (no password).
_MESSAGES = {
    "disk_full": ("the disk is full", "Free space on the volume holding {where}"),
    "locked": ("the database is locked by another process",
               "Stop the other process holding {where}, or use PostgreSQL (PRIVACYBOT_DATABASE_URL) for several replicas"),
    "corrupt": ("the database file is corrupt or is not a SQLite database",
                "Move {where} aside (a new one is created on start) or restore a backup"),
    "read_only": ("the database is read-only", "Make {where} and its directory writable"),
    "cannot_open": ("the database cannot be opened", "Check that {where} exists and is accessible"),
    "unreachable": ("the database server cannot be reached",
                    "Check that the server at {where} is running and PRIVACYBOT_DATABASE_URL is right"),
    "schema_newer": ("the database was created by a newer privacybot",
                     "Upgrade privacybot or point PRIVACYBOT_DATABASE_URL at another database"),
    "conflict": ("concurrent writes kept conflicting", "Retry; if it persists, check the server logs of {where}"),
    "timeout": ("the database did not answer in time", "Check that the server at {where} is running and not overloaded"),
    "busy": ("the store is saturated (writes are queued faster than they commit)",
             "Retry in a moment; add capacity or check the disk of {where}"),
    "error": ("a database error occurred", "Check the server logs and {where}"),
}

_PATTERNS = (
    ("disk_full", ("disk is full", "no space left", "disk full", "could not extend file")),
    ("locked", ("database is locked", "database table is locked", "database is busy", "lock timeout")),
    ("corrupt", ("file is not a database", "malformed", "file is encrypted", "not a database")),
    ("read_only", ("readonly", "read-only", "read only")),
    ("cannot_open", ("unable to open database",)),
    ("timeout", ("statement timeout", "canceling statement", "queuepool limit")),
    ("unreachable", ("connection refused", "could not connect", "connection failed", "server closed the connection",
                     "timeout expired", "connection is closed", "name or service not known", "no such host")),
)


def classify(exc: BaseException) -> str:
    """A reason code for a database failure (see `_MESSAGES`)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 4:
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return "disk_full"
        if isinstance(current, OSError) and current.errno in (errno.EROFS, errno.EACCES):
            return "read_only"
        try:
            text = str(current).lower()
        except Exception:
            text = ""
        for reason, needles in _PATTERNS:
            if any(n in text for n in needles):
                return reason
        current = getattr(current, "orig", None) or current.__cause__
        seen += 1
    return "error"


def store_error(op: str, exc: BaseException | None, where: str, *, reason: str | None = None) -> StoreError:
    """Build (and log, text-free) the StoreError for a failed operation `op`."""
    reason = reason or (classify(exc) if exc is not None else "error")
    what, fix = _MESSAGES.get(reason, _MESSAGES["error"])
    err = StoreError(f"Conversation store {op} failed: {what}. {fix.format(where=where)}.")
    err.reason = reason  # type: ignore[attr-defined]
    err.op = op  # type: ignore[attr-defined]
    orig = getattr(exc, "orig", None) or exc
    log_event(log, "store.error", level=logging.ERROR, op=op, reason=reason,
              exc_type=type(orig).__name__ if orig is not None else None)
    return err
