"""The background writer: an exchange is acknowledged only once committed, a full queue makes
callers wait (back-pressure) instead of dropping, whatever cannot be saved is reported to the
caller (never dropped silently), one bad record never takes its batch down, and erased
sessions never come back. SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.errors import NotFoundError, StoreError
from bot.store import SafeStore
from bot.store.failures import store_error
from bot.store.writer import PolicyText
from tests.store_fixtures import FakeGuard

GUARD = FakeGuard()


class Gate:
    """Wraps `store.write`: the first `hold` batches wait until `open()` (a slow database)."""

    def __init__(self, store, hold: int = 1):
        self.store, self.real, self.hold = store, store.write, hold
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.batches: list[int] = []
        store.write = self

    def __call__(self, items):
        self.batches.append(len(items))
        self.entered.set()
        if len(self.batches) <= self.hold:
            self.opened.wait(30)
        return self.real(items)

    def open(self):
        self.opened.set()


def _log(safe, sid, question="How long is CCTV kept?", answer="Thirty days.", lang="en", **kwargs):
    inspection = GUARD.inspect(question, lang)
    return safe.log_exchange(sid, visitor=inspection.redacted, findings=inspection.findings,
                             bot=PolicyText(answer, lang), kind="answer", citations=("cctv/VII-storage",),
                             exchange_id=kwargs.pop("exchange_id", None), **kwargs)


@pytest.fixture
def safe(any_store):
    s = SafeStore(any_store, ack_timeout_s=5.0)
    s.start_writer(redact=GUARD.redact)
    yield s
    s.close_writer(5)


@pytest.mark.parametrize("lang, question, answer, raw", [
    ("en", "I am jean.dupont@example.com, how long is CCTV kept?", "Kept 30 days; write to dpo@omnes.fr.",
     "jean.dupont@example.com"),
    ("fr", "Je suis claire@example.fr, combien de temps gardez-vous les images ?",
     "Conservées 30 jours ; écrivez à dpo@omnes.fr.", "claire@example.fr"),
])
def test_an_acknowledged_exchange_is_already_committed(safe, any_store, lang, question, answer, raw):
    sid, _ = safe.open_session("demo", lang)
    assert _log(safe, sid, question, answer, lang, exchange_id="ex-0001", latency_ms=12.5) is True
    msgs = any_store.export_session(sid)["messages"]  # the raw store: no flush, no waiting
    assert [m["role"] for m in msgs] == ["visitor", "bot"] and {m["exchange_id"] for m in msgs} == {"ex-0001"}
    assert raw not in msgs[0]["text"] and "[EMAIL_ADDRESS]" in msgs[0]["text"]
    assert "dpo@omnes.fr" not in msgs[1]["text"]  # the bot's text went through the guard too
    assert msgs[0]["entities"] == {"EMAIL_ADDRESS": 1} and msgs[1]["latency_ms"] == 12.5


def test_concurrent_exchanges_share_few_transactions(safe, any_store):
    sids = [safe.open_session("demo", "en")[0] for _ in range(20)]
    gate = Gate(any_store)
    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(_log, safe, sid) for sid in sids]
        time.sleep(0.3)  # all 20 callers are waiting for their commit
        gate.open()
        assert [f.result(10) for f in futures] == [True] * 20
    assert sum(gate.batches) == 20 and len(gate.batches) <= 3  # group commit
    assert all(len(any_store.export_session(s)["messages"]) == 2 for s in sids)


def test_a_full_queue_makes_callers_wait_instead_of_dropping(any_store):
    safe = SafeStore(any_store, ack_timeout_s=10.0)
    safe.start_writer(redact=GUARD.redact, max_queue=2, max_batch=1)
    try:
        sid, _ = safe.open_session("demo", "en")
        gate = Gate(any_store)
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(_log, safe, sid, answer=f"Answer {i}.") for i in range(8)]
            time.sleep(0.5)  # the queue is full: callers block on it (back-pressure)
            assert not any(f.done() for f in futures)
            gate.open()
            assert [f.result(10) for f in futures] == [True] * 8
        assert len(any_store.export_session(sid)["messages"]) == 16 and safe.writer.stats["rejected"] == 0
    finally:
        safe.close_writer(5)


def test_what_cannot_be_committed_in_time_is_reported_never_dropped_silently(any_store):
    safe = SafeStore(any_store, ack_timeout_s=0.5, stall_s=60)
    safe.start_writer(redact=GUARD.redact)
    try:
        sid, _ = safe.open_session("demo", "en")
        gate = Gate(any_store)
        results = []

        def call(i):
            try:
                results.append(("ok", _log(safe, sid, answer=f"Answer {i}.")))
            except StoreError as err:
                results.append(("told", err.code))

        with ThreadPoolExecutor(6) as pool:
            first = pool.submit(call, 0)
            assert gate.entered.wait(5)  # its batch is stuck in the database
            list(pool.map(call, range(1, 6)))  # these wait in the queue behind it
            first.result(10)
        assert {r for r in results} == {("told", "store_unavailable")}  # every visitor was told
        gate.open()
        assert safe.flush(10)
        stats = safe.writer.stats
        stored = len(any_store.export_session(sid)["messages"]) // 2
        # items still queued when their caller gave up were cancelled, not written behind its back;
        # the one already in the database when its caller gave up was committed (stored, told not)
        assert (stored, stats["cancelled"]) == (1, 5)
    finally:
        safe.close_writer(5)


@pytest.mark.parametrize("visitor, bot", [("raw visitor text", "redacted"), ("redacted", "raw bot text"),
                                          ("policy", "redacted")])
def test_only_guard_output_can_be_queued(safe, visitor, bot):
    sid, _ = safe.open_session("demo", "en")
    values = {"redacted": GUARD.redact("How long is CCTV kept?"), "policy": PolicyText("Thirty days.")}
    with pytest.raises(TypeError):
        safe.log_exchange(sid, visitor=values.get(visitor, visitor), bot=values.get(bot, bot))
    assert safe.writer.pending == 0  # refused on the caller's thread, nothing queued


def _poison(store) -> None:
    """Make the database refuse one kind of record (a constraint), as a bad value would."""
    with store._engine.begin() as conn:
        if store.backend == "postgresql":
            conn.exec_driver_sql("ALTER TABLE messages ADD CONSTRAINT no_poison CHECK (kind <> 'poison')")
        else:
            conn.exec_driver_sql("CREATE TRIGGER no_poison BEFORE INSERT ON messages WHEN NEW.kind = 'poison' "
                                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")


def test_one_bad_record_never_takes_its_batch_down(safe, any_store):
    sids = [safe.open_session("demo", "en")[0] for _ in range(6)]
    _poison(any_store)
    gate = Gate(any_store)

    def call(i):
        inspection = GUARD.inspect("Who is the DPO?", "en")
        try:
            return safe.log_exchange(sids[i], visitor=inspection.redacted, bot=GUARD.redact("The DPO."),
                                     kind="poison" if i == 3 else "answer")
        except StoreError:
            return "told"

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(call, i) for i in range(6)]
        time.sleep(0.3)
        gate.open()
        results = [f.result(10) for f in futures]
    assert results == [True, True, True, "told", True, True]
    assert [len(any_store.export_session(s)["messages"]) for s in sids] == [2, 2, 2, 0, 2, 2]
    assert not safe.degraded and safe.health()[0]  # a bad record is not a store failure


@pytest.mark.parametrize("text", ["NUL\x00in the middle", "lone \ud800 surrogate", "\x00", "émoji 🎓 et accents"])
def test_text_is_made_storable_before_it_is_queued(safe, any_store, text):
    sid, _ = safe.open_session("demo", "fr")
    assert _log(safe, sid, question=f"Question {text}", answer=f"Réponse {text}", lang="fr")
    assert any_store.add_feedback(sid, "down", GUARD.redact(f"Commentaire {text}"), exchange_id="ex-nul1")
    data = any_store.export_session(sid)
    stored = [m["text"] for m in data["messages"]] + [data["feedback"][0]["comment"]]
    assert all("\x00" not in s and "\ud800" not in s for s in stored)
    assert stored[0].startswith("Question") and not safe.degraded


def test_an_erased_session_is_never_recreated_by_a_queued_write(safe, any_store):
    forgotten: list[str] = []
    safe.writer.on_unknown_session = forgotten.append
    keep, gone = safe.open_session("demo", "en")[0], safe.open_session("demo", "en")[0]
    gate = Gate(any_store)
    with ThreadPoolExecutor(2) as pool:
        kept = pool.submit(_log, safe, keep)
        lost = pool.submit(_log, safe, gone)
        time.sleep(0.3)
        any_store.delete_session(gone)  # erased while its write waits in the queue
        gate.open()
        assert kept.result(10) is True
        with pytest.raises(NotFoundError):
            lost.result(10)
    assert not any_store.session_exists(gone) and forgotten == [gone]
    assert len(any_store.export_session(keep)["messages"]) == 2 and not safe.degraded


def test_a_failing_database_is_reported_fast_then_recovers(store, monkeypatch):
    safe = SafeStore(store, ack_timeout_s=2.0, probe_s=0.1)
    safe.start_writer(redact=GUARD.redact)
    try:
        sid, _ = safe.open_session("demo", "en")
        real = store.db.engine.connect

        def locked():
            raise store_error("write", sqlite3.OperationalError("database is locked"), store.where)

        monkeypatch.setattr(store.db.engine, "connect", locked)
        with pytest.raises(StoreError):
            _log(safe, sid)
        assert safe.degraded and safe.reason == "locked" and not safe.health()[0]
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="not being saved"):
            _log(safe, sid)  # while degraded: at once, no visitor waits on a broken database
        assert time.monotonic() - t0 < 0.1
        monkeypatch.setattr(store.db.engine, "connect", real)
        deadline = time.monotonic() + 5
        while safe.degraded and time.monotonic() < deadline:
            time.sleep(0.05)  # the prober sees it work again (no traffic needed)
        assert not safe.degraded and safe.health()[0]
        assert _log(safe, sid) is True
    finally:
        safe.close_writer(5)


def test_a_stuck_write_opens_the_circuit_until_it_completes(store):
    safe = SafeStore(store, ack_timeout_s=1.0, stall_s=0.3, probe_s=0.1)
    safe.start_writer(redact=GUARD.redact)
    try:
        sid, _ = safe.open_session("demo", "en")
        gate = Gate(store)
        with pytest.raises(StoreError):
            _log(safe, sid)  # its batch is stuck in the "database"
        assert safe.degraded and safe.reason == "timeout" and not safe.health()[0]
        t0 = time.monotonic()
        with pytest.raises(StoreError):
            _log(safe, sid)
        assert time.monotonic() - t0 < 0.2
        gate.open()
        deadline = time.monotonic() + 5
        while safe.degraded and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not safe.degraded and _log(safe, sid) is True
    finally:
        safe.close_writer(5)


def test_close_flushes_then_later_writes_are_synchronous(store):
    safe = SafeStore(store)
    safe.start_writer(redact=GUARD.redact)
    sid, _ = safe.open_session("demo", "en")
    assert _log(safe, sid)
    assert safe.close_writer(5) is True and not safe.background
    with pytest.raises(TypeError):  # no writer, no guard: a PolicyText cannot be stored unguarded
        _log(safe, sid)
    assert safe.log_exchange(sid, visitor=GUARD.redact("Who is the DPO?"), bot=GUARD.redact("The DPO."))
    assert len(store.export_session(sid)["messages"]) == 4


def test_a_repeated_answer_is_guarded_once(store):
    calls = []

    def redact(text, lang=None):
        calls.append(threading.current_thread().name)
        return GUARD.redact(text, lang)

    safe = SafeStore(store)
    safe.start_writer(redact=redact)
    try:
        sid, _ = safe.open_session("demo", "en")
        for question in ("How long is CCTV kept?", "And the images of the car park?"):
            assert _log(safe, sid, question, "Kept 30 days.")
        assert len(calls) == 1 and "store-writer" not in calls[0]  # guarded on the caller's thread, once
    finally:
        safe.close_writer(5)
