"""What the routes share: settings, sites, limits, metrics, the core services (one engine per
knowledge base, the guard, the store) and the two bounded thread pools that keep blocking work
off the event loop.

- Engine pool (`call`, `ask`): at most `engine_concurrency` questions are answered at once. A
  job that times out (504) keeps its slot until it really ends, so a burst of slow messages can
  never start more threads than that; a job that has not started when its request times out
  never runs. One client holds at most a quarter of the slots (`ClientSlots`) and spends a CPU
  budget (`ComputeBudget`) beside its request rate.
- Database pool (`db`): every store call from async code (sessions, tokens, rate limits,
  feedback, export, erasure, /readyz) runs there with a timeout; a stalled database costs a
  bounded number of threads and a prompt "cannot save right now", never a frozen process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from bot.errors import PrivacybotError, StoreError
from bot.logsafe import log_event
from bot.settings import Settings
from ui.metrics import Metrics
from ui.ratelimit import ClientSlots, ComputeBudget, RateLimiter, SharedRateLimiter
from ui.sites import SitesConfig

log = logging.getLogger("ui.server")
T = TypeVar("T")
DB_TIMEOUT_S = 3.0
DB_THREADS = 8
# The per-address CPU budget is the per-address request rate times this allowance of engine CPU
# seconds per request (shipped limits: 60 requests/min -> 30 s/min, burst 20 -> 10 s). A question
# costs ~0.05 s; a 2,000-character message far more: a client sending those spends its budget.
COMPUTE_PER_REQUEST_S = float(os.environ.get("PRIVACYBOT_COMPUTE_PER_REQUEST_S", "0.5"))


class EngineTimeout(PrivacybotError):
    code = "timeout"
    http_status = 504


class NotReadyError(PrivacybotError):
    code = "not_ready"
    http_status = 503


class BusyError(PrivacybotError):
    code = "busy"
    http_status = 503


class BoundedPool:
    """At most `size` jobs run at once, each on one of `size` threads; at most `max_waiting`
    more wait. A timed-out job keeps its thread (and so its slot) until it ends."""

    def __init__(self, size: int, name: str, max_waiting: int):
        self.size, self.name, self.max_waiting = size, name, max_waiting
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"privacybot-{name}")
        self._lock = threading.Lock()
        self.pending = 0  # submitted and not finished (running or waiting)

    def submit(self, fn: Callable[[], T], on_done: Callable[[Future], None] | None = None) -> Future:
        with self._lock:
            if self.pending >= self.size + self.max_waiting:
                raise BusyError(f"The assistant is busy ({self.name}); please try again in a few seconds.")
            self.pending += 1

        def done(fut: Future) -> None:
            with self._lock:
                self.pending -= 1
            if on_done is not None:
                on_done(fut)

        fut = self._executor.submit(fn)
        fut.add_done_callback(done)
        return fut

    async def run(self, fn: Callable[[], T], timeout: float, on_done=None) -> T:
        """`fn()` on the pool; TimeoutError after `timeout` s (the job is cancelled if it has
        not started, else it finishes on its own thread, still holding its slot)."""
        fut = self.submit(fn, on_done)
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fut)), timeout)
        except (TimeoutError, asyncio.CancelledError):
            fut.cancel()
            raise

    @property
    def threads(self) -> int:
        return len(self._executor._threads)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class AppContext:
    def __init__(
        self,
        settings: Settings,
        sites: SitesConfig,
        *,
        engine: Any = None,
        guard: Any = None,
        store: Any = None,
        engine_concurrency: int = 4,
        background_writes: bool = False,
    ):
        self.settings = settings
        self.sites = sites
        self.limits = sites.limits
        self.metrics = Metrics()
        self._local_ip = RateLimiter(self.limits.per_ip.per_minute, self.limits.per_ip.burst)
        self._local_session = RateLimiter(self.limits.per_session.per_minute, self.limits.per_session.burst)
        self.ip_limiter: RateLimiter | SharedRateLimiter = self._local_ip
        self.session_limiter: RateLimiter | SharedRateLimiter = self._local_session
        self.compute = ComputeBudget(self.limits.per_ip.per_minute * COMPUTE_PER_REQUEST_S,
                                     max(1.0, self.limits.per_ip.burst * COMPUTE_PER_REQUEST_S))
        self.client_slots = ClientSlots(max(1, engine_concurrency // 4))
        self.engine_pool = BoundedPool(engine_concurrency, "engine", max_waiting=engine_concurrency * 16)
        self.db_pool = BoundedPool(DB_THREADS, "db", max_waiting=DB_THREADS * 32)
        self._engine, self._guard, self._store = engine, guard, store
        self._injected_engine = engine is not None
        self._engines: dict[str, Any] = {}
        self._load_lock = threading.Lock()
        self._load_error: PrivacybotError | None = None
        self.background_writes = background_writes
        if self.loaded:
            self._share_limits()
        if engine is not None:
            self.metrics.ready.set(1)

    # -- background writes ----------------------------------------------------------------------
    def start_background_writes(self, engine=None) -> bool:
        """Conversation writes to the store's background writer (group commit, durable acks)."""
        engine = engine if engine is not None else self._engine
        start = getattr(engine, "start_background_writes", None)
        started = bool(callable(start) and start())
        store = self._store if self._store is not None else getattr(engine, "store", None)
        if not started and callable(getattr(store, "start_writer", None)):
            guard = self._guard or getattr(engine, "guard", None)
            store.start_writer(redact=getattr(guard, "redact", None))
            started = True
        if started:
            log_event(log, "ui.background_writes", on=True)
        return started

    def stop_background_writes(self, timeout: float = 4.0) -> None:
        """Shutdown: every acknowledged exchange is committed before the worker exits."""
        close = getattr(self._store, "close_writer", None)
        if callable(close):
            done = close(timeout)
            log_event(log, "ui.writes_flushed", level=logging.INFO if done else logging.ERROR, complete=done)

    # -- core services ------------------------------------------------------------------------
    def load(self) -> None:
        """Build engine, guard and store (blocking; call from a worker thread). Idempotent."""
        with self._load_lock:
            if self.loaded:
                return
            try:
                if self._engine is None:
                    from bot.factory import get_engine

                    self._engine = get_engine(self.settings)
                engine = self._engine
                guard = self._guard or getattr(engine, "guard", None)
                if guard is None:
                    from guards.guard import get_guard

                    guard = get_guard()
                store = self._store if self._store is not None else getattr(engine, "store", None)
                if store is None:
                    from bot.store import shared_store

                    store = shared_store(self.settings)
                self._guard, self._store = guard, store  # loaded (and ready) from here on
                if self.background_writes:
                    self.start_background_writes(engine)
                self._share_limits()
                self._load_error = None
                self.metrics.ready.set(1)
                log_event(log, "ui.ready")
            except PrivacybotError as exc:
                self._load_error = exc
                log_event(log, "ui.load_failed", level=logging.WARNING, code=exc.code)
                raise

    def _share_limits(self) -> None:
        """With PostgreSQL, rate limits are global: every process takes from the same buckets."""
        raw = getattr(self._store, "_store", self._store)
        if getattr(raw, "backend", None) != "postgresql":
            return
        from bot.store.buckets import SqlBuckets

        buckets = SqlBuckets(raw)
        self.ip_limiter = SharedRateLimiter(buckets, "ip", self._local_ip)
        self.session_limiter = SharedRateLimiter(buckets, "session", self._local_session)

    @property
    def loaded(self) -> bool:
        return self._engine is not None and self._guard is not None and self._store is not None

    @property
    def load_error(self) -> PrivacybotError | None:
        return self._load_error

    async def ensure_loaded(self) -> None:
        if not self.loaded:
            await asyncio.to_thread(self.load)

    @property
    def engine(self):
        if self._engine is None:
            raise NotReadyError("The assistant is still loading its index and models; retry in a few seconds.")
        return self._engine

    def engine_for(self, kb: str | None):
        """The engine answering from knowledge base `kb` (one per kb, loaded once)."""
        if self._injected_engine or not kb or kb == self.settings.kb:
            return self.engine
        engine = self._engines.get(kb)
        if engine is None:
            from bot.factory import get_engine

            with self._load_lock:
                engine = self._engines.get(kb)
                if engine is None:
                    engine = get_engine(self.settings, kb=kb)
                    if self.background_writes:  # its store writes off the request path too
                        self.start_background_writes(engine)
                    self._engines[kb] = engine
        return engine

    def engines(self) -> list:
        return [e for e in (self._engine, *self._engines.values()) if e is not None]

    @property
    def guard(self):
        if self._guard is None:
            raise NotReadyError("The guard is still loading; retry in a few seconds.")
        return self._guard

    @property
    def store(self):
        if self._store is None:
            raise NotReadyError("The conversation store is not open yet; retry in a few seconds.")
        return self._store

    # -- blocking calls ---------------------------------------------------------------------
    async def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        """Run a blocking core call on the engine pool; EngineTimeout (504) after `timeout` s."""
        timeout = self.limits.engine_timeout_s if timeout is None else timeout
        await self.ensure_loaded()
        try:
            return await self.engine_pool.run(lambda: fn(*args, **kwargs), timeout)
        except TimeoutError:
            raise EngineTimeout(
                f"The assistant took longer than {timeout:g} s to answer; please try again in a moment."
            ) from None

    async def ask(self, client: str, fn: Callable[[], T]) -> T:
        """An engine job for `client`: within its compute budget, at most its share of the
        slots, charged the CPU time it really used (even after a timeout)."""
        from ui.api_errors import ApiError

        wait = self.compute.check(client)
        if wait > 0:
            self.metrics.rate_limited.labels(scope="compute").inc()
            retry = RateLimiter.retry_after_header(wait)
            raise ApiError(429, "rate_limited", f"Too much work from your address; wait {retry} s and try again.",
                           {"Retry-After": retry})
        await self.ensure_loaded()
        timeout = self.limits.engine_timeout_s
        start = time.monotonic()
        try:
            await asyncio.wait_for(self.client_slots.acquire(client), timeout)
        except TimeoutError:
            raise EngineTimeout(f"The assistant took longer than {timeout:g} s to answer; "
                                "please try again in a moment.") from None
        loop = asyncio.get_running_loop()
        used = [0.0]

        def job():
            t0 = time.thread_time()
            try:
                return fn()
            finally:
                used[0] = time.thread_time() - t0

        def done(_fut) -> None:
            self.compute.charge(client, used[0])
            loop.call_soon_threadsafe(self.client_slots.release, client)

        try:
            fut = self.engine_pool.submit(job, done)
        except BaseException:
            self.client_slots.release(client)
            raise
        left = max(0.01, timeout - (time.monotonic() - start))
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fut)), left)
        except TimeoutError:
            fut.cancel()
            raise EngineTimeout(f"The assistant took longer than {timeout:g} s to answer; "
                                "please try again in a moment.") from None
        except asyncio.CancelledError:
            fut.cancel()
            raise

    async def db(self, fn: Callable[[], T], *, timeout: float = DB_TIMEOUT_S, probe: bool = False) -> T:
        """A store call on the database pool; StoreError(reason "timeout") after `timeout` s (this
        request goes on without the store; whether the database itself is down is for the store's
        own watchdog and prober to decide: a slow request is not a dead database). While the store
        is known to be down, fail at once without queueing behind threads stuck in it (`probe`:
        run anyway, e.g. /readyz)."""
        await self.ensure_loaded()
        store = self._store
        if not probe and getattr(store, "degraded", False) and getattr(store, "background", False):
            err = StoreError(f"Conversation store unavailable ({getattr(store, 'reason', None) or 'down'}); "
                             "please try again in a minute.")
            err.reason = getattr(store, "reason", None) or "unavailable"  # type: ignore[attr-defined]
            raise err
        try:
            return await self.db_pool.run(fn, timeout)
        except TimeoutError:
            err = StoreError("The conversation store did not answer in time; please try again in a minute.")
            err.reason = "timeout"  # type: ignore[attr-defined]
            raise err from None

    def forget_session(self, session_id: str) -> None:
        """Drop every engine's in-process memory of a session (erasure)."""
        for engine in self.engines():
            for owner, name in ((engine, "forget_session"), (getattr(engine, "sessions", None), "forget")):
                method = getattr(owner, name, None)
                if callable(method):
                    method(session_id)
                    break
