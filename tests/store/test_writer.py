"""The background store writer: group commit, acknowledged = committed (`flush`), privacy type
checks on the caller's thread, degraded (never raising) on a full queue or a database failure,
and erased sessions that never come back."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest

from bot.store import SafeStore
from bot.store.failures import store_error
from bot.store.writer import PolicyText


class GatedRedactor:
    """The real guard's `redact`, held back until `open()`: the writer stalls on its first batch,
    so the test controls what piles up in the queue meanwhile."""

    def __init__(self, guard):
        self.guard = guard
        self.gate = threading.Event()
        self.calls = 0

    def __call__(self, text, lang=None):
        self.gate.wait(10)
        self.calls += 1
        return self.guard.redact(text, lang=lang)

    def open(self):
        self.gate.set()


@pytest.fixture
def safe(store):
    s = SafeStore(store)
    yield s
    s.close_writer(5)


def _exchange(safe, guard, sid, question, answer, lang="en", **kwargs):
    inspection = guard.inspect(question, lang=lang)
    return safe.log_exchange(sid, visitor=inspection.redacted, findings=inspection.findings,
                             bot=PolicyText(answer, lang), kind="answer", citations=("cctv/VII-storage",), **kwargs)


@pytest.mark.parametrize("lang, question, answer, raw, bot_raw", [
    ("en", "I am jean.dupont@example.com, how long is CCTV kept?",
     "Images are kept for 30 days. Write to dpo@omneseducation.com.", "jean.dupont@example.com",
     "dpo@omneseducation.com"),
    ("fr", "Je suis claire.martin@example.fr, combien de temps gardez-vous les images ?",
     "Les images sont conservées 30 jours. Écrivez à dpo@omneseducation.com.", "claire.martin@example.fr",
     "dpo@omneseducation.com"),
])
def test_exchange_is_committed_by_flush_with_both_texts_redacted(any_store, guard, lang, question, answer, raw,
                                                                 bot_raw):
    store = any_store  # SQLite and PostgreSQL
    safe = SafeStore(store)
    safe.start_writer(redact=guard.redact)
    sid = safe.create_session("ece.fr", lang, session_id=f"sess-{lang}-0001")
    assert _exchange(safe, guard, sid, question, answer, lang, latency_ms=12.5) is True
    assert safe.flush(5) is True and safe.writer.pending == 0
    exported = store.export_session(sid)  # the raw store: no implicit flush here
    msgs = exported["messages"]
    assert [m["role"] for m in msgs] == ["visitor", "bot"]
    assert raw not in msgs[0]["text"] and "[EMAIL_ADDRESS]" in msgs[0]["text"]
    assert msgs[0]["entities"] == {"EMAIL_ADDRESS": 1}
    assert bot_raw not in msgs[1]["text"] and "[EMAIL_ADDRESS]" in msgs[1]["text"]  # guard ran on the bot text
    assert msgs[1]["citations"] == ["cctv/VII-storage"] and msgs[1]["latency_ms"] == 12.5
    assert safe.close_writer(5)


def test_queued_exchanges_share_one_transaction(safe, store, guard):
    gated = GatedRedactor(guard)
    writer = safe.start_writer(redact=gated)
    sids = [safe.create_session("ece.fr", "en", session_id=f"group-commit-{i:03d}") for i in range(20)]
    for sid in sids:
        assert _exchange(safe, guard, sid, "How long is CCTV kept?", "Thirty days.")
    gated.open()
    assert safe.flush(10)
    # 20 session rows + 20 exchanges in far fewer transactions than 40 (the first one may be alone)
    assert writer.stats["committed"] == 40 and writer.stats["batches"] <= 3
    assert all(len(store.export_session(s)["messages"]) == 2 for s in sids)
    assert gated.calls == 1  # the same answer text is guarded once (bounded cache)


@pytest.mark.parametrize("visitor, bot, error", [
    ("raw visitor text", "redacted", TypeError),
    ("redacted", "raw bot text", TypeError),
    ("policy", "redacted", TypeError),  # PolicyText is for the bot's answer only
])
def test_only_guard_output_can_be_queued(safe, guard, visitor, bot, error):
    safe.start_writer(redact=guard.redact)
    sid = safe.create_session(None, "en", session_id="typed-session-1")
    safe.flush(5)
    values = {"redacted": guard.redact("How long is CCTV kept?"), "policy": PolicyText("Thirty days.")}
    with pytest.raises(error):
        safe.log_exchange(sid, visitor=values.get(visitor, visitor), bot=values.get(bot, bot))
    assert safe.writer.pending == 0  # refused on the caller's thread, nothing queued


def test_full_queue_degrades_without_raising(store, guard, caplog):
    safe = SafeStore(store)
    gated = GatedRedactor(guard)
    safe.start_writer(redact=gated, max_queue=2, max_batch=1)
    try:
        sid = safe.create_session(None, "en", session_id="queue-full-01")
        assert safe.flush(5)  # the session row is committed before the queue fills (no racing recovery)
        results = [_exchange(safe, guard, sid, "How long is CCTV kept? jean@example.com", f"Answer {i}.")
                   for i in range(6)]
        assert False in results and safe.degraded and safe.reason == "queue_full"
        gated.open()
        assert safe.flush(10)
        assert not safe.degraded  # a later successful commit recovers
        assert "jean@example.com" not in caplog.text and "Answer" not in caplog.text
    finally:
        safe.close_writer(5)


def test_database_failure_marks_degraded_then_recovers(safe, store, guard, monkeypatch, caplog):
    safe.start_writer(redact=guard.redact)
    sid = safe.create_session("ece.fr", "en", session_id="db-failure-01")
    assert safe.flush(5)
    real_tx = store._tx

    def locked(op, **kwargs):
        raise store_error(op, sqlite3.OperationalError("database is locked"), store.where)

    caplog.set_level(logging.INFO, logger="bot.store")
    monkeypatch.setattr(store, "_tx", locked)
    assert _exchange(safe, guard, sid, "My email is marie@example.org, who is the DPO?", "The DPO.") is True
    assert safe.flush(5) and safe.degraded and safe.reason == "locked"
    assert safe.writer.stats["lost"] == 1
    monkeypatch.setattr(store, "_tx", real_tx)
    assert _exchange(safe, guard, sid, "Who is the DPO?", "The DPO.")
    assert safe.flush(5) and not safe.degraded
    assert [m["role"] for m in store.export_session(sid)["messages"]] == ["visitor", "bot"]
    assert "marie@example.org" not in caplog.text and "store.degraded" in caplog.text


def test_erased_session_is_never_recreated_by_a_queued_write(safe, store, guard):
    gated = GatedRedactor(guard)
    forgotten: list[str] = []
    safe.start_writer(redact=gated, on_unknown_session=forgotten.append)
    keep = safe.create_session(None, "en", session_id="keep-session-1")
    gone = safe.create_session(None, "en", session_id="gone-session-1")
    gated.open()
    assert safe.flush(5)
    gated.gate.clear()  # stall the next batch: both exchanges below are queued together
    _exchange(safe, guard, keep, "How long is CCTV kept?", "Kept 30 days.")
    _exchange(safe, guard, gone, "How long is CCTV kept?", "Kept 30 days, again.")
    store.delete_session(gone)  # erased while its write waits in the queue
    gated.open()
    assert safe.flush(5)
    assert not store.session_exists(gone) and forgotten == [gone]
    assert len(store.export_session(keep)["messages"]) == 2  # the other exchange of the batch is kept
    assert not safe.degraded


@pytest.mark.parametrize("op", ["export_session", "delete_session", "add_feedback"])
def test_reads_feedback_and_erasure_see_queued_writes(safe, store, guard, op):
    gated = GatedRedactor(guard)
    safe.start_writer(redact=gated)
    sid = safe.create_session(None, "fr", session_id=f"flush-{op}"[:40].replace("_", "-"))
    _exchange(safe, guard, sid, "Qui est le DPO ?", "Le DPO.", "fr")
    threading.Timer(0.2, gated.open).start()
    if op == "export_session":
        assert len(safe.export_session(sid)["messages"]) == 2
    elif op == "delete_session":
        safe.delete_session(sid)
        assert safe.flush(5) and not store.session_exists(sid)
    else:
        assert safe.add_feedback(sid, "up") is not None
        assert store.export_session(sid)["feedback"][0]["rating"] == "up"


def test_close_flushes_then_later_writes_are_synchronous(store, guard):
    safe = SafeStore(store)
    safe.start_writer(redact=guard.redact)
    sid = safe.create_session(None, "en", session_id="closing-session")
    _exchange(safe, guard, sid, "Who is the DPO?", "The DPO.")
    assert safe.close_writer(5) is True and not safe.background
    assert len(store.export_session(sid)["messages"]) == 2
    # no writer: a PolicyText cannot be stored unguarded; guard output is written at once
    with pytest.raises(TypeError):
        _exchange(safe, guard, sid, "Who is the DPO?", "The DPO.")
    assert safe.log_exchange(sid, visitor=guard.redact("Who is the DPO?"), bot=guard.redact("The DPO."))
    assert len(store.export_session(sid)["messages"]) == 4
