"""What the routes share: settings, sites, limits, metrics, and the core services (engine,
guard, store), either injected (tests, `privacybot serve`) or loaded once in a worker thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from bot.errors import PrivacybotError
from bot.logsafe import log_event
from bot.settings import Settings
from ui.metrics import Metrics
from ui.ratelimit import RateLimiter
from ui.sites import SitesConfig

log = logging.getLogger("ui.server")
T = TypeVar("T")


class EngineTimeout(PrivacybotError):
    code = "timeout"
    http_status = 504


class NotReadyError(PrivacybotError):
    code = "not_ready"
    http_status = 503


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
        self.ip_limiter = RateLimiter(self.limits.per_ip.per_minute, self.limits.per_ip.burst)
        self.session_limiter = RateLimiter(self.limits.per_session.per_minute, self.limits.per_session.burst)
        self._engine, self._guard, self._store = engine, guard, store
        self._load_lock = threading.Lock()
        self._load_error: PrivacybotError | None = None
        self._limiter = anyio.CapacityLimiter(engine_concurrency)
        self.background_writes = background_writes
        if engine is not None:
            self.metrics.ready.set(1)

    @staticmethod
    def start_background_writes(engine) -> bool:
        """Conversation writes to the store's background writer (group commit, off the request path)."""
        start = getattr(engine, "start_background_writes", None)
        if callable(start) and start():
            log_event(log, "ui.background_writes", on=True)
            return True
        return False

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
            if self._engine is not None and self._guard is not None and self._store is not None:
                return
            try:
                engine, guard, store = self._engine, self._guard, self._store
                if engine is None:
                    from bot.engine import get_engine

                    engine = self._engine = get_engine(self.settings)
                if guard is None:
                    guard = getattr(engine, "guard", None)
                    if guard is None:
                        from guards.guard import get_guard

                        guard = get_guard()
                if store is None:
                    store = getattr(engine, "store", None)
                    if store is None:
                        from bot.store import open_store

                        store = open_store(self.settings)
                if self.background_writes:
                    self.start_background_writes(engine)
                self._guard, self._store = guard, store  # loaded (and ready) from here on
                self._load_error = None
                self.metrics.ready.set(1)
                log_event(log, "ui.ready")
            except PrivacybotError as exc:
                self._load_error = exc
                log_event(log, "ui.load_failed", level=logging.WARNING, code=exc.code)
                raise

    @property
    def loaded(self) -> bool:
        return self._engine is not None and self._guard is not None and self._store is not None

    @property
    def load_error(self) -> PrivacybotError | None:
        return self._load_error

    async def ensure_loaded(self) -> None:
        if not self.loaded:
            await anyio.to_thread.run_sync(self.load)

    @property
    def engine(self):
        if self._engine is None:
            raise NotReadyError("The assistant is still loading its index and models; retry in a few seconds.")
        return self._engine

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
        """Run a blocking core call in the worker pool; EngineTimeout (504) after `timeout` s."""
        timeout = self.limits.engine_timeout_s if timeout is None else timeout
        await self.ensure_loaded()
        try:
            with anyio.fail_after(timeout):
                return await anyio.to_thread.run_sync(
                    lambda: fn(*args, **kwargs), limiter=self._limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise EngineTimeout(
                f"The assistant took longer than {timeout:g} s to answer; please try again in a moment."
            ) from None
