"""Bounded cost per request: engine concurrency really bounded (a timed-out job keeps its slot
until it ends, a job whose request gave up before it started never runs), one client holds at
most its share of the slots and spends a CPU budget beside its request rate, and /readyz never
blocks the event loop on a stalled database. Real app under uvicorn, fake engine."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from tests.store_fixtures import FakeEngine, LiveApp, sites_for_tests
from ui.ratelimit import ComputeBudget


class CountingEngine(FakeEngine):
    def __init__(self, store, sleep_s: float):
        super().__init__(store)
        self.sleep_s, self.running, self.peak = sleep_s, 0, 0
        self._lock = threading.Lock()

    def ask(self, message, **kwargs):
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.sleep_s)
            return super().ask(message, **kwargs)
        finally:
            with self._lock:
                self.running -= 1


def _app(settings, engine, *, concurrency: int, **limits):
    from bot.store import shared_store
    from ui.server import create_app

    store = shared_store(settings)
    engine.store = store
    return create_app(settings, engine=engine, guard=engine.guard, store=store, sites=sites_for_tests(**limits),
                      engine_concurrency=concurrency)


async def _ask(client, url, client_ip: str, message="How long do you keep my data?"):
    t0 = time.monotonic()
    r = await client.post(f"{url}/api/chat", json={"message": message, "site": "demo"},
                          headers={"X-Forwarded-For": client_ip})
    return r.status_code, time.monotonic() - t0, r


def test_timed_out_jobs_keep_their_slot_and_queued_ones_never_run(settings):
    # each job takes 3 s, the timeout is 0.3 s: every visitor gets a 504 long before any job ends (the 2 s
    # bound leaves room for a loaded CI machine; waiting for a job would take 3 s)
    engine = CountingEngine(None, sleep_s=3.0)
    app = _app(settings, engine, concurrency=2, engine_timeout_s=0.3)
    before = threading.active_count()
    with LiveApp(app) as live:
        async def burst():
            async with httpx.AsyncClient(timeout=10) as c:
                return await asyncio.gather(*[_ask(c, live.url, f"10.0.0.{i}") for i in range(12)])

        results = asyncio.run(burst())
        assert [s for s, _, _ in results] == [504] * 12 and max(t for _, t, _ in results) < 2.0
        ctx = app.state.ctx
        assert ctx.engine_pool.threads <= 2 and engine.peak <= 2
        time.sleep(3.3)  # the two running jobs end; the ten that never started stay cancelled
        assert engine.asked == 2 and ctx.engine_pool.pending == 0
        assert threading.active_count() - before <= 2 + 8 + 6  # engine + db pools + server/writer threads


def test_one_client_holds_at_most_its_share_of_the_slots(settings):
    engine = CountingEngine(None, sleep_s=0.4)
    app = _app(settings, engine, concurrency=4, engine_timeout_s=10)
    with LiveApp(app) as live:
        async def run():
            async with httpx.AsyncClient(timeout=20) as c:
                attack = [asyncio.create_task(_ask(c, live.url, "203.0.113.66")) for _ in range(6)]
                await asyncio.sleep(0.1)
                victim = await _ask(c, live.url, "198.51.100.7")
                return victim, await asyncio.gather(*attack)

        (v_status, v_time, _), attack = asyncio.run(run())
        assert v_status == 200 and v_time < 0.9  # not queued behind the six
        assert all(s == 200 for s, _, _ in attack) and max(t for _, t, _ in attack) > 2.0  # one at a time


def test_a_client_that_spends_its_compute_budget_is_slowed_down_not_the_others(settings):
    engine = FakeEngine(None, cpu_per_char_s=0.0002)  # 2,000 characters: 0.4 s of CPU
    app = _app(settings, engine, concurrency=4)
    app.state.ctx.compute = ComputeBudget(per_minute_s=1.0, burst_s=1.0)
    with LiveApp(app) as live:
        async def run():
            async with httpx.AsyncClient(timeout=20) as c:
                heavy = [await _ask(c, live.url, "203.0.113.9", "é" * 2000) for _ in range(4)]
                light = await _ask(c, live.url, "198.51.100.8")
                return heavy, light

        heavy, light = asyncio.run(run())
        statuses = [s for s, _, _ in heavy]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429  # 1.2 s spent of a 1 s budget
        refused = next(r for s, _, r in heavy if s == 429)
        assert int(refused.headers["Retry-After"]) >= 1 and refused.json()["error"]["code"] == "rate_limited"
        assert light[0] == 200


def test_readyz_answers_promptly_and_truthfully_while_the_database_hangs(settings, monkeypatch):
    engine = FakeEngine(None)
    app = _app(settings, engine, concurrency=2)
    store = app.state.ctx.store
    with LiveApp(app) as live:
        monkeypatch.setattr(store.store, "health", lambda: (time.sleep(5), (True, "late"))[1])

        async def run():
            async with httpx.AsyncClient(timeout=10) as c:
                ready = asyncio.create_task(c.get(f"{live.url}/readyz"))
                await asyncio.sleep(0.2)
                t0 = time.monotonic()
                health = await c.get(f"{live.url}/healthz")
                elapsed = time.monotonic() - t0
                return await ready, health, elapsed

        ready, health, health_s = asyncio.run(run())
        assert health.status_code == 200 and health_s < 0.5  # the event loop is free
        assert ready.status_code == 503 and ready.json()["checks"]["store"] is False


@pytest.mark.parametrize("size, waiting", [(1, 0), (2, 1)])
def test_the_pool_refuses_work_beyond_its_queue(size, waiting):
    from ui.api_context import BoundedPool, BusyError

    pool = BoundedPool(size, "test", max_waiting=waiting)
    gate = threading.Event()
    futures = [pool.submit(gate.wait) for _ in range(size + waiting)]
    with pytest.raises(BusyError):
        pool.submit(gate.wait)
    gate.set()
    for f in futures:
        f.result(5)
    pool.shutdown()
