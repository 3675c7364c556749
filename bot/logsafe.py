"""Leak-proof application logging.

`configure_logging()` sets up privacybot's handlers so that no log line can carry a visitor's
text: every handler (root's and uvicorn's) gets a `RedactingFilter`, the log-record factory
scrubs records at creation (so handlers added later are covered too), library loggers that may
log analysed text (Presidio, spaCy, chromadb, httpx, ...) are held at WARNING, and the root
logger stays at WARNING whatever level our own packages use.

The filter is a safety net, not the policy: code must never log text in the first place. Use
`log_event(logger, "store.write_failed", op="add_message", reason="disk_full")` for structured,
text-free events and `exc_summary(exc)` to describe an exception (type + location, never
`str(exc)`, never locals).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import IO

# Our own packages: these get the requested level. Everything else inherits root (WARNING).
APP_LOGGERS = ("bot", "guards", "knowledge", "ui", "evals", "privacybot")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Libraries that log analysed text, request bodies or URLs at INFO/DEBUG: forced to WARNING.
QUIET_LOGGERS = (
    "presidio-analyzer",
    "presidio-anonymizer",
    "presidio_analyzer",
    "presidio_anonymizer",
    "spacy",
    "chromadb",
    "httpx",
    "httpcore",
    "urllib3",
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
    "langchain",
    "langchain_core",
    "openai",
    "multipart",
    "python_multipart",
    "gradio",
    "asyncio",
    "filelock",
    "matplotlib",
    "PIL",
    "sqlalchemy",
)

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# (name, pattern) in application order: specific shapes first, generic digit runs last.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{4}){2,7}(?:[ \-]?[A-Z0-9]{1,4})?\b")),
    # French phones: +33 / 0033 / 0X followed by 4 pairs (before IPs: 01.45.67.89.10 is a phone).
    ("PHONE", re.compile(r"(?:(?:\+|00)33[ .\-]?(?:\(0\))?[ .\-]?[1-9]|\b0[1-9])(?:[ .\-]?\d{2}){4}\b")),
    ("IP", re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\.?\d)")),
    ("IP", re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                      r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4})(?![\w:])")),
    # French NIR: sex digit, year, month, department (2A/2B for Corsica), commune, order, key.
    ("NIR", re.compile(r"\b[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b")),
    ("CARD", re.compile(r"\b\d(?:[ \-]?\d){12,18}\b")),
    # Other international numbers: +CC then groups.
    ("PHONE", re.compile(r"\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,5}\d")),
    # INE (French student number): 11 characters, digits and capitals, ending in a letter or digit.
    ("INE", re.compile(r"\b(?=[0-9A-Z]*\d{6})[0-9]{9,10}[A-Z]{1,2}\b")),
    ("NUMBER", re.compile(r"\b\d{9,}\b")),
)

# `extra=` attributes whose names suggest user text are dropped, not scrubbed.
_TEXTY_NAME = re.compile(r"(text|message|msg|body|content|comment|question|query|prompt|input|payload|answer)", re.I)
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}
_QUERY_STRING = re.compile(r"\?[^\s\"']*")
_SCRUBBED = "_privacybot_scrubbed"


def scrub(text: str) -> str:
    """Replace personal-data-shaped substrings (emails, IBANs, IPs, NIR, cards, phones, INE,
    long digit runs) with `[KIND]`. Regex-level and fast; it cannot see names or health terms."""
    for name, pattern in _PATTERNS:
        text = pattern.sub(f"[{name}]", text)
    return text


def _location(tb) -> str:
    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return "unknown location"
    last = frames[-1]
    path = Path(last.filename)
    short = "/".join(path.parts[-2:]) if len(path.parts) >= 2 else path.name
    return f"{short}:{last.lineno} in {last.name}"


def exc_summary(exc: BaseException | None) -> str:
    """`ValueError at bot/engine.py:42 in ask (caused by OperationalError at ...)`.

    Only the exception *types* and code locations: never `str(exc)`, never locals."""
    parts: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(parts) < 5:
        seen.add(id(exc))
        parts.append(f"{type(exc).__name__} at {_location(exc.__traceback__)}")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return " (caused by ".join(parts) + ")" * (len(parts) - 1) if parts else ""


def _scrub_arg(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, BaseException):
        return exc_summary(value) or type(value).__name__
    try:
        return scrub(value if isinstance(value, str) else str(value))
    except Exception:  # a __str__ that raises: keep only the type
        return f"<{type(value).__name__}>"


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Scrub a record in place (idempotent): msg, args, exception, extras."""
    if getattr(record, _SCRUBBED, False):
        return record
    if isinstance(record.msg, str):
        record.msg = scrub(record.msg)
    else:
        record.msg = _scrub_arg(record.msg)
    if record.args:
        if isinstance(record.args, dict):
            record.args = {k: _scrub_arg(v) for k, v in record.args.items()}
        else:
            record.args = tuple(_scrub_arg(a) for a in record.args)
    if record.name == "uvicorn.access" and isinstance(record.args, tuple):
        # (client_addr, method, full_path, http_version, status): keep the shape uvicorn's
        # AccessFormatter expects, drop query strings (they can carry a question).
        record.args = tuple(_QUERY_STRING.sub("?[QUERY]", a) if isinstance(a, str) else a for a in record.args)
    if record.exc_info and record.exc_info[1] is not None:
        summary = exc_summary(record.exc_info[1])
        record.msg = f"{record.msg} [exception: {summary}]" if isinstance(record.msg, str) else record.msg
        record.exc_info = None
        record.exc_text = None
    elif record.exc_info:
        record.exc_info = None
    for key in [k for k in vars(record) if k not in _STANDARD_ATTRS and not k.startswith("_")]:
        value = getattr(record, key)
        if _TEXTY_NAME.search(key):
            delattr(record, key)
        elif isinstance(value, str):
            setattr(record, key, scrub(value))
    setattr(record, _SCRUBBED, True)
    return record


class RedactingFilter(logging.Filter):
    """Handler filter: scrubs every record that reaches the handler. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            scrub_record(record)
        except Exception:  # never let logging break the app; emit a text-free stand-in
            record.msg, record.args, record.exc_info, record.exc_text = "<unloggable record>", None, None, None
        return True


def _install_record_factory() -> None:
    """Scrub every LogRecord at creation (a backstop for handlers that other code adds later).
    Idempotent: never wraps a factory that is already ours (wrapping twice would recurse)."""
    base = logging.getLogRecordFactory()
    if getattr(base, "_privacybot_scrubbing", False):
        return

    def factory(*args, **kwargs):
        record = base(*args, **kwargs)
        try:
            return scrub_record(record)
        except Exception:
            record.msg, record.args, record.exc_info = "<unloggable record>", None, None
            return record

    factory._privacybot_scrubbing = True
    logging.setLogRecordFactory(factory)


def _ensure_filter(handler: logging.Handler) -> None:
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())


def install_filters(loggers: Iterable[str] = ("",) + UVICORN_LOGGERS) -> None:
    """Add a RedactingFilter to every handler of these loggers (root by default). Idempotent."""
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            _ensure_filter(handler)


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at emit time (not the object seen at configuration),
    so a redirected or replaced stderr never leaves a handler writing to a closed stream."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: str | int = "INFO", stream: IO[str] | None = None, file: str | Path | None = None
                      ) -> list[logging.Handler]:
    """Configure privacybot's logging. Safe to call more than once (replaces its own handlers).

    `level` applies to our packages (bot, guards, knowledge, ui, evals) and uvicorn; the root
    logger stays at WARNING so library loggers never log at INFO/DEBUG; loggers that may log text
    are pinned at WARNING. Returns the handlers installed (stream, then file if given)."""
    if isinstance(level, str):
        level_no = logging.getLevelName(level.upper())
        if not isinstance(level_no, int):
            from bot.errors import ConfigError

            raise ConfigError(f"Unknown log level '{level}'. Use DEBUG, INFO, WARNING or ERROR.")
    else:
        level_no = int(level)
    _install_record_factory()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_privacybot", False):
            root.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()]
    if file is not None:
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, encoding="utf-8"))
    for handler in handlers:
        handler._privacybot = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        handler.setLevel(min(level_no, logging.WARNING))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(level_no)
    for name in UVICORN_LOGGERS:
        logging.getLogger(name).setLevel(max(level_no, logging.INFO))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_filters()
    return handlers


def uvicorn_log_config(level: str = "INFO") -> dict:
    """A `log_config` for `uvicorn.run(...)` that keeps uvicorn's handlers filtered (uvicorn
    otherwise replaces its handlers with unfiltered ones when the server starts)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "bot.logsafe.RedactingFilter"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"],
                        "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        },
    }


_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:/+#@\-]{0,128}$")


def _safe_value(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if _SAFE_VALUE.match(value) and "@" not in value else f"<dropped str len={len(value)}>"
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_safe_value(v) for v in list(value)[:50]]
    return f"<dropped {type(value).__name__}>"


def log_event(logger: logging.Logger | str, event: str, *, level: int = logging.INFO, **fields) -> None:
    """Log a structured, text-free event: `event k=v k=v`.

    Values must be numbers, booleans, None, identifiers (no spaces, ≤128 chars) or lists of
    those; anything else is replaced by `<dropped ...>`. Fields named like text (text, message,
    body, comment, question, ...) are dropped. An exception passed as `exc=` is summarised."""
    if isinstance(logger, str):
        logger = logging.getLogger(logger)
    if not logger.isEnabledFor(level):
        return
    safe: dict = {}
    for key, value in fields.items():
        if _TEXTY_NAME.search(key):
            continue
        if isinstance(value, BaseException):
            safe[key] = exc_summary(value)
            continue
        safe[key] = _safe_value(value)
    event = event if _SAFE_VALUE.match(event) else "<invalid-event-name>"
    rendered = " ".join(f"{k}={v}" for k, v in safe.items())
    logger.log(level, "%s %s" if rendered else "%s%s", event, rendered,
               extra={"event": event, "fields": safe})
