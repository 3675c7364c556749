"""Request-rate limits and the per-client compute budget.

- `RateLimiter`: in-process token buckets (one per key: client IP or session id). The default
  on the embedded SQLite store, where one process serves everything.
- `SharedRateLimiter`: the same limit for every process, kept in PostgreSQL
  (`bot.store.buckets`) when PRIVACYBOT_DATABASE_URL is set; if the database does not answer
  in time it falls back to the in-process bucket (a stalled database never blocks a visitor).
- `ComputeBudget`: a per-client budget of engine CPU seconds beside the request rate, so that
  one client sending expensive messages within its request rate cannot starve the others. A
  job is admitted while the balance is positive and charged its measured CPU time when it ends
  (a job that timed out is charged too, when it really stops).
- `ClientSlots`: at most `per_client` engine jobs at once per client (the rest wait for their
  own turn, without holding one of the shared engine slots).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`per_minute` tokens refill continuously up to `burst`; each request takes `cost` (1).

    `hit(key)` returns 0.0 when allowed, else the seconds to wait before one token is back.
    At most `max_keys` buckets are kept (least recently used dropped: a dropped key starts full).
    """

    def __init__(self, per_minute: float, burst: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000):
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self.per_minute = float(per_minute)
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, t)
        self._lock = threading.Lock()

    def _refill(self, key: str, now: float) -> float:
        tokens, last = self._buckets.pop(key, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)

    def hit(self, key: str, cost: float = 1.0) -> float:
        now = self._clock()
        with self._lock:
            tokens = self._refill(key, now)
            if tokens >= cost:
                self._store(key, tokens - cost, now)
                return 0.0
            self._store(key, tokens, now)
            return (cost - tokens) / self.rate

    @staticmethod
    def retry_after_header(wait: float) -> str:
        """Retry-After is whole seconds, rounded up (at least 1)."""
        return str(max(1, math.ceil(wait)))

    def __len__(self) -> int:
        return len(self._buckets)


class SharedRateLimiter:
    """`hit(key)` against PostgreSQL buckets (blocking: call it from a worker thread), falling
    back to `fallback` (in-process) when the database raises."""

    def __init__(self, buckets, scope: str, fallback: RateLimiter):
        self.buckets, self.scope, self.fallback = buckets, scope, fallback
        self.per_minute, self.burst = fallback.per_minute, fallback.burst

    def hit(self, key: str) -> float:
        from bot.errors import StoreError

        try:
            return self.buckets.hit(self.scope, key, per_minute=self.per_minute, burst=self.burst)
        except StoreError:
            return self.fallback.hit(key)

    retry_after_header = staticmethod(RateLimiter.retry_after_header)


class ComputeBudget:
    """Per-client engine CPU seconds: `per_minute` refill up to `burst` seconds."""

    def __init__(self, per_minute_s: float, burst_s: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000):
        self._bucket = RateLimiter(per_minute_s, burst_s, clock=clock, max_keys=max_keys)

    def check(self, key: str) -> float:
        """0.0 if `key` may start a job now, else the seconds until its balance is positive."""
        b = self._bucket
        now = b._clock()
        with b._lock:
            tokens = b._refill(key, now)
            b._store(key, tokens, now)
        return 0.0 if tokens > 0 else (-tokens + 0.01) / b.rate

    def charge(self, key: str, seconds: float) -> None:
        b = self._bucket
        now = b._clock()
        with b._lock:
            b._store(key, b._refill(key, now) - max(0.0, seconds), now)


class ClientSlots:
    """Per-client concurrency for engine jobs (asyncio; one event loop)."""

    def __init__(self, per_client: int):
        self.per_client = max(1, per_client)
        self._slots: dict[str, list] = {}  # key -> [semaphore, users]

    async def acquire(self, key: str) -> None:
        entry = self._slots.setdefault(key, [asyncio.Semaphore(self.per_client), 0])
        entry[1] += 1
        try:
            await entry[0].acquire()
        except BaseException:
            self._leave(key, entry, acquired=False)
            raise

    def release(self, key: str) -> None:
        entry = self._slots.get(key)
        if entry is not None:
            self._leave(key, entry, acquired=True)

    def _leave(self, key: str, entry: list, *, acquired: bool) -> None:
        if acquired:
            entry[0].release()
        entry[1] -= 1
        if entry[1] <= 0:
            self._slots.pop(key, None)

    def __len__(self) -> int:
        return len(self._slots)
