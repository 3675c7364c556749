"""Application logging never carries a visitor's text."""

from __future__ import annotations

import io
import logging

import pytest

from bot import logsafe
from bot.logsafe import configure_logging, exc_summary, log_event, scrub


@pytest.fixture
def clean_logging():
    """Restore the logging configuration (handlers, levels, record factory) after a test."""
    root = logging.getLogger()
    names = ("", *logsafe.APP_LOGGERS, *logsafe.UVICORN_LOGGERS, *logsafe.QUIET_LOGGERS)
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in names}
    factory = logging.getLogRecordFactory()
    yield
    for handler in root.handlers:
        if getattr(handler, "_privacybot", False):
            handler.close()
    for n, (level, handlers) in saved.items():
        lg = logging.getLogger(n)
        lg.setLevel(level)
        lg.handlers[:] = handlers
    logging.setLogRecordFactory(factory)


@pytest.mark.parametrize(
    "raw, value, tag",
    [
        ("contact me at zorglub.q7x@example.org please", "zorglub.q7x@example.org", "[EMAIL]"),
        ("écrivez à marie-claire+dpo@univ-lyon2.fr merci", "marie-claire+dpo@univ-lyon2.fr", "[EMAIL]"),
        ("my number is 06 12 34 56 78", "06 12 34 56 78", "[PHONE]"),
        ("mon numéro : +33 6 12 34 56 78", "+33 6 12 34 56 78", "[PHONE]"),
        ("appelez le 01.45.67.89.10", "01.45.67.89.10", "[PHONE]"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 ok", "FR76 3000 6000 0112 3456 7890 189", "[IBAN]"),
        ("card 4111 1111 1111 1111 exp", "4111 1111 1111 1111", "[CARD]"),
        ("carte 5500-0000-0000-0004", "5500-0000-0000-0004", "[CARD]"),
        ("NIR 1 85 05 78 006 084 36", "1 85 05 78 006 084 36", "[NIR]"),
        ("sécu 285072A00412345", "285072A00412345", "[NIR]"),
        ("from 192.168.10.42 today", "192.168.10.42", "[IP]"),
        ("v6 2001:db8:85a3::8a2e:370:7334 end", "2001:db8:85a3::8a2e:370:7334", "[IP]"),
        ("INE 0123456789A", "0123456789A", "[INE]"),
    ],
)
def test_scrub_removes_personal_data_shapes_en_fr(raw, value, tag):
    out = scrub(raw)
    assert value not in out and tag in out


@pytest.mark.parametrize(
    "text",
    ["store.message_added session=4f3c2a1b9d8e7f60a1b2c3d4e5f60718 role=visitor",
     "retrieve took 12.5 ms at 12:30:45 on 2025-01-31", "bot/engine.py:42 in ask", "status=200 k=5"],
)
def test_scrub_leaves_ordinary_log_lines_alone(text):
    assert scrub(text) == text


def _configure(level="DEBUG"):
    stream = io.StringIO()
    configure_logging(level, stream=stream)
    return stream


def test_levels_root_stays_at_warning_and_text_logging_libraries_are_quiet(clean_logging):
    _configure("DEBUG")
    assert logging.getLogger().level == logging.WARNING
    assert logging.getLogger("bot").level == logging.DEBUG
    for name in ("presidio-analyzer", "spacy", "chromadb", "httpx"):
        assert logging.getLogger(name).level == logging.WARNING
    assert not logging.getLogger("presidio-analyzer").isEnabledFor(logging.INFO)
    assert not logging.getLogger("some.library").isEnabledFor(logging.INFO)


def test_every_root_and_uvicorn_handler_gets_the_filter(clean_logging):
    pre_existing = logging.StreamHandler(io.StringIO())
    logging.getLogger("uvicorn.access").addHandler(pre_existing)
    handlers = configure_logging("INFO", stream=io.StringIO())
    for h in [*handlers, pre_existing, *logging.getLogger().handlers]:
        assert any(isinstance(f, logsafe.RedactingFilter) for f in h.filters)


@pytest.mark.parametrize("secret", ["zorglub.q7x@example.org", "06 12 34 56 78", "FR76 3000 6000 0112 3456 7890 189"])
def test_messages_args_and_extras_are_scrubbed(clean_logging, secret):
    stream = _configure()
    log = logging.getLogger("bot.test")
    log.info("visitor wrote " + secret)
    log.info("visitor wrote %s", secret)
    log.info("mapping %(v)s", {"v": secret})
    log.info("event", extra={"text": "Zorglub has diabetes", "user_question": "Zorglub?", "site": secret})
    out = stream.getvalue()
    assert secret not in out and "Zorglub" not in out
    assert out.count("visitor wrote") == 2


def test_exceptions_are_logged_as_type_and_location_only(clean_logging):
    stream = _configure()
    try:
        try:
            raise ValueError("Zorglub Quentinova est séropositif, email zq@example.org")
        except ValueError as inner:
            raise RuntimeError("wrapping: Zorglub again") from inner
    except RuntimeError:
        logging.getLogger("bot.engine").exception("answer failed")
    out = stream.getvalue()
    assert "answer failed" in out and "RuntimeError at" in out and "caused by ValueError at" in out
    assert "test_logsafe.py" in out
    assert "Zorglub" not in out and "séropositif" not in out and "Traceback" not in out


def test_uvicorn_access_lines_keep_their_shape_without_ip_or_query(clean_logging):
    from uvicorn.logging import AccessFormatter

    stream = _configure("INFO")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    logsafe.install_filters()
    access.propagate = False
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "203.0.113.7:5123", "GET", "/api/ask?q=Zorglub+diabetes", "1.1", 200)
    finally:
        access.propagate = True
        access.removeHandler(handler)
    out = stream.getvalue()
    assert "GET /api/ask?[QUERY] HTTP/1.1" in out and " 200" in out
    assert "203.0.113.7" not in out and "Zorglub" not in out


def test_records_are_scrubbed_even_for_handlers_added_later(clean_logging):
    _configure()
    late = io.StringIO()
    handler = logging.StreamHandler(late)  # no filter: e.g. a library adding its own handler
    logging.getLogger("bot.late").addHandler(handler)
    logging.getLogger("bot.late").warning("ip %s mail %s", "10.1.2.3", "a.b@example.com")
    logging.getLogger("bot.late").removeHandler(handler)
    assert "10.1.2.3" not in late.getvalue() and "a.b@example.com" not in late.getvalue()


@pytest.mark.parametrize(
    "fields, shown, hidden",
    [
        ({"session": "4f3c2a1b", "n": 3, "ok": True}, ["session=4f3c2a1b", "n=3", "ok=True"], []),
        ({"reason": "I have diabetes"}, ["reason=<dropped str len=15>"], ["diabetes"]),
        ({"text": "Zorglub", "comment": "x", "question": "y"}, [], ["Zorglub", "text="]),
        ({"who": "zq@example.org"}, ["<dropped str"], ["zq@example.org"]),
        ({"entities": ["HEALTH", "PERSON"]}, ["['HEALTH', 'PERSON']"], []),
    ],
)
def test_log_event_keeps_only_text_free_fields(clean_logging, fields, shown, hidden):
    stream = _configure()
    log_event(logging.getLogger("bot.events"), "demo.event", **fields)
    out = stream.getvalue()
    assert "demo.event" in out
    for s in shown:
        assert s in out
    for h in hidden:
        assert h not in out


def test_exc_summary_never_contains_the_message():
    try:
        {}["Zorglub"]
    except KeyError as exc:
        summary = exc_summary(exc)
    assert summary.startswith("KeyError at ") and "Zorglub" not in summary


def test_file_output_is_filtered_too(clean_logging, tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    configure_logging("DEBUG", stream=io.StringIO(), file=log_file)
    logging.getLogger("bot.x").debug("call me on %s", "+33 6 12 34 56 78")
    for h in logging.getLogger().handlers:
        h.flush()
    text = log_file.read_text()
    assert "call me on [PHONE]" in text and "12 34 56 78" not in text
